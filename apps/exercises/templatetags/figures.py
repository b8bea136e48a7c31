"""{% load figures %} {% figure exercise "small" %}: an exercise's or checklist item's figure."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from apps.exercises import figures

register = template.Library()


@register.simple_tag
def figure(thing: Any, size: str = "small") -> SafeString:
    """Render `thing.figure` (an Exercise or a checklist Item); nothing when it has none yet."""
    return figures.render(getattr(thing, "figure", None), size)
