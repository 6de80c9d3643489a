"""The queue's filters, through the project's MongoFilterSet (values are plain, never operators)."""

import django_filters
from django import forms

from empowersave.adapters import MongoFilterSet
from matching.normalize import normalize_zip
from participants.documents import MatchQuality
from participants.selectors import SEARCH_MAX_LENGTH, ZIP_MAX_LENGTH, text_search_q

from . import selectors


class QueueFilterSet(MongoFilterSet):
    county = django_filters.ChoiceFilter(
        field_name="match.candidates.county",
        label="County",
        choices=selectors.queue_county_choices,
        empty_label="All counties",
    )
    quality = django_filters.ChoiceFilter(
        field_name="match.quality",
        label="Quality",
        choices=[(MatchQuality.PENDING, "Pending"), (MatchQuality.NO_MATCH, "No match")],
        empty_label="Pending and no match",
    )
    campaign = django_filters.ChoiceFilter(
        field_name="engagements.campaign_id",
        label="Campaign",
        choices=selectors.queue_campaign_choices,
        empty_label="All campaigns",
    )
    zip = django_filters.CharFilter(
        label="ZIP",
        method="filter_zip",
        max_length=ZIP_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 6}),
    )
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "size": 40,
                "id": "searchbar",
                "placeholder": "Name, email or address",
                "data-focus-key": "/",
            }
        ),
    )

    def filter_zip(self, queryset, name, value):
        zip5 = normalize_zip(value)
        return queryset.filter(fields__zip5=zip5) if zip5 else queryset.none()

    def filter_search(self, queryset, name, value):
        return queryset.filter(text_search_q(text=value))
