"""A source row's custom fields as the target stores them: cleaned, typed, ZIPs as five digits.

Pure functions, no database. The migration and the API sync type every row's `fields` here, and
matching and the dashboard read ZIPs through the same `normalize_zip`, so "02134", "2134" and
"02134-1111" are one ZIP everywhere.
"""

import math
import re
import unicodedata

import bson
import cython

from empowersave.storekeys import escape_key

_DIGITS = re.compile(r"\d+")

TEXT = "text"
ZIP = "zip"
NUMBER = "number"

# Source key → (kind, derived key). Derived keys hold what we parsed from the raw value.
KNOWN_FIELDS = {
    "FirstName": (TEXT, None),
    "LastName": (TEXT, None),
    "Address": (TEXT, None),
    "City": (TEXT, None),
    "Phone": (TEXT, None),
    "ZIP": (ZIP, "zip5"),
    "kWh": (NUMBER, "kwh_value"),
    "annualcost": (NUMBER, "annual_cost_value"),
    "AnnualSavings": (NUMBER, "annual_savings_value"),
}
_KNOWN_BY_LOWER = {key.lower(): key for key in KNOWN_FIELDS}
# Stored keys that only hold what was parsed from a raw value (zip5, kwh_value, ...).
DERIVED_FIELD_KEYS = frozenset(derived for _kind, derived in KNOWN_FIELDS.values() if derived)
# The stored fields matching reads: when one changes, the person's match is out of date.
ADDRESS_FIELD_KEYS = ("Address", "City", "ZIP", "zip5")

_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")
_NUMBER_NOISE = re.compile(r"[$,\s]|usd|kwh", re.IGNORECASE)


def parse_number(raw):
    """A float from a messy export value: "$1,234.50" → 1234.5, "12,400" → 12400.0.

    "(12.50)" is accounting notation for -12.5. Anything that is not clearly a number
    ("n/a", "", "about 40", NaN) gives None; callers keep the raw value beside it.
    """
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        number = float(raw)
        return number if math.isfinite(number) else None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    text = _NUMBER_NOISE.sub("", text)
    if not _NUMBER.match(text):
        return None
    number = float(text)
    return -number if negative else number


def clean_text(raw):
    """Stripped, inner whitespace collapsed; numbers become strings; empty → None."""
    if isinstance(raw, str):
        return " ".join(raw.split()) or None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    return str(int(raw)) if float(raw).is_integer() else str(raw)


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def clean_fields(raw_fields):
    """Source `fields` → {source key: value} with empty values left out.

    Known keys are matched case-insensitively (" zip" → "ZIP") and cleaned: text stripped and
    numbers-as-text made strings; a value of another kind (a document, a list, a yes/no...) is
    kept as it came, never dropped. Number fields keep their raw value (parsed later). Unknown
    keys are kept exactly as they came (under their source names: `typed_fields` gives the stored
    keys).
    """
    cleaned = {}
    # A key spelled exactly as a known one ("ZIP") takes it before its variants (" zip "), which
    # are then kept under their own names: the same fields give the same result in any order.
    items = sorted((raw_fields or {}).items(), key=lambda item: item[0] not in KNOWN_FIELDS)
    for key, value in items:
        canonical = _KNOWN_BY_LOWER.get(key.strip().lower()) if isinstance(key, str) else None
        if canonical is None or canonical in cleaned:
            if not is_empty(value):
                cleaned[key] = value
            continue
        kind, _derived = KNOWN_FIELDS[canonical]
        if kind != NUMBER or isinstance(value, str):
            text = clean_text(value)
            value = value if text is None and not is_empty(value) else text
        if not is_empty(value):
            cleaned[canonical] = value
    return cleaned


def typed_fields(cleaned):
    """Cleaned fields in the stored shape: each under its stored key (`stored_key`), plus the
    values derived from them (zip5 and parsed numbers)."""
    typed = {stored_key(key): value for key, value in cleaned.items()}
    for key, (kind, derived) in KNOWN_FIELDS.items():
        value = cleaned.get(key)
        if kind == ZIP:
            zip5 = normalize_zip(value)
            if zip5 is not None:
                typed[derived] = zip5
        elif kind == NUMBER and value is not None:
            number = parse_number(value)
            if number is not None:
                typed[derived] = number
    return typed


def transform_fields(raw_fields):
    """One row's `fields` in the stored `ParticipantFields` shape."""
    return typed_fields(clean_fields(raw_fields))


def ascii_digits(digits):
    """Decimal digits of any script (what the pattern's \\d reads) as ASCII digits."""
    if digits.isascii():
        return digits
    return "".join(str(unicodedata.decimal(digit)) for digit in digits)


@cython.locals(char=cython.Py_UCS4)
def _ascii_decimal(text):
    """Whether `text` is ASCII digits, one at least (text.isascii() and text.isdecimal()):
    compiled, a loop over its characters in C, not two methods called: normalize_zip over a
    pass of the 20k demo took 5.0 → 2.4 M instructions (callgrind, 2026-12-03)."""
    for char in text:
        if not "0" <= char <= "9":
            return False
    return text != ""


@cython.locals(text=str, size=cython.Py_ssize_t)
def normalize_zip(raw):
    """A 5-digit ZIP string, or None.

    Accepts strings and the ints that county `parcel_zip` holds: ZIP+4 ("12345-6789",
    "123456789") is cut to five digits, and a ZIP that lost its leading zero (2134, "2134")
    gets it back, with its +4 too ("70501234", a spreadsheet's number: 07050). Digits of other
    scripts count as theirs ("０７０５０", typed with a full-width keyboard: 07050). Compiled, the
    common cases read a typed str: 5.4 → 5.1 M instructions in a warm pass over the 20k demo.
    """
    if type(raw) is str:  # the common cases, fast: as the pattern below
        text = raw
        size = len(text)
        if size == 5 and _ascii_decimal(text):
            return None if text == "00000" else text
        if size == 10 and text[5] == "-" and _ascii_decimal(text[:5]) and _ascii_decimal(text[6:]):
            return None if text[:5] == "00000" else text[:5]  # ZIP+4: 15 % of the demo's
        if size == 4 and _ascii_decimal(text):
            return None if text == "0000" else "0" + text  # "7050": 8 % of them
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        if not math.isfinite(raw) or raw <= 0:
            return None
        raw = int(raw)
    if isinstance(raw, int):
        digits = str(raw)
    else:
        groups = [ascii_digits(group) for group in _DIGITS.findall(str(raw))]
        digits = groups[0] if groups else ""
        if len(groups) > 1 and len(digits) == 5 and len(groups[1]) == 4:
            return None if digits == "00000" else digits
    if 7 <= len(digits) <= 9:  # ZIP+4 without its dash: the last four are the +4
        digits = digits[:-4]
    if not 3 <= len(digits) <= 5:
        return None
    digits = digits.zfill(5)
    return None if digits == "00000" else digits


# --- field names: every source key stored under one MongoDB, MongoEngine and templates take ---

# Custom-field names that must not be stored as they are, besides those empowersave.storekeys
# escapes anywhere: the attributes of the stored ParticipantFields (declared fields such as
# `first_name` and the derived `zip5`, methods such as `to_mongo`, which a dynamic field of
# that name would shadow). tests/participants/test_field_keys.py checks the list is complete.
RESERVED_KEYS = frozenset(
    [
        "address",
        "annual_cost",
        "annual_cost_value",
        "annual_savings",
        "annual_savings_value",
        "city",
        "clean",
        "first_name",
        "from_json",
        "get_text_score",
        "kwh",
        "kwh_value",
        "last_name",
        "my_metaclass",
        "phone",
        "to_json",
        "to_mongo",
        "validate",
        "zip",
        "zip5",
        "STRICT",
        "pk",
        "id",
    ]
)


def _attribute_reserved(name):
    """Names a custom field must not be stored under: ParticipantFields' own attributes, and
    every name starting with "_" (MongoEngine's: "_cls", "_data", "__class__"...)."""
    return name[0] == "_" or name in RESERVED_KEYS


def stored_key(name):
    """The key a custom field named `name` is stored under (empowersave.storekeys.escape_key,
    with ParticipantFields' names reserved); `unescape_key` gives the name back."""
    return escape_key(name, reserved=_attribute_reserved)


# --- sizes: what a participant stores is bounded; the whole value is kept beside it ------------

MAX_TEXT = 1_000  # characters of a stored text value (a name, an address, a custom field, ...)
MAX_VALUE_BYTES = 4_000  # BSON bytes of a stored value that is not text (a list, a document, ...)
SHORTENED_MARK = "…"


# How values are encoded as the store encodes them (UUIDs in the standard representation).
STORE_CODEC = bson.CodecOptions(uuid_representation=bson.binary.UuidRepresentation.STANDARD)


def value_size(value):
    """The BSON size of a value, in bytes (0 for what BSON cannot encode, which is kept as is)."""
    try:
        return len(bson.encode({"": value}, codec_options=STORE_CODEC))
    except (bson.errors.InvalidDocument, OverflowError, TypeError, ValueError):
        return 0


def shortened(value):
    """The value as stored: text over MAX_TEXT characters is cut (ending in "…"), a value of
    another kind over MAX_VALUE_BYTES becomes its shortened text; None when it fits as it is."""
    if isinstance(value, str):
        return value[:MAX_TEXT] + SHORTENED_MARK if len(value) > MAX_TEXT else None
    if isinstance(value, int | float | bool) or value is None:
        return None
    if value_size(value) <= MAX_VALUE_BYTES:
        return None
    return repr(value)[:MAX_TEXT] + SHORTENED_MARK
