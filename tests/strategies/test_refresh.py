"""The annual refresh: 2011-14 into 2012-15 without losing the past."""

import pytest
from django.urls import reverse

from strategies.models import Deliverable, Framework, Objective, Priority, Strategy, StrategyRefresh
from strategies.refresh import strategy_adopt, strategy_refresh
from tests import factories


@pytest.fixture
def plan(world):
    """Partnership A's 2011-14 plan: one deliverable open with an update, one complete, one dropped."""
    factories.DeliverableFactory(
        objective=world.objective_a, title="Finished work", status="complete", closure_note="Done."
    )
    factories.DeliverableFactory(
        objective=world.objective_a, title="Dropped work", status="dropped", closure_note="No funding."
    )
    return world


def refresh(world, **kwargs):
    defaults = {
        "partnerships": [world.a, world.b],
        "first_year": 2012,
        "framework": world.framework,
        "mapping": {p.pk: p.pk for p in world.priorities},
        "user": world.users["admin"],
    }
    return strategy_refresh(**{**defaults, **kwargs})


def test_refresh_creates_drafts_carrying_open_deliverables_only(plan):
    refresh(plan)
    new = Strategy.objects.get(partnership=plan.a, first_year=2012)
    assert (new.status, new.span_label) == ("draft", "2012-15")
    titles = set(Deliverable.objects.filter(objective__strategy=new).values_list("title", flat=True))
    assert titles == {plan.deliverable_a.title}
    carried = Deliverable.objects.get(objective__strategy=new)
    assert carried.carried_from == plan.deliverable_a
    # the old strategy is intact
    old_titles = set(
        Deliverable.objects.filter(objective__strategy=plan.strategy_a).values_list("title", flat=True)
    )
    assert old_titles == {plan.deliverable_a.title, "Finished work", "Dropped work"}


def test_refreshing_twice_creates_nothing_twice(plan):
    refresh(plan)
    counts = (Strategy.objects.count(), Objective.objects.count(), Deliverable.objects.count())
    refresh(plan)
    assert (Strategy.objects.count(), Objective.objects.count(), Deliverable.objects.count()) == counts
    assert StrategyRefresh.objects.count() == 2  # both runs are on record


def test_adopting_supersedes_the_old_strategy_which_becomes_read_only(client_for, plan):
    refresh(plan)
    new = Strategy.objects.get(partnership=plan.a, first_year=2012)
    client = client_for("lead_a")
    preview = client.get(reverse("strategies:adopt", args=[new.pk]))
    assert "Nothing has changed yet" in preview.content.decode()
    # The summary is still the old strategy's and there is no assessment: refused, with the reasons.
    refused = client.post(reverse("strategies:adopt", args=[new.pk]), {"action": "confirm"})
    assert refused.status_code == 200 and "equality impact assessment" in refused.content.decode()
    edit = {"summary": "Our 2012-15 strategy.", "eia_date": "2012-03-01", "eia_note": "Assessed; no impact."}
    assert client.post(reverse("strategies:edit", args=[new.pk]), edit).status_code == 302
    response = client.post(reverse("strategies:adopt", args=[new.pk]), {"action": "confirm"})
    assert response.status_code == 302
    new.refresh_from_db()
    plan.strategy_a.refresh_from_db()
    assert (new.status, plan.strategy_a.status) == ("adopted", "superseded")
    edit = reverse("strategies:deliverable_update", args=[plan.deliverable_a.pk])
    assert client_for("officer_a").post(edit, {"title": "x", "status": "on_track"}).status_code == 403


def test_an_officer_cannot_adopt(client_for, plan):
    refresh(plan)
    new = Strategy.objects.get(partnership=plan.a, first_year=2012)
    response = client_for("officer_a").post(reverse("strategies:adopt", args=[new.pk]), {"action": "confirm"})
    assert response.status_code == 403
    new.refresh_from_db()
    assert new.status == "draft"


def test_the_carried_deliverable_shows_its_earlier_updates(client_for, plan):
    refresh(plan)
    carried = Deliverable.objects.get(carried_from=plan.deliverable_a)
    page = client_for("scrutiny").get(carried.get_absolute_url()).content.decode()
    assert "Carried forward from" in page and "Going well." in page  # the 2011/12 Q1 update


def test_a_framework_change_follows_the_priority_mapping(plan):
    new_framework = Framework.objects.create(name="Framework 2012", county="Testshire", first_year=2012)
    renamed = Priority.objects.create(framework=new_framework, number=1, title="Safer town centres")
    Priority.objects.create(framework=new_framework, number=4, title="A new priority")
    # priority 1 is renamed; 2 and 3 are retired
    mapping = {plan.priorities[0].pk: renamed.pk, plan.priorities[1].pk: None, plan.priorities[2].pk: None}
    retired_objective = factories.ObjectiveFactory(strategy=plan.strategy_a, priority=plan.priorities[1])
    factories.DeliverableFactory(objective=retired_objective, title="Under a retired priority")
    refresh(plan, framework=new_framework, mapping=mapping, partnerships=[plan.a])
    new = Strategy.objects.get(partnership=plan.a, first_year=2012)
    assert [o.priority for o in new.objectives.all()] == [renamed]
    assert not Deliverable.objects.filter(objective__strategy=new, title="Under a retired priority").exists()


def test_the_refresh_page_previews_then_confirms(client_for, plan):
    client = client_for("admin")
    params = {"first_year": 2012, "framework": plan.framework.pk, "partnerships": [plan.a.pk]}
    preview = client.get(reverse("strategies:refresh"), params).content.decode()
    assert "Carries forward" in preview and "Finished work" in preview and "Stays behind" in preview
    assert not Strategy.objects.filter(first_year=2012).exists()  # a preview writes nothing
    response = client.post(reverse("strategies:refresh"), {**params, "action": "confirm"})
    assert response.status_code == 302
    assert Strategy.objects.filter(partnership=plan.a, first_year=2012, status="draft").exists()


def test_adopting_twice_is_refused_plainly(plan):
    refresh(plan)
    new = Strategy.objects.get(partnership=plan.a, first_year=2012)
    new.summary = "Our 2012-15 strategy."
    new.save()
    strategy_adopt(strategy=new, user=plan.users["admin"], eia_waiver_reason="Assessment booked for May.")
    new.refresh_from_db()
    assert new.eia_waiver_reason == "Assessment booked for May."  # the reason is kept
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not a draft"):
        strategy_adopt(strategy=new, user=plan.users["admin"])


def test_adopting_without_an_assessment_needs_a_reason(plan):
    from django.core.exceptions import ValidationError

    refresh(plan)
    new = Strategy.objects.get(partnership=plan.a, first_year=2012)
    new.summary = "Our 2012-15 strategy."
    new.save()
    with pytest.raises(ValidationError, match="equality impact assessment"):
        strategy_adopt(strategy=new, user=plan.users["admin"])
    new.refresh_from_db()
    assert new.status == "draft"
