"""{% load figures %} {% figure exercise "small" %}: an exercise's or checklist item's figure;
{% figure_still exercise %}: its start pose alone, for a card."""

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


@register.simple_tag
def figure_still(thing: Any) -> SafeString:
    """The start pose of `thing.figure` alone (exercise cards); nothing when it has none yet."""
    return figures.still(getattr(thing, "figure", None))
