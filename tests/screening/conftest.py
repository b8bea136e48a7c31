from __future__ import annotations

import pytest

from apps.screening.models import Question


@pytest.fixture
def questions(content) -> list[Question]:
    """The active red-flag questions, in order, as load_content leaves them."""
    return list(Question.objects.active())
