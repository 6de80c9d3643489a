"""The participants browser's filter form, run on the participants' listing
(participants.listing) through `MongoFilterSet`.

Every value is cleaned by a form field first (choices from the rollups, booleans, numbers, a
5-digit ZIP), so only plain values ever reach a query.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.constants import EMPTY_VALUES

from dashboard.rollups import NOT_MATCHED
from dashboard.selectors import QUALITY_LABELS, QUALITY_ORDER, campaign_choices, county_choices
from empowersave.adapters import MongoFilterSet
from participants.fields import normalize_zip
from participants.selectors import (
    SEARCH_MAX_LENGTH,
    ZIP_MAX_LENGTH,
    listing_keys,
    listing_keys_order,
    text_search_q,
)

# The filters the listing's keys serve together (participants.listing.filter_key).
KEYED_FILTERS = {"county", "match_quality", "campaign"}


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


FLAG_HELP = (
    "Yes: at least one of their campaign emails was {what}; No: none was. With a campaign "
    "chosen, only that campaign's email counts."
)


def _flag_filter(label, what):
    return django_filters.BooleanFilter(
        label=label,
        widget=YesNoAny,
        method="filter_engagement",
        help_text=FLAG_HELP.format(what=what),
    )


def _stored_quality(choice):
    """The stored `match.quality` of a quality choice: "Not matched yet" is `match: None`, asked
    as `match.quality: null`, which the indexes serve."""
    return None if choice == NOT_MATCHED else choice


class ParticipantFilter(MongoFilterSet):
    """The participants page's filters; each URL parameter is named after what it filters.

    The README's table of these parameters repeats the help texts below.
    """

    parameter_aliases = {
        "q": "search",
        "quality": "match_quality",
        "burden_min": "energy_burden_min",
        "burden_max": "energy_burden_max",
    }

    search = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Every word must appear in the name, email, phone or address (given or "
        "matched), in any order and any case.",
    )
    county = django_filters.ChoiceFilter(
        field_name="residence_ref.county",
        label="County",
        empty_label="Any county",
        help_text="The county of the parcel the participant was matched to.",
    )
    match_quality = django_filters.ChoiceFilter(
        label="Match quality",
        choices=[(quality, QUALITY_LABELS[quality]) for quality in QUALITY_ORDER],
        method="filter_quality",
        empty_label="Any quality",
        help_text="How the address was linked to a county parcel. Pending review: waiting for "
        "staff; Not matched yet: matching has not run for them.",
    )
    campaign = django_filters.ChoiceFilter(
        field_name="engagements.campaign_id",
        label="Campaign",
        empty_label="Any campaign",
        help_text="People who were sent this campaign.",
    )
    opened = _flag_filter("Opened", "opened")
    clicked = _flag_filter("Clicked", "clicked through")
    bounced = _flag_filter("Bounced", "bounced")
    unsubscribed = _flag_filter("Unsubscribed", "followed by an unsubscribe")
    zip = ZipFilter(
        label="ZIP code",
        method="filter_zip",
        max_length=ZIP_MAX_LENGTH,
        help_text="The ZIP the participant gave or their matched parcel's; ZIP+4 and a lost "
        "leading zero (7102) are understood.",
    )
    has_demographic = django_filters.BooleanFilter(
        label="Has demographic record",
        widget=YesNoAny,
        method="filter_has_demographic",
        help_text="Whether a household energy record is linked to the participant.",
    )
    energy_burden = django_filters.RangeFilter(
        field_name="demographic_ref.total_energy_burden",
        label="Energy burden (% of income)",
        help_text="The linked household's energy cost as a share of its income, from and to "
        "(both included); either end may be left empty.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["county"].extra["choices"] = county_choices()
        self.filters["campaign"].extra["choices"] = campaign_choices()
        burden = self.form.fields["energy_burden"]
        for widget, end in zip(burden.widget.widgets, ("from", "to"), strict=True):
            widget.attrs.update({"aria-label": f"Energy burden {end}", "placeholder": end})
        for name, field in self.form.fields.items():  # the page lists the help texts (#help-…)
            for widget in getattr(field.widget, "widgets", [field.widget]):
                widget.attrs["aria-describedby"] = f"help-{name}"

    def _keyed_filter(self):
        """The `listing_keys` arguments of this filter when the keys serve it: no filter at
        all ({}), or county + match quality + campaign and nothing else. None otherwise."""
        if self.is_bound and not self.is_valid():
            return None
        data = self.form.cleaned_data if self.is_bound else {}
        chosen = {name for name, value in data.items() if value not in EMPTY_VALUES}
        if not chosen:
            return {}
        if chosen != KEYED_FILTERS:
            return None
        return {
            "county": data["county"],
            "quality": _stored_quality(data["match_quality"]),
            "campaign_id": data["campaign"],
        }

    def keyed_queryset(self):
        """The listing keys of the same participants, for the table's ids pass, when they serve
        this filter (participants.selectors.listing_keys). None otherwise: the listing answers
        alone."""
        keyed = self._keyed_filter()
        return None if keyed is None else listing_keys(**keyed)

    def keyed_order(self):
        """With `keyed_queryset`: how the table remembers the order of its `_id`s
        (participants.selectors.listing_keys_order), or None."""
        keyed = self._keyed_filter()
        return None if keyed is None else listing_keys_order(**keyed)

    def filter_search(self, queryset, name, value):
        return queryset.filter(text_search_q(text=value))

    def filter_quality(self, queryset, name, value):
        return queryset.filter(match__quality=_stored_quality(value))

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
        """The listing's `zips` (the ZIP given and the parcel's): one indexed equality."""
        return queryset.filter(zips=value)

    def filter_has_demographic(self, queryset, name, value):
        """Asked through the required `demographic_ref.parcel_id`, so its index serves it."""
        if value is None:
            return queryset
        if value:
            return queryset.filter(demographic_ref__parcel_id__gt="")
        return queryset.filter(demographic_ref__parcel_id=None)
