"""The queue's filters, through the project's MongoFilterSet (values are plain, never operators)."""

import django_filters
from django import forms

from empowersave.adapters import MongoFilterSet
from participants.documents import MatchQuality
from participants.fields import normalize_zip
from participants.presenters import quality_label
from participants.selectors import SEARCH_MAX_LENGTH, ZIP_MAX_LENGTH, text_search_q

from . import selectors
from .models import ReviewDecision


class QueueFilterSet(MongoFilterSet):
    """The queue's filters; URL parameters named after what they filter (old names still work)."""

    parameter_aliases = {"q": "search", "quality": "match_quality"}

    county = django_filters.ChoiceFilter(
        field_name="match.candidates.county",
        label="County",
        choices=selectors.queue_county_choices,
        empty_label="All counties",
        help_text="The county of any of the participant's candidate parcels.",
    )
    match_quality = django_filters.ChoiceFilter(
        field_name="match.quality",
        label="Match quality",
        choices=[(quality, quality_label(quality)) for quality in MatchQuality.NEEDS_REVIEW],
        empty_label="Pending and no match",
        help_text="Pending: matching found candidates but could not decide; no match: it "
        "found none good enough.",
    )
    campaign = django_filters.ChoiceFilter(
        field_name="engagements.campaign_id",
        label="Campaign",
        choices=selectors.queue_campaign_choices,
        empty_label="All campaigns",
        help_text="People who were sent this campaign.",
    )
    zip = django_filters.CharFilter(
        label="ZIP",
        method="filter_zip",
        max_length=ZIP_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 6}),
        help_text="The ZIP the participant gave; ZIP+4 and a lost leading zero are understood.",
    )
    search = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Every word must appear in the name, email, phone or address.",
        widget=forms.TextInput(
            attrs={
                "size": 40,
                "id": "searchbar",
                "placeholder": "Name, email or address",
                "data-focus-key": "/",
            }
        ),
    )

    order = django_filters.ChoiceFilter(
        label="Order",
        method="filter_order",
        choices=list(selectors.QUEUE_ORDERS.items()),
        empty_label=None,
        help_text="Highest probability first, or the matcher's least sure decisions first.",
    )

    @classmethod
    def order_of(cls, data):
        """The queue order `data` (request parameters) asks for; the default when none or an
        unknown one (the form then says so)."""
        value = (data or {}).get("order")
        return value if value in selectors.QUEUE_ORDERS else selectors.DEFAULT_ORDER

    @classmethod
    def searches(cls, data):
        """Whether `data` (request parameters) asks for a search (under either name)."""
        return bool((cls.canonical_data(data) or {}).get("search", "").strip())

    def remembered_name(self):
        """The name its order is remembered under (selectors.queue_name: the order and filter
        values as cleaned, whatever spelling the parameters had); None when it is not
        remembered: a search (its text is unbounded), or a form that leaves no queue at all (an
        invalid form, a ZIP that is not one)."""
        data = {}
        if self.is_bound:
            if not self.form.is_valid() or self.form.cleaned_data.get("search"):
                return None
            data = self.form.cleaned_data
        zip5 = normalize_zip(data["zip"]) if data.get("zip") else None
        if data.get("zip") and not zip5:
            return None
        filters = {name: data.get(name) for name in ("county", "match_quality", "campaign")}
        return selectors.queue_name(self.order_of(self.data), zip=zip5, **filters)

    def filter_order(self, queryset, name, value):
        return queryset  # the queue is built in its order (selectors.review_queue)

    def filter_zip(self, queryset, name, value):
        zip5 = normalize_zip(value)
        return queryset.filter(fields__zip5=zip5) if zip5 else queryset.none()

    def filter_search(self, queryset, name, value):
        return queryset.filter(text_search_q(text=value))


class DecisionFilterSet(django_filters.FilterSet):
    """The audit trail's filters (Django ORM): who, which decision, from and to which day."""

    reviewer = django_filters.ModelChoiceFilter(
        label="Reviewer",
        queryset=selectors.decision_reviewers,
        to_field_name="username",
        empty_label="Every reviewer",
        help_text="The staff user who made the decision.",
    )
    decision = django_filters.ChoiceFilter(
        field_name="action",
        label="Decision",
        choices=ReviewDecision.Action.choices,
        empty_label="Every decision",
        help_text="Accepted candidate, picked parcel by hand, no match, skipped, or an undo.",
    )
    date_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Decisions made on or after this day (UTC).",
    )
    date_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Decisions made on or before this day (UTC).",
    )

    class Meta:
        model = ReviewDecision
        fields = ()
