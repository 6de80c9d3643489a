"""US address normalisation shared by the migration and the matcher."""

import re

_DIGITS = re.compile(r"\d+")


def normalize_zip(raw):
    """A 5-digit ZIP string, or None.

    Accepts strings and the ints that county `parcel_zip` holds: ZIP+4 ("12345-6789",
    "123456789") is cut to five digits, and a ZIP that lost its leading zero (2134, "2134")
    gets it back.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        if raw != raw or raw <= 0:
            return None
        raw = int(raw)
    if isinstance(raw, int):
        digits = str(raw)
    else:
        groups = _DIGITS.findall(str(raw))
        digits = groups[0] if groups else ""
        if len(groups) > 1 and len(digits) == 5 and len(groups[1]) == 4:
            return digits
    if len(digits) == 9:
        digits = digits[:5]
    if not 3 <= len(digits) <= 5:
        return None
    digits = digits.zfill(5)
    return None if digits == "00000" else digits
