"""The widgets written out in Python (apps/progress/forms.py) give the markup Django's own
templates give, escaping included, so the check-in and the log read the same as before."""

from __future__ import annotations

import re

from django import forms

from apps.progress.forms import (
    FunctionScale,
    PainScale,
    QuickHiddenInput,
    QuickNumberInput,
    RadioList,
)


def tags(html: str) -> list[str]:
    """Each tag with its attributes sorted, and the text between tags, whitespace ignored."""

    def sort_attrs(match: re.Match[str]) -> str:
        name, attrs = match.group(1), re.findall(r'[\w-]+(?:="[^"]*")?', match.group(2))
        return "<" + " ".join([name, *sorted(attrs)]) + ">"

    html = re.sub(r"<(\w+)([^>]*)>", sort_attrs, html)
    return [part.strip() for part in re.split(r"(<[^>]+>)", html) if part.strip()]


CHOICES = [("yes", "Yes"), ("no", 'No <b>"really"</b>'), ("unsure", "Not sure")]


def test_the_radio_list_matches_djangos_radio_select():
    attrs = {"id": "id_sign", "aria-describedby": 'help "x"', "required": True}
    ours = RadioList(choices=CHOICES).render("sign", "no", attrs)
    django = forms.RadioSelect(choices=CHOICES).render("sign", "no", attrs)

    assert tags(ours) == tags(django)
    assert "checked" in ours and "&lt;b&gt;" in ours and "<b>" not in ours


def test_quick_inputs_match_djangos():
    attrs = {"id": "id_reps", "inputmode": "numeric", "disabled": False, "required": True}
    for ours, django, value in [
        (QuickNumberInput, forms.NumberInput, 12),
        (QuickNumberInput, forms.NumberInput, None),
        (QuickHiddenInput, forms.HiddenInput, 'bridge"><script>'),
    ]:
        assert tags(ours().render("x", value, attrs)) == tags(django().render("x", value, attrs))


def test_a_scale_keeps_the_answer_and_names_its_ends():
    choices = [(n, str(n)) for n in range(11)]
    html = PainScale(choices=choices).render("pain", 4, {"id": "id_pain", "required": True})

    assert html.count('type="radio"') == 11
    (checked,) = re.findall(r"<input[^>]*checked[^>]*>", html)
    assert 'value="4"' in checked
    assert '<span class="scale__number">0</span><span class="visually-hidden">, No pain' in html
    assert '10</span><span class="visually-hidden">, Worst imaginable' in html
    assert 'for="id_pain_0"' in html and 'id="id_pain_0"' in html

    # With "Not scored" first, the 0 is not the first button and carries no end word.
    optional = FunctionScale(choices=[("", "Not scored"), *choices]).render("f", None, {})
    assert "Cannot do it</span>" in optional and ", Cannot do it" not in optional
    assert ", As well as before" in optional
