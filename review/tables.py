"""The queue table (django-tables2 over MongoTableData)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from empowersave.text_format import shorten
from matching.explanations import probability_text
from participants.presenters import quality_label

from .selectors import best_probability


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
    probability = tables.Column(
        empty_values=(),
        orderable=False,
        verbose_name="Best probability",
        attrs={"td": {"class": "probability"}},
    )
    county = tables.Column(empty_values=(), orderable=False, verbose_name="Top candidate")

    class Meta:
        template_name = "review/queue_table.html"
        attrs = {"id": "result_list"}
        fields = ()
        sequence = ("selected", "name", "address", "city", "zip", "quality", "probability")
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

    def render_quality(self, value):
        return quality_label(value)

    def render_probability(self, record):
        return probability_text(best_probability(record)) or "—"

    def render_county(self, record):
        candidates = record.match.candidates if record.match else []
        if not candidates:
            return "—"
        top = candidates[0]
        return shorten(f"{top.county}: {top.address or top.parcel_id}")


class DecisionTable(tables.Table):
    """The audit trail: one row per decision (django-tables2 over the Django ORM)."""

    created_at = tables.DateTimeColumn(verbose_name="When (UTC)", format="j M Y, H:i")
    reviewer = tables.Column(accessor="reviewer__username", verbose_name="Reviewer")
    action = tables.Column(verbose_name="Decision")
    participant = tables.Column(
        empty_values=(), accessor="contact_id", verbose_name="Participant", order_by="contact_id"
    )
    county = tables.Column(verbose_name="County")
    parcel_id = tables.Column(verbose_name="Parcel")
    reason = tables.Column(verbose_name="Reason", orderable=False)
    undone = tables.Column(
        empty_values=(), accessor="undone_by", verbose_name="Undone", orderable=False
    )

    class Meta:
        template_name = "review/queue_table.html"
        attrs = {"id": "result_list"}
        empty_text = "No decisions match these filters."
        fields = ()
        order_by = ("-created_at",)

    def render_action(self, record):
        return record.get_action_display()

    def render_participant(self, record):
        url = reverse("review:change", args=[record.participant_id])
        return format_html('<a href="{}">{}</a>', url, record.contact_id or record.participant_id)

    def render_undone(self, record):
        undo = record.undone_by
        if undo is None:
            return "—"
        return f"by {undo.reviewer.get_username()}, {undo.created_at:%d %b %Y %H:%M}"
