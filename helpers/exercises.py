"""Self-checks for the exercises: ``check_exercise("02.1", answer)`` says correct or gives a hint.

Each checker recomputes the right answer with the tested helpers (nothing is hard-coded) and
returns a Feedback that prints as one line. Exercises are numbered "NN.k" by notebook.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
)
from .checks import as_float_array
from .embeddings import load_glove, toy_vectors
from .experiments import dot_product_variance


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


def _number(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise TypeError("the answer should be a number")
    return float(answer)


def _array(answer, shape):
    arr = as_float_array(answer, "your answer", min_ndim=len(shape))
    if arr.shape != shape:
        raise ValueError(f"the answer should have shape {shape}, yours has shape {arr.shape}")
    return arr


def _ex_01_1(answer):
    g = load_glove()
    want = float(cosine_similarity([g.vector("bank")], [g.vector("river")])[0, 0])
    got = _number(answer)
    if abs(got - want) <= 0.005:
        return True, f"cos(bank, river) = {want:.3f}: lower than cos(bank, money), so GloVe's bank leans to finance."
    if abs(got - float(g.vector("bank") @ g.vector("river"))) <= 0.01:
        return False, "that is the dot product; the cosine divides it by both lengths (use cosine_similarity)."
    return False, "compute cosine_similarity([glove.vector('bank')], [glove.vector('river')]) and round to 3 decimals."


def _ex_01_2(answer):
    g = load_glove()
    choices = ["money", "river", "water", "loan"]
    cos = cosine_similarity([g.vector("bank")], [g.vector(w) for w in choices])[0]
    want = choices[int(np.argmax(cos))]
    if not isinstance(answer, str):
        return False, "answer with one of the words as a string, e.g. 'water'."
    if answer.strip().lower() == want:
        return True, f"'{want}' ({cos.max():.3f}): the financial sense dominates bank's static vector."
    return False, "compare the cosines of 'bank' with each of the four words; pick the largest."


def _ex_02_1(answer):
    toy = toy_vectors()
    _, X = toy.embed("money bank grows")
    want = contextual_embeddings(X, [[0.2, 0.7, 0.1]])[0]
    got = _array(answer, want.shape)
    if np.allclose(got, want, atol=1e-6):
        return True, f"new bank = {np.round(want, 3).tolist()}: a mix, mostly bank, pulled towards money."
    if np.allclose(got, X[1]):
        return False, "that is the static bank; weight the three vectors by 0.2, 0.7 and 0.1 and add them."
    return False, "new bank = 0.2 * money + 0.7 * bank + 0.1 * grows, each a 4-number vector."


def _ex_02_2(answer):
    toy = toy_vectors()
    _, X = toy.embed("river bank flows")
    w = _array(answer, (3,))
    if (w < 0).any() or abs(w.sum() - 1) > 1e-6:
        return False, f"the weights must be >= 0 and sum to 1; yours sum to {w.sum():.3f}."
    new = contextual_embeddings(X, w[None, :])[0]
    if new[1] >= 0.5:
        return True, f"new bank's nature feature is {new[1]:.2f}: this bank is a river bank."
    return False, f"nature is only {new[1]:.2f}; give more weight to the word with the most 'nature'."


def _ex_03_1(answer):
    a = np.array([2.0, 1.0])
    b = _array(answer, (2,))
    length = float(np.linalg.norm(b))
    if abs(length - 1) > 0.01:
        return False, f"b must have length 1 (yours has {length:.3f}); divide by its length."
    best = float(np.linalg.norm(a))
    dot = float(dot_similarity(a[None], b[None])[0, 0])
    if dot >= best - 0.01:
        return True, f"a · b = {dot:.3f} = |a|: a unit vector scores highest when it points the same way as a."
    return False, f"a · b = {dot:.3f}, but {best:.3f} is possible: turn b towards a."


def _ex_03_2(answer):
    toy = toy_vectors()
    words, X = toy.embed("money bank river")
    S = dot_similarity(X)
    off = S - np.diag(np.full(len(words), np.inf))
    i, j = np.unravel_index(int(np.argmax(off)), S.shape)
    want = {words[i], words[j]}
    if not isinstance(answer, (tuple, list, set)) or len(answer) != 2:
        return False, "answer with two words, e.g. ('money', 'river')."
    if {str(w).lower() for w in answer} == want:
        return True, f"{words[i]} · {words[j]} = {S[i, j]:.2f} is the largest off-diagonal entry."
    return False, "look at the heatmap of X @ X.T without the diagonal (a word with itself)."


def _ex_04_1(answer):
    toy = toy_vectors()
    _, X = toy.embed("river bank flows")
    want = float(softmax(dot_similarity(X))[1, 0])
    got = _number(answer)
    if abs(got - want) <= 0.005:
        return True, f"bank gives {want:.3f} of its attention to river."
    return False, "compute weights = softmax(X @ X.T) and read row 'bank', column 'river'."


def _ex_04_2(answer):
    toy = toy_vectors()
    _, X = toy.embed("river bank flows")
    t = _number(answer)
    if t <= 0:
        return False, "a temperature must be > 0."
    w = float(softmax(dot_similarity(X), temperature=t)[1, 1])
    if w >= 0.9:
        return True, f"at temperature {t:g}, bank keeps {w:.3f} for itself: a low temperature sharpens the weights."
    return False, f"at temperature {t:g} bank keeps only {w:.3f} for itself; try a smaller temperature."


def _ex_04_3(answer):
    if not isinstance(answer, str):
        return False, "answer with a letter, 'a', 'b' or 'c'."
    if answer.strip().lower() == "b":
        return True, "the weights depend only on the fixed embeddings: there is nothing to learn yet."
    return False, "ask what would change if training wanted bank to look more at river: which number could move?"


def _shape(answer):
    if not isinstance(answer, (tuple, list)) or not all(isinstance(a, (int, np.integer)) for a in answer):
        raise TypeError("answer with a shape: a tuple of whole numbers, e.g. (2, 3)")
    return tuple(int(a) for a in answer)


def _ex_05_1(answer):
    want = (np.zeros((5, 8)) @ np.zeros((8, 3))).shape
    got = _shape(answer)
    if got == want:
        return True, "(n, d_model) @ (d_model, d_k) -> (n, d_k): one query of d_k numbers per word."
    if got == (8, 3) or got == (3, 5):
        return False, "X @ W_q keeps X's rows (one per word) and W_q's columns."
    return False, "in A @ B the result has A's number of rows and B's number of columns."


def _ex_05_2(answer):
    toy = toy_vectors()
    _, X = toy.embed(["money", "bank", "river"])
    X2 = X[:, :2]
    W_q = _array(answer, (2, 2))
    _, w = scaled_dot_product_attention(X2 @ W_q, X2, X2)
    bank = w[1]
    if bank[2] > bank[0]:
        return True, f"bank now gives river {bank[2]:.2f} and money {bank[0]:.2f}: W_q changed what bank looks for."
    return False, f"bank gives money {bank[0]:.2f} and river {bank[2]:.2f}; make bank's query point towards nature (the 2nd feature)."


def _ex_06_1(answer):
    want = float(dot_product_variance([64], n_samples=50_000, seed=1)[0])
    got = _number(answer)
    if abs(got - 64) <= 0.1 * 64:
        return True, f"about 64 (measured {want:.1f}): the variance of q . k equals d_k, so the spread grows as sqrt(d_k)."
    if abs(got - 8) <= 0.8:
        return False, "8 is the standard deviation (the spread); the question asks for the variance."
    return False, "each of the d_k products q_i k_i has variance 1, and the variances of independent terms add up."


def _ex_06_2(answer):
    got = _number(answer)
    if abs(got - 256 ** -0.5) <= 1e-3:
        return True, "1/sqrt(256) = 0.0625: dividing by 16 is multiplying by 16 ** -1 = 256 ** -0.5."
    if abs(got - 16) <= 1e-6:
        return False, "16 = sqrt(256), but the scores are divided by it, not multiplied: multiplying makes saturation worse."
    return False, "the scale is 1 / sqrt(d_k)."


def _ex_07_1(answer):
    want = int(causal_mask(6).sum())
    got = _number(answer)
    if got == want:
        return True, f"{want} = 6 * 7 / 2: word i sees i + 1 words (itself and those before it)."
    if got == 15:
        return False, "15 leaves out the diagonal; a word may always see itself."
    return False, "count the True entries on and below the diagonal of a 6 x 6 matrix."


def _ex_07_2(answer):
    want = padding_mask([3, 1], 3)
    got = np.asarray(answer)
    if got.dtype != np.bool_:
        return False, "a mask is boolean: True = a real word that may be seen, False = padding."
    if got.shape in ((2, 3), (2, 1, 3)) and np.array_equal(got.reshape(2, 1, 3), want):
        return True, "sentence 0 shows all 3 keys, sentence 1 only its first."
    return False, "row i is True for the first lengths[i] positions and False after them."


def _ex_08_1(answer):
    got = _number(answer)
    if got == 512 // 8:
        return True, "d_head = d_model // n_heads = 64 features per head; the 8 heads together have 512 again."
    return False, "split the d_model features evenly between the heads."


def _ex_08_2(answer):
    X = np.zeros((2, 7, 8))
    W = np.eye(8)
    want = multi_head_attention(X, W, W, W, W, n_heads=4)[1].shape
    got = _shape(answer)
    if got == want:
        return True, "(batch, n_heads, n, n): one n x n weights matrix per head and per sentence."
    if got == (2, 7, 7):
        return False, "every head has its own weights: there is one more axis."
    return False, "the weights are (batch, n_heads, n_queries, n_keys)."


def _ex_08_3(answer):
    got = _number(answer)
    want = 4 * 512 * 512
    if got == want:
        return True, "4 * 512 * 512 = 1,048,576, whatever n_heads is: heads split the features, they do not add parameters."
    if got == 4 * 512 * 64:
        return False, "each W is (d_model, d_model) = (512, 512), not per head: the heads share it as column blocks."
    return False, "W_q, W_k, W_v and W_o are each (d_model, d_model)."


def _model():
    from . import minilm  # imported here: only the notebook 09 exercises need the model

    return minilm, minilm.load()


def _ex_09_1(answer):
    _, model = _model()
    want = len(model.tokenizer.tokenize("tokenization"))
    got = _number(answer)
    if got == want:
        return True, f"{want}: [CLS], token, ##ization, [SEP]."
    if got == want - 2:
        return False, "count [CLS] and [SEP] too."
    return False, "run model.tokenizer.tokenize('tokenization') and count the tokens."


def _ex_09_2(answer):
    minilm, model = _model()
    a, b = model.encode("i deposited cash at the bank"), model.encode("we sat on the river bank")
    want = float(minilm.cosine_by_layer(a, b, "bank")[-1])
    got = _number(answer)
    if abs(got - want) <= 0.006:
        return True, f"{want:.3f}: far from the 1.000 they started with."
    if abs(got - 1.0) <= 0.006:
        return False, "1.0 is the cosine of the input embeddings; take the last layer (hidden_states[-1])."
    return False, "use minilm.cosine_by_layer(a, b, 'bank') and take the last entry."


def _ex_09_3(answer):
    got = _shape(answer)
    want = (6, 12, 8, 8)
    if got == want:
        return True, "(layers, heads, tokens, tokens): one 8 x 8 weights matrix per head per layer."
    if got == (12, 8, 8):
        return False, "that is one layer; there are 6."
    return False, "(n_layers, n_heads, n_tokens, n_tokens)."


def _ex_10_1(answer):
    want = 8192 * 8192 * np.dtype(np.float32).itemsize
    got = _number(answer)
    if got == want:
        return True, f"{want:,} bytes = 256 MiB for one matrix, per head, per layer."
    if got == 8192 * 8192:
        return False, "that counts numbers; each float32 number takes 4 bytes."
    return False, "n * n numbers of 4 bytes each."


def _ex_10_2(answer):
    want = float(online_softmax_steps(np.array([2.0, 5.0]), np.eye(2), block_size=1)[1]["rescale"])
    got = _number(answer)
    if abs(got - want) <= 5e-4:
        return True, f"exp(2 - 5) = {want:.4f}: the old terms shrink because the new maximum is larger."
    if abs(got - np.exp(3.0)) <= 0.05:
        return False, "that is exp(5 - 2); the old terms must shrink, not grow: exp(m_old - m_new)."
    return False, "the factor is exp(m_old - m_new)."


CHECKS = {
    "01.1": _ex_01_1,
    "01.2": _ex_01_2,
    "02.1": _ex_02_1,
    "02.2": _ex_02_2,
    "03.1": _ex_03_1,
    "03.2": _ex_03_2,
    "04.1": _ex_04_1,
    "04.2": _ex_04_2,
    "04.3": _ex_04_3,
    "05.1": _ex_05_1,
    "05.2": _ex_05_2,
    "06.1": _ex_06_1,
    "06.2": _ex_06_2,
    "07.1": _ex_07_1,
    "07.2": _ex_07_2,
    "08.1": _ex_08_1,
    "08.2": _ex_08_2,
    "08.3": _ex_08_3,
    "09.1": _ex_09_1,
    "09.2": _ex_09_2,
    "09.3": _ex_09_3,
    "10.1": _ex_10_1,
    "10.2": _ex_10_2,
}


def check_exercise(exercise: str, answer) -> Feedback:
    """Check an answer; a wrong or missing one gets a hint, never a traceback. (str, answer) -> Feedback"""
    if exercise not in CHECKS:
        raise KeyError(f"no exercise '{exercise}'; known: {', '.join(CHECKS)}")
    if answer is None or answer is Ellipsis:
        return Feedback(exercise, False, "replace ... with your answer, then run the cell again.")
    try:
        ok, message = CHECKS[exercise](answer)
    except (TypeError, ValueError) as exc:
        return Feedback(exercise, False, f"{exc}.")
    return Feedback(exercise, bool(ok), message)
