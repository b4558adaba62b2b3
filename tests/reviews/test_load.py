"""The load benchmark's officers and its lost-update check, small and fast, on the test database.

bench/load_bench.py runs many officers at once against gunicorn on PostgreSQL; here three of them take
turns against the live test server (one SQLite connection, so the turns are interleaved rather than
simultaneous): each round all three read the form, then all three save, so the first save wins and
the other two must be refused with the conflict message, and nothing accepted may go missing.
"""

import pytest
from django.utils import timezone

from bench.load_bench import CONFLICT_MESSAGE, Officer, Session, Tally, check_saves
from measures.models import Period
from partnerships.models import Membership
from reviews.models import DeliverableUpdate, QuarterlyReview
from reviews.services import get_review, update_save
from strategies.services import EditConflict
from tests import factories


@pytest.fixture
def open_q4(world):
    return factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, 4))


def test_officers_saving_the_same_update_lose_nothing(transactional_db, live_server, world, open_q4):
    users = [world.users["officer_a"]]
    for i in range(2):
        user = factories.UserFactory(username=f"load_officer_{i}")
        factories.MembershipFactory(user=user, partnership=world.a, role=Membership.Role.OFFICER)
        users.append(user)
    officers = []
    for i, user in enumerate(users):
        session = Session(live_server.url)
        session.log_in(user.username, factories.PASSWORD)
        officers.append(Officer(session, i, "0ad", world.a.slug, open_q4.pk))
    deliverable = world.deliverable_a.pk
    tally = Tally()
    since = timezone.now()

    for _ in range(5):
        forms = [officer.open_form(deliverable, tally) for officer in officers]
        for officer, hidden in zip(officers, forms, strict=True):
            officer.post(deliverable, hidden, tally)

    assert not tally.failures
    outcomes = [save.outcome for save in tally.saves]
    assert outcomes == ["accepted", "conflict", "conflict"] * 5  # the first creates it, then updates
    result = check_saves(tally, open_q4.pk, {}, since)
    assert result["lost"] == []
    assert result["refused_but_kept"] == []
    assert result["duplicated"] == []
    assert result["version_mismatch"] == []
    assert result["history_records"] == result["accepted"] == 5
    update = DeliverableUpdate.objects.get(deliverable=deliverable, quarter=open_q4)
    assert update.version == 5
    assert tally.saves[-3].token in update.commentary  # the last accepted save is what is stored


def test_a_refused_save_shows_the_conflict_message(transactional_db, live_server, world, open_q4):
    """The benchmark's "refused" means the page says so: check the text it looks for is really there."""
    session = Session(live_server.url)
    session.log_in("officer_a", factories.PASSWORD)
    officer = Officer(session, 0, "0ad", world.a.slug, open_q4.pk)
    tally = Tally()
    stale = officer.open_form(world.deliverable_a.pk, tally)
    assert officer.post(world.deliverable_a.pk, stale, tally).outcome == "accepted"
    reply = session.request(
        "POST",
        officer.path(world.deliverable_a.pk),
        {**stale, "status": "on_track", "rag": "green", "progress": "5", "commentary": "Mine"},
    )
    assert reply.status == 200
    assert CONFLICT_MESSAGE in reply.text
    assert "What the other person changed" in reply.text


def _update(world, quarter, deliverable, commentary):
    return DeliverableUpdate(
        deliverable=deliverable, quarter=quarter, status="on_track", rag="green", commentary=commentary
    )


def test_two_first_saves_of_one_update_refuse_the_second(world, open_q4):
    """Both officers opened the form before any update existed (what the benchmark's first saves hit
    on PostgreSQL: a 500 from the unique constraint). The second is a conflict, not an error."""
    officer, other = world.users["officer_a"], factories.UserFactory()
    first_review, second_review = get_review(world.a, open_q4), get_review(world.a, open_q4)
    first = _update(world, open_q4, world.deliverable_a, "Mine first")
    second = _update(world, open_q4, world.deliverable_a, "Theirs second")
    update_save(review=first_review, update=first, expected_version=None, user=officer)

    with pytest.raises(EditConflict) as refused:
        update_save(review=second_review, update=second, expected_version=None, user=other)

    assert refused.value.current.commentary == "Mine first"
    assert ("commentary", str(officer), "Mine first") in refused.value.changes
    assert DeliverableUpdate.objects.get(deliverable=world.deliverable_a, quarter=open_q4).version == 1


def test_two_first_saves_of_a_quarter_share_one_review(world, open_q4):
    """Two officers' first saves of the quarter (different deliverables) both start from an unsaved
    review: both are saved, under one review, rather than the second failing on the unique pair."""
    other_deliverable = factories.DeliverableFactory(objective=world.objective_a)
    first_review, second_review = get_review(world.a, open_q4), get_review(world.a, open_q4)
    user = world.users["officer_a"]
    update_save(
        review=first_review,
        update=_update(world, open_q4, world.deliverable_a, "A"),
        expected_version=None,
        user=user,
    )
    update_save(
        review=second_review,
        update=_update(world, open_q4, other_deliverable, "B"),
        expected_version=None,
        user=user,
    )

    assert QuarterlyReview.objects.filter(partnership=world.a, quarter=open_q4).count() == 1
    assert DeliverableUpdate.objects.filter(quarter=open_q4).count() == 2
