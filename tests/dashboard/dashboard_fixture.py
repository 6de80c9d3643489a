"""Five participants with known dashboard figures, built with tests/factories.py."""

from tests.factories import (
    demographic_ref,
    engagement,
    household,
    match,
    parcel,
    participant_doc,
    participant_fields,
    residence_ref,
)


def _linked(county, parcel_id, address, parcel_zip, city):
    return residence_ref(
        parcel(
            county=county,
            parcel_id=parcel_id,
            address=address,
            parcel_city=city,
            parcel_zip=parcel_zip,
        )
    )


def _household(county, parcel_id, name, kwh_cost, burden):
    return demographic_ref(
        household(
            county=county,
            parcel_id=parcel_id,
            customer_name=name,
            annual_kwh_cost=kwh_cost,
            total_energy_burden=burden,
        )
    )


def fixture_participants():
    """Five people, two campaigns (C1, C2), two counties; figures asserted in the tests."""
    return [
        participant_doc(
            "ann@example.org",
            fields=participant_fields(first="Ann", last="Lee", zip_raw="2134"),
            engagements=[
                engagement("C1", opened=True, clicked=True),
                engagement("C2", opened=True),
            ],
            match=match("exact", score=100.0, method="house_number+street+zip", candidates=[]),
            residence_ref=_linked("Suffolk", "S-001", "1 MAIN ST", 2134, "Springfield"),
            demographic_ref=_household("Suffolk", "S-001", "ANN LEE", 1200.0, 4.0),
        ),
        participant_doc(
            "bob@example.org",
            fields=participant_fields(
                first="Bob", last="Ray", address="9 Elm Street", zip_raw="02134-1111"
            ),
            engagements=[engagement("C1", opened=True, bounced=True)],
            match=match("fuzzy", score=88.5, method="street+zip", candidates=[]),
            residence_ref=_linked("Suffolk", "S-002", "9 ELM ST", 2134, "Springfield"),
        ),
        participant_doc(
            "cy@example.org",
            fields=participant_fields(
                first="Cy", last="Fox", address="5 Oak Ave", city="Amherst", zip_raw="01002"
            ),
            engagements=[engagement("C1", unsubscribed=True, complained=True)],
            match=match("manual", method="manual", candidates=[]),
            residence_ref=_linked("Hampshire", "H-001", "5 OAK AVE", 1002, "Amherst"),
            demographic_ref=_household("Hampshire", "H-001", "CY FOX", 2400.0, 12.5),
        ),
        participant_doc(
            "dee@example.org",
            fields=participant_fields(
                first="Dee",
                last="<script>alert(1)</script>",
                address="77 Nowhere Rd",
                city="Amherst",
                zip_raw="01002",
            ),
            engagements=[engagement("C2", opened=True, clicked=True)],
            match=match("no_match", candidates=[]),
        ),
        participant_doc(
            "eve@example.org",
            fields=participant_fields(first="Eve", last="Kim", address="3 Pine Ct"),
            engagements=[engagement("C2")],
        ),
    ]
