"""Exercises on training, the real model (MiniLM) and the cost of attention; the model loads on first use."""

from __future__ import annotations

import functools

import numpy as np

from ..blockwise import online_softmax_steps
from .registry import routine


@functools.lru_cache(maxsize=1)
def _model():
    from .. import minilm  # imported here: only the exercises on the real model need it

    return minilm.load()


def _bank_cosines():
    from ..minilm import BANK_PAIR, cosine_by_layer

    model = _model()
    return cosine_by_layer(*(model.encode(s) for s in BANK_PAIR), "bank")


# ---------------------------------------------------------------- 10 watch attention learn
@functools.lru_cache(maxsize=1)
def _trained_previous_share() -> float:
    from ..attention import previous_token_share
    from ..training import previous_token_task, train

    return previous_token_share(train(previous_token_task(), steps=300).weights[-1])  # the notebook's training


routine(
    "10.2",
    "number",
    _trained_previous_share,
    "{want:.2f}: after 300 steps each word gives nearly all its attention to the word before it.",
    "read it off the trained weights: the mean of weights[t, t - 1] for t = 1 .. n - 1 (previous_token_share).",
    mistakes=lambda want: [
        (1 / 8, "that is what an untrained, uniform head would give (1/8); take the trained weights.")
    ],
    atol=0.006,
)


# ---------------------------------------------------------------- 11 a real transformer
routine(
    "11.1",
    "number",
    lambda: len(_model().tokenizer.tokenize("tokenization")),
    lambda want: f"{want}: {', '.join(_model().tokenizer.tokenize('tokenization'))}.",
    "run model.tokenizer.tokenize('tokenization') and count the tokens.",
    mistakes=lambda want: [(want - 2, "count [CLS] and [SEP] too.")],
)

routine(
    "11.2",
    "number",
    lambda: float(_bank_cosines()[-1]),
    "{want:.3f}: far from the 1.000 they started with.",
    "use minilm.cosine_by_layer(a, b, 'bank') and take the last entry.",
    mistakes=lambda want: [
        (
            float(_bank_cosines()[0]),
            "that is the cosine of the input embeddings; take the last layer (hidden_states[-1]).",
        )
    ],
    atol=0.006,
)

_SENTENCE_TOKENS = 8  # the question's sentence length
routine(
    "11.3",
    "shape",
    lambda: (_model().config.n_layers, _model().config.n_heads, _SENTENCE_TOKENS, _SENTENCE_TOKENS),
    "(layers, heads, tokens, tokens): one 8 x 8 weights matrix per head per layer.",
    "(n_layers, n_heads, n_tokens, n_tokens).",
    mistakes=lambda want: [(want[1:], "that is one layer; there are 6.")],
)


# ---------------------------------------------------------------- 12 inside a real transformer
@functools.lru_cache(maxsize=1)
def _head_types():
    from .. import minilm

    model = _model()
    return minilm.head_types(minilm.head_profile([model.encode(s) for s in minilm.HEAD_SENTENCES]))[0]


routine(
    "12.2",
    "choice",
    lambda: str(_head_types()[0, 2]),  # layer 0, head 2: the head the question names
    "'{want}': in layer 0, head 2 nearly every token looks at the token just before it.",
    "look it up in the map of head types: row 0 (layer 0), column 2.",
)


def _bank_change_without_previous_heads() -> float:
    from .. import minilm

    model = _model()
    previous = [tuple(int(v) for v in lh) for lh in np.argwhere(_head_types() == "previous")]
    a, b = (model.encode(s, ablate=previous) for s in minilm.BANK_PAIR)
    return float(minilm.cosine_by_layer(a, b, "bank")[-1] - _bank_cosines()[-1])


routine(
    "12.3",
    "number",
    _bank_change_without_previous_heads,
    "{want:+.3f}: switching off the previous-token head changes the banks' last-layer cosine by that much.",
    "encode both sentences with ablate=[the previous-token heads], take the last-layer cosine of the banks, "
    "and subtract 0.760.",
    mistakes=lambda want: [
        (
            _bank_cosines()[-1] + want,
            "that is the new cosine itself; the question asks for the change (new minus 0.760).",
        )
    ],
    atol=0.0015,
)


# ---------------------------------------------------------------- 13 cost
_LONG_N = 8192  # the question's n
routine(
    "13.1",
    "number",
    lambda: _LONG_N * _LONG_N * np.dtype(np.float32).itemsize,
    "{want:,} bytes = 256 MiB for one matrix, per head, per layer.",
    "n * n numbers of 4 bytes each.",
    mistakes=lambda want: [(_LONG_N * _LONG_N, "that counts numbers; each float32 number takes 4 bytes.")],
)

routine(
    "13.2",
    "number",
    lambda: float(
        online_softmax_steps(np.array([2.0, 5.0]), np.eye(2), block_size=1)[1]["rescale"]
    ),  # the question's maxima
    "exp(2 - 5) = {want:.4f}: the old terms shrink because the new maximum is larger.",
    "the factor is exp(m_old - m_new).",
    mistakes=lambda want: [(1 / want, "that is exp(5 - 2); the old terms must shrink, not grow: exp(m_old - m_new).")],
    atol=5e-4,
    rtol=2e-3,
)


# ---------------------------------------------------------------- 14 a transformer that writes
routine(
    "14.3",
    "choice",
    lambda: "b",  # the letter of the right statement in the question
    "as T goes to 0, softmax(logits / T) puts all its weight on the largest logit: sampling becomes greedy.",
    "divide the logits by a smaller and smaller T: what happens to the gaps between them, and so to the softmax?",
)


# ---------------------------------------------------------------- 15 generating fast
_LLAMA2_7B = {"n_layers": 32, "n_kv_heads": 32, "d_head": 128}  # its config.json: 32 layers, 32 heads of 128
_TOKENS, _BYTES = 4096, 2  # the question's tokens, and fp16
routine(
    "15.2",
    "number",
    lambda: 2 * _LLAMA2_7B["n_layers"] * _LLAMA2_7B["n_kv_heads"] * _LLAMA2_7B["d_head"] * _TOKENS * _BYTES / 2**30,
    "{want:.1f} GiB: 2 (keys and values) x 32 layers x 32 heads x 128 x 4096 tokens x 2 bytes.",
    "2 * n_layers * n_kv_heads * d_head * n_tokens * bytes_per_number, then divide by 2**30 for GiB.",
    mistakes=lambda want: [(want / 2, "that counts the keys or the values; the cache holds both: times 2.")],
    rtol=0.01,
)
routine(
    "15.3",
    "number",
    lambda: 64 // 8,  # the question's query heads and key/value heads
    "{want}: each key/value head serves 8 query heads, so the cache is 8 times smaller.",
    "the cache holds n_kv_heads heads instead of n_heads: the ratio is n_heads / n_kv_heads.",
    mistakes=lambda want: [(1 / want, "that is the fraction left (1/8); the question asks how many times smaller.")],
    atol=1e-9,
)
