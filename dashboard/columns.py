"""Which optional columns a participants table shows: the user's choice, kept in a cookie.

The table always shows its essential columns. The others are ticked in the page's "Columns"
form (a GET form, so it works without JavaScript and a link can carry a choice); the choice is
kept in a cookie for a year, so it survives logging out and back in on that browser. A cookie,
not the session: the session ends at logout and the choice is a display preference, not data.
Only names of the table's choosable columns are ever read back from the request or the cookie.
A link that sorts by a hidden column shows that column too (without changing the choice).
"""

from dataclasses import dataclass

FORM_MARKER = "columns_form"  # present when the Columns form was submitted
PARAMETER = "columns"
SORT_PARAMETER = "sort"  # django-tables2's
COOKIE_MAX_AGE = 365 * 24 * 3600
NONE = "-"  # cookie value for "no optional column" (an empty cookie means "the defaults")


@dataclass(frozen=True)
class ColumnChoice:
    shown: tuple  # choosable columns to show, in the table's order
    hidden: tuple  # choosable columns to leave out
    choices: tuple  # (name, label, shown) for the form
    cookie_name: str
    cookie_value: str | None  # set on the response when the form was submitted

    def remember(self, response):
        if self.cookie_value is not None:
            response.set_cookie(
                self.cookie_name, self.cookie_value, max_age=COOKIE_MAX_AGE, samesite="Lax"
            )
        return response


def column_choice(request, *, table_class):
    """The columns `table_class` shows for this request (its CHOOSABLE, DEFAULT_SHOWN, COOKIE)."""
    choosable = table_class.CHOOSABLE
    cookie_value = None
    if FORM_MARKER in request.GET:
        wanted = set(request.GET.getlist(PARAMETER))
        cookie_value = ",".join(name for name in choosable if name in wanted) or NONE
    saved = cookie_value or request.COOKIES.get(table_class.COOKIE, "")
    wanted = set(saved.split(",")) if saved else set(table_class.DEFAULT_SHOWN)
    wanted.add(request.GET.get(SORT_PARAMETER, "").lstrip("-"))  # the sorted column shows
    shown = tuple(name for name in choosable if name in wanted)
    labels = {name: table_class.base_columns[name].verbose_name for name in choosable}
    return ColumnChoice(
        shown=shown,
        hidden=tuple(name for name in choosable if name not in wanted),
        choices=tuple((name, labels[name], name in wanted) for name in choosable),
        cookie_name=table_class.COOKIE,
        cookie_value=cookie_value,
    )
