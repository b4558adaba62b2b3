"""The committee paper as a PDF: typeset once per version of its data; a large paper by the worker, in
parts, with progress and a download."""

import io

import pytest
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from dashboards import paper as paper_module
from dashboards.models import Paper
from tests import factories


def pdf_of(response) -> bytes:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


@pytest.fixture
def typeset_calls(monkeypatch):
    calls = []
    real = paper_module.paper_pdf

    def counting(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(paper_module, "paper_pdf", counting)
    return calls


def ask_for_pdf(client, **params):
    return client.get(reverse("dashboards:paper"), {"format": "pdf", **params})


def test_a_county_paper_is_typeset_in_the_request_and_once_per_version_of_its_data(
    client_for, world, typeset_calls
):
    client = client_for("scrutiny")
    first = pdf_of(ask_for_pdf(client))
    assert first.startswith(b"%PDF-") and len(typeset_calls) == 1
    assert pdf_of(ask_for_pdf(client)) == first and len(typeset_calls) == 1  # the same data: the same file
    world.deliverable_a.title = "Renamed deliverable"
    world.deliverable_a.save()  # a change to the plan: the paper is typeset again
    second = pdf_of(ask_for_pdf(client))
    assert len(typeset_calls) == 2 and "Renamed deliverable" in typeset_calls[-1]
    assert Paper.objects.count() == 2 and second != first


def test_an_import_changes_the_papers_version(client_for, world, typeset_calls):
    client = client_for("scrutiny")
    pdf_of(ask_for_pdf(client))
    factories.ImportBatchFactory(status="applied")
    pdf_of(ask_for_pdf(client))
    assert len(typeset_calls) == 2


@override_settings(PAPER_INLINE_PARTNERSHIPS=1, PAPER_PART_PARTNERSHIPS=1)
def test_a_larger_paper_is_typeset_by_the_worker_in_parts_with_progress_and_a_download(
    client_for, world, typeset_calls, django_capture_on_commit_callbacks
):
    client = client_for("scrutiny")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_pdf(client)
    paper = Paper.objects.get()
    assert response.status_code == 302 and response["Location"] == paper.get_absolute_url()
    assert len(typeset_calls) == 2  # one part per partnership, each its own document
    assert "<h2>Summary</h2>" in typeset_calls[0] and "<h2>Summary</h2>" not in typeset_calls[1]
    assert "<h2>Exceptions</h2>" not in typeset_calls[0] and "<h2>Exceptions</h2>" in typeset_calls[1]
    assert world.a.name in typeset_calls[0] and world.b.name in typeset_calls[1]
    progress = client.get(paper.get_absolute_url(), headers={"Accept": "application/json"}).json()
    assert progress == {
        "status": "ready",
        "status_label": "Ready",
        "progress": 100,
        "note": "",
        "running": False,
    }
    page = client.get(paper.get_absolute_url())
    assert "Download the PDF" in page.content.decode()
    joined = PdfReader(io.BytesIO(pdf_of(client.get(reverse("dashboards:paper_download", args=[paper.pk])))))
    assert len(joined.pages) >= 2
    text = " ".join(p.extract_text() for p in joined.pages)
    assert "Part 1 of 2" in text and "Part 2 of 2" in text


@override_settings(PAPER_INLINE_PARTNERSHIPS=1)
def test_a_paper_that_cannot_be_typeset_says_so_and_can_be_asked_for_again(
    client_for, world, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(html, **kwargs):
        raise MemoryError

    monkeypatch.setattr(paper_module, "paper_pdf", broken)
    client = client_for("scrutiny")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_pdf(client)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "could not be typeset (MemoryError)" in page.content.decode()
    assert client.get(reverse("dashboards:paper_download", args=[Paper.objects.get().pk])).status_code == 404
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_pdf(client)
    assert Paper.objects.get().status == Paper.Status.READY
