"""The checklist items as content: complete, linked to real exercises, loaded idempotently."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from apps.accounts.management.commands.load_content import content_modules
from apps.checklist import content, notes
from apps.checklist.models import Item
from apps.checklist.priorities import TOTAL_POINTS, Message
from apps.exercises.models import Exercise


def test_the_eleven_items_cover_all_thirteen_points_exactly_once(items):
    points = sorted(point for item in items for point in item.points)

    assert len(items) == 11
    assert points == list(range(1, TOTAL_POINTS + 1))


def test_every_item_links_at_least_two_exercises_that_exist(items):
    library = set(Exercise.objects.values_list("slug", flat=True))

    for item in items:
        assert len(item.exercise_slugs) >= 2, item.key
        assert set(item.exercise_slugs) <= library, item.key


def test_every_item_says_how_to_check_what_yes_looks_like_and_why(items):
    for item in items:
        assert len(item.how_to_check) >= 3, item.key
        assert item.question.endswith("?")
        assert item.yes_looks_like and item.why and item.title
        assert item.regions
        assert item.get_source_display() != item.source


def test_the_ranks_follow_the_sources_spinal_mobility_first_lumbar_habits_late(items):
    order = [item.key for item in sorted(items, key=lambda item: item.priority_rank)]

    assert order[0] == "spinal_mobility"
    assert order.index("hip_mobility") < order.index("relaxed_core")
    assert order.index("walking_extension") < order.index("neutral_sitting")
    assert sorted(item.priority_rank for item in items) == list(range(1, 12))


def test_the_issues_examples_link_the_expected_exercises(items):
    links = {item.key: item.exercise_slugs for item in items}

    assert {"hips-over-heels-standing", "calf-stretch"} <= set(links["hips_over_heels"])
    assert {"cat-cow", "angry-cat", "thoracic-spine-roll"} <= set(links["spinal_mobility"])
    assert {"breathing-90-90", "ribcage-360-breathing"} <= set(links["breathing_360"])
    assert {"calf-stretch", "big-toe-mobility", "hip-mobility-lunge", "hip-flexor-stretch"} <= set(
        links["walking_extension"]
    )


def test_loading_again_changes_nothing(items):
    before = list(Item.objects.values())

    assert content.load() == "11 items (0 new, 0 retired)"
    assert list(Item.objects.values()) == before


def test_the_exercises_load_before_the_checklist_that_links_them():
    order = list(content_modules())

    assert order.index("exercises") < order.index("checklist")


def test_an_unknown_exercise_slug_fails_the_load_loudly(items, tmp_path, monkeypatch):
    rows = json.loads(content.FIXTURE.read_text())
    rows[0]["exercises"] = ["calf-stretch", "no-such-exercise"]
    fixture = tmp_path / "items.json"
    fixture.write_text(json.dumps(rows))
    monkeypatch.setattr(content, "FIXTURE", fixture)

    with pytest.raises(ImproperlyConfigured, match="no-such-exercise"):
        call_command("load_content", verbosity=0)

    assert Item.objects.get(key=rows[0]["key"]).exercise_slugs == items[0].exercise_slugs


def test_points_covered_twice_or_not_at_all_fail_the_load(items, tmp_path, monkeypatch):
    rows = json.loads(content.FIXTURE.read_text())
    rows[0]["points"] = [2]
    fixture = tmp_path / "items.json"
    fixture.write_text(json.dumps(rows))
    monkeypatch.setattr(content, "FIXTURE", fixture)

    with pytest.raises(ImproperlyConfigured, match="once each"):
        content.load()


def test_swapping_two_ranks_and_dropping_an_item_retires_it(items, tmp_path, monkeypatch):
    rows = json.loads(content.FIXTURE.read_text())
    by_key = {row["key"]: row for row in rows}
    first, second = by_key["spinal_mobility"], by_key["hip_mobility"]
    first["priority_rank"], second["priority_rank"] = 2, 1
    dropped = rows.pop()  # walking_extension, point 13: give its point to another item
    by_key["hips_over_heels"]["points"] = [1, 13]
    fixture = tmp_path / "items.json"
    fixture.write_text(json.dumps(rows))
    monkeypatch.setattr(content, "FIXTURE", fixture)

    call_command("load_content", verbosity=0)

    assert Item.objects.get(key="hip_mobility").priority_rank == 1
    assert Item.objects.get(key="spinal_mobility").priority_rank == 2
    retired = Item.objects.get(key=dropped["key"])
    assert (retired.active, retired.priority_rank) == (False, None)
    assert Item.objects.active().count() == 10


def test_the_notes_hold_the_pain_science_and_both_messages():
    text = " ".join(notes.pain_science())

    for fact in ("stress", "sleep", "Scans", "fear", "a little at a time"):
        assert fact in text
    assert "yes to every question" in notes.message_text(Message.KEEP_IT_UP)
    assert "spinal mobility" in notes.message_text(Message.START_ANYWHERE)
