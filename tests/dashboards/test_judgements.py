"""The county's picture: Making Data Count icons with words, sentences a councillor can read, headline
counts that count measures, and colour that follows the judgement alone."""

import re

import pytest
from django.urls import reverse

from dashboards.judgements import HEADLINE, sentence, variation_kind
from dashboards.templatetags.judgements import COLOURS, assurance_icon, variation_icon
from measures.models import Period, Target
from tests import factories


class Named:
    def __init__(self, name="Violent crime"):
        self.name = name

    def format_value(self, value):
        return f"{value:,}"


@pytest.mark.parametrize(
    ("variation", "expected"),
    [
        ("concern_high", "Violent crime in Oxford was unusually high in 2011/12 Q3: a concern."),
        ("concern_low", "Violent crime in Oxford was unusually low in 2011/12 Q3: a concern."),
        ("improvement_low", "Violent crime in Oxford was unusually low in 2011/12 Q3: an improvement."),
        ("improvement_high", "Violent crime in Oxford was unusually high in 2011/12 Q3: an improvement."),
        (
            "neither_high",
            "Violent crime in Oxford was unusually high in 2011/12 Q3: neither better nor worse.",
        ),
        (
            "common_cause",
            "Violent crime in Oxford stayed within its usual range in 2011/12 Q3: no significant change.",
        ),
        (None, "Violent crime in Oxford: not enough figures yet to judge in 2011/12 Q3."),
    ],
)
def test_each_judgement_reads_as_a_sentence(variation, expected):
    assert sentence(Named(), "Oxford", "2011/12 Q3", variation) == expected


@pytest.mark.parametrize(
    ("assurance", "words"),
    [
        ("pass", "It will meet its target of 1,200 for 2013/14 if nothing changes."),
        ("fail", "It will miss its target of 1,200 for 2013/14 unless something changes."),
        ("hit_and_miss", "It will sometimes meet and sometimes miss its target of 1,200 for 2013/14."),
    ],
)
def test_a_target_adds_what_its_assurance_says(assurance, words):
    text = sentence(Named(), "Oxford", "2011/12 Q3", "common_cause", assurance, "1,200 for 2013/14")
    assert text.endswith(words)


@pytest.mark.parametrize(
    "variation",
    [
        "common_cause",
        "improvement_high",
        "improvement_low",
        "concern_high",
        "concern_low",
        "neither_high",
        None,
    ],
)
def test_every_variation_icon_has_words_and_its_colour_is_its_judgements(variation):
    svg = str(variation_icon(variation))
    label = re.search(r'aria-label="([^"]+)"', svg).group(1)
    assert f"<title>{label}</title>" in svg and 'role="img"' in svg
    fill = re.search(r'fill="(#[0-9a-f]{6})"', svg).group(1)
    assert fill == COLOURS[variation_kind(variation)][0]
    if variation and variation.startswith("improvement"):
        assert label.startswith("Improvement") and fill == "#1d70b8"
    if variation and variation.startswith("concern"):
        assert label.startswith("Concern") and fill == "#f47738"


@pytest.mark.parametrize("assurance", ["pass", "fail", "hit_and_miss"])
def test_every_assurance_icon_has_words(assurance):
    svg = str(assurance_icon(assurance))
    assert "Target" in re.search(r'aria-label="([^"]+)"', svg).group(1)
    assert assurance_icon(None) == ""


@pytest.fixture
def falling(world):
    """Beta has figures too; Alpha's lower-is-better measure falls far below its usual range: an
    improvement, though the figure went down."""
    for partnership_area in (world.area_a, world.area_b):
        for i, value in enumerate([95, 105] * 6):
            period = Period.objects.financial_quarter(2007 + i // 4, i % 4 + 1)
            factories.MeasureValueFactory(
                measure=world.measure, area=partnership_area, period=period, value=value
            )
    world.measure.values.filter(period__start__year__gte=2011, area=world.area_a).update(value=40)
    for q in (1, 2, 3, 4):
        factories.MeasureValueFactory(
            measure=world.measure,
            area=world.area_b,
            period=Period.objects.financial_quarter(2011, q),
            value=100,
        )
    Target.objects.create(
        measure=world.measure, partnership=world.b, value=10, period=Period.objects.financial_quarter(2011, 4)
    )
    return world


def test_the_overview_shows_the_matrix_with_sentences_and_counts_measures_not_pairs(client_for, falling):
    response = client_for("scrutiny").get(reverse("dashboards:overview"), {"quarter": "2011-12-q1"})
    page = response.content.decode()
    matrix = response.context["matrix"]
    [row] = [r for r in matrix.rows if r.measure == falling.measure]
    alpha, beta = row.cells
    assert alpha.variation == "improvement_low" and "Acquisitive crime in Alpha" in alpha.sentence
    assert alpha.sentence.endswith(": an improvement.")
    assert beta.variation == "common_cause" and beta.assurance == "fail"
    assert "It will miss its target of 10 for 2011/12 Q4 unless something changes." in beta.sentence
    assert alpha.sentence in page and beta.sentence in page
    # One measure, two partnerships: the headline counts the measure once.
    counts = {h["kind"]: h["count"] for h in response.context["headline"]}
    assert sum(counts.values()) == len(matrix.rows) and counts["improvement"] >= 1
    assert [kind for kind, _ in HEADLINE] == list(counts)
    # A failing target is among the things that need attention first.
    assert beta in matrix.exceptions
    # The improvement is drawn blue, though the figure fell; nothing good is orange or red.
    cell_html = page[page.index(alpha.sentence) :][:1500]
    assert 'fill="#1d70b8"' in cell_html and "Improvement: unusually low" in cell_html


def test_the_how_we_judge_page_states_the_method_and_the_icons(client_for, world):
    page = client_for("scrutiny").get(reverse("dashboards:how_we_judge")).content.decode()
    assert "Making Data Count" in page and "Concern: unusually high" in page
    assert "Target: will be missed unless something changes" in page
    assert "overdue" in page.lower()
