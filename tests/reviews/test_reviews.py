"""The quarterly review: officers update, leads sign off, nothing is lost."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Period
from partnerships.models import Membership
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReportingQuarter, ReviewEvent
from reviews.services import rollup
from strategies.models import Deliverable
from tests import factories


@pytest.fixture
def plan(world):
    """Partnership A's plan with three more deliverables, a closed 2011/12 Q1 and an open Q2."""
    for n in range(3):
        factories.DeliverableFactory(objective=world.objective_a, title=f"Extra deliverable {n}")
    q2 = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, 2))
    ReportingQuarter.objects.filter(pk=world.quarter.pk).update(status=ReportingQuarter.Status.CLOSED)
    world.q2 = q2
    world.deliverables = list(Deliverable.objects.filter(objective__strategy=world.strategy_a).order_by("pk"))
    return world


def review_url(world, quarter=None):
    return reverse("reviews:detail", args=[world.a.slug, (quarter or world.q2).pk])


def row(deliverable, version="", **fields):
    return {f"d{deliverable.pk}-{key}": value for key, value in {"version": version, **fields}.items()}


def all_rows(world, **overrides):
    data = {}
    for d in world.deliverables:
        data.update(
            row(
                d,
                **{"status": "on_track", "rag": "green", "progress": 50, "commentary": "Fine.", **overrides},
            )
        )
    return data


def test_review_page_lists_every_live_deliverable_with_last_quarter_beside_it(client_for, plan):
    page = client_for("officer_a").get(review_url(plan)).content.decode()
    for d in plan.deliverables:
        assert d.title in page
    assert "2011/12 Q1:" in page and "Going well." in page  # last quarter's update, beside the form
    assert f"{len(plan.deliverables)}</strong> still need" in page


def test_officer_updates_the_whole_plan_on_one_page(client_for, plan):
    response = client_for("officer_a").post(review_url(plan), all_rows(plan))
    assert response.status_code == 302
    assert DeliverableUpdate.objects.filter(quarter=plan.q2).count() == len(plan.deliverables)
    update = DeliverableUpdate.objects.get(quarter=plan.q2, deliverable=plan.deliverable_a)
    assert (update.rag, update.progress, update.updated_by) == ("green", 50, plan.users["officer_a"])


def test_a_draft_saves_the_rows_filled_in_and_leaves_the_rest_outstanding(client_for, plan):
    first, *others = plan.deliverables
    client = client_for("officer_a")
    response = client.post(review_url(plan), row(first, status="on_track", rag="green", commentary="ok"))
    assert response.status_code == 302
    assert list(DeliverableUpdate.objects.filter(quarter=plan.q2).values_list("deliverable", flat=True)) == [
        first.pk
    ]
    page = client.get(review_url(plan)).content.decode()
    assert f"{len(others)}</strong> still need" in page


def test_each_row_validates_on_its_own_and_errors_show_beside_it(client_for, plan):
    good, bad, *_ = plan.deliverables
    data = {
        **row(good, status="on_track", rag="green", commentary="Fine."),
        **row(bad, status="at_risk", rag="red", progress=10, commentary=""),
    }
    response = client_for("officer_a").post(review_url(plan), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saved 1 update. 1 needs attention" in page
    assert "commentary is required for a red rating" in page
    assert f'id="row-{bad.pk}"' in page and "has-error" in page
    assert DeliverableUpdate.objects.filter(quarter=plan.q2, deliverable=good).exists()
    assert not DeliverableUpdate.objects.filter(quarter=plan.q2, deliverable=bad).exists()
    # what the officer typed in the failing row is still there
    assert f'name="d{bad.pk}-progress" value="10"' in page


def test_commentary_is_required_when_the_rating_changes(client_for, plan):
    # Last quarter deliverable_a was green; amber needs commentary anyway, so check green -> complete.
    data = row(plan.deliverable_a, status="complete", rag="complete", progress=100, commentary="")
    response = client_for("officer_a").post(review_url(plan), data)
    assert response.status_code == 200
    assert "The rating changed from Green to Complete: say why." in response.content.decode()


def test_complete_rating_goes_with_complete_status(client_for, plan):
    data = row(plan.deliverable_a, status="on_track", rag="complete", commentary="Done?")
    response = client_for("officer_a").post(review_url(plan), data)
    assert "Use the Complete rating exactly when the status is Complete." in response.content.decode()


def test_an_update_moves_the_deliverables_current_status(client_for, plan):
    data = row(plan.deliverable_a, status="off_track", rag="red", commentary="Funding pulled.")
    client_for("officer_a").post(review_url(plan), data)
    plan.deliverable_a.refresh_from_db()
    assert plan.deliverable_a.status == Deliverable.Status.OFF_TRACK


def test_two_officers_editing_the_same_update_do_not_overwrite_each_other(client, plan):
    url = review_url(plan)
    client.force_login(plan.users["officer_a"])
    client.post(url, row(plan.deliverable_a, status="on_track", rag="green", commentary="First."))
    update = DeliverableUpdate.objects.get(quarter=plan.q2, deliverable=plan.deliverable_a)
    # Both open the page at version 1; the lead saves first.
    client.force_login(plan.users["lead_a"])
    client.post(
        url,
        row(plan.deliverable_a, version=update.version, status="at_risk", rag="amber", commentary="Lead."),
    )
    client.force_login(plan.users["officer_a"])
    response = client.post(
        url,
        row(plan.deliverable_a, version=update.version, status="on_track", rag="green", commentary="Mine."),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this update while you were editing it" in page
    assert "Rag rating is now “Amber”" in page or "RAG rating is now “Amber”" in page
    assert str(plan.users["lead_a"]) in page
    assert "Mine." in page  # the second person's text is kept
    update.refresh_from_db()
    assert (update.rag, update.commentary) == ("amber", "Lead.")


def test_submit_is_refused_while_deliverables_are_outstanding(client_for, plan):
    client = client_for("officer_a")
    response = client.post(reverse("reviews:submit", args=[plan.a.slug, plan.q2.pk]), follow=True)
    assert "still need an update for this quarter" in response.content.decode()
    assert not QuarterlyReview.objects.filter(status=QuarterlyReview.Status.SUBMITTED).exists()


def submit(client, world):
    client.post(review_url(world), all_rows(world))
    return client.post(reverse("reviews:submit", args=[world.a.slug, world.q2.pk]))


def test_submit_return_and_sign_off_lock_the_quarter(client, plan):
    client.force_login(plan.users["officer_a"])
    submit(client, plan)
    review = QuarterlyReview.objects.get(partnership=plan.a, quarter=plan.q2)
    assert review.status == QuarterlyReview.Status.SUBMITTED
    # Submitted: officers wait for the lead.
    response = client.post(review_url(plan), all_rows(plan, commentary="Changed my mind."))
    assert response.status_code == 403 and "submitted for sign-off" in response.content.decode()

    client.force_login(plan.users["lead_a"])
    url = reverse("reviews:return", args=[plan.a.slug, plan.q2.pk])
    page = client.post(url, {"comment": ""}, follow=True).content.decode()
    assert "a comment is required to return a review" in page
    client.post(url, {"comment": "Please add evidence for the CCTV work."})
    review.refresh_from_db()
    assert review.status == QuarterlyReview.Status.RETURNED

    client.force_login(plan.users["officer_a"])
    submit(client, plan)
    client.force_login(plan.users["lead_a"])
    client.post(reverse("reviews:sign_off", args=[plan.a.slug, plan.q2.pk]), {"comment": ""})
    review.refresh_from_db()
    assert review.status == QuarterlyReview.Status.SIGNED_OFF
    actions = list(review.events.order_by("at", "pk").values_list("action", "comment"))
    assert actions == [
        ("submitted", ""),
        ("returned", "Please add evidence for the CCTV work."),
        ("submitted", ""),
        ("signed_off", ""),
    ]

    # Locked: a plain refusal everywhere, and the pages say so.
    client.force_login(plan.users["officer_a"])
    before = list(DeliverableUpdate.objects.filter(quarter=plan.q2).values_list("commentary", "version"))
    response = client.post(review_url(plan), all_rows(plan, commentary="Sneaky edit."))
    assert response.status_code == 403
    assert "signed off and locked" in response.content.decode()
    one = reverse("reviews:update", args=[plan.a.slug, plan.q2.pk, plan.deliverable_a.pk])
    assert client.post(one, {"action": "update", "status": "on_track", "rag": "green"}).status_code == 403
    assert (
        list(DeliverableUpdate.objects.filter(quarter=plan.q2).values_list("commentary", "version")) == before
    )
    assert (
        "Locked.</strong> 2011/12 Q2 is signed off and locked"
        in client.get(review_url(plan)).content.decode()
    )
    assert re.search(
        r"</svg>\s*Signed off", client.get(plan.deliverable_a.get_absolute_url()).content.decode()
    )


def test_an_officer_cannot_sign_off(client, plan):
    client.force_login(plan.users["officer_a"])
    submit(client, plan)
    response = client.post(reverse("reviews:sign_off", args=[plan.a.slug, plan.q2.pk]))
    assert response.status_code == 403
    assert QuarterlyReview.objects.get(quarter=plan.q2).status == QuarterlyReview.Status.SUBMITTED


def test_admin_unlocks_with_a_reason_that_is_kept(client, plan):
    review = QuarterlyReview.objects.create(partnership=plan.a, quarter=plan.q2, status="signed_off")
    client.force_login(plan.users["admin"])
    url = reverse("reviews:unlock", args=[plan.a.slug, plan.q2.pk])
    assert "Give the reason for unlocking" in client.post(url, {"comment": " "}, follow=True).content.decode()
    client.post(url, {"comment": "Police corrected the burglary figure."})
    review.refresh_from_db()
    assert review.status == QuarterlyReview.Status.RETURNED
    event = review.events.get(action=ReviewEvent.Action.UNLOCKED)
    assert (event.user, event.comment) == (plan.users["admin"], "Police corrected the burglary figure.")


def test_a_closed_quarter_refuses_updates_plainly(client_for, plan):
    response = client_for("officer_a").post(review_url(plan, plan.quarter), all_rows(plan))
    assert response.status_code == 403
    assert "is not open for updates" in response.content.decode()


def test_a_scheduled_quarter_opens_by_itself_on_its_date_when_set_to(settings, plan):
    quarter = factories.ReportingQuarterFactory(
        period=Period.objects.financial_quarter(2011, 3),
        status="scheduled",
        opens_on=datetime.date(2012, 1, 1),
    )
    settings.REVIEW_AUTO_OPEN = False
    assert not quarter.is_open(datetime.date(2012, 1, 2))
    settings.REVIEW_AUTO_OPEN = True
    assert not quarter.is_open(datetime.date(2011, 12, 31))
    assert quarter.is_open(datetime.date(2012, 1, 1))
    assert quarter in ReportingQuarter.objects.open(datetime.date(2012, 1, 1))


def test_open_review_quarters_schedules_the_quarter_just_ended(db, settings):
    settings.REVIEW_OPENS_DAYS_AFTER_QUARTER_END = 3
    call_command("open_review_quarters", "--today", "2012-07-02", verbosity=0)
    quarter = ReportingQuarter.objects.get()
    assert (quarter.period.label, quarter.opens_on) == ("2012/13 Q1", datetime.date(2012, 7, 3))
    call_command("open_review_quarters", "--today", "2012-07-05", verbosity=0)
    assert ReportingQuarter.objects.count() == 1


# --- Evidence ----------------------------------------------------------------------------------


def evidence_url(world, deliverable=None):
    return reverse(
        "reviews:update",
        args=[world.a.slug, world.q2.pk, (deliverable or world.deliverable_a).pk],
    )


@pytest.fixture
def updated(client_for, plan):
    client = client_for("officer_a")
    client.post(review_url(plan), row(plan.deliverable_a, status="on_track", rag="green", commentary="ok"))
    return client


def test_officer_attaches_a_file_and_a_link(updated, plan):
    pdf = SimpleUploadedFile("minutes.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", content_type="text/plain")
    response = updated.post(evidence_url(plan), {"action": "evidence", "title": "Minutes", "file": pdf})
    assert response.status_code == 302
    link = {"action": "evidence", "title": "Pub Watch page", "url": "https://example.org/pubwatch"}
    assert updated.post(evidence_url(plan), link).status_code == 302
    file_evidence = Evidence.objects.get(title="Minutes")
    assert file_evidence.content_type == "application/pdf"  # from the content, not what the browser said
    download = updated.get(reverse("reviews:evidence", args=[file_evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Content-Disposition"].startswith("attachment")
    assert not file_evidence.file.name.endswith(".pdf")  # stored under a random name, outside MEDIA_URL
    with pytest.raises(ValueError, match="no public URL"):
        file_evidence.file.storage.url(file_evidence.file.name)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this is a program", "not a kind we accept"),
        ("notes.csv", b"just one line of prose", "not a kind we accept"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_files_are_refused_by_their_content(updated, plan, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = updated.post(evidence_url(plan), {"action": "evidence", "title": "Report", "file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.filter(title="Report").exists()


def test_a_csv_file_is_accepted(updated, plan):
    upload = SimpleUploadedFile("figures.csv", b"area,value\nCherwell,10\nOxford,12\n")
    assert (
        updated.post(
            evidence_url(plan), {"action": "evidence", "title": "Figures", "file": upload}
        ).status_code
        == 302
    )
    assert Evidence.objects.get(title="Figures").content_type == "text/csv"


def test_files_over_the_size_limit_are_refused(updated, plan, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"x" * 200)
    response = updated.post(evidence_url(plan), {"action": "evidence", "title": "Big", "file": upload})
    assert "the limit is" in response.content.decode()


def test_evidence_needs_a_link_or_a_file(updated, plan):
    response = updated.post(evidence_url(plan), {"action": "evidence", "title": "Nothing"})
    assert "Give either a link or a file" in response.content.decode()


def test_officer_of_another_partnership_gets_404_for_evidence(client_for, world):
    url = reverse("reviews:evidence", args=[world.evidence_a.pk])
    assert client_for("officer_b").get(url).status_code == 404
    assert client_for("scrutiny").get(url).status_code == 200


# --- History, roll-up, reminders, speed ---------------------------------------------------------


def test_the_deliverable_page_shows_every_update_change(client_for, plan):
    client = client_for("officer_a")
    client.post(review_url(plan), row(plan.deliverable_a, status="on_track", rag="green", commentary="ok"))
    update = DeliverableUpdate.objects.get(quarter=plan.q2, deliverable=plan.deliverable_a)
    client.post(
        review_url(plan),
        row(
            plan.deliverable_a, version=update.version, status="at_risk", rag="amber", commentary="Slipping."
        ),
    )
    page = client.get(plan.deliverable_a.get_absolute_url()).content.decode()
    assert "<strong>RAG rating</strong>: Green → Amber" in page
    assert "<strong>Commentary</strong>: ok → Slipping." in page
    assert "2011/12 Q2 update" in page


def test_rollup_takes_the_worst_rating_and_average_progress():
    green = DeliverableUpdate(rag="green", status="on_track", progress=40)
    amber = DeliverableUpdate(rag="amber", status="at_risk", progress=20)
    done = DeliverableUpdate(rag="complete", status="complete", progress=None)
    dropped = DeliverableUpdate(rag="red", status="dropped", progress=0)
    result = rollup([green, amber, done, dropped, None])
    assert (result.rag, result.progress, result.counted, result.missing) == ("amber", 53, 3, 1)
    assert rollup([None]).rag is None


def test_reminders_go_to_owners_of_deliverables_with_no_update(plan):
    owner = plan.users["officer_a"]
    Deliverable.objects.filter(objective__strategy=plan.strategy_a).update(owner=owner)
    call_command("send_review_reminders", verbosity=0)
    assert len(mail.outbox) == 1  # one email per owner, listing every deliverable
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert "2011/12 Q2" in message.subject
    for d in plan.deliverables:
        assert d.title in message.body


def test_no_reminders_once_submitted(plan):
    Deliverable.objects.update(owner=plan.users["officer_a"])
    QuarterlyReview.objects.create(partnership=plan.a, quarter=plan.q2, status="submitted")
    Membership.objects.filter(partnership=plan.b).delete()
    call_command("send_review_reminders", verbosity=0)
    assert [m for m in mail.outbox if plan.deliverable_a.title in m.body] == []


def review_page_queries(client, world, count):
    strategy = world.strategy_a
    objectives = [factories.ObjectiveFactory(strategy=strategy, priority=p) for p in world.priorities]
    for n in range(count):
        deliverable = factories.DeliverableFactory(objective=objectives[n % 3])
        factories.DeliverableUpdateFactory(deliverable=deliverable, quarter=world.quarter)
        if n % 2:
            factories.DeliverableUpdateFactory(deliverable=deliverable, quarter=world.q2)
    client.force_login(world.users["officer_a"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(review_url(world))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_review_page_queries_do_not_grow_with_the_plan(client, plan):
    small = review_page_queries(client, plan, 10)
    large = review_page_queries(client, plan, 190)  # 200 deliverables in all
    assert small == large, f"{small} queries for 10 deliverables, {large} for 200"


def test_evidence_is_added_inline_a_link_and_a_file_together(client_for, plan):
    """On the review page itself: "no change since last quarter" and, beside it, a link and a file in
    one go (two evidence rows on this quarter's update)."""
    factories.DeliverableUpdateFactory(deliverable=plan.deliverables[1], quarter=plan.quarter)
    d = plan.deliverables[1]
    pdf = SimpleUploadedFile("minutes.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", content_type="text/plain")
    data = {
        f"d{d.pk}-version": "",
        f"d{d.pk}-no_change": "on",
        f"e{d.pk}-title": "Pub Watch minutes",
        f"e{d.pk}-url": "https://example.org/pubwatch",
        f"e{d.pk}-file": pdf,
    }
    response = client_for("officer_a").post(review_url(plan), data)
    assert response.status_code == 302
    update = DeliverableUpdate.objects.get(deliverable=d, quarter=plan.q2)
    assert update.updated_by == plan.users["officer_a"]
    assert sorted(update.evidence.values_list("title", "content_type")) == [
        ("Pub Watch minutes", ""),
        ("Pub Watch minutes", "application/pdf"),
    ]


def test_inline_evidence_without_an_update_is_refused_in_the_summary(client_for, plan):
    d = plan.deliverables[2]
    data = {f"e{d.pk}-title": "Minutes", f"e{d.pk}-url": "https://example.org/minutes"}
    response = client_for("officer_a").post(review_url(plan), data)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="error-summary"' in page
    assert "to add its evidence" in page
    assert Evidence.objects.filter(title="Minutes").count() == 0
