"""The queue table (django-tables2 over MongoTableData)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from empowersave.text_format import shorten

from .selectors import best_score


class QueueTable(tables.Table):
    selected = tables.CheckBoxColumn(
        accessor="id",
        attrs={
            "th__input": {"id": "action-toggle", "aria-label": "Select all"},
            "td__input": {"class": "action-select", "name": "_selected_action"},
        },
        orderable=False,
    )
    name = tables.Column(empty_values=(), orderable=False, verbose_name="Participant")
    address = tables.Column(accessor="fields__address", verbose_name="Address", orderable=False)
    city = tables.Column(accessor="fields__city", verbose_name="City", orderable=False)
    zip = tables.Column(accessor="fields__zip5", verbose_name="ZIP")
    quality = tables.Column(accessor="match__quality", verbose_name="Quality")
    best_score = tables.Column(empty_values=(), orderable=False, verbose_name="Best score")
    county = tables.Column(empty_values=(), orderable=False, verbose_name="Top candidate")

    class Meta:
        template_name = "review/queue_table.html"
        attrs = {"id": "result_list"}
        fields = ()
        sequence = ("selected", "name", "address", "city", "zip", "quality", "best_score")
        empty_text = "Nothing left to review."

    def __init__(self, *args, querystring="", **kwargs):
        super().__init__(*args, **kwargs)
        self.querystring = querystring

    def render_name(self, record):
        url = reverse("review:change", args=[record.id])
        if self.querystring:
            url = f"{url}?{self.querystring}"
        name = shorten(record.display_name)
        return format_html('<a href="{}" class="queue-item">{}</a>', url, name)

    def render_address(self, value):
        return shorten(value)

    def render_city(self, value):
        return shorten(value)

    def render_best_score(self, record):
        score = best_score(record)
        return "—" if score is None else f"{score:.1f}"

    def render_county(self, record):
        candidates = record.match.candidates if record.match else []
        if not candidates:
            return "—"
        top = candidates[0]
        return shorten(f"{top.county}: {top.address or top.parcel_id}")
