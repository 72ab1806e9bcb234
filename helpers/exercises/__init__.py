"""Self-checks for the exercises: ``check_exercise("02.1", answer)`` says correct or gives a hint.

``registry`` holds the ids, how answers are read and ``check_exercise``; the checkers live by topic:
``vectors``, ``attention`` and ``models`` for answers (a number, a shape, a choice, an array), and
``implement_attention``, ``implement_layers``, ``implement_generation``, ``implement_mechanisms`` and
``implement_llm`` for the
implement-it exercises, where the answer is the learner's function, run safely by ``learner``. Importing
this package registers every checker.
"""

from . import (  # noqa: F401 (they register)
    attention,
    implement_attention,
    implement_generation,
    implement_layers,
    implement_llm,
    implement_mechanisms,
    models,
    vectors,
)
from .registry import (
    Feedback,
    MalformedAnswer,
    check_exercise,
    exercise,
    exercise_ids,
    implement_it_exercises,
)

__all__ = ["Feedback", "MalformedAnswer", "check_exercise", "exercise", "exercise_ids", "implement_it_exercises"]
