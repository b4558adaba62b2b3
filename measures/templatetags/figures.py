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
