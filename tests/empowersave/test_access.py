"""Every page checks, on every request, that an active staff user holds the page's permission."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dashboard.models import (
    ANALYSTS_GROUP,
    EXPORT_PERMISSION,
    EXPORTERS_GROUP,
    VIEW_PERMISSION,
    ParticipantExport,
)
from dashboard.rollups import refresh_rollups
from review.models import REVIEW_PERMISSION, REVIEWERS_GROUP
from tests.dashboard.dashboard_fixture import fixture_participants
from tests.factories import NOW, insert_participants
from tests.users import group, make_user

pytestmark = pytest.mark.django_db

# Routes anyone may open: the admin (it checks staff status itself, on every request) and
# /favicon.ico, a redirect to a static file.
PUBLIC_NAMESPACES = {"admin"}
PUBLIC_PATHS = {"favicon.ico"}
# The permissions each named route needs, besides being active staff. A new route fails
# test_every_route_is_listed until it is added here, with its check in place.
ROUTE_PERMISSIONS = {
    "dashboard:home": {VIEW_PERMISSION},
    "dashboard:zip_csv": {VIEW_PERMISSION},
    "dashboard:campaigns": {VIEW_PERMISSION},
    "dashboard:campaign_detail": {VIEW_PERMISSION},
    "dashboard:participants": {VIEW_PERMISSION},
    "dashboard:participants_csv": {VIEW_PERMISSION, EXPORT_PERMISSION},
    "dashboard:participant_detail": {VIEW_PERMISSION},
    "dashboard:participant_original": {VIEW_PERMISSION},
    "dashboard:map": {VIEW_PERMISSION},
    **{
        f"review:{name}": {REVIEW_PERMISSION}
        for name in (
            "queue",
            "bulk",
            "undo",
            "change",
            "next",
            "accept",
            "pick",
            "no_match",
            "skip",
            "decisions",
            "decisions_csv",
        )
    },
}
SAMPLE_ARGUMENTS = {"int": "1", "str": "000000000000000000000000", "slug": "x", "path": "x"}
ALL_PERMISSIONS = set().union(*ROUTE_PERMISSIONS.values())


def _walk(patterns, prefix, namespace):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def site_routes():
    """(name, concrete path) of every route outside the admin and the public paths."""
    found = []
    for route, namespace, entry in _walk(get_resolver().url_patterns, "", None):
        if (namespace or "").split(":")[0] in PUBLIC_NAMESPACES or route in PUBLIC_PATHS:
            continue
        path = route
        for converter, sample in SAMPLE_ARGUMENTS.items():
            while f"<{converter}:" in path:
                start = path.index(f"<{converter}:")
                path = path[:start] + sample + path[path.index(">", start) + 1 :]
        assert "<" not in path and "^" not in path, f"cannot fill in {route}"
        found.append((f"{namespace}:{entry.name}", "/" + path))
    return found


ROUTES = site_routes()


def staff_with(permissions, *, staff=True, username="user"):
    user = make_user(username, staff=staff)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def responses(client, path):
    """The answers to a GET and a POST (the check must come before any method check)."""
    return [client.get(path), client.post(path, {})]


def test_every_route_is_listed():
    assert {name for name, _path in ROUTES} == set(ROUTE_PERMISSIONS)


def test_the_public_routes_are_the_login_page_and_the_icon(client):
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/favicon.ico")["Location"] == "/static/favicon.svg"
    assert client.get("/admin/")["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(("name", "path"), ROUTES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, path):
    for response in responses(client, path):
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"].startswith(reverse("admin:login") + "?next=")


@pytest.mark.parametrize(("name", "path"), ROUTES)
def test_users_who_are_not_staff_are_refused_even_with_every_permission(client, name, path):
    client.force_login(staff_with(ALL_PERMISSIONS, staff=False))
    assert [r.status_code for r in responses(client, path)] == [403, 403], name


@pytest.mark.parametrize(("name", "path"), ROUTES)
def test_staff_without_the_permission_are_refused(client, name, path):
    for missing in ROUTE_PERMISSIONS[name]:
        client.force_login(
            staff_with(ALL_PERMISSIONS - {missing}, username=f"lacks-{missing.split('.')[1]}")
        )
        assert [r.status_code for r in responses(client, path)] == [403, 403], (name, missing)


@pytest.mark.parametrize(("name", "path"), ROUTES)
def test_staff_with_the_permissions_get_past_the_check(client, name, path):
    client.force_login(staff_with(ROUTE_PERMISSIONS[name]))
    for response in responses(client, path):
        # 200, a redirect after a POST, 404 for the sample id or 405 for the other method.
        assert response.status_code not in (403, 500), (name, response.status_code)
        assert not response.get("Location", "").startswith(reverse("admin:login"))


@pytest.fixture
def docs():
    docs = insert_participants(*fixture_participants())
    refresh_rollups(now=NOW)
    return docs


PAGES = ["/", "/participants/", "/campaigns/C1/", "/participants/export.csv", "/review/"]


@pytest.fixture
def member(client, docs):
    """A client signed in as staff in every group, with every page open to it."""
    user = make_user("member", groups=[ANALYSTS_GROUP, EXPORTERS_GROUP, REVIEWERS_GROUP])
    client.force_login(user)
    assert [client.get(url).status_code for url in PAGES] == [200] * len(PAGES)
    return user


def test_losing_staff_status_refuses_the_very_next_request(client, member):
    member.is_staff = False
    member.save()
    assert [client.get(url).status_code for url in PAGES] == [403] * len(PAGES)


def test_a_deactivated_account_is_signed_out_on_the_very_next_request(client, member):
    member.is_active = False
    member.save()
    for url in PAGES:
        assert client.get(url)["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("group_name", "refused"),
    [
        (ANALYSTS_GROUP, ["/", "/participants/", "/campaigns/C1/", "/participants/export.csv"]),
        (EXPORTERS_GROUP, ["/participants/export.csv"]),
        (REVIEWERS_GROUP, ["/review/"]),
    ],
)
def test_losing_a_permission_refuses_the_very_next_request(client, member, group_name, refused):
    member.groups.remove(group(group_name))
    assert {url: client.get(url).status_code for url in PAGES} == {
        url: 403 if url in refused else 200 for url in PAGES
    }


def test_a_permission_taken_from_the_group_refuses_its_members_next_request(client, member):
    group(EXPORTERS_GROUP).permissions.clear()
    assert client.get("/participants/export.csv").status_code == 403
    assert client.get("/participants/").status_code == 200


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_each_export_is_recorded_with_its_filter_and_row_count(client, docs):
    user = make_user("exporter", groups=[ANALYSTS_GROUP, EXPORTERS_GROUP])
    client.force_login(user)
    rows = csv_rows(client.get("/participants/export.csv?county=Suffolk&page=2&sort=name"))
    assert len(rows) == 2
    everyone = csv_rows(client.get("/participants/export.csv"))
    assert len(everyone) == 5
    burdened = csv_rows(client.get("/participants/export.csv?burden_min=5&opened=unknown"))
    assert len(burdened) == 1

    first, second, third = ParticipantExport.objects.order_by("pk")
    assert (first.user, first.filters, first.rows, first.completed) == (
        user,
        {"county": "Suffolk"},  # the filter only: paging and sorting are not part of it
        2,
        True,
    )
    assert first.created_at <= first.finished_at
    assert (second.filters, second.rows, second.completed) == ({}, 5, True)
    # Recorded under the filters' current names (burden_min is the old name of the first).
    assert (third.filters, third.rows) == ({"opened": "unknown", "energy_burden_min": "5"}, 1)


def test_an_export_the_client_abandons_is_recorded_as_incomplete(client, docs):
    client.force_login(make_user("exporter", groups=[ANALYSTS_GROUP, EXPORTERS_GROUP]))
    response = client.get("/participants/export.csv?quality=exact")
    export = ParticipantExport.objects.get()
    assert (export.filters, export.rows) == ({"match_quality": "exact"}, None)  # on record at once
    next(iter(response.streaming_content))  # the header line only
    response.close()
    export.refresh_from_db()
    assert (export.rows, export.completed) == (0, False)
    assert export.finished_at is not None


def test_refused_or_invalid_exports_leave_no_record_and_no_data(client, docs):
    client.force_login(make_user("analyst", groups=[ANALYSTS_GROUP]))
    assert client.get("/participants/export.csv").status_code == 403
    client.force_login(make_user("exporter", groups=[ANALYSTS_GROUP, EXPORTERS_GROUP]))
    response = client.get("/participants/export.csv?county=Atlantis")
    assert "Some filters could not be used" in response.content.decode()
    assert ParticipantExport.objects.count() == 0


def test_the_export_link_shows_only_to_those_who_may_export(client, docs):
    client.force_login(make_user("analyst", groups=[ANALYSTS_GROUP]))
    for url in ("/participants/", "/campaigns/C1/"):
        assert "participants/export.csv" not in client.get(url).content.decode()
    client.force_login(make_user("exporter", groups=[ANALYSTS_GROUP, EXPORTERS_GROUP]))
    for url in ("/participants/", "/campaigns/C1/"):
        assert "participants/export.csv" in client.get(url).content.decode()


def test_the_export_record_is_readable_not_editable_in_the_admin(client, docs):
    client.force_login(make_user("exporter", groups=[ANALYSTS_GROUP, EXPORTERS_GROUP]))
    csv_rows(client.get("/participants/export.csv?county=Suffolk"))
    client.force_login(make_user("root", superuser=True))
    listing = client.get("/admin/dashboard/participantexport/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "exporter" in html
    assert "Suffolk" in html
    export = ParticipantExport.objects.get()
    assert client.get("/admin/dashboard/participantexport/add/").status_code == 403
    assert client.post(f"/admin/dashboard/participantexport/{export.pk}/delete/").status_code == 403
    assert ParticipantExport.objects.count() == 1
