from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from import_export.formats import base_formats

from measures.figures import FigureTable
from measures.forms import (
    ImportOptionsForm,
    ImportUploadForm,
    MappingForm,
    PopulationImportForm,
    RebaselineForm,
    SeriesBreakForm,
)
from measures.importing.populations import PopulationImportError, population_import_upload
from measures.importing.readers import ImportFileError
from measures.models import (
    Baseline,
    IgnoredLabel,
    ImportBatch,
    Measure,
    MeasureComponent,
    Period,
    SeriesBreak,
)
from measures.resources import import_template_dataset
from measures.services import (
    baseline_rebase,
    import_batch_apply,
    import_batch_claim,
    import_batch_create,
    import_batch_preview,
    import_batch_rollback,
)
from measures.tasks import apply_import, preview_import
from partnerships.permissions import admin_required

# --- Imports: admins upload police and ONS spreadsheets, preview, confirm, roll back ---------------


def _run(batch, service, task, **options):
    """Small files are read in the request; large ones go to the worker (a progress bar polls)."""
    if batch.file_size > settings.IMPORT_BACKGROUND_BYTES:
        transaction.on_commit(lambda: task.enqueue(batch.pk, **options))
        return
    service(batch=batch, **options)


@admin_required
def imports(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = import_batch_create(
            user=request.user,
            uploaded_file=form.cleaned_data["file"],
            layout=form.cleaned_data["layout"],
            period=form.cleaned_data["period"],
            sheet=form.cleaned_data["sheet"],
        )
        _run(batch, import_batch_preview, preview_import)
        return redirect(batch)
    page = Paginator(ImportBatch.objects.for_list(), 25).get_page(request.GET.get("page"))
    return render(request, "measures/imports.html", {"form": form, "page": page})


@admin_required
@require_http_methods(["GET", "POST"])
def populations(request):
    """Areas' populations by mid-year from an ONS estimates file, for rates per 1,000 residents."""
    form = PopulationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = population_import_upload(
                uploaded_file=form.cleaned_data["file"],
                year=form.cleaned_data["year"],
                source=form.cleaned_data["source"],
            )
        except PopulationImportError as error:
            for reason in error.errors:
                form.add_error(None, reason)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, result.describe())
            return redirect("measures:populations")
    return render(request, "measures/populations.html", {"form": form})


@admin_required
def import_batch(request, pk):
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "rolled_back_by"), pk=pk)
    summary = batch.summary or {}
    context = {
        "batch": batch,
        "summary": summary,
        "options_form": ImportOptionsForm(instance=batch),
        "mapping_forms": [
            MappingForm(prefix=f"label{i}", initial={"label": label})
            for i, label in enumerate(_to_map(summary))
        ],
    }
    return render(request, "measures/import_batch.html", context)


@admin_required
@require_GET
def import_progress(request, pk):
    batch = get_object_or_404(ImportBatch.objects.defer("summary"), pk=pk)
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "progress": batch.progress,
            "note": batch.progress_note,
            "running": batch.is_running,
        }
    )


@admin_required
@require_POST
def import_preview(request, pk):
    """Read the file again, with the period, sheet or layout the person chose."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    if batch.status not in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED) or not batch.file:
        messages.error(request, "This import can no longer be previewed.")
        return redirect(batch)
    form = ImportOptionsForm(request.POST, instance=batch)
    if form.is_valid():
        batch = form.save()
        _run(batch, import_batch_preview, preview_import)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(batch)


@admin_required
@require_POST
def import_map_labels(request, pk):
    """Map the lines a preview did not know, then read the file again."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    labels = _to_map(batch.summary or {})
    saved = 0
    for i in range(len(labels)):
        form = MappingForm(request.POST, prefix=f"label{i}")
        if not request.POST.get(f"label{i}-target"):
            continue
        if form.is_valid():
            form.save()
            saved += 1
        else:  # say why, or "0 mapping(s) saved" leaves the admin guessing
            label = " ".join(request.POST.get(f"label{i}-label", "").split())
            shown = f"{label[:80]}…" if len(label) > 80 else label
            problems = " ".join(e for errors in form.errors.values() for e in errors)
            messages.error(request, f"“{shown}” was not saved: {problems}")
    messages.success(request, f"{saved} mapping(s) saved.")
    if batch.file and batch.status in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED):
        _run(batch, import_batch_preview, preview_import)
    return redirect(batch)


def _to_map(summary) -> list:
    """Lines a preview could offer to map: those no mapping knows, then known lines no measure uses."""
    return (summary.get("unknown_labels", []) + summary.get("unused_labels", []))[:30]


@admin_required
@require_POST
def import_apply(request, pk):
    confirmed = request.POST.get("confirm_flagged") == "yes"
    batch = get_object_or_404(ImportBatch, pk=pk)
    preview = request.POST.get("preview", "")
    if batch.needs_confirmation() and not confirmed and batch.shows_reading(preview):
        messages.error(request, batch.confirmation_refusal())
        return redirect(batch)
    refusal = import_batch_claim(batch=batch, preview=preview)
    if refusal:
        messages.error(request, refusal)
        return redirect(batch)
    batch.refresh_from_db()
    _run(batch, import_batch_apply, apply_import, confirmed=confirmed)
    batch.refresh_from_db()
    if batch.status == ImportBatch.Status.APPLIED:
        messages.success(
            request,
            f"Imported: {batch.new_count} new, {batch.changed_count} changed, "
            f"{batch.unchanged_count} unchanged.",
        )
    elif batch.status == ImportBatch.Status.FAILED:
        reasons = " ".join(e["message"] for e in batch.summary.get("errors", [])[:3])
        messages.error(request, f"The file could not be imported; nothing was written. {reasons}".strip())
    return redirect(batch)


@admin_required
@require_POST
def import_rollback(request, pk):
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        counts = import_batch_rollback(batch=batch, user=request.user)
    except ImportFileError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Rolled back: {counts['restored']} values restored, {counts['removed']} removed"
            + (f", {counts['kept']} left as a later import changed them" if counts["kept"] else "")
            + ".",
        )
    return redirect(batch)


@admin_required
@require_GET
def import_template(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("The template comes as CSV or XLSX.")
    dataset = import_template_dataset()
    if fmt == "xlsx":
        content = base_formats.XLSX().export_data(dataset)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = base_formats.CSV().export_data(dataset)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="performance-import-template.{fmt}"'
    return response


@admin_required
def mappings(request):
    form = MappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved: “{form.cleaned_data['label']}”.")
        return redirect("measures:mappings")
    lines = MeasureComponent.objects.for_mappings()
    by_measure = {}
    for line in lines:
        by_measure.setdefault(line.measure, []).append(line)
    return render(
        request,
        "measures/mappings.html",
        {"form": form, "by_measure": by_measure, "ignored": IgnoredLabel.objects.all()},
    )


@admin_required
@require_POST
def mapping_delete(request, pk):
    line = get_object_or_404(MeasureComponent.objects.select_related("measure"), pk=pk)
    line.delete()
    messages.success(request, f"“{line.label}” no longer goes into {line.measure}.")
    return redirect("measures:mappings")


@admin_required
@require_POST
def ignored_label_delete(request, pk):
    label = get_object_or_404(IgnoredLabel, pk=pk)
    label.delete()
    messages.success(request, f"“{label.label}” is no longer skipped: files with it need a mapping.")
    return redirect("measures:mappings")


@require_POST
@admin_required
def break_add(request, slug):
    """Record that a measure's figures change meaning from a date (admins)."""
    measure = get_object_or_404(Measure, slug=slug)
    form = SeriesBreakForm(request.POST, instance=SeriesBreak(measure=measure, created_by=request.user))
    if form.is_valid():
        saved = form.save(commit=False)
        saved._history_user = request.user
        saved.save()
        messages.success(request, f"Recorded a series break from {saved.starts_on:%-d %B %Y}.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(measure)


@admin_required
@require_http_methods(["GET", "POST"])
def rebaseline(request, slug, partnership_slug):
    """Re-baseline one partnership's measure, with the reason kept (admins)."""
    measure = get_object_or_404(Measure, slug=slug)
    baseline = get_object_or_404(
        Baseline.objects.select_related("partnership", "period"),
        measure=measure,
        partnership__slug=partnership_slug,
    )
    # 4655.0000 as people write it: 4655
    shown = (
        f"{baseline.value:f}".rstrip("0").rstrip(".")
        if "." in f"{baseline.value:f}"
        else f"{baseline.value:f}"
    )
    form = RebaselineForm(
        request.POST or None, initial={"value": shown, "year": baseline.period.financial_year}
    )
    if form.is_valid():
        try:
            baseline_rebase(
                baseline=baseline,
                value=form.cleaned_data["value"],
                period=Period.objects.financial_year(form.cleaned_data["year"]),
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, f"Re-baselined {measure} for {baseline.partnership}.")
            return redirect(measure)
    changes = baseline.changes.select_related("old_period", "new_period", "changed_by")
    on_record = None  # what the baseline year's quarters on record add up to, where they differ
    if not measure.show_per_1000:  # (shown per 1,000, the figures are rates; the baseline is a count)
        partnership = baseline.partnership
        summary = FigureTable([partnership], [measure]).summary(partnership, measure, baseline)
        on_record = summary.baseline_on_record
    return render(
        request,
        "measures/rebaseline.html",
        {"form": form, "measure": measure, "baseline": baseline, "changes": changes, "on_record": on_record},
    )
