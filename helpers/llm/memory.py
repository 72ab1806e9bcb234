"""How fast SmolLM2 writes, and what limits it (notebook 17): the bytes a decode step reads, this machine's memory
bandwidth measured in the same process, and the time per step for batches of sequences."""

from __future__ import annotations

import numbers
import time

import numpy as np

from ..gpt.cache import KVCache


def _whole(value, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}.")
    return int(value)


def median_seconds(fn, repeats: int = 7) -> float:
    """The median wall-clock time of fn() over `repeats` calls (machines are noisy: a median, not one run). -> s"""
    times = []
    for _ in range(_whole(repeats, "repeats")):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def read_bandwidth(M=None, repeats: int = 7) -> float:
    """This machine's memory read rate, bytes per second: a float32 matrix times a vector, which reads each number
    once for 2 operations. M: a matrix already in memory (notebook 17 passes the token embedding, 113 MB, so
    nothing new is allocated); by default a new one of 256 MiB, far more than the caches hold. (rows, cols) -> bytes/s
    """
    if M is None:
        M = np.ones((2**12, 2**14), dtype=np.float32)
    if not isinstance(M, np.ndarray) or M.ndim != 2 or M.dtype != np.float32 or M.nbytes < 2**24:
        raise ValueError("M must be a 2-D float32 array of at least 16 MiB (more than a processor's cache).")
    v = np.ones(M.shape[1], dtype=np.float32)
    M @ v  # the first touch maps the pages: not timed
    return M.nbytes / median_seconds(lambda: M @ v, repeats)


def cache_bytes(config, n_tokens: int, batch: int = 1) -> int:
    """The key/value cache's float32 bytes: 2 x layers x key/value heads x d_head x tokens x 4, per sequence. -> int"""
    n_tokens, batch = _whole(n_tokens, "n_tokens", 0), _whole(batch, "batch")
    return 2 * config.n_layers * config.n_kv_heads * config.d_head * n_tokens * 4 * batch


def decode_bytes(model, n_cached: int, batch: int = 1) -> int:
    """What one decode step reads: every weight once (shared by the batch), then each sequence's cache. -> bytes"""
    return model.nbytes() + cache_bytes(model.config, n_cached, batch)


def decode_seconds(model, batch: int, prompt_tokens: int = 32, steps: int = 8, seed: int = 0) -> float:
    """The median time of one decode step for `batch` sequences after a prompt of random tokens each. -> s"""
    batch, prompt_tokens, steps = _whole(batch, "batch"), _whole(prompt_tokens, "prompt_tokens"), _whole(steps, "steps")
    rng = np.random.default_rng(seed)
    ids = rng.integers(17, model.config.vocab_size, size=(batch, prompt_tokens))
    cache = KVCache(config=model.config)
    model.forward(ids, cache, last_only=True)  # the prompts' keys and values cached
    tokens = rng.integers(17, model.config.vocab_size, size=(steps + 1, batch))
    model.decode_step(tokens[0], cache)  # the first step allocates: not timed
    it = iter(tokens[1:])
    return median_seconds(lambda: model.decode_step(next(it), cache), steps)


def prefill_seconds(model, n_tokens: int, repeats: int = 3, seed: int = 0) -> float:
    """The median time to run a prompt of n_tokens random tokens and fill its cache. -> s"""
    ids = np.random.default_rng(seed).integers(17, model.config.vocab_size, size=_whole(n_tokens, "n_tokens"))
    return median_seconds(lambda: model.prefill(ids), repeats)
