"""Thin views: each reads through a selector and renders.

Every view needs an active staff user with the dashboard's view permission, checked on every
request; the participants CSV (personal data) also needs the export permission and is recorded.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboard import selectors
from dashboard.columns import column_choice
from dashboard.exports import CSV_HEADER, csv_rows, filter_parameters, recorded_export
from dashboard.filters import ParticipantFilter
from dashboard.forms import ZIP_DEFAULTS, ZipChartForm
from dashboard.geo import map_figures
from dashboard.links import parcel_viewer_url
from dashboard.models import EXPORT_PERMISSION, VIEW_PERMISSION
from dashboard.tables import CampaignParticipantTable, ParticipantTable
from emailoctopus.campaigns import campaign_names
from empowersave.access import staff_permission_required
from empowersave.adapters import MongoTableData
from empowersave.csv_download import csv_download
from empowersave.paging import paginate
from matching.explanations import (
    linked_candidate,
    probability_text,
    stored_probability,
    waterfall,
)
from participants.presenters import (
    FLAG_LABELS,
    engagement_rows,
    original_rows,
    original_text,
    other_field_rows,
)
from participants.selectors import (
    get_participant,
    listing,
    listing_for_campaign,
    listing_for_campaign_order,
)

MAP_POINT_KEYS = ("zip", "lat", "lon", "city", "state", "county", "participants", "sent")
MAP_POINT_KEYS += ("open_rate", "click_rate", "residence_rate")

viewer_required = staff_permission_required(VIEW_PERMISSION)
exporter_required = staff_permission_required(VIEW_PERMISSION, EXPORT_PERMISSION)


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
    return csv_download(header=header, rows=rows, filename="zip-engagement.csv")


@viewer_required
def zip_map(request):
    """ZIP-level engagement and match coverage on a map drawn from local data only."""
    figures = map_figures(selectors.zip_rows(selectors.rollup_snapshot(), sort="zip"))
    chart = {key: figures[key] for key in ("areas", "state_lines", "county_lines")}
    chart["points"] = [{key: point[key] for key in MAP_POINT_KEYS} for point in figures["points"]]
    context = {**figures, "chart_data": chart}
    return render(request, "dashboard/map.html", context)


@viewer_required
def campaigns(request):
    rows = selectors.campaign_rows(selectors.rollup_snapshot(), campaign_names())
    return render(request, "dashboard/campaigns.html", {"campaigns": rows})


@viewer_required
def campaign_detail(request, campaign_id):
    summary = selectors.campaign_summary(campaign_id)
    if summary is None:
        raise Http404("No participant has this campaign.")
    columns = column_choice(request, table_class=CampaignParticipantTable)
    table = CampaignParticipantTable(
        MongoTableData(
            listing_for_campaign(campaign_id=campaign_id),
            remember=listing_for_campaign_order(campaign_id=campaign_id),
        ),
        campaign_id=campaign_id,
        exclude=columns.hidden,
    )
    # MongoTableData counts the matches in the page's own `_id` pass (no second query).
    paginate(request, table)
    context = {"campaign": summary, "table": table, "columns": columns}
    return columns.remember(render(request, "dashboard/campaign_detail.html", context))


@viewer_required
def participants(request):
    filterset = ParticipantFilter(request.GET or None, queryset=listing())
    columns = column_choice(request, table_class=ParticipantTable)
    data = MongoTableData(
        filterset.qs,
        ids_from=filterset.keyed_queryset(),
        remember=filterset.keyed_order(),
        unshown=ParticipantTable.UNSHOWN,
    )
    table = ParticipantTable(data, exclude=columns.hidden)
    if filterset.is_bound and not filterset.is_valid():
        table.empty_text = "Correct the filters above to list participants."
    # MongoTableData counts the matches in the page's own `_id` pass (no second query).
    paginate(request, table)
    context = {
        "filter": filterset,
        "table": table,
        "columns": columns,
        "csv_query": request.GET.urlencode(),
    }
    return columns.remember(render(request, "dashboard/participants.html", context))


@exporter_required
def participants_csv(request):
    """The current filter as CSV, streamed row by row (never the whole result in memory)."""
    filterset = ParticipantFilter(request.GET or None, queryset=listing())
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
        csv_rows(filterset.qs, names=campaign_names(), campaign_id=campaign_id),
        user=request.user,
        filters=filter_parameters(filterset.form),
        clock=timezone.now,
    )
    return csv_download(header=CSV_HEADER, rows=rows, filename="participants.csv")


@viewer_required
def participant_detail(request, participant_id):
    participant = get_participant(participant_id=participant_id)
    if participant is None:
        raise Http404("No such participant.")
    names = campaign_names()
    history = [
        {"change": change, "campaign": names.get(change.campaign_id, {}).get("name")}
        for change in participant.field_history
    ]
    match = participant.match
    context = {
        "participant": participant,
        "match_probability": probability_text(stored_probability(match)),
        "link_waterfall": waterfall(linked_candidate(match, participant.residence_ref)),
        "engagements": engagement_rows(participant.engagements, names=names),
        "flag_labels": FLAG_LABELS.values(),
        "history": history,
        "other_fields": other_field_rows(participant.fields),
        "originals": original_rows(participant.originals),
        "parcel_url": parcel_viewer_url(participant.residence_ref),
    }
    return render(request, "dashboard/participant_detail.html", context)


@viewer_required
def participant_original(request, participant_id, index):
    """All of a value the participant stores shortened, as plain text (its "Show all" link)."""
    participant = get_participant(participant_id=participant_id)
    text = original_text(participant.originals, index) if participant is not None else None
    if text is None:
        raise Http404("No such value.")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
