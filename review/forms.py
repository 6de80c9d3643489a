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
            (ACCEPT_TOP, "Accept the top candidate when its probability is at least…"),
            (NO_MATCH, "Mark selected as no match"),
        ]
    )
    probability = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        label="Probability",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1", "size": 5}),
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        initial=NO_MATCH_REASONS[0],
        widget=forms.TextInput(attrs={"list": "no-match-reasons", "size": 30}),
    )
    # The confirmation page's answer: the items it listed, each with the version it showed.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, selected=(), seen=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.selected = [str(oid) for oid in map(parse_participant_id, selected) if oid]
        self.seen = _seen_versions(seen)

    def clean(self):
        data = super().clean()
        if not self.selected:
            raise forms.ValidationError("Select at least one participant.")
        if data.get("action") == self.ACCEPT_TOP and data.get("probability") is None:
            self.add_error("probability", "Give the lowest probability to accept (0 to 1).")
        if data.get("action") == self.NO_MATCH and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give a reason for “no match”.")
        return data


def _seen_versions(values):
    """{participant id: version} of "id:version" values; malformed ones are left out."""
    seen = {}
    for value in values:
        participant_id, _, version = str(value).partition(":")
        oid = parse_participant_id(participant_id)
        if oid is not None and version.isascii() and version.isdigit() and len(version) < 10:
            seen[str(oid)] = int(version)
    return seen
