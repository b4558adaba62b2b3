"""Which way a special-cause point points (measures/spc.py), on hand-built cases: its side of the centre
line, except when a trend decides, then the way the trend runs. NHSRplotthedots (ptd_special_cause_type)
reads a trend point's way from its step to the next point when that point is in a trend too, and otherwise
from its step from the point before."""

from measures.spc import analyse

# Twelve quarters alternating 50 and 70: mean 60, moving ranges 20, limits 6.8 to 113.2, near limits
# 24.53 and 95.47. The limits are fixed on them, so nothing that follows moves them.
NOISE = [50, 70] * 6


def judge(tail, improvement="increase"):
    return analyse(NOISE + tail, improvement, fix_after_n_points=12).points[12:]


def test_a_rise_then_a_fall_sharing_the_peak():
    # 70 -> 55 falls; 55 to 67 rises seven quarters; 67 to 54 falls seven.
    points = judge([55, 57, 59, 61, 63, 65, 67, 64, 62, 60, 58, 56, 54])
    assert [p.rules for p in points] == [("trend",)] * 13
    # The peak belongs to both runs: the step after it (down) decides.
    assert [p.side for p in points] == ["high"] * 6 + ["low"] * 7
    assert [p.point_type for p in points] == ["special_cause_improvement"] * 6 + ["special_cause_concern"] * 7


def test_the_last_point_of_a_trend_reads_its_step_from_the_point_before():
    points = judge([55, 57, 59, 61, 63, 65, 67, 60])
    assert [p.side for p in points] == ["high"] * 7 + [None]


def test_the_first_point_of_a_trend_reads_its_step_to_the_next():
    points = judge([68, 66, 64, 62, 60, 58, 56])  # 70 -> 68 is a fall as well: eight points in the run
    assert analyse(NOISE + [68, 66, 64, 62, 60, 58, 56], fix_after_n_points=12).points[11].side == "low"
    assert [p.side for p in points] == ["low"] * 7


def test_a_falling_trend_above_the_mean_points_down():
    points = judge([50, 75, 74, 72, 71, 69, 66, 62], "decrease")  # 50 -> 75, then seven falling
    assert [p.side for p in points] == [None] + ["low"] * 7
    assert points[-1].point_type == "special_cause_improvement"


def test_beyond_a_limit_goes_by_its_side_of_the_mean_even_inside_a_trend():
    # 70 -> 120 rises; then seven falling from above the upper limit, all above the mean
    points = judge([120, 110, 100, 90, 80, 75, 72])
    assert points[0].rules == ("beyond_limits", "trend", "shift") and points[0].side == "high"
    assert [p.side for p in points[1:]] == ["low"] * 6
    points = judge([0, 20, 30, 40, 50, 55, 58])  # seven rising from below the lower limit
    assert points[0].rules == ("beyond_limits", "trend", "shift") and points[0].side == "low"
    assert [p.side for p in points[1:]] == ["high"] * 6


def test_a_shift_and_two_in_three_go_by_the_side_of_the_mean():
    points = judge([61, 62, 61, 63, 61, 62, 61])
    assert {p.rules for p in points} == {("shift",)} and {p.side for p in points} == {"high"}
    points = judge([59, 97, 61, 98])  # 97 and 98 near the upper limit, all three above the mean
    assert [p.rules for p in points] == [(), ("two_in_three",), (), ("two_in_three",)]
    assert [p.side for p in points] == [None, "high", None, "high"]


def test_a_point_on_the_mean_is_not_above_it():
    points = judge([60, 61, 62, 63, 64, 65, 66])  # 70 -> 60 falls; 60 on the mean starts a rise
    assert points[0].rules == ("trend",) and points[0].side == "high"
