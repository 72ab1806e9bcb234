"""Seeded numerical experiments behind pictures: saturation without sqrt(d_k) (notebook 07), what attention costs
(notebook 13)."""

from __future__ import annotations

import numpy as np

from .attention import entropy, softmax
from .checks import check_positive_int


def _d_ks(d_ks) -> list[int]:
    values = [check_positive_int(int(d) if isinstance(d, np.integer) else d, "d_k") for d in d_ks]
    if not values:
        raise ValueError("give at least one d_k.")
    return values


def dot_product_variance(d_ks, n_samples: int = 20_000, seed: int = 0) -> np.ndarray:
    """Variance of q . k for q, k with independent N(0, 1) entries, per d_k. (n_d,) -> (n_d,)"""
    n_samples = check_positive_int(n_samples, "n_samples")
    rng = np.random.default_rng(seed)
    out = []
    for d in _d_ks(d_ks):
        q = rng.standard_normal((n_samples, d))
        k = rng.standard_normal((n_samples, d))
        out.append(np.var(np.einsum("ij,ij->i", q, k)))
    return np.array(out)


def softmax_jacobian(weights) -> np.ndarray:
    """d softmax / d scores for one row of weights: diag(w) - w w^T. (n,) -> (n, n)"""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1:
        raise ValueError(f"one row of weights, shape (n,), expected; got {w.shape}.")
    return np.diag(w) - np.outer(w, w)


def random_query_keys(d_k: int, n_keys: int, seed: int = 0):
    """One query and n_keys keys with N(0, 1) entries, the same for the same seed and d_k. -> ((d_k,), (n_keys, d_k))"""
    d_k = check_positive_int(d_k, "d_k")
    n_keys = check_positive_int(n_keys, "n_keys")
    rng = np.random.default_rng([seed, d_k])
    return rng.standard_normal(d_k), rng.standard_normal((n_keys, d_k))


def saturation(d_ks, n_keys: int = 16, n_queries: int = 500, scaled: bool = True, seed: int = 0) -> dict:
    """Mean entropy, mean largest weight and mean gradient size of softmax(q.k [/ sqrt(d_k)]) per d_k.
    (n_d,) -> dict of (n_d,)"""
    n_keys = check_positive_int(n_keys, "n_keys")
    n_queries = check_positive_int(n_queries, "n_queries")
    rng = np.random.default_rng(seed)
    ent, top, grad = [], [], []
    for d in _d_ks(d_ks):
        Q = rng.standard_normal((n_queries, d))
        K = rng.standard_normal((n_keys, d))
        scores = Q @ K.T
        if scaled:
            scores = scores / np.sqrt(d)
        weights = softmax(scores)
        ent.append(entropy(weights).mean())
        top.append(weights.max(axis=-1).mean())
        grad.append(np.mean([np.abs(softmax_jacobian(w)).sum() for w in weights]))
    return {"entropy": np.array(ent), "max_weight": np.array(top), "gradient": np.array(grad)}


# ---------------------------------------------------------------- what attention costs
def times_and_peaks(fns, repeats: int = 3, progress=None) -> tuple:
    """For each function: the fastest seconds over `repeats` calls after one warm-up call (as timeit advises: noise
    only ever adds time), and the peak bytes Python/numpy allocated during one call. The rounds go through every
    function in turn (f1, f2, ..., f1, f2, ...), so that a burst of load on the machine slows one call of each
    rather than every call of one. [callable] -> ([float], [int])"""
    import time
    import tracemalloc

    fns = list(fns)
    repeats = check_positive_int(repeats, "repeats")
    if not fns or not all(callable(f) for f in fns):
        raise ValueError("give at least one function to time.")
    total, done = (repeats + 1) * len(fns), 0
    for fn in fns:
        fn()  # warm-up: first-call costs (page faults, caches) are not what we measure
    times = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
            done += 1
            if progress is not None:
                progress(done, total)
    peaks = []
    for fn in fns:
        tracemalloc.start()
        try:
            fn()
            peaks.append(int(tracemalloc.get_traced_memory()[1]))
        finally:
            tracemalloc.stop()
        done += 1
        if progress is not None:
            progress(done, total)
    return [float(min(t)) for t in times], peaks


def attention_cost(ns, d: int = 64, repeats: int = 5, seed: int = 0, block_size=None, progress=None) -> dict:
    """Time (the fastest of `repeats` calls, sizes interleaved) and peak memory of exact (block_size None) or
    blockwise attention, float32, per n. (k,) -> dict of (k,)"""
    from .attention import scaled_dot_product_attention
    from .blockwise import blockwise_attention

    ns = [check_positive_int(int(n), "n") for n in ns]
    rng = np.random.default_rng(seed)
    inputs = [tuple(rng.standard_normal((n, d)).astype(np.float32) for _ in range(3)) for n in ns]
    if block_size is None:
        calls = [lambda Q=Q, K=K, V=V: scaled_dot_product_attention(Q, K, V) for Q, K, V in inputs]
    else:
        calls = [
            lambda Q=Q, K=K, V=V: blockwise_attention(Q, K, V, block_size=block_size, query_block_size=block_size)
            for Q, K, V in inputs
        ]
    seconds, peak = times_and_peaks(calls, repeats, progress)
    return {"n": np.array(ns), "seconds": np.array(seconds), "peak_bytes": np.array(peak)}


def loglog_slope(x, y) -> float:
    """The exponent k of the least-squares fit y ~ c * x**k. (m,), (m,) -> float"""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.size < 2 or (x <= 0).any() or (y <= 0).any():
        raise ValueError("need at least two positive (x, y) pairs of the same length.")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
