"""Direction of travel on hand-built series: the XmR rule as the pages state it."""

import pytest

from measures.trend import IMPROVING, NO_CHANGE, NOT_ENOUGH, WORSENING, xmr

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


def test_a_point_beyond_the_lower_limit_is_an_improvement_when_lower_is_better():
    trend = xmr(BASELINE + [70], baseline_count=12, higher_is_better=False)
    assert (trend.verdict, trend.direction) == (IMPROVING, "down")
    assert 1 in trend.signals[12]


def test_the_same_point_is_a_worsening_when_higher_is_better():
    # e.g. hate crime reporting: fewer reports is worse
    assert xmr(BASELINE + [70], baseline_count=12, higher_is_better=True).verdict == WORSENING


def test_seven_quarters_above_the_mean_is_a_shift():
    trend = xmr(BASELINE + [104, 106, 103, 108, 102, 107, 105], baseline_count=12, higher_is_better=False)
    assert trend.verdict == WORSENING
    assert 2 in trend.signals[18]


def test_six_quarters_above_the_mean_is_not_yet_a_shift():
    trend = xmr(BASELINE + [104, 106, 103, 108, 102, 107], baseline_count=12, higher_is_better=False)
    assert trend.verdict == NO_CHANGE


def test_seven_quarters_each_lower_than_the_last_is_a_trend():
    trend = xmr(BASELINE + [106, 104, 103, 101, 99, 98, 96], baseline_count=12, higher_is_better=False)
    assert 3 in trend.signals[18]
    assert (trend.verdict, trend.direction) == (IMPROVING, "down")


def test_two_of_three_close_to_a_limit():
    # two-thirds of the way to the upper limit is 117.7
    trend = xmr(BASELINE + [119, 100, 120], baseline_count=12, higher_is_better=False)
    assert 4 in trend.signals[14]
    assert trend.verdict == WORSENING


def test_missing_quarters_are_skipped_not_read_as_zero():
    trend = xmr(BASELINE + [None, 100], baseline_count=12, higher_is_better=False)
    assert trend.verdict == NO_CHANGE
    assert 12 not in trend.signals


def test_without_enough_baseline_quarters_the_limits_use_every_quarter():
    trend = xmr([10, 12, 11, 13, 12], baseline_count=2, higher_is_better=True)
    assert not trend.limits_from_baseline and trend.baseline_points == 5


def test_too_few_quarters_is_said_plainly():
    assert xmr([1, 2, None], baseline_count=0, higher_is_better=True).verdict == NOT_ENOUGH


@pytest.mark.parametrize(
    "tail",
    [
        [100],
        [70],
        [104, 106, 103, 108, 102, 107, 105],
        [106, 104, 103, 101, 99, 98, 96],
        [119, 100, 120],
        [110, 92, 118, 90],
        [126, 127, 100, 101, 102, 103, 104, 105],
    ],
)
def test_the_quick_latest_only_check_agrees_with_the_full_one(tail):
    full = xmr(BASELINE + tail, baseline_count=12, higher_is_better=False)
    quick = xmr(BASELINE + tail, baseline_count=12, higher_is_better=False, every_point=False)
    last = len(BASELINE) + len(tail) - 1
    assert (quick.verdict, quick.signals.get(last)) == (full.verdict, full.signals.get(last))


def test_every_flagged_point_of_a_falling_lower_is_better_series_is_an_improvement():
    """The chart colours each flagged quarter by this judgement, never by its side of the mean alone: on
    a falling series where lower is better, points below the limits are improvements, not concerns."""
    values = [100, 102, 98, 101, 99, 100, 103, 97] + [90, 85, 80, 78, 76, 75, 74]
    trend = xmr(values, baseline_count=8, higher_is_better=False)
    assert trend.verdict == IMPROVING
    assert trend.point_verdicts and set(trend.point_verdicts.values()) == {IMPROVING}
    assert (
        xmr(values, baseline_count=8, higher_is_better=True).point_verdicts.keys()
        == trend.point_verdicts.keys()
    )
    assert set(xmr(values, baseline_count=8, higher_is_better=True).point_verdicts.values()) == {WORSENING}
