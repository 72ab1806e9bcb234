"""Self-checks for the exercises: ``check_exercise("02.1", answer)`` says correct or gives a hint (introduced in 00).

Every checker registers itself under its id ("NN.k", by notebook): routine ones (a number, a
shape, a choice) as a row of ``_routine``, the rest with the ``@exercise`` decorator. Each
recomputes the right answer with the tested helpers; where a literal stands, a comment says
why it is the definition. A checker raises ``MalformedAnswer`` when the answer is not of the
form asked for; that becomes a hint. Anything else a checker raises is a bug in the checker.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import implement
from .attention import (
    causal_mask,
    contextual_embeddings,
    cosine_similarity,
    dot_similarity,
    multi_head_attention,
    online_softmax_steps,
    padding_mask,
    scaled_dot_product_attention,
    softmax,
    split_heads,
)
from .checks import MalformedAnswer, as_float_array
from .embeddings import load_glove, toy_vectors
from .experiments import dot_product_variance
from .positions import apply_rope
from .steps import random_projections


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ok, and a message (a hint when not ok)."""

    exercise: str
    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        mark = "Correct" if self.ok else "Not yet"
        return f"Exercise {self.exercise}: {mark}. {self.message}"


Checker = Callable[[object], tuple[bool, str]]
_CHECKERS: dict[str, Checker] = {}


def exercise(exercise_id: str) -> Callable[[Checker], Checker]:
    """Register a checker under an id "NN.k": answer -> (ok, message). str -> decorator"""

    def register(checker: Checker) -> Checker:
        if exercise_id in _CHECKERS:
            raise RuntimeError(f"exercise {exercise_id} is registered twice.")
        _CHECKERS[exercise_id] = checker
        return checker

    return register


def exercise_ids() -> list[str]:
    """Every registered exercise id, in the order of the series. () -> [str]"""
    return sorted(_CHECKERS, key=lambda key: tuple(int(part) for part in key.split(".")))


# ---------------------------------------------------------------- reading an answer
def _number(answer) -> float:
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise MalformedAnswer("the answer should be a number")
    try:
        return float(answer)
    except OverflowError:
        raise MalformedAnswer("that number is too large to be the answer") from None


def _shape(answer) -> tuple:
    if not isinstance(answer, (tuple, list)) or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in answer
    ):
        raise MalformedAnswer("answer with a shape: a tuple of whole numbers, e.g. (2, 3)")
    return tuple(int(a) for a in answer)


def _choice(answer) -> str:
    if not isinstance(answer, str):
        raise MalformedAnswer("answer with one of the choices as a string, e.g. 'a'")
    return answer.strip().lower()


def _array(answer, shape: tuple) -> np.ndarray:
    try:
        arr = as_float_array(answer, "your answer", min_ndim=len(shape))
    except (TypeError, ValueError) as exc:
        raise MalformedAnswer(str(exc).rstrip(".")) from None
    if arr.shape != shape:
        raise MalformedAnswer(f"the answer should have shape {shape}, yours has shape {arr.shape}")
    return arr


_READERS = {"number": _number, "shape": _shape, "choice": _choice}


def _routine(exercise_id, kind, want, right, hint, mistakes=lambda want: (), atol=0.0, rtol=0.0) -> None:
    """Register a check of one number, shape or choice: want() computes the answer, mistakes(want) lists (wrong answer, its hint)."""
    read = _READERS[kind]

    def same(got, target) -> bool:
        if kind == "number":
            return math.isfinite(got) and abs(got - target) <= atol + rtol * abs(target)
        return got == target

    @exercise(exercise_id)
    def check(answer):
        got, target = read(answer), want()
        if same(got, target):
            return True, right(target) if callable(right) else right.format(want=target)
        for wrong, why in mistakes(target):
            if same(got, wrong):
                return False, why
        return False, hint


@functools.lru_cache(maxsize=1)
def _model():
    from . import minilm  # imported here: only the notebook 11 exercises need the model

    return minilm.load()


def _bank_cosines():
    from .minilm import cosine_by_layer

    model = _model()
    return cosine_by_layer(
        model.encode("i deposited cash at the bank"), model.encode("we sat on the river bank"), "bank"
    )


# ---------------------------------------------------------------- 01 static embeddings
def _glove_cos(a: str, b: str) -> float:
    g = load_glove()
    return float(cosine_similarity([g.vector(a)], [g.vector(b)])[0, 0])


def _glove_dot(a: str, b: str) -> float:
    g = load_glove()
    return float(dot_similarity([g.vector(a)], [g.vector(b)])[0, 0])


_routine(
    "01.1",
    "number",
    lambda: _glove_cos("bank", "river"),
    "cos(bank, river) = {want:.3f}: lower than cos(bank, money), so GloVe's bank leans to finance.",
    "compute cosine_similarity([glove.vector('bank')], [glove.vector('river')]) and round to 3 decimals.",
    mistakes=lambda want: [
        (
            _glove_dot("bank", "river"),
            "that is the dot product; the cosine divides it by both lengths (use cosine_similarity).",
        )
    ],
    atol=0.005,
)

_CHOICES_01_2 = ("money", "river", "water", "loan")  # the words the question offers
_routine(
    "01.2",
    "choice",
    lambda: max(_CHOICES_01_2, key=lambda w: _glove_cos("bank", w)),
    lambda want: f"'{want}' ({_glove_cos('bank', want):.3f}): the financial sense dominates bank's static vector.",
    "compare the cosines of 'bank' with each of the four words; pick the largest.",
)


# ---------------------------------------------------------------- 02 contextual embeddings
@exercise("02.1")
def _ex_02_1(answer):
    _, X = toy_vectors().embed("money bank grows")
    want = contextual_embeddings(X, [[0.2, 0.7, 0.1]])[0]  # the weights the question gives
    got = _array(answer, want.shape)
    if np.allclose(got, want, atol=1e-6):
        return True, f"new bank = {np.round(want, 3).tolist()}: a mix, mostly bank, pulled towards money."
    if np.allclose(got, X[1]):
        return False, "that is the static bank; weight the three vectors by 0.2, 0.7 and 0.1 and add them."
    return False, "new bank = 0.2 * money + 0.7 * bank + 0.1 * grows, each a 4-number vector."


@exercise("02.2")
def _ex_02_2(answer):
    words, X = toy_vectors().embed("river bank flows")
    w = _array(answer, (len(words),))
    if (w < 0).any() or abs(w.sum() - 1) > 1e-6:
        return False, f"the weights must be >= 0 and sum to 1; yours sum to {w.sum():.3f}."
    new = contextual_embeddings(X, w[None, :])[0]
    nature = 1  # the toy table's feature "nature"
    if new[nature] >= 0.5:  # the question's threshold for "a river bank"
        return True, f"new bank's nature feature is {new[nature]:.2f}: this bank is a river bank."
    return False, f"nature is only {new[nature]:.2f}; give more weight to the word with the most 'nature'."


# ---------------------------------------------------------------- 03 dot product
_A_03 = np.array([2.0, 1.0])  # the vector a of the question


@exercise("03.1")
def _ex_03_1(answer):
    b = _array(answer, _A_03.shape)
    length = float(np.linalg.norm(b))
    if abs(length - 1) > 0.01:
        return False, f"b must have length 1 (yours has {length:.3f}); divide by its length."
    best = float(np.linalg.norm(_A_03))  # a . b <= |a| |b| = |a|, with equality when b points along a
    dot = float(dot_similarity(_A_03[None], b[None])[0, 0])
    if dot >= best - 0.01:
        return True, f"a · b = {dot:.3f} = |a|: a unit vector scores highest when it points the same way as a."
    return False, f"a · b = {dot:.3f}, but {best:.3f} is possible: turn b towards a."


@exercise("03.2")
def _ex_03_2(answer):
    words, X = toy_vectors().embed("money bank river")
    S = dot_similarity(X)
    off = S - np.diag(np.full(len(words), np.inf))
    i, j = np.unravel_index(int(np.argmax(off)), S.shape)
    if not isinstance(answer, (tuple, list, set)) or len(answer) != 2:
        raise MalformedAnswer("answer with two words, e.g. ('money', 'river')")
    if {str(w).lower() for w in answer} == {words[i], words[j]}:
        return True, f"{words[i]} · {words[j]} = {S[i, j]:.2f} is the largest off-diagonal entry."
    return False, "look at the heatmap of X @ X.T without the diagonal (a word with itself)."


# ---------------------------------------------------------------- 04 self-attention
def _toy_scores(sentence: str) -> np.ndarray:
    return dot_similarity(toy_vectors().embed(sentence)[1])


_routine(
    "04.1",
    "number",
    lambda: float(softmax(_toy_scores("river bank flows"))[1, 0]),
    "bank gives {want:.3f} of its attention to river.",
    "compute weights = softmax(X @ X.T) and read row 'bank', column 'river'.",
    atol=0.005,
)


@exercise("04.2")
def _ex_04_2(answer):
    t = _number(answer)
    if not (math.isfinite(t) and t > 0):
        return False, "a temperature must be a finite number > 0."
    w = float(softmax(_toy_scores("river bank flows"), temperature=t)[1, 1])
    if w >= 0.9:  # the question's threshold
        return True, f"at temperature {t:g}, bank keeps {w:.3f} for itself: a low temperature sharpens the weights."
    return False, f"at temperature {t:g} bank keeps only {w:.3f} for itself; try a smaller temperature."


_routine(
    "04.3",
    "choice",
    lambda: "b",  # the letter of the right statement in the question
    "the weights depend only on the fixed embeddings: there is nothing to learn yet.",
    "ask what would change if training wanted bank to look more at river: which number could move?",
)


# ---------------------------------------------------------------- 05 queries, keys, values
_X_05, _W_05 = np.zeros((5, 8)), np.zeros((8, 3))  # the shapes the question gives
_routine(
    "05.1",
    "shape",
    lambda: (_X_05 @ _W_05).shape,
    "(n, d_model) @ (d_model, d_k) -> (n, d_k): one query of d_k numbers per word.",
    "in A @ B the result has A's number of rows and B's number of columns.",
    mistakes=lambda want: [
        (_W_05.shape, "X @ W_q keeps X's rows (one per word) and W_q's columns."),
        (want[::-1], "X @ W_q keeps X's rows (one per word) and W_q's columns."),
    ],
)


@exercise("05.2")
def _ex_05_2(answer):
    words, X = toy_vectors().embed(["money", "bank", "river"])
    X2 = X[:, :2]
    W_q = _array(answer, (2, 2))
    _, w = scaled_dot_product_attention(X2 @ W_q, X2, X2)
    bank = dict(zip(words, w[words.index("bank")]))
    if bank["river"] > bank["money"]:
        return (
            True,
            f"bank now gives river {bank['river']:.2f} and money {bank['money']:.2f}: W_q changed what bank looks for.",
        )
    return (
        False,
        f"bank gives money {bank['money']:.2f} and river {bank['river']:.2f}; make bank's query point towards nature (the 2nd feature).",
    )


# ---------------------------------------------------------------- 06 word order
_Q_062, _K_062 = np.array([[1.0, 2.0, 0.5, -1.0]]), np.array([[0.5, -1.0, 2.0, 1.0]])  # the question's q and k


def _rope_score(m: int, n: int) -> float:
    return float((apply_rope(_Q_062, [m]) @ apply_rope(_K_062, [n]).T)[0, 0])


_routine(
    "06.2",
    "number",
    lambda: _rope_score(10, 8),
    "{want:.3f}: the same as at positions 3 and 1, because with rotary encoding a score depends only on the offset (here 2).",
    "rotate q by position 10 and k by position 8 (apply_rope(q, [10]), apply_rope(k, [8])) and take their dot product; or think about what stays the same.",
    mistakes=lambda want: [
        (
            float((_Q_062 @ _K_062.T)[0, 0]),
            "that is the score without any rotation; both vectors are rotated, by their own positions.",
        )
    ],
    atol=0.0015,
)


# ---------------------------------------------------------------- 07 scaling
_D_K_061 = 64  # the question's d_k; Var(q . k) = d_k for independent N(0, 1) entries, which the notebook measures
_routine(
    "07.1",
    "number",
    lambda: _D_K_061,
    lambda want: (
        f"about {want} (measured {dot_product_variance([want], n_samples=50_000, seed=1)[0]:.1f}): the variance of q . k equals d_k, so the spread grows as sqrt(d_k)."
    ),
    "each of the d_k products q_i k_i has variance 1, and the variances of independent terms add up.",
    mistakes=lambda want: [
        (math.sqrt(want), "that is the standard deviation (the spread); the question asks for the variance.")
    ],
    rtol=0.1,
)

_D_K_062 = 256  # the question's d_k
_routine(
    "07.2",
    "number",
    lambda: 1 / math.sqrt(_D_K_062),
    "1/sqrt(256) = {want}: dividing by 16 is multiplying by 16 ** -1 = 256 ** -0.5.",
    "the scale is 1 / sqrt(d_k).",
    mistakes=lambda want: [
        (
            1 / want,
            f"{1 / want:g} = sqrt(256), but the scores are divided by it, not multiplied: multiplying makes saturation worse.",
        )
    ],
    atol=1e-3,
)


# ---------------------------------------------------------------- 08 masks
_N_071 = 6  # the question's n
_routine(
    "08.1",
    "number",
    lambda: int(causal_mask(_N_071).sum()),
    "{want} = 6 * 7 / 2: word i sees i + 1 words (itself and those before it).",
    "count the True entries on and below the diagonal of a 6 x 6 matrix.",
    mistakes=lambda want: [(want - _N_071, f"{want - _N_071} leaves out the diagonal; a word may always see itself.")],
)


@exercise("08.2")
def _ex_07_2(answer):
    want = padding_mask([3, 1], 3)  # the lengths and n the question gives
    try:
        got = np.asarray(answer) if isinstance(answer, (list, tuple, np.ndarray)) else None
    except ValueError:
        raise MalformedAnswer("a mask is a rectangular array: every row as long as the others") from None
    if got is None or got.dtype != np.bool_:
        return False, "a mask is boolean: True = a real word that may be seen, False = padding."
    if got.size == want.size and np.array_equal(got.reshape(want.shape), want):
        return True, "sentence 0 shows all 3 keys, sentence 1 only its first."
    return False, "row i is True for the first lengths[i] positions and False after them."


# ---------------------------------------------------------------- 09 multi-head attention
_routine(
    "09.1",
    "number",
    lambda: split_heads(np.zeros((1, 512)), 8).shape[-1],  # the question's d_model and n_heads
    "d_head = d_model // n_heads = {want} features per head; the 8 heads together have 512 again.",
    "split the d_model features evenly between the heads.",
)

_X_082 = np.zeros((2, 7, 8))  # the question's batch of 2 sentences of 7 words; 4 heads
_routine(
    "09.2",
    "shape",
    lambda: multi_head_attention(_X_082, *[np.eye(8)] * 4, n_heads=4)[1].shape,
    "(batch, n_heads, n, n): one n x n weights matrix per head and per sentence.",
    "the weights are (batch, n_heads, n_queries, n_keys).",
    mistakes=lambda want: [(want[:1] + want[2:], "every head has its own weights: there is one more axis.")],
)

_routine(
    "09.3",
    "number",
    lambda: sum(W.size for W in random_projections(512)),
    "4 * 512 * 512 = {want:,}, whatever n_heads is: heads split the features, they do not add parameters.",
    "W_q, W_k, W_v and W_o are each (d_model, d_model).",
    mistakes=lambda want: [
        (want // 8, "each W is (d_model, d_model) = (512, 512), not per head: the heads share it as column blocks.")
    ],
)


# ---------------------------------------------------------------- 10 watch attention learn
@functools.lru_cache(maxsize=1)
def _trained_share_10_2() -> float:
    from .training import previous_token_share, previous_token_task, train

    return previous_token_share(train(previous_token_task(), steps=300).weights[-1])  # the notebook's training


_routine(
    "10.2",
    "number",
    _trained_share_10_2,
    "{want:.2f}: after 300 steps each word gives nearly all its attention to the word before it.",
    "read it off the trained weights: the mean of weights[t, t - 1] for t = 1 .. n - 1 (previous_token_share).",
    mistakes=lambda want: [
        (1 / 8, "that is what an untrained, uniform head would give (1/8); take the trained weights.")
    ],
    atol=0.006,
)


# ---------------------------------------------------------------- 11 a real transformer
_routine(
    "11.1",
    "number",
    lambda: len(_model().tokenizer.tokenize("tokenization")),
    lambda want: f"{want}: {', '.join(_model().tokenizer.tokenize('tokenization'))}.",
    "run model.tokenizer.tokenize('tokenization') and count the tokens.",
    mistakes=lambda want: [(want - 2, "count [CLS] and [SEP] too.")],
)

_routine(
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

_N_TOKENS_093 = 8  # the question's sentence length
_routine(
    "11.3",
    "shape",
    lambda: (_model().config.n_layers, _model().config.n_heads, _N_TOKENS_093, _N_TOKENS_093),
    "(layers, heads, tokens, tokens): one 8 x 8 weights matrix per head per layer.",
    "(n_layers, n_heads, n_tokens, n_tokens).",
    mistakes=lambda want: [(want[1:], "that is one layer; there are 6.")],
)


# ---------------------------------------------------------------- 12 inside a real transformer
HEAD_SENTENCES = (  # notebook 13's fixed set: both senses of bank, and words that repeat
    "i deposited cash at the bank",
    "the bank approved my loan",
    "he withdrew money from the bank",
    "we sat on the river bank",
    "the boat drifted to the muddy bank",
    "fish swim near the grassy bank",
    "the cat saw the other cat",
    "a dog met a dog",
)
BANK_PAIR = ("i deposited cash at the bank", "we sat on the river bank")


@functools.lru_cache(maxsize=1)
def _head_types():
    from . import minilm

    model = _model()
    return minilm.head_types(minilm.head_profile([model.encode(s) for s in HEAD_SENTENCES]))[0]


_routine(
    "12.2",
    "choice",
    lambda: str(_head_types()[0, 2]),  # layer 1, head 2 as notebook 11 counts them = (0, 2)
    "'{want}': in layer 1, head 2 nearly every token looks at the token just before it.",
    "look it up in the map of head types: row 0 (layer 1), column 2.",
)


def _bank_change_without_previous_heads() -> float:
    from . import minilm

    model = _model()
    previous = [tuple(int(v) for v in lh) for lh in np.argwhere(_head_types() == "previous")]
    a, b = (model.encode(s, ablate=previous) for s in BANK_PAIR)
    return float(minilm.cosine_by_layer(a, b, "bank")[-1] - _bank_cosines()[-1])


_routine(
    "12.3",
    "number",
    _bank_change_without_previous_heads,
    "{want:+.3f}: switching off the previous-token head changes the banks' last-layer cosine by that much.",
    "encode both sentences with ablate=[the previous-token heads], take the last-layer cosine of the banks, and subtract 0.760.",
    mistakes=lambda want: [
        (
            _bank_cosines()[-1] + want,
            "that is the new cosine itself; the question asks for the change (new minus 0.760).",
        )
    ],
    atol=0.0015,
)


# ---------------------------------------------------------------- 13 cost
_N_101 = 8192  # the question's n
_routine(
    "13.1",
    "number",
    lambda: _N_101 * _N_101 * np.dtype(np.float32).itemsize,
    "{want:,} bytes = 256 MiB for one matrix, per head, per layer.",
    "n * n numbers of 4 bytes each.",
    mistakes=lambda want: [(_N_101 * _N_101, "that counts numbers; each float32 number takes 4 bytes.")],
)

_routine(
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


# ---------------------------------------------------------------- implement-it: the answer is the learner's function
for _id, _checker in (
    ("04.4", implement.check_softmax),
    ("04.5", implement.check_self_attention),
    ("05.3", implement.check_scaled_attention),
    ("06.1", implement.check_positional_encoding),
    ("10.1", implement.check_softmax_backward),
    ("12.1", implement.check_layer_norm),
    ("08.3", implement.check_causal_mask),
    ("08.4", implement.check_masked_attention),
    ("09.4", implement.check_split_heads),
    ("09.5", implement.check_merge_heads),
    ("09.6", implement.check_multi_head_attention),
):
    exercise(_id)(_checker)


def check_exercise(exercise_id, answer) -> Feedback:
    """Check an answer; a wrong, missing or malformed one gets a hint, never a traceback. (str, answer) -> Feedback"""
    from .minilm import ModelFileError

    key = str(exercise_id) if isinstance(exercise_id, (str, int, float)) else repr(exercise_id)
    if not isinstance(exercise_id, str) or exercise_id not in _CHECKERS:
        return Feedback(key, False, f"there is no exercise {key!r}; the exercises are {', '.join(exercise_ids())}.")
    if answer is None or answer is Ellipsis:
        return Feedback(exercise_id, False, "replace ... with your answer, then run the cell again.")
    try:
        ok, message = _CHECKERS[exercise_id](answer)
    except MalformedAnswer as exc:
        return Feedback(exercise_id, False, str(exc).rstrip(".") + ".")
    except ModelFileError as exc:  # the model package is missing: say how to install it
        return Feedback(exercise_id, False, str(exc).replace("\n", " ").rstrip(".") + ".")
    return Feedback(exercise_id, bool(ok), message)
