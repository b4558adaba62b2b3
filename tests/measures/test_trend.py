"""Direction of travel on hand-built series: the XmR rule as the pages state it (measures/trend.py reads it
from the engine, measures/spc.py)."""

import pytest

from measures.trend import IMPROVING, NO_CHANGE, NOT_ENOUGH, RULE_TEXT, WORSENING, xmr

# Twelve baseline quarters wobbling around 100 (mean 100, mean moving range 10 -> limits 73.4 to 126.6).
BASELINE = [95, 105, 95, 105, 95, 105, 95, 105, 95, 105, 95, 105]


def test_limits_are_mean_plus_or_minus_2_66_moving_ranges():
    trend = xmr(BASELINE + [100], baseline_count=12, higher_is_better=False)
    assert trend.mean == pytest.approx(100)
    assert trend.upper == pytest.approx(126.6)
    assert trend.lower == pytest.approx(73.4)
    assert trend.limits_from_baseline and trend.baseline_points == 12


def test_noise_is_not_a_trend():
    trend = xmr(BASELINE + [110, 92, 118, 90], baseline_count=12, higher_is_better=False)
    assert trend.verdict == NO_CHANGE
    assert trend.reason == "The latest quarter is within the process limits and not part of a run."
    assert (trend.variation, trend.direction, trend.label, trend.symbol) == (
        "common_cause",
        None,
        "No significant change",
        "■",
    )


def test_a_point_beyond_the_lower_limit_is_an_improvement_when_lower_is_better():
    trend = xmr(BASELINE + [70], baseline_count=12, higher_is_better=False)
    assert (trend.verdict, trend.direction) == (IMPROVING, "down")
    assert 1 in trend.signals[12]


def test_the_same_point_is_a_worsening_when_higher_is_better():
    # e.g. hate crime reporting: fewer reports is worse
    assert xmr(BASELINE + [70], baseline_count=12, higher_is_better=True).verdict == WORSENING


def test_seven_quarters_above_the_mean_is_a_shift():
    # The baseline ends above the mean, so the run starts after a quarter below it.
    trend = xmr(BASELINE + [96, 104, 106, 103, 108, 102, 107, 105], baseline_count=12, higher_is_better=False)
    assert trend.verdict == WORSENING
    assert trend.signals[19] == {2}
    assert 12 not in trend.signals


def test_six_quarters_above_the_mean_is_not_yet_a_shift():
    trend = xmr(BASELINE + [96, 104, 106, 103, 108, 102, 107], baseline_count=12, higher_is_better=False)
    assert trend.verdict == NO_CHANGE


def test_the_baseline_quarters_are_judged_too():
    """NHSRplotthedots checks every quarter against the limits, the baseline's included: the last baseline
    quarter (105, above the mean) and six more above it make seven."""
    trend = xmr(BASELINE + [104, 106, 103, 108, 102, 107], baseline_count=12, higher_is_better=False)
    assert trend.verdict == WORSENING
    assert set(trend.signals) == set(range(11, 18))


def test_seven_quarters_each_lower_than_the_last_is_a_trend():
    trend = xmr(BASELINE + [106, 104, 103, 101, 99, 98, 96], baseline_count=12, higher_is_better=False)
    assert 3 in trend.signals[18]
    assert (trend.verdict, trend.direction) == (IMPROVING, "down")


def test_two_of_three_close_to_a_limit():
    # two-thirds of the way to the upper limit is 117.7; all three quarters are above the mean
    trend = xmr(BASELINE + [119, 101, 120], baseline_count=12, higher_is_better=False)
    assert trend.signals == {12: {4}, 14: {4}}  # the quarter between them is not near the limit
    assert trend.verdict == WORSENING
    assert trend.reason == "The latest quarter is one of two out of three in a row close to the upper limit."


def test_two_of_three_needs_all_three_on_one_side_of_the_mean():
    trend = xmr(BASELINE + [119, 100, 120], baseline_count=12, higher_is_better=False)
    assert trend.verdict == NO_CHANGE and not trend.signals


def test_missing_quarters_are_skipped_not_read_as_zero():
    trend = xmr(BASELINE + [None, 100], baseline_count=12, higher_is_better=False)
    assert trend.verdict == NO_CHANGE
    assert 12 not in trend.signals


def test_without_enough_baseline_quarters_the_limits_use_every_quarter():
    trend = xmr([10, 12, 11, 13, 12], baseline_count=2, higher_is_better=True)
    assert not trend.limits_from_baseline and trend.baseline_points == 5


def test_eleven_baseline_quarters_are_not_enough_to_fix_the_limits():
    """NHSRplotthedots fixes limits on 12 points or more."""
    values = BASELINE[:11] + [None] + [100, 104]
    trend = xmr(values, baseline_count=12, higher_is_better=True)
    assert not trend.limits_from_baseline and trend.baseline_points == 13
    assert xmr(BASELINE + [100, 104], baseline_count=12, higher_is_better=True).baseline_points == 12


def test_a_series_break_starts_limits_of_their_own_and_the_verdict_is_theirs():
    values = BASELINE + [145, 155, 150, 152, 148, 151]
    assert xmr(values, baseline_count=12, higher_is_better=False).verdict == WORSENING
    trend = xmr(values, baseline_count=12, higher_is_better=False, break_index=12)
    assert trend.verdict == NO_CHANGE
    assert trend.mean == pytest.approx(150.1666666)
    assert not trend.limits_from_baseline and trend.baseline_points == 6
    assert trend.reason == (
        "The latest quarter is within the process limits and not part of a run. "
        "The limits come from only 6 quarters with figures: a guide until there are 12."
    )


def test_too_few_quarters_since_the_break_is_said_plainly():
    trend = xmr(BASELINE + [145, 155, 150], baseline_count=12, higher_is_better=False, break_index=12)
    assert trend.verdict == NOT_ENOUGH
    assert trend.reason == "Fewer than 4 quarters with figures since the series break."
    assert trend.mean is None and trend.signals == {} and trend.point_verdicts == {}


def test_too_few_quarters_is_said_plainly():
    trend = xmr([1, 2, None, 3], baseline_count=0, higher_is_better=True)
    assert (trend.verdict, trend.label, trend.symbol) == (NOT_ENOUGH, "Not enough data", "")
    assert trend.reason == "Fewer than 4 quarters with figures."
    assert trend.variation is None and trend.assurance is None and trend.direction is None
    assert xmr([1, 2, None, 3, 2], baseline_count=0, higher_is_better=True).verdict == NO_CHANGE


def test_every_flagged_point_of_a_falling_lower_is_better_series_is_an_improvement():
    """The chart colours each flagged quarter by this judgement, never by its side of the mean alone: on
    a falling series where lower is better, points below the limits are improvements, not concerns."""
    values = BASELINE + [90, 85, 80, 78, 76, 75, 74]
    trend = xmr(values, baseline_count=12, higher_is_better=False)
    assert trend.verdict == IMPROVING
    # The last baseline quarter starts the run of falls: eight quarters each lower than the one before.
    assert set(trend.point_verdicts) == set(range(11, 19))
    assert set(trend.point_verdicts.values()) == {IMPROVING}
    worse = xmr(values, baseline_count=12, higher_is_better=True)
    assert worse.point_verdicts.keys() == trend.point_verdicts.keys()
    assert set(worse.point_verdicts.values()) == {WORSENING}
    assert (trend.variation, worse.variation) == ("improvement_low", "concern_low")


def test_a_trend_reads_its_own_way_even_on_the_other_side_of_the_mean():
    """Seven rising quarters still below the centre line are a rise: worse when lower is better."""
    values = BASELINE + [74.5, 75, 77, 80, 84, 88, 93]
    trend = xmr(values, baseline_count=12, higher_is_better=False)
    assert trend.signals[18] == {2, 3}  # a shift below the mean as well, but the trend decides
    assert (trend.verdict, trend.direction) == (WORSENING, "up")
    assert (
        trend.reason == "The latest quarter is one of seven or more in a row each higher than the one before."
    )


def test_assurance_against_a_target_follows_the_desired_direction():
    # limits 73.4 to 126.6
    assert xmr(BASELINE + [100], baseline_count=12, higher_is_better=False, target=70).assurance == "fail"
    assert xmr(BASELINE + [100], baseline_count=12, higher_is_better=False, target=130).assurance == "pass"
    assert xmr(BASELINE + [100], baseline_count=12, higher_is_better=True, target=130).assurance == "fail"
    assert (
        xmr(BASELINE + [100], baseline_count=12, higher_is_better=False, target=100).assurance
        == "hit_and_miss"
    )
    assert xmr(BASELINE + [100], baseline_count=12, higher_is_better=False).assurance is None


def test_the_stated_rule_names_the_numbers_the_charts_show():
    for number, words in [
        (1, "(1) is beyond a process limit"),
        (2, "(2) is one of seven or more quarters in a row on the same side of the centre line"),
        (3, "(3) is one of seven or more quarters in a row each higher (or each lower)"),
        (4, "(4) is one of two out of three quarters in a row close to the same process limit"),
    ]:
        assert words in RULE_TEXT, number
    assert "2.66 × the mean moving range" in RULE_TEXT and "3.267" in RULE_TEXT
