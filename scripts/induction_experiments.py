"""Train small attention-only GPTs on repeated random tokens and print what their heads do, step by step.

The measurements behind the induction-head lesson's recipe: does a head that copies form, and is it an induction
head or a head that looks back a fixed distance? The induction score is measured on random r + r at two lengths:
a head that looks back a fixed L - 1 positions scores high at the length it was trained on and near 0 at the other,
an induction head (which finds the earlier occurrence by its token) scores high at both.

    python scripts/induction_experiments.py --task fixed --layers 1      # 16 + 16 repeated: one layer is enough
    python scripts/induction_experiments.py --task varied --steps 4000   # the repeat's length and place vary

Each row: step, seconds, the loss on the second copy of random r + r (L = 16), and per layer the best head's
previous-token score and induction scores at L = 16 and L = 11. Seeded: the same rows every run on one machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers import gpt
from helpers.attention import previous_token_share
from helpers.gpt.heads import attention_maps, induction_score, loss_per_position

TASKS = ("fixed", "varied")


def batch(task: str, vocab: int, n: int, size: int, shortest: int, rng) -> np.ndarray:
    """size random sequences of n + 1 tokens with one stretch repeated. -> (size, n + 1)"""
    out = rng.integers(0, vocab, size=(size, n + 1))
    if task == "fixed":  # r + r + r[0]: the second copy always starts n / 2 later
        half = n // 2
        out[:, half : 2 * half] = out[:, :half]
        out[:, -1] = out[:, 0]
        return out
    for row in out:  # a stretch of random length, at a random place, written again right after itself
        length = int(rng.integers(shortest, n // 2 + 1))
        start = int(rng.integers(0, n + 2 - 2 * length))
        row[start + length : start + 2 * length] = row[start : start + length]
    return out


def repeated(vocab: int, length: int, count: int, n: int, seed: int) -> np.ndarray:
    """count random r + r + r[0], padded in front with random tokens to n + 1. -> (count, n + 1)"""
    rng = np.random.default_rng(seed)
    r = rng.integers(0, vocab, size=(count, length))
    pad = rng.integers(0, vocab, size=(count, n - 2 * length))
    return np.concatenate([pad, r, r, r[:, :1]], axis=1)


def measure(params: dict, vocab: int, n: int) -> tuple:
    """The second copy's loss at L = n / 2, and per layer the best previous-token and induction scores."""
    half = n // 2
    full = repeated(vocab, half, 64, n, seed=999)
    second = float(loss_per_position(params, full)[half:].mean())
    maps = attention_maps(params, full[:, :n])  # (layers, B, heads, n, n)
    previous = previous_token_share(maps).mean(axis=1).max(axis=1)
    at_half = induction_score(maps, half).mean(axis=1).max(axis=1)
    short = 11
    pad = n - 2 * short
    other = attention_maps(params, repeated(vocab, short, 64, n, seed=998)[:, :n])[..., pad:, pad:]
    at_short = induction_score(other, short).mean(axis=1).max(axis=1)
    return second, previous, at_half, at_short


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=TASKS, default="varied")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--vocab", type=int, default=32)
    parser.add_argument("--d-model", type=int, default=32)
    parser.add_argument("--heads", type=int, default=2)
    parser.add_argument("--context", type=int, default=32)
    parser.add_argument("--shortest", type=int, default=4, help="the shortest repeated stretch (task varied)")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.context < 24 or args.context % 2 or not 2 <= args.shortest <= args.context // 2:
        parser.error("--context must be even and at least 24, --shortest from 2 to context / 2")
    try:
        config = gpt.GPTConfig(args.vocab, args.context, args.layers, args.d_model, args.heads, d_ff=0)
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    params = gpt.init_params(config, args.seed)
    opt, rng, start = gpt.AdamW(weight_decay=0.0), np.random.default_rng(args.seed), time.perf_counter()
    print(f"{config}, task {args.task}, lr {args.lr}, batch {args.batch}")
    print("step  seconds  second-copy loss  per layer: previous-token / induction at L=16 / at L=11")
    for step in range(args.steps + 1):
        if step % args.every == 0:
            second, previous, at_half, at_short = measure(params, args.vocab, args.context)
            layers = "  ".join(f"{p:.2f}/{a:.2f}/{b:.2f}" for p, a, b in zip(previous, at_half, at_short))
            print(f"{step:5d} {time.perf_counter() - start:8.1f} {second:17.2f}  {layers}", flush=True)
        if step == args.steps:
            break
        seqs = batch(args.task, args.vocab, args.context, args.batch, args.shortest, rng)
        _, grads = gpt.loss_and_grads(params, seqs[:, :-1], seqs[:, 1:])
        gpt.clip_by_global_norm(grads, 1.0)
        opt.update(params, grads, args.lr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
