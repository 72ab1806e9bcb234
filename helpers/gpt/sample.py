"""Turning logits into text: temperature, top-k and top-p (nucleus) sampling, and the loop that writes."""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ..attention import softmax
from ..checks import as_float_array, check_seed


def _check_sampling(temperature, top_k, top_p, vocab_size: int) -> tuple:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not math.isfinite(temperature):
        raise ValueError(f"temperature must be a finite number >= 0, got {temperature!r}.")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0 (0 = always the most likely), got {temperature}.")
    if top_k is not None:
        if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or not 1 <= top_k <= vocab_size:
            raise ValueError(f"top_k must be a whole number from 1 to the vocabulary's {vocab_size}, got {top_k!r}.")
    if top_p is not None:
        if isinstance(top_p, bool) or not isinstance(top_p, numbers.Real) or not 0 < top_p <= 1:
            raise ValueError(f"top_p must be a number in (0, 1], got {top_p!r}.")
    return float(temperature), top_k, top_p


def next_token_probs(logits, temperature: float = 1.0, top_k=None, top_p=None) -> np.ndarray:
    """The probabilities sampling draws from: softmax(logits / temperature), only the top_k most likely, then of those
    only the smallest set whose renormalised probabilities reach top_p, renormalised; temperature 0 puts all on the
    largest. (V,) -> (V,)"""
    z = as_float_array(logits, "logits", min_ndim=1)
    if z.ndim != 1:
        raise ValueError(f"logits must be one position's (vocab,), got shape {z.shape}.")
    temperature, top_k, top_p = _check_sampling(temperature, top_k, top_p, z.shape[0])
    if temperature == 0:
        p = np.zeros(z.shape)
        p[int(np.argmax(z))] = 1.0
        return p
    p = softmax(z.astype(np.float64), temperature=temperature)
    order = np.argsort(-p, kind="stable")  # most likely first
    keep = np.ones(p.shape, dtype=bool)
    if top_k is not None:
        keep[order[top_k:]] = False
    if top_p is not None:  # over what top-k kept, renormalised: the order Hugging Face and llama.cpp apply them in
        q = np.where(keep, p, 0.0) / p[keep].sum()
        before = np.cumsum(q[order]) - q[order]  # the probability of the more likely ones
        keep[order[before >= top_p]] = False
    p = np.where(keep, p, 0.0)
    return p / p.sum()


def sample_next(logits, temperature: float = 1.0, top_k=None, top_p=None, rng=None) -> int:
    """One token id drawn from next_token_probs; temperature 0 is greedy (the most likely). (V,) -> int"""
    p = next_token_probs(logits, temperature, top_k, top_p)
    if temperature == 0:
        return int(np.argmax(p))
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}.")
    rng = np.random.default_rng() if rng is None else rng
    return int(rng.choice(p.shape[0], p=p))


def generate(
    model, prompt: str, n_tokens: int, temperature: float = 1.0, top_k=None, top_p=None, seed: int = 0, use_cache=True
) -> str:
    """The prompt continued by n_tokens sampled tokens (the prompt not repeated). str -> str

    Any model with .config (vocab_size, context), .encode, .decode, .logits, .prefill and .decode_step: notebook
    14's characters or notebook 17's SmolLM2. A prompt longer than the model's context is cropped to its last
    `context` tokens (a warning says so). ``use_cache`` (notebook 15): the prompt runs once and each new token
    alone, attending to a key/value cache, while the text fits the context; past it, each step reads the last
    `context` tokens again.
    """
    return model.decode(np.array(list(stream(model, prompt, n_tokens, temperature, top_k, top_p, seed, use_cache))))


def stream(model, prompt: str, n_tokens: int, temperature=1.0, top_k=None, top_p=None, seed=0, use_cache=True):
    """generate's loop: yields each new token id as it is drawn (stop early by leaving the loop). -> ids"""
    if isinstance(n_tokens, bool) or not isinstance(n_tokens, numbers.Integral) or not 1 <= n_tokens <= 100_000:
        raise ValueError(f"n_tokens must be a whole number from 1 to 100000, got {n_tokens!r}.")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("the prompt must be a non-empty string: the model needs at least one token to go on.")
    _check_sampling(temperature, top_k, top_p, model.config.vocab_size)
    ids = [int(i) for i in model.encode(prompt)]
    if not ids:
        raise ValueError("the prompt has no tokens: the model needs at least one to go on.")
    context = model.config.context
    if len(ids) > context:
        warnings.warn(f"the prompt has {len(ids)} tokens; the model reads its last {context}.", stacklevel=3)
    if not isinstance(use_cache, bool):
        raise TypeError(f"use_cache must be True or False, got {use_cache!r}.")
    rng = np.random.default_rng(check_seed(seed))
    cache = None
    for _ in range(n_tokens):
        if use_cache and len(ids) <= context:
            if cache is None:
                logits, cache = model.prefill(np.array(ids))
                logits = logits[-1]
            else:
                logits = model.decode_step(ids[-1], cache)  # the last token alone, at its position
        else:
            logits = model.logits(np.array(ids[-context:]))[-1]
        nxt = sample_next(logits, temperature, top_k, top_p, rng)
        ids.append(nxt)
        yield nxt
