"""Strategy pages: strategies, local objectives and deliverables, the horizon register's editing, the
annual refresh and adoption, and mergers and splits of partnerships."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from measures import periods
from partnerships.models import Merger, Partnership
from partnerships.permissions import admin_required, get_partnership_for_user
from strategies import mergers, pages
from strategies import refresh as refresh_service
from strategies.forms import (
    AdoptForm,
    DeliverableForm,
    HorizonItemForm,
    MergeForm,
    ObjectiveForm,
    RefreshForm,
    SplitForm,
    StrategyForm,
)
from strategies.models import Framework, HorizonItem, Strategy
from strategies.permissions import get_deliverable_for_user, get_objective_for_user, get_strategy_for_user
from strategies.services import EditConflict, deliverable_save


def strategy_list(request):
    context = {"strategies": pages.strategy_list(), "can_refresh": request.user.is_admin}
    return render(request, "strategies/strategy_list.html", context)


def strategy_detail(request, pk):
    strategy = get_strategy_for_user(request.user, pk)
    return render(request, "strategies/strategy_detail.html", pages.strategy_context(strategy, request.user))


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
            form.keep_after_conflict(error)
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


@admin_required
@require_http_methods(["GET", "POST"])
def horizon_edit(request, pk=None):
    item = get_object_or_404(HorizonItem, pk=pk) if pk else None
    form = HorizonItemForm(request.POST or None, instance=item)
    if form.is_valid():
        saved = form.save_with_history(request.user)
        messages.success(request, f"Saved “{saved.title}”.")
        return redirect("dashboards:horizon")
    return render(request, "strategies/horizon_form.html", {"form": form, "item": item})


def _refresh_form(data) -> RefreshForm:
    latest = Strategy.objects.adopted().order_by("-first_year").values_list("first_year", flat=True).first()
    initial = {
        "first_year": (latest or datetime.date.today().year) + 1,
        "framework": Framework.objects.order_by("-first_year").first(),
        "partnerships": Partnership.objects.active(),
    }
    return RefreshForm(data, initial=initial)


@admin_required
@require_http_methods(["GET", "POST"])
def refresh(request):
    """Preview, then confirm, the annual refresh of strategies into the next three-year span."""
    data = (
        request.POST if request.method == "POST" else (request.GET if "first_year" in request.GET else None)
    )
    form = _refresh_form(data)
    if not form.is_valid():
        return render(request, "strategies/refresh.html", {"form": form, "plans": None})
    framework, first_year = form.cleaned_data["framework"], form.cleaned_data["first_year"]
    partnerships = form.cleaned_data["partnerships"]
    mapping, mapping_rows = refresh_service.priority_mapping(
        partnerships=partnerships, framework=framework, chosen=data
    )
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
            messages.success(request, refresh_service.refresh_message(record, len(partnerships)))
            return redirect("strategies:list")
    plans = refresh_service.refresh_preview(
        partnerships=partnerships, first_year=first_year, framework=framework, mapping=mapping
    )
    context = {
        "form": form,
        "plans": plans,
        "mapping_rows": mapping_rows,
        "new_priorities": list(refresh_service.priorities_for(framework)),
        "span": periods.strategy_span_label(first_year),
    }
    return render(request, "strategies/refresh.html", context)


@require_http_methods(["GET", "POST"])
def strategy_edit(request, pk):
    """A draft's summary and equality impact assessment (the partnership's people)."""
    strategy = get_strategy_for_user(request.user, pk, write=True)
    form = StrategyForm(request.POST or None, instance=strategy)
    if form.is_valid():
        saved = form.save(commit=False)
        saved._history_user = request.user
        saved.save()
        messages.success(request, f"Saved the {saved.span_label} strategy.")
        return redirect(saved)
    return render(request, "strategies/strategy_form.html", {"form": form, "strategy": strategy})


@require_http_methods(["GET", "POST"])
def strategy_adopt(request, pk):
    """Adopt a draft (its lead): a preview of what adopting does, the EIA or a reason, then confirm."""
    strategy = get_strategy_for_user(request.user, pk, write=True)
    if not strategy.partnership.can_sign_off(request.user):
        raise PermissionDenied(f"Only {strategy.partnership}'s lead adopts its strategy.")
    form = AdoptForm(request.POST or None)
    if form.is_valid() and request.POST.get("action") == "confirm":
        try:
            adopted = refresh_service.strategy_adopt(
                strategy=strategy, user=request.user, eia_waiver_reason=form.cleaned_data["eia_waiver_reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Adopted {adopted.span_label}. The strategy it refreshes is now superseded and read-only.",
            )
            return redirect(strategy)
    context = {
        "strategy": strategy,
        "form": form,
        "preview": refresh_service.adoption_preview(strategy),
        "problems": refresh_service.adoption_problems(strategy, eia_waiver_reason="-"),
    }
    return render(request, "strategies/adopt.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def merge(request):
    """Merge partnerships from a date (admins): a preview of what each partnership will see, then confirm."""
    form = MergeForm(request.POST or None)
    changes = None
    if form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "confirm":
            try:
                merger = mergers.partnerships_merge(**form.merge_arguments(), user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"Merged into {merger.successor} from {merger.effective_from:%d %B %Y}."
                )
                return redirect(merger.successor)
        changes = mergers.merge_preview(
            predecessors=data["predecessors"], name=data["name"], effective_from=data["effective_from"]
        )
    return render(request, "strategies/merge.html", {"form": form, "changes": changes})


@admin_required
@require_http_methods(["GET", "POST"])
def split(request, slug):
    """End a pilot merger (admins): a preview of what each partnership will see, then confirm."""
    partnership = get_partnership_for_user(request.user, slug)
    merger = get_object_or_404(Merger, successor=partnership)
    if not merger.can_end(request.user):
        raise Http404("This partnership is not a pilot that can end.")
    deliverables = mergers.deliverables_to_assign(partnership)
    form = SplitForm(request.POST or None, deliverables=deliverables, predecessors=merger.predecessors.all())
    changes = None
    if form.is_valid():
        ended_on = form.cleaned_data["ended_on"]
        if request.POST.get("action") == "confirm":
            try:
                mergers.merger_end(
                    merger=merger, ended_on=ended_on, assignments=form.assignments, user=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"The {partnership} pilot ends; its partnerships stand alone again."
                )
                return redirect("dashboards:partnerships")
        changes = mergers.split_preview(merger=merger, ended_on=ended_on, assignments=form.assignments)
    context = {"form": form, "partnership": partnership, "merger": merger, "changes": changes}
    return render(request, "strategies/split.html", context)
