"""Rolling an applied import back: its changed cells get their previous values, its new cells go.

Runs inside the transaction ``measures.services.import_batch_rollback`` opens, and opens none of its
own: ``measures.services`` holds the all-or-nothing rule for imports and their rollbacks. Two
statements do it on either database, so no figure passes through Python and memory does not grow with
the batch (it held every change of the batch in a dict: 720,000 of them for a national re-import).
"""

from django.db import connection
from django.utils import timezone

from measures.importing import writing
from measures.importing.staging import hash_joins
from measures.models import ImportChange, MeasureValue


def rollback(batch) -> dict:
    """Put back what the batch changed; delete what it created. Cells written since by another import stay."""
    qn = connection.ops.quote_name
    values, changes = qn(MeasureValue._meta.db_table), qn(ImportChange._meta.db_table)
    same_cell = (
        f"c.{qn('measure_id')} = v.{qn('measure_id')} AND c.{qn('area_id')} = v.{qn('area_id')} "
        f"AND c.{qn('period_id')} = v.{qn('period_id')}"
    )
    # A batch just written is not in the statistics yet: without hash joins, its 720,000 changes are
    # joined to its 720,000 cells each with each (hours).
    with hash_joins(), connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {changes} WHERE {qn('batch_id')} = %s", [batch.pk])
        (changed,) = cursor.fetchone()
        # The cells this batch changed and still holds get what they held before it.
        cursor.execute(
            f"UPDATE {values} AS v SET {qn('value')} = c.{qn('previous_value')}, "
            f"{qn('source')} = c.{qn('previous_source')}, {qn('batch_id')} = c.{qn('previous_batch_id')}, "
            f"{qn('updated_at')} = %s FROM {changes} AS c "
            f"WHERE c.{qn('batch_id')} = %s AND v.{qn('batch_id')} = %s AND {same_cell}",
            [writing.db_datetime(timezone.now()), batch.pk, batch.pk],
        )
        restored = cursor.rowcount
        # The cells it still holds and had no value before it: it created them.
        cursor.execute(
            f"DELETE FROM {values} WHERE {qn('batch_id')} = %s AND NOT EXISTS ("
            f"SELECT 1 FROM {changes} AS c WHERE c.{qn('batch_id')} = %s AND "
            + same_cell.replace("v.", f"{values}.")
            + ")",
            [batch.pk, batch.pk],
        )
        removed = cursor.rowcount
        # The cells a later import has written since stay as it left them; but the history that import
        # keeps for its own rollback must no longer lead back to this one. Where this batch changed the
        # cell, the later import's record of what it replaced becomes what this batch replaced; where
        # this batch created it, the later import's record goes, so that rolling that one back removes
        # the cell rather than bringing back a figure this rollback took away.
        mine = same_cell.replace("c.", "mine.").replace("v.", "later.")
        cursor.execute(
            f"UPDATE {changes} AS later SET {qn('previous_value')} = mine.{qn('previous_value')}, "
            f"{qn('previous_source')} = mine.{qn('previous_source')}, "
            f"{qn('previous_batch_id')} = mine.{qn('previous_batch_id')} FROM {changes} AS mine "
            f"WHERE mine.{qn('batch_id')} = %s AND later.{qn('previous_batch_id')} = %s AND {mine}",
            [batch.pk, batch.pk],
        )
        cursor.execute(
            f"DELETE FROM {changes} WHERE {qn('previous_batch_id')} = %s AND NOT EXISTS ("
            f"SELECT 1 FROM {changes} AS mine WHERE mine.{qn('batch_id')} = %s AND "
            + same_cell.replace("c.", "mine.").replace("v.", f"{changes}.")
            + ")",
            [batch.pk, batch.pk],
        )
    return {"restored": restored, "removed": removed, "kept": changed - restored}
