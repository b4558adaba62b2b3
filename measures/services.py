"""Importing performance spreadsheets: create a batch, preview it, apply it, roll it back.

The page, the background worker and ``manage.py import_performance`` all go through these
functions, so a file gives the same result whichever way it is imported.

This module holds the rule that an import is all or nothing, and it is the only place that holds it:
- a file with any error (a bad cell, an unmapped line, an unknown period) writes nothing: the whole
  file is read and checked first, and ``import_batch_apply`` writes only when no error was found;
- an import's writes (its figures, what each changed cell held before, new periods, the batch's
  record) and a rollback's writes each go in one transaction, ``_all_or_nothing``, which locks the
  batch first: an error or a lost connection half-way leaves nothing written, and two workers cannot
  apply or roll back one batch twice;
- the file's values are staged in temporary tables of this connection while it is read (``Staging``,
  outside that transaction: they are nobody else's), and dropped when the preview or import ends,
  however it ends.
``measures.importing.writing`` and ``measures.importing.rollback`` write inside that transaction and
open none of their own.
"""

import hashlib
import logging
import secrets
from contextlib import contextmanager
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from measures.importing.mapping import Mapper
from measures.importing.passes import ImportPass
from measures.importing.readers import ImportFileError
from measures.importing.rollback import rollback
from measures.importing.staging import Staging
from measures.importing.summary import skipped_rows, source_label, summarise
from measures.importing.validate import Options
from measures.importing.writing import chunk_rows, compare_and_write, hold_the_figures
from measures.models import ImportBatch
from partnerships.models import Notification
from partnerships.notifications import notify

logger = logging.getLogger(__name__)

# Notes the apps above this one add to a preview, each a function of the batch returning sentences: the
# reviews app says when a file would change figures of quarters already signed off. (Imports know nothing
# of reviews; reviews registers here when Django starts: ``reviews.apps``.)
PREVIEW_NOTES: list = []

FILE_GONE = (
    "The uploaded file is no longer on the server (removed since it was uploaded), so it cannot be read "
    "again. Upload the file again to import it."
)
UNEXPECTED = (
    "Reading or writing this import stopped on a fault in the tracker, not in the file; nothing was "
    "written. Try again; if it happens again, tell whoever runs the tracker (import #{pk}: the details "
    "are in the server's log)."
)


@contextmanager
def _ends_in_a_state(batch):
    """An import that stops on anything but the file's own errors (which the pass reports) ends FAILED,
    with a plain reason, rather than raising: on the page that was a 500 and, in the background worker,
    a task that died; either way the import stayed "Importing" for good, neither appliable nor
    retried."""
    try:
        yield
    except ImportFileError as error:
        _fail(batch, str(error))
    except FileNotFoundError:
        _fail(batch, FILE_GONE, gone=True)
    except Exception:
        logger.exception("Import #%s stopped on a fault", batch.pk)
        _fail(batch, UNEXPECTED.format(pk=batch.pk))


def _fail(batch, message: str, gone: bool = False):
    """The batch failed, with ``message`` its one error and nothing counted as new or changed; ``gone``:
    its file too (nothing to read again)."""
    summary = {
        "errors": [{"row": None, "cell": "", "message": message}],
        "error_count": 1,
        "notices": [],
        "skipped": [],
    }
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED,
        summary=summary,
        progress=100,
        progress_note="",
        error_count=1,
        new_count=0,
        changed_count=0,
        unchanged_count=0,
        **({"file": ""} if gone else {}),
    )
    batch.refresh_from_db()
    _tell_importer(batch)


def file_checksum(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_batch_create(*, user, uploaded_file, layout="", period="", sheet="") -> ImportBatch:
    """Keep an uploaded file (privately) as a batch waiting to be previewed."""
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    batch = ImportBatch(
        created_by=user,
        file_name=Path(uploaded_file.name).name[:255],
        file_size=uploaded_file.size,
        checksum=digest.hexdigest(),
        layout_requested=layout,
        period_text=period,
        sheet=sheet,
    )
    batch.file.save(
        f"{digest.hexdigest()[:16]}{Path(uploaded_file.name).suffix.lower()[:8]}", uploaded_file, save=False
    )
    batch.save()
    return batch


def _progress_callback(batch, phase: str, low: int, high: int):
    def report(fraction: float):
        ImportBatch.objects.filter(pk=batch.pk).update(
            progress=low + int((high - low) * fraction), progress_note=phase
        )

    return report


@contextmanager
def _all_or_nothing(batch, *, may_write, refusal: str):
    """The one transaction an import's (or a rollback's) writes go in: all of them are kept, or none.

    The batch row is locked first and ``may_write(locked batch)`` asked; when it says no, ``refusal``
    is raised as an ImportFileError and nothing is written. Then the stored figures are held
    (``hold_the_figures``): imports and rollbacks write one at a time, each comparing with what it
    writes over.
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not may_write(locked):
            raise ImportFileError(refusal)
        hold_the_figures()
        yield


def _options(batch) -> Options:
    return Options(
        layout=batch.layout_requested, period=batch.period_text, sheet=batch.sheet, file_name=batch.file_name
    )


def _add_notes(batch):
    """What the layers above have to say of a preview or an import (signed-off quarters it revises)."""
    for note in PREVIEW_NOTES:
        batch.summary["notices"].extend(note(batch))


def _record(batch, result, outcome, status):
    batch.layout = result.layout
    batch.rows_read = result.rows_read
    batch.error_count = result.error_count
    batch.skipped_count = skipped_rows(result)
    batch.new_count = outcome.new if outcome else 0
    batch.changed_count = outcome.changed if outcome else 0
    batch.unchanged_count = outcome.unchanged if outcome else 0
    batch.summary = summarise(result, outcome)
    earlier = (
        ImportBatch.objects.filter(checksum=batch.checksum, status=ImportBatch.Status.APPLIED)
        .exclude(pk=batch.pk)
        .order_by("-applied_at")
        .first()
    )
    if earlier is not None:
        batch.summary["notices"].insert(
            0,
            f"This file was imported before (import #{earlier.pk}, "
            f"{timezone.localtime(earlier.applied_at):%d %b %Y %H:%M}).",
        )
    if status in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.APPLIED):
        _add_notes(batch)
    if status == ImportBatch.Status.PREVIEWED:
        # This reading of the file, by name: the page that shows it sends it back with "Import these
        # figures", and a page showing an earlier reading (another tab, another admin's answers since)
        # imports nothing (``import_batch_claim``).
        batch.summary["preview"] = secrets.token_hex(8)
    batch.status = status
    batch.progress = 100
    batch.progress_note = ""
    batch.save()


def import_batch_preview(*, batch: ImportBatch, path=None, report_progress=False) -> ImportBatch:
    """Read the whole file and say what importing it would do; write no values."""
    batch.status = ImportBatch.Status.PREVIEWING
    batch.progress = 0
    batch.save(update_fields=["status", "progress"])
    progress = _progress_callback(batch, "Reading the file", 0, 90) if report_progress else None
    with _ends_in_a_state(batch):
        result, outcome = _preview(batch, path or batch.file.path, progress)
        ready = outcome is not None
        _record(batch, result, outcome, ImportBatch.Status.PREVIEWED if ready else ImportBatch.Status.FAILED)
    return batch


def _preview(batch, path, progress=None):
    """(what the pass found, its comparison with the database, or None when the file cannot be imported)."""
    mapper = Mapper()
    with Staging(chunk=chunk_rows()) as staging:
        reader = ImportPass(path, _options(batch), staging=staging, mapper=mapper, progress=progress)
        result = reader.run()
        if result.error_count or result.needs:
            return result, None
        return result, compare_and_write(
            result, mapper, staging, one_figure_per_row=reader.one_figure_per_row
        )


STALE_PAGE = (
    "This import was read again after that page was shown (in another tab, or by another admin choosing "
    "another sheet, period or mapping), so its figures may not be the ones you checked. Nothing was "
    "written. Check the preview below, then import again."
)


def import_batch_claim(*, batch: ImportBatch, preview: str) -> str:
    """Take a previewed batch for importing, if ``preview`` names the reading of the file it holds now
    (the one the person confirming was shown); '' when taken, else why not. Atomic: of two confirmations,
    one takes it."""
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status=ImportBatch.Status.PREVIEWED, error_count=0, summary__preview=preview or "-"
    ).update(status=ImportBatch.Status.APPLYING, progress=0)
    if claimed:
        return ""
    batch.refresh_from_db()
    if batch.can_apply() and not batch.shows_reading(preview):
        return STALE_PAGE
    return batch.cannot_apply_reason()


def import_batch_apply(
    *, batch: ImportBatch, path=None, report_progress=False, confirmed=False
) -> ImportBatch:
    """Read the file again and write its figures in one transaction; with any error, write nothing.

    Figures far outside their area's history are written only when ``confirmed`` (a ticked box in the
    browser, ``--yes`` on the command line).
    """
    with _ends_in_a_state(batch):
        return _apply(batch, path, report_progress, confirmed)
    return batch


def _apply(batch, path, report_progress, confirmed) -> ImportBatch:
    # A batch previewed in the browser is written only if it would still write what its preview showed.
    previewed = (batch.summary or {}).get("fingerprint") or None
    batch.status = ImportBatch.Status.APPLYING
    batch.progress = 0
    batch.save(update_fields=["status", "progress"])
    mapper = Mapper()
    progress = _progress_callback(batch, "Reading the file", 0, 60) if report_progress else None
    with Staging(chunk=chunk_rows()) as staging:
        reader = ImportPass(
            path or batch.file.path, _options(batch), staging=staging, mapper=mapper, progress=progress
        )
        result = reader.run()
        if result.error_count or result.needs:
            _record(batch, result, None, ImportBatch.Status.FAILED)
            _tell_importer(batch)
            return batch
        if report_progress:
            ImportBatch.objects.filter(pk=batch.pk).update(progress=60, progress_note="Writing the figures")
        try:
            with _all_or_nothing(
                batch,
                may_write=lambda locked: locked.status == ImportBatch.Status.APPLYING,
                refusal="This import has already been applied.",
            ):
                outcome = compare_and_write(
                    result,
                    mapper,
                    staging,
                    batch=batch,
                    source=source_label(result, batch.file_name),
                    confirmed=confirmed,
                    one_figure_per_row=reader.one_figure_per_row,
                    previewed=previewed,
                )
                batch.applied_at = timezone.now()
                _record(batch, result, outcome, ImportBatch.Status.APPLIED)
        except ImportFileError as error:
            result.error(None, "", str(error))
            batch.refresh_from_db(fields=["applied_at"])
            _record(batch, result, None, ImportBatch.Status.FAILED)
    if batch.status == ImportBatch.Status.APPLIED and batch.file:
        # Applied: the values and the batch record are what matter now; the upload is not kept.
        batch.file.delete(save=True)
    _tell_importer(batch)
    return batch


def _tell_importer(batch: ImportBatch) -> None:
    """The admin who uploaded the file hears how its import ended (in the app and by email)."""
    if batch.created_by is None:
        return
    applied = batch.status == ImportBatch.Status.APPLIED
    kind = Notification.Kind.IMPORT_APPLIED if applied else Notification.Kind.IMPORT_FAILED
    errors = (batch.summary or {}).get("errors") or []
    first = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors[:3])
    message = (
        f"{batch.file_name} was imported as batch #{batch.pk}."
        if applied
        else f"{batch.file_name} was not imported: nothing was written. {first}".strip()
    )
    subject = f"Import {'applied' if applied else 'failed'}: {batch.file_name}"
    notify([batch.created_by], kind, subject, message, batch.get_absolute_url())


def import_batch_rollback(*, batch: ImportBatch, user) -> dict:
    """Restore every value the batch changed and remove those it added (those changed since stay)."""
    with _all_or_nothing(
        batch, may_write=ImportBatch.can_rollback, refusal="Only an applied import can be rolled back."
    ):
        counts = rollback(batch)
        batch.status = ImportBatch.Status.ROLLED_BACK
        batch.rolled_back_at = timezone.now()
        batch.rolled_back_by = user
        batch.summary = {**batch.summary, "rollback": counts}
        batch.save()
    return counts


def import_file(
    *, path, user=None, layout="", period="", sheet="", dry_run=False, confirmed=False
) -> ImportBatch:
    """The command line's way in: the same preview and apply as the page, on a file read in place."""
    path = Path(path)
    batch = ImportBatch(
        created_by=user,
        file_name=path.name,
        file_size=path.stat().st_size,
        checksum=file_checksum(path),
        layout_requested=layout,
        period_text=period,
        sheet=sheet,
    )
    if dry_run:
        # Nothing is written, not even the batch: the preview runs on an unsaved record.
        result, outcome = _preview(batch, path)
        ready = outcome is not None
        batch.layout = result.layout
        batch.rows_read = result.rows_read
        batch.error_count = result.error_count
        batch.skipped_count = skipped_rows(result)
        batch.new_count, batch.changed_count, batch.unchanged_count = (
            (outcome.new, outcome.changed, outcome.unchanged) if outcome else (0, 0, 0)
        )
        batch.summary = summarise(result, outcome)
        batch.status = ImportBatch.Status.PREVIEWED if ready else ImportBatch.Status.FAILED
        if ready:
            _add_notes(batch)
        return batch
    batch.status = ImportBatch.Status.APPLYING
    batch.save()
    return import_batch_apply(batch=batch, path=path, confirmed=confirmed)


@transaction.atomic
def baseline_rebase(*, baseline, value, period, reason: str, user):
    """Change a partnership's baseline for a measure, keeping what it was and why it changed."""
    from django.core.exceptions import ValidationError

    from measures.models import Baseline, BaselineChange

    if not reason.strip():
        raise ValidationError("Say why the baseline changes: the reason is kept with it.")
    current = Baseline.objects.select_for_update().get(pk=baseline.pk)
    BaselineChange.objects.create(
        baseline=current,
        old_value=current.value,
        new_value=value,
        old_period=current.period,
        new_period=period,
        reason=reason.strip(),
        changed_by=user,
    )
    current.value, current.period = value, period
    current._history_user = user
    current._change_reason = reason.strip()[:100]
    current.save()
    return current
