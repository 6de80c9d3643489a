"""MongoEngine documents for `empowersave_development.participants` (one document per person)."""

from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    Document,
    DynamicEmbeddedDocument,
    DynamicField,
    EmbeddedDocument,
    EmbeddedDocumentField,
    EmbeddedDocumentListField,
    FloatField,
    IntField,
    ListField,
    ObjectIdField,
    StringField,
)

from empowersave import mongodb


class MatchQuality:
    """Values of `match.quality` (DESIGN.md)."""

    EXACT = "exact"
    FUZZY = "fuzzy"
    MANUAL = "manual"
    NO_MATCH = "no_match"
    PENDING = "pending"

    CHOICES = (EXACT, FUZZY, MANUAL, NO_MATCH, PENDING)
    NEEDS_REVIEW = (PENDING, NO_MATCH)


class EngagementFlag:
    """The per-campaign engagement flags, in display order."""

    OPENED = "opened"
    CLICKED = "clicked"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    UNSUBSCRIBED = "unsubscribed"

    ALL = (OPENED, CLICKED, BOUNCED, COMPLAINED, UNSUBSCRIBED)


class Engagement(EmbeddedDocument):
    """One source document: a person's engagement with one campaign."""

    campaign_id = StringField(required=True)
    source_id = ObjectIdField()  # `_id` in emailoctopus_db.participants; None for API-synced rows
    eo_contact_id = StringField()  # EmailOctopus contact id of that row
    opened = BooleanField(default=False)
    clicked = BooleanField(default=False)
    bounced = BooleanField(default=False)
    complained = BooleanField(default=False)
    unsubscribed = BooleanField(default=False)
    engaged_at = DateTimeField()


class EngagementTotals(EmbeddedDocument):
    """How many of the person's engagements carry each flag (denormalised for filters, sorting)."""

    sent = IntField(default=0)
    opened = IntField(default=0)
    clicked = IntField(default=0)
    bounced = IntField(default=0)
    complained = IntField(default=0)
    unsubscribed = IntField(default=0)


class ParticipantFields(DynamicEmbeddedDocument):
    """EmailOctopus custom fields.

    Known fields are typed (Python name → source key); numbers are parsed next to their raw
    strings (`kwh` "12,400" → `kwh_value` 12400.0; a value that will not parse keeps the raw
    string and None). Unknown source keys are kept as dynamic attributes, each under its stored
    key (participants.fields.stored_key: "$where" → "%24where", "a.b" → "a%2Eb"), which
    empowersave.storekeys.unescape_key turns back into the source name for the pages.
    """

    first_name = StringField(db_field="FirstName")
    last_name = StringField(db_field="LastName")
    address = StringField(db_field="Address")
    city = StringField(db_field="City")
    zip = StringField(db_field="ZIP")
    zip5 = StringField()  # normalised 5-digit ZIP, None when unusable
    phone = StringField(db_field="Phone")
    kwh = DynamicField(db_field="kWh")
    kwh_value = FloatField()
    annual_cost = DynamicField(db_field="annualcost")
    annual_cost_value = FloatField()
    annual_savings = DynamicField(db_field="AnnualSavings")
    annual_savings_value = FloatField()


class FieldChange(EmbeddedDocument):
    """A value that lost to a later non-empty one when merging a person's source documents."""

    field = StringField(required=True)  # source key, e.g. "City"
    value = DynamicField()
    source_id = ObjectIdField()
    campaign_id = StringField()
    synced_at = DateTimeField()


class ResidenceReference(EmbeddedDocument):
    county = StringField(required=True)
    parcel_id = StringField(required=True)
    address = StringField()
    parcel_city = StringField()
    parcel_zip = IntField()


class DemographicReference(EmbeddedDocument):
    county = StringField(required=True)
    parcel_id = StringField(required=True)
    customer_name = StringField()
    email = StringField()
    mobile = StringField()
    annual_kwh_cost = FloatField()
    total_energy_burden = FloatField()
    linked_by = StringField()  # PARCEL | CONTACT | NAME | MANUAL: the rule that linked it


class MatchCandidate(EmbeddedDocument):
    """A scored parcel kept on the participant so a reviewer can see why."""

    county = StringField(required=True)
    parcel_id = StringField(required=True)
    address = StringField()
    parcel_city = StringField()
    parcel_zip = IntField()
    score = FloatField()  # the probability in percent
    probability = FloatField()  # match probability (matching.weights)
    weight = FloatField()  # total match weight in bits, the prior included
    agreement = DictField()  # field name → bool: house_number, street, city, zip
    contributions = ListField(ListField(), default=None)  # [[column, level, bits], …], prior first


class ContactAnswer(EmbeddedDocument):
    """What demographic linking's contact rule gave when matching decided (matching.demographics
    `contact_answer`): the household record of the participant's email or phone, kept so that a
    reviewer's placement at a parcel needs no scan of the household records."""

    key = StringField()  # the email and phones it was decided on (demographics.contact_key)
    record = EmbeddedDocumentField(DemographicReference)  # None: the rule links no record


class MatchInfo(EmbeddedDocument):
    quality = StringField(choices=MatchQuality.CHOICES, required=True)
    score = FloatField()
    probability = FloatField()  # of the best candidate
    weight_gap = FloatField()  # bits from the best candidate to the runner-up
    parameters_version = IntField()  # the matching parameters (match_parameters) used
    method = StringField()  # how the link was made, e.g. "house_number+zip"
    agreement = DictField()  # which fields agreed for the chosen parcel
    reason = StringField()  # why no_match / pending
    detail = StringField()  # reason MATCH_ERROR: the error deciding raised
    county_resolution = StringField()  # how matching chose the counties to search: zip|city|all
    candidates = EmbeddedDocumentListField(MatchCandidate)
    contact = EmbeddedDocumentField(ContactAnswer)  # None: decided before it was kept
    matched_at = DateTimeField()
    reviewed_by = StringField()
    version = IntField(default=0)  # bumped on every change; guards concurrent reviews


# Who owns which top-level fields of a participant. Every write goes through
# participants.services; these say which of its functions may set what.
# The person as the source tells it: written by the migration and the EmailOctopus sync.
SOURCE_FIELDS = (
    "contact_id",
    "email_address",
    "phone_number",
    "status",
    "fields",
    "field_history",
    "engagements",
    "totals",
    "synced_at",
    "search_text",
    "originals",
)
# The links to the county data: written by matching and by staff review, each change guarded by
# `match.version` (participants.services.set_references).
REFERENCE_FIELDS = ("residence_ref", "demographic_ref", "match")
# Staff decisions, each appended in the update that makes it (set_references with a decision):
# the record their SQL audit rows are written, and reconciled, from (review.audit).
DECISION_HISTORY_FIELD = "review_history"
# A quarantined row as the migration and the sync record it.
QUARANTINE_FIELDS = ("source_id", "reason", "detail", "original")


class _Named:
    @property
    def display_name(self):
        """First and last name as far as known, else the contact id (never blank in a list)."""
        fields = self.fields
        name = " ".join(str(part) for part in (fields.first_name, fields.last_name) if part)
        return name or self.contact_id


class Participant(_Named, Document):
    """One person, with one engagement per source document (plan's target schema)."""

    contact_id = StringField(required=True, unique=True)  # normalised email, else E.164 phone
    email_address = StringField()
    phone_number = StringField()
    status = StringField()
    fields = EmbeddedDocumentField(ParticipantFields, default=ParticipantFields)
    field_history = EmbeddedDocumentListField(FieldChange)
    engagements = EmbeddedDocumentListField(Engagement)
    totals = EmbeddedDocumentField(EngagementTotals, default=EngagementTotals)
    residence_ref = EmbeddedDocumentField(ResidenceReference)
    demographic_ref = EmbeddedDocumentField(DemographicReference)
    match = EmbeddedDocumentField(MatchInfo)  # None until matching has run
    synced_at = DateTimeField()
    search_text = StringField()  # lower-cased name, email, phone, address, city, ZIP (search)
    # Whole values a source gave that are stored shortened (or could not be taken as they came),
    # each {part, field, value, length, source_id, campaign_id, synced_at}: participants.person.
    originals = ListField(DictField())
    review_history = ListField(DictField())  # DECISION_HISTORY_FIELD: {key, action, at, ...}
    # {order: key} while the participant waits for review (participants.review_order)
    review_order = DictField()

    meta = {
        "collection": "participants",
        "db_alias": "default",
        "auto_create_index": False,  # indexes are created by ensure_indexes(), once per command
        # Only what reads participants themselves: identity (the migration, the sync's
        # upserts), the sync's EmailOctopus contacts, and the review queue in each of its orders
        # (participants.review_order: the queue shows whole participants). Lists query the
        # listing (ParticipantListing). Each index costs every write: an update of a participant
        # took 8-11 ms with the 15 indexes lists once had here, 2.2 ms with none (local store).
        # The queue's keys are sparse: only the participants waiting for review have them, and
        # the queue's range on a key ($gte "") never matches one without it, so a real MongoDB
        # uses them as SecantusDB does; the others cost neither the build nor their updates an
        # index entry (the store writes a null entry for each in a plain index).
        "indexes": [
            {"fields": ["contact_id"], "unique": True},
            "engagements.eo_contact_id",
            {"fields": ["review_order.probability"], "sparse": True},
            {"fields": ["review_order.uncertain"], "sparse": True},
        ],
    }


class ParticipantListing(_Named, Document):
    """A participant as the lists see it (participants.listing): same `_id`, same field paths,
    only what a list filters, sorts or shows. Written by participants.services alone."""

    contact_id = StringField()
    email_address = StringField()
    phone_number = StringField()
    fields = EmbeddedDocumentField(ParticipantFields, default=ParticipantFields)
    search_text = StringField()
    engagements = EmbeddedDocumentListField(Engagement)
    totals = EmbeddedDocumentField(EngagementTotals, default=EngagementTotals)
    residence_ref = EmbeddedDocumentField(ResidenceReference)
    demographic_ref = EmbeddedDocumentField(DemographicReference)
    match = EmbeddedDocumentField(MatchInfo)
    zips = ListField(StringField())  # the ZIP they gave and their parcel's (the ZIP filter)
    originals = ListField(DictField())  # of the listed fields only (participants.listing)

    meta = {
        "collection": "participant_listing",
        "db_alias": "default",
        "auto_create_index": False,
        # Each serves a list's filter exactly (the local store uses an index only then, or for
        # one condition of the filter): county, county + quality, county + quality + campaign
        # (its prefixes); quality, and whom matching takes (quality + reviewed_by); a campaign;
        # a ZIP; "has household record"; the burden range.
        "indexes": [
            ("residence_ref.county", "match.quality", "engagements.campaign_id"),
            ("match.quality", "match.reviewed_by"),
            "engagements.campaign_id",
            "zips",
            "demographic_ref.parcel_id",
            "demographic_ref.total_energy_burden",
        ],
    }


class ListedNames(EmbeddedDocument):
    """The `fields` of a listing key: what the lists' default and ZIP orders sort by."""

    first_name = StringField(db_field="FirstName")
    last_name = StringField(db_field="LastName")
    zip5 = StringField()


class ListingKeys(Document):
    """The smallest copy of a listed participant (participants.listing): the names and ZIP the
    lists sort by, and one "county|quality|campaign" key (participants.listing.filter_key) for
    each campaign of a participant with a county. Written by participants.services alone."""

    fields = EmbeddedDocumentField(ListedNames, default=ListedNames)
    keys = ListField(StringField())

    meta = {
        "collection": "participant_listing_keys",
        "db_alias": "default",
        "auto_create_index": False,
        "indexes": ["keys"],
    }


class QuarantinedDocument(Document):
    """A source document that could not become a participant, with its reason (never dropped)."""

    source_id = DynamicField(required=True, unique=True)
    reason = StringField(required=True)
    detail = StringField()
    original = DictField()
    quarantined_at = DateTimeField()

    meta = {
        "collection": "migration_quarantine",
        "db_alias": "default",
        "auto_create_index": False,
        "indexes": [{"fields": ["source_id"], "unique": True}, "reason"],
    }


TARGET_DOCUMENTS = (Participant, ParticipantListing, ListingKeys, QuarantinedDocument)


def _shape(key, options):
    """What makes two indexes the same index here: the keys, and whether unique or sparse."""
    return (
        tuple(tuple(part) for part in key),
        bool(options.get("unique")),
        bool(options.get("sparse")),
    )


def ensure_indexes():
    """Create the indexes of every target collection and drop those no longer declared (an
    earlier version's: each costs every write), or declared with other options (a store whose
    queue keys were indexed before they were sparse: the server refuses to create an index
    with the same keys and other options). Idempotent."""
    for document in TARGET_DOCUMENTS:
        collection = mongodb.collection_for(document)
        declared = {_shape(spec["fields"], spec) for spec in document._meta["index_specs"]}
        for name, info in collection.index_information().items():
            if name != "_id_" and _shape(info["key"], info) not in declared:
                collection.drop_index(name)
        document.ensure_indexes()
