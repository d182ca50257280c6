"""Fixtures of the curriculum tests."""

import pytest


@pytest.fixture(autouse=True)
def _consent_on_file(request):
    """The cast student is 13 (middle school, grade 1): their results are
    stored once a guardian's consent is on file. Tests that need the
    student's progress have it; one test below shows the other case."""
    if "cast" not in request.fixturenames:
        return
    from families.services import consent_record_paper

    cast = request.getfixturevalue("cast")
    if request.node.get_closest_marker("no_consent") is None:
        consent_record_paper(teacher=cast.teacher, student=cast.student, on_file=True)
