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
_SLOW_LR = 0.01  # the question's learning rate; the notebook trains at 0.05


@functools.lru_cache(maxsize=2)
def _trained_previous_share(lr: float) -> float:
    from ..attention import previous_token_share
    from ..training import previous_token_task, train

    task = previous_token_task(n_sentences=128, n=8, d_word=8, d_pos=8, seed=0)  # the notebook's task
    return previous_token_share(train(task, steps=300, lr=lr, seed=0).weights[-1])


routine(
    "10.2",
    "number",
    lambda: _trained_previous_share(_SLOW_LR),
    lambda want: (
        f"{want:.2f}: five times smaller steps still find the word before in 300 steps, a little less sharply "
        f"than at lr 0.05 ({_trained_previous_share(0.05):.2f})."
    ),
    "train(task, steps=300, lr=0.01, seed=0), then previous_token_share of its last weights (trajectory.weights[-1]).",
    mistakes=lambda want: [
        (1 / 8, "that is what an untrained, uniform head would give (1/8); take the trained weights."),
        (_trained_previous_share(0.05), "that is the run at lr 0.05 above; train again with lr=0.01."),
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

_OTHER_PAIR = ("the bank raised its interest rates", "we walked along the bank of the river")  # 11.2's sentences


@functools.lru_cache(maxsize=1)
def _other_pair_cosines():
    from ..minilm import cosine_by_layer

    model = _model()
    return cosine_by_layer(*(model.encode(s) for s in _OTHER_PAIR), "bank")


routine(
    "11.2",
    "number",
    lambda: float(_other_pair_cosines()[-1]),
    lambda want: (
        f"{want:.3f}, from {_other_pair_cosines()[0]:.3f} at the input (not 1.000: the two banks stand at "
        "different positions): the two senses drift apart here too."
    ),
    "encode both sentences, then minilm.cosine_by_layer(a, b, 'bank') and take the last entry.",
    mistakes=lambda want: [
        (
            float(_other_pair_cosines()[0]),
            "that is the cosine of the input embeddings; take the last layer (hidden_states[-1]).",
        ),
        (float(_bank_cosines()[-1]), "that is notebook 11's pair (0.760); encode the question's two sentences."),
    ],
    atol=0.006,
)

_SHAPE_SENTENCE = "the river bank flooded"  # 11.3's sentence


def _attention_shape() -> tuple:
    model = _model()
    n = len(model.tokenizer.tokenize(_SHAPE_SENTENCE))
    return (model.config.n_layers, model.config.n_heads, n, n)


routine(
    "11.3",
    "shape",
    _attention_shape,
    lambda want: (
        f"{want}: (layers, heads, tokens, tokens), with [CLS] and [SEP] among the {want[-1]} tokens: "
        "one weights matrix per head per layer."
    ),
    "(n_layers, n_heads, n_tokens, n_tokens); count the tokens with model.tokenizer.tokenize.",
    mistakes=lambda want: [
        (want[:2] + (want[2] - 2, want[3] - 2), "count [CLS] and [SEP] too: the model sees them as tokens."),
        (want[1:], "that is one layer; there are 6."),
        ((want[1], want[0]) + want[2:], "layers first, then heads: (n_layers, n_heads, n, n)."),
    ],
)


# ---------------------------------------------------------------- 12 inside a real transformer
@functools.lru_cache(maxsize=1)
def _head_profile():
    from .. import minilm

    model = _model()
    return minilm.head_profile([model.encode(s) for s in minilm.HEAD_SENTENCES])


def _head_types():
    from .. import minilm

    return minilm.head_types(_head_profile())[0]


def _top_head(kind: str) -> tuple:
    share = _head_profile()[kind]
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(share)), share.shape))


routine(
    "12.2",
    "shape",
    lambda: _top_head("same word"),
    lambda want: (
        f"layer {want[0]}, head {want[1]}: {_head_profile()['same word'][want]:.2f} of a repeated word's attention "
        f"goes to its twin, the most of any head, though its type is '{_head_types()[want]}' (its sink share is "
        "larger)."
    ),
    "take profile['same word'] (a 6 x 12 array) and find where it is largest: "
    "np.unravel_index(np.argmax(a), a.shape); answer (layer, head).",
    mistakes=lambda want: [
        ((0, 2), "layer 0, head 2 is the previous-token head; the question asks about the same word elsewhere."),
        (_top_head("next"), "that head looks at the next token; the question asks about the same word elsewhere."),
        (want[::-1], "the order is (layer, head): the row of the map first, then the column."),
    ],
)


def _bank_last_layer_change() -> float:
    from .. import minilm

    a, b = (_model().encode(s, ablate=[(0, 2)]) for s in minilm.BANK_PAIR)
    return float(minilm.cosine_by_layer(a, b, "bank")[-1] - _bank_cosines()[-1])


def _bank_change_without_previous_heads() -> float:
    from .. import minilm

    model = _model()
    previous = [tuple(int(v) for v in lh) for lh in np.argwhere(_head_types() == "previous")]
    a, b = (model.encode(s, ablate=previous) for s in minilm.BANK_PAIR)
    return float(minilm.cosine_by_layer(a, b, "bank")[1] - _bank_cosines()[1])  # after layer 0, the head's own


routine(
    "12.3",
    "number",
    _bank_change_without_previous_heads,
    "{want:+.3f}: without the previous-token head, the banks' cosine right after layer 0 changes by that much.",
    "encode both sentences with ablate=[the previous-token heads], take the cosine of the banks after layer 0 "
    "(cosine_by_layer(...)[1]), and subtract the same with every head.",
    mistakes=lambda want: [
        (
            _bank_cosines()[1] + want,
            "that is the new cosine itself; the question asks for the change (new minus the cosine with every head).",
        ),
        (
            float(_bank_last_layer_change()),
            "that is the change at the last layer; the question asks right after layer 0, where the head is.",
        ),
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
    lambda: "a",  # the letter of the right statement in the question
    "with top-k 1 only the most likely character is kept, and the softmax of one logit is 1 at any temperature.",
    "top-k runs before the draw: with k = 1, how many characters are left for the temperature to spread weight over?",
    mistakes=lambda want: [
        ("b", "that is what the temperature does with more characters kept; top-k 1 keeps a single one."),
        ("c", "the least likely characters are cut off by top-k before the temperature is applied."),
    ],
)


# ---------------------------------------------------------------- 15 generating fast
_LLAMA2_13B = {"n_layers": 40, "n_kv_heads": 40, "d_head": 128}  # its config.json: 40 layers, 40 heads of 128
_TOKENS, _BYTES = 4096, 2  # the question's tokens, and fp16
routine(
    "15.2",
    "number",
    lambda: 2 * _LLAMA2_13B["n_layers"] * _LLAMA2_13B["n_kv_heads"] * _LLAMA2_13B["d_head"] * _TOKENS * _BYTES / 2**30,
    "{want:.3f} GiB: 2 (keys and values) x 40 layers x 40 heads x 128 x 4096 tokens x 2 bytes.",
    "2 * n_layers * n_kv_heads * d_head * n_tokens * bytes_per_number, then divide by 2**30 for GiB.",
    mistakes=lambda want: [
        (want / 2, "that counts the keys or the values; the cache holds both: times 2."),
        (want * 2**30 / 1e9, "that is in GB (10**9 bytes); a GiB is 2**30 bytes."),
        (want / 2 * 4, "that counts 4 bytes per number; 16-bit numbers take 2."),
    ],
    rtol=0.01,
)
_MISTRAL = {"n_heads": 32, "n_kv_heads": 8, "window": 4096}  # Mistral 7B v0.1's config.json
_TEXT = 16384  # the question's text, in tokens
routine(
    "15.3",
    "number",
    lambda: (_MISTRAL["n_heads"] / _MISTRAL["n_kv_heads"]) * (_TEXT / _MISTRAL["window"]),
    "{want:.0f}: 4 times fewer heads (32 / 8) times 4 times fewer tokens (16,384 / 4,096).",
    "two savings multiply: n_heads / n_kv_heads for the shared heads, and text length / window for the tokens kept.",
    mistakes=lambda want: [
        (4, "that is one of the two savings; the cache has both fewer heads and fewer tokens: multiply them."),
        (8, "that adds the two savings (4 + 4); each one divides the cache, so they multiply."),
        (1 / want, "that is the fraction left (1/16); the question asks how many times smaller."),
    ],
    atol=1e-9,
)
