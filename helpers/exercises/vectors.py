"""Exercises on static vectors, weighted sums and dot products: each recomputes its answer with the helpers."""

from __future__ import annotations

import numpy as np

from ..attention import contextual_embeddings, cosine_similarity, dot_similarity
from ..embeddings import load_glove, toy_vectors
from .registry import MalformedAnswer, exercise, read_array, routine


# ---------------------------------------------------------------- 01 static embeddings
def _glove_cos(a: str, b: str) -> float:
    g = load_glove()
    return float(cosine_similarity([g.vector(a)], [g.vector(b)])[0, 0])


def _glove_dot(a: str, b: str) -> float:
    g = load_glove()
    return float(dot_similarity([g.vector(a)], [g.vector(b)])[0, 0])


routine(
    "01.1",
    "number",
    lambda: _glove_cos("bank", "shore"),
    lambda want: (
        f"cos(bank, shore) = {want:.3f}: higher than cos(bank, river) = {_glove_cos('bank', 'river'):.3f}, yet lower "
        f"than cos(bank, money) = {_glove_cos('bank', 'money'):.3f}: the river sense is in the vector, weaker."
    ),
    "compute cosine_similarity([glove.vector('bank')], [glove.vector('shore')]) and round to 3 decimals.",
    mistakes=lambda want: [
        (
            _glove_dot("bank", "shore"),
            "that is the dot product; the cosine divides it by both lengths (use cosine_similarity).",
        ),
        (_glove_cos("bank", "river"), "that is cos(bank, river), printed above; the question asks for shore."),
    ],
    atol=0.005,
)

_BANK_NEIGHBOURS = ("money", "river", "water", "loan")  # the words the question offers
routine(
    "01.2",
    "choice",
    lambda: max(_BANK_NEIGHBOURS, key=lambda w: _glove_cos("bank", w)),
    lambda want: f"'{want}' ({_glove_cos('bank', want):.3f}): the financial sense dominates bank's static vector.",
    "compare the cosines of 'bank' with each of the four words; pick the largest.",
)


# ---------------------------------------------------------------- 02 contextual embeddings
_RIVER_WEIGHTS = [0.1, 0.6, 0.3]  # the question's weights for river, bank, flows


@exercise("02.1")
def _new_bank_vector(answer):
    _, X = toy_vectors().embed("river bank flows")
    want = contextual_embeddings(X, [_RIVER_WEIGHTS])[0]
    got = read_array(answer, want.shape)
    if np.allclose(got, want, atol=1e-6):
        return True, (
            f"new bank = {np.round(want, 3).tolist()}: more nature ({want[1]:.2f}) than the static bank's "
            f"{X[1, 1]:.2f}, pulled towards river."
        )
    if np.allclose(got, X[1]):
        return False, "that is the static bank; weight the three vectors by 0.1, 0.6 and 0.3 and add them."
    _, X_money = toy_vectors().embed("money bank grows")
    if np.allclose(got, contextual_embeddings(X_money, [_RIVER_WEIGHTS])[0], atol=1e-6):
        return False, "that mixes the money sentence; the question's sentence is 'river bank flows'."
    return False, "new bank = 0.1 * river + 0.6 * bank + 0.3 * flows, each a 4-number vector."


@exercise("02.2")
def _river_bank_weights(answer):
    words, X = toy_vectors().embed("river bank flows")
    w = read_array(answer, (len(words),))
    if (w < 0).any() or abs(w.sum() - 1) > 1e-6:
        return False, f"the weights must be >= 0 and sum to 1; yours sum to {w.sum():.3f}."
    new = contextual_embeddings(X, w[None, :])[0]
    nature = 1  # the toy table's feature "nature"
    if new[nature] >= 0.5:  # the question's threshold for "a river bank"
        return True, f"new bank's nature feature is {new[nature]:.2f}: this bank is a river bank."
    return False, f"nature is only {new[nature]:.2f}; give more weight to the word with the most 'nature'."


# ---------------------------------------------------------------- 03 dot product
_VECTOR_A = np.array([2.0, 1.0])  # the vector a of the question


@exercise("03.1")
def _best_unit_vector(answer):
    b = read_array(answer, _VECTOR_A.shape)
    length = float(np.linalg.norm(b))
    if abs(length - 1) > 0.01:
        return False, f"b must have length 1 (yours has {length:.3f}); divide by its length."
    best = float(np.linalg.norm(_VECTOR_A))  # a . b <= |a| |b| = |a|, with equality when b points along a
    dot = float(dot_similarity(_VECTOR_A[None], b[None])[0, 0])
    if dot >= best - 0.01:
        return True, f"a · b = {dot:.3f} = |a|: a unit vector scores highest when it points the same way as a."
    return False, f"a · b = {dot:.3f}, but {best:.3f} is possible: turn b towards a."


@exercise("03.2")
def _most_similar_pair(answer):
    words, X = toy_vectors().embed("money bank river")
    S = dot_similarity(X)
    off = S - np.diag(np.full(len(words), np.inf))
    i, j = np.unravel_index(int(np.argmax(off)), S.shape)
    if not isinstance(answer, (tuple, list, set)) or len(answer) != 2:
        raise MalformedAnswer("answer with two words, e.g. ('money', 'river')")
    if {str(w).lower() for w in answer} == {words[i], words[j]}:
        return True, f"{words[i]} · {words[j]} = {S[i, j]:.2f} is the largest off-diagonal entry."
    return False, "look at the heatmap of X @ X.T without the diagonal (a word with itself)."
