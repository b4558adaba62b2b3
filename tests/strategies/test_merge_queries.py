"""Merging carries each open deliverable with a fixed number of queries: its objective, priority and theme
are read with it (``select_related``), never one by one, so a merge's work grows with the deliverables
carried and no faster."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from strategies.mergers import partnerships_merge
from strategies.models import Strategy
from tests import factories

# Each open deliverable of an adopted strategy: 1 its copy, 2 the copy's history record, 3 its audit event.
PER_ADOPTED = 3
# Each deliverable of a draft in flight: the same three for its copy, then 4 its history record and 5 its
# audit event when the old draft is removed.
PER_DRAFTED = 5


def merge_queries(world, *, adopted, drafted):
    """Queries merging A and B, each with ``adopted`` more open deliverables, and A's draft of ``drafted``."""
    for objective in (world.objective_a, world.objective_b):
        for _ in range(adopted):
            factories.DeliverableFactory(objective=objective, theme=world.theme)
    draft = Strategy.objects.create(partnership=world.a, framework=world.framework, first_year=2012)
    objective = factories.ObjectiveFactory(strategy=draft, priority=world.priorities[0])
    for _ in range(drafted):
        factories.DeliverableFactory(objective=objective, theme=world.theme)
    with CaptureQueriesContext(connection) as captured:
        partnerships_merge(
            predecessors=[world.a, world.b],
            name="Alpha and Beta CSP",
            effective_from=datetime.date(2012, 4, 1),
            is_pilot=False,
            user=world.users["admin"],
        )
    return len(captured)


@pytest.mark.parametrize("adopted", [1, 4])
def test_each_open_deliverable_carried_costs_the_same_few_queries(world, adopted):
    counts = merge_queries(world, adopted=adopted, drafted=1)
    assert counts == MERGE_WITH_ONE_DRAFTED + PER_ADOPTED * 2 * adopted


@pytest.mark.parametrize("drafted", [1, 4])
def test_each_drafted_deliverable_carried_costs_the_same_few_queries(world, drafted):
    counts = merge_queries(world, adopted=0, drafted=drafted)
    assert counts == MERGE_WITH_ONE_DRAFTED + PER_DRAFTED * (drafted - 1)


# A merge of A and B (one area, two people, one adopted strategy with one deliverable, one baseline each)
# and A's draft with one deliverable: the fixed part of the work (areas, people, strategies, the draft
# carried and removed, baselines, the areas covered ended and begun, each with its history record and audit
# event), whatever is carried.
MERGE_WITH_ONE_DRAFTED = 150
