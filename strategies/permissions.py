"""User-scoped lookups for strategies, objectives and deliverables (see partnerships.permissions)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from partnerships.permissions import check_can_edit
from strategies.models import Deliverable, Objective, Strategy


def _check_write(user, strategy: Strategy) -> None:
    """Refuse unless ``strategy.can_edit(user)`` (the rule, on the model); this only picks the answer:
    404 for outsiders, 403 for read-only roles and for a superseded strategy."""
    if strategy.can_edit(user):
        return
    check_can_edit(user, strategy.partnership)
    raise PermissionDenied(f"The {strategy.span_label} strategy has been superseded and is kept as recorded.")


def get_strategy_for_user(user, pk: int, *, write: bool = False) -> Strategy:
    strategy = get_object_or_404(Strategy.objects.select_related("partnership", "framework"), pk=pk)
    if write:
        _check_write(user, strategy)
    return strategy


def get_objective_for_user(user, pk: int, *, write: bool = False) -> Objective:
    objective = get_object_or_404(
        Objective.objects.select_related("strategy__partnership", "strategy__framework", "priority"), pk=pk
    )
    if write:
        _check_write(user, objective.strategy)
    return objective


def get_deliverable_for_user(user, pk: int, *, write: bool = False) -> Deliverable:
    deliverable = get_object_or_404(
        Deliverable.objects.select_related(
            "objective__strategy__partnership", "objective__priority", "owner", "theme"
        ),
        pk=pk,
    )
    if write:
        _check_write(user, deliverable.objective.strategy)
    return deliverable
