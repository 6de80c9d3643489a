"""A participant as the matcher reads them (Query): normalised once (scoring.make_query), read
by blocking, comparison and the decision.

A module of its own so that compiled (query.pxd) Query is an extension type that each of
them can declare (cimport) without importing the decision: a variable typed Query
(`cython.locals`) reads its fields from the C struct, where a namedtuple's field read took about
170 instructions, and a decision reads about 38 a participant. A first pass over the 20,000-row
demo (5,043 people) took 652.7 → 623.1-624.6 M instructions, a warm one 478.4 → 449.6-450.7 M
(callgrind, two runs, 2026-12-03, with Comparison already so and the index classes not yet
typed). Both with the index classes typed: 619.9 → 568.1 M first, 448.8 → 397.7 M warm.
"""


class Query:
    """A participant, normalised once: the address, and the person as evidence."""

    __slots__ = (
        "house_number",
        "number",  # the house number's key (an int), or None
        "street",
        "street_key",
        "city",
        "zips",  # a tuple, never None
        "unit",
        "name",  # order-free name key ("JANET THOMPSON")
        "surname",  # the last name's words (a frozenset), or None
        "email",
        "phones",  # a tuple, never None
    )

    def __init__(
        self, house_number, number, street, street_key, city, zips, unit=None, name=None,
        surname=None, email=None, phones=(),
    ):  # fmt: skip
        self.house_number = house_number
        self.number = number
        self.street = street
        self.street_key = street_key
        self.city = city
        self.zips = zips
        self.unit = unit
        self.name = name
        self.surname = surname
        self.email = email
        self.phones = phones

    def read_as(self, *, house_number, number, street, street_key):
        """The participant with their address read otherwise (scoring's `read_…`); the rest as
        it is."""
        return Query(
            house_number, number, street, street_key, self.city, self.zips, self.unit, self.name,
            self.surname, self.email, self.phones,
        )  # fmt: skip
