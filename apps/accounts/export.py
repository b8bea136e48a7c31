"""Package one person's data as a ZIP: a README, a CSV per kind of record, and data.json.

What each file holds is defined once, in `exportfiles.FILES`; this module turns those
definitions into the files, and the README and the export page read the same definitions,
so the description cannot drift from the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import textwrap
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.utils import timezone

from .exportfiles import FILES, ExportFile

README_NAME = "README.txt"
JSON_NAME = "data.json"
# Spreadsheets run a cell that starts with one of these as a formula. Text written by
# someone else (a clinician's plan notes) must not run in the person's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


def json_value(value: Any) -> Any:
    """A column's value for data.json: ISO dates, times with their offset, plain JSON."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value


def plain(value: Any) -> str:
    """A column's value as text: Yes or No, ISO dates, local times to the minute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(plain(item) for item in value)
    return str(value)


def csv_cell(value: Any) -> str:
    """A column's value as spreadsheet text; a would-be formula starts with `'`."""
    text = plain(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def records(definition: ExportFile, rows: list[Any]) -> list[dict[str, Any]]:
    """The file's records for data.json, each with its part rows nested under the part's key."""
    found = []
    for row in rows:
        record = {column.key: json_value(column.get(row)) for column in definition.columns}
        if definition.part is not None:
            record[definition.part.key] = [
                {column.key: json_value(column.get(inner)) for column in definition.part.columns}
                for inner in definition.inside(row)
            ]
        found.append(record)
    return found


def to_csv(definition: ExportFile, rows: list[Any]) -> str:
    """The CSV text: the header row, then a line per part row (one for a record without)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(definition.headers)
    inner_columns = set(definition.part.columns) if definition.part else set()
    for row in rows:
        for inner in definition.inside(row) or [None]:
            writer.writerow(
                [
                    csv_cell(
                        (column.get(inner) if inner is not None else None)
                        if column in inner_columns
                        else column.get(row)
                    )
                    for column in definition.csv_columns
                ]
            )
    return out.getvalue()


def collect_rows(user: Model) -> dict[ExportFile, list[Any]]:
    """Every file's rows for this person, with a fixed number of queries."""
    return {definition: definition.rows(user) for definition in FILES}


def data(user: Model, found: dict[ExportFile, list[Any]] | None = None) -> dict[str, Any]:
    """Everything for data.json: when, in which time zone, then every file's records."""
    found = collect_rows(user) if found is None else found
    everything: dict[str, Any] = {
        "exported_at": json_value(timezone.now()),
        "time_zone": timezone.get_current_timezone_name(),
    }
    for definition, rows in found.items():
        everything[definition.key] = records(definition, rows)
    return everything


def wrap(text: str) -> str:
    return textwrap.fill(text, width=78, break_on_hyphens=False, break_long_words=False)


def bullet(text: str) -> str:
    return textwrap.fill(
        text,
        width=78,
        initial_indent="  - ",
        subsequent_indent="    ",
        break_on_hyphens=False,
        break_long_words=False,
    )


def readme(day: dt.date | None = None) -> str:
    """README.txt: how to read the ZIP, then every file and every column in plain words."""
    day = day or timezone.localdate()
    zone = timezone.get_current_timezone_name()
    parts = [
        "Your data from backpain",
        "=======================",
        "",
        wrap(
            f"Downloaded on {day.isoformat()}. This ZIP holds everything you have entered "
            "in backpain, and what the app and your clinicians recorded about it that is "
            "yours to take."
        ),
        "",
        wrap(
            "Each .csv file opens in a spreadsheet (Excel, LibreOffice Calc, Numbers, "
            "Google Sheets): one file per kind of record, with the column names in its "
            "first row. A file with only that row means you have no records of that kind. "
            f"{JSON_NAME} holds the same records for computer programs (see the end)."
        ),
        "",
        "How values are written:",
        bullet(f"Dates as year-month-day (2025-03-03); times as {zone} time, to the minute."),
        bullet("Yes or No for settings that are on or off."),
        bullet(f"Several values in one cell are separated by '{LIST_SEPARATOR.strip()}'."),
        bullet("An empty cell means nothing was recorded."),
        bullet(
            "Text that starts with = + - or @ gets a ' in front, so that a spreadsheet "
            f"shows it rather than running it as a formula. {JSON_NAME} has it exactly."
        ),
        "",
        wrap(
            "Not included: your password (stored only as a one-way secret), the exercises "
            "and questions that are the same for everyone (their names are given where you "
            "used them), clinicians' private notes about you, and internal codes and ids."
        ),
    ]
    for definition in FILES:
        parts += ["", "", definition.name, "-" * len(definition.name), wrap(definition.about), ""]
        for column in definition.csv_columns:
            parts.append(bullet(f"{column.header}: {column.help}"))
    parts += [
        "",
        "",
        JSON_NAME,
        "-" * len(JSON_NAME),
        wrap(
            "The same records for programs, in JSON. At the top: 'exported_at' (when, with "
            "the offset from UTC) and 'time_zone'. Then one list per CSV file, under the "
            "key given below, with the file's columns as keys (in brackets here). Dates are "
            "ISO 8601, times include the offset from UTC, numbers are numbers, yes/no are "
            "true/false, several values are a list, and nothing recorded is null."
        ),
        "",
    ]
    for definition in FILES:
        keys = ", ".join(column.key for column in definition.columns)
        line = f"'{definition.key}' ({definition.name}): {keys}"
        if definition.part is not None:
            inner = ", ".join(column.key for column in definition.part.columns)
            line += f"; and '{definition.part.key}', a list of: {inner}"
        parts.append(bullet(line + "."))
    return "\n".join(parts) + "\n"


def export_zip(user: Model) -> bytes:
    """Return the ZIP file of everything this person has entered."""
    found = collect_rows(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(README_NAME, readme())
        # The encoder writes any other value (a uuid, a decimal) as text rather than failing.
        everything = data(user, found)
        text = json.dumps(everything, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
        archive.writestr(JSON_NAME, text)
        for definition, rows in found.items():
            # The byte-order mark makes spreadsheet programs read the file as UTF-8.
            archive.writestr(definition.name, "\ufeff" + to_csv(definition, rows))
    return buffer.getvalue()
