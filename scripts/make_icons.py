"""Render the app icons (static/img/icon-*.png) from static/img/icon.svg with Chromium.

Run after changing the SVG: `.venv/bin/python scripts/make_icons.py`. The maskable icon
fills the whole square with the background colour and keeps the drawing inside the
central 80% circle that launchers never crop. Needs Playwright and /usr/bin/chromium,
as the browser tests do.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parent.parent / "static" / "img"
BACKGROUND = "#083f53"
# name: (size in px, maskable)
ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),
}


def page_html(svg: str, size: int, maskable: bool) -> str:
    # A maskable icon, and Apple's (which iOS rounds itself), get a full-bleed square.
    inner = int(size * 0.7) if maskable else size
    return f"""<!DOCTYPE html><html><head><style>
      html, body {{ margin: 0; width: {size}px; height: {size}px; overflow: hidden;
        background: {BACKGROUND if maskable else "transparent"}; }}
      svg {{ display: block; width: {inner}px; height: {inner}px;
        margin: {(size - inner) // 2}px; }}
    </style></head><body>{svg}</body></html>"""


def main() -> None:
    svg = (IMG / "icon.svg").read_text()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, (size, maskable) in ICONS.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(page_html(svg, size, maskable))
            page.screenshot(path=IMG / name, omit_background=not maskable)
            page.close()
            print(f"wrote static/img/{name} ({size}x{size})")
        browser.close()


if __name__ == "__main__":
    main()
