"""The measure page: every partnership's quarterly series for one measure, with baselines, targets and
process limits drawn, and the tables under the charts."""

from dashboards import dashboard
from measures.figures import (
    STORED_COLUMNS,
    FigureTable,
    baselines_for,
    quarterly_equivalent,
    quarterly_target,
    stored_rows,
    targets_for,
)
from measures.forms import SeriesBreakForm
from measures.models import Measure, Period
from measures.trend import RULE_TEXT

OTHER_KINDS = (Period.Kind.MONTH, Period.Kind.ROLLING_YEAR, Period.Kind.YEAR)


# The measure page's table shows each partnership's target too.
MEASURE_PAGE_COLUMNS = [*dashboard.MEASURE_COLUMNS, ("target", "Target"), ("target_period", "Target by")]


def measure_context(measure: Measure, filters: dashboard.Filters, user) -> dict:
    """One measure: every partnership's series, with its baseline, target and process limits drawn."""
    partnerships = filters.selected_partnerships
    table = FigureTable(partnerships, [measure], periods=filters.quarters)
    baselines = baselines_for(partnerships, [measure])
    targets = targets_for(partnerships, [measure])
    periods = [p for p in table.periods if filters.quarter is None or p.end <= filters.quarter.end]
    rows, charts, figure_rows = [], [], {p.pk: {"quarter": p.label} for p in periods}
    combined = []
    for partnership in partnerships:
        baseline = baselines.get((partnership.pk, measure.pk))
        target = table.target_as_shown(partnership, measure, targets.get((partnership.pk, measure.pk)))
        summary = table.summary(
            partnership,
            measure,
            baseline,
            until=filters.quarter,
            target=quarterly_target(measure, target),
        )
        values = {p.pk: v for p, v in table.series(partnership, measure)}
        for p in periods:
            figure_rows[p.pk][partnership.slug] = values.get(p.pk)
        combined.append({"label": partnership.label, "data": [_float(values.get(p.pk)) for p in periods]})
        rows.append({"partnership": partnership, "summary": summary, "target": target})
        charts.append(partnership_chart(measure, partnership, summary, summary.baseline, target))
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
        "unit": measure.display_unit,
    }
    data_rows = [
        {"period": p, "values": [measure.format_value(figure_rows[p.pk].get(x.slug)) for x in partnerships]}
        for p in shown
    ]
    # Imported months, financial years and rolling twelve months (data.police.uk, ONS tables) have no
    # place in the quarterly chart: the latest of each kind is shown in a table of its own. A page as at
    # a quarter asked for shows none ending after it, so that it reads the same when later figures
    # arrive; the default page (the current view) shows the newest, marked when after its quarter.
    other = FigureTable(partnerships, [measure], kinds=OTHER_KINDS)
    until = filters.quarter if filters.quarter_given else None
    other_rows, newer = [], False
    for kind in OTHER_KINDS:
        cells = []
        for partnership in partnerships:
            period, value = other.latest(partnership, measure, kind, until=until)
            after = bool(period and filters.quarter and period.end > filters.quarter.end)
            newer = newer or after
            cells.append((period, value, after))
        if any(period is not None for period, _, _ in cells):
            other_rows.append({"kind": Period.Kind(kind).label, "cells": cells})
    summary_rows = [
        {
            **table_row,
            "target": r["target"].value if r["target"] else None,
            "target_period": r["target"].period.label if r["target"] else "",
        }
        for r, table_row in zip(
            rows,
            dashboard.measures_table(
                [dashboard.MeasureRow(measure, r["partnership"], r["summary"]) for r in rows]
            ),
            strict=True,
        )
    ]
    figure_columns = [("quarter", "Quarter")] + [(p.slug, p.name) for p in partnerships]
    context = {
        "measure": measure,
        "filters": filters,
        "rows": rows,
        "chart": combined_chart,
        "charts": charts,
        "partnerships": partnerships,
        "data_rows": data_rows,
        "sources": sorted(table.sources_until(filters.quarter) | other.sources_until(until)),
        "other_rows": other_rows,
        "other_newer": newer,
        "direction_rule": RULE_TEXT,
        "break_form": SeriesBreakForm() if user.is_admin else None,
        "can_rebaseline": user.is_admin,
        "break_index": combined_chart["breakIndex"],
        "tables": {
            "partnerships": (MEASURE_PAGE_COLUMNS, lambda: summary_rows),
            "figures": (figure_columns, lambda: [figure_rows[p.pk] for p in shown]),
            # Read only when downloaded: the page itself never runs these queries.
            "stored": (STORED_COLUMNS, lambda: stored_rows(partnerships, [measure])),
        },
    }
    return context


def _float(value):
    return float(value) if value is not None else None


def partnership_chart(measure, partnership, summary, baseline, target) -> dict:
    """One partnership's quarterly series with its centre line, process limits, baseline and target."""
    trend = summary.trend
    labels = [p.label for p, _ in summary.series]
    n = len(labels)
    signals = trend.signals if trend else {}
    # The chart draws each point's judgement; it never works one out itself.
    verdicts = trend.point_verdicts if trend else {}
    flags = [verdicts.get(i, "") for i in range(n)]
    points = trend.result.points if trend and trend.result else []

    def flat(value):
        return [value] * n if value is not None else None

    def per_point(attribute, floor=None):
        """A line per group of quarters: the limits change at a series break."""
        values = [getattr(p, attribute) for p in points]
        if not any(v is not None for v in values):
            return None
        return [v if v is None or floor is None else max(v, floor) for v in values]

    lines = {
        "mean": per_point("mean"),
        "upper": per_point("upper"),
        "lower": per_point("lower", floor=0),
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
            "breakIndex": summary.break_index,
            "unit": measure.display_unit,
        },
        "table": table,
    }
