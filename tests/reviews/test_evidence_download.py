"""Evidence is served under the extension of the type its contents were judged to be, never the
extension it was uploaded with, and is never cached."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.evidence import download_name
from reviews.models import Evidence, QuarterlyReview

CSV = b"area,measure,value\nOxford,Burglary,12\nCherwell,Burglary,9\nWest,Burglary,4\n"


@pytest.mark.parametrize(
    "original,content_type,expected",
    [
        ("report.html", "text/csv", "report.csv"),
        ("minutes.pdf", "application/pdf", "minutes.pdf"),
        ("notes.v2.exe", "image/png", "notes.v2.png"),
        ("..\\..\\windows\\evil.html", "text/csv", "evil.csv"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("", "image/jpeg", "evidence-7.jpg"),
        ("page.html", "text/html", "page"),  # never judged allowed: no extension at all
    ],
)
def test_download_name(original, content_type, expected):
    assert download_name(original, content_type, "evidence-7") == expected


def test_an_html_file_judged_csv_is_served_as_csv(client_for, world):
    QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter)
    client = client_for("officer_a")
    url = reverse("reviews:update", args=[world.a.slug, world.quarter.pk, world.deliverable_a.pk])
    upload = SimpleUploadedFile("report.html", CSV, content_type="text/html")
    response = client.post(url, {"action": "evidence", "title": "Figures", "file": upload})
    assert response.status_code == 302
    evidence = Evidence.objects.get(title="Figures")
    assert evidence.content_type == "text/csv" and evidence.original_name == "report.html"

    download = client.get(reverse("reviews:evidence", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv"
    assert 'filename="report.csv"' in download["Content-Disposition"]
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_stored_type_we_do_not_know_is_served_as_bytes(client_for, world):
    Evidence.objects.filter(pk=world.evidence_a.pk).update(content_type="text/html", original_name="x.html")
    download = client_for("admin").get(reverse("reviews:evidence", args=[world.evidence_a.pk]))
    assert download["Content-Type"] == "application/octet-stream"
    assert 'filename="x"' in download["Content-Disposition"]
