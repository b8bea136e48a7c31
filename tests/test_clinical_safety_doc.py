"""docs/clinical-safety.md is what a clinician reviews: it must match the question file."""

from __future__ import annotations

import json
import re

from django.conf import settings

DOC = (settings.BASE_DIR / "docs" / "clinical-safety.md").read_text()
QUESTIONS = json.loads((settings.BASE_DIR / "fixtures" / "screening_questions.json").read_text())
LEVEL_WORDS = {
    "emergency": "Emergency",
    "urgent": "Urgent",
    "soon": "Soon",
    "physio": "Physiotherapist",
    "caution": "Caution",
}


def test_every_question_is_in_the_table_with_its_level_and_sign():
    rows = {
        match.group(1): line
        for line in DOC.splitlines()
        if (match := re.match(r"\| \d+ \| `([a-z_]+)` \|", line))
    }

    assert set(rows) == {question["key"] for question in QUESTIONS}
    for question in QUESTIONS:
        cells = [cell.strip() for cell in rows[question["key"]].split("|")]
        assert cells[3] == question["trigger"]
        assert cells[4].startswith(LEVEL_WORDS[question["level"]])
