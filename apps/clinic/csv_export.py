"""One patient's weekly check-ins and exercise sessions as a CSV file a spreadsheet opens.

One row per check-in or session, oldest first (a check-in before a session on the same day).
The columns, also listed in docs/own-data.md:

| column | check-in row | session row |
|---|---|---|
| `record` | `check-in` | `session` |
| `date` | Monday of the week checked in for (ISO, 2025-03-03) | day the session was done (ISO) |
| `pain_average` | average pain that week, 0-10 | empty |
| `pain_worst` | worst pain that week, 0-10 | empty |
| `nights_woken` | nights pain woke them or kept them awake, 0-7 | empty |
| `days_active` | days active for 30 minutes or more, 0-7 | empty |
| `exercises` | empty | exercise names, in the order logged, separated by `; ` |
| `pain_during` | empty | pain during the session, 0-10 |
| `note` | the patient's note | the patient's note |

Text that a spreadsheet would run as a formula starts with `'` (the patient wrote it).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg

from apps.accounts.export import csv_cell
from apps.accounts.models import User
from apps.progress.models import CheckIn, Session

COLUMNS = [
    "record",
    "date",
    "pain_average",
    "pain_worst",
    "nights_woken",
    "days_active",
    "exercises",
    "pain_during",
    "note",
]
EXERCISE_SEPARATOR = "; "


def rows(patient: User) -> list[dict[str, Any]]:
    """Return the patient's check-ins and sessions as CSV rows, oldest first (two queries)."""
    found = [
        {
            "record": "check-in",
            "date": check_in.week_start,
            "pain_average": check_in.pain_average,
            "pain_worst": check_in.pain_worst,
            "nights_woken": check_in.sleep_nights,
            "days_active": check_in.days_active,
            "note": check_in.note,
        }
        for check_in in CheckIn.objects.for_patient(patient).order_by("week_start")
    ]
    sessions = (
        Session.objects.for_patient(patient)
        .annotate(exercise_names=ArrayAgg("entries__exercise__name", order_by="entries__id"))
        .order_by("performed_on", "created_at")
    )
    found += [
        {
            "record": "session",
            "date": session.performed_on,
            # A session logged without entries aggregates to [None].
            "exercises": EXERCISE_SEPARATOR.join(name for name in session.exercise_names if name),
            "pain_during": session.pain_during,
            "note": session.note,
        }
        for session in sessions
    ]
    # Stable sort: same-day rows keep check-ins first, and each kind keeps its own order.
    found.sort(key=lambda row: row["date"])
    for row in found:
        row["date"] = row["date"].isoformat()
    return found


def patient_csv(patient: User) -> str:
    """Return the CSV text, with a byte-order mark so spreadsheets read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows(patient):
        writer.writerow([csv_cell(row.get(name)) for name in COLUMNS])
    return "\ufeff" + out.getvalue()
