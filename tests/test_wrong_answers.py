"""Every implement-it checker names realistic wrong answers and accepts right ones written another way.

The wrong answers come from held-out sets (tests/wrong_answers.py, tests/wrong_answers_fresh.py), written as learners
write them; each exercise has at least 8. A hint names the mistake when it holds one of the words listed with it.
"""

from collections import defaultdict

import numpy as np
import pytest

from helpers.exercises import check_exercise
from helpers.exercises.registry import exercise_ids
from tests.wrong_answers import RIGHT, WRONG
from tests.wrong_answers_eighth import EIGHTH, RIGHT_EIGHTH
from tests.wrong_answers_eleventh import ELEVENTH, RIGHT_ELEVENTH
from tests.wrong_answers_fresh import (
    FIFTH,
    FOURTH,
    FRESH,
    RIGHT_FIFTH,
    RIGHT_FOURTH,
    RIGHT_FRESH,
    RIGHT_SEVENTH,
    RIGHT_SIXTH,
    SEVENTH,
    SIXTH,
    THIRD,
)
from tests.wrong_answers_ninth import NINTH, RIGHT_NINTH
from tests.wrong_answers_tenth import TENTH
from tests.wrong_answers_thirteenth import RIGHT_THIRTEENTH, THIRTEENTH
from tests.wrong_answers_twelfth import TWELFTH

IMPLEMENT_ITS = sorted({ex for ex, _, _ in WRONG})
BY_EXERCISE = defaultdict(list)
for _ex, _fn, _words in WRONG:
    BY_EXERCISE[_ex].append((_fn, _words))


def named(exercise, fn, words) -> tuple:
    """(accepted, named, message) for one wrong answer."""
    fb = check_exercise(exercise, fn)
    return fb.ok, any(w.lower() in fb.message.lower() for w in words), fb.message


def test_every_implement_it_has_at_least_8_wrong_answers_and_a_right_one_written_another_way():
    functions = {ex for ex in exercise_ids() if ex in IMPLEMENT_ITS}
    assert len(functions) == 19, sorted(functions)
    assert all(len(BY_EXERCISE[ex]) >= 8 for ex in IMPLEMENT_ITS), {ex: len(BY_EXERCISE[ex]) for ex in IMPLEMENT_ITS}
    assert {ex for ex, _ in RIGHT} == set(IMPLEMENT_ITS)


@pytest.mark.parametrize("exercise", IMPLEMENT_ITS)
def test_each_wrong_answer_gets_a_hint_that_names_its_mistake(exercise):
    missed = []
    for fn, words in BY_EXERCISE[exercise]:
        accepted, ok, message = named(exercise, fn, words)
        assert not accepted, f"{exercise} accepted the wrong {fn.__name__}: {message}"
        if not ok:
            missed.append(f"{fn.__name__}: {message}")
    assert not missed, "\n".join(missed)


@pytest.mark.parametrize(
    "exercise, fn",
    RIGHT
    + RIGHT_FRESH
    + RIGHT_FOURTH
    + RIGHT_FIFTH
    + RIGHT_SIXTH
    + RIGHT_SEVENTH
    + RIGHT_EIGHTH
    + RIGHT_NINTH
    + RIGHT_ELEVENTH
    + RIGHT_THIRTEENTH,
    ids=lambda v: getattr(v, "__name__", v),
)
def test_right_answers_written_another_way_are_accepted(exercise, fn):
    fb = check_exercise(exercise, fn)
    assert fb.ok and fb.message.startswith("right"), fb.message


def test_the_later_sets_are_mostly_named_and_never_accepted():
    later = FRESH + THIRD + FOURTH + FIFTH + SIXTH + SEVENTH + EIGHTH + NINTH + TENTH + ELEVENTH + TWELFTH + THIRTEENTH
    results = [named(ex, fn, words) for ex, fn, words in later]
    assert not [m for accepted, _, m in results if accepted]
    share = sum(ok for _, ok, _ in results) / len(results)
    assert share >= 0.8, f"{share:.0%} of {len(results)} named"


def test_a_function_that_raises_where_a_mistake_raises_and_agrees_elsewhere_gets_its_hint():
    from tests.wrong_answers_fresh import h_sp_split_the_words

    fb = check_exercise("09.4", h_sp_split_the_words)
    assert not fb.ok and "splits the words" in fb.message and "raised where that mistake raises" in fb.message


def test_a_causal_mask_returned_as_a_nested_list_is_refused_with_how_to_return_an_array():
    fb = check_exercise("08.3", lambda n: [[j <= i for j in range(n)] for i in range(n)])
    assert not fb.ok and "Python list" in fb.message and "boolean array" in fb.message


def test_a_reduction_without_keepdims_that_cannot_broadcast_is_told_to_keep_its_axis():
    fb = check_exercise("04.4", lambda s: np.exp(s - s.max(-1)) / np.exp(s - s.max(-1)).sum(-1))
    assert not fb.ok and "keepdims=True" in fb.message and "ValueError" in fb.message


def test_two_arrays_returned_the_other_way_round_are_named():
    fb = check_exercise("04.5", lambda X: ((w := _softmax(X @ X.T)), w @ X))
    assert not fb.ok and "other order" in fb.message and "(Y, weights)" in fb.message


def test_the_log_of_the_right_numbers_is_named():
    fb = check_exercise(
        "17.1", lambda x, g, eps: np.log(np.abs(x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g))
    )
    assert not fb.ok
    fb = check_exercise("04.4", lambda s: np.log(_softmax(s)))
    assert not fb.ok and "the log of the right numbers" in fb.message


def test_a_function_that_raises_on_some_inputs_and_matches_a_mistake_on_the_others_gets_both_said():
    from tests.wrong_answers_eighth import m_pe_times_not_divided

    fb = check_exercise("06.1", m_pe_times_not_divided)  # multiplies by 10000 ** (2i / d), and fails for d odd
    assert not fb.ok and "divide by it" in fb.message and "And on other inputs your function raised" in fb.message
    assert "the cosines take the first d // 2 angles" in fb.message


def test_the_eighth_sets_first_misses_are_named():
    from tests import wrong_answers_eighth as w

    fb = check_exercise("04.4", w.m_sm_shift_by_mean)  # a row 750 above its mean overflows
    assert not fb.ok and "overflows" in fb.message
    fb = check_exercise("04.4", w.m_sm_sum_axis0)
    assert not fb.ok and "the max is taken over each row" in fb.message
    fb = check_exercise("14.2", w.m_sa_no_greedy_case)
    assert not fb.ok and "It runs at temperature 1" in fb.message and "np.argmax(logits)" in fb.message
    fb = check_exercise("14.2", lambda logits, temperature, top_k, rng: 1 / 0)  # fails everywhere: no greedy hint
    assert not fb.ok and "temperature 1" not in fb.message
    fb = check_exercise("15.1", w.m_ca_append_flattens)
    assert not fb.ok and "flattened (np.append without axis=" in fb.message


def test_an_answer_written_for_one_sentence_that_is_also_wrong_gets_its_mistake_and_the_batch_axis_said():
    def rope_other_way_rows_only(x, positions):  # x[:, 0::2] fails with a batch axis; the sign is wrong too
        d = x.shape[-1]
        angles = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d)
        u, v = x[:, 0::2], x[:, 1::2]
        out = np.empty_like(x)
        out[:, 0::2], out[:, 1::2] = u * np.cos(angles) + v * np.sin(angles), -u * np.sin(angles) + v * np.cos(angles)
        return out

    fb = check_exercise("06.3", rope_other_way_rows_only)
    assert not fb.ok and "rotates the other way" in fb.message and "leading axes pass through" in fb.message

    def rope_times_1_5_rows_only(x, positions):  # no listed mistake: said as on the inputs without a batch axis
        d = x.shape[-1]
        angles = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d)
        u, v = x[:, 0::2], x[:, 1::2]
        out = np.empty_like(x)
        out[:, 0::2], out[:, 1::2] = u * np.cos(angles) - v * np.sin(angles), u * np.sin(angles) + v * np.cos(angles)
        return 1.5 * out

    fb = check_exercise("06.3", rope_times_1_5_rows_only)
    assert not fb.ok and "the right numbers times 1.5" in fb.message, fb.message
    assert "And on inputs with a batch axis your function raised ValueError" in fb.message


def test_a_mistake_on_the_inputs_without_batch_axes_is_named_with_the_axes_said():
    from tests.wrong_answers_ninth import n_mg_concatenate_axis_0  # list(M) is the heads, or the batch

    fb = check_exercise("09.5", n_mg_concatenate_axis_0)
    assert not fb.ok and "concatenated along the words" in fb.message and "leading axes pass through" in fb.message


def test_mistakes_other_people_reported_are_all_named():  # sets 10 to 13: each from a public issue or pull request
    reported = TENTH + ELEVENTH + TWELFTH + THIRTEENTH
    missed = [fn.__name__ for ex, fn, words in reported if not named(ex, fn, words)[1]]
    assert not missed, missed


def test_the_sets_measured_since_the_generic_diagnoses_stay_fully_named():  # sets 8 and 9, after their fixes
    missed = [fn.__name__ for ex, fn, words in EIGHTH + NINTH if not named(ex, fn, words)[1]]
    assert not missed, missed


def test_the_cause_is_told_apart_where_two_mistakes_give_the_same_nan():
    from tests import wrong_answers_twelfth as w

    fb = check_exercise("04.4", w.w_sm_max_with_zero)  # a shift of max(0, m), not one max for the whole array
    assert not fb.ok and "not that row's own max" in fb.message and "one max for the whole array" not in fb.message
    fb = check_exercise("04.4", w.w_sm_max_of_whole_array)
    assert not fb.ok and "one max for the whole array" in fb.message
    fb = check_exercise("14.1", w.w_ce_one_hot_times_log)  # a stable softmax: nothing overflowed
    assert not fb.ok and "0 * -inf = NaN" in fb.message and "overflows" not in fb.message


def _all_inf(right):
    """A wrong answer: the right answer's arrays, of the right shapes, with inf in every number."""

    def fn(*args):
        result = right(*args)
        if isinstance(result, tuple):
            return tuple(np.full(np.shape(a), np.inf) for a in result)
        return np.full(np.shape(result), np.inf)

    return fn


def test_inf_in_an_answer_is_said_without_a_numpy_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning from the checker's own arithmetic would raise here
        for exercise, right in RIGHT:
            if exercise in ("05.3", "06.3", "10.1", "10.3", "15.1"):
                fb = check_exercise(exercise, _all_inf(right))
                assert not fb.ok and "inf" in fb.message, fb.message


def test_where_the_numbers_are_wrong_is_said_when_nothing_else_is_named():
    def first_row_doubled(x, g, b, eps):  # not a mistake anyone lists: only the first row is off
        m, v = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
        y = g * (x - m) / np.sqrt(v + eps) + b
        y[..., :1, :] *= 1.5
        return y

    fb = check_exercise("12.1", first_row_doubled)
    assert not fb.ok and "wrong only at index 0 (the first)" in fb.message, fb.message


def _softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_no_named_mistake_repeats_an_earlier_one_on_every_input():  # a repeat can never be reached: one home each
    from helpers.exercises import implement_attention as a
    from helpers.exercises import implement_generation as g
    from helpers.exercises import implement_layers as ly
    from helpers.exercises import implement_mechanisms as m
    from helpers.exercises import (
        mistakes_attention,
        mistakes_gradients,
        mistakes_models,
        mistakes_online,
        mistakes_positions,
        mistakes_weights,
    )
    from helpers.exercises.diagnose import like

    lists = [
        (a._softmax_cases(), a.SOFTMAX_MISTAKES + mistakes_weights.SOFTMAX),
        (a._masked_cases(), mistakes_attention.MASKED),
        (m._rope_cases(), m.ROPE_MISTAKES + mistakes_positions.ROPE),
        (m._update_cases(), m.UPDATE_MISTAKES + mistakes_online.UPDATE),
        (ly._layer_norm_cases(), ly.LAYER_NORM_MISTAKES + mistakes_gradients.LAYER_NORM),
        (ly._softmax_backward_cases(), ly.SOFTMAX_BACKWARD_MISTAKES + mistakes_gradients.SOFTMAX_BACKWARD),
        (g._cross_entropy_cases(), g.CROSS_ENTROPY_MISTAKES + mistakes_models.CROSS_ENTROPY),
        (g._cache_cases(), g.CACHE_MISTAKES + mistakes_models.CACHE),
    ]
    repeats = []
    for cases, mistakes in lists:
        outs = []
        with np.errstate(all="ignore"):
            for mistake in mistakes:
                try:
                    outs.append([mistake(*c) for c in cases])
                except ValueError:  # a mistake that cannot run on some input
                    outs.append(None)
        for j, later in enumerate(outs):
            for i, earlier in enumerate(outs[:j]):
                if (
                    later is not None
                    and earlier is not None
                    and all(
                        all(like(np.asarray(x), np.asarray(y), 1e-6) for x, y in zip(e, lt))
                        for e, lt in zip(earlier, later)
                    )
                ):
                    repeats.append(f"{mistakes[j].__name__} repeats {mistakes[i].__name__}")
    assert not repeats, repeats


def _sample_with_stray_draws(logits, temperature, top_k, rng):  # one draw in ten from the whole vocabulary
    if temperature == 0:
        return int(np.argmax(logits))
    if rng.random() < 0.1:
        return int(rng.integers(len(logits)))
    keep = np.argsort(logits)[-top_k:]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def test_a_sampler_whose_draws_leave_the_top_k_is_told_how_often():
    fb = check_exercise("14.2", _sample_with_stray_draws)
    assert not fb.ok and "of your draws were ids outside the 3 most likely" in fb.message, fb.message
