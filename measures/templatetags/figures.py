from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def figure(value, measure):
    """Format a value in the measure's unit: 1,234 · 12.5% · 3.21 per 1,000."""
    return measure.format_value(value)


@register.filter
def signed(value, measure):
    """A change with its sign: +12, −3.5%."""
    if value is None:
        return "–"
    if measure.unit == measure.Unit.PERCENT:  # a change in a percentage is in percentage points
        return f"{value:+.1f} pts"
    return ("+" if value > 0 else "") + measure.format_value(value)


@register.filter
def signed_percent(value):
    return "" if value is None else f"{'+' if value > 0 else ''}{value}%"


@register.filter
def status_class(status):
    return f"status-{status}"


@register.simple_tag
def sparkline(values, width=120, height=28):
    """A small server-drawn line of a series (None leaves a gap): prints, and needs no script."""
    points = [(i, v) for i, v in enumerate(values or []) if v is not None]
    if len(points) < 2:
        return ""
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1
    step = (width - 4) / max(len(values) - 1, 1)
    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
            continue
        x = 2 + i * step
        y = height - 2 - (v - low) / span * (height - 4)
        current.append(f"{x:.1f},{y:.1f}")
    if current:
        segments.append(current)
    lines = "".join(
        f'<polyline fill="none" stroke="#1d3f6e" stroke-width="1.5" points="{" ".join(seg)}"/>'
        for seg in segments
    )
    last_x, last_y = current[-1].split(",") if current else segments[-1][-1].split(",")
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-hidden="true">{}'
        '<circle cx="{}" cy="{}" r="2" fill="#1d3f6e"/></svg>',
        width,
        height,
        width,
        height,
        mark_safe(lines),
        last_x,
        last_y,
    )


@register.simple_tag
def measure_rows_html(rows, query, rowspan):
    """The body of the measures table, built in Python: dashboards show hundreds of these rows and the
    template language costs about half a millisecond a row. Everything is escaped by format_html."""
    if not rows:
        return format_html('<tr><td colspan="8" class="text-body-secondary">No measures.</td></tr>')
    out = []
    previous = None
    for row in rows:
        s, m, t = row.summary, row.measure, row.summary.trend
        head = ""
        if m.pk != previous:
            previous = m.pk
            head = format_html(
                '<th scope="rowgroup" rowspan="{}" class="fw-normal measure-name align-top border-end">'
                '<a href="{}?{}">{}</a><div class="small text-body-secondary">{} is better</div></th>',
                rowspan,
                m.get_absolute_url(),
                query,
                m.name,
                "higher" if m.higher_is_better else "lower",
            )
        if not s.baseline:
            baseline = mark_safe('<span class="text-body-secondary">none</span>')
        elif s.baseline_note:
            baseline = format_html(
                '{} <span class="small text-body-secondary d-block text-wrap">{}</span>',
                m.format_value(s.baseline.value),
                s.baseline_note,
            )
        else:
            baseline = m.format_value(s.baseline.value)
        if s.latest_period:
            latest = format_html(
                '{} <span class="small text-body-secondary">{}</span>',
                m.format_value(s.latest_value),
                s.latest_period.label,
            )
        else:
            latest = mark_safe('<span class="text-body-secondary">no figures</span>')
        if s.change:
            percent = f" ({signed_percent(s.change.percent)})" if s.change.percent is not None else ""
            # Neutral: a change against the baseline is a fact, not a judgement (the direction of travel
            # is the judgement, and the only thing coloured).
            change = format_html("{}{}", signed(s.change.amount, m), percent)
        else:
            change = "–"
        if s.year_ago_period:
            year_ago = format_html(
                '{} <span class="small text-body-secondary">{}</span>',
                m.format_value(s.year_ago_value),
                s.year_ago_period.label,
            )
        else:
            year_ago = "–"
        notes = []
        if s.since_break:
            notes.append(
                format_html(
                    '<div class="small text-body-secondary">since the series break of {}</div>',
                    m.break_on.strftime("%b %Y"),
                )
            )
        if s.baseline_before_break:
            notes.append(
                mark_safe('<div class="small text-warning-emphasis">baseline is from before the break</div>')
            )
        if s.missing:
            notes.append(
                format_html(
                    '<div class="small text-warning-emphasis">No figures for {}</div>',
                    ", ".join(p.label for p in s.missing),
                )
            )
        out.append(
            format_html(
                '<tr>{}<td>{}</td><td class="text-end">{}</td><td class="text-end">{}</td>'
                '<td class="text-end">{}</td><td class="text-end text-wrap">{}</td>'
                '<td class="text-end">{}</td><td class="text-wrap"><span class="badge direction-{}" '
                'title="{}">{} {}</span>{}</td></tr>',
                head,
                row.partnership.label,
                baseline,
                latest,
                m.format_value(s.year_value),
                change,
                year_ago,
                t.verdict,
                t.reason,
                t.symbol,
                t.label,
                mark_safe("".join(notes)),
            )
        )
    return mark_safe("\n".join(out))
