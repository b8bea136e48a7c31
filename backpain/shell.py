"""`{% fixed_url %}` and `{% fixed_static %}`: the links every page's shell repeats, worked
out once per process.

Every page renders the header, menu and footer, a dozen links to URLs that take no
arguments and five static files; `{% url %}` and `{% static %}` work each out again on every
request, a good part of what the guest home page costs over a bare page. A URL name always
reverses to the same path under a given script prefix and URL configuration, and a static
file's URL changes only with the collected files (a new process), so the answers are kept
(tests that change the settings involved clear them through `setting_changed`).
"""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

register = Library()


@lru_cache(maxsize=128)
def _reverse(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)


@lru_cache(maxsize=1024)
def _reverse_with(name: str, args: tuple[str, ...], prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=args, urlconf=urlconf)


def reverse_kept(name: str, *args: str) -> str:
    """`reverse(name, args=args)`, remembered: for the links a page repeats by the dozen
    with a few arguments each (an exercise's page, by its slug)."""
    return _reverse_with(name, args, get_script_prefix(), get_urlconf())


@register.simple_tag
def fixed_url(name: str) -> str:
    """The path of a URL that takes no arguments (`{% url name %}`, remembered)."""
    return _reverse(name, get_script_prefix(), get_urlconf())


@register.simple_tag
@lru_cache(maxsize=64)
def fixed_static(path: str) -> str:
    """The URL of a static file (`{% static path %}`, remembered)."""
    return static(path)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _reverse.cache_clear()
        _reverse_with.cache_clear()
    if setting in {"STATIC_URL", "STORAGES", "DEBUG", "FORCE_SCRIPT_NAME"}:
        fixed_static.cache_clear()
