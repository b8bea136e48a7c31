"""Pick exercises into the rows of a form: a library search and Add/Remove buttons.

Shared by the clinician's prescription page and the patient's session log. The rows live
in the page's one form until it is saved: searching, adding or removing posts the whole
form back and the page comes back with the change, so nothing typed is lost and the page
works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .forms import LibraryFilterForm
from .models import Exercise

SEARCH_PREFIX = "search"


def library_search(data: Any, library: dict[str, Exercise]) -> dict[str, Any]:
    """The library search: its form (valid values only) and the exercises it finds."""
    filters, notes = LibraryFilterForm(data, prefix=SEARCH_PREFIX).valid_filters()
    found = LibraryFilterForm.apply(Exercise.objects.all(), filters)
    return {
        # Re-bound with the valid values only, so ignored filters show as "Any".
        "search_form": LibraryFilterForm(
            {f"{SEARCH_PREFIX}-{name}": value for name, value in filters.items()},
            prefix=SEARCH_PREFIX,
        ),
        # The queryset filters and orders; the rows come from the library already loaded.
        "results": [library[slug] for slug in found.values_list("slug", flat=True)],
        "searched": bool(filters),
        "search_notes": notes,
    }


@dataclass(frozen=True)
class Change:
    """What an Add or Remove did, in words, and a `messages` level name for it."""

    text: str
    level: str = "success"


def change_rows(
    rows: list[dict[str, Any]],
    *,
    add: str | None,
    remove: str | None,
    library: dict[str, Exercise],
    new_row: Callable[[Exercise], dict[str, Any]],
    limit: int,
    container: str,
    too_many: str,
) -> tuple[list[dict[str, Any]], Change | None]:
    """Apply the Add (a slug) or Remove (a row's index) button that was pressed.

    `container` names the rows in a sentence ("the programme"); `too_many` is said when
    `limit` rows are there already.
    """
    if add:
        exercise = library.get(add)
        if exercise is None:
            return rows, Change("That exercise is not in the library.", "error")
        if add in {row.get("exercise") for row in rows}:
            return rows, Change(f"{exercise.name} is already in {container}.", "info")
        if len(rows) >= limit:
            return rows, Change(too_many, "error")
        return [*rows, new_row(exercise)], Change(f"Added {exercise.name}.")
    if remove is not None:
        kept = [row for index, row in enumerate(rows) if str(index) != remove]
        if len(kept) < len(rows):
            gone = next(row for index, row in enumerate(rows) if str(index) == remove)
            exercise = library.get(str(gone.get("exercise") or ""))
            return kept, Change(f"Removed {exercise.name if exercise else 'the exercise'}.")
    return rows, None
