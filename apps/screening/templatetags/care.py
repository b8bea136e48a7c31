"""Template filters for care advice."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Numbers a person may need to ring from a phone: UK emergency and NHS 111, and the
# emergency numbers the advice gives for Europe and the USA.
NUMBERS = {
    "999": "Call 999, emergency services",
    "111": "Call NHS 111",
    "112": "Call 112, emergency services in Europe",
    "911": "Call 911, emergency services in the USA",
}
NUMBER = re.compile(r"(?<![\d/])(999|111|112|911)(?![\d/])")


@register.filter(is_safe=True)
def tel_links(text: str) -> SafeString:
    """Escape the text and make each emergency or NHS 111 number a tap-to-call link."""
    escaped = str(conditional_escape(text))
    linked = NUMBER.sub(
        lambda match: format_html(
            '<a class="tel" href="tel:{0}" aria-label="{1}">{0}</a>',
            match.group(1),
            NUMBERS[match.group(1)],
        ),
        escaped,
    )
    # Safe: the text was escaped above and the only markup added is format_html's.
    return mark_safe(linked)
