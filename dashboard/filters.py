"""The participants browser's filter form, run on MongoEngine through `MongoFilterSet`.

Every value is cleaned by a form field first (choices from the rollups, booleans, numbers, a
5-digit ZIP), so only plain values ever reach a query.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from mongoengine.queryset.visitor import Q

from dashboard.rollups import NOT_MATCHED
from dashboard.selectors import QUALITY_LABELS, QUALITY_ORDER, campaign_choices, county_choices
from empowersave.adapters import MongoFilterSet
from matching.normalize import normalize_zip
from participants.selectors import SEARCH_MAX_LENGTH, ZIP_MAX_LENGTH, text_search_q


class YesNoAny(forms.NullBooleanSelect):
    """Any / Yes / No ("Any" leaves the filter out)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Any"), ("true", "Yes"), ("false", "No")]


class ZipField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        zip5 = normalize_zip(value) if value.replace("-", "").isdigit() else None
        if zip5 is None:
            raise ValidationError("Enter a 5-digit ZIP code.", code="invalid")
        return zip5


class ZipFilter(django_filters.CharFilter):
    field_class = ZipField


class ParticipantFilter(MongoFilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", max_length=SEARCH_MAX_LENGTH
    )
    county = django_filters.ChoiceFilter(
        field_name="residence_ref.county", label="County", empty_label="Any county"
    )
    quality = django_filters.ChoiceFilter(
        label="Match quality",
        choices=[(quality, QUALITY_LABELS[quality]) for quality in QUALITY_ORDER],
        method="filter_quality",
        empty_label="Any quality",
    )
    campaign = django_filters.ChoiceFilter(
        field_name="engagements.campaign_id", label="Campaign", empty_label="Any campaign"
    )
    opened = django_filters.BooleanFilter(
        label="Opened", widget=YesNoAny, method="filter_engagement"
    )
    clicked = django_filters.BooleanFilter(
        label="Clicked", widget=YesNoAny, method="filter_engagement"
    )
    bounced = django_filters.BooleanFilter(
        label="Bounced", widget=YesNoAny, method="filter_engagement"
    )
    unsubscribed = django_filters.BooleanFilter(
        label="Unsubscribed", widget=YesNoAny, method="filter_engagement"
    )
    zip = ZipFilter(label="ZIP code", method="filter_zip", max_length=ZIP_MAX_LENGTH)
    has_demographic = django_filters.BooleanFilter(
        label="Has demographic record", widget=YesNoAny, method="filter_has_demographic"
    )
    burden = django_filters.RangeFilter(
        field_name="demographic_ref.total_energy_burden", label="Energy burden (% of income)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["county"].extra["choices"] = county_choices()
        self.filters["campaign"].extra["choices"] = campaign_choices()
        burden = self.form.fields["burden"]
        for widget, end in zip(burden.widget.widgets, ("from", "to"), strict=True):
            widget.attrs.update({"aria-label": f"Energy burden {end}", "placeholder": end})

    def filter_search(self, queryset, name, value):
        return queryset.filter(text_search_q(text=value))

    def filter_quality(self, queryset, name, value):
        if value == NOT_MATCHED:
            return queryset.filter(match=None)
        return queryset.filter(match__quality=value)

    def filter_engagement(self, queryset, name, value):
        """With a campaign chosen, the flag of that campaign's engagement; else of any."""
        if value is None:
            return queryset
        campaign_id = self.form.cleaned_data.get("campaign")
        if campaign_id:
            return queryset.filter(
                engagements__match={"campaign_id": campaign_id, name: bool(value)}
            )
        if value:
            return queryset.filter(**{f"engagements__{name}": True})
        return queryset.filter(**{f"engagements__{name}__ne": True})

    def filter_zip(self, queryset, name, value):
        return queryset.filter(Q(fields__zip5=value) | Q(residence_ref__parcel_zip=int(value)))

    def filter_has_demographic(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(demographic_ref__ne=None)
            if value
            else queryset.filter(demographic_ref=None)
        )
