"""Committee papers as PDF files, kept so that the same figures are never typeset twice.

A paper's PDF is built once per version of the data behind it (``Paper.fingerprint``). A county's paper
is typeset in the request; a paper for more partnerships than ``PAPER_INLINE_PARTNERSHIPS`` is typeset by
the background worker a few partnerships at a time (bounded memory), with a progress bar and a download
when it is ready.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse


def private_storage():
    return storages["private"]


class Paper(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the worker"
        BUILDING = "building", "Being typeset"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    fingerprint = models.CharField(max_length=64, unique=True)
    query = models.CharField(max_length=300, blank=True, help_text="The dashboard filters it was asked for.")
    title = models.CharField(max_length=200)
    file_name = models.CharField(max_length=200)
    partnerships = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    progress = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to="papers/%Y/%m/", storage=private_storage, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dashboards:paper_file", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.WAITING, self.Status.BUILDING)
