"""What the reviews have to say of an import before it is confirmed (``measures.services.PREVIEW_NOTES``)."""

import datetime

from reviews import clock
from reviews.models import ReportingQuarter

QUARTERS_NAMED = 4


def signed_off_note(batch) -> list[str]:
    """A sentence when the import would write a figure (new or changed) for a period ending by the end
    of a quarter every partnership has signed off: the pages and papers of those quarters will show it
    (saying it was imported since the sign-off), so the admin knows before confirming."""
    earliest = (batch.summary or {}).get("earliest_written")
    if not earliest:
        return []
    day = datetime.date.fromisoformat(earliest)
    final = list(
        ReportingQuarter.objects.annotate(is_final=clock.final_annotation("period__"))
        .filter(is_final=True, period__end__gte=day)
        .order_by("period__end")
        .values_list("period__label", flat=True)
    )
    if not final:
        return []
    named = ", ".join(final[:QUARTERS_NAMED]) + (
        f" and {len(final) - QUARTERS_NAMED} more" if len(final) > QUARTERS_NAMED else ""
    )
    quarters = "a quarter" if len(final) == 1 else f"{len(final)} quarters"
    return [
        f"This file writes figures for periods already reported on in {quarters} signed off ({named}). "
        "Their pages and papers will show the new figures, each saying how many were imported since its "
        "sign-off and by which import; rolling the import back takes them away again."
    ]
