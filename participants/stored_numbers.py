"""Numbers read back from stored documents, which odd data may have made anything.

A stored weight, probability or amount counts only when it is a finite int or float: a bool, a
string, NaN or infinity counts as none, so that no page, sort key or rollup shows or adds it.
"""

import math


def finite_number(value):
    """`value` as a float when it is a finite number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) or math.isinf(value) else float(value)


def stored_field(scored, name):
    """Field `name` of a stored candidate or match, a raw dict or a document."""
    if isinstance(scored, dict):
        return scored.get(name)
    return getattr(scored, name, None)


def stored_probability(scored):
    """The probability of a stored candidate or match (raw dict or document): from its score
    (percent) when it was stored before probabilities were; None when neither is a number."""
    if scored is None:
        return None
    value = finite_number(stored_field(scored, "probability"))
    if value is None:
        score = finite_number(stored_field(scored, "score"))
        value = None if score is None else score / 100.0
    return value
