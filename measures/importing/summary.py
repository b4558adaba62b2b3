"""What a pass and its comparison found, as the batch record and the import pages show it."""

from collections import defaultdict

from measures.importing.period_labels import period_label
from measures.importing.validate import MAX_EXAMPLES, PassResult
from measures.importing.writing import OUTLIER_RULE, Outcome

SOURCE_LABELS = {
    "template": "Import template",
    "long": "Open-data table",
    "wide": "Recorded crime by area",
    "street": "data.police.uk street-level crime",
}


def source_label(result: PassResult, file_name: str) -> str:
    label = SOURCE_LABELS.get(result.layout, "Import")
    if result.period_note:
        label += f", {result.period_note.split(' (')[0]}"
    text = f"{label} ({file_name})"
    return text if len(text) <= 200 else text[:197] + "…"


def summarise(result: PassResult, outcome: Outcome | None) -> dict:
    """The preview, as JSON for the batch record and the page."""
    by_measure = defaultdict(lambda: {"new": 0, "changed": 0, "unchanged": 0, "areas": []})
    if outcome:
        for row in outcome.table:
            entry = by_measure[row["measure"]]
            entry["areas"].append({k: v for k, v in row.items() if k != "measure_id"})
            for k in ("new", "changed", "unchanged"):
                entry[k] += row[k]
    return {
        "layout": result.layout,
        "sheet": result.sheet,
        "sheets": result.sheets,
        "needs": result.needs,
        "question": result.question,
        "choices": result.choices,
        "period_note": result.period_note,
        # In time order, not the labels' ("January 2012" before "February 2012"), a year after its quarters
        "periods": list(
            dict.fromkeys(
                period_label(k) for k in sorted(result.periods, key=lambda k: (k[2], -k[1].toordinal()))
            )
        )
        if len(result.periods) <= 200
        else [f"{len(result.periods)} periods"],
        # rows_read = rows_used + rows_skipped; once compared with the database (no error),
        # rows_used = rows_changed (a figure new or changed) + rows_unchanged (every figure unchanged).
        "rows_read": result.rows_read,
        "rows_used": result.rows_used,
        "rows_changed": result.rows_changed,
        "rows_unchanged": result.rows_unchanged,
        "rows_skipped": sum(result.skipped.values()),
        "blank_rows": result.blank_rows,
        "values_read": result.values_read,
        "by_measure": [{"measure": name, **entry} for name, entry in by_measure.items()],
        "skipped": [
            {"reason": reason, "count": count, "examples": result.examples[reason].most_common(MAX_EXAMPLES)}
            for reason, count in result.skipped.most_common()
        ],
        "cells": [
            {
                "reason": reason,
                "count": count,
                "examples": result.cell_examples[reason].most_common(MAX_EXAMPLES),
            }
            for reason, count in result.cells.most_common()
        ],
        "errors": result.errors,
        "error_count": result.error_count,
        "notices": result.notices,
        "unknown_labels": sorted(result.unknown_labels),
        "unused_labels": sorted(result.unused_labels),
        "changes": outcome.changes if outcome else [],
        "figures": outcome.figures if outcome else [],
        "figures_count": (outcome.new + outcome.changed + outcome.unchanged) if outcome else 0,
        "flagged": outcome.flagged if outcome else [],
        "flagged_count": outcome.flagged_count if outcome else 0,
        "fingerprint": outcome.fingerprint if outcome else [],
        "earliest_written": outcome.earliest_written.isoformat()
        if outcome and outcome.earliest_written
        else "",
        # Part sums to confirm: asked only when the import would write something.
        "incomplete": result.incomplete if outcome and (outcome.new or outcome.changed) else [],
        "outlier_rule": OUTLIER_RULE,
    }


def skipped_rows(result: PassResult) -> int:
    """Rows read and not used, each for a reason: rows read = rows used + this."""
    return sum(result.skipped.values())
