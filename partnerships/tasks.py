"""Background work run by `manage.py db_worker`: notification emails."""

from django_tasks import task

from partnerships.notifications import send_emails


@task()
def send_notification_emails(notification_ids: list[int]) -> None:
    send_emails(notification_ids)
