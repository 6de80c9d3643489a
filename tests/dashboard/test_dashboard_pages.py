"""Dashboard, campaign and participant pages on a small fixture with known answers."""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from mongoengine.connection import get_db

from dashboard.models import ANALYSTS_GROUP, EXPORTERS_GROUP
from dashboard.rollups import refresh_rollups
from empowersave import mongodb
from tests.dashboard.dashboard_fixture import fixture_participants
from tests.factories import (
    NOW,
    engagement,
    insert_participants,
    participant_doc,
    participant_fields,
)
from tests.users import group, make_user

pytestmark = pytest.mark.django_db


class _Tables(HTMLParser):
    """Collects the text of every cell, row by row, of each <table id=…>."""

    def __init__(self):
        super().__init__()
        self.tables, self._table, self._row, self._cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", f"t{len(self.tables)}"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(response):
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def body_rows(response, table_id="t0"):
    """Rows of a table without its header row, as {first cell: cells}."""
    rows = tables(response)[table_id]
    return {row[0]: row for row in rows[1:]}


def names(response):
    """Participant names listed in the django-tables2 table, in order."""
    rows = tables(response)["t0"][1:]
    return [row[0] for row in rows if len(row) > 1]


@pytest.fixture
def docs():
    docs = insert_participants(*fixture_participants())
    mongodb.source_campaigns_collection().insert_many(
        [
            {"_id": "C1", "name": "Heat pump rebates 2025", "sent_at": NOW.replace(month=1)},
            {"_id": "C2", "name": "Winter bill help 2025", "sent_at": NOW.replace(month=3)},
        ]
    )
    refresh_rollups(now=NOW)
    return docs


@pytest.fixture
def analyst(client):
    """A client signed in as a staff analyst who may also export (the CSV tests use it)."""
    client.force_login(make_user("analyst", groups=[ANALYSTS_GROUP, EXPORTERS_GROUP]))
    return client


@pytest.mark.parametrize(
    "url", ["/", "/campaigns/", "/campaigns/C1/", "/participants/", "/participants/export.csv"]
)
def test_pages_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_dashboard_campaign_statistics(analyst, docs):
    response = analyst.get("/")
    assert response.status_code == 200
    rows = body_rows(response, "campaign-table")
    # Newest campaign first; counts with their share of emails sent.
    assert list(rows) == ["Winter bill help 2025", "Heat pump rebates 2025"]
    assert rows["Heat pump rebates 2025"][1:] == [
        "3",
        "2 66.7%",
        "1 33.3%",
        "1 33.3%",
        "1 33.3%",
        "1 33.3%",
    ]
    assert rows["Winter bill help 2025"][1:] == [
        "3",
        "2 66.7%",
        "1 33.3%",
        "0 0.0%",
        "0 0.0%",
        "0 0.0%",
    ]


def test_dashboard_totals_zip_coverage_and_energy(analyst, docs):
    response = analyst.get("/")
    html = response.content.decode()
    assert "<dd>5</dd>" in html  # participants
    assert "<dd>6</dd>" in html  # engagements
    assert "<dd>60.0%</dd>" in html  # residence matched (3 of 5)
    assert "<dd>40.0%</dd>" in html  # demographic linked (2 of 5)

    zips = body_rows(response, "zip-table")
    assert list(zips) == ["02134", "01002"]  # sorted by opened
    assert zips["02134"][1:] == ["2", "3", "3 100.0%", "1 33.3%"]
    assert zips["01002"][1:] == ["2", "2", "1 50.0%", "1 50.0%"]

    counties = body_rows(response, "county-table")
    header = tables(response)["county-table"][0]
    assert header[4:] == [
        "Exact",
        "Fuzzy",
        "Manual",
        "No match",
        "Pending review",
        "Not matched yet",
    ]
    assert counties["Suffolk"][1:] == ["2", "2 100.0%", "1 50.0%", "1", "1", "0", "0", "0", "0"]
    assert counties["Hampshire"][1:] == ["1", "1 100.0%", "1 100.0%", "0", "0", "1", "0", "0", "0"]
    assert counties["(no county)"][1:] == ["2", "0 0.0%", "0 0.0%", "0", "0", "0", "1", "0", "1"]
    assert list(counties)[-1] == "(no county)"

    energy = body_rows(response, "energy-table")
    assert energy["Hampshire"][1:] == ["1", "$2,400", "$2,400", "$2,400–$2,400", "1", "12.5%"] + [
        "12.5%",
        "12.5%–12.5%",
    ]
    assert energy["Suffolk"][1:5] == ["1", "$1,200", "$1,200", "$1,200–$1,200"]
    assert energy["Suffolk"][6] == "4.0%"

    # The charts' numbers, for plotly.js served by the site itself.
    assert '<script src="/static/plotly/plotly.min.js">' in html
    assert 'id="chart-data"' in html


def test_dashboard_zip_sorting_and_top_n(analyst, docs):
    response = analyst.get("/?zip_sort=zip&zip_top=10")
    assert list(body_rows(response, "zip-table")) == ["01002", "02134"]
    response = analyst.get("/?zip_sort=click_rate&zip_top=all")
    assert list(body_rows(response, "zip-table")) == ["01002", "02134"]
    # Unknown values fall back to the defaults instead of failing.
    response = analyst.get("/?zip_sort=$where&zip_top=-1")
    assert response.status_code == 200
    assert list(body_rows(response, "zip-table")) == ["02134", "01002"]


def test_zip_csv_has_every_zip(analyst, docs):
    response = analyst.get("/zip-engagement.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "zip",
        "participants",
        "sent",
        "opened",
        "clicked",
        "open_rate",
        "click_rate",
    ]
    assert rows[1] == ["02134", "2", "3", "3", "1", "1.0000", "0.3333"]
    assert len(rows) == 3


def test_empty_dashboard_says_so(analyst):
    response = analyst.get("/")
    assert response.status_code == 200
    assert "No participants yet" in response.content.decode()


def test_campaign_list(analyst, docs):
    response = analyst.get("/campaigns/")
    rows = body_rows(response, "campaign-table")
    assert rows["Heat pump rebates 2025 C1"][1:3] == ["3", "2 66.7%"]


def test_campaign_detail_shows_that_campaigns_engagement(analyst, docs):
    response = analyst.get("/campaigns/C1/")
    html = response.content.decode()
    assert "Heat pump rebates 2025" in html
    assert "66.7%" in html
    rows = {row[0]: row for row in tables(response)["t0"][1:]}
    header = tables(response)["t0"][0]
    assert header[:6] == ["Name", "Email", "Opened", "Clicked", "Bounced", "Unsubscribed"]
    assert set(rows) == {"Ann Lee", "Bob Ray", "Cy Fox"}
    assert rows["Ann Lee"][2:9] == ["Yes", "Yes", "No", "No", "1 MAIN ST", "Suffolk", "Exact"]
    assert rows["Bob Ray"][2:6] == ["Yes", "No", "Yes", "No"]
    assert rows["Cy Fox"][2:6] == ["No", "No", "No", "Yes"]

    # In C2 Ann opened but did not click: the row shows C2's engagement, not C1's.
    rows = {row[0]: row for row in tables(analyst.get("/campaigns/C2/"))["t0"][1:]}
    assert rows["Ann Lee"][2:4] == ["Yes", "No"]
    assert rows["Eve Kim"][6:] == ["3 Pine Ct", "—", "Not matched yet"]


def test_campaign_detail_shows_the_latest_of_two_engagements_in_one_campaign(analyst, docs):
    earlier = {**engagement("C1", opened=True, clicked=True), "engaged_at": NOW.replace(day=1)}
    later = {**engagement("C1", bounced=True), "engaged_at": NOW.replace(day=10)}
    insert_participants(
        participant_doc(
            "twice@example.org",
            fields=participant_fields(first="Two", last="Rows"),
            engagements=[earlier, later],
        )
    )
    refresh_rollups(now=NOW)
    rows = {row[0]: row for row in tables(analyst.get("/campaigns/C1/"))["t0"][1:]}
    assert rows["Two Rows"][2:6] == ["No", "No", "Yes", "No"]


def test_unknown_campaign_is_404(analyst, docs):
    assert analyst.get("/campaigns/nope/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Ann Lee", "Bob Ray", "Cy Fox", "Dee <script>alert(1)</script>", "Eve Kim"}),
        ("county=Suffolk", {"Ann Lee", "Bob Ray"}),
        ("quality=fuzzy", {"Bob Ray"}),
        ("quality=unmatched", {"Eve Kim"}),
        ("campaign=C2", {"Ann Lee", "Dee <script>alert(1)</script>", "Eve Kim"}),
        ("opened=true", {"Ann Lee", "Bob Ray", "Dee <script>alert(1)</script>"}),
        ("opened=false", {"Cy Fox", "Eve Kim"}),
        ("clicked=true", {"Ann Lee", "Dee <script>alert(1)</script>"}),
        ("bounced=true", {"Bob Ray"}),
        ("unsubscribed=true", {"Cy Fox"}),
        ("zip=02134", {"Ann Lee", "Bob Ray"}),
        ("zip=1002", {"Cy Fox", "Dee <script>alert(1)</script>"}),
        ("has_demographic=true", {"Ann Lee", "Cy Fox"}),
        ("has_demographic=false", {"Bob Ray", "Dee <script>alert(1)</script>", "Eve Kim"}),
        ("burden_min=5", {"Cy Fox"}),
        ("burden_max=5", {"Ann Lee"}),
        ("burden_min=1&burden_max=20", {"Ann Lee", "Cy Fox"}),
        ("q=elm", {"Bob Ray"}),
        ("q=ANN+lee", {"Ann Lee"}),
        ("q=5+oak", {"Cy Fox"}),
        (
            "q=example.org",
            {"Ann Lee", "Bob Ray", "Cy Fox", "Dee <script>alert(1)</script>", "Eve Kim"},
        ),
        ("q=.*", set()),  # regex characters are text
        # Combined filters.
        ("county=Suffolk&quality=exact&campaign=C1", {"Ann Lee"}),
        ("campaign=C2&clicked=true", {"Dee <script>alert(1)</script>"}),  # Ann clicked C1 only
        ("campaign=C1&opened=false", {"Cy Fox"}),
        ("county=Hampshire&has_demographic=true&burden_min=10", {"Cy Fox"}),
        ("opened=true&zip=02134&q=bob", {"Bob Ray"}),
    ],
)
def test_participant_filters(analyst, docs, query, expected):
    response = analyst.get(f"/participants/?{query}")
    assert response.status_code == 200
    assert set(names(response)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Dee <script>alert(1)</script>", "Cy Fox", "Eve Kim", "Ann Lee", "Bob Ray"]),
        ("-name", ["Bob Ray", "Ann Lee", "Eve Kim", "Cy Fox", "Dee <script>alert(1)</script>"]),
        (
            "email_address",
            ["Ann Lee", "Bob Ray", "Cy Fox", "Dee <script>alert(1)</script>", "Eve Kim"],
        ),
    ],
)
def test_participant_sorting(analyst, docs, sort, expected):
    assert names(analyst.get(f"/participants/?sort={sort}")) == expected


def test_participant_sorting_by_reference_columns(analyst, docs):
    matched = "has_demographic=true"
    assert names(analyst.get(f"/participants/?{matched}&sort=burden")) == ["Ann Lee", "Cy Fox"]
    assert names(analyst.get(f"/participants/?{matched}&sort=-kwh_cost")) == ["Cy Fox", "Ann Lee"]
    assert names(analyst.get("/participants/?county=Suffolk&sort=quality")) == [
        "Ann Lee",
        "Bob Ray",
    ]
    assert names(analyst.get("/participants/?quality=exact&sort=-county"))[0] == "Ann Lee"
    by_county = names(analyst.get("/participants/?has_demographic=true&sort=-county"))
    assert by_county == ["Ann Lee", "Cy Fox"]  # Suffolk before Hampshire


ALL_COLUMNS = "columns_form=1" + "".join(
    f"&columns={name}"
    for name in ("email_address", "address", "zip", "county", "quality", "sent", "opened")
    + ("clicked", "kwh_cost", "burden")
)


def test_participant_table_cells(analyst, docs):
    rows = {row[0]: row for row in tables(analyst.get(f"/participants/?{ALL_COLUMNS}"))["t0"][1:]}
    assert rows["Ann Lee"][1:] == [
        "ann@example.org",
        "1 MAIN ST",
        "02134",
        "Suffolk",
        "Exact",
        "2",
        "2",
        "1",
        "$1,200",
        "4.0%",
    ]
    assert rows["Eve Kim"][5] == "Not matched yet"


def test_participants_are_paginated(analyst, docs):
    more = [fixture_participants()[4] | {"contact_id": f"p{i:03}@example.org"} for i in range(120)]
    for doc in more:
        doc.pop("_id")
    insert_participants(*more)
    first = analyst.get("/participants/?sort=email_address")
    assert len(names(first)) == 50
    html = first.content.decode()
    assert "<strong>125</strong> participants match · page 1 of 3" in html
    assert "Page 1 of 3" in html
    third = analyst.get("/participants/?sort=email_address&page=3")
    assert len(names(third)) == 25
    assert "Next →</a>" not in third.content.decode()
    # The pages are one list: no row twice, none left out.
    pages = [names(analyst.get(f"/participants/?sort=-zip&page={n}")) for n in (1, 2, 3)]
    assert sum(len(page) for page in pages) == 125
    assert len({name for page in pages for name in page}) == 5  # 120 copies share Eve's name


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("", "5 participants match"),
        ("county=Suffolk", "2 participants match"),
        ("match_quality=fuzzy", "1 participant matches"),
        ("campaign=C1&opened=true", "2 participants match"),
        ("search=nobody", "0 participants match"),
    ],
)
def test_filtered_lists_say_how_many_match(analyst, docs, query, count):
    html = analyst.get(f"/participants/?{query}").content.decode()
    number, rest = count.split(" ", 1)
    assert (
        f'<p class="match-count" id="match-count" role="status"><strong>{number}</strong> {rest}'
        in (html)
    )


def test_campaign_page_says_how_many_participants(analyst, docs):
    html = analyst.get("/campaigns/C1/").content.decode()
    assert "<strong>3</strong> participants match" in html


@pytest.mark.parametrize("sort", ["zip", "-zip", "county", "-county", "burden", "-burden"])
def test_blanks_sort_last_in_both_directions(analyst, docs, sort):
    listed = names(analyst.get(f"/participants/?sort={sort}"))
    column = {"zip": 3, "county": 4, "burden": 10}[sort.lstrip("-")]
    every_column = analyst.get(f"/participants/?{ALL_COLUMNS}")
    cells = {row[0]: row[column] for row in tables(every_column)["t0"][1:]}
    shown = [cells[name] for name in listed]
    filled = [cell for cell in shown if cell not in ("", "—")]
    assert shown[: len(filled)] == filled  # every blank after every value
    as_number = {"burden": lambda cell: float(cell.rstrip("%"))}.get(sort.lstrip("-"), str)
    assert filled == sorted(filled, key=as_number, reverse=sort.startswith("-"))


def test_ties_keep_one_order_whatever_the_direction(analyst, docs):
    # Ann and Bob share ZIP 02134; Cy and Dee share 01002: each pair stays in _id order.
    ascending = names(analyst.get("/participants/?sort=zip"))
    descending = names(analyst.get("/participants/?sort=-zip"))
    assert ascending[:4] == ["Cy Fox", "Dee <script>alert(1)</script>", "Ann Lee", "Bob Ray"]
    assert descending[:4] == ["Ann Lee", "Bob Ray", "Cy Fox", "Dee <script>alert(1)</script>"]
    assert ascending[4] == descending[4] == "Eve Kim"  # no ZIP: last both ways


def test_csv_export_of_the_current_filter(analyst, docs):
    response = analyst.get("/participants/export.csv?county=Suffolk&sort=name")
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["contact_id"] for row in rows] == ["ann@example.org", "bob@example.org"]
    ann = rows[0]
    assert ann["first_name"] == "Ann"
    assert ann["parcel_id"] == "S-001"
    assert ann["match_quality"] == "exact"
    assert ann["annual_kwh_cost"] == "1200.0"
    assert ann["energy_burden"] == "4.0"
    assert (ann["campaigns"], ann["opened"], ann["clicked"]) == ("2", "2", "1")


def test_csv_export_counts_the_chosen_campaign(analyst, docs):
    response = analyst.get("/participants/export.csv?campaign=C2")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    ann = next(row for row in rows if row["contact_id"] == "ann@example.org")
    assert (ann["campaigns"], ann["opened"], ann["clicked"]) == ("1", "1", "0")
    dee = next(row for row in rows if row["contact_id"] == "dee@example.org")
    assert dee["last_name"] == "<script>alert(1)</script>"  # CSV is data, not HTML


def test_csv_cells_never_start_a_formula(analyst, docs):
    evil = fixture_participants()[4] | {
        "contact_id": "f@example.org",
        "search_text": "=hyperlink(1) formula",
    }
    evil["fields"] = evil["fields"] | {"FirstName": "=HYPERLINK(1)"}
    evil.pop("_id")
    insert_participants(evil)
    response = analyst.get("/participants/export.csv?q=formula")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["first_name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("+13803405187", "+13803405187"),  # a phone number is a number, not a formula
        ("-12.5", "-12.5"),
        ("02134", "02134"),
        ("O'Brien", "O'Brien"),
        ("=1+2", "'=1+2"),
        ("+1 (380) 340-5187", "'+1 (380) 340-5187"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
    ],
)
def test_csv_values_stay_as_they_are_except_formulas(analyst, docs, value, written):
    doc = fixture_participants()[4] | {
        "contact_id": "p@example.org",
        "phone_number": value,
        "search_text": "p@example.org",
    }
    doc["fields"] = doc["fields"] | {"LastName": value}
    doc.pop("_id")
    insert_participants(doc)
    response = analyst.get("/participants/export.csv?q=p%40example.org")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert (rows[0]["phone"], rows[0]["last_name"]) == (written, written)


def test_csv_export_names_the_campaigns(analyst, docs):
    response = analyst.get("/participants/export.csv?sort=name")
    rows = {
        row["contact_id"]: row
        for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    }
    assert rows["ann@example.org"]["campaign_names"] == (
        "Heat pump rebates 2025; Winter bill help 2025"
    )
    assert rows["bob@example.org"]["campaign_names"] == "Heat pump rebates 2025"
    response = analyst.get("/participants/export.csv?campaign=C2")
    ann = next(
        row
        for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
        if row["contact_id"] == "ann@example.org"
    )
    assert ann["campaign_names"] == "Winter bill help 2025"


@pytest.mark.parametrize(
    "query",
    [
        "county=Atlantis",
        "quality=perfect",
        "campaign=C9",
        "zip=abcde",
        "zip=123456789012",
        "burden_min=lots",
        "county=%7B%22%24ne%22%3A+null%7D",  # county={"$ne": null}
        "quality[$ne]=x&quality=%7B%24ne%3A1%7D",
    ],
)
def test_bad_filter_values_give_a_form_error(analyst, docs, query):
    response = analyst.get(f"/participants/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters could not be used" in html
    assert names(response) == []
    csv_response = analyst.get(f"/participants/export.csv?{query}")
    assert csv_response.status_code == 200
    assert "Some filters could not be used" in csv_response.content.decode()


def test_operator_shaped_parameters_are_plain_text(analyst, docs):
    # Unknown keys are ignored; the search box treats the operator as words to look for.
    response = analyst.get("/participants/?county[$ne]=x&q=%7B%22%24ne%22%3A+null%7D")
    assert response.status_code == 200
    assert names(response) == []
    assert "Some filters could not be used" not in response.content.decode()
    response = analyst.get("/participants/?county[$ne]=x")
    assert len(names(response)) == 5


def test_script_in_a_name_is_escaped(analyst, docs):
    for url in ("/participants/", "/campaigns/C2/", f"/participants/{docs[3]['_id']}/"):
        html = analyst.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html


def test_participant_detail_panels(analyst, docs, settings):
    settings.PARCEL_VIEWER_URLS = {"Suffolk": "https://gis.example.gov/parcel/{parcel_id}"}
    response = analyst.get(f"/participants/{docs[0]['_id']}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 MAIN ST" in html
    assert 'href="https://gis.example.gov/parcel/S-001"' in html
    assert "Suffolk" in html
    assert "$1,200" in html
    assert "4.0%" in html
    assert "Exact match" in html
    assert "probability &gt; 0.999<" in html  # a match stored with its score alone (100)
    assert "by house_number+street+zip" in html
    engagement = body_rows(response, "engagement-table")
    assert engagement["Heat pump rebates 2025"][1:3] == ["Yes", "Yes"]
    assert engagement["Winter bill help 2025"][1:3] == ["Yes", "No"]
    # Analysts who are not reviewers get no review link.
    assert "Review this match" not in html


def test_participant_detail_default_parcel_link_and_history(analyst, docs):
    get_db("default")["participants"].update_one(
        {"_id": docs[2]["_id"]},
        {
            "$set": {
                "field_history": [
                    {"field": "City", "value": "Amherts", "campaign_id": "C2", "synced_at": NOW}
                ]
            }
        },
    )
    response = analyst.get(f"/participants/{docs[2]['_id']}/")
    html = response.content.decode()
    assert "https://www.google.com/maps/search/?api=1&amp;query=5%20OAK%20AVE" in html
    assert body_rows(response, "history-table")["City"][1:3] == ["Amherts", "Winter bill help 2025"]
    assert "Manual match" in html


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [("Jane", None, "Jane"), (None, "Smith", "Smith"), (None, None, "nameless@example.org")],
)
def test_participant_detail_title_and_heading_use_the_known_name(analyst, first, last, shown):
    doc = participant_doc("nameless@example.org", fields=participant_fields(first=first, last=last))
    insert_participants(doc)
    html = analyst.get(f"/participants/{doc['_id']}/").content.decode()
    assert re.search(r"<title>\s*(.*?)\s*·", html).group(1) == shown
    assert re.search(r"<h1>\s*(.*?)\s*</h1>", html).group(1) == shown


def test_participant_without_references(analyst, docs):
    html = analyst.get(f"/participants/{docs[4]['_id']}/").content.decode()
    assert "No residence matched yet." in html
    assert "No demographic record linked yet." in html
    assert "Not matched yet" in html


def test_unknown_participant_is_404(analyst, docs):
    assert analyst.get("/participants/000000000000000000000000/").status_code == 404
    assert analyst.get("/participants/not-an-id/").status_code == 404


def test_page_out_of_range_or_garbage_is_not_an_error(analyst, docs):
    for page in ("999", "-1", "abc", "1e9"):
        response = analyst.get(f"/participants/?page={page}")
        assert response.status_code == 200


def test_campaign_names_from_the_api_sync(analyst, docs):
    from emailoctopus.state import mark_campaign_synced

    mark_campaign_synced(
        campaign={"id": "C2", "name": "Winter bill help (resent)"}, sent_at=NOW, now=NOW
    )
    rows = body_rows(analyst.get("/"), "campaign-table")
    assert "Winter bill help (resent)" in rows


def test_reviewers_get_the_review_links(client, reviewer, docs):
    reviewer.groups.add(group(ANALYSTS_GROUP))
    client.force_login(reviewer)
    html = client.get(f"/participants/{docs[3]['_id']}/").content.decode()
    assert f'href="/review/{docs[3]["_id"]}/"' in html
    assert "Review this match" in html
    assert '<a href="/review/"' in html  # the Review menu entry


def test_sorted_column_is_announced(analyst, docs):
    html = analyst.get("/participants/?sort=-county").content.decode()
    assert 'aria-sort="descending"' in html
    assert html.count("aria-sort=") == 1


def test_the_default_columns_fit_and_the_rest_can_be_chosen_and_are_remembered(analyst, docs):
    header = tables(analyst.get("/participants/"))["t0"][0]
    assert header == ["Name", "Email", "Address", "ZIP", "County", "Match", "Opened", "Clicked"]

    response = analyst.get(
        "/participants/?county=Suffolk&columns_form=1&columns=zip&columns=burden"
    )
    assert tables(response)["t0"][0] == ["Name", "ZIP", "Energy burden"]
    assert response.cookies["participant_columns"].value == "zip,burden"
    assert names(response) == ["Ann Lee", "Bob Ray"]  # the filters stay

    # The next visit (the cookie) shows the same columns, on this table only.
    assert tables(analyst.get("/participants/"))["t0"][0] == ["Name", "ZIP", "Energy burden"]
    assert tables(analyst.get("/campaigns/C1/"))["t0"][0][:3] == ["Name", "Email", "Opened"]
    # Sorting by a hidden column shows it for that list.
    assert "Annual kWh cost" in tables(analyst.get("/participants/?sort=kwh_cost"))["t0"][0]
    # No optional column at all is a choice too; unknown names are ignored.
    response = analyst.get("/participants/?columns_form=1&columns=%24where&columns=contact_id")
    assert tables(response)["t0"][0] == ["Name"]
    assert tables(analyst.get("/participants/"))["t0"][0] == ["Name"]
