"""The one escape pair for stored keys: every name comes back, every stored key is safe."""

from hypothesis import given, settings
from hypothesis import strategies as st

from empowersave.storekeys import escape_key, escape_keys, unescape_key, unescape_keys
from participants.documents import ParticipantFields
from participants.fields import RESERVED_KEYS, stored_key

TRICKY = ["", "%", "%%", "%25", "%2E", "$", "$where", ".", "a.b", "\0", "_", "_cls", "__class__",
          "zip5", "%7Aip5", "first_name", "to_mongo", "FirstName", "é.$", "%zz", "%4"]  # fmt: skip
names = st.one_of(st.sampled_from(TRICKY), st.text(), st.text(alphabet="%.$_\0aZ4E2"))


@settings(max_examples=300)
@given(names)
def test_every_name_comes_back_and_is_stored_under_a_safe_key(name):
    for key in (escape_key(name), stored_key(name)):
        assert unescape_key(key) == name
        assert key and not key.startswith("$") and "." not in key and "\0" not in key
        assert key != "_cls"
    key = stored_key(name)
    assert not key.startswith("_") and key not in RESERVED_KEYS


@settings(max_examples=300)
@given(names, names)
def test_two_names_never_share_a_key(first, second):
    if first != second:
        assert escape_key(first) != escape_key(second)
        assert stored_key(first) != stored_key(second)


def test_plain_names_are_stored_as_they_are():
    assert [escape_key(name) for name in ("FirstName", "kWh", "Household size", "é")] == [
        "FirstName",
        "kWh",
        "Household size",
        "é",
    ]
    assert [stored_key(n) for n in ("$where", "a.b", "", "_cls", "zip5")] == [
        "%24where",
        "a%2Eb",
        "%",
        "%5Fcls",
        "%7Aip5",
    ]


@given(st.recursive(st.integers(), lambda inner: st.dictionaries(names, inner, max_size=3)))
def test_documents_come_back_at_any_depth(value):
    assert unescape_keys(escape_keys(value)) == value


def test_every_attribute_of_the_stored_fields_is_reserved():
    public = {name for name in dir(ParticipantFields) if not name.startswith("_")}
    assert public <= RESERVED_KEYS
