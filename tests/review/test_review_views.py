"""The review pages through Django's test client: permissions, queue, change page, actions."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from pymongo.collection import Collection

from empowersave import mongodb
from matching.services import match_participants
from participants import review_order
from participants.documents import MatchQuality, Participant
from participants.services import ReferenceChange, set_references
from review import services, views
from review.models import REVIEWERS_GROUP, ReviewDecision
from tests.empowersave.test_store_contract import winning_stages
from tests.review import review_data
from tests.review.review_data import NOW, make_user, person, raw, seed_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def rc(client_for, reviewer):
    return client_for(reviewer)


def change_url(participant, query=""):
    url = reverse("review:change", args=[participant.id])
    return f"{url}?{query}" if query else url


def listed(response):
    """Contact ids of the queue rows on the page, in order."""
    return [row.record.contact_id for row in response.context["table"].paginated_rows]


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_creates_reviewers_group_with_the_permission():
    call_command("migrate", "review", "0001", verbosity=0)
    assert not Group.objects.filter(name=REVIEWERS_GROUP).exists()
    call_command("migrate", "review", verbosity=0)
    group = Group.objects.get(name=REVIEWERS_GROUP)
    assert set(group.permissions.values_list("codename", flat=True)) == {
        "review_participants",
        "view_reviewdecision",  # read the audit trail in the admin
    }
    assert Permission.objects.filter(codename="review_participants").count() == 1


def test_anonymous_is_sent_to_the_admin_login(client, queue):
    for url in (reverse("review:queue"), change_url(queue["jane"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login") + "?next=")


@pytest.mark.parametrize(
    "user_kwargs",
    [{"staff": False}, {"staff": True}],
    ids=["logged-in-without-permission", "plain-staff"],
)
def test_users_without_the_review_permission_get_403(client_for, queue, user_kwargs):
    client = client_for(make_user("someone", **user_kwargs))
    assert client.get(reverse("review:queue")).status_code == 403
    assert client.get(change_url(queue["jane"])).status_code == 403
    response = client.post(
        reverse("review:no_match", args=[queue["jane"].id]), {"version": 0, "reason": "x"}
    )
    assert response.status_code == 403
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.PENDING


def test_reviewer_and_superuser_get_in(client_for, queue):
    for user in (make_user("rev", reviewer=True), make_user("root", superuser=True)):
        client = client_for(user)
        assert client.get(reverse("review:queue")).status_code == 200
        assert client.get(change_url(queue["jane"])).status_code == 200


def test_no_get_request_changes_data(rc, queue):
    jane = queue["jane"]
    for name in ("accept", "pick", "no_match", "skip"):
        assert rc.get(reverse(f"review:{name}", args=[jane.id])).status_code == 405
    assert rc.get(reverse("review:bulk")).status_code == 405
    assert rc.get(reverse("review:undo", args=[1])).status_code == 405
    assert raw(jane)["match"]["quality"] == MatchQuality.PENDING
    assert ReviewDecision.objects.count() == 0


def test_posts_without_csrf_token_are_refused(reviewer, queue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(
        reverse("review:no_match", args=[queue["jane"].id]), {"version": 0, "reason": "x"}
    )
    assert response.status_code == 403
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.PENDING


# --- queue ------------------------------------------------------------------------------------


def test_queue_lists_items_best_score_first_with_counts(rc, queue):
    response = rc.get(reverse("review:queue"))
    assert listed(response) == [
        "jane@example.org",
        "rita@example.org",
        "olive@example.org",
        "nomad@example.org",
    ]
    html = response.content.decode()
    assert '<strong id="count-to-review">4</strong>' in html
    assert '<strong id="count-reviewed-today">0</strong>' in html
    assert '<div class="breadcrumbs">' in html  # the admin look
    assert 'id="changelist"' in html


def test_filter_headings_keep_the_zip_acronym(rc, queue):
    html = rc.get(reverse("review:queue")).content.decode()
    headings = re.findall(r"<summary>(.*?)</summary>", html)
    assert headings == ["By county", "By match quality", "By campaign", "By ZIP"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("county=Morris", ["rita@example.org"]),
        ("quality=no_match", ["nomad@example.org"]),
        ("campaign=autumn", ["rita@example.org"]),
        ("zip=1104", ["jane@example.org", "olive@example.org"]),  # leading zero restored
        ("zip=01104-1234", ["jane@example.org", "olive@example.org"]),
        ("q=smith", ["jane@example.org"]),
        ("q=olive%40example", ["olive@example.org"]),
        ("q=elm+avenue", ["rita@example.org"]),
        ("county=Essex&q=oak", ["olive@example.org"]),
    ],
)
def test_queue_filters_and_search(rc, queue, query, expected):
    assert listed(rc.get(reverse("review:queue") + "?" + query)) == expected


def test_counts_are_of_the_whole_queue_whatever_the_filters(rc, queue):
    html = rc.get(reverse("review:queue") + "?county=Morris").content.decode()
    assert '<strong id="count-to-review">4</strong>' in html
    assert "<strong>1</strong> participant matches these filters" in html


@pytest.mark.parametrize(
    "query",
    [
        'county={"$ne": null}',
        "county[$ne]=x",
        'quality={"$ne": null}',
        "zip[$gt]=",
        'zip={"$gt": ""}',
        'q={"$ne": null}',
        "q[$regex]=.*",
        "q=.*",
        "campaign[$gt]=",
    ],
)
def test_operator_looking_values_are_plain_text(rc, queue, query):
    response = rc.get(reverse("review:queue") + "?" + query)
    assert response.status_code == 200
    rows = listed(response)
    # Either the value is not a valid choice (nothing listed, the form says so), or it is ignored
    # because the parameter name is not a filter; it never widens or narrows as an operator would.
    assert rows in (
        [],
        ["jane@example.org", "rita@example.org", "olive@example.org", "nomad@example.org"],
    )
    if query.startswith("q=") or query.startswith("county={") or query.startswith("zip="):
        assert rows == []


def test_script_in_a_name_is_escaped(rc, queue):
    evil = person(
        "evil@example.org",
        "<script>alert(1)</script>",
        "Hacker",
        "1 Main St",
        "Springfield",
        "01104",
        match=raw(queue["nomad"])["match"],
    )
    for url in (reverse("review:queue"), change_url(evil)):
        html = rc.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- change page ------------------------------------------------------------------------------


def test_change_page_shows_addresses_candidates_agreement_and_households(rc, queue):
    response = rc.get(change_url(queue["jane"]))
    html = response.content.decode()
    assert "12 North Main Street" in html  # as written
    assert re.search(r'id="address-normalised">\s*12 N MAIN ST,\s*SPRINGFIELD 01104', html)
    assert "0.920" in html and "0.850" in html  # the candidates' probabilities
    assert "SMITH, JANE" in html and "DOE, JOHN" in html  # the household each parcel brings
    assert "<td>$1,500</td><td>$900</td>" in html  # its kWh cost in dollars, as on the dashboard
    assert "1500.0" not in html and "900.0" not in html
    assert '<td class="disagree">14 <span class="sr-only">(differs)</span></td>' in html
    assert '<td class="agree">12</td>' in html
    engagements = re.search(r'<table id="engagements">.*?</table>', html, re.S).group(0)
    assert "Spring appeal 2026" in engagements  # the campaign's name, not its id
    assert "<td>Yes</td><td>No</td><td>No</td><td>No</td><td>No</td>" in engagements
    assert "2 Mar 2026" in engagements
    assert "<strong>Pending review</strong>" in html  # the quality's label, as on the dashboard
    for key in ("a", "n", "s", "j", "/"):
        assert f"<kbd>{key}</kbd>" in html
    assert 'data-shortcut="a 1"' in html
    assert "review/shortcuts.js" in html


def test_unknown_participant_is_404(rc, queue):
    assert rc.get(reverse("review:change", args=["000000000000000000000000"])).status_code == 404
    assert rc.get(reverse("review:change", args=["not-an-id"])).status_code == 404


def test_accept_moves_on_to_the_next_item_keeping_the_filters(rc, queue):
    response = rc.post(
        reverse("review:accept", args=[queue["jane"].id]),
        {"version": 0, "county": "Essex", "parcel_id": "E-100", "queue": "county=Essex"},
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(queue["olive"], "county=Essex")
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.MANUAL


def test_stale_save_tells_the_reviewer_and_writes_nothing(client_for, queue):
    first, second = make_user("first", reviewer=True), make_user("second", reviewer=True)
    url = reverse("review:no_match", args=[queue["jane"].id])
    client_for(first).post(url, {"version": 0, "reason": "No parcel at this address"})
    state = raw(queue["jane"])

    client = client_for(second)
    response = client.post(
        reverse("review:accept", args=[queue["jane"].id]),
        {"version": 0, "county": "Essex", "parcel_id": "E-100"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == change_url(queue["jane"])
    assert "changed by someone else" in response.content.decode()
    assert raw(queue["jane"]) == state
    assert ReviewDecision.objects.filter(reviewer__username="second").count() == 0


def test_skip_moves_on_and_puts_the_item_after_the_others(rc, queue):
    response = rc.post(reverse("review:skip", args=[queue["jane"].id]), {})
    assert response["Location"] == change_url(queue["rita"])
    assert ReviewDecision.objects.get().action == ReviewDecision.Action.SKIP
    # From the last item `j` wraps around, past the skipped one.
    html = rc.get(change_url(queue["nomad"])).content.decode()
    next_url = reverse("review:next", args=[queue["nomad"].id])
    assert f'href="{next_url}" data-shortcut="j"' in html
    assert rc.get(next_url)["Location"] == change_url(queue["rita"])


def test_no_match_via_the_form_default_reason(rc, queue):
    page = rc.get(change_url(queue["olive"]))
    reason = page.context["no_match_form"]["reason"].value()
    rc.post(reverse("review:no_match", args=[queue["olive"].id]), {"version": 0, "reason": reason})
    assert raw(queue["olive"])["match"]["reason"] == "No parcel at this address"


def test_hand_search_and_pick(rc, queue):
    page = rc.get(change_url(queue["olive"], "hs_address=500+oak&hs_parcel_id="))
    html = page.content.decode()
    assert 'id="search-results"' in html and "E-200" in html
    rc.post(
        reverse("review:pick", args=[queue["olive"].id]),
        {"version": 0, "county": "Essex", "parcel_id": "E-200"},
    )
    after = raw(queue["olive"])
    assert after["residence_ref"]["parcel_id"] == "E-200"
    assert ReviewDecision.objects.get().action == ReviewDecision.Action.MANUAL_PICK


def test_history_and_undo(rc, queue):
    rc.post(
        reverse("review:accept", args=[queue["jane"].id]),
        {"version": 0, "county": "Essex", "parcel_id": "E-100"},
    )
    decision = ReviewDecision.objects.get()
    html = rc.get(change_url(queue["jane"])).content.decode()
    assert reverse("review:undo", args=[decision.pk]) in html
    response = rc.post(reverse("review:undo", args=[decision.pk]), {"queue": ""})
    assert response["Location"] == change_url(queue["jane"])
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.PENDING
    html = rc.get(change_url(queue["jane"])).content.decode()
    assert "(undone)" in html and "Undid a decision" in html


def test_bulk_accept_says_how_many_it_will_link_and_links_them_when_confirmed(rc, queue):
    ids = [str(queue[name].id) for name in ("jane", "rita", "olive")]
    before = {name: raw(queue[name]) for name in ("jane", "rita", "olive")}
    response = rc.post(
        reverse("review:bulk"),
        {"action": "accept_top", "probability": "0.75", "_selected_action": ids},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong id="bulk-link-count">1</strong>' in html
    assert "1 stay in the queue: best probability under the threshold." in html  # Olive
    assert "1 stay in the queue: the runner-up is too close (ambiguous)" in html  # Jane
    assert {name: raw(queue[name]) for name in before} == before  # nothing written yet
    assert ReviewDecision.objects.count() == 0
    confirm = response.context["plan"].to_link
    assert [item.participant_id for item in confirm] == [str(queue["rita"].id)]

    response = rc.post(
        reverse("review:bulk"),
        {"action": "accept_top", "probability": "0.75", "confirm": "True",
         "_selected_action": [str(queue["rita"].id)], "seen": [f"{queue['rita'].id}:0"]},
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert "Linked 1 participant(s) to their top candidate (probability at least 0.75)." in html
    assert raw(queue["rita"])["match"]["quality"] == MatchQuality.MANUAL
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.PENDING
    assert '<strong id="count-to-review">3</strong>' in html


def test_a_confirmed_bulk_accept_leaves_a_participant_changed_since_the_preview(rc, queue):
    response = rc.post(
        reverse("review:bulk"),
        {"action": "accept_top", "probability": "0.5", "confirm": "True",
         "_selected_action": [str(queue["rita"].id)], "seen": [f"{queue['rita'].id}:3"]},
        follow=True,
    )  # fmt: skip
    assert "Linked 0 participant(s)" in response.content.decode()
    assert "1 changed meanwhile and were left alone." in response.content.decode()
    assert raw(queue["rita"])["match"]["quality"] == MatchQuality.PENDING


def test_bulk_accept_asks_for_a_probability_between_0_and_1(rc, queue):
    for value in ("", "85", "-0.1", "abc"):
        response = rc.post(
            reverse("review:bulk"),
            {"action": "accept_top", "probability": value,
             "_selected_action": [str(queue["rita"].id)]},
            follow=True,
        )  # fmt: skip
        assert response.redirect_chain[-1][0] == reverse("review:queue")
        assert "errornote" in response.content.decode() or "error" in response.content.decode()
    assert raw(queue["rita"])["match"]["quality"] == MatchQuality.PENDING


def test_bulk_no_match_and_bad_selection(rc, queue):
    response = rc.post(
        reverse("review:bulk"),
        {"action": "no_match", "reason": "PO box", "_selected_action": [str(queue["olive"].id)]},
        follow=True,
    )
    assert "Marked 1 participant(s) as no match." in response.content.decode()
    response = rc.post(
        reverse("review:bulk"),
        {"action": "no_match", "reason": "x", "_selected_action": ['{"$ne": null}']},
        follow=True,
    )
    assert response.content.decode().count("Select at least one participant.") == 1
    assert ReviewDecision.objects.count() == 1


def test_review_what_matching_wrote(rc):
    """The queue and the change page read participants exactly as matching stores them."""
    seed_county()
    mongodb.county_residential_collection().insert_one(
        {
            "county": "Essex",
            "parcel_id": "E-110",
            "address": "12 S MAIN ST",
            "parcel_city": "SPRINGFIELD",
            "parcel_zip": 1104,
        }
    )
    ambiguous = person("a@example.org", "Ann", "Able", "12 Main Street", "Springfield", "01104")
    near = person("b@example.org", "Bob", "Baker", "13 N Main St", "Springfield", "1104")
    person("c@example.org", "Cy", "Cole", "12 North Main Street", "Springfield", "01104")
    match_participants(now=NOW)

    queue_page = rc.get(reverse("review:queue"))
    assert listed(queue_page) == ["a@example.org", "b@example.org"]  # the exact match is done
    page = rc.get(change_url(ambiguous))
    assert page.status_code == 200
    top = page.context["candidates"][0]
    response = rc.post(
        reverse("review:accept", args=[ambiguous.id]),
        {"version": page.context["version"], "county": top.county, "parcel_id": top.parcel_id},
    )
    assert response["Location"] == change_url(near)
    stored = raw(ambiguous)
    assert stored["match"]["quality"] == MatchQuality.MANUAL
    assert stored["residence_ref"]["parcel_id"] == top.parcel_id


# --- the queue's reads: its order remembered until a write changes the queue, its reads of
# participants served by the queue's index, and what a reviewer sees the same as ever -----------


def to_review(response):
    return response.context["counts"]["to_review"]


@pytest.fixture
def participant_reads(monkeypatch):
    """The filter of each `find` and `aggregate` sent to the participants collection."""
    reads = []
    for name in ("find", "aggregate"):
        method = getattr(Collection, name)

        def counted(self, *args, _method=method, **kwargs):
            if self.name == Participant._get_collection_name():
                reads.append(args[0] if args else kwargs.get("filter"))
            return _method(self, *args, **kwargs)

        monkeypatch.setattr(Collection, name, counted)
    return reads


def test_a_second_request_reads_only_the_page_of_participants(rc, queue, participant_reads):
    Participant.ensure_indexes()
    first = rc.get(reverse("review:queue"))
    assert len(participant_reads) == 2  # the whole queue once (order and choices), the page
    participant_reads.clear()

    again = rc.get(reverse("review:queue") + "?county=Morris")
    rc.get(reverse("review:queue") + "?county=Morris")

    assert listed(first) == [
        "jane@example.org", "rita@example.org", "olive@example.org", "nomad@example.org",
    ]  # fmt: skip
    assert listed(again) == ["rita@example.org"] and to_review(again) == 4
    # The filtered queue once, then the page's rows by `_id` on each request.
    assert len(participant_reads) == 3
    assert all(set(read) == {"_id"} for read in participant_reads[1:])


def test_a_decision_shows_on_the_next_queue_page(rc, queue, reviewer):
    for query in ("", "?order=uncertain", "?county=Essex"):
        rc.get(reverse("review:queue") + query)
    services.mark_no_match(
        participant_id=queue["jane"].id, reason="Moved", expected_version=0,
        reviewer=reviewer, now=NOW,
    )  # fmt: skip

    page = rc.get(reverse("review:queue"))
    assert listed(page) == ["rita@example.org", "olive@example.org", "nomad@example.org"]
    assert to_review(page) == 3
    assert listed(rc.get(reverse("review:queue") + "?order=uncertain")) == [
        "olive@example.org", "rita@example.org", "nomad@example.org",
    ]  # fmt: skip
    assert listed(rc.get(reverse("review:queue") + "?county=Essex")) == ["olive@example.org"]


def test_new_candidates_of_the_same_quality_show_in_the_county_filter(rc, queue):
    assert listed(rc.get(reverse("review:queue") + "?county=Morris")) == ["rita@example.org"]
    before = raw(queue["olive"])
    # Only the candidate's parcel changes (in Morris): the match's quality and score stay.
    moved = [review_data.candidate("M-301", 60.0, review_data.OTHER_HOUSE)]
    match = review_data.queued(MatchQuality.PENDING, score=60.0, candidates=moved)
    change = ReferenceChange(before=before, residence_ref=None, demographic_ref=None, match=match)
    set_references(changes=[change], now=NOW, automatic=True)

    assert listed(rc.get(reverse("review:queue") + "?county=Morris")) == [
        "rita@example.org", "olive@example.org",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quality=no_match", ["nomad@example.org"]),
        ("match_quality=no_match", ["nomad@example.org"]),
        ("q=smith", ["jane@example.org"]),
        ("q=oak", ["olive@example.org"]),
        ("zip=abc", []),  # not a ZIP: nothing, not the whole queue
        ("zip=1104", ["jane@example.org", "olive@example.org"]),
        ("zip=01104", ["jane@example.org", "olive@example.org"]),
    ],
)
def test_each_filter_keeps_its_own_rows_after_the_others(rc, queue, query, expected):
    rc.get(reverse("review:queue"))
    rc.get(reverse("review:queue") + "?q=row")
    assert listed(rc.get(reverse("review:queue") + "?" + query)) == expected


@pytest.mark.parametrize(
    "query",
    ["", "order=uncertain", "county=Essex", "campaign=autumn", "q=smith", "county=Essex&q=oak"],
)
def test_the_queue_pages_read_of_participants_is_served_by_the_queues_index(queue, query):
    Participant.ensure_indexes()
    params = QueryDict(query)
    order = views.QueueFilterSet.order_of(params)
    explain = views._queue_filterset(params).qs.explain()
    stages = winning_stages(explain)
    assert "IXSCAN" in stages and "COLLSCAN" not in stages, stages
    plan = explain["queryPlanner"]["winningPlan"]
    while "keyPattern" not in plan:
        plan = plan["inputStage"]
    assert plan["keyPattern"] == {review_order.key_path(order): 1}


def test_the_filter_choices_are_the_queues_counties_and_campaigns(rc, queue):
    form = rc.get(reverse("review:queue")).context["filterset"].form
    assert [value for value, _label in form.fields["county"].choices] == ["", "Essex", "Morris"]
    assert [label for _value, label in form.fields["campaign"].choices] == [
        "All campaigns", "Autumn check-in", "Spring appeal 2026",
    ]  # fmt: skip


def test_next_item_of_a_search_follows_the_queue_order_and_wraps(rc, queue):
    Participant.ensure_indexes()  # a search's next item is read through the queue's index

    def next_of(name):
        response = rc.get(reverse("review:next", args=[queue[name].id]) + "?q=springfield")
        return response["Location"]

    assert next_of("jane") == change_url(queue["olive"], "search=springfield")
    assert next_of("olive") == change_url(queue["jane"], "search=springfield")
