"""Rolling an applied import back: its changed cells get their previous values, its new cells go.

Runs inside the transaction ``measures.services.import_batch_rollback`` opens, and opens none of its
own: ``measures.services`` holds the all-or-nothing rule for imports and their rollbacks.
"""

from django.utils import timezone

from measures.importing import writing
from measures.models import ImportChange, MeasureValue


def rollback(batch) -> dict:
    """Put back what the batch changed; delete what it created. Cells written since by another import stay."""
    # writing.WRITE_BATCH is read here at call time, so a test can make the chunks small.
    chunk = writing.WRITE_BATCH
    changes = {
        (c.measure_id, c.area_id, c.period_id): c
        for c in ImportChange.objects.filter(batch=batch).iterator(chunk_size=chunk)
    }
    restored, removed = [], []
    now = writing.db_datetime(timezone.now())
    for pk, m, a, p in (
        MeasureValue.objects.filter(batch=batch)
        .values_list("pk", "measure_id", "area_id", "period_id")
        .iterator(chunk_size=chunk)
    ):
        change = changes.pop((m, a, p), None)
        if change is None:
            removed.append(pk)
        else:
            restored.append(
                (m, a, p, change.previous_value, change.previous_source, change.previous_batch_id, now)
            )
    for i in range(0, len(removed), chunk):
        MeasureValue.objects.filter(pk__in=removed[i : i + chunk]).delete()
    counts = {"restored": len(restored), "removed": len(removed), "kept": len(changes)}
    writing.flush(restored, [])
    return counts
