from django import template

register = template.Library()


@register.filter
def figure(value, measure):
    """Format a value in the measure's unit: 1,234 · 12.5% · 3.21 per 1,000."""
    return measure.format_value(value)


@register.filter
def status_class(status):
    return f"status-{status}"
