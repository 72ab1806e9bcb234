"""Train small attention-only GPTs on repeated random tokens and print what their heads do, step by step.

The measurements behind the induction-head lesson's recipe: does a head that copies form, and is it an induction
head or a head that looks back a fixed distance? The induction score is measured on random r + r at two lengths:
a head that looks back a fixed L - 1 positions scores high at the length it was trained on and near 0 at the other,
an induction head (which finds the earlier occurrence by its token) scores high at both.

    python scripts/induction_experiments.py --task fixed --layers 1      # 16 + 16 repeated: one layer is enough
    python scripts/induction_experiments.py --task varied --steps 4000   # the repeat's length and place vary
    python scripts/induction_experiments.py --task markov --vocab 8 --d-model 64 --lr 1e-3 --steps 2000 --seed 2

The markov task draws each sequence from its own random Markov chain (each row of its transition matrix from a
Dirichlet(alpha)), so what followed a token earlier in the sequence predicts what follows it now: in-context bigrams,
after Edelman et al. 2024, "The Evolution of Statistical Induction Heads".

Each row: step, seconds, the loss on the second copy of random r + r (L = 16), and per layer the best head's
previous-token score, induction scores at L = 16 and L = 11, and its matched score at L = 16: the weight on every key
right after an earlier occurrence of the query's token (with a small vocabulary r repeats tokens, which caps the
diagonal score). At the end, the second copy's loss with each head switched off, zero- and mean-ablated.
Seeded: the same rows every run on one machine.
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
from helpers.layers import log_softmax

TASKS = ("fixed", "varied", "markov")


def markov(vocab: int, n: int, size: int, alpha: float, rng) -> np.ndarray:
    """size sequences of n + 1 tokens, each from its own random Markov chain, rows Dirichlet(alpha). -> (size, n + 1)"""
    chains = rng.dirichlet(np.full(vocab, alpha), size=(size, vocab))  # (size, vocab, vocab): row t, the next's odds
    out = np.empty((size, n + 1), dtype=np.int64)
    out[:, 0] = rng.integers(0, vocab, size=size)
    for t in range(n):
        cdf = np.cumsum(chains[np.arange(size), out[:, t]], axis=-1)
        out[:, t + 1] = np.minimum((rng.random((size, 1)) > cdf).sum(axis=-1), vocab - 1)
    return out


def matched_score(maps: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The mean weight of the second half's queries on the keys right after an earlier occurrence of their token.
    (..., batch, heads, n, n), (batch, n) -> (..., heads)"""
    n = ids.shape[-1]
    j = np.arange(n)
    earlier = (j[None, :] >= 1) & (j[None, :] <= j[:, None])  # (n, n): key j at or before query i, with a j - 1
    before = np.concatenate([np.full((ids.shape[0], 1), -1), ids[:, :-1]], axis=1)  # the token before each key
    mask = earlier[None] & (before[:, None, :] == ids[:, :, None])  # (batch, n, n)
    weight = (maps * mask[:, None]).sum(axis=-1)[..., n // 2 :]  # (..., batch, heads, n - n // 2)
    return weight.mean(axis=(-1, -3))


def batch(task: str, vocab: int, n: int, size: int, shortest: int, rng, alpha: float = 0.2) -> np.ndarray:
    """size random sequences of n + 1 tokens with one stretch repeated, or (markov) from chains. -> (size, n + 1)"""
    if task == "markov":
        return markov(vocab, n, size, alpha, rng)
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
    """The second copy's loss at L = n / 2, and per layer the best previous-token, induction and matched scores."""
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
    return second, previous, at_half, at_short, matched_score(maps, full[:, :n]).max(axis=1)


def ablations(params: dict, vocab: int, n: int) -> list:
    """The second copy's loss at L = n / 2 with each head switched off, zero and mean. -> [(layer, head, zero, mean)]"""
    full, half = repeated(vocab, n // 2, 64, n, seed=999), n // 2
    config, rows = gpt.config_of(params), []
    for layer in range(config.n_layers):
        for head in range(config.n_heads):
            losses = []
            for how in ("zero", "mean"):
                logp = log_softmax(gpt.forward(params, full[:, :-1], ablate=[(layer, head)], ablation=how))
                picked = np.take_along_axis(logp, full[:, 1:, None], axis=-1)[..., 0]
                losses.append(float(-picked[:, half:].mean()))
            rows.append((layer, head, *losses))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=TASKS, default="varied")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--vocab", type=int, default=32)
    parser.add_argument("--d-model", type=int, default=32)
    parser.add_argument("--heads", type=int, default=2)
    parser.add_argument("--context", type=int, default=32)
    parser.add_argument("--shortest", type=int, default=4, help="the shortest repeated stretch (task varied)")
    parser.add_argument("--alpha", type=float, default=0.2, help="the chains' Dirichlet concentration (task markov)")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.context < 24 or args.context % 2 or not 2 <= args.shortest <= args.context // 2:
        parser.error("--context must be even and at least 24, --shortest from 2 to context / 2")
    if not args.alpha > 0:
        parser.error("--alpha must be above 0")
    try:
        config = gpt.GPTConfig(args.vocab, args.context, args.layers, args.d_model, args.heads, d_ff=0)
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    params = gpt.init_params(config, args.seed)
    opt, rng, start = gpt.AdamW(weight_decay=0.0), np.random.default_rng(args.seed), time.perf_counter()
    print(f"{config}, task {args.task}, lr {args.lr}, batch {args.batch}")
    print("step  seconds  second-copy loss  per layer: previous-token / induction at L=16 / at L=11 / matched")
    for step in range(args.steps + 1):
        if step % args.every == 0:
            second, previous, at_half, at_short, matched = measure(params, args.vocab, args.context)
            layers = "  ".join(
                f"{p:.2f}/{a:.2f}/{b:.2f}/{m:.2f}" for p, a, b, m in zip(previous, at_half, at_short, matched)
            )
            print(f"{step:5d} {time.perf_counter() - start:8.1f} {second:17.2f}  {layers}", flush=True)
        if step == args.steps:
            print("second-copy loss with one head switched off (zero / mean):")
            for layer, head, zero, mean in ablations(params, args.vocab, args.context):
                print(f"  layer {layer} head {head}: {zero:.2f} / {mean:.2f}")
            break
        seqs = batch(args.task, args.vocab, args.context, args.batch, args.shortest, rng, args.alpha)
        _, grads = gpt.loss_and_grads(params, seqs[:, :-1], seqs[:, 1:])
        gpt.clip_by_global_norm(grads, 1.0)
        opt.update(params, grads, args.lr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
