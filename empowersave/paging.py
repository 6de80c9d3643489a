"""Paging and sorting of django-tables2 tables with every size a request can ask for bounded.

`per_page` is one of PER_PAGE_CHOICES, `page` a whole number no deeper than MAX_SKIPPED_ROWS
rows, and `sort` at most MAX_SORT_KEYS of the table's own orderable columns. Anything else
(`per_page=100000`, `-5`, `abc`, empty, `page=1e9`, unknown columns) falls back to the default
instead of answering an error page or an unbounded query.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django_tables2.utils import OrderBy

PER_PAGE_CHOICES = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 50
# The deepest row a page may start at: skipping costs the server a scan of every skipped row.
MAX_SKIPPED_ROWS = 100_000
MAX_SORT_KEYS = 3


def per_page_from(raw):
    """The page size asked for when it is one of PER_PAGE_CHOICES, else the default."""
    text = str(raw or "")
    value = int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None
    return value if value in PER_PAGE_CHOICES else DEFAULT_PER_PAGE


def page_from(raw, *, per_page):
    """The page number asked for: a whole number of at least 1 and at most the deepest page."""
    text = str(raw or "")
    if not (text.isascii() and text.isdigit()):
        return 1
    deepest = MAX_SKIPPED_ROWS // per_page + 1
    return max(1, min(int(text[:9]) if len(text) <= 9 else deepest, deepest))


def sort_keys(table, values):
    """The first MAX_SORT_KEYS distinct orderable columns of the table named in `values`."""
    keys, seen = [], set()
    for value in values:
        for alias in value.split(","):
            name = OrderBy(alias.strip()).bare
            orderable = name in table.columns and table.columns[name].orderable
            if orderable and name not in seen:
                seen.add(name)
                keys.append(alias.strip())
            if len(keys) == MAX_SORT_KEYS:
                return keys
    return keys


def paginate(request, table, *, paginator_class=Paginator):
    """Sort and page `table` from the request (the bounded RequestConfig of this project)."""
    table.request = request
    sort = sort_keys(table, request.GET.getlist(table.prefixed_order_by_field))
    if sort:
        table.order_by = sort
    per_page = per_page_from(request.GET.get(table.prefixed_per_page_field))
    page = page_from(request.GET.get(table.prefixed_page_field), per_page=per_page)
    try:
        table.paginate(paginator_class=paginator_class, per_page=per_page, page=page)
    except (EmptyPage, PageNotAnInteger):  # past the last page: the last page (lazy: the first)
        table.page = table.paginator.page(table.paginator.num_pages)
    return table
