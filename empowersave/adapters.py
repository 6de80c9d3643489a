"""Adapters that let django-tables2 and django-filter work on MongoEngine querysets.

Both libraries expect Django ORM querysets. These two small classes are the project's only bridge:

* `MongoTableData` gives a table server-side counting, skip/limit slicing for pagination and
  `order_by` built from the columns' accessors, so a page never loads the whole collection.
* `MongoFilterSet` runs declared django-filter filters against a MongoEngine queryset. Filter
  values always come out of the filter form's `cleaned_data`, so they are plain Python values of
  the field's type and can never smuggle a MongoDB operator (`{"$ne": …}`) into a query.

Usage::

    class ParticipantFilter(MongoFilterSet):
        county = django_filters.CharFilter(field_name="residence_ref.county")

    class ParticipantTable(tables.Table):
        county = tables.Column(accessor="residence_ref__county")  # `__`, not dots

    filterset = ParticipantFilter(request.GET, queryset=Participant.objects.all())
    table = ParticipantTable(MongoTableData(filterset.qs))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)

An invalid form gives `filterset.errors` and an empty queryset. See
tests/empowersave/test_adapters.py.
"""

import django_filters
from django.db.models import Q as DjangoQ
from django_tables2.data import TableData
from django_tables2.utils import OrderBy
from mongoengine.errors import LookUpError
from mongoengine.queryset.visitor import Q as MongoQ

# django-filter lookup → MongoEngine operator suffix ("" means plain equality).
_LOOKUPS = {
    "exact": "",
    "iexact": "__iexact",
    "in": "__in",
    "gt": "__gt",
    "gte": "__gte",
    "lt": "__lt",
    "lte": "__lte",
    "ne": "__ne",
    "contains": "__contains",
    "icontains": "__icontains",
    "startswith": "__startswith",
    "istartswith": "__istartswith",
    "endswith": "__endswith",
    "iendswith": "__iendswith",
}


def mongo_field_path(field_name):
    """`residence_ref.county` → `residence_ref__county` (MongoEngine's keyword form)."""
    return field_name.replace(".", "__")


def mongo_conditions(lookup, value):
    """Translate one Django-style `field__lookup=value` pair into a MongoEngine Q."""
    field, _, expr = lookup.rpartition("__")
    if expr not in _LOOKUPS and expr not in ("range", "isnull"):
        field, expr = lookup, "exact"
    field = mongo_field_path(field)
    if expr == "range":
        start, stop = value
        return MongoQ(**{f"{field}__gte": start, f"{field}__lte": stop})
    if expr == "isnull":
        return MongoQ(**{field: None}) if value else MongoQ(**{f"{field}__ne": None})
    return MongoQ(**{field + _LOOKUPS[expr]: value})


def _to_mongo_q(django_q):
    """Rebuild a Django Q tree (as MultipleChoiceFilter makes) as a MongoEngine Q tree."""
    combined = None
    for child in django_q.children:
        part = _to_mongo_q(child) if isinstance(child, DjangoQ) else mongo_conditions(*child)
        if combined is None:
            combined = part
        elif django_q.connector == DjangoQ.OR:
            combined = combined | part
        else:
            combined = combined & part
    if combined is None:
        return MongoQ()
    if django_q.negated:
        raise ValueError("Negated filter conditions are not supported on MongoDB querysets.")
    return combined


class _FilterableQuerySet:
    """The subset of the Django QuerySet API that django-filter calls, over MongoEngine."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.model = queryset._document

    def _combine(self, args, kwargs):
        query = MongoQ()
        for arg in args:
            query &= _to_mongo_q(arg)
        for lookup, value in kwargs.items():
            query &= mongo_conditions(lookup, value)
        return query

    def all(self):
        return self

    def none(self):
        return _FilterableQuerySet(self.queryset.none())

    def distinct(self):
        return self  # every document is one row already

    def filter(self, *args, **kwargs):
        return _FilterableQuerySet(self.queryset.filter(self._combine(args, kwargs)))

    def exclude(self, *args, **kwargs):
        query = self._combine(args, kwargs)
        return _FilterableQuerySet(
            self.queryset.filter(__raw__={"$nor": [query.to_query(self.model)]})
        )


class MongoFilterSet(django_filters.FilterSet):
    """A FilterSet of declared filters over a MongoEngine queryset.

    `field_name` may use dots (`residence_ref.county`). `method=` filters receive and return a
    MongoEngine queryset. `parameter_aliases` maps an old URL parameter name to the current one,
    so saved links keep working after a filter is renamed.
    """

    parameter_aliases = {}

    @classmethod
    def canonical_data(cls, data):
        """`data` (a QueryDict or None) with each old parameter name replaced by its new one."""
        if not data or not any(old in data for old in cls.parameter_aliases):
            return data
        data = data.copy()
        for old, new in cls.parameter_aliases.items():
            if old in data:
                values = data.pop(old)
                if new not in data:
                    data.setlist(new, values)
        return data

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        data = self.canonical_data(data)
        super().__init__(data, _FilterableQuerySet(queryset), request=request, prefix=prefix)
        for name, filter_ in self.filters.items():
            if filter_._label is None:  # django-filter would ask the (absent) Django model
                filter_.label = name.replace("_", " ").capitalize()

    def filter_queryset(self, queryset):
        for name, value in self.form.cleaned_data.items():
            filter_ = self.filters[name]
            if filter_.method:
                queryset = _FilterableQuerySet(filter_.filter(queryset.queryset, value))
            else:
                queryset = filter_.filter(queryset, value)
        return queryset

    @property
    def qs(self):
        """The filtered MongoEngine queryset (none at all when the form is invalid)."""
        if not hasattr(self, "_mongo_qs"):
            if self.is_bound and not self.form.is_valid():
                self._mongo_qs = self.queryset.queryset.none()
            else:
                self._mongo_qs = super().qs.queryset
        return self._mongo_qs


def _is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


# The sort value of a blank: after numbers (0), text (1) and anything else (2).
_BLANK = (3, 0, "")


def _sort_value(value):
    """A key that orders numbers before text, text without regard to case, blanks after both."""
    if isinstance(value, str):
        return (1, 0, value.casefold()) if value.strip() else _BLANK
    if value is None:
        return _BLANK
    if isinstance(value, bool | int | float):
        return (0, value, "")
    return (2, 0, str(value))


def _path_value(doc, parts):
    for part in parts:
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def order_ids(rows, keys):
    """`_id`s of raw `rows` ({_id, key paths…}) in `keys` order ([(db path, descending)…]).

    Rows whose sort keys are all blank (missing, None, empty text) come last in both
    directions; rows that tie keep `_id` order, so each page of a sorted list stays the same.
    Each row's sort values are worked out once, and rows sorted once when every key goes the
    same way (3,710 rows by name: 6 ms, against 18 ms sorting by each key in turn).
    """
    paths = [path.split(".") for path, _descending in keys]
    filled, blank = [], []
    for row in rows:
        values = tuple(_sort_value(_path_value(row, parts)) for parts in paths)
        if all(value is _BLANK for value in values):
            blank.append(row["_id"])
        else:
            filled.append((values, row["_id"]))
    filled.sort(key=lambda entry: entry[1])
    directions = {descending for _path, descending in keys}
    if len(directions) == 1:  # a stable sort keeps ties in `_id` order, either way
        filled.sort(key=lambda entry: entry[0], reverse=directions.pop())
    else:  # stable sorts, the least significant key first
        for index in reversed(range(len(keys))):
            filled.sort(key=lambda entry, index=index: entry[0][index], reverse=keys[index][1])
    return [row_id for _values, row_id in filled] + sorted(blank)


def filter_parameter_names(form):
    """Every query parameter a filter form reads, in form order (a range reads `x_min`, `x_max`)."""
    names = []
    for bound_field in form:
        widget = bound_field.field.widget
        if hasattr(widget, "suffixed"):  # django-filter's SuffixedMultiWidget (RangeWidget, ...)
            names.extend(widget.suffixed(bound_field.html_name, s) for s in widget.suffixes)
        else:
            names.append(bound_field.html_name)
    return names


class MongoTableData(TableData):
    """django-tables2 data over a MongoEngine queryset: counted, sorted and sliced by `_id`s.

    One query per page asks for the `_id` (and the sort keys) of every match; the count, the
    order (blanks last, ties by `_id`) and the page's slice come from that list, and a second
    query loads the page's documents by `_id`. Without a table sort the queryset's own order
    is kept. Measured on SecantusDB at full scale: that store reads and decodes every candidate
    of a query whatever its limit, so a page costs one pass over the candidates either way, and
    the ids pass saves the second pass a separate count would make (benchmarks/
    dashboard_benchmark.py). On MongoDB the filter's index serves the ids pass.

    `ids_from`, when given, is a queryset over a smaller collection with the same `_id`s and
    field paths that holds exactly the same matches (participants.selectors.listing_keys): the
    ids pass asks it instead whenever its document declares every sort key, since on
    SecantusDB that pass costs its candidates times their size. Its documents come whole: they
    are about as small as a projection would make them, and that store projects in Python
    (3,710 of them: 298 ms median whole against 362 ms projected, load 8-9).

    `remember`, when given, is called as `remember(order, compute)` for the ids pass, and
    answers the `_id`s in `order` ([(db path, descending)…]): `compute()` or a list it
    remembered for the same matches (participants.listing.remembered_order).

    `unshown` names fields the table never shows: the page's documents come without them (a
    participants page of 50 listing rows without their engagements: 10 ms of this process's
    CPU against 20 ms).
    """

    def __init__(self, queryset, *, ids_from=None, remember=None, unshown=()):
        super().__init__(queryset)
        self._ids_from = ids_from
        self._remember = remember
        self._unshown = unshown
        self._sort_keys = []
        self._ids = None

    def _ids_queryset(self, names):
        """`ids_from` when its document has every field of `names` (dotted), else the data."""
        if self._ids_from is None:
            return self.data
        try:
            for name in names:
                self._ids_from._document._lookup_field(name.split("."))
        except LookUpError:
            return self.data
        return self._ids_from

    def _ordered_ids(self):
        if self._ids is None:
            model = self.data._document
            names = [name.replace("__", ".") for name, _descending in self._sort_keys]
            queryset = self._ids_queryset(names)
            if not self._sort_keys and self.data._ordering:  # the queryset's own order
                queryset = self.data
            order = [
                (model._translate_field_name(name), descending)
                for name, (_name, descending) in zip(names, self._sort_keys, strict=True)
            ]

            def compute():
                if not self._sort_keys:
                    ids = [doc["_id"] for doc in queryset.only("id").as_pymongo()]
                    return ids if queryset is self.data and self.data._ordering else sorted(ids)
                projected = queryset.only("id", *names) if queryset is self.data else queryset
                return order_ids(list(projected.order_by().as_pymongo()), order)

            self._ids = compute() if self._remember is None else self._remember(order, compute)
        return self._ids

    def __len__(self):
        return len(self._ordered_ids())

    def __getitem__(self, key):
        """A page: its `_id`s from the ordered list, then those documents in one `_id` query.

        The filter is not repeated there: SecantusDB uses an index only when it serves every
        condition, so `filter + _id $in` read the whole collection (7.5 s at full scale).
        """
        ids = self._ordered_ids()[key]
        # By `_id` alone (that index serves it), without the fields the table never shows.
        documents = self.data._document.objects.exclude(*self._unshown)
        if not isinstance(key, slice):
            return documents.get(pk=ids)
        by_id = {doc.pk: doc for doc in documents(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    @property
    def model(self):
        return self.data._document

    @property
    def ordering(self):
        return None

    def order_by(self, aliases):
        keys = []
        for alias in aliases:
            bound_column = self.table.columns[OrderBy(alias).bare]
            accessors = bound_column.order_by
            if alias[0] != bound_column.order_by_alias[0]:
                accessors = accessors.opposite
            for accessor in accessors:
                name = accessor.for_queryset()
                keys.append((name.lstrip("-"), name.startswith("-")))
        self._sort_keys = keys
        self._ids = None

    @property
    def verbose_name(self):
        return self.model._meta.get("verbose_name", self.model.__name__.lower())

    @property
    def verbose_name_plural(self):
        return self.model._meta.get("verbose_name_plural", f"{self.verbose_name}s")
