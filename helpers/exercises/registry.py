"""The exercise registry: each checker under its id "NN.k", how an answer is read, and check_exercise.

Routine checkers (a number, a shape, a choice) are registered with ``routine``; the rest with the
``exercise`` decorator. An implement-it exercise also says what the learner writes (``writes=``), so
the contents page's list of them is generated from here. A checker raises ``MalformedAnswer`` when the
answer is not of the form asked for; that becomes a hint. Anything else a checker raises is a bug in it.
"""

from __future__ import annotations

import contextvars
import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..checks import as_float_array
from ..files import ModelFileError


class MalformedAnswer(Exception):
    """An answer not of the form asked for (a number, a shape, a function, ...); the message says which."""


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
_WRITES: dict[str, str] = {}  # implement-it exercises: id -> the function the learner writes


def exercise(exercise_id: str, writes: str | None = None) -> Callable[[Checker], Checker]:
    """Register a checker, answer -> (ok, message), under an id "NN.k"; ``writes`` for an implement-it. -> decorator"""

    def register(checker: Checker) -> Checker:
        if exercise_id in _CHECKERS:
            raise RuntimeError(f"exercise {exercise_id} is registered twice.")
        _CHECKERS[exercise_id] = checker
        if writes is not None:
            _WRITES[exercise_id] = writes
        return checker

    return register


def exercise_ids() -> list[str]:
    """Every registered exercise id, in the order of the series. () -> [str]"""
    return sorted(_CHECKERS, key=lambda key: tuple(int(part) for part in key.split(".")))


def implement_it_exercises() -> dict[str, str]:
    """The implement-it exercises in the order of the series: id -> what the learner writes. () -> {str: str}"""
    return {key: _WRITES[key] for key in exercise_ids() if key in _WRITES}


# ---------------------------------------------------------------- reading an answer
_WRITTEN_NUMBER = re.compile(r"\s*([-+]?(?:\d[\d,_]*\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*(?:[A-Za-z]{1,6}|%)?\s*")


def read_number(answer) -> float:
    """A number, or one written as text with a unit, as people answer: '3.125 GiB', '4,096', '16x'. -> float"""
    if isinstance(answer, str):
        written = _WRITTEN_NUMBER.fullmatch(answer.strip().lower())
        if not written:
            raise MalformedAnswer(f"the answer should be a number, such as 3.5; {answer!r} is not one")
        answer = float(written[1].replace(",", "").replace("_", ""))
    if isinstance(answer, np.ndarray) and answer.ndim == 0:  # a 0-d array, e.g. np.float64(...) kept as an array
        answer = answer[()]
    if isinstance(answer, bool | np.bool_) or not isinstance(answer, numbers.Real | np.integer | np.floating):
        raise MalformedAnswer("the answer should be a number")
    try:
        return float(answer)
    except OverflowError:
        raise MalformedAnswer("that number is too large to be the answer") from None


def read_shape(answer) -> tuple:
    if not isinstance(answer, (tuple, list)) or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in answer
    ):
        raise MalformedAnswer("answer with a shape: a tuple of whole numbers, e.g. (2, 3)")
    return tuple(int(a) for a in answer)


def read_choice(answer) -> str:
    """A choice as people write it: 'b', 'B', '(b)', 'b)', 'b.' all read as 'b'. -> str"""
    if not isinstance(answer, str):
        raise MalformedAnswer("answer with one of the choices as a string, e.g. 'a'")
    text = answer.strip().lower()
    letter = re.fullmatch(r"\(?\s*([a-z])\s*[).:]?", text)
    return letter[1] if letter else text


def read_array(answer, shape: tuple) -> np.ndarray:
    try:
        arr = as_float_array(answer, "your answer", min_ndim=len(shape))
    except (TypeError, ValueError) as exc:
        raise MalformedAnswer(str(exc).rstrip(".")) from None
    except Exception as exc:  # an object whose conversion to an array raises anything else (e.g. its __array__)
        text = " ".join(str(exc).split())[:120]
        raise MalformedAnswer(
            f"your answer could not be read as an array ({type(exc).__name__}: {text}); give a list or a numpy array"
        ) from None
    if arr.shape != shape:
        raise MalformedAnswer(f"the answer should have shape {shape}, yours has shape {arr.shape}")
    return arr


TIME_LIMIT = 5.0  # seconds a learner's function may run on one input before the check stops it
LONGEST = 3600.0  # the longest time_limit a check accepts (the timer cannot take inf or 1e12)
_TIME_LIMIT = contextvars.ContextVar("time_limit", default=TIME_LIMIT)


def time_limit() -> float:
    """The time limit in force for a learner's function, in seconds. () -> float"""
    return _TIME_LIMIT.get()


_READERS = {"number": read_number, "shape": read_shape, "choice": read_choice}


def routine(exercise_id, kind, want, right, hint, mistakes=lambda want: (), atol=0.0, rtol=0.0) -> None:
    """Register a check of one number, shape or choice: want() computes the answer, mistakes(want) lists (wrong answer,
    its hint)."""
    if kind not in _READERS:
        raise ValueError(f"kind must be number, shape or choice, got {kind!r}.")
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


def check_exercise(exercise_id, answer, time_limit: float | None = None) -> Feedback:
    """Check an answer; a wrong, missing or malformed one gets a hint, never a traceback. ``time_limit``: seconds a
    learner's function may run for each input (default TIME_LIMIT, 5 s). (str, answer) -> Feedback"""
    if time_limit is not None:
        if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real) or not 0 < time_limit <= LONGEST:
            key = str(exercise_id) if isinstance(exercise_id, str) else repr(exercise_id)
            why = f"time_limit must be a number of seconds above 0 and at most {LONGEST:g}, got {time_limit!r}."
            return Feedback(key, False, why)
        token = _TIME_LIMIT.set(float(time_limit))
        try:
            return check_exercise(exercise_id, answer)
        finally:
            _TIME_LIMIT.reset(token)
    key = str(exercise_id) if isinstance(exercise_id, (str, int, float)) else repr(exercise_id)
    if not isinstance(exercise_id, str) or exercise_id not in _CHECKERS:
        return Feedback(key, False, f"there is no exercise {key!r}; the exercises are {', '.join(exercise_ids())}.")
    if answer is None or answer is Ellipsis:
        return Feedback(exercise_id, False, "replace ... with your answer, then run the cell again.")
    changed = numpy_changed()
    learners = {name: vars(np).get(name, _GONE) for name in changed}
    vars(np).update({name: _NUMPY[name] for name in changed})  # the check runs on numpy's own functions
    try:
        with np.errstate(all="ignore"):  # inf or NaN in an answer is said in the message, never printed as a warning
            ok, message = _CHECKERS[exercise_id](answer)
    except MalformedAnswer as exc:
        ok, message = False, str(exc).rstrip(".") + "."
    except ModelFileError as exc:  # the model package is missing: say how to install it
        ok, message = False, str(exc).replace("\n", " ").rstrip(".") + "."
    finally:
        for name, value in learners.items():  # and the notebook gets back what it set
            if value is _GONE:
                delattr(np, name)
            else:
                setattr(np, name, value)
    if changed:
        names = ", ".join(f"np.{n}" for n in changed[:3]) + (" ..." if len(changed) > 3 else "")
        message += f" (This notebook changed {names}: the check used numpy's own; restart the kernel to undo it.)"
    return Feedback(exercise_id, bool(ok), message)


_GONE = object()  # a numpy name the notebook deleted
_NUMPY = {name: value for name, value in vars(np).items() if not name.startswith("_")}  # numpy as imported


def numpy_changed() -> list:
    """The names of numpy's own functions and constants that the running notebook replaced or deleted. () -> [str]"""
    now = vars(np)
    return [name for name, value in _NUMPY.items() if now.get(name, _GONE) is not value]
