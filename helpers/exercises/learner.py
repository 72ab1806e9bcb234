"""Running a learner's function safely and comparing it with the tested helpers, for the implement-it exercises.

The learner's function is run on several inputs and compared with the helpers; a wrong result is
matched against the mistakes learners make (each written as a small function beside its checker):
when the learner's result equals one of them on every input, the message names that mistake.
A learner's function that raises gets its exception as one line, with a hint.
"""

from __future__ import annotations

import inspect
import signal
import threading
from collections.abc import Callable

import numpy as np

from .diagnose import (
    KEEPDIMS,
    along_another_axis,
    batched,
    diagnosed,
    in_other_order,
    keepdims_hint,
    like,
    rescaled_as,
    rows_off,
    weights_transposed,
    wrong_parts,
)
from .registry import MalformedAnswer, time_limit

Case = tuple  # the arguments of one call


def case_rng(*salt):
    return np.random.default_rng([2026, *salt])


# ---------------------------------------------------------------- running the learner's function safely
def copy_args(args: Case) -> Case:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def shapes_of(args: Case) -> str:
    """Each argument as the learner would recognise it: an array's shape, a number or a short value, else its kind (an
    rng is 'a random generator', never its repr with a memory address). -> str"""

    def one(a) -> str:
        if isinstance(a, np.ndarray):
            return str(a.shape)
        if isinstance(a, np.random.Generator):
            return "a random generator"
        if a is None or isinstance(a, (bool, int, float, str, np.number)):
            return repr(a)
        return f"a {type(a).__name__}"

    return ", ".join(one(a) for a in args)


def parameter_name(fn: Callable, i: int) -> str:
    """The name the learner gave her function's i-th parameter, or 'the input'. -> str"""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return "the input"
    return names[i] if i < len(names) and names[i].isidentifier() else "the input"


class LearnerError(Exception):
    """The learner's function raised, or returned something that is not an answer; the message is the hint."""


class LearnerTimeout(LearnerError):
    """The learner's function ran past the time limit and was stopped."""


class _TooLong(BaseException):
    """Raised inside a learner's function when its time is up (a BaseException, so `except Exception` lets it by)."""


def _run_limited(fn: Callable, args: Case, seconds: float):
    """fn(*args), stopped after `seconds` by a timer signal where one is available (the main thread on Unix, where
    a notebook's code runs); elsewhere without a limit."""
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return fn(*args)

    def stop(signum, frame):
        raise _TooLong

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def shown(exc: BaseException) -> str:
    """An exception's message, or a word on why it cannot be shown (its __str__ may raise anything). -> str"""
    try:
        return str(exc)
    except BaseException as inner:  # a learner's class: its __str__ may raise anything, even SystemExit
        return f"(its message could not be shown: str() raised {type(inner).__name__})"


def call_learner(fn: Callable, args: Case, what: str):
    """The learner's result on a copy of args; raises LearnerError for an exception, changed inputs or a function
    that runs past the time limit (registry.time_limit(), 5 s unless check_exercise says otherwise)."""
    given = copy_args(args)
    seconds = time_limit()
    try:
        with np.errstate(all="ignore"):  # overflow is a mistake the checker names, not a warning to print
            result = _run_limited(fn, given, seconds)
    except _TooLong:
        raise LearnerTimeout(
            f"your function ran for more than {seconds:g} s on inputs of shapes {shapes_of(args)} and was stopped: "
            "look for a loop that never ends (or allow more time: check_exercise(..., time_limit=30))."
        ) from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the learner's code, whatever it raises (SystemExit too), is reported as one line
        message = shown(exc)
        text = " ".join(message.split())[:160]
        hint = ""
        if (
            isinstance(exc, ValueError)
            and "matmul" in message
            and any(isinstance(a, np.ndarray) and a.ndim > 2 for a in args)
        ):
            hint = " With batch dimensions, .T reverses every axis: use np.swapaxes(K, -1, -2) (or K.swapaxes(-1, -2))."
        if isinstance(exc, ValueError) and "do not sum to 1" in message:
            hint = " The probabilities you sample from must sum to 1: after keeping the top k, divide by their sum."
        hint = hint or keepdims_hint(message)
        raise LearnerError(
            f"your function raised {type(exc).__name__}: {text} (called with {what} of shapes {shapes_of(args)}).{hint}"
        ) from None
    for i, (before, after) in enumerate(zip(args, given)):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
            name = parameter_name(fn, i)
            fix = f"e.g. write {name} = {name} - m instead of {name} -= m" if name != "the input" else "a copy"
            raise LearnerError(
                f"your function changed its input {name} (of shape {before.shape}) in place: work on a new array, "
                f"{fix}."
            )
    if result is None:
        raise LearnerError("your function returned None: write its body in place of ... and return the result.")
    return result


def learner_array(value, name: str) -> np.ndarray:
    if isinstance(value, tuple | list) and value and isinstance(value[0], np.ndarray):
        raise LearnerError(
            f"{name} should be one array; your function returned a {type(value).__name__} of {len(value)} arrays."
        )
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        raise LearnerError(f"{name} should be an array, got {type(value).__name__}.") from None
    except Exception as exc:  # e.g. a torch tensor that requires grad, or an object whose __array__ raises
        text = " ".join(str(exc).split())[:120]
        raise LearnerError(
            f"{name} could not be read as a numpy array ({type(exc).__name__}: {text}); return a numpy array "
            "(for a torch tensor: t.detach().numpy())."
        ) from None
    if arr.dtype.kind not in "fbiu":
        raise LearnerError(f"{name} should be a numeric array, got {type(value).__name__}.")
    return arr


def two_arrays(value, names=("out", "weights")) -> tuple:
    return named_arrays(value, names)


def named_arrays(value, names) -> tuple:
    """A learner's result that should be len(names) arrays, each read with learner_array; else a hint. -> tuple"""
    count = {2: "two", 3: "three"}.get(len(names), str(len(names)))
    if not isinstance(value, tuple | list) or len(value) != len(names):
        raise LearnerError(
            f"return {count} arrays, ({', '.join(names)}); your function returned {type(value).__name__}."
        )
    return tuple(learner_array(v, name) for v, name in zip(value, names))


def same(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=tol, atol=tol)


def loose_softmax(s, axis=-1):
    """A softmax that returns NaN for an empty row instead of raising: what a mistaken mask computes."""
    with np.errstate(all="ignore"):
        e = np.exp(s - np.max(s, axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def hint(mistake: Callable) -> str:
    """A mistake's hint: its docstring, on one line. Callable -> str"""
    return " ".join(mistake.__doc__.split())


def check_function(
    fn,
    cases: list,
    reference: Callable,
    mistakes: list,
    what: str,
    covers: str,
    unpack=None,
    tol=1e-6,
    dtype=True,
    names=None,
    rescaled=None,
):
    """Run fn on every case; right if it equals the reference everywhere, else name the first mistake it equals.

    Each mistake computes what a known wrong version returns; its docstring is the hint. ``dtype``: also say when
    float32 in gives float64 out (not for an answer that is one number). ``names``: the returned arrays' names.
    ``rescaled``: (function(*args, scale) -> the result with the scores times scale, hint) to name a wrong scale.
    -> (ok, message)
    """
    name = what.split("(", maxsplit=1)[0]
    if not callable(fn):
        raise MalformedAnswer(
            f"answer with your function itself, not its result: check_exercise(..., {name}), without brackets "
            f"after {name}"
        )
    unpack = unpack or one_array
    want = [reference(*args) for args in cases]
    parts = names or ("the result", "weights", "the third array")
    got, failed, raised = [], None, None
    with_batch = batched(cases)
    listed = False  # a Python list where one array belongs: right numbers, said how to return them
    for args, right, in_batch in zip(cases, want, with_batch):  # each compared as it comes
        try:
            raw = call_learner(fn, args, name)
            listed = listed or (unpack is one_array and isinstance(raw, list))
            result = unpack(raw)
        except LearnerTimeout as exc:
            return False, str(exc)
        except LearnerError as exc:
            if not in_batch:
                raised = raised or str(exc)
            failed = failed or str(exc)  # raised with batch axes: said with the other inputs' results
            got.append(None)
            continue
        for part, a, b in zip(parts, result, right):
            if np.size(a) > 4 * np.size(b) + 1000:
                return False, (
                    f"{part} holds {np.size(a):,} numbers where {np.size(b):,} are expected (shape "
                    f"{np.shape(b)}, for inputs of shapes {shapes_of(args)})."
                )
        got.append(result)
    agree = [g is not None and all(same(np.asarray(a), np.asarray(b), tol) for a, b in zip(g, w)) for g, w in
             zip(got, want)]  # fmt: skip
    batch_only = not all(agree) and all(ok or b for ok, b in zip(agree, with_batch)) and not all(with_batch)
    if raised:  # a mistake that raises on the same inputs, or agrees wherever the learner's ran, names it
        return False, _raising_mistake(got, cases, mistakes, tol, raised) or raised
    if failed and not batch_only:  # raised with batch axes only, and wrong without them: a mistake, and the axes
        named = _raising_mistake(got, cases, mistakes, tol, failed.replace(KEEPDIMS, ""))
        if named:
            return False, f"{named} {_BATCH_AXES}"
        plain = [c for c, b in zip(cases, with_batch) if not b]  # what is wrong without batch axes, then the raise
        said = check_function(fn, plain, reference, mistakes, what, covers, unpack, tol, dtype, names, rescaled)[1]
        return False, f"{said} And on inputs with a batch axis {failed[0].lower()}{failed[1:]} {_BATCH_AXES}"
    if failed:
        return False, _batch_hint(cases[agree.index(False)], failed)
    if all(agree) and listed:
        return True, (
            f"right on all {len(cases)} inputs ({covers}), returned as a Python list: return a numpy array "
            "(np.array(...)), as the series' functions do."
        )
    if all(agree):
        float32 = [np.asarray(g[0]).dtype for g, args in zip(got, cases) if any(_is_float32(a) for a in args)]
        if dtype and np.float64 in float32:
            return True, (
                f"right on all {len(cases)} inputs ({covers}), but float32 in gives float64 out: a numpy "
                "float64 such as "
                "np.sqrt(d) turns float32 arrays into float64 (use d ** 0.5 or math.sqrt(d))."
            )
        return True, f"right on all {len(cases)} inputs ({covers})."
    if len(want[0]) == 2 and in_other_order(got, want, tol):
        first, second = names or ("out", "weights")
        return False, f"the two arrays are returned in the other order: return ({first}, {second}), in that order."
    if weights_transposed(got, want, tol):  # named whatever else is right or wrong
        return False, (
            "the weights are transposed (returned as weights.T, or a softmax down the columns of symmetric scores): "
            "row i must be query i and column j key j, shape (..., n_q, n_k), each row a softmax over axis=-1."
        )
    for mistake in mistakes:
        try:
            with np.errstate(all="ignore"):
                expected = [mistake(*args) for args in cases]
        except ValueError:  # a mistake that cannot run on some case (shapes that do not fit) is not this one
            continue
        if all(all(like(np.asarray(a), np.asarray(b), tol) for a, b in zip(g, e)) for g, e in zip(got, expected)):
            return False, hint(mistake)
    plain = [None if b else g for g, b in zip(got, with_batch)]  # a mistake on the inputs without batch axes
    named = _raising_mistake(plain, cases, mistakes, tol, exact=False) if any(with_batch) and not batch_only else None
    if named:
        return False, f"{named} {_BATCH_AXES}"
    i = agree.index(False)
    shapes = shapes_of(cases[i])
    names = names or (("the result",) if len(got[i]) == 1 else ("out", "weights"))
    if rescaled is not None:
        arg_names = [a.strip() for a in what.split("(", 1)[1].rstrip(")").split(",")]
        scale = rescaled_as(got, cases, rescaled[0], arg_names, tol, rescaled[2] if len(rescaled) > 2 else None)
        if scale is not None:
            return False, rescaled[1].format(name=scale[0], value=scale[1], shapes=shapes)
    other_axis = along_another_axis(got[i], reference, cases[i], tol)
    if other_axis is not None:
        return False, (
            f"{names[0]} holds the right numbers computed along axis {other_axis} instead of the last one (for inputs "
            f"of shapes {shapes}): reduce over axis=-1, with keepdims=True where you subtract or divide."
        )
    if batch_only:
        return False, _batch_hint(cases[i])
    found = rows_off(got, names) or diagnosed(got, want, cases, agree, names, tol)
    if found:
        return False, f"{found if isinstance(found, str) else ' holds '.join(found)} (for inputs of shapes {shapes})."
    for part, a, b in zip(names, got[i], want[i]):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            moved = ""
            if sorted(a.shape) == sorted(b.shape) and len(set(b.shape)) > 1:
                moved = (
                    ": the same sizes in another order, so axes are swapped or moved (check each reshape, "
                    "transpose and swapaxes against the shapes the exercise gives)"
                )
            return False, f"{part} has shape {a.shape}, expected {b.shape}{moved} (for inputs of shapes {shapes})."
        if not np.all(np.isfinite(a)):
            return (
                False,
                f"{part} contains inf or NaN for inputs of shapes {shapes}: something overflowed or divided by 0.",
            )
    located, spot = wrong_parts(got, want, names, tol), diagnosed(got, want, cases, agree, names, tol, where=True)
    where = f"{spot[0]}: {spot[1]}" if spot else ""
    if located or where:
        return False, f"{'; '.join(m for m in (located, where) if m)} (for inputs of shapes {shapes})."
    return (
        False,
        f"not the expected numbers for inputs of shapes {shapes}; compare your steps with the notebook's, one "
        "at a time.",
    )


def _raising_mistake(got: list, cases: list, mistakes: list, tol: float, raised: str = "", exact: bool = True):
    """The hint of the mistake that raises where the learner's function raised (None in got) and equals it elsewhere;
    else of one that equals it on the two or more inputs it ran on, with what it raised (if it did) on the others."""
    if all(g is None for g in got):
        return None
    for mistake in mistakes if exact else ():
        fits = True
        for g, args in zip(got, cases):
            try:
                with np.errstate(all="ignore"):
                    e = mistake(*args)
            except Exception:  # raising is what is compared
                e = None
            fits = (g is None) == (e is None) and (g is None or all(like(np.asarray(a), np.asarray(b), tol)
                                                                    for a, b in zip(g, e)))  # fmt: skip
            if not fits:
                break
        if fits:
            return f"{hint(mistake)} (it raised where that mistake raises and agrees with it everywhere else)"
    ran = [k for k, g in enumerate(got) if g is not None]
    for mistake in mistakes if len(ran) >= 2 else ():
        try:
            with np.errstate(all="ignore"):
                expected = [mistake(*cases[k]) for k in ran]
        except Exception:  # a mistake that cannot run where the learner's did is not this one
            continue
        if all(all(like(np.asarray(a), np.asarray(b), tol) for a, b in zip(got[k], e)) for k, e in zip(ran, expected)):
            return f"{hint(mistake)} And on other inputs {raised[0].lower()}{raised[1:]}" if raised else hint(mistake)
    return None


_BATCH_AXES = (
    "Count axes from the end (shape[-2:], axis=-1, x[..., 0::2], np.swapaxes(K, -1, -2)) so leading axes pass through."
)


def _batch_hint(args, raised: str = "") -> str:
    """What to say when only the inputs with batch axes go wrong; raised: the learner's exception, said. -> str"""
    said = f" It raised: {raised[0].lower()}{raised[1:]}" if raised else ""
    return (
        f"right on every input without batch axes, but not on inputs of shapes {shapes_of(args)}, which have one: "
        f"{_BATCH_AXES[0].lower()}{_BATCH_AXES[1:]}{said}"
    )


def _is_float32(a) -> bool:
    return isinstance(a, np.ndarray) and a.dtype == np.float32


def one_array(result):
    return (learner_array(result, "the result"),)
