"""The statistical engine (measures/spc.py) against NHSRplotthedots' own published expectations, then each
rule on hand-built series.

Sources, all in nhs-r-community/NHSRplotthedots:
- tests/testthat/_snaps/ptd_spc_standard.md (means and limits of ``set.seed(123); rnorm(20)``, with an
  outlier and with and without screening), tests/testthat/_snaps/ptd_spc.md (the summary's per-facet
  limits), tests/testthat/test-ptd_spc_standard.R (2-in-3 on opposite sides of the mean);
- tests/testthat/test-geom_ptd_icon.R (``ptd_get_icons``: every variation and assurance icon);
- tests/testthat/test-ptd_calculate_point_type.R (the rule helpers' input and output vectors);
- tests/testthat/test-ptd_calculate_assurance_type.R (assurance for each improvement direction);
- tests/testthat/_snaps/integration_tests.md (NHSRdatasets' A&E attendances and 4-hour performance: every
  value, mean, limit and point type, with a rebase and with ``fix_after_n_points = 12``), decoded from R's
  serialisation.
The R tests draw their data with R's random numbers; tests/measures/rnorm.py draws the same numbers.
"""

from decimal import Decimal
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures import spc
from measures.spc import analyse
from tests.measures.rnorm import RRandom

CC, IMP, CON = "common_cause", "special_cause_improvement", "special_cause_concern"
TYPES = {"c": CC, "i": IMP, "x": CON}


def types(code: str) -> list[str]:
    return [TYPES[c] for c in code]


def rnorm20():
    return RRandom(123).rnorm(20)


def test_the_random_numbers_are_rs():
    # pillar::glimpse of the data in _snaps/ptd_spc_standard.md
    assert [round(v, 8) for v in rnorm20()[:4]] == [-0.56047565, -0.23017749, 1.55870831, 0.07050839]


# --- ptd_spc_standard: centre line, limits, moving-range screening --------------------------------------


def test_limits_of_rnorm_20_as_in_the_snapshot():
    group = analyse(rnorm20()).groups[0]
    assert group.mean == pytest.approx(0.1416238, abs=5e-8)
    assert group.lower == pytest.approx(-3.01138, abs=5e-6)
    assert group.upper == pytest.approx(3.294627, abs=5e-7)


def test_an_outlying_moving_range_is_screened_out_of_the_limits():
    values = rnorm20()
    values[14] = 10  # data$y[15] <- 10
    screened = analyse(values).groups[0]
    assert screened.mean == pytest.approx(0.6694159, abs=5e-8)
    assert screened.lower == pytest.approx(-2.383666, abs=5e-7)
    assert screened.upper == pytest.approx(3.722497, abs=5e-7)
    unscreened = analyse(values, screen_outliers=False).groups[0]
    assert unscreened.mean == screened.mean
    assert unscreened.lower == pytest.approx(-4.596625, abs=5e-7)
    assert unscreened.upper == pytest.approx(5.935457, abs=5e-7)


def test_the_summary_limits_of_each_half_as_in_the_snapshot():
    first, second = analyse(rnorm20()[:10]).groups[0], analyse(rnorm20()[10:]).groups[0]
    assert (round(first.mean, 4), round(first.lower, 2), round(first.upper, 2)) == (0.0746, -2.60, 2.75)
    assert (round(second.mean, 3), round(second.lower, 2), round(second.upper, 2)) == (0.209, -3.28, 3.70)


def test_fixing_after_n_points_changes_the_limits():
    free, fixed = analyse(rnorm20()).groups[0], analyse(rnorm20(), fix_after_n_points=12).groups[0]
    assert fixed.lower != free.lower and fixed.upper != free.upper
    assert fixed.mean == pytest.approx(sum(rnorm20()[:12]) / 12)
    assert (fixed.fixed, fixed.basis, free.fixed, free.basis) == (True, 12, False, 20)


def test_two_close_points_on_opposite_sides_of_the_mean_are_common_cause():
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    assert [p.point_type for p in analyse(values).points[-2:]] == [CC, CC]


# --- ptd_get_icons: variation and assurance icons ---------------------------------------------------------


@pytest.fixture
def icon_data():
    """test-geom_ptd_icon.R: rnorm(24), then the second half redrawn around 5, then around -5."""
    draw = RRandom(123)
    values = draw.rnorm(24)
    around_five = values[:12] + draw.rnorm(12, 5)
    around_minus_five = values[:12] + draw.rnorm(12, -5)
    return values, around_five, around_minus_five


def test_icons_as_ptd_get_icons_gives_them(icon_data):
    values, high, low = icon_data
    icons = [
        (analyse(values), "common_cause", None),
        (analyse(values, target=0.5), "common_cause", "hit_and_miss"),
        (analyse(values[:12], target=0.5), "common_cause", "hit_and_miss"),
        (analyse(values[12:], target=0.5), "common_cause", "hit_and_miss"),
        (analyse(high, target=-3), "improvement_high", "pass"),
        (analyse(high, "decrease", target=-3), "concern_high", "fail"),
        (analyse(low, target=3), "concern_low", "fail"),
        (analyse(low, "decrease", target=3), "improvement_low", "pass"),
        (analyse(low, "neither", target=3), "neither_low", None),
    ]
    assert [(r.variation, r.assurance) for r, _, _ in icons] == [(v, a) for _, v, a in icons]


def test_neither_direction_has_high_and_low_icons(icon_data):
    _, high, low = icon_data
    assert analyse(high, "neither").variation == "neither_high"
    assert {p.point_type for p in analyse(high, "neither").points} == {"special_cause_neither"}
    assert analyse(high, "neither").latest.side == "high"


# --- ptd_calculate_point_type: the rule helpers, on R's own vectors -------------------------------------


@pytest.mark.parametrize(
    "sides,expected",
    [
        ([], []),
        ([1] * 6, [False] * 6),
        ([1] * 6 + [-1], [False] * 7),
        ([1] * 8 + [-1], [True] * 8 + [False]),
        ([-1] * 8 + [1], [True] * 8 + [False]),
        ([0] * 6 + [1] + [0], [False] * 8),  # on the mean is no side
        ([1] * 7, [True] * 7),
        ([-1, 1, 1, 1, 1, 1, 1, 1], [False] + [True] * 7),
        ([1, 1, 1, 0, 1, 1, 1, 1], [False] * 8),
    ],
)
def test_shift(sides, expected):
    assert spc.shift(sides) == expected


@pytest.mark.parametrize(
    "ys,expected",
    [
        ([], []),
        ([1, 2, 3, 4, 5, 6], [False] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [False] * 7),  # a tie breaks a run
        ([1, 2, 3, 4, 5, 6, 7], [True] * 7),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [False] + [True] * 7 + [False]),
        ([7, 6, 5, 4, 3, 2, 1], [True] * 7),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [False] + [True] * 7 + [False]),
        ([1, 2, 3, 4, 5, 6, 7, 8], [True] * 8),
        ([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1], [False] * 11),
    ],
)
def test_trend(ys, expected):
    assert spc.trend(ys) == expected


@pytest.mark.parametrize(
    "close,sides,expected",
    [
        ([], [], []),
        ([0, 0, 0], [0], [False] * 3),
        ([1, 0, 1], [1, 1, 1], [True, False, True]),
        ([0, 1, 1], [1, 1, 1], [False, True, True]),
        ([1, 1, 0], [1, 1, 1], [True, True, False]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [False, False, True, False, True, False, False]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [False, False, True, True, False, False, False]),
        ([1, 0, 0, 1], [1] * 4, [False] * 4),
        ([1, 0, 0, 1, 1], [1] * 5, [False, False, False, True, True]),
        ([1, 1, 1], [-1, -1, -1], [True] * 3),
        # on opposite sides of the mean: never
        ([1, 0, 1], [1, -1, 1], [False] * 3),
        ([0, 1, 1], [1, -1, 1], [False] * 3),
        ([1, 1, 0], [1, -1, 1], [False] * 3),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [False] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [False] * 7),
        ([1, 1, 0], [1, 1, 0], [False] * 3),  # the third on the mean
    ],
)
def test_two_in_three(close, sides, expected):
    assert spc.two_in_three([bool(c) for c in close], sides) == expected


# --- ptd_calculate_assurance_type -------------------------------------------------------------------------


def group(lower, mean, upper) -> spc.Group:
    return spc.Group(0, 1, mean, upper, lower, None, None, None, False, 1, 1)


@pytest.mark.parametrize(
    "improvement,expected",
    [("increase", ["fail", "pass", "hit_and_miss"]), ("decrease", ["pass", "fail", "hit_and_miss"])],
)
def test_assurance_for_each_improvement_direction(improvement, expected):
    groups = [group(1, 2, 3), group(5, 6, 7), group(1, 4, 5)]
    assert [spc.assurance(g, 4, improvement) for g in groups] == expected


def test_no_assurance_without_a_target_or_a_direction():
    assert spc.assurance(group(1, 2, 3), None, "increase") is None
    assert [spc.assurance(g, 4, "neither") for g in (group(1, 2, 3), group(5, 6, 7))] == [None, None]


def test_a_target_on_a_limit_is_hit_and_miss():
    assert spc.assurance(group(1, 2, 3), 3, "increase") == "hit_and_miss"
    assert spc.assurance(group(1, 2, 3), 1, "increase") == "hit_and_miss"
    assert spc.assurance(group(1, 2, 3), 3.0000001, "increase") == "fail"
    assert spc.assurance(group(1, 2, 3), 0.9999999, "increase") == "pass"


def test_assurance_uses_the_latest_groups_limits():
    values = [10, 11] * 6 + [20, 21] * 6  # limits 7.84 to 13.16, then 17.84 to 23.16
    assert analyse(values, target=15, rebase=[12]).assurance == "pass"
    assert analyse(values, "decrease", target=15, rebase=[12]).assurance == "fail"
    assert analyse(values[:12], target=15).assurance == "fail"
    assert analyse(values[:12], "decrease", target=15).assurance == "pass"
    assert analyse(values, target=Decimal("21.5"), rebase=[12]).assurance == "hit_and_miss"


# --- integration_tests.md: A&E attendances and performance, England, April 2016 to March 2019 ------------

ATTENDANCES = [
    1867781, 2070340, 1958802, 2079034, 1932901, 1952464, 2001816, 1907871, 1944567, 1895272, 1735619,
    2015834, 1949762, 2066789, 1994056, 2073944, 1924663, 1925961, 2044137, 1976971, 2003954, 2000086,
    1820012, 2049785, 1984369, 2164458, 2093942, 2179896, 1997854, 2005695, 2079492, 2037847, 2047518,
    2113413, 1954947, 2167550,
]  # fmt: skip
PERFORMANCE = [
    0.9003512724457525, 0.9027555860390081, 0.9055994429248081, 0.9028524786030435, 0.909763097023593,
    0.9064786853944554, 0.8905308979446662, 0.8837903610883545, 0.8617594559611471, 0.851413411900772,
    0.8753090395991286, 0.9000949482943537, 0.9051525263083392, 0.8970035160821932, 0.9072518525056468,
    0.9034785895858326, 0.9029928875860346, 0.8966609396555797, 0.8994186788850258, 0.8876655246839736,
    0.8498503458662225, 0.8529918213516818, 0.8504476893558943, 0.8462121637147311, 0.8857248828216929,
    0.9039011151983545, 0.9076297242234981, 0.8931949047110505, 0.8972702710007838, 0.8894368286304747,
    0.8900933497219513, 0.8760446687116353, 0.8644632183941728, 0.843525141560121, 0.8422525009629417,
    0.8660427671795345,
]  # fmt: skip


def limits(group: spc.Group) -> tuple[float, float, float]:
    return group.mean, group.lower, group.upper


def test_attendances():
    result = analyse(ATTENDANCES)
    [group] = result.groups
    assert limits(group) == pytest.approx(
        (2000538.9444444445, 1731844.3644444444, 2269233.5244444446), rel=1e-14
    )
    assert {p.point_type for p in result.points} == {CC}
    assert result.variation == "common_cause" and result.warnings == []


def test_attendances_rebased_in_april_2017():
    result = analyse(ATTENDANCES, rebase=[12])
    first, second = result.groups
    assert limits(first) == pytest.approx(
        (1946858.4166666667, 1639947.374848485, 2253769.4584848485), rel=1e-14
    )
    assert limits(second) == pytest.approx(
        (2027379.2083333333, 1772921.0639855072, 2281837.3526811595), rel=1e-14
    )
    assert [p.group for p in result.points] == [0] * 12 + [1] * 24
    assert [p.mean for p in result.points] == [first.mean] * 12 + [second.mean] * 24
    assert [p.upper for p in result.points] == [first.upper] * 12 + [second.upper] * 24
    assert [p.lower for p in result.points] == [first.lower] * 12 + [second.lower] * 24
    assert {p.point_type for p in result.points} == {CC}


def test_performance():
    result = analyse(PERFORMANCE)
    assert limits(result.groups[0]) == pytest.approx(
        (0.8847056829421236, 0.8604472128746817, 0.9089641530095655), rel=1e-14
    )
    assert [p.point_type for p in result.points] == types("iiiiiiiccxciiiiiiiiixxxxiiiiiiiccxxc")
    assert result.variation == "common_cause"


def test_performance_fixed_after_12_points():
    result = analyse(PERFORMANCE, fix_after_n_points=12)
    assert limits(result.groups[0]) == pytest.approx(
        (0.8908915564349236, 0.8614049789074258, 0.9203781339624213), rel=1e-14
    )
    assert [p.point_type for p in result.points] == types("cccccccccxciiiiiiiicxxxxcccccxxxxxxx")
    assert result.variation == "concern_low"
    assert analyse(PERFORMANCE, "decrease", fix_after_n_points=12).variation == "improvement_low"


# --- Each rule on hand-built series ----------------------------------------------------------------------

# Twelve quarters wobbling around 100: mean 100, every moving range 10, so the limits are 73.4 and 126.6 and
# the near limits (two-thirds of the way) 82.2666... and 117.7333...
BASE = [95, 105] * 6


def test_limits_are_the_mean_plus_or_minus_2_66_mean_moving_ranges():
    group = analyse(BASE).groups[0]
    assert (group.mean, group.mean_moving_range) == (100, 10)
    assert (group.upper, group.lower) == (pytest.approx(126.6, abs=1e-12), pytest.approx(73.4, abs=1e-12))
    assert group.near_upper == pytest.approx(100 + 2 * 2.66 / 3 * 10, abs=1e-12)
    assert group.near_lower == pytest.approx(100 - 2 * 2.66 / 3 * 10, abs=1e-12)


def test_a_point_beyond_a_limit():
    result = analyse(BASE + [127, 126.6, 73.4, 73], fix_after_n_points=12)
    assert [p.rules for p in result.points[12:]] == [("beyond_limits",), (), (), ("beyond_limits",)]
    assert [p.side for p in result.points[12:]] == ["high", None, None, "low"]
    assert [p.point_type for p in result.points[12:]] == [IMP, CC, CC, CON]
    assert result.variation == "concern_low"
    assert analyse(BASE + [127], "decrease", fix_after_n_points=12).variation == "concern_high"
    assert analyse(BASE + [73], "decrease", fix_after_n_points=12).variation == "improvement_low"


def test_moving_ranges_of_3_267_times_their_mean_or_more_are_left_out():
    # Eleven moving ranges of 1 and one of 4: their mean is 15/12 = 1.25 and 4 < 3.267 × 1.25 = 4.08, so all
    # stay. Eleven of 1 and one of 5: the mean is 16/12 and 5 >= 3.267 × 16/12 = 4.356, so the 5 goes.
    kept = analyse([0, 1] * 5 + [0, 1, 5]).groups[0]
    assert kept.mean_moving_range == pytest.approx(15 / 12)
    screened = analyse([0, 1] * 5 + [0, 1, 6]).groups[0]
    assert screened.mean_moving_range == 1
    assert analyse([0, 1] * 5 + [0, 1, 6], screen_outliers=False).groups[
        0
    ].mean_moving_range == pytest.approx(16 / 12)


def test_a_moving_range_exactly_3_267_times_the_mean_is_left_out():
    # Moving ranges 733, 733, 733 and 9801: their mean is 3000, and 3.267 × 3000 is 9801 exactly.
    assert analyse([0, 733, 0, 733, 10534]).groups[0].mean_moving_range == 733


def test_seven_in_a_row_on_one_side_is_a_shift_and_six_is_not():
    six = analyse(BASE + [94, 101, 102, 103, 101, 104, 102], fix_after_n_points=12)
    assert all(p.point_type == CC for p in six.points)
    seven = analyse(BASE + [94, 101, 102, 103, 101, 104, 102, 101], fix_after_n_points=12)
    assert [p.rules for p in seven.points[13:]] == [("shift",)] * 7
    assert [p.side for p in seven.points[13:]] == ["high"] * 7
    assert seven.points[12].rules == ()
    assert seven.variation == "improvement_high"
    below = analyse(BASE + [106, 99, 98, 97, 99, 96, 98, 99], "increase", fix_after_n_points=12)
    assert below.variation == "concern_low" and below.latest.rules == ("shift",)


def test_a_point_on_the_mean_breaks_a_shift():
    result = analyse(BASE + [94, 101, 102, 103, 100, 101, 104, 102, 101], fix_after_n_points=12)
    assert all(p.point_type == CC for p in result.points)


def test_seven_rising_is_a_trend_and_six_is_not():
    six = analyse(BASE + [96, 97, 98, 99, 100, 101], fix_after_n_points=12)  # 105 before 96: a fall
    assert all(p.point_type == CC for p in six.points)
    seven = analyse(BASE + [96, 97, 98, 99, 100, 101, 102], fix_after_n_points=12)
    assert [p.rules for p in seven.points[12:]] == [("trend",)] * 7
    assert [p.side for p in seven.points[12:]] == ["high"] * 7
    assert seven.variation == "improvement_high"
    falling = analyse(BASE + [94, 104, 103, 102, 101, 100, 99, 98], fix_after_n_points=12)
    assert [p.side for p in falling.points[12:]] == [None] + ["low"] * 7
    assert falling.variation == "concern_low"
    assert analyse(BASE + [96, 97, 98, 98, 100, 101, 102], fix_after_n_points=12).variation == "common_cause"


def test_on_a_limit_is_near_it_and_on_a_near_limit_is_not():
    """R: close_to_limits = !(y > upl | y < lpl) & (y < nlpl | y > nupl)."""
    group = analyse(BASE).groups[0]
    upper, lower, near_upper, near_lower = group.upper, group.lower, group.near_upper, group.near_lower

    def rules(tail):
        return [p.rules for p in analyse(BASE + tail, fix_after_n_points=12).points[12:]]

    assert rules([upper, 101, 120]) == [("two_in_three",), (), ("two_in_three",)]
    assert rules([lower, 99, 80]) == [("two_in_three",), (), ("two_in_three",)]
    assert rules([near_upper, 101, 120]) == [(), (), ()]
    assert rules([near_lower, 99, 80]) == [(), (), ()]


def test_two_of_three_near_a_limit():
    result = analyse(BASE + [118, 101, 119], fix_after_n_points=12)
    assert [p.rules for p in result.points[12:]] == [("two_in_three",), (), ("two_in_three",)]
    assert result.variation == "improvement_high"
    low = analyse(BASE + [82, 99, 81], "decrease", fix_after_n_points=12)
    assert [p.rules for p in low.points[12:]] == [("two_in_three",), (), ("two_in_three",)]
    assert low.variation == "improvement_low"
    # near means beyond two-thirds of the way, not on it, and not beyond the limit itself
    assert analyse(BASE + [118, 101, 117.7], fix_after_n_points=12).variation == "common_cause"
    beyond = analyse(BASE + [118, 101, 127], fix_after_n_points=12)
    assert [p.rules for p in beyond.points[12:]] == [(), (), ("beyond_limits",)]


def test_a_point_breaking_several_rules_points_the_way_of_the_first():
    """beyond a limit, then trend, then two in three, then shift (R: ptd_special_cause_type)."""
    values = BASE + [74.5, 75, 77, 80, 84, 88, 93]  # seven rises, all below the mean, the first four near
    result = analyse(values, fix_after_n_points=12)
    assert result.points[12].rules == ("trend", "two_in_three", "shift")
    assert result.points[18].rules == ("trend", "shift")
    assert {p.side for p in result.points[12:]} == {"high"}  # rising, although below the mean
    assert result.variation == "improvement_high"
    deeper = analyse(BASE + [73, 75, 77, 80, 84, 88, 93], fix_after_n_points=12)
    assert deeper.points[12].rules == ("beyond_limits", "trend", "shift")
    assert deeper.points[12].side == "low" and deeper.points[12].point_type == CON


def test_each_group_has_its_own_limits_and_runs_do_not_cross_a_rebase():
    values = BASE + [110, 120] * 6
    result = analyse(values, rebase=[12])
    assert [limits(g) for g in result.groups] == [
        pytest.approx((100, 73.4, 126.6)),
        pytest.approx((115, 88.4, 141.6)),
    ]
    assert all(p.point_type == CC for p in result.points)
    # Four above the mean at the end of one group and four at the start of the next are not a shift.
    values = [90, 110] * 4 + [101, 102, 103, 104] + [101, 102, 103, 104] + [90, 110] * 4
    assert all(p.point_type == CC for p in analyse(values, rebase=[12]).points)
    assert not all(p.point_type == CC for p in analyse(values).points)


def test_three_groups():
    values = [1, 2] * 3 + [10, 12] * 3 + [30, 33] * 3
    result = analyse(values, rebase=[12, 6])
    assert [p.group for p in result.points] == [0] * 6 + [1] * 6 + [2] * 6
    assert [(g.start, g.end, g.mean, g.mean_moving_range) for g in result.groups] == [
        (0, 6, 1.5, 1),
        (6, 12, 11, 2),
        (12, 18, 31.5, 3),
    ]
    assert [p.mean for p in result.points[11:13]] == [11, 31.5]
    assert (result.point_types, result.rules, result.sides) == (["common_cause"] * 18, [()] * 18, [None] * 18)


def test_the_latest_groups_icon_does_not_reach_back_across_a_rebase():
    # Four rises end the first group and three more start the second: seven in a row, but not in one group.
    values = [0, 10] * 4 + [1, 2, 3, 4] + [5, 6, 7]
    assert analyse(values).variation == "improvement_high"
    assert analyse(values, rebase=[12]).variation == "common_cause"


def test_a_later_group_with_gaps_judges_only_its_own_points():
    result = analyse(BASE + [200, 210, None, 190, 205, 195], rebase=[12])
    assert [p.point_type for p in result.points] == ["common_cause"] * 14 + [None] + ["common_cause"] * 3


def test_fix_after_n_points_counts_the_rows_of_each_group():
    values = BASE[:11] + [None] + [200, 200] + BASE + [300]
    result = analyse(values, rebase=[14], fix_after_n_points=12)
    first, second = result.groups
    assert (first.basis, first.figures, first.fixed) == (11, 13, True)
    assert first.mean == pytest.approx(sum(BASE[:11]) / 11)
    assert (second.basis, second.figures, second.fixed, second.mean) == (12, 13, True, 100)
    assert result.points[-1].rules == ("beyond_limits",)


def test_fix_after_n_points_needs_12():
    with pytest.raises(ValueError, match="at least 12"):
        analyse(BASE, fix_after_n_points=11)
    assert analyse(BASE + [1], fix_after_n_points=12).groups[0].fixed


def test_fixing_on_every_point_is_not_fixing():
    group = analyse(BASE, fix_after_n_points=12).groups[0]
    assert not group.fixed and group.basis == 12


# --- Missing values, short series, input --------------------------------------------------------------


def test_a_missing_value_keeps_its_place_without_a_type():
    result = analyse(BASE[:6] + [None] + BASE[6:])
    missing = result.points[6]
    assert (missing.index, missing.value, missing.point_type, missing.rules, missing.side) == (
        6,
        None,
        None,
        (),
        None,
    )
    assert (missing.mean, missing.upper, missing.group) == (100, result.groups[0].upper, 0)
    assert len(result.points) == 13 and result.groups[0].figures == 12


def test_no_moving_range_is_taken_across_a_gap():
    # 95, 105, gap, 125: the 20 between 105 and 125 is not a moving range; 95→105 and 125→115 are.
    group = analyse([95, 105, None, 125, 115]).groups[0]
    assert group.mean_moving_range == 10
    assert group.mean == 110


def test_the_icon_counts_seven_figures_back_whatever_the_gaps():
    gappy = [101, None, 102, None, 103, None, 101, None, 104, None, 102, None, 101]
    result = analyse(BASE + [96] + gappy, fix_after_n_points=12)
    assert result.variation == "improvement_high" and result.latest.rules == ("shift",)


def test_a_gap_neither_breaks_nor_extends_a_run():
    values = BASE + [96, 101, 102, 103, None, 101, 104, 102, 101]
    result = analyse(values, fix_after_n_points=12)
    assert [p.rules for p in result.points[13:]] == [("shift",)] * 3 + [()] + [("shift",)] * 4
    values = BASE + [96, 101, 102, None, 103, 101, 104]
    assert all(p.point_type in (CC, None) for p in analyse(values, fix_after_n_points=12).points)


def test_the_variation_icon_is_the_latest_figures():
    result = analyse(BASE + [130, None, None], fix_after_n_points=12)
    assert result.variation == "improvement_high"
    assert result.latest.index == 12 and result.latest.value == 130


def test_short_groups_are_warned_about():
    assert analyse(BASE).warnings == []
    [warning] = analyse(BASE[:11] + [None]).warnings
    assert warning == "Points 1 to 12 hold 11 figures, fewer than 12: their limits are only a guide."
    result = analyse(BASE + BASE[:5], rebase=[12])
    assert result.warnings == [
        "Points 13 to 17 hold 5 figures, fewer than 12: their limits are only a guide."
    ]
    assert [g.short for g in result.groups] == [False, True]


def test_decimals_and_integers_are_numbers():
    decimals = analyse([Decimal(v) for v in BASE] + [Decimal("127.5")], target=Decimal("90"))
    floats = analyse([float(v) for v in BASE] + [127.5], target=90.0)
    assert decimals.points == floats.points
    assert decimals.target == 90.0 and isinstance(decimals.points[0].value, float)
    assert decimals.assurance == floats.assurance


def test_a_flat_baseline_has_its_limits_on_the_mean():
    """Every moving range 0 (NHSRplotthedots divides 0 by 0 here and flags nothing): no spread at all, so
    any other figure is beyond the limits."""
    flat = analyse([5] * 12 + [5, 6], fix_after_n_points=12)
    assert (flat.groups[0].upper, flat.groups[0].lower, flat.groups[0].mean_moving_range) == (5, 5, 0)
    assert [p.rules for p in flat.points[-2:]] == [(), ("beyond_limits",)]


def test_one_figure_has_no_limits():
    result = analyse([None, 7, None], target=3)
    [group] = result.groups
    assert (group.mean, group.upper, group.lower, group.near_upper, group.near_lower) == (
        7,
        None,
        None,
        None,
        None,
    )
    assert (group.mean_moving_range, group.fixed, group.basis, group.figures) == (None, False, 1, 1)
    fixed = analyse([None] * 11 + [7, None, 8], fix_after_n_points=12).groups[0]
    assert (fixed.mean, fixed.upper, fixed.fixed, fixed.basis, fixed.figures) == (7, None, True, 1, 2)
    assert [p.point_type for p in result.points] == [None, CC, None]
    assert (result.variation, result.assurance) == ("common_cause", None)


def test_nothing_to_judge():
    result = analyse([])
    assert (result.points, result.groups, result.variation, result.assurance) == ([], [], None, None)
    result = analyse([None, None], target=1)
    assert (result.groups[0].mean, result.variation, result.assurance) == (None, None, None)
    assert result.groups[0] == spc.Group(0, 2, None, None, None, None, None, None, False, 0, 0)
    fixed = analyse([None] * 12 + [3], fix_after_n_points=12).groups[0]
    assert (fixed.mean, fixed.fixed, fixed.basis, fixed.figures) == (None, True, 0, 1)
    assert analyse([None] * 12 + [3], fix_after_n_points=12).points[-1].point_type == "common_cause"
    assert [p.point_type for p in result.points] == [None, None]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="improvement must be one of increase, decrease, neither"):
        analyse(BASE, "up")
    with pytest.raises(ValueError, match="outside"):
        analyse(BASE, rebase=[12])
    with pytest.raises(ValueError, match="outside"):
        analyse(BASE, rebase=[-1])
    assert len(analyse(BASE, rebase=[0]).groups) == 1
    assert len(analyse(BASE, rebase=[11]).groups) == 2


# --- The quick icon: the latest point judged on its own agrees with every point judged -------------------


def _series(segments, gaps):
    """A walk of runs (each a number of equal steps up, down or none), with some values missing."""
    steps = [sign * size for sign, length, size in segments for _ in range(length)]
    values = list(accumulate(steps))
    return [None if i in gaps else v for i, v in enumerate(values)]


SERIES = st.one_of(
    st.builds(
        _series,
        st.lists(st.tuples(st.sampled_from([-1, 0, 1]), st.integers(1, 9), st.integers(1, 3)), max_size=8),
        st.sets(st.integers(0, 60), max_size=6),
    ),
    st.lists(st.one_of(st.none(), st.integers(0, 6)), max_size=40),
)


@settings(max_examples=500, deadline=None)
@given(
    values=SERIES,
    improvement=st.sampled_from(["increase", "decrease", "neither"]),
    rebase_at=st.integers(0, 40),
    fix=st.one_of(st.none(), st.integers(12, 20)),
)
def test_the_icon_agrees_with_every_point_judged(values, improvement, rebase_at, fix):
    rebase = [rebase_at] if rebase_at < len(values) else None
    result = analyse(values, improvement, rebase=rebase, fix_after_n_points=fix)
    latest = result.latest
    full = None if latest is None else spc.variation(latest.point_type, latest.side, improvement)
    assert result.variation == full
