import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from measures import periods
from measures.exports import export_response, wants_export
from measures.figures import measure_summaries, reporting_date
from measures.models import Measure
from partnerships.models import Partnership
from partnerships.permissions import admin_required, get_partnership_for_user
from strategies import dashboard, services
from strategies import refresh as refresh_service
from strategies.forms import (
    DeliverableForm,
    DeliverableUpdateForm,
    EvidenceForm,
    HorizonItemForm,
    ObjectiveForm,
    RefreshForm,
    ReportingQuarterForm,
    ReviewCommentForm,
)
from strategies.models import (
    Deliverable,
    DeliverableUpdate,
    Framework,
    HorizonItem,
    Objective,
    Priority,
    QuarterlyReview,
    ReportingQuarter,
    Strategy,
)
from strategies.paper import build_paper, paper_pdf
from strategies.permissions import (
    get_deliverable_for_user,
    get_evidence_for_user,
    get_objective_for_user,
    get_strategy_for_user,
)
from strategies.services import (
    ROLLUP_RULE,
    EditConflict,
    check_review_editable,
    deliverable_history,
    deliverable_save,
    evidence_add,
    get_review,
    live_deliverables,
    previous_quarter,
    rollup,
    strategy_for_quarter,
    update_save,
)


def strategy_list(request):
    strategies = (
        Strategy.objects.select_related("partnership", "framework")
        .annotate(deliverable_count=Count("objectives__deliverables"))
        .order_by("-first_year", "partnership__name")
    )
    return render(request, "strategies/strategy_list.html", {"strategies": strategies})


def strategy_detail(request, pk):
    strategy = get_strategy_for_user(request.user, pk)
    priorities = list(Priority.objects.filter(framework=strategy.framework_id).prefetch_related("themes"))
    objectives = Objective.objects.filter(strategy=strategy).prefetch_related(
        Prefetch("deliverables", queryset=Deliverable.objects.select_related("owner", "theme"))
    )
    by_priority = {p.pk: [] for p in priorities}
    for objective in objectives:
        by_priority.setdefault(objective.priority_id, []).append(objective)
    measures = list(Measure.objects.prefetch_related("priorities").order_by("order", "name"))
    summaries, sources = measure_summaries(strategy.partnership, measures)
    sections = []
    for priority in priorities:
        sections.append(
            {
                "priority": priority,
                "objectives": by_priority.get(priority.pk, []),
                "summaries": [s for s in summaries if priority in s.measure.priorities.all()],
            }
        )
    return render(
        request,
        "strategies/strategy_detail.html",
        {
            "strategy": strategy,
            "sections": sections,
            "wider_objectives": strategy.wider_objectives.all(),
            "sources": sources,
            "can_adopt": strategy.status == Strategy.Status.DRAFT
            and strategy.partnership.can_sign_off(request.user),
            "refreshed_from": (
                Strategy.objects.filter(objectives__carried_into__strategy=strategy).distinct().first()
                if strategy.status == Strategy.Status.DRAFT
                else None
            ),
            "can_edit": strategy.can_edit(request.user),
        },
    )


def deliverable_detail(request, pk):
    deliverable = get_deliverable_for_user(request.user, pk)
    as_at = reporting_date()
    chain = refresh_service.carried_chain(deliverable)  # earlier strategies' versions of this work
    return render(
        request,
        "strategies/deliverable_detail.html",
        {
            "deliverable": deliverable,
            "strategy": deliverable.objective.strategy,
            "history": deliverable_history(deliverable),
            "can_view_reviews": deliverable.objective.strategy.partnership.can_view_reviews(request.user),
            "updates": DeliverableUpdate.objects.filter(deliverable__in=chain)
            .select_related("quarter__period", "updated_by", "deliverable__objective__strategy")
            .prefetch_related("evidence")
            .order_by("-quarter__period__end"),
            "carried_from": chain[1] if len(chain) > 1 else None,
            "locked_quarters": set(
                QuarterlyReview.objects.filter(
                    partnership=deliverable.objective.strategy.partnership_id,
                    status=QuarterlyReview.Status.SIGNED_OFF,
                ).values_list("quarter_id", flat=True)
            ),
            "as_at": as_at,
            "overdue": deliverable.is_overdue(as_at),
            "can_edit": deliverable.objective.strategy.can_edit(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def deliverable_update(request, pk):
    deliverable = get_deliverable_for_user(request.user, pk, write=True)
    form = DeliverableForm(request.POST or None, instance=deliverable, objective=deliverable.objective)
    conflict = None
    if form.is_valid():
        try:
            saved = deliverable_save(
                deliverable=form.save(commit=False),
                expected_version=form.cleaned_data["version"],
                user=request.user,
            )
        except EditConflict as error:
            conflict = error
            # Keep what this user typed; the next save is based on the version now stored.
            form.data = form.data.copy()
            form.data["version"] = error.current.version
            form.add_error(
                None,
                "Someone else saved this deliverable while you were editing it. Your changes are "
                "below and have not been saved: check them against theirs, then save again.",
            )
        else:
            messages.success(request, f"Saved “{saved.title}”.")
            return redirect(saved)
    return render(
        request,
        "strategies/deliverable_form.html",
        {"form": form, "deliverable": deliverable, "objective": deliverable.objective, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def deliverable_create(request, objective_pk):
    objective = get_objective_for_user(request.user, objective_pk, write=True)
    form = DeliverableForm(request.POST or None, objective=objective)
    if form.is_valid():
        deliverable = deliverable_save(
            deliverable=form.save(commit=False), expected_version=None, user=request.user
        )
        messages.success(request, f"Added “{deliverable.title}”.")
        return redirect(deliverable)
    return render(request, "strategies/deliverable_form.html", {"form": form, "objective": objective})


@require_http_methods(["GET", "POST"])
def objective_create(request, strategy_pk):
    strategy = get_strategy_for_user(request.user, strategy_pk, write=True)
    form = ObjectiveForm(
        request.POST or None, strategy=strategy, initial={"priority": request.GET.get("priority")}
    )
    if form.is_valid():
        objective = form.save()
        messages.success(request, "Added the objective.")
        return redirect(objective.get_absolute_url())
    return render(request, "strategies/objective_form.html", {"form": form, "strategy": strategy})


@require_http_methods(["GET", "POST"])
def objective_update(request, pk):
    objective = get_objective_for_user(request.user, pk, write=True)
    form = ObjectiveForm(request.POST or None, instance=objective, strategy=objective.strategy)
    if form.is_valid():
        objective = form.save()
        messages.success(request, "Saved the objective.")
        return redirect(objective.get_absolute_url())
    return render(
        request,
        "strategies/objective_form.html",
        {"form": form, "strategy": objective.strategy, "objective": objective},
    )


# --- Quarterly review ------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    deliverable: Deliverable
    form: DeliverableUpdateForm
    current: DeliverableUpdate | None
    previous: DeliverableUpdate | None
    conflict: EditConflict | None = None


def build_review(partnership, quarter, data=None):
    """Every live deliverable with last quarter's update beside this quarter's form (7 queries)."""
    strategy = strategy_for_quarter(partnership, quarter)
    deliverables = list(live_deliverables(strategy, quarter))
    in_plan = DeliverableUpdate.objects.filter(deliverable__objective__strategy=strategy)
    current = {u.deliverable_id: u for u in in_plan.filter(quarter=quarter).prefetch_related("evidence")}
    before = previous_quarter(quarter)
    previous = {u.deliverable_id: u for u in in_plan.filter(quarter=before)} if before else {}
    rows = [
        ReviewRow(
            deliverable=d,
            form=DeliverableUpdateForm(
                data,
                prefix=f"d{d.pk}",
                instance=current.get(d.pk),
                deliverable=d,
                quarter=quarter,
                previous=previous.get(d.pk),
            ),
            current=current.get(d.pk),
            previous=previous.get(d.pk),
        )
        for d in deliverables
    ]
    return strategy, before, rows


def group_rows(rows):
    """Rows grouped by priority, then objective, each with its roll-up."""
    priorities = {}
    for row in rows:
        objective = row.deliverable.objective
        group = priorities.setdefault(
            objective.priority_id, {"priority": objective.priority, "objectives": {}}
        )
        group["objectives"].setdefault(objective.pk, {"objective": objective, "rows": []})["rows"].append(row)
    result = []
    for group in priorities.values():
        objectives = list(group["objectives"].values())
        for item in objectives:
            item["rollup"] = rollup([r.current for r in item["rows"]])
        all_rows = [r for item in objectives for r in item["rows"]]
        result.append(
            {
                "priority": group["priority"],
                "objectives": objectives,
                "rollup": rollup([r.current for r in all_rows]),
            }
        )
    return result


def reviews_index(request):
    """Every reporting quarter and where each partnership's review stands."""
    quarters = list(ReportingQuarter.objects.latest_first())
    partnerships = list(Partnership.objects.active().order_by("name"))
    reviews = {
        (r.partnership_id, r.quarter_id): r
        for r in QuarterlyReview.objects.filter(quarter__in=quarters, partnership__in=partnerships)
    }
    viewable = {p.pk for p in partnerships if p.can_view_reviews(request.user)}
    table = [
        {"quarter": q, "cells": [(p, reviews.get((p.pk, q.pk)), p.pk in viewable) for p in partnerships]}
        for q in quarters
    ]
    return render(
        request,
        "strategies/reviews_index.html",
        {"table": table, "partnerships": partnerships, "is_admin": request.user.is_admin},
    )


@require_http_methods(["GET", "POST"])
def review_detail(request, slug, quarter_pk):
    partnership = get_partnership_for_user(request.user, slug, write=request.method == "POST")
    if not partnership.can_view_reviews(request.user):
        raise Http404("No such review for you.")
    quarter = get_object_or_404(ReportingQuarter.objects.select_related("period"), pk=quarter_pk)
    review = get_review(partnership, quarter)
    data = request.POST.copy() if request.method == "POST" else None
    strategy, before, rows = build_review(partnership, quarter, data)
    if request.method == "POST":
        check_review_editable(review)
        saved, problems = 0, 0
        for row in rows:
            form = row.form
            if not form.has_changed():
                continue
            if not form.is_valid():
                problems += 1
                continue
            try:
                update = update_save(
                    review=review,
                    update=form.save(commit=False),
                    expected_version=form.expected_version,
                    user=request.user,
                )
            except EditConflict as conflict:
                row.conflict = conflict
                data[f"{form.prefix}-version"] = conflict.current.version
                form.add_error(
                    None, "Someone else saved this update while you were editing it; your text is kept below."
                )
                problems += 1
            else:
                saved += 1
                data[f"{form.prefix}-version"] = update.version
        if not problems:
            messages.success(
                request,
                f"Saved {saved} update{'s' if saved != 1 else ''}." if saved else "Nothing had changed.",
            )
            return redirect(review.get_absolute_url())
        messages.warning(
            request,
            f"Saved {saved} update{'s' if saved != 1 else ''}. {problems} need{'s' if problems == 1 else ''} "
            "attention: see the rows marked below.",
        )
        # Rebuild the rows so saved ones show their stored values beside the ones still being fixed.
        review = get_review(partnership, quarter)
        strategy, before, rebuilt = build_review(partnership, quarter, data)
        for row, old in zip(rebuilt, rows, strict=True):
            if old.form.errors or old.conflict:
                row.form, row.conflict = old.form, old.conflict
        rows = rebuilt
    outstanding = [row for row in rows if row.current is None]
    return render(
        request,
        "strategies/review_detail.html",
        {
            "partnership": partnership,
            "quarter": quarter,
            "review": review,
            "strategy": strategy,
            "previous_quarter": before,
            "groups": group_rows(rows),
            "rows": rows,
            "outstanding": outstanding,
            "lock_reason": review.lock_reason(),
            "can_edit": partnership.can_edit(request.user) and not review.lock_reason(),
            "can_sign_off": partnership.can_sign_off(request.user),
            "events": review.events.select_related("user") if review.pk else [],
            "rollup_rule": ROLLUP_RULE,
        },
    )


@require_http_methods(["GET", "POST"])
def review_deliverable(request, slug, quarter_pk, pk):
    """One deliverable's update for a quarter, with its evidence (links and files)."""
    writing = request.method == "POST"
    partnership = get_partnership_for_user(request.user, slug, write=writing)
    if not partnership.can_view_reviews(request.user):
        raise Http404("No such review for you.")
    quarter = get_object_or_404(ReportingQuarter.objects.select_related("period"), pk=quarter_pk)
    deliverable = get_object_or_404(
        Deliverable.objects.select_related("objective__strategy", "objective__priority", "owner"),
        pk=pk,
        objective__strategy__partnership=partnership,
    )
    review = get_review(partnership, quarter)
    current = DeliverableUpdate.objects.filter(deliverable=deliverable, quarter=quarter).first()
    before = previous_quarter(quarter)
    previous = (
        DeliverableUpdate.objects.filter(deliverable=deliverable, quarter=before).first() if before else None
    )
    is_evidence = writing and request.POST.get("action") == "evidence"
    form = DeliverableUpdateForm(
        request.POST if writing and not is_evidence else None,
        instance=current,
        deliverable=deliverable,
        quarter=quarter,
        previous=previous,
        empty_permitted=False,
    )
    evidence_form = EvidenceForm(
        request.POST if is_evidence else None, request.FILES if is_evidence else None
    )
    conflict = None
    if writing:
        check_review_editable(review)
        if is_evidence:
            if current is None:
                messages.error(request, "Save this quarter's update first, then add its evidence.")
            elif evidence_form.is_valid():
                evidence_add(
                    review=review,
                    update=current,
                    evidence=evidence_form.save(commit=False),
                    user=request.user,
                )
                messages.success(request, "Evidence added.")
                return redirect(request.path)
        elif form.is_valid():
            try:
                update_save(
                    review=review,
                    update=form.save(commit=False),
                    expected_version=form.expected_version,
                    user=request.user,
                )
            except EditConflict as error:
                conflict = error
                form.data = form.data.copy()
                form.data["version"] = error.current.version
                form.add_error(
                    None,
                    "Someone else saved this update while you were editing it. Your changes are "
                    "below and have not been saved: check them against theirs, then save again.",
                )
            else:
                messages.success(request, f"Saved the {quarter} update for “{deliverable.title}”.")
                return redirect(request.path)
    return render(
        request,
        "strategies/review_deliverable.html",
        {
            "partnership": partnership,
            "quarter": quarter,
            "review": review,
            "deliverable": deliverable,
            "current": current,
            "previous": previous,
            "previous_quarter": before,
            "form": form,
            "evidence_form": evidence_form,
            "evidence": current.evidence.select_related("added_by") if current else [],
            "conflict": conflict,
            "lock_reason": review.lock_reason(),
            "can_edit": partnership.can_edit(request.user) and not review.lock_reason(),
        },
    )


def _review_action(request, slug, quarter_pk, *, sign_off=False):
    partnership = get_partnership_for_user(request.user, slug, write=True)
    if sign_off and not partnership.can_sign_off(request.user):
        raise PermissionDenied(f"Only {partnership}'s lead can sign off or return its review.")
    quarter = get_object_or_404(ReportingQuarter.objects.select_related("period"), pk=quarter_pk)
    return partnership, quarter, get_review(partnership, quarter)


def _comment(request) -> str:
    form = ReviewCommentForm(request.POST)
    form.is_valid()
    return form.cleaned_data.get("comment", "")


def _apply(request, review, service, success: str, **extra):
    """Run a review transition; refusals come back as a plain message on the review page."""
    try:
        service(review=review, user=request.user, **extra)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(review.get_absolute_url())


@require_POST
def review_submit(request, slug, quarter_pk):
    partnership, quarter, review = _review_action(request, slug, quarter_pk)
    strategy = strategy_for_quarter(partnership, quarter)
    outstanding = live_deliverables(strategy, quarter).exclude(updates__quarter=quarter).count()
    success = f"Submitted {quarter} for sign-off by the partnership's lead."
    return _apply(request, review, services.review_submit, success, outstanding=outstanding)


@require_POST
def review_return(request, slug, quarter_pk):
    partnership, quarter, review = _review_action(request, slug, quarter_pk, sign_off=True)
    success = f"Returned {quarter} to the officers with your comment."
    return _apply(request, review, services.review_return, success, comment=_comment(request))


@require_POST
def review_sign_off(request, slug, quarter_pk):
    partnership, quarter, review = _review_action(request, slug, quarter_pk, sign_off=True)
    success = f"Signed off {quarter}. It is now locked for {partnership}."
    return _apply(request, review, services.review_sign_off, success, comment=_comment(request))


@require_POST
@admin_required
def review_unlock(request, slug, quarter_pk):
    partnership, quarter, review = _review_action(request, slug, quarter_pk)
    success = f"Unlocked {quarter} for {partnership}. The reason is kept with the review."
    return _apply(request, review, services.review_unlock, success, reason=_comment(request))


def evidence_download(request, pk):
    """Evidence files are served only here, to people allowed to see them, never from a public URL."""
    evidence = get_evidence_for_user(request.user, pk)
    if not evidence.file:
        return redirect(evidence.url)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("That file is missing from storage; ask an administrator to restore it.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or f"evidence-{evidence.pk}",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@admin_required
def quarter_set_status(request, pk):
    quarter = get_object_or_404(ReportingQuarter.objects.select_related("period"), pk=pk)
    status = request.POST.get("status")
    if status not in ReportingQuarter.Status.values:
        messages.error(request, "Choose open, closed or not open yet.")
    else:
        quarter.status = status
        quarter._history_user = request.user
        quarter.save(update_fields=["status"])
        messages.success(request, f"{quarter} is now {quarter.get_status_display().lower()}.")
    return redirect("strategies:reviews")


@require_POST
@admin_required
def quarter_create(request):
    form = ReportingQuarterForm(request.POST)
    if form.is_valid():
        quarter = form.save()
        messages.success(request, f"Added {quarter} ({quarter.get_status_display().lower()}).")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("strategies:reviews")


# --- Scrutiny dashboards ---------------------------------------------------------------------------


def overview_context(request) -> dict:
    """The county overview for the chosen quarter (the latest reported by default)."""
    filters = dashboard.read_filters(request)
    strategies = dashboard.strategies_for(filters)

    def cell_url(partnership, priority, quarter):
        query = filters.query(partnership=partnership.slug)
        return f"{reverse('strategies:priority', args=[priority.pk])}?{query}"

    grid = dashboard.rag_grid(filters, strategies, cell_url)
    exceptions = dashboard.exceptions(filters, strategies)
    measure_rows, sources = dashboard.measure_rows(filters)
    horizon_items = list(
        HorizonItem.objects.current().exclude(status=HorizonItem.Status.PUBLISHED).order_by("expected_on")[:6]
    )
    return {
        "horizon_items": horizon_items,
        "filters": filters,
        "grid": grid,
        "exceptions": exceptions,
        "measure_rows": measure_rows,
        "directions": dashboard.direction_counts(measure_rows),
        "direction_rule": dashboard.DIRECTION_RULE,
        "sources": sources,
        "tables": {
            "grid": (dashboard.GRID_COLUMNS, lambda: dashboard.grid_table(grid)),
            "exceptions": (dashboard.EXCEPTION_COLUMNS, lambda: dashboard.exceptions_table(exceptions)),
            "measures": (dashboard.MEASURE_COLUMNS, lambda: dashboard.measures_table(measure_rows)),
        },
    }


def export_or_render(request, template, context, title):
    """A dashboard page, or one of its tables as CSV/XLSX when ?export=csv|xlsx&table=... asks."""
    wanted = wants_export(request)
    if wanted:
        fmt, table = wanted
        if table not in context["tables"]:
            raise Http404("No such table on this page.")
        columns, rows = context["tables"][table]
        quarter = context["filters"].quarter
        label = f"{title} {table} {quarter.label if quarter else ''}"
        return export_response(rows(), columns, fmt, label)
    return render(request, template, context)


def overview(request):
    return export_or_render(request, "strategies/overview.html", overview_context(request), "County overview")


def priority_detail(request, pk):
    """One priority across partnerships: its context, each partnership's objectives and deliverables
    with their RAG and commentary for the quarter, the exceptions, and its measures (15 queries)."""
    priority = get_object_or_404(
        Priority.objects.select_related("framework").prefetch_related("themes"), pk=pk
    )
    filters = dashboard.read_filters(request)
    strategies = {
        pid: s
        for pid, s in dashboard.strategies_for(filters).items()
        if s.framework_id == priority.framework_id
    }
    quarter = dashboard.reporting_quarter(filters)
    deliverables = (
        Deliverable.objects.filter(objective__strategy__in=strategies.values(), objective__priority=priority)
        .select_related("objective__strategy__partnership", "objective__priority", "owner")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=DeliverableUpdate.objects.filter(quarter=quarter),
                to_attr="quarter_updates",
            )
        )
        .order_by("objective__strategy__partnership__name", "objective__order", "objective_id", "pk")
    )
    by_partnership = {}
    deliverable_rows = []
    pairs = []
    for d in deliverables:
        objective = d.objective
        update = d.quarter_updates[0] if d.quarter_updates else None
        pairs.append((d, update))
        entry = by_partnership.setdefault(
            objective.strategy.partnership_id,
            {"partnership": objective.strategy.partnership, "objectives": {}},
        )
        item = entry["objectives"].setdefault(objective.pk, {"objective": objective, "rows": []})
        item["rows"].append({"deliverable": d, "update": update})
        deliverable_rows.append(
            {
                "partnership": objective.strategy.partnership.name,
                "objective": objective.title,
                "deliverable": d.title,
                "lead_agency": d.lead_agency,
                "owner": str(d.owner or ""),
                "due_date": d.due_date,
                "status": update.get_status_display() if update else d.get_status_display(),
                "rag": update.get_rag_display() if update else "No update",
                "progress": update.progress if update else None,
                "commentary": update.commentary if update else "",
            }
        )
    sections = []
    for entry in by_partnership.values():
        objectives = list(entry["objectives"].values())
        for item in objectives:
            item["rollup"] = rollup([r["update"] for r in item["rows"]])
        sections.append({"partnership": entry["partnership"], "objectives": objectives})
    exceptions = dashboard.exception_rows(pairs, filters.quarter.end) if filters.quarter else []
    measure_rows, sources = dashboard.measure_rows(filters, priority.measures.order_by("order", "name"))
    context = {
        "priority": priority,
        "filters": filters,
        "partnership_sections": sections,
        "exceptions": exceptions,
        "measure_rows": measure_rows,
        "direction_rule": dashboard.DIRECTION_RULE,
        "rollup_rule": ROLLUP_RULE,
        "sources": sources,
        "reporting_quarter": quarter,
        "tables": {
            "deliverables": (PRIORITY_DELIVERABLE_COLUMNS, lambda: deliverable_rows),
            "exceptions": (dashboard.EXCEPTION_COLUMNS, lambda: dashboard.exceptions_table(exceptions)),
            "measures": (dashboard.MEASURE_COLUMNS, lambda: dashboard.measures_table(measure_rows)),
        },
    }
    return export_or_render(
        request, "strategies/priority_detail.html", context, f"Priority {priority.number}"
    )


PRIORITY_DELIVERABLE_COLUMNS = [
    ("partnership", "Partnership"),
    ("objective", "Objective"),
    ("deliverable", "Deliverable"),
    ("lead_agency", "Lead agency"),
    ("owner", "Owner"),
    ("due_date", "Due"),
    ("status", "Status"),
    ("rag", "RAG"),
    ("progress", "Progress %"),
    ("commentary", "Commentary"),
]


def paper(request):
    """The committee paper for a quarter: a printable page, or a PDF with ?format=pdf."""
    filters = dashboard.read_filters(request, paginate=False)
    context = build_paper(filters)
    if request.GET.get("format") == "pdf":
        html = render_to_string("strategies/paper.html", {**context, "pdf": True}, request=request)
        pdf = paper_pdf(html, base_url=request.build_absolute_uri("/"))
        response = HttpResponse(pdf, content_type="application/pdf")
        label = filters.quarter.slug if filters.quarter else "latest"
        response["Content-Disposition"] = f'attachment; filename="community-safety-paper-{label}.pdf"'
        return response
    return render(request, "strategies/paper.html", context)


# --- Horizon scanning ------------------------------------------------------------------------------

HORIZON_COLUMNS = [
    ("title", "Title"),
    ("kind", "Kind"),
    ("body", "Issued by"),
    ("when", "Expected"),
    ("status", "Status"),
    ("impact", "Expected impact"),
    ("impact_note", "How it affects community safety"),
    ("priorities", "Priorities"),
    ("partnerships", "Partnerships"),
]


def horizon_rows(items) -> list[dict]:
    return [
        {
            "title": i.title,
            "kind": i.get_kind_display(),
            "body": i.body,
            "when": i.when,
            "status": i.get_status_display(),
            "impact": i.get_impact_display(),
            "impact_note": i.impact_note,
            "priorities": ", ".join(str(p.number) for p in i.priorities.all()),
            "partnerships": ", ".join(p.label for p in i.partnerships.all()) or "All",
        }
        for i in items
    ]


def horizon(request):
    """The horizon-scanning register: strategies, laws, guidance and tools ahead for community safety."""
    items = list(HorizonItem.objects.for_register())
    context = {
        "items": items,
        "can_edit": request.user.is_admin,
        "filters": dashboard.Filters(None, [], None, [], None, []),
        "tables": {"register": (HORIZON_COLUMNS, lambda: horizon_rows(items))},
    }
    return export_or_render(request, "strategies/horizon.html", context, "Horizon scanning")


@admin_required
@require_http_methods(["GET", "POST"])
def horizon_edit(request, pk=None):
    item = get_object_or_404(HorizonItem, pk=pk) if pk else None
    form = HorizonItemForm(request.POST or None, instance=item)
    if form.is_valid():
        saved = form.save(commit=False)
        saved._history_user = request.user
        saved.save()
        form.save_m2m()
        messages.success(request, f"Saved “{saved.title}”.")
        return redirect("strategies:horizon")
    return render(request, "strategies/horizon_form.html", {"form": form, "item": item})


# --- Annual refresh ----------------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def refresh(request):
    """Preview, then confirm, the annual refresh of strategies into the next three-year span."""
    data = (
        request.POST if request.method == "POST" else (request.GET if "first_year" in request.GET else None)
    )
    latest = Strategy.objects.adopted().order_by("-first_year").values_list("first_year", flat=True).first()
    form = RefreshForm(
        data,
        initial={
            "first_year": (latest or datetime.date.today().year) + 1,
            "framework": Framework.objects.order_by("-first_year").first(),
            "partnerships": Partnership.objects.active(),
        },
    )
    plans, mapping_rows = None, []
    if form.is_valid():
        framework, first_year = form.cleaned_data["framework"], form.cleaned_data["first_year"]
        partnerships = form.cleaned_data["partnerships"]
        mapping = {}
        old_priorities = (
            Priority.objects.filter(
                framework__strategies__partnership__in=partnerships,
                framework__strategies__status=Strategy.Status.ADOPTED,
            )
            .distinct()
            .select_related("framework")
        )
        new_priorities = list(refresh_service.priorities_for(framework))
        for old in old_priorities:
            default = refresh_service.default_mapping(old.framework, framework).get(old.pk)
            chosen = (data or {}).get(f"map_{old.pk}")
            if chosen is not None:
                mapping[old.pk] = int(chosen) if chosen.isdigit() else None
            else:
                mapping[old.pk] = default
            mapping_rows.append({"old": old, "new": mapping[old.pk]})
        if request.method == "POST" and request.POST.get("action") == "confirm":
            try:
                record = refresh_service.strategy_refresh(
                    partnerships=partnerships,
                    first_year=first_year,
                    framework=framework,
                    mapping=mapping,
                    user=request.user,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                created = record.strategies.count()
                skipped = len(partnerships) - created
                note = f" {skipped} already had one, so nothing was created for them." if skipped else ""
                messages.success(
                    request, f"Created {created} draft strateg{'y' if created == 1 else 'ies'}.{note}"
                )
                return redirect("strategies:list")
        plans = refresh_service.refresh_preview(
            partnerships=partnerships, first_year=first_year, framework=framework, mapping=mapping
        )
        return render(
            request,
            "strategies/refresh.html",
            {
                "form": form,
                "plans": plans,
                "mapping_rows": mapping_rows,
                "new_priorities": new_priorities,
                "span": periods.strategy_span_label(first_year),
            },
        )
    return render(request, "strategies/refresh.html", {"form": form, "plans": None})


@require_POST
def strategy_adopt(request, pk):
    strategy = get_strategy_for_user(request.user, pk, write=True)
    if not strategy.partnership.can_sign_off(request.user):
        raise PermissionDenied(f"Only {strategy.partnership}'s lead adopts its strategy.")
    try:
        adopted = refresh_service.strategy_adopt(strategy=strategy, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Adopted {adopted.span_label}. The strategy it refreshes is now superseded and read-only.",
        )
    return redirect(strategy)
