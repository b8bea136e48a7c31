"""Help author figures (docs/figures.md): show where a pose puts the body, and tidy the fixtures.

    manage.py figures show bridge        # each keyframe's points (hands, heels...) and any error
    manage.py figures format             # keyframes one per line, "figure" last, in both fixtures

Neither needs the database: both read the fixture files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.exercises import figures

FIXTURES = {
    "slug": Path(settings.BASE_DIR) / "fixtures" / "exercises.json",
    "key": Path(settings.BASE_DIR) / "fixtures" / "checklist_items.json",
}


class Command(BaseCommand):
    help = "Show a figure's keyframes as points, or tidy the figures in the fixtures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["show", "format"])
        parser.add_argument("names", nargs="*", help="exercise slugs or checklist keys")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "format":
            for id_key, path in FIXTURES.items():
                for row in json.loads(path.read_text(encoding="utf-8")):
                    if row.get("figure"):
                        set_figure(path, id_key, row[id_key], row["figure"])
            self.stdout.write("Formatted the figures in both fixtures.")
            return
        rows = {
            row[id_key]: row
            for id_key, path in FIXTURES.items()
            for row in json.loads(path.read_text(encoding="utf-8"))
        }
        for name in options["names"]:
            if name not in rows:
                raise CommandError(f"No exercise or checklist item {name!r}.")
            self.show(name, rows[name].get("figure") or {})

    def show(self, name: str, figure: dict) -> None:
        self.stdout.write(f"== {name}")
        if not figure:
            self.stdout.write("   no figure yet")
            return
        for number, keyframe in enumerate(figure.get("keyframes", []), start=1):
            self.stdout.write(f"keyframe {number}: {keyframe.get('label', '')}")
            try:
                points = figures.positions(figure["view"], keyframe)
            except (KeyError, TypeError, ValueError) as error:
                self.stdout.write(f"   cannot place the points: {error!r}")
                continue
            for point, (x, y, radius) in points.items():
                gap = figures.FLOOR - (y + radius)
                self.stdout.write(f"   {point:12} x {x:6.1f}  y {y:6.1f}  above floor {gap:6.1f}")
        try:
            figures.validate(figure)
        except figures.FigureError as error:
            self.stdout.write(self.style.ERROR(f"   error: {error}"))
        else:
            markup = figures.render(figure, "large")
            size = figures.compressed_size(markup)
            self.stdout.write(self.style.SUCCESS(f"   valid; {size} bytes compressed"))


def format_figure(figure: dict, indent: int = 4) -> str:
    """The house layout: one line per keyframe and per prop, so a diff shows which pose moved."""
    pad = " " * indent
    lines = []
    for key, value in figure.items():
        if key in ("keyframes", "props") and value:
            inner = ",\n".join(f"{pad}    {json.dumps(item, ensure_ascii=False)}" for item in value)
            lines.append(f'{pad}  "{key}": [\n{inner}\n{pad}  ]')
        else:
            lines.append(f'{pad}  "{key}": {json.dumps(value, ensure_ascii=False)}')
    return "{\n" + ",\n".join(lines) + f"\n{pad}}}"


def set_figure(path: Path, id_key: str, name: str, figure: dict) -> None:
    """Write `figure` as the last key of one entry, leaving every other line as it was."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f'    "{id_key}": "{name}",')
    end = next(i for i in range(start, len(lines)) if lines[i] in ("  }", "  },"))
    old = next((i for i in range(start, end) if lines[i].startswith('    "figure": ')), None)
    if old is not None:
        del lines[old:end]
        end = old
        lines[end - 1] = lines[end - 1].removesuffix(",")
    lines[end - 1] += ","
    lines.insert(end, '    "figure": ' + format_figure(figure))
    text = "\n".join(lines)
    json.loads(text)  # never leave a broken fixture behind
    path.write_text(text, encoding="utf-8")
