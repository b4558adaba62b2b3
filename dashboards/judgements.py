"""What the statistical engine's judgements say to a councillor: the Making Data Count icons' words, one
plain-English sentence per measure and partnership, and the county's picture as a matrix of measures by
partnerships with headline counts that count measures.

The judgements themselves come from ``measures.spc`` (through ``measures.trend``); nothing here decides
whether a change is real, it only says so. Colour follows the judgement alone: blue for an improvement,
orange for a concern, purple for a change that is neither, grey for no significant change.
"""

from dataclasses import dataclass, field

from django.urls import reverse

# Making Data Count's variation icons, in words.
VARIATION_TEXT = {
    "common_cause": "No significant change: within its usual range",
    "improvement_high": "Improvement: unusually high",
    "improvement_low": "Improvement: unusually low",
    "concern_high": "Concern: unusually high",
    "concern_low": "Concern: unusually low",
    "neither_high": "Unusually high (neither better nor worse)",
    "neither_low": "Unusually low (neither better nor worse)",
    None: "Not enough data to judge",
}
ASSURANCE_TEXT = {
    "pass": "Target: will be met if nothing changes",
    "fail": "Target: will be missed unless something changes",
    "hit_and_miss": "Target: sometimes met, sometimes missed",
    None: "No target set",
}
KIND = {"improvement": "improvement", "concern": "concern", "neither": "neither", "common": "common_cause"}


def variation_kind(variation: str | None) -> str:
    """improvement, concern, neither, common_cause or none: what an icon's colour stands for."""
    return KIND.get((variation or "").split("_")[0], "none")


def sentence(
    measure, place: str, period_label: str, variation: str | None, assurance=None, target: str | None = None
) -> str:
    """One judgement as a councillor would say it, e.g. "Violent crime in Oxford was unusually high in
    2011/12 Q3: a concern." with what the target's assurance icon says when there is a target (``target``:
    the target as people read it, "1,200 for 2013/14")."""
    name = measure.name
    when = f" in {period_label}" if period_label else ""
    kind = variation_kind(variation)
    if variation is None:
        text = f"{name} in {place}: not enough figures yet to judge{when}."
    elif kind == "common_cause":
        text = f"{name} in {place} stayed within its usual range{when}: no significant change."
    else:
        level = "high" if variation.endswith("high") else "low"
        verdict = {
            "improvement": "an improvement",
            "concern": "a concern",
            "neither": "neither better nor worse",
        }[kind]
        text = f"{name} in {place} was unusually {level}{when}: {verdict}."
    if assurance and target is not None:
        target_text = target
        text += {
            "pass": f" It will meet its target of {target_text} if nothing changes.",
            "fail": f" It will miss its target of {target_text} unless something changes.",
            "hit_and_miss": f" It will sometimes meet and sometimes miss its target of {target_text}.",
        }[assurance]
    return text


@dataclass
class Cell:
    partnership: object
    variation: str | None
    assurance: str | None
    sentence: str
    url: str

    @property
    def kind(self) -> str:
        return variation_kind(self.variation)


@dataclass
class MatrixRow:
    measure: object
    cells: list[Cell]

    @property
    def kinds(self) -> set[str]:
        return {cell.kind for cell in self.cells}

    @property
    def has_concern(self) -> bool:
        return "concern" in self.kinds or any(cell.assurance == "fail" for cell in self.cells)


@dataclass
class Matrix:
    partnerships: list
    rows: list[MatrixRow]
    counts: dict = field(default_factory=dict)

    @property
    def exceptions(self) -> list[Cell]:
        """Special-cause concerns first, then targets that will be missed, as sentences."""
        concerns = [c for r in self.rows for c in r.cells if c.kind == "concern"]
        failing = [c for r in self.rows for c in r.cells if c.assurance == "fail" and c.kind != "concern"]
        return concerns + failing


# How each measure counts in the headline: by its worst news in any partnership.
HEADLINE = [
    ("concern", "with a concern in at least one partnership"),
    ("improvement", "improving in at least one partnership, a concern in none"),
    ("common_cause", "with no significant change in any partnership"),
    ("none", "without enough figures to judge"),
]


def headline_kind(row: MatrixRow) -> str:
    kinds = row.kinds
    if "concern" in kinds:
        return "concern"
    if "improvement" in kinds:
        return "improvement"
    if kinds <= {"none"}:
        return "none"
    return "common_cause"  # common cause or "neither" variation everywhere


def measure_matrix(measure_rows, partnerships, query: str) -> Matrix:
    """Measures (rows) by partnerships (columns), each cell the latest quarter's variation and assurance
    icons with their sentence, and the headline counts of measures."""
    by_measure: dict[int, MatrixRow] = {}
    for row in measure_rows:
        s, t = row.summary, row.summary.trend
        matrix_row = by_measure.setdefault(row.measure.pk, MatrixRow(row.measure, []))
        period = s.latest_period.label if s.latest_period else ""
        variation = t.variation if t else None
        assurance = t.assurance if t else None
        target = (
            f"{row.measure.format_value(row.target.value)} for {row.target.period.label}"
            if row.target
            else None
        )
        page = reverse("dashboards:measure", args=[row.measure.slug])
        url = f"{page}?{query}#partnership-{row.partnership.slug}"
        matrix_row.cells.append(
            Cell(
                partnership=row.partnership,
                variation=variation,
                assurance=assurance,
                sentence=sentence(row.measure, row.partnership.label, period, variation, assurance, target),
                url=url,
            )
        )
    rows = list(by_measure.values())
    counts = {kind: 0 for kind, _ in HEADLINE}
    for matrix_row in rows:
        counts[headline_kind(matrix_row)] += 1
    return Matrix(partnerships=list(partnerships), rows=rows, counts=counts)


def headline(matrix: Matrix) -> list[dict]:
    return [
        {"kind": kind, "count": matrix.counts[kind], "what": what, "total": len(matrix.rows)}
        for kind, what in HEADLINE
    ]
