"""django-tables2 tables over MongoEngine querysets (wrapped in `MongoTableData` by the views)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from dashboard.rollups import NOT_MATCHED
from dashboard.selectors import QUALITY_LABELS
from empowersave.number_format import money, percent_points
from empowersave.text_format import shorten
from participants.presenters import yes_no
from participants.selectors import engagement_for_campaign

TEMPLATE = "dashboard/table.html"


def quality_badge(match):
    """A coloured label with the quality's name (colour is never the only signal)."""
    quality = match.quality if match else NOT_MATCHED
    return format_html(
        '<span class="badge badge-{}">{}</span>', quality, QUALITY_LABELS.get(quality, quality)
    )


def participant_address(record):
    """The matched parcel's address, else the address the participant gave (shortened)."""
    if record.residence_ref and record.residence_ref.address:
        return shorten(record.residence_ref.address)
    return shorten(record.fields.address)


class ParticipantColumnsMixin(tables.Table):
    name = tables.Column(
        empty_values=(),
        verbose_name="Name",
        order_by=("fields__last_name", "fields__first_name"),
        linkify=lambda record: reverse("dashboard:participant_detail", args=[record.id]),
    )
    email_address = tables.Column(verbose_name="Email")
    address = tables.Column(empty_values=(), verbose_name="Address", orderable=False)
    county = tables.Column(accessor="residence_ref__county", verbose_name="County")
    quality = tables.Column(
        empty_values=(), accessor="match__quality", verbose_name="Match", order_by="match__quality"
    )

    def render_name(self, record):
        return shorten(record.display_name)

    def render_email_address(self, value):
        return shorten(value)

    def render_address(self, record):
        return participant_address(record)

    def render_county(self, value):
        return shorten(value)

    def render_quality(self, record):
        return quality_badge(record.match)


class ParticipantTable(ParticipantColumnsMixin, tables.Table):
    zip = tables.Column(accessor="fields__zip5", verbose_name="ZIP")
    sent = tables.Column(accessor="totals__sent", verbose_name="Campaigns")
    opened = tables.Column(accessor="totals__opened", verbose_name="Opened")
    clicked = tables.Column(accessor="totals__clicked", verbose_name="Clicked")
    kwh_cost = tables.Column(
        accessor="demographic_ref__annual_kwh_cost", verbose_name="Annual kWh cost"
    )
    burden = tables.Column(
        accessor="demographic_ref__total_energy_burden", verbose_name="Energy burden"
    )

    COOKIE = "participant_columns"
    CHOOSABLE = (
        "email_address",
        "address",
        "zip",
        "county",
        "quality",
        "sent",
        "opened",
        "clicked",
        "kwh_cost",
        "burden",
    )
    DEFAULT_SHOWN = ("email_address", "address", "zip", "county", "quality", "opened", "clicked")
    # Listing fields no column shows, left out of a page's documents (MongoTableData).
    UNSHOWN = ("engagements", "originals", "search_text", "zips")

    class Meta:
        template_name = TEMPLATE
        orderable = True
        order_by = ("name",)
        empty_text = "No participants match these filters."
        attrs = {"class": "data-table"}
        sequence = (
            "name",
            "email_address",
            "address",
            "zip",
            "county",
            "quality",
            "sent",
            "opened",
            "clicked",
            "kwh_cost",
            "burden",
        )

    def render_kwh_cost(self, value):
        return money(value)

    def render_burden(self, value):
        """Energy burden is stored in percent of household income (6.24 → "6.2%")."""
        return percent_points(value)


class CampaignFlagColumn(tables.Column):
    """Yes / No: the flag named like the column, of the engagement in the table's campaign."""

    def __init__(self, *, verbose_name):
        super().__init__(empty_values=(), orderable=False, verbose_name=verbose_name)

    def render(self, record, table, bound_column):
        engagement = engagement_for_campaign(participant=record, campaign_id=table.campaign_id)
        return yes_no(engagement and getattr(engagement, bound_column.name))


class CampaignParticipantTable(ParticipantColumnsMixin, tables.Table):
    """A campaign's participants with the engagement for THAT campaign."""

    opened = CampaignFlagColumn(verbose_name="Opened")
    clicked = CampaignFlagColumn(verbose_name="Clicked")
    bounced = CampaignFlagColumn(verbose_name="Bounced")
    unsubscribed = CampaignFlagColumn(verbose_name="Unsubscribed")

    COOKIE = "campaign_participant_columns"
    CHOOSABLE = (
        "email_address",
        "opened",
        "clicked",
        "bounced",
        "unsubscribed",
        "address",
        "county",
        "quality",
    )
    DEFAULT_SHOWN = CHOOSABLE

    class Meta:
        template_name = TEMPLATE
        orderable = True
        order_by = ("name",)
        empty_text = "No participants in this campaign."
        attrs = {"class": "data-table"}
        sequence = (
            "name",
            "email_address",
            "opened",
            "clicked",
            "bounced",
            "unsubscribed",
            "address",
            "county",
            "quality",
        )

    def __init__(self, *args, campaign_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign_id = campaign_id
