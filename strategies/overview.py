"""Which strategy is each partnership's current one."""

from strategies.models import Strategy


def current_strategies(partnerships) -> dict[int, Strategy]:
    """partnership id -> its current strategy (the latest adopted one), in one query."""
    result = {}
    for strategy in (
        Strategy.objects.current().filter(partnership__in=partnerships).select_related("framework")
    ):
        result.setdefault(strategy.partnership_id, strategy)
    return result
