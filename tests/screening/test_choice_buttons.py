"""The wizard's answer buttons, written out in Python (backpain.wizard.ChoiceButtons), give
the markup the template's loop over Django's radio buttons gave, checked and invalid states
and escaping included."""

from __future__ import annotations

import pytest
from django import forms
from django.template import engines

from backpain.wizard import StepForm

# What includes/wizard.html wrote before: Django's own template for each button.
LOOP = engines["django"].from_string(
    "{% for radio in form.answer %}"
    '<div class="choice">{{ radio.tag }}<label for="{{ radio.id_for_label }}">'
    "{{ radio.choice_label }}</label></div>{% endfor %}"
)


class TemplateStepForm(StepForm):
    answer = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", 'No <b>"really"</b>'), ("unsure", "Not sure")],
        widget=forms.RadioSelect,
    )


class QuickStepForm(StepForm):
    answer = forms.ChoiceField(
        choices=TemplateStepForm.base_fields["answer"].choices,
        widget=StepForm.base_fields["answer"].widget.__class__,
    )


@pytest.mark.parametrize(
    ("data", "answer"),
    [(None, None), (None, "no"), ({"item": "other"}, None), ({"item": "a", "answer": "yes"}, None)],
)
def test_the_buttons_read_as_django_s_own(data, answer):
    quick = QuickStepForm(data, item="a", answer=answer)
    django = TemplateStepForm(data, item="a", answer=answer)
    if data:  # a post: the errors mark the buttons invalid
        quick.is_valid()
        django.is_valid()

    expected = LOOP.render({"form": django})
    assert str(quick["answer"]).replace("\n          ", "") == expected
