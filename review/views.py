"""Thin views of the review workspace: admin look, reviewer permission, POST for every change."""

from django.conf import settings
from django.contrib import admin, messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from empowersave.access import staff_permission_required
from empowersave.adapters import MongoTableData
from empowersave.csv_download import csv_download
from empowersave.paging import paginate
from matching.services import search_parcels
from participants.selectors import get_participant, parse_participant_id

from . import bulk_accept, selectors, services
from .filters import DecisionFilterSet, QueueFilterSet
from .forms import (
    NO_MATCH_REASONS,
    BulkActionForm,
    HandSearchForm,
    NoMatchForm,
    ParcelChoiceForm,
    QueueContextForm,
)
from .models import REVIEW_PERMISSION
from .presenters import change_page_context
from .tables import DecisionTable, QueueTable

SKIPPED_SESSION_KEY = "review_skipped"
# What the queue's rows never show: a page of 50 participants comes without them.
QUEUE_UNSHOWN = (
    "engagements",
    "field_history",
    "originals",
    "review_history",
    "search_text",
    "match__candidates__contributions",
    "match__contact",
)
QUEUE_PARAMS = tuple(QueueFilterSet.base_filters)


# Anonymous → login page; not active staff, or without the review permission → 403.
reviewer_required = staff_permission_required(REVIEW_PERMISSION)


def queue_querystring(params):
    """Only the queue's filter parameters, re-encoded (used to carry them between pages)."""
    params = QueueFilterSet.canonical_data(params)
    query = QueryDict(mutable=True)
    for key in QUEUE_PARAMS:
        value = params.get(key)
        if value:
            query[key] = value
    return query.urlencode()


def _participant_or_404(participant_id):
    participant = get_participant(participant_id=participant_id)
    if participant is None:
        raise Http404("No such participant.")
    return participant


def _admin_context(request, title, **extra):
    return {**admin.site.each_context(request), "title": title, **extra}


def _queue_filterset(params, *, after=None, before=None):
    """The queue's filter set over the queue in the order `params` ask for (between the keys
    `after` and `before` when given: selectors.queue_query)."""
    order = QueueFilterSet.order_of(params)
    queue = selectors.review_queue(order, after=after, before=before)
    return QueueFilterSet(params or None, queryset=queue)


def _next_id(request, *, querystring, current):
    params = QueryDict(querystring)
    return selectors.next_queue_item_id(
        queue=lambda after=None, before=None: _queue_filterset(
            params, after=after, before=before
        ).qs,
        order=QueueFilterSet.order_of(params),
        current=current,
        skipped_ids=_skipped(request),
        narrow=not QueueFilterSet.searches(params),
    )


def _skipped(request):
    return request.session.get(SKIPPED_SESSION_KEY, [])


def _change_url(participant_id, querystring):
    url = reverse("review:change", args=[participant_id])
    return f"{url}?{querystring}" if querystring else url


def _queue_url(querystring):
    url = reverse("review:queue")
    return f"{url}?{querystring}" if querystring else url


def _next_url(request, *, querystring, current):
    next_id = _next_id(request, querystring=querystring, current=current)
    if next_id is None:
        messages.info(request, "The queue is empty for these filters.")
        return _queue_url(querystring)
    return _change_url(next_id, querystring)


def _order_links(params, *, current):
    """(label, URL, chosen) of each queue order, with the other filters kept."""
    links = []
    for order, label in selectors.QUEUE_ORDERS.items():
        query = QueryDict(queue_querystring(params), mutable=True)
        query["order"] = order
        links.append((label, f"?{query.urlencode()}", order == current))
    return links


@reviewer_required
@require_GET
def queue(request):
    selectors.queue_choice_values()  # before the rows: one pass for both when neither is known
    filterset = _queue_filterset(request.GET)
    querystring = queue_querystring(request.GET)
    data = MongoTableData(
        filterset.qs,
        remember=selectors.queue_memory(filterset.remembered_name()),
        unshown=QUEUE_UNSHOWN,
    )
    table = QueueTable(data, querystring=querystring)
    paginate(request, table)
    # Without filters the table already counted the whole queue (one scan fewer).
    filtered = any(key != "order" for key in QueryDict(querystring))
    to_review = None if filtered else table.paginator.count
    counts = selectors.queue_counts(reviewer=request.user, now=timezone.now(), to_review=to_review)
    rows = list(table.page.object_list) if table.page else []
    context = _admin_context(
        request,
        "Participants to review",
        filterset=filterset,
        table=table,
        counts=counts,
        querystring=querystring,
        filtered=filtered,
        orders=_order_links(request.GET, current=QueueFilterSet.order_of(request.GET)),
        bulk_form=BulkActionForm(initial={"queue": querystring}),
        no_match_reasons=NO_MATCH_REASONS,
        first_url=_change_url(rows[0].record.id, querystring) if rows else None,
    )
    return render(request, "review/queue.html", context)


@reviewer_required
@require_GET
def change(request, participant_id):
    participant = _participant_or_404(participant_id)
    services.reconcile_audit(now=timezone.now())  # the History panel reads the audit trail
    querystring = queue_querystring(request.GET)
    searching = any(key in request.GET for key in HandSearchForm.base_fields)
    search_form = HandSearchForm(request.GET if searching else None)
    search_results = None
    if search_form.is_bound and search_form.is_valid():
        search_results = search_parcels(
            text=search_form.cleaned_data["hs_address"].strip(),
            parcel_id=search_form.cleaned_data["hs_parcel_id"].strip(),
        )
    page = change_page_context(participant, search_results=search_results)
    context = _admin_context(
        request,
        participant.contact_id,
        **page,
        querystring=querystring,
        search_form=search_form,
        no_match_reasons=NO_MATCH_REASONS,
        no_match_form=NoMatchForm(initial={"version": page["version"], "queue": querystring}),
        history=selectors.participant_history(participant.id),
    )
    return render(request, "review/change.html", context)


@reviewer_required
@require_GET
def next_item(request, participant_id):
    """Go on to the item after this one without deciding (the `j` key); reads only."""
    participant = _participant_or_404(participant_id)
    querystring = queue_querystring(request.GET)
    return redirect(_next_url(request, querystring=querystring, current=participant))


def _decide(request, participant_id, form, decide):
    """Run a decision from a valid form; stale or invalid → back to the page with a message."""
    participant = _participant_or_404(participant_id)
    querystring = queue_querystring(QueryDict(form.data.get("queue", "")))
    if not form.is_valid():
        messages.error(request, "That request was incomplete; nothing was saved.")
        return redirect(_change_url(participant_id, querystring))
    try:
        message = decide(form.cleaned_data)
    except services.ReviewError as error:
        messages.error(request, str(error))
        return redirect(_change_url(participant_id, querystring))
    messages.success(request, message)
    return redirect(_next_url(request, querystring=querystring, current=participant))


@reviewer_required
@require_POST
def accept(request, participant_id):
    def decide(data):
        decision = services.accept_candidate(
            participant_id=participant_id,
            county=data["county"],
            parcel_id=data["parcel_id"],
            expected_version=data["version"],
            reviewer=request.user,
            now=timezone.now(),
        )
        return f"Accepted parcel {decision.parcel_id} for {decision.contact_id}."

    return _decide(request, participant_id, ParcelChoiceForm(request.POST), decide)


@reviewer_required
@require_POST
def pick(request, participant_id):
    def decide(data):
        decision = services.pick_parcel(
            participant_id=participant_id,
            county=data["county"],
            parcel_id=data["parcel_id"],
            expected_version=data["version"],
            reviewer=request.user,
            now=timezone.now(),
        )
        return f"Linked {decision.contact_id} to parcel {decision.parcel_id}."

    return _decide(request, participant_id, ParcelChoiceForm(request.POST), decide)


@reviewer_required
@require_POST
def no_match(request, participant_id):
    def decide(data):
        decision = services.mark_no_match(
            participant_id=participant_id,
            reason=data["reason"],
            expected_version=data["version"],
            reviewer=request.user,
            now=timezone.now(),
        )
        return f"Marked {decision.contact_id} as no match."

    return _decide(request, participant_id, NoMatchForm(request.POST), decide)


@reviewer_required
@require_POST
def skip(request, participant_id):
    def decide(data):
        decision = services.skip(
            participant_id=participant_id, reviewer=request.user, now=timezone.now()
        )
        skipped = _skipped(request)
        if decision.participant_id not in skipped:
            request.session[SKIPPED_SESSION_KEY] = [*skipped, decision.participant_id]
        return f"Skipped {decision.contact_id}; it comes back after the rest of the queue."

    return _decide(request, participant_id, QueueContextForm(request.POST), decide)


@reviewer_required
@require_POST
def undo(request, decision_id):
    form = QueueContextForm(request.POST)
    querystring = queue_querystring(QueryDict(form.data.get("queue", "")))
    try:
        services.reconcile_audit(now=timezone.now())
        undo_row = services.undo(decision_id=decision_id, reviewer=request.user, now=timezone.now())
    except services.ReviewError as error:
        messages.error(request, str(error))
        participant_id = request.POST.get("participant_id", "")
        if parse_participant_id(participant_id):
            return redirect(_change_url(participant_id, querystring))
        return redirect(_queue_url(querystring))
    messages.success(request, f"Undone. {undo_row.contact_id} is back as it was.")
    return redirect(_change_url(undo_row.participant_id, querystring))


def _confirm_bulk_accept(request, *, form, querystring):
    """The confirmation page of a bulk accept: how many it will link, which, and why the others
    stay (nothing is written until the reviewer confirms)."""
    plan = bulk_accept.bulk_accept_plan(
        participant_ids=form.selected, probability=form.cleaned_data["probability"]
    )
    context = _admin_context(
        request,
        "Accept by probability?",
        plan=plan,
        probability=form.cleaned_data["probability"],
        selected=len(form.selected),
        querystring=querystring,
        min_gap=settings.MATCH_MIN_WEIGHT_GAP,
    )
    return render(request, "review/bulk_confirm.html", context)


@reviewer_required
@require_POST
def bulk(request):
    form = BulkActionForm(
        request.POST,
        selected=request.POST.getlist("_selected_action"),
        seen=request.POST.getlist("seen"),
    )
    querystring = queue_querystring(QueryDict(form.data.get("queue", "")))
    if not form.is_valid():
        for errors in form.errors.values():  # non-field errors are in there too, under __all__
            for error in errors:
                messages.error(request, error)
        return redirect(_queue_url(querystring))
    data = form.cleaned_data
    now = timezone.now()
    if data["action"] == BulkActionForm.ACCEPT_TOP:
        if not data["confirm"]:
            return _confirm_bulk_accept(request, form=form, querystring=querystring)
        stats = services.bulk_accept_top(
            participant_ids=form.selected,
            probability=data["probability"],
            seen_versions=form.seen,
            reviewer=request.user,
            now=now,
        )
        message = (
            f"Linked {stats['changed']} participant(s) to their top candidate "
            f"(probability at least {data['probability']:g})."
        )
    else:
        stats = services.bulk_no_match(
            participant_ids=form.selected, reason=data["reason"], reviewer=request.user, now=now
        )
        message = f"Marked {stats['changed']} participant(s) as no match."
    if stats["conflicts"]:
        message += f" {stats['conflicts']} changed meanwhile and were left alone."
    messages.success(request, message)
    return redirect(_queue_url(querystring))


@reviewer_required
@require_GET
def decisions(request):
    """The audit trail: every decision, filterable by reviewer, decision and day; CSV of it."""
    services.reconcile_audit(now=timezone.now())
    filterset = DecisionFilterSet(request.GET or None, queryset=selectors.decisions())
    invalid = filterset.is_bound and not filterset.is_valid()
    table = DecisionTable(filterset.queryset.none() if invalid else filterset.qs)
    paginate(request, table)
    query = QueryDict(mutable=True)
    query.update({key: value for key, value in request.GET.items() if key in filterset.filters})
    context = _admin_context(
        request, "Review decisions", filterset=filterset, table=table, csv_query=query.urlencode()
    )
    return render(request, "review/decisions.html", context)


DECISION_CSV_HEADER = (
    "decision_id",
    "decided_at",
    "reviewer",
    "decision",
    "participant_id",
    "contact_id",
    "county",
    "parcel_id",
    "reason",
    "undone_by_decision",
)


@reviewer_required
@require_GET
def decisions_csv(request):
    services.reconcile_audit(now=timezone.now())
    filterset = DecisionFilterSet(request.GET or None, queryset=selectors.decisions())
    if filterset.is_bound and not filterset.is_valid():
        return decisions(request)  # the page, with the filter errors
    rows = (
        (
            decision.pk,
            decision.created_at.isoformat(),
            decision.reviewer.get_username(),
            decision.get_action_display(),
            decision.participant_id,
            decision.contact_id,
            decision.county,
            decision.parcel_id,
            decision.reason,
            decision.undone_by_id,
        )
        for decision in filterset.qs.iterator(chunk_size=2000)
    )
    return csv_download(header=DECISION_CSV_HEADER, rows=rows, filename="review-decisions.csv")
