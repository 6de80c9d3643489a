"""Number formatting for templates of every app (`{% load number_format %}`, settings.TEMPLATES
"libraries"): rounded, with thousands separators; a missing value shows as "—"."""

from decimal import Decimal
from functools import wraps

from django import template
from django.utils.formats import number_format

register = template.Library()

EMPTY = "—"


def _format(value, digits):
    digits = int(digits)
    return number_format(round(value, digits), decimal_pos=digits, force_grouping=True)


def _dash_when_missing(formatter):
    """None or "" (no value, no denominator) shows as "—" instead of going to the formatter, and
    a stored value that is not a number (odd source data) shows as its text."""

    @wraps(formatter)
    def filter_function(value, *args):
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return str(value)
        return formatter(value, *args)

    return filter_function


@register.filter
@_dash_when_missing
def percent(value, digits=1):
    """A share: 0.1234 → "12.3%"; None (no denominator) → "—"."""
    return f"{_format(value * 100, digits)}%"


@register.filter
@_dash_when_missing
def percent_points(value, digits=1):
    """A figure already in percent (energy burden 6.24) → "6.2%"."""
    return f"{_format(value, digits)}%"


@register.filter
@_dash_when_missing
def money(value):
    """1234.5 → "$1,234"; None → "—"."""
    return f"${_format(value, 0)}"


@register.filter
@_dash_when_missing
def number(value, digits=0):
    """Thousands separators with a fixed number of decimals; None → "—"."""
    return _format(value, digits)
