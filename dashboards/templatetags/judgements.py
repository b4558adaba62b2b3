"""Making Data Count's icons drawn in SVG, each with its words as the text alternative.

Variation icons are circles, assurance icons rounded squares, so shape tells them apart as well as
colour; a letter inside says high or low (H, L), pass or fail (P, F) or hit and miss (?).
"""

from functools import cache

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from dashboards.judgements import ASSURANCE_TEXT, VARIATION_TEXT, variation_kind

register = template.Library()

# Fill and letter colours: the letter is at least 4.5:1 on its fill.
COLOURS = {
    "improvement": ("#1d70b8", "#ffffff"),
    "concern": ("#f47738", "#0b0c0c"),
    "neither": ("#4c2c92", "#ffffff"),
    "common_cause": ("#505a5f", "#ffffff"),
    "none": ("#ffffff", "#505a5f"),
    "pass": ("#1d70b8", "#ffffff"),
    "fail": ("#f47738", "#0b0c0c"),
    "hit_and_miss": ("#505a5f", "#ffffff"),
}


def _svg(shape: str, fill: str, ink: str, mark: str, label: str, size: int):
    return format_html(
        '<svg class="mdc-icon" width="{}" height="{}" viewBox="0 0 28 28" role="img" aria-label="{}" '
        'focusable="false"><title>{}</title>{}'
        '<text x="14" y="19" text-anchor="middle" font-size="14" font-weight="700" '
        'font-family="Arial, sans-serif" fill="{}">{}</text></svg>',
        size,
        size,
        label,
        label,
        format_html(shape, fill=fill),
        ink,
        mark,
    )


CIRCLE = '<circle cx="14" cy="14" r="12.5" fill="{fill}" stroke="#505a5f" stroke-width="1.5"/>'
SQUARE = (
    '<rect x="1.5" y="1.5" width="25" height="25" rx="6" fill="{fill}" stroke="#505a5f" stroke-width="1.5"/>'
)


@register.simple_tag
@cache  # a handful of icons, drawn hundreds of times a page
def variation_icon(variation, size=28):
    kind = variation_kind(variation)
    fill, ink = COLOURS[kind]
    if kind == "none":
        mark = "–"
    elif kind == "common_cause":
        mark = "~"
    else:
        mark = "H" if variation.endswith("high") else "L"
    return _svg(CIRCLE, fill, ink, mark, VARIATION_TEXT.get(variation, VARIATION_TEXT[None]), size)


@register.simple_tag
@cache
def assurance_icon(assurance, size=28):
    if not assurance:
        return ""
    fill, ink = COLOURS[assurance]
    mark = {"pass": "P", "fail": "F", "hit_and_miss": "?"}[assurance]
    return _svg(SQUARE, fill, ink, mark, ASSURANCE_TEXT[assurance], size)


BETTER = {
    True: mark_safe(
        '<span class="mdc-better" title="higher is better"><span aria-hidden="true">↑</span>'
        '<span class="visually-hidden">(higher is better)</span></span>'
    ),
    False: mark_safe(
        '<span class="mdc-better" title="lower is better"><span aria-hidden="true">↓</span>'
        '<span class="visually-hidden">(lower is better)</span></span>'
    ),
}


@register.simple_tag
def matrix_rows_html(matrix, query):
    """The county matrix's rows, built in Python: a national page has hundreds of cells, each two icons,
    a sentence and a link, and the template language costs about a millisecond a row."""
    rows = []
    for row in matrix.rows:
        measure = row.measure
        cells = format_html_join(
            "",
            '<td class="text-center"><a class="mdc-cell" href="{}" title="{}"><span class="visually-hidden">'
            "{}</span>{}{}</a></td>",
            (
                (
                    cell.url,
                    cell.sentence,
                    cell.sentence,
                    variation_icon(cell.variation, 20),
                    assurance_icon(cell.assurance, 20),
                )
                for cell in row.cells
            ),
        )
        rows.append(
            format_html(
                '<tr><th scope="row" class="fw-normal"><a href="{}?{}">{}</a>&nbsp;{}</th>{}</tr>',
                measure.get_absolute_url(),
                query,
                measure.name,
                BETTER[bool(measure.higher_is_better)],
                cells,
            )
        )
    return format_html_join("", "{}", ((r,) for r in rows))
