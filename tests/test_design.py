"""The design system: colour tokens at AA contrast in both schemes, danger buttons on every
destructive action, allauth's pages in our own markup, the wordmark and favicon."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from apps.accounts.models import CareLink

ROOT = Path(__file__).resolve().parent.parent
CSS = (ROOT / "static" / "css" / "app.css").read_text()
TEMPLATES = ROOT / "templates"

# Names other parts of the stylesheet (and other people's sections) rely on.
LEGACY = [
    "ink", "muted", "paper", "wash", "line", "brand", "brand-dark", "focus", "danger",
    "danger-wash", "warn", "warn-wash", "ok", "ok-wash", "radius", "space", "measure",
]  # fmt: skip


def _block(css: str, start: str) -> str:
    """The body of the first `:root { … }` that follows `start`."""
    at = css.index(start)
    opening = css.index(":root {", at) + len(":root {")
    return css[opening : css.index("}", opening)]


def _tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*([^;]+);", block))


LIGHT = _tokens(_block(CSS, ":root"))
DARK = {**LIGHT, **_tokens(_block(CSS, "@media (prefers-color-scheme: dark)"))}


def _hex(tokens: dict[str, str], name: str) -> str:
    value = tokens[name].strip()
    while value.startswith("var(--"):  # follow aliases such as --info: var(--brand)
        value = tokens[value[6:-1]].strip()
    assert re.fullmatch(r"#[0-9a-f]{6}", value), f"--{name} is {value}"
    return value


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (text, background) pairs the components use; text needs 4.5:1 (WCAG 1.4.3).
TEXT_PAIRS = [
    *((ink, bg) for ink in ("ink", "muted", "brand", "brand-dark", "danger", "warn", "ok")
      for bg in ("paper", "surface", "wash")),
    ("ink", "brand-wash"), ("brand", "brand-wash"), ("brand-dark", "brand-wash"),
    ("muted", "brand-wash"),
    ("ink", "danger-wash"), ("danger", "danger-wash"),
    ("ink", "warn-wash"), ("warn", "warn-wash"),
    ("ink", "ok-wash"), ("ok", "ok-wash"),
    ("on-brand", "brand"), ("on-brand", "brand-dark"),
    ("on-danger", "danger"), ("on-danger", "danger-strong"),
    ("header-ink", "header-bg"), ("ink", "footer-bg"), ("brand", "footer-bg"),
    ("paper", "ink"),  # the skip link
]  # fmt: skip
# Control borders, focus rings and chart lines need 3:1 against what they sit on (1.4.11).
UI_PAIRS = [
    ("line-strong", "paper"), ("line-strong", "surface"), ("line-strong", "wash"),
    ("focus", "focus-ring"), ("chart-1", "paper"), ("chart-2", "paper"), ("chart-3", "paper"),
    ("figure-highlight", "paper"), ("figure-body", "paper"),
]  # fmt: skip


@pytest.mark.parametrize("tokens", [LIGHT, DARK], ids=["light", "dark"])
def test_text_and_controls_meet_aa_contrast_in_both_schemes(tokens):
    weak = [
        f"--{a} on --{b}: {contrast(_hex(tokens, a), _hex(tokens, b)):.2f}"
        for a, b in TEXT_PAIRS
        if contrast(_hex(tokens, a), _hex(tokens, b)) < 4.5
    ] + [
        f"--{a} on --{b}: {contrast(_hex(tokens, a), _hex(tokens, b)):.2f}"
        for a, b in UI_PAIRS
        if contrast(_hex(tokens, a), _hex(tokens, b)) < 3
    ]
    assert not weak


def test_the_old_token_names_still_work_and_dark_mode_redefines_every_colour():
    assert not [name for name in LEGACY if name not in LIGHT]
    colours = {name for name, value in LIGHT.items() if value.strip().startswith("#")}
    dark_only = _tokens(_block(CSS, "@media (prefers-color-scheme: dark)"))
    # Colours that are the same in both schemes on purpose.
    same = {"focus", "qr-paper"}
    assert colours - same <= set(dark_only), colours - same - set(dark_only)
    assert "color-scheme: light dark" in CSS


def test_colours_are_only_written_as_tokens():
    """Hard-coded colours outside the token blocks would not follow dark mode."""
    rules = CSS.replace(_block(CSS, ":root"), "").replace(
        _block(CSS, "@media (prefers-color-scheme: dark)"), ""
    )
    rules = re.sub(r"/\*.*?\*/", "", rules, flags=re.DOTALL)
    assert not re.findall(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(", rules)


DESTRUCTIVE = re.compile(
    r"^(Delete|Remove|Stop (sharing|this)|Deactivate|Make a new address)\b", re.IGNORECASE
)


def _buttons(source: str) -> list[tuple[str, str]]:
    """(class attribute, visible text) of each <button> in a template."""
    found = []
    for attrs, text in re.findall(r"<button\b([^>]*)>(.*?)</button>", source, re.DOTALL):
        label = re.sub(r"<span class=\"visually-hidden\">.*?</span>|<[^>]+>", "", text, flags=re.S)
        if 'aria-hidden="true"' in text:  # an icon button: its name is the hidden text
            label = re.sub(r"<[^>]+>", "", re.sub(r".*?visually-hidden\">", "", text, flags=re.S))
        classes = re.search(r'class="([^"]*)"', attrs)
        found.append((classes[1] if classes else "", " ".join(label.split())))
    return found


def test_every_destructive_button_in_our_templates_is_a_danger_button():
    destructive = [
        (path.relative_to(TEMPLATES), classes, label)
        for path in TEMPLATES.rglob("*.html")
        for classes, label in _buttons(path.read_text())
        if DESTRUCTIVE.match(label)
    ]
    names = {label.split()[0] for _, _, label in destructive}
    # The search finds the known ones (account, session, sharing, plan item, calendar address).
    assert {"Delete", "Remove", "Stop", "Make"} <= names, names
    assert not [d for d in destructive if "button--danger" not in d[1].split()]


def test_the_account_pages_use_danger_buttons(patient_client, clinician):
    assert (
        'class="button button--danger">Delete my account'
        in patient_client.get("/account/delete/").content.decode()
    )
    sharing = patient_client.get("/account/sharing/").content.decode()
    assert CareLink.objects.filter(clinician=clinician).exists()
    assert 'class="button button--secondary button--danger">Stop sharing' in sharing


def test_the_email_page_extends_our_base_and_uses_our_components(patient_client):
    html = patient_client.get("/accounts/email/").content.decode()

    assert 'class="skip-link"' in html and 'class="wordmark"' in html
    assert "<title>Your e-mail addresses · backpain</title>" in html
    assert '<ul class="email-list">' in html
    assert 'value="pat@example.org" id="email_radio_0" checked' in html
    assert re.search(r'<div class="field">\s*<label for="id_email">', html)
    assert 'name="action_remove" class="button button--secondary button--danger"' in html
    assert 'name="action_add" class="button"' in html
    # allauth's own scripts come without a CSP nonce: our page leaves them out.
    assert "account/js/account.js" not in html


def test_allauth_element_pages_use_our_components(clinician_client):
    """The MFA pages come from allauth and render through templates/allauth/elements."""
    html = clinician_client.get("/accounts/2fa/").content.decode()

    assert 'class="skip-link"' in html
    assert '<section class="card panel">' in html
    assert 'class="button button--danger button--secondary"' in html  # Deactivate
    assert "<p>\n" not in html.split('<main id="main"')[1].split("</main>")[0][:200]


def test_a_checkbox_sits_before_its_label(client, db):
    html = client.get("/accounts/login/").content.decode()

    check = r'<div class="field field--check">\s*<input type="checkbox"[^>]*>\s*<label'
    assert re.search(check, html), "the remember-me box is not beside its label"


def test_the_brand_link_has_the_wordmark_and_its_name(client, db):
    html = client.get("/").content.decode()
    link = re.search(r'<a class="brand" href="/">(.*?)</a>', html, re.DOTALL)[1]

    assert '<svg class="wordmark"' in link and 'aria-hidden="true"' in link
    assert '<span class="visually-hidden">backpain home</span>' in link
    dark = '<meta name="theme-color" content="#0b2a37" media="(prefers-color-scheme: dark)">'
    assert dark in html


@pytest.mark.parametrize("name", ["favicon.svg", "icon.svg"])
def test_the_favicon_is_valid_svg(name):
    root = ElementTree.fromstring((ROOT / "static" / "img" / name).read_text())

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 32 32"


def test_the_reauthenticate_page_speaks_plainly_in_our_markup(patient_client):
    html = patient_client.get("/accounts/reauthenticate/?next=/accounts/email/").content.decode()

    assert "<h1>Confirm it is you</h1>" in html and 'class="skip-link"' in html
    assert re.search(r'<div class="field">\s*<label for="id_password">Password</label>', html)
    assert '<form class="stack" method="post" action="/accounts/reauthenticate/">' in html
