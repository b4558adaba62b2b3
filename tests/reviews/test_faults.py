"""Faults: the database failing mid-request gives a plain error page and no partial write.

(An import interrupted half-way: tests/measures/test_import_faults.py.)"""

from django.db import OperationalError
from django.urls import reverse

from reviews import services
from reviews.models import DeliverableUpdate
from strategies.models import Deliverable


def test_database_failing_mid_save_gives_a_plain_page_and_writes_nothing(client_for, world, monkeypatch):
    """The update row is written, then the database goes away before the deliverable's status is:
    the whole save is rolled back and the officer sees the error page, not a stack trace."""
    original = Deliverable.objects.filter

    class Failing:
        def filter(self, *args, **kwargs):
            raise OperationalError("server closed the connection unexpectedly")

    def filter_then_fail(*args, **kwargs):
        if "status" not in kwargs and kwargs.get("pk"):
            return Failing().filter()
        return original(*args, **kwargs)

    client = client_for("officer_a")
    client.raise_request_exception = False
    url = reverse("reviews:detail", args=[world.a.slug, world.quarter.pk])
    before = (
        list(DeliverableUpdate.objects.values_list("pk", "version", "commentary")),
        world.deliverable_a.status,
    )
    monkeypatch.setattr(services.Deliverable.objects, "filter", filter_then_fail)
    row = {"status": "at_risk", "rag": "amber", "progress": 30, "commentary": "Slipping.", "version": 1}
    response = client.post(url, {f"d{world.deliverable_a.pk}-{k}": v for k, v in row.items()})
    monkeypatch.undo()
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, something went wrong" in page and "Traceback" not in page
    world.deliverable_a.refresh_from_db()
    after = (
        list(DeliverableUpdate.objects.values_list("pk", "version", "commentary")),
        world.deliverable_a.status,
    )
    assert after == before
