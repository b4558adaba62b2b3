from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from measures.figures import measure_summaries, reporting_date
from measures.models import Measure
from strategies.forms import DeliverableForm, ObjectiveForm
from strategies.models import Deliverable, Objective, Priority, Strategy
from strategies.permissions import get_deliverable_for_user, get_objective_for_user, get_strategy_for_user
from strategies.services import EditConflict, deliverable_history, deliverable_save


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
            "can_edit": strategy.can_edit(request.user),
        },
    )


def deliverable_detail(request, pk):
    deliverable = get_deliverable_for_user(request.user, pk)
    as_at = reporting_date()
    return render(
        request,
        "strategies/deliverable_detail.html",
        {
            "deliverable": deliverable,
            "strategy": deliverable.objective.strategy,
            "history": deliverable_history(deliverable),
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
