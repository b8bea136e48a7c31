from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


class FormRenderer(TemplatesSetting):
    """Render every form field through one template so errors sit beside fields."""

    field_template_name = "forms/field.html"


def input_tag(widget: dict[str, Any]) -> SafeString:
    """An <input>, as Django's input.html and attrs.html write it (every value escaped), from
    a widget's or a radio option's context."""
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    attrs = "".join(
        f" {name}" if on is True else f' {name}="{escape(on)}"'
        for name, on in widget["attrs"].items()
        if on is not False
    )
    return mark_safe(  # noqa: S308 (the type, name, value and attributes are escaped)
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{attrs}>'
    )


class QuickInput(forms.widgets.Input):
    """An input written out by `input_tag` rather than by two templates: the session log has
    four inputs a line, up to 20 lines, and every wizard step has its hidden item key."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        return input_tag(self.get_context(name, value, attrs)["widget"])


class QuickHiddenInput(QuickInput, forms.HiddenInput):
    pass
