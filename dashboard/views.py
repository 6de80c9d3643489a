"""Thin views: each reads through a selector and renders.

Every view needs an active staff user with the dashboard's view permission, checked on every
request; the participants CSV (personal data) also needs the export permission and is recorded.
"""

import csv

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_tables2.paginators import LazyPaginator

from dashboard import selectors
from dashboard.exports import CSV_HEADER, csv_rows, filter_parameters, recorded_export
from dashboard.filters import ParticipantFilter
from dashboard.forms import ZIP_DEFAULTS, ZipChartForm
from dashboard.links import parcel_viewer_url
from dashboard.models import EXPORT_PERMISSION, VIEW_PERMISSION
from dashboard.tables import CampaignParticipantTable, ParticipantTable
from empowersave.access import staff_permission_required
from empowersave.adapters import MongoTableData
from empowersave.paging import paginate
from participants.documents import Participant
from participants.selectors import get_participant, participants_for_campaign

viewer_required = staff_permission_required(VIEW_PERMISSION)
exporter_required = staff_permission_required(VIEW_PERMISSION, EXPORT_PERMISSION)


class _Echo:
    """csv.writer target that hands each line straight to the streaming response."""

    def write(self, value):
        return value


def _csv_lines(header, rows):
    writer = csv.writer(_Echo())
    try:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)
    finally:  # the response closes this generator, also when the client goes away
        if hasattr(rows, "close"):
            rows.close()


def _csv_download(header, rows, filename):
    """A CSV attachment streamed line by line: the header, then each row as it is produced."""
    response = StreamingHttpResponse(_csv_lines(header, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@viewer_required
def home(request):
    zip_form = ZipChartForm({**ZIP_DEFAULTS, **request.GET.dict()})
    zip_sort, zip_top = zip_form.options()
    figures = selectors.dashboard_figures(zip_sort=zip_sort)
    zips = figures["zips"]
    shown_zips = zips[:zip_top]
    chart_data = {
        "campaigns": [
            {key: row[key] for key in ("name", "sent", "opened", "clicked", "bounced")}
            for row in figures["campaigns"]
        ],
        "zips": [
            {key: row[key] for key in ("zip", "opened", "clicked", "sent")} for row in shown_zips
        ],
        "qualities": [q["label"] for q in figures["overall"]["quality"]],
        "counties": [
            {"county": row["county"], "quality": row["quality"]} for row in figures["counties"]
        ],
        "energy": figures["energy"],
    }
    context = {
        **figures,
        "shown_zips": shown_zips,
        "zip_form": zip_form,
        "chart_data": chart_data,
        "refreshed_at": selectors.rollups_refreshed_at(),
    }
    return render(request, "dashboard/home.html", context)


@viewer_required
def zip_csv(request):
    """All ZIP engagement figures (the chart shows the top N)."""
    zips = selectors.zip_rows(selectors.rollup_snapshot())
    header = ("zip", "participants", "sent", "opened", "clicked", "open_rate", "click_rate")
    rows = (
        [*(row[key] for key in header[:5]), f"{row['open_rate']:.4f}", f"{row['click_rate']:.4f}"]
        for row in zips
    )
    return _csv_download(header, rows, "zip-engagement.csv")


@viewer_required
def campaigns(request):
    rows = selectors.campaign_rows(selectors.rollup_snapshot(), selectors.campaign_names())
    return render(request, "dashboard/campaigns.html", {"campaigns": rows})


@viewer_required
def campaign_detail(request, campaign_id):
    summary = selectors.campaign_summary(campaign_id)
    if summary is None:
        raise Http404("No participant has this campaign.")
    table = CampaignParticipantTable(
        MongoTableData(participants_for_campaign(campaign_id=campaign_id)), campaign_id=campaign_id
    )
    # LazyPaginator: no count of the whole filtered collection, just one page plus one row.
    paginate(request, table, paginator_class=LazyPaginator)
    return render(request, "dashboard/campaign_detail.html", {"campaign": summary, "table": table})


@viewer_required
def participants(request):
    filterset = ParticipantFilter(request.GET or None, queryset=Participant.objects.all())
    table = ParticipantTable(MongoTableData(filterset.qs))
    if filterset.is_bound and not filterset.is_valid():
        table.empty_text = "Correct the filters above to list participants."
    # LazyPaginator: no count of the whole filtered collection, just one page plus one row.
    paginate(request, table, paginator_class=LazyPaginator)
    context = {
        "filter": filterset,
        "table": table,
        "csv_query": request.GET.urlencode(),
    }
    return render(request, "dashboard/participants.html", context)


@exporter_required
def participants_csv(request):
    """The current filter as CSV, streamed row by row (never the whole result in memory)."""
    filterset = ParticipantFilter(request.GET or None, queryset=Participant.objects.all())
    if filterset.is_bound and not filterset.is_valid():
        return render(
            request,
            "dashboard/participants.html",
            {"filter": filterset, "table": None, "csv_query": ""},
        )
    campaign_id = (
        filterset.form.cleaned_data.get("campaign") if filterset.is_bound else None
    ) or None
    rows = recorded_export(
        csv_rows(filterset.qs, campaign_id=campaign_id),
        user=request.user,
        filters=filter_parameters(filterset.form),
        clock=timezone.now,
    )
    return _csv_download(CSV_HEADER, rows, "participants.csv")


@viewer_required
def participant_detail(request, participant_id):
    participant = get_participant(participant_id=participant_id)
    if participant is None:
        raise Http404("No such participant.")
    names = selectors.campaign_names()
    engagements = [
        {"engagement": engagement, "name": names.get(engagement.campaign_id, {}).get("name")}
        for engagement in participant.engagements
    ]
    history = [
        {"change": change, "campaign": names.get(change.campaign_id, {}).get("name")}
        for change in participant.field_history
    ]
    context = {
        "participant": participant,
        "engagements": engagements,
        "history": history,
        "parcel_url": parcel_viewer_url(participant.residence_ref),
    }
    return render(request, "dashboard/participant_detail.html", context)
