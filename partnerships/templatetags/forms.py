"""Form errors the GOV.UK Design System way: a summary at the top of the form, focused when the page
loads, with a link to each field that has a problem (static/js/error-summary.js moves focus to it)."""

from django import template

register = template.Library()


@register.inclusion_tag("includes/_error_summary.html")
def error_summary(form):
    if form is None or not form.is_bound or not form.errors:
        return {"problems": []}
    problems = [{"field_id": None, "message": message} for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            problems.append(
                {"field_id": field.id_for_label or field.auto_id, "label": field.label, "message": message}
            )
    # Errors alone at the top of the form (a wrong password) are already shown there; the summary is
    # for forms where a field needs fixing.
    if all(p["field_id"] is None for p in problems):
        return {"problems": []}
    return {"problems": problems}
