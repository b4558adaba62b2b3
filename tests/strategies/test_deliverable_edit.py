import pytest
from django.urls import reverse

from strategies.models import Deliverable, Strategy


def form_data(deliverable, **changes):
    data = {
        "title": deliverable.title,
        "description": deliverable.description,
        "lead_agency": deliverable.lead_agency,
        "owner": deliverable.owner_id or "",
        "due_date": deliverable.due_date.isoformat() if deliverable.due_date else "",
        "theme": deliverable.theme_id or "",
        "status": deliverable.status,
        "closure_note": deliverable.closure_note,
        "version": deliverable.version,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_officer_saves_a_change_and_it_is_in_the_history(client_for, world):
    deliverable = world.deliverable_a
    client = client_for("officer_a")
    response = client.post(
        reverse("strategies:deliverable_update", args=[deliverable.pk]),
        form_data(deliverable, status=Deliverable.Status.AT_RISK),
    )
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.AT_RISK and deliverable.version == 2
    page = client.get(deliverable.get_absolute_url()).content.decode()
    assert "<strong>Status</strong>: On track → At risk" in page
    newest = deliverable.history.first()
    assert newest.history_user == world.users["officer_a"]


@pytest.mark.django_db
def test_second_save_of_the_same_version_is_refused_and_keeps_what_was_typed(client, world):
    deliverable = world.deliverable_a
    url = reverse("strategies:deliverable_update", args=[deliverable.pk])
    started_from = deliverable.version

    client.force_login(world.users["lead_a"])
    first = client.post(
        url, form_data(deliverable, status=Deliverable.Status.OFF_TRACK, version=started_from)
    )
    assert first.status_code == 302

    client.force_login(world.users["officer_a"])
    second = client.post(url, form_data(deliverable, title="My new wording", version=started_from))
    assert second.status_code == 200
    page = second.content.decode()
    assert "Someone else saved this deliverable while you were editing it" in page
    assert "Status" in page and "Off track" in page  # what the other person changed, and who
    assert str(world.users["lead_a"]) in page
    assert 'value="My new wording"' in page  # the second person's typing is kept
    deliverable.refresh_from_db()
    assert deliverable.title != "My new wording"  # ... and nothing was overwritten
    assert deliverable.status == Deliverable.Status.OFF_TRACK

    # Saving again from the refreshed form goes through.
    third = client.post(url, form_data(deliverable, title="My new wording"))
    assert third.status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.title, deliverable.status) == ("My new wording", Deliverable.Status.OFF_TRACK)


@pytest.mark.django_db
def test_invalid_form_re_renders_with_errors_and_saves_nothing(client_for, world):
    deliverable = world.deliverable_a
    response = client_for("officer_a").post(
        reverse("strategies:deliverable_update", args=[deliverable.pk]),
        form_data(deliverable, status=Deliverable.Status.DROPPED, closure_note="", title=""),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say why the deliverable was completed or dropped" in page
    assert "This field is required" in page
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.ON_TRACK


@pytest.mark.django_db
def test_owner_choices_are_the_partnerships_own_people(client_for, world):
    response = client_for("officer_a").get(
        reverse("strategies:deliverable_update", args=[world.deliverable_a.pk])
    )
    owners = list(response.context["form"].fields["owner"].queryset)
    assert world.users["officer_a"] in owners and world.users["officer_b"] not in owners


@pytest.mark.django_db
def test_officer_cannot_pick_another_partnerships_officer_as_owner(client_for, world):
    deliverable = world.deliverable_a
    response = client_for("officer_a").post(
        reverse("strategies:deliverable_update", args=[deliverable.pk]),
        form_data(deliverable, owner=world.users["officer_b"].pk),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_superseded_strategy_refuses_changes_with_a_clear_message(client_for, world):
    Strategy.objects.filter(pk=world.strategy_a.pk).update(status=Strategy.Status.SUPERSEDED)
    response = client_for("officer_a").post(
        reverse("strategies:deliverable_update", args=[world.deliverable_a.pk]),
        form_data(world.deliverable_a),
    )
    assert response.status_code == 403
    assert "superseded and is kept as recorded" in response.content.decode()


@pytest.mark.django_db
def test_officer_adds_a_deliverable_and_an_objective(client_for, world):
    client = client_for("officer_a")
    response = client.post(
        reverse("strategies:objective_create", args=[world.strategy_a.pk]),
        {"priority": world.priorities[1].pk, "title": "Reduce repeat burglary in Banbury", "order": 2},
    )
    assert response.status_code == 302
    objective = world.strategy_a.objectives.get(title="Reduce repeat burglary in Banbury")
    response = client.post(
        reverse("strategies:deliverable_create", args=[objective.pk]),
        {"title": "Target-hardening for repeat victims", "status": "not_started", "lead_agency": "TVP"},
    )
    assert response.status_code == 302
    assert objective.deliverables.get().title == "Target-hardening for repeat victims"


@pytest.mark.django_db
def test_objective_priority_choices_are_the_strategys_framework(client_for, world):
    from tests.factories import PriorityFactory

    stranger = PriorityFactory()
    response = client_for("officer_a").post(
        reverse("strategies:objective_create", args=[world.strategy_a.pk]),
        {"priority": stranger.pk, "title": "Sneaky", "order": 1},
    )
    assert response.status_code == 200
    assert not world.strategy_a.objectives.filter(title="Sneaky").exists()
