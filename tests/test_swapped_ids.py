"""Ids swapped in POST bodies: an officer of A naming B's rows, users or choices from elsewhere in a write
form changes nothing of B's and saves nothing it should not (the form's choices are narrowed)."""

import pytest
from django.urls import reverse

from reviews.models import DeliverableUpdate, QuarterlyReview
from strategies.models import Deliverable, Objective
from tests import factories


def snapshot_b(world):
    return (
        list(
            Deliverable.objects.filter(objective__strategy=world.strategy_b).values_list(
                "pk", "title", "version"
            )
        ),
        list(
            DeliverableUpdate.objects.filter(deliverable__objective__strategy=world.strategy_b).values_list(
                "pk"
            )
        ),
        list(Objective.objects.filter(strategy=world.strategy_b).values_list("pk", "title")),
    )


def deliverable_post(world, **changes):
    return {
        "title": "Swapped",
        "lead_agency": "Council",
        "status": Deliverable.Status.ON_TRACK,
        "version": world.deliverable_a.version,
        **changes,
    }


def test_review_rows_for_another_partnerships_deliverable_are_ignored(client_for, world):
    QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter)
    before = snapshot_b(world)
    b = world.deliverable_b.pk
    data = {
        f"d{b}-status": "at_risk",
        f"d{b}-rag": "amber",
        f"d{b}-commentary": "Not mine.",
        f"d{b}-version": "",
    }
    client_for("officer_a").post(reverse("reviews:detail", args=[world.a.slug, world.quarter.pk]), data)
    assert snapshot_b(world) == before
    assert not DeliverableUpdate.objects.filter(deliverable=world.deliverable_b).exists()


def test_an_update_url_naming_another_partnerships_deliverable_is_404(client_for, world):
    url = reverse("reviews:update", args=[world.a.slug, world.quarter.pk, world.deliverable_b.pk])
    data = {"action": "update", "status": "at_risk", "rag": "amber", "commentary": "x", "version": ""}
    assert client_for("officer_a").post(url, data).status_code == 404


@pytest.mark.parametrize("field", ["owner", "theme"])
def test_a_deliverable_cannot_take_a_user_or_theme_from_elsewhere(client_for, world, field):
    other_theme = factories.CommonThemeFactory(priority=world.priorities[1])
    value = {"owner": world.users["officer_b"].pk, "theme": other_theme.pk}[field]
    url = reverse("strategies:deliverable_update", args=[world.deliverable_a.pk])
    response = client_for("officer_a").post(url, deliverable_post(world, **{field: value}))
    assert response.status_code == 200  # a form error
    world.deliverable_a.refresh_from_db()
    assert world.deliverable_a.title != "Swapped"


def test_an_objective_cannot_take_another_frameworks_priority(client_for, world):
    other = factories.PriorityFactory(framework=factories.FrameworkFactory(), number=1)
    url = reverse("strategies:objective_create", args=[world.strategy_a.pk])
    response = client_for("officer_a").post(url, {"priority": other.pk, "title": "Swapped", "order": 1})
    assert response.status_code == 200
    assert not Objective.objects.filter(title="Swapped").exists()


def test_a_deliverable_cannot_be_added_under_another_partnerships_objective(client_for, world):
    url = reverse("strategies:deliverable_create", args=[world.objective_b.pk])
    before = snapshot_b(world)
    assert client_for("officer_a").post(url, deliverable_post(world)).status_code == 404
    assert snapshot_b(world) == before


def test_evidence_of_another_partnership_cannot_be_reached_through_ones_own_review(client_for, world):
    url = reverse("reviews:update", args=[world.a.slug, world.quarter.pk, world.deliverable_b.pk])
    response = client_for("officer_a").post(url, {"action": "evidence", "title": "x", "url": "https://e.org"})
    assert response.status_code == 404


def test_a_merger_cannot_name_a_partnership_that_does_not_exist(client_for, world):
    data = {"predecessors": [world.a.pk, 999999], "name": "Swapped CSP", "effective_from": "2012-04-01"}
    response = client_for("admin").post(reverse("strategies:merge"), data)
    assert response.status_code == 200
    assert "Swapped CSP" not in [p.name for p in type(world.a).objects.all()]
