"""Options of the dashboard's ZIP chart, validated like any other query parameter."""

from django import forms

from dashboard.selectors import ZIP_SORTS

DEFAULT_ZIP_SORT = "opened"
DEFAULT_ZIP_TOP = "25"
ZIP_TOP_CHOICES = (("10", "Top 10"), ("25", "Top 25"), ("50", "Top 50"), ("all", "All ZIP codes"))


class ZipChartForm(forms.Form):
    zip_sort = forms.ChoiceField(label="Sort by", choices=list(ZIP_SORTS.items()), required=False)
    zip_top = forms.ChoiceField(label="Show", choices=ZIP_TOP_CHOICES, required=False)

    def options(self):
        """(sort key, how many rows or None for all); defaults for missing or bad values."""
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("zip_sort") or DEFAULT_ZIP_SORT
        top = data.get("zip_top") or DEFAULT_ZIP_TOP
        return sort, None if top == "all" else int(top)


ZIP_DEFAULTS = {"zip_sort": DEFAULT_ZIP_SORT, "zip_top": DEFAULT_ZIP_TOP}
