import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_http_methods

from measures.figures import reporting_date
from measures.models import Measure
from partnerships import services
from partnerships.forms import MergeForm, SplitForm
from partnerships.models import Membership, Merger, Partnership, PartnershipArea, User
from partnerships.permissions import admin_required, get_partnership_for_user
from strategies import dashboard
from strategies.models import Deliverable, QuarterlyReview, ReportingQuarter, Strategy
from strategies.overview import current_strategies
from strategies.services import get_review, live_deliverables, strategy_for_quarter
from strategies.views import export_or_render, overview


def home(request):
    """A home page that fits the role.

    Officers see their plan, scrutiny members the county, admins their to-do list.
    """
    user = request.user
    if user.is_admin:
        return render(request, "partnerships/home_admin.html", admin_todo())
    if user.is_scrutiny_member:
        return overview(request)
    if user.membership_roles:
        partnerships = Partnership.objects.filter(pk__in=user.membership_roles).order_by("name")
        strategies = current_strategies(partnerships)
        open_quarter = ReportingQuarter.objects.open().latest_first().first()
        plans = []
        for partnership in partnerships:
            strategy = strategies.get(partnership.pk)
            deliverables = (
                Deliverable.objects.filter(objective__strategy=strategy)
                .select_related("objective__priority", "owner")
                .order_by("due_date")
                if strategy
                else Deliverable.objects.none()
            )
            plans.append(
                {
                    "partnership": partnership,
                    "role": user.membership_roles[partnership.pk],
                    "strategy": strategy,
                    "deliverables": deliverables,
                    "review": review_progress(partnership, open_quarter) if open_quarter else None,
                }
            )
        return render(request, "partnerships/home_officer.html", {"plans": plans, "as_at": reporting_date()})
    return overview(request)  # scrutiny members and readers: the county overview


def review_progress(partnership, quarter) -> dict:
    """Where a partnership's review of the open quarter stands, for its officers' home page."""
    strategy = strategy_for_quarter(partnership, quarter)
    live = live_deliverables(strategy, quarter)
    total = live.count()
    updated = live.filter(updates__quarter=quarter).count()
    return {
        "quarter": quarter,
        "review": get_review(partnership, quarter),
        "total": total,
        "updated": updated,
        "percent": round(updated * 100 / total) if total else 100,
    }


def admin_todo() -> dict:
    """What needs an administrator's attention, one query per line."""
    active = Partnership.objects.active()
    as_at = reporting_date()
    with_adopted = Strategy.objects.adopted().values("partnership")
    return {
        "without_strategy": active.exclude(pk__in=with_adopted).order_by("name"),
        "drafts": Strategy.objects.filter(status=Strategy.Status.DRAFT).select_related("partnership"),
        "without_members": active.annotate(n=Count("memberships")).filter(n=0).order_by("name"),
        "without_lead": active.exclude(memberships__role=Membership.Role.LEAD).order_by("name"),
        "users_without_role": User.objects.filter(
            is_active=True, is_superuser=False, is_scrutiny_member=False, memberships__isnull=True
        ),
        "unowned_count": Deliverable.objects.open().filter(owner__isnull=True).count(),
        "overdue_count": Deliverable.objects.overdue(as_at).count(),
        "as_at": as_at,
        "missing_baselines": Measure.objects.annotate(
            n=Count("baselines", filter=Q(baselines__partnership__in=active))
        )
        .filter(n__lt=active.count())
        .order_by("order", "name"),
        "counts": {
            "partnerships": active.count(),
            "strategies": Strategy.objects.count(),
            "deliverables": Deliverable.objects.count(),
            "measures": Measure.objects.count(),
            "users": User.objects.filter(is_active=True).count(),
        },
    }


def partnership_list(request):
    today = datetime.date.today()
    active = list(Partnership.objects.active(today).for_list())
    former = list(Partnership.objects.former(today).for_list())
    strategies = current_strategies(active)
    for partnership in active:
        partnership.current_strategy = strategies.get(partnership.pk)
        partnership.areas_today = [row.area.name for row in partnership.coverage.all() if row.covers(today)]
    return render(
        request, "partnerships/partnership_list.html", {"active": active, "former": former, "today": today}
    )


def partnership_detail(request, slug):
    """A partnership's page: areas over time, mergers, strategies, people, plan and measures (15 queries)."""
    partnership = get_partnership_for_user(request.user, slug)
    filters = dashboard.read_filters(request, partnership=partnership)
    coverage = (
        PartnershipArea.objects.filter(partnership=partnership)
        .select_related("area")
        .prefetch_related("area__codes")
    )
    strategies = list(
        Strategy.objects.for_partnership(partnership)
        .select_related("framework")
        .annotate(
            deliverable_count=Count("objectives__deliverables"),
            **{
                f"n_{value}": Count(
                    "objectives__deliverables", filter=Q(objectives__deliverables__status=value)
                )
                for value in Deliverable.Status.values
            },
        )
    )
    current = next((s for s in strategies if s.status == Strategy.Status.ADOPTED), None)
    memberships = Membership.objects.filter(partnership=partnership).select_related("user").order_by("role")
    mergers = list(
        Merger.objects.filter(Q(successor=partnership) | Q(predecessors=partnership))
        .distinct()
        .select_related("successor")
        .prefetch_related("predecessors")
    )
    merger = next((m for m in mergers if m.successor_id == partnership.pk), None)
    measure_rows, sources = dashboard.measure_rows(filters)
    quarters = list(
        ReportingQuarter.objects.latest_first().annotate(
            review_status=Subquery(
                QuarterlyReview.objects.filter(partnership=partnership, quarter=OuterRef("pk")).values(
                    "status"
                )[:1]
            )
        )[:8]
    )
    return export_or_render(
        request,
        "partnerships/partnership_detail.html",
        {
            "tables": {
                "measures": (dashboard.MEASURE_COLUMNS, lambda: dashboard.measures_table(measure_rows))
            },
            "partnership": partnership,
            "filters": filters,
            "coverage": coverage,
            "strategies": strategies,
            "current": current,
            "status_rows": [
                (value, label, getattr(current, f"n_{value}", 0))
                for value, label in Deliverable.Status.choices
            ]
            if current
            else [],
            "memberships": memberships,
            "merger": merger,
            "predecessors": list(merger.predecessors.all()) if merger else [],
            "merged_into": [m for m in mergers if m.successor_id != partnership.pk],
            "measure_rows": measure_rows,
            "direction_rule": dashboard.DIRECTION_RULE,
            "sources": sources,
            "review_rows": [
                (q, QuarterlyReview(status=q.review_status) if q.review_status else None) for q in quarters
            ],
            "can_edit": partnership.can_edit(request.user),
            "can_view_reviews": partnership.can_view_reviews(request.user),
        },
        partnership.label,
    )


def status_rows(counts: dict) -> list[tuple[str, str, int]]:
    return [(value, label, counts.get(value, 0)) for value, label in Deliverable.Status.choices]


# Error pages: plain English, never a stack trace.
def bad_request(request, exception):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request, exception):
    if not request.user.is_authenticated:  # anonymous visitors learn nothing, not even what exists
        return redirect_to_login(request.get_full_path())
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    return render(request, "errors/500.html", status=500)


@admin_required
@require_http_methods(["GET", "POST"])
def merge(request):
    """Merge partnerships from a date (admins): areas, open work, people and baselines go across."""
    form = MergeForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            merger = services.partnerships_merge(
                predecessors=data["predecessors"],
                name=data["name"],
                effective_from=data["effective_from"],
                is_pilot=data["is_pilot"],
                note=data["note"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if data["short_name"]:
                Partnership.objects.filter(pk=merger.successor_id).update(short_name=data["short_name"])
            messages.success(
                request, f"Merged into {merger.successor} from {merger.effective_from:%d %B %Y}."
            )
            return redirect(merger.successor)
    return render(request, "partnerships/merge.html", {"form": form})


@admin_required
@require_http_methods(["GET", "POST"])
def split(request, slug):
    """End a pilot merger (admins): the partnerships stand alone again, each taking its open work."""
    partnership = get_partnership_for_user(request.user, slug)
    merger = get_object_or_404(Merger, successor=partnership, is_pilot=True, ended_on__isnull=True)
    strategy = Strategy.objects.filter(partnership=partnership, status=Strategy.Status.ADOPTED).first()
    deliverables = (
        Deliverable.objects.filter(objective__strategy=strategy).exclude(
            status__in=Deliverable.CLOSED_STATUSES
        )
        if strategy
        else Deliverable.objects.none()
    )
    form = SplitForm(request.POST or None, deliverables=deliverables, predecessors=merger.predecessors.all())
    if form.is_valid():
        try:
            services.merger_end(
                merger=merger,
                ended_on=form.cleaned_data["ended_on"],
                assignments=form.assignments,
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The {partnership} pilot ends; its partnerships stand alone again.")
            return redirect("partnerships:list")
    return render(
        request, "partnerships/split.html", {"form": form, "partnership": partnership, "merger": merger}
    )
