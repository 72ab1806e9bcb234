"""The teacher's course repository, one per test module of the class hub (tests/hub/hub.py's Course)."""

import shutil

import pytest

from tests.hub.hub import Course


@pytest.fixture(scope="module")
def course():
    made = Course()
    yield made
    shutil.rmtree(made.workdir, ignore_errors=True)
