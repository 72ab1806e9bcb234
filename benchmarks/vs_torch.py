"""Benchmark (not a test): the series' attention against torch's, each in its own process.

    .venv/bin/python benchmarks/vs_torch.py --torch-python /path/to/python-with-torch

Cases, float32, the same seeded inputs and weights in both:
- sdpa n: scaled_dot_product_attention (and blockwise_attention) against
  torch.nn.functional.scaled_dot_product_attention,
  n = 1024 and 4096, d = 64;
- mha: multi_head_attention against torch.nn.MultiheadAttention, n = 1024, d_model = 512, 8 heads, no biases,
  both returning the per-head attention weights (torch: need_weights=True, average_attn_weights=False).
Each round starts one process per side, in alternating order, with the same thread count (OpenBLAS threads that
keep spinning after a numpy call slow a torch call in the same process); each process reports the median of its
calls. Prints a Markdown table: the medians over rounds, their ratio, and the largest difference of the outputs.
torch is not part of the project's install: give the interpreter of an environment that has it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
D, D_MODEL, N_HEADS = 64, 512, 8
CASES = ("sdpa-1024", "blockwise-1024", "sdpa-4096", "blockwise-4096", "mha-1024")


def inputs(case: str):
    import numpy as np

    kind, n = case.split("-")
    n = int(n)
    rng = np.random.default_rng(n)
    if kind == "mha":
        X = rng.standard_normal((n, D_MODEL)).astype(np.float32)
        Ws = [(rng.standard_normal((D_MODEL, D_MODEL)) / np.sqrt(D_MODEL)).astype(np.float32) for _ in range(4)]
        return X, Ws
    return [rng.standard_normal((n, D)).astype(np.float32) for _ in range(3)]


def numpy_call(case: str):
    sys.path.insert(0, str(ROOT))
    import helpers as h
    from helpers import fast  # the cache-blocked softmax and threaded heads, tested equal to helpers.attention

    kind = case.split("-", maxsplit=1)[0]
    if kind == "mha":
        X, Ws = inputs(case)
        return lambda: fast.multi_head_attention(X, *Ws, n_heads=N_HEADS)[0]
    Q, K, V = inputs(case)
    if kind == "blockwise":
        return lambda: h.blockwise_attention(Q, K, V)
    return lambda: fast.scaled_dot_product_attention(Q, K, V)[0]


def torch_call(case: str):
    import numpy as np
    import torch

    kind = case.split("-", maxsplit=1)[0]
    if kind == "mha":
        X, Ws = inputs(case)
        mha = torch.nn.MultiheadAttention(D_MODEL, N_HEADS, bias=False, batch_first=True)
        with torch.no_grad():
            mha.in_proj_weight.copy_(torch.from_numpy(np.concatenate([W.T for W in Ws[:3]])))
            mha.out_proj.weight.copy_(torch.from_numpy(Ws[3].T.copy()))
        tx = torch.from_numpy(X)[None]

        def call():
            with torch.no_grad():
                out, weights = mha(tx, tx, tx, need_weights=True, average_attn_weights=False)
            assert weights.shape == (1, N_HEADS, len(X), len(X))
            return out[0].numpy()

        return call
    tq, tk, tv = (torch.from_numpy(a) for a in inputs(case))

    def call():
        with torch.no_grad():
            return torch.nn.functional.scaled_dot_product_attention(tq, tk, tv).numpy()

    return call


def worker(side: str, case: str, repeats: int) -> None:
    call = numpy_call(case) if side == "numpy" else torch_call(case)
    out = call()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    print(json.dumps({"seconds": statistics.median(times), "corner": out[:8, :8].tolist()}))


def run(python: str, side: str, case: str, repeats: int, threads: int) -> dict:
    env = dict(
        os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads)
    )
    cmd = [python, __file__, "--worker", side, "--cases", case, "--repeats", str(repeats)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch-python", help="a Python interpreter that can import torch (and numpy)")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=15, help="calls timed per process")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--worker", choices=("numpy", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.cases[0], args.repeats)
        return
    if not args.torch_python:
        parser.error("give --torch-python: torch is not part of the project's install")
    print(
        f"{args.rounds} rounds of one process per side, alternating; {args.repeats} calls per process; "
        f"{args.threads} threads each; medians"
    )
    print()
    print("| call (float32) | numpy ms | torch ms | time / torch's | max difference |")
    print("|---|---:|---:|---:|---:|")
    for case in args.cases:
        results = {"numpy": [], "torch": []}
        for r in range(args.rounds):
            for side in ("numpy", "torch") if r % 2 == 0 else ("torch", "numpy"):
                python = sys.executable if side == "numpy" else args.torch_python
                results[side].append(run(python, side, case, args.repeats, args.threads))
        t_np = statistics.median(r["seconds"] for r in results["numpy"])
        t_torch = statistics.median(r["seconds"] for r in results["torch"])
        a, b = results["numpy"][0]["corner"], results["torch"][0]["corner"]
        diff = max(abs(x - y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
        kind, n = case.split("-")
        label = {
            "sdpa": f"scaled_dot_product_attention, n = {n}, d = {D} (torch: F.scaled_dot_product_attention)",
            "blockwise": f"blockwise_attention (1024 x 512 tiles), n = {n}, d = {D} (torch: "
            "F.scaled_dot_product_attention)",
            "mha": f"multi_head_attention, n = {n}, d_model = {D_MODEL}, {N_HEADS} heads, per-head weights (torch: "
            "nn.MultiheadAttention)",
        }[kind]
        print(f"| {label} | {t_np * 1e3:.1f} | {t_torch * 1e3:.1f} | {t_np / t_torch:.2f}x | {diff:.1e} |", flush=True)


if __name__ == "__main__":
    main()
