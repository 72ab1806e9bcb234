"""The toy table, the shipped GloVe subset, the tokenizer and the unknown-word errors."""

import numpy as np
import pytest

import helpers as h
from helpers.embeddings import UnknownWordError, tokenize


def test_toy_bank_is_the_articles_vector(toy):
    assert toy.vector("bank").tolist() == [0.6, 0.2, 0.1, 0.7]


def test_static_vector_ignores_the_sentence(toy):
    w1, X1 = toy.embed("money bank grows")
    w2, X2 = toy.embed("river bank flows")
    assert w1[1] == w2[1] == "bank"
    np.testing.assert_array_equal(X1[1], X2[1])


def test_glove_subset_is_stanfords(glove):
    assert len(glove.words) == 20_000 and glove.vectors.shape == (20_000, 50)
    assert glove.words[0] == "the"
    np.testing.assert_allclose(glove.vector("the")[:3], [0.418, 0.24968, -0.41242], atol=2e-3)  # float16


def test_glove_cosines_match_the_full_table(glove):
    bank, money, river = (glove.vector(w) for w in ("bank", "money", "river"))
    cos = h.cosine_similarity([bank, money], [money, river])
    # measured on the full float32 table: bank~money 0.636, bank~river 0.414, money~river 0.367
    np.testing.assert_allclose([cos[0, 0], cos[0, 1], cos[1, 1]], [0.636, 0.414, 0.367], atol=2e-3)


def test_bank_neighbours_are_financial(glove):
    near = [w for w, _ in glove.nearest("bank", 10)]
    assert "bank" not in near
    assert {"banks", "banking", "financial"} <= set(near)
    assert "river" not in near
    cosines = [c for _, c in glove.nearest("bank", 10)]
    assert cosines == sorted(cosines, reverse=True)


def test_nearest_matches_a_loop(toy):
    v = toy.vector("bank")
    expected = sorted(
        (
            (w, float(np.dot(v, toy.vector(w)) / np.linalg.norm(v) / np.linalg.norm(toy.vector(w))))
            for w in toy.words
            if w != "bank"
        ),
        key=lambda p: -p[1],
    )[:3]
    got = toy.nearest("bank", 3)
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([c for _, c in got], [c for _, c in expected])


def test_unknown_word_suggests_close_words(glove):
    with pytest.raises(UnknownWordError, match="bnak.*Did you mean.*bank") as info:
        glove.vector("bnak")
    assert "bank" in info.value.suggestions
    assert isinstance(info.value, ValueError)


def test_unknown_word_without_suggestions(toy):
    with pytest.raises(UnknownWordError, match="not in the vocabulary") as info:
        toy.embed("money zzzzzzzz")
    assert info.value.suggestions == []


@pytest.mark.parametrize(
    "text, words",
    [("The river-bank, flows!", ["the", "river", "bank", "flows"]), ("It's 2 banks", ["it's", "2", "banks"])],
)
def test_tokenize(text, words):
    assert tokenize(text) == words


@pytest.mark.parametrize("text, err", [("", ValueError), ("  ?! ", ValueError), (None, TypeError), (3, TypeError)])
def test_tokenize_bad_input(text, err):
    with pytest.raises(err, match="empty|text"):
        tokenize(text)


def test_vector_is_a_copy(toy):
    v = toy.vector("bank")
    v[:] = 0
    assert toy.vector("bank").tolist() == [0.6, 0.2, 0.1, 0.7]


def test_cosine_similarity_against_loops_and_zero_vector():
    A = np.array([[3.0, 4.0], [1.0, 0.0]])
    B = np.array([[4.0, 3.0], [0.0, -2.0]])
    expected = [[(3 * 4 + 4 * 3) / 25, -8 / 10], [4 / 5, 0.0]]
    np.testing.assert_allclose(h.cosine_similarity(A, B), expected)
    with pytest.raises(ValueError, match="zero vector"):
        h.cosine_similarity(A, [[0.0, 0.0]])


def test_a_zero_width_character_inside_a_word_is_dropped_as_the_model_does():
    assert tokenize("the ba\u200bnk") == ["the", "bank"]
    assert tokenize("river\u2060bank") == ["riverbank"]
