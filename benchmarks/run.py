"""Benchmarks (not tests): how fast a slider answers, and how long the series takes to run.

    make benchmark            # or: .venv/bin/python benchmarks/run.py [--repeats 30] [--nbval-runs 3]

Prints a Markdown table of medians (and 90th percentiles) measured in this process, side by
side, so the ratios hold on a noisy machine. A slider update is what happens in the kernel
when a learner moves a control: the widget's compute (the tested math) plus the in-place
redraw and the PNG encoding of the figure. The browser's own share is not included.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np

from helpers.embeddings import load_glove, toy_vectors
from helpers.widgets import (
    attention_explorer,
    dot_product_explorer,
    static_vector_explorer,
    weighted_sum_explorer,
)

ROOT = Path(__file__).resolve().parents[1]


def time_control(app, name, values, repeats):
    """Median and p90 in ms of setting one control to each value in turn, `repeats` changes in all."""
    control = app.controls[name]
    times = []
    for i in range(repeats):
        value = values[i % len(values)]
        if control.value == value:
            value = values[(i + 1) % len(values)]
        start = time.perf_counter()
        control.value = value
        times.append((time.perf_counter() - start) * 1e3)
        if app.error is not None:
            raise RuntimeError(f"{name}={value!r} gave an error: {app.error}")
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def slider_rows(repeats):
    glove, toy = load_glove(), toy_vectors()
    sentences = ["we sat on the river bank", "i deposited cash at the bank", "money bank grows"]
    cases = [
        ("01 static vector: word box (GloVe)", static_vector_explorer(glove, "i deposited cash at the bank"), "word", ["bank", "cash", "deposited"]),
        ("01 static vector: sentence box (GloVe)", static_vector_explorer(glove), "sentence", sentences),
        ("02 weighted sum: weight slider (toy)", weighted_sum_explorer(toy), "river", list(np.round(np.linspace(0, 1, 21), 2))),
        ("03 dot product: angle slider", dot_product_explorer(), "angle_deg", list(range(0, 360, 5))),
        ("03 dot product: length slider", dot_product_explorer(), "length", list(np.round(np.linspace(0.1, 3, 30), 1))),
        ("04 attention: temperature slider (toy)", attention_explorer(toy), "temperature", list(np.round(np.geomspace(0.05, 20, 25), 3))),
        ("04 attention: temperature slider (GloVe, 6 words)", attention_explorer(glove, "we sat on the river bank", 7.0), "temperature", list(np.round(np.geomspace(0.05, 20, 25), 3))),
        ("04 attention: sentence box (GloVe)", attention_explorer(glove), "sentence", sentences),
    ]
    rows = []
    for label, app, control, values in cases:
        median, p90 = time_control(app, control, values, repeats)
        rows.append((label, median, p90))
    return rows


def nbval_seconds(runs):
    cmd = [sys.executable, "-m", "pytest", "-q", "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval-sanitize.cfg", "notebooks"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError("strict nbval failed:\n" + done.stdout[-2000:])
    return statistics.median(times), len(sorted(ROOT.glob("notebooks/[0-9]*.ipynb")))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=30, help="control changes per widget")
    parser.add_argument("--nbval-runs", type=int, default=3, help="strict nbval runs of the whole series (0 to skip)")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, matplotlib {matplotlib.__version__}")
    print()
    print(f"| slider update in the kernel (compute + in-place redraw + PNG), {args.repeats} changes | median ms | p90 ms |")
    print("|---|---:|---:|")
    for label, median, p90 in slider_rows(args.repeats):
        print(f"| {label} | {median:.0f} | {p90:.0f} |")
    if args.nbval_runs:
        seconds, count = nbval_seconds(args.nbval_runs)
        print()
        print("| the whole series | median s |")
        print("|---|---:|")
        print(f"| strict `pytest --nbval` over all {count} notebooks, {args.nbval_runs} runs (includes pytest start-up) | {seconds:.1f} |")


if __name__ == "__main__":
    main()
