"""Participant data in templates: any stored value shown as text, long values shortened.

Source data is whatever an export held: a 1 MB first name, a number or a dict where text was
expected. `shorten` keeps titles, headings and table cells short; `long_text` shows the start
and puts the whole value behind a "Show all" <details>, once per page. Both escape (their
plain-text results go through autoescaping; `long_text` builds its HTML with format_html).
Templates of every app load it as `{% load text_format %}` (settings.TEMPLATES "libraries").
"""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

register = template.Library()

SHORT_LENGTH = 200


def as_text(value):
    """Any stored value as text: None is "", anything that is not a string its str()."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


@register.filter
def shorten(value, length=SHORT_LENGTH):
    """At most `length` characters, "…" marking a cut (titles, headings, table cells)."""
    text, length = as_text(value), int(length)
    return text if len(text) <= length else text[:length] + "…"


@register.filter
def long_text(value, length=SHORT_LENGTH):
    """The first `length` characters, and the whole value behind a "Show all" <details>."""
    text, length = as_text(value), int(length)
    if len(text) <= length:
        return text
    return format_html(
        '{}…<details class="long-text"><summary>Show all {} characters</summary>'
        '<span class="long-text-full">{}</span></details>',
        text[:length],
        number_format(len(text), force_grouping=True),
        text,
    )
