from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from import_export.formats import base_formats

from measures.figures import FigureTable, baselines_for
from measures.forms import ImportOptionsForm, ImportUploadForm, MappingForm, RebaselineForm, SeriesBreakForm
from measures.importing.readers import ImportFileError
from measures.models import (
    Baseline,
    IgnoredLabel,
    ImportBatch,
    Measure,
    MeasureComponent,
    Period,
    SeriesBreak,
    Target,
)
from measures.resources import import_template_dataset
from measures.services import (
    baseline_rebase,
    import_batch_apply,
    import_batch_create,
    import_batch_preview,
    import_batch_rollback,
)
from measures.tasks import apply_import, preview_import
from measures.trend import RULE_TEXT
from partnerships.permissions import admin_required
from strategies import dashboard
from strategies.views import export_or_render

OTHER_KINDS = (Period.Kind.MONTH, Period.Kind.ROLLING_YEAR, Period.Kind.YEAR)


def measure_list(request):
    measures = Measure.objects.for_list().order_by("order", "name")
    return render(request, "measures/measure_list.html", {"measures": measures})


def quarterly_equivalent(measure: Measure, value: Decimal | None, period: Period | None) -> float | None:
    """A yearly figure drawn on a quarterly chart: a quarter's share of a count, a rate as it is."""
    if value is None:
        return None
    if measure.is_additive and period is not None and period.kind != Period.Kind.QUARTER:
        return float(value) / 4
    return float(value)


def measure_detail(request, slug):
    """One measure: every partnership's series, with its baseline, target and process limits drawn."""
    measure = get_object_or_404(Measure.objects.prefetch_related("components", "breaks"), slug=slug)
    filters = dashboard.read_filters(request)
    partnerships = filters.selected_partnerships
    table = FigureTable(partnerships, [measure], periods=filters.quarters)
    baselines = baselines_for(partnerships, [measure])
    targets = {}
    for target in Target.objects.filter(measure=measure, partnership__in=partnerships).select_related(
        "period"
    ):
        targets.setdefault(target.partnership_id, target)
    periods = [p for p in table.periods if filters.quarter is None or p.end <= filters.quarter.end]
    rows, charts, figure_rows = [], [], {p.pk: {"quarter": p.label} for p in periods}
    combined = []
    for partnership in partnerships:
        baseline = baselines.get((partnership.pk, measure.pk))
        summary = table.summary(partnership, measure, baseline, until=filters.quarter, every_point=True)
        target = targets.get(partnership.pk)
        values = {p.pk: v for p, v in table.series(partnership, measure)}
        for p in periods:
            figure_rows[p.pk][partnership.slug] = values.get(p.pk)
        combined.append({"label": partnership.label, "data": [_float(values.get(p.pk)) for p in periods]})
        rows.append({"partnership": partnership, "summary": summary, "target": target})
        charts.append(partnership_chart(measure, partnership, summary, baseline, target))
    first = next(
        (i for i, p in enumerate(periods) if any(s["data"][i] is not None for s in combined)), len(periods)
    )
    shown = periods[first:]
    combined_chart = {
        "breakIndex": next(
            (i for i, p in enumerate(shown) if measure.break_on and p.start >= measure.break_on), None
        ),
        "labels": [p.label for p in shown],
        "datasets": [{**s, "data": s["data"][first:]} for s in combined],
        "unit": measure.get_unit_display(),
    }
    data_rows = [
        {"period": p, "values": [measure.format_value(figure_rows[p.pk].get(x.slug)) for x in partnerships]}
        for p in shown
    ]
    # Imported months, financial years and rolling twelve months (data.police.uk, ONS tables) have no
    # place in the quarterly chart: the latest of each kind is shown in a table of its own.
    other = FigureTable(partnerships, [measure], kinds=OTHER_KINDS)
    other_rows = []
    for kind in OTHER_KINDS:
        cells = [other.latest(partnership, measure, kind) for partnership in partnerships]
        if any(period is not None for period, _ in cells):
            other_rows.append({"kind": Period.Kind(kind).label, "cells": cells})
    summary_rows = dashboard.measures_table(
        [dashboard.MeasureRow(measure, r["partnership"], r["summary"]) for r in rows]
    )
    figure_columns = [("quarter", "Quarter")] + [(p.slug, p.name) for p in partnerships]
    context = {
        "measure": measure,
        "filters": filters,
        "rows": rows,
        "chart": combined_chart,
        "charts": charts,
        "partnerships": partnerships,
        "data_rows": data_rows,
        "sources": sorted(table.sources | other.sources),
        "other_rows": other_rows,
        "direction_rule": RULE_TEXT,
        "break_form": SeriesBreakForm() if request.user.is_admin else None,
        "break_index": combined_chart["breakIndex"],
        "tables": {
            "partnerships": (dashboard.MEASURE_COLUMNS, lambda: summary_rows),
            "figures": (figure_columns, lambda: [figure_rows[p.pk] for p in shown]),
        },
    }
    return export_or_render(request, "measures/measure_detail.html", context, measure.name)


def _float(value):
    return float(value) if value is not None else None


def partnership_chart(measure, partnership, summary, baseline, target) -> dict:
    """One partnership's quarterly series with its centre line, process limits, baseline and target."""
    trend = summary.trend
    labels = [p.label for p, _ in summary.series]
    n = len(labels)
    signals = trend.signals if trend else {}
    flags = ["signal" if i in signals else "" for i in range(n)]

    def flat(value):
        return [value] * n if value is not None else None

    lines = {
        "mean": flat(trend.mean if trend else None),
        "upper": flat(trend.upper if trend else None),
        "lower": flat(max(trend.lower, 0) if trend and trend.lower is not None else None),
        "baseline": flat(
            quarterly_equivalent(
                measure, baseline.value if baseline else None, baseline.period if baseline else None
            )
        ),
        "target": flat(
            quarterly_equivalent(measure, target.value if target else None, target.period if target else None)
        ),
    }
    table = [
        {
            "period": p,
            "value": measure.format_value(v),
            "missing": v is None,
            "signal": ", ".join(sorted(str(r) for r in signals.get(i, ()))),
        }
        for i, (p, v) in enumerate(summary.series)
    ]
    return {
        "partnership": partnership,
        "summary": summary,
        "id": f"chart-{partnership.slug}",
        "data": {
            "labels": labels,
            "values": [_float(v) for _, v in summary.series],
            "flags": flags,
            "lines": {k: v for k, v in lines.items() if v is not None},
            "unit": measure.get_unit_display(),
            "higherIsBetter": measure.higher_is_better,
        },
        "table": table,
    }


# --- Imports: admins upload police and ONS spreadsheets, preview, confirm, roll back ---------------


def _run(batch, service, task):
    """Small files are read in the request; large ones go to the worker (a progress bar polls)."""
    if batch.file_size > settings.IMPORT_BACKGROUND_BYTES:
        transaction.on_commit(lambda: task.enqueue(batch.pk))
        return
    service(batch=batch)


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
def import_batch(request, pk):
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "rolled_back_by"), pk=pk)
    summary = batch.summary or {}
    context = {
        "batch": batch,
        "summary": summary,
        "options_form": ImportOptionsForm(instance=batch),
        "mapping_forms": [
            MappingForm(prefix=f"label{i}", initial={"label": label})
            for i, label in enumerate(summary.get("unknown_labels", [])[:30])
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
    labels = (batch.summary or {}).get("unknown_labels", [])[:30]
    saved = 0
    for i in range(len(labels)):
        form = MappingForm(request.POST, prefix=f"label{i}")
        if request.POST.get(f"label{i}-target") and form.is_valid():
            form.save()
            saved += 1
    messages.success(request, f"{saved} mapping(s) saved.")
    if batch.file and batch.status in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED):
        _run(batch, import_batch_preview, preview_import)
    return redirect(batch)


@admin_required
@require_POST
def import_apply(request, pk):
    claimed = ImportBatch.objects.filter(pk=pk, status=ImportBatch.Status.PREVIEWED, error_count=0).update(
        status=ImportBatch.Status.APPLYING, progress=0
    )
    batch = get_object_or_404(ImportBatch, pk=pk)
    if not claimed:
        messages.error(request, "This import cannot be applied: it has errors, or it was applied already.")
        return redirect(batch)
    _run(batch, import_batch_apply, apply_import)
    batch.refresh_from_db()
    if batch.status == ImportBatch.Status.APPLIED:
        messages.success(
            request,
            f"Imported: {batch.new_count} new, {batch.changed_count} changed, "
            f"{batch.unchanged_count} unchanged.",
        )
    elif batch.status == ImportBatch.Status.FAILED:
        messages.error(request, "The file could not be imported; nothing was written.")
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
    return render(
        request,
        "measures/rebaseline.html",
        {"form": form, "measure": measure, "baseline": baseline, "changes": changes},
    )
