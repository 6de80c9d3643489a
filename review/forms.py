"""Forms of the review pages; every decision form carries the version the reviewer loaded."""

from django import forms

from participants.selectors import parse_participant_id

NO_MATCH_REASONS = (
    "No parcel at this address",
    "Address outside the county data",
    "Address incomplete or unreadable",
    "PO box or business address",
)
QUEUE_QUERY_MAX = 1000


class QueueContextForm(forms.Form):
    """The queue filters the reviewer came from, so the next item respects them."""

    queue = forms.CharField(required=False, max_length=QUEUE_QUERY_MAX, widget=forms.HiddenInput)


class VersionedForm(QueueContextForm):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class ParcelChoiceForm(VersionedForm):
    county = forms.CharField(max_length=100, widget=forms.HiddenInput)
    parcel_id = forms.CharField(max_length=100, widget=forms.HiddenInput)


class NoMatchForm(VersionedForm):
    reason = forms.CharField(
        max_length=500,
        initial=NO_MATCH_REASONS[0],
        widget=forms.TextInput(attrs={"list": "no-match-reasons", "size": 40}),
    )


class HandSearchForm(forms.Form):
    """Search the county parcels by hand (GET: it only reads)."""

    hs_address = forms.CharField(
        required=False,
        max_length=200,
        label="Address",
        widget=forms.TextInput(attrs={"size": 40, "data-focus-key": "/"}),
    )
    hs_parcel_id = forms.CharField(required=False, max_length=100, label="Parcel id")

    def clean(self):
        data = super().clean()
        if (
            not (data.get("hs_address") or "").strip()
            and not (data.get("hs_parcel_id") or "").strip()
        ):
            raise forms.ValidationError("Enter an address or a parcel id.")
        return data


class BulkActionForm(QueueContextForm):
    ACCEPT_TOP = "accept_top"
    NO_MATCH = "no_match"

    action = forms.ChoiceField(
        choices=[
            ("", "---------"),
            (ACCEPT_TOP, "Accept the top candidate when its score is at least…"),
            (NO_MATCH, "Mark selected as no match"),
        ]
    )
    threshold = forms.FloatField(required=False, min_value=0, label="Threshold")
    reason = forms.CharField(
        required=False,
        max_length=500,
        initial=NO_MATCH_REASONS[0],
        widget=forms.TextInput(attrs={"list": "no-match-reasons", "size": 30}),
    )

    def __init__(self, *args, selected=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.selected = [str(oid) for oid in map(parse_participant_id, selected) if oid]

    def clean(self):
        data = super().clean()
        if not self.selected:
            raise forms.ValidationError("Select at least one participant.")
        if data.get("action") == self.ACCEPT_TOP and data.get("threshold") is None:
            self.add_error("threshold", "Give the lowest score to accept.")
        if data.get("action") == self.NO_MATCH and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give a reason for “no match”.")
        return data
