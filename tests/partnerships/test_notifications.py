"""People are told what happened: in the app (with an unread count in the menu) and by email, to the
right people only, unless they turned that kind of email off."""

import pytest
from django.core import mail
from django.urls import reverse

from partnerships.models import Notification
from partnerships.notifications import notify
from reviews import services
from reviews.models import QuarterlyReview, ReportingQuarter
from strategies.models import Strategy
from strategies.refresh import strategy_adopt

Kind = Notification.Kind


@pytest.fixture
def emails(django_capture_on_commit_callbacks):
    """Run what waits for the transaction to commit (the worker's emails run at once in tests)."""

    def run(action):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return {to for message in mail.outbox for to in message.to}

    return run


def told(kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def submitted(world):
    return QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter, status="submitted")


def test_submitting_tells_the_lead_only(world, emails):
    world.quarter.status = ReportingQuarter.Status.OPEN
    world.quarter.save()
    review = QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter)
    sent = emails(lambda: services.review_submit(review=review, user=world.users["officer_a"]))
    assert told(Kind.SUBMITTED) == {"lead_a"}
    assert sent == {world.users["lead_a"].email}


def test_returning_tells_the_officers_with_the_leads_comment(world, emails):
    review = submitted(world)
    sent = emails(
        lambda: services.review_return(
            review=review, user=world.users["lead_a"], comment="Add the Q1 minutes."
        )
    )
    assert told(Kind.RETURNED) == {"officer_a"}
    assert sent == {world.users["officer_a"].email}
    assert "Add the Q1 minutes." in Notification.objects.get(kind=Kind.RETURNED).message
    assert "Add the Q1 minutes." in mail.outbox[0].body


def test_signing_off_and_unlocking_tell_the_partnership(world, emails):
    review = submitted(world)
    emails(lambda: services.review_sign_off(review=review, user=world.users["lead_a"]))
    assert told(Kind.SIGNED_OFF) == {"officer_a", "lead_a"}
    review.refresh_from_db()
    sent = emails(lambda: services.review_unlock(review=review, user=world.users["admin"], reason="A typo."))
    assert told(Kind.UNLOCKED) == {"officer_a", "lead_a"}
    assert sent == {world.users["officer_a"].email, world.users["lead_a"].email}
    assert "A typo." in Notification.objects.get(kind=Kind.UNLOCKED, user=world.users["lead_a"]).message


def test_opening_a_quarter_tells_every_reporting_partnership(world, emails):
    world.quarter.status = ReportingQuarter.Status.SCHEDULED
    world.quarter.save()
    sent = emails(
        lambda: services.quarter_set_status(quarter=world.quarter, status="open", user=world.users["admin"])
    )
    assert told(Kind.QUARTER_OPENED) == {"officer_a", "lead_a", "officer_b"}
    assert len(sent) == 3


def test_adopting_tells_the_partnership_and_admins(world, emails):
    draft = Strategy.objects.create(
        partnership=world.a, framework=world.framework, first_year=2012, summary="Our 2012-15 plan."
    )
    emails(
        lambda: strategy_adopt(
            strategy=draft, user=world.users["lead_a"], eia_waiver_reason="Booked for May."
        )
    )
    assert told(Kind.STRATEGY_ADOPTED) == {"officer_a", "lead_a", "admin"}


def test_reminders_are_due_soon_notifications(world, emails):
    from django.core.management import call_command

    world.quarter.status = ReportingQuarter.Status.OPEN
    world.quarter.save()
    world.deliverable_b.owner = world.users["officer_b"]
    world.deliverable_b.save()
    sent = emails(lambda: call_command("send_review_reminders", verbosity=0))
    assert told(Kind.DUE_SOON) == {"officer_b"}
    assert sent == {world.users["officer_b"].email}


def test_email_can_be_turned_off_per_kind_and_the_app_still_tells(world, emails, client_for):
    client = client_for("lead_a")
    settings_url = reverse("partnerships:notification_settings")
    keep = {kind: "on" for kind in Kind.values if kind != Kind.SUBMITTED}
    assert client.post(settings_url, keep).status_code == 302
    world.users["lead_a"].refresh_from_db()
    assert world.users["lead_a"].email_off == [Kind.SUBMITTED]
    sent = emails(lambda: notify([world.users["lead_a"]], Kind.SUBMITTED, "Submitted"))
    assert sent == set() and told(Kind.SUBMITTED) == {"lead_a"}
    sent = emails(lambda: notify([world.users["lead_a"]], Kind.SIGNED_OFF, "Signed off"))
    assert sent == {world.users["lead_a"].email}


def test_the_menu_counts_unread_and_the_list_marks_them_read(world, client_for):
    notify([world.users["officer_a"]], Kind.SIGNED_OFF, "Alpha: 2011/12 Q1 review signed off")
    client = client_for("officer_a")
    page = client.get(reverse("dashboards:partnerships")).content.decode()
    assert '1<span class="visually-hidden"> unread</span>' in page
    listing = client.get(reverse("partnerships:notifications")).content.decode()
    assert "Alpha: 2011/12 Q1 review signed off" in listing
    client.post(reverse("partnerships:notifications_read"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    page = client.get(reverse("dashboards:partnerships")).content.decode()
    assert "unread</span>" not in page
    # Nobody else sees it.
    assert (
        "signed off"
        not in client_for("officer_b").get(reverse("partnerships:notifications")).content.decode()
    )


def test_the_returned_comment_shows_on_the_officers_home_and_review_page(world, client_for):
    world.quarter.status = ReportingQuarter.Status.OPEN
    world.quarter.save()
    review = submitted(world)
    services.review_return(review=review, user=world.users["lead_a"], comment="Add the Q1 minutes.")
    client = client_for("officer_a")
    assert "Add the Q1 minutes." in client.get(reverse("home")).content.decode()
    assert "Add the Q1 minutes." in client.get(review.get_absolute_url()).content.decode()


def _import(world, tmp_path, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from measures.services import import_batch_apply, import_batch_create

    upload = SimpleUploadedFile("figures.csv", text.encode(), content_type="text/csv")
    batch = import_batch_create(user=world.users["admin"], uploaded_file=upload)
    return import_batch_apply(batch=batch)


def test_an_import_tells_its_admin_whether_it_was_applied_or_failed(world, emails, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    good = "area,area_code,measure,period,value\nAlpha district,,Acquisitive crime,2011/12 Q2,93\n"
    sent = emails(lambda: _import(world, tmp_path, good))
    assert told(Kind.IMPORT_APPLIED) == {"admin"} and sent == {world.users["admin"].email}
    bad = "area,area_code,measure,period,value\nWest Berkshire,,Acquisitive crime,2011/12 Q2,93\n"
    sent = emails(lambda: _import(world, tmp_path, bad))
    assert told(Kind.IMPORT_FAILED) == {"admin"} and sent == {world.users["admin"].email}
    assert "nothing was written" in Notification.objects.get(kind=Kind.IMPORT_FAILED).message


def test_a_quarter_opening_by_itself_tells_its_partnerships_on_the_day(world, emails, settings):
    from django.core.management import call_command

    settings.REVIEW_AUTO_OPEN = True
    world.quarter.status = ReportingQuarter.Status.SCHEDULED
    world.quarter.save()
    day = world.quarter.opens_on
    emails(lambda: call_command("open_review_quarters", "--today", day.isoformat(), verbosity=0, stdout=None))
    assert told(Kind.QUARTER_OPENED) == {"officer_a", "lead_a", "officer_b"}
