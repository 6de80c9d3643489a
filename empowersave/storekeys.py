"""Field names MongoDB, MongoEngine or the templates cannot take as they are, escaped reversibly.

Source data names its fields freely: "$where", "a.b", "" or, from the API's JSON, a name with a
NUL. MongoDB refuses or misreads a leading "$", a "." and a NUL in a stored key (and BSON cannot
encode a NUL in one at all); MongoEngine reads "_cls" as the name of a document class, anywhere
in a document. Where keys become attributes (a participant's custom fields), more names are
`reserved` (see participants.fields.stored_key). So every stored key goes through `escape_key`,
and every page shows `unescape_key` of it: one pair, inverse of each other for every name
(tests/empowersave/test_storekeys.py).

Escaped: "%" → "%25", "." → "%2E", NUL → "%00"; then a first character "$", or the first
character of a reserved name, → "%XX" of it; the empty name → "%". Every escaped key holds a
"%" and no key left as it was does, so no two names share a key. A name that needs none of this
(the common case) is stored as it is.
"""

import re

_ESCAPE = re.compile(r"%([0-9A-F]{2})")
EMPTY_KEY = "%"  # the stored key of the empty name ("%" alone is never an escape)
MONGOENGINE_CLASS_KEY = "_cls"


def _reserved_anywhere(name):
    return name == MONGOENGINE_CLASS_KEY


def escape_key(name, *, reserved=_reserved_anywhere):
    """The key `name` is stored under (a name that is not text is first made text); `reserved`
    tells which other names must not be stored as they are (by default only "_cls")."""
    if not isinstance(name, str):
        name = str(name)
    if not name:
        return EMPTY_KEY
    if (
        name[0] != "$"
        and "." not in name
        and "%" not in name
        and "\0" not in name
        and not reserved(name)
    ):
        return name
    key = name.replace("%", "%25").replace(".", "%2E").replace("\0", "%00")
    if key[0] == "$" or reserved(key):
        key = f"%{ord(key[0]):02X}{key[1:]}"
    return key


def unescape_key(key):
    """The name a stored key stands for: the inverse of `escape_key`."""
    if "%" not in key:
        return key
    if key == EMPTY_KEY:
        return ""
    return _ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), key)


def escape_keys(value):
    """`value` with the keys of every document in it escaped (lists and documents, any depth)."""
    if isinstance(value, dict):
        return {escape_key(key): escape_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [escape_keys(item) for item in value]
    return value


def unescape_keys(value):
    """The inverse of `escape_keys`."""
    if isinstance(value, dict):
        return {unescape_key(key): unescape_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unescape_keys(item) for item in value]
    return value
