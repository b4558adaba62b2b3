"""What a pass and its comparison found, as the batch record and the import pages show it."""

from collections import defaultdict

from measures.importing.period_labels import period_label
from measures.importing.validate import (
    INSTRUCTIONS,
    MAX_EXAMPLES,
    NOT_DATA,
    PARTIAL,
    SUPPRESSED_REASON,
    PassResult,
)
from measures.importing.writing import Outcome

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
            entry["areas"].append(row)
            for k in ("new", "changed", "unchanged"):
                entry[k] += row[k]
    return {
        "layout": result.layout,
        "sheet": result.sheet,
        "sheets": result.sheets,
        "needs": result.needs,
        "period_note": result.period_note,
        "periods": sorted({period_label(k) for k in result.periods})
        if len(result.periods) <= 200
        else [f"{len(result.periods)} periods"],
        "rows_read": result.rows_read,
        "values_read": result.values_read,
        "by_measure": [{"measure": name, **entry} for name, entry in by_measure.items()],
        "skipped": [
            {"reason": reason, "count": count, "examples": result.examples[reason].most_common(MAX_EXAMPLES)}
            for reason, count in result.skipped.most_common()
        ],
        "errors": result.errors,
        "error_count": result.error_count,
        "notices": result.notices,
        "unknown_labels": sorted(result.unknown_labels),
        "changes": outcome.changes if outcome else [],
    }


def skipped_rows(result: PassResult) -> int:
    return sum(
        n
        for reason, n in result.skipped.items()
        if reason not in (SUPPRESSED_REASON, PARTIAL, INSTRUCTIONS, NOT_DATA)
    )
