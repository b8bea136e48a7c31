"""Package one person's data as a ZIP: one JSON file with every table, and a CSV per table."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model

from .owndata import collect, columns

JSON_NAME = "backpain-data.json"
# Spreadsheets run a cell that starts with one of these as a formula. Text written by
# someone else (a clinician's plan notes) must not run in the person's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    label: str
    columns: list[str]
    rows: list[dict[str, Any]]

    @property
    def csv_name(self) -> str:
        return f"{self.label}.csv"


def tables(user: Model) -> list[Table]:
    """Return this person's tables with JSON-ready rows, one query per table."""
    found = []
    for label, queryset in collect(user).items():
        names = columns(queryset.model)
        rows = list(queryset.values(*names))
        # The encoder writes UUIDs, dates and times as ISO strings; reading back gives
        # plain JSON values, the same for the JSON file and the CSV cells.
        found.append(Table(label, names, json.loads(json.dumps(rows, cls=DjangoJSONEncoder))))
    return found


def csv_cell(value: Any) -> str:
    """Return the CSV text for a JSON value: text as itself, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return f"'{value}" if value.startswith(FORMULA_STARTS) else value
    return json.dumps(value, ensure_ascii=False)


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([csv_cell(row[name]) for name in table.columns])
    return out.getvalue()


def export_zip(user: Model) -> bytes:
    """Return the ZIP file of everything this person has entered."""
    found = tables(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        everything = {table.label: table.rows for table in found}
        archive.writestr(JSON_NAME, json.dumps(everything, indent=2, ensure_ascii=False))
        for table in found:
            # The byte-order mark makes spreadsheet programs read the file as UTF-8.
            archive.writestr(table.csv_name, "\ufeff" + to_csv(table))
    return buffer.getvalue()
