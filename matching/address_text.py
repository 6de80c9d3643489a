"""Free text to the upper-case words an address's parts are read from (matching.street_forms,
matching.localities, matching.address_parser, matching.index): punctuation to spaces but for the
marks that carry meaning ("#", "/", a house number's range "20-22" and half "12½")."""

import re

# Punctuation that separates words; "#" and "/" are kept because they carry meaning, and "-"
# between digits (a house number's range, 20-22; `_number_marks`).
_PUNCTUATION = re.compile(r"[^\w#/ -]+")
# The same for ASCII text as a bytes table: bytes.translate reads it in C, 6 to 10 times as fast
# as str.translate's mapping, looked up character by character (timeit, "593 VASQUEZ RD").
_ASCII_PUNCTUATION = bytes(
    code if (chr(code).isalnum() or chr(code) in "_#/- ") else ord(" ") for code in range(256)
)
_RANGE_HYPHEN = re.compile(r"(?<=\d)\s*-\s*(?=\d)")
_LOOSE_HYPHEN = re.compile(r"(?<!\d)-|-(?!\d)")
_HALF = re.compile(r"(?<=\d)\.5(?![\d/])|\u00bd")


# The full-width forms of ASCII (U+FF01–U+FF5E, what an East Asian keyboard's input method types:
# "４４４９ Ｍａｉｎ Ｓｔ") and the ideographic space, as ASCII.
_HALF_WIDTH = {0xFF01 + offset: 0x21 + offset for offset in range(94)} | {0x3000: 0x20}


def half_width(text):
    """`text` with its full-width letters, digits and punctuation as ASCII ("４４４９" → 4449),
    so a participant who typed them is read as one who did not: their number is a parcel's
    number, their street, town and name words those of the county and its household records
    (clean_text, and parse_address before its patterns)."""
    return text.translate(_HALF_WIDTH)


def clean_text(raw):
    """Upper case, punctuation to spaces (except # and /, and the marks of `_number_marks`),
    single spaces; None when empty."""
    if raw is None:
        return None
    text = str(raw).upper()
    if not text.isascii():
        text = half_width(text)
    if "-" in text or "." in text or "\u00bd" in text:
        text = _number_marks(text)
    if text.isascii():
        text = text.encode("ascii").translate(_ASCII_PUNCTUATION).decode("ascii")
    else:
        text = _PUNCTUATION.sub(" ", text)
    return " ".join(text.split()) or None


def _number_marks(text):
    """A hyphen kept between digits only (a house number's range, "20 - 22" → 20-22; a hyphen
    elsewhere separates words), and a half written "½" or ".5" as " 1/2" ("12½", "12.5": the
    county's 12 1/2)."""
    if "-" in text:
        text = _LOOSE_HYPHEN.sub(" ", _RANGE_HYPHEN.sub("-", text))
    if "." in text or "\u00bd" in text:
        text = _HALF.sub(" 1/2", text)
    return text
