"""Telling people what happened: in the app (the menu shows how many are unread) and by email, sent by
the background worker through Django's email backend (the console in the demo), unless the person turned
that kind of email off. Any app may call ``notify``; this app sits at the bottom of the layers."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partnerships.models import Membership, Notification, User

Kind = Notification.Kind


def members(partnership, *, roles=None):
    """The active people of a partnership (officers and leads, or only the given roles)."""
    memberships = Membership.objects.filter(partnership=partnership, user__is_active=True)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return User.objects.filter(pk__in=memberships.values("user"))


def admins():
    return User.objects.filter(is_active=True, is_superuser=True)


def wants_email(user, kind: str) -> bool:
    return bool(user.email) and kind not in (user.email_off or [])


def notify(
    users, kind: str, subject: str, message: str = "", url: str = "", *, email=True
) -> list[Notification]:
    """Tell each user (once, however often they are listed): a notification in the app now, and an email
    queued for the worker after the surrounding transaction commits (``email=False``: the caller sends
    its own)."""
    people = {u.pk: u for u in users if u is not None and u.is_active}
    if not people:
        return []
    made = Notification.objects.bulk_create(
        Notification(user_id=pk, kind=kind, subject=subject[:200], message=message, url=url[:500])
        for pk in people
    )
    User.objects.filter(pk__in=people).update(unread_notifications=F("unread_notifications") + 1)
    wanted = [
        n.pk for n in made if kind not in (people[n.user_id].email_off or []) and people[n.user_id].email
    ]
    if wanted:
        from partnerships.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.enqueue(wanted))
    return made


def send_emails(notification_ids: list[int]) -> int:
    """Email the notifications not yet emailed (the worker runs this)."""
    from django.core.mail import send_mail

    sent = 0
    for n in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "user"
    ):
        link = f"\n\n{settings.SITE_URL}{n.url}" if n.url else ""
        body = f"{n.message}{link}\n\nTo stop these emails, change your notification settings: " + (
            f"{settings.SITE_URL}/notifications/settings/"
        )
        send_mail(n.subject, body, settings.DEFAULT_FROM_EMAIL, [n.user.email])
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def mark_all_read(user) -> int:
    read = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    User.objects.filter(pk=user.pk).update(unread_notifications=0)
    user.unread_notifications = 0
    return read
