"""The annual refresh preview runs the same queries for one partnership as for many, with more
objectives, deliverables and updates (each step reads every partnership at once)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import Period
from strategies.refresh import refresh_preview
from tests import factories

# 1 the new framework's priorities, 2 the adopted strategies before the year, 3 strategies already made
# for the span, 4 their objectives with priorities, 5 the objectives' deliverables, 6 the deliverables'
# updates with quarters, 7 baselines counted per partnership, 8 targets counted per partnership.
PREVIEW_QUERIES = 8


def more_partnerships(world, n):
    quarter = world.quarter
    for i in range(n):
        partnership = factories.PartnershipFactory(name=f"Extra CSP {i}", slug=f"extra-{i}")
        strategy = factories.StrategyFactory(partnership=partnership, framework=world.framework)
        for p in world.priorities:
            objective = factories.ObjectiveFactory(strategy=strategy, priority=p)
            for _ in range(3):
                d = factories.DeliverableFactory(objective=objective)
                factories.DeliverableUpdateFactory(deliverable=d, quarter=quarter)
        factories.BaselineFactory(measure=world.measure, partnership=partnership, value=10)


def preview(world, partnerships):
    with CaptureQueriesContext(connection) as captured:
        plans = refresh_preview(
            partnerships=partnerships,
            first_year=2012,
            framework=world.framework,
            mapping={p.pk: p.pk for p in world.priorities},
        )
    return plans, [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("extra", [0, 1, 12])
def test_refresh_preview_queries_are_fixed(world, extra):
    from partnerships.models import Partnership

    more_partnerships(world, extra)
    partnerships = list(Partnership.objects.order_by("name"))
    plans, queries = preview(world, partnerships)
    assert len(queries) == PREVIEW_QUERIES, "\n".join(queries)
    assert len(plans) == 2 + extra
    by_slug = {plan.partnership.slug: plan for plan in plans}
    assert [d for d, _ in by_slug["alpha"].carried_deliverables] == [world.deliverable_a]
    assert by_slug["alpha"].baselines == 1
    for i in range(extra):
        plan = by_slug[f"extra-{i}"]
        assert len(plan.carried_objectives) == 3 and len(plan.carried_deliverables) == 9
        assert all(update is not None for _, update in plan.carried_deliverables)


def test_refresh_preview_takes_the_latest_adopted_strategy_and_notes_an_existing_draft(world):
    from strategies.models import Strategy

    Strategy.objects.filter(pk=world.strategy_b.pk).update(first_year=2008, last_year=2010)
    newer = factories.StrategyFactory(partnership=world.b, framework=world.framework, first_year=2009)
    draft = factories.StrategyFactory(
        partnership=world.a, framework=world.framework, first_year=2012, status="draft"
    )
    plans, _ = preview(world, [world.a, world.b])
    assert plans[0].existing == draft and plans[0].source == world.strategy_a
    assert plans[1].source == newer and plans[1].existing is None
    assert Period.objects.exists()
