"""Number formatting for the dashboard templates (rounded, with thousands separators)."""

from django import template
from django.utils.formats import number_format

register = template.Library()

EMPTY = "—"


def _format(value, digits):
    digits = int(digits)
    return number_format(round(value, digits), decimal_pos=digits, force_grouping=True)


@register.filter
def percent(value, digits=1):
    """A share: 0.1234 → "12.3%"; None (no denominator) → "—"."""
    if value is None or value == "":
        return EMPTY
    return f"{_format(value * 100, digits)}%"


@register.filter
def percent_points(value, digits=1):
    """A figure already in percent (energy burden 6.24) → "6.2%"."""
    if value is None or value == "":
        return EMPTY
    return f"{_format(value, digits)}%"


@register.filter
def money(value):
    """1234.5 → "$1,234"; None → "—"."""
    if value is None or value == "":
        return EMPTY
    return f"${_format(value, 0)}"


@register.filter
def number(value, digits=0):
    """Thousands separators with a fixed number of decimals; None → "—"."""
    if value is None or value == "":
        return EMPTY
    return _format(value, digits)
