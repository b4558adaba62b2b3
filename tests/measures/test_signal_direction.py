"""Which way a flagged point points (measures/trend.py, ``signal_direction``), on hand-built cases: its side
of the centre line, except for a run of rising or falling quarters alone, judged by its last step."""

import pytest

from measures.trend import signal_direction

POINTS = [(0, 10.0), (1, 12.0), (2, 14.0), (3, 16.0)]


@pytest.mark.parametrize(
    "index,value,mean,rules,expected",
    [
        (3, 16.0, 20.0, [3], "up"),  # a rising run below the mean still points up
        (3, 9.0, 5.0, [3], "down"),  # a fall after the run, above the mean, points down
        (3, 16.0, 20.0, [1], "down"),  # beyond a limit: its side of the mean
        (3, 16.0, 10.0, [1], "up"),
        (3, 16.0, 20.0, [3, 2], "down"),  # a run with another rule: the side of the mean wins
        (3, 16.0, 20.0, [3, 4], "down"),
        (3, 16.0, 20.0, [3, 1], "down"),
        (3, 16.0, 16.0, [1], "down"),  # on the mean exactly: not above it
        (3, 14.0, 20.0, [3], "down"),  # equal to the quarter before: not a rise
        (0, 10.0, 20.0, [3], "down"),  # no quarter before: nothing to rise from
        (3, 16.0, 20.0, [2], "down"),
        (3, 25.0, 20.0, [4], "up"),
    ],
)
def test_signal_direction(index, value, mean, rules, expected):
    assert signal_direction(POINTS, index, value, mean, rules) == expected


def test_signal_direction_compares_with_the_quarter_just_before():
    points = [(0, 30.0), (1, 5.0), (2, 6.0)]
    assert signal_direction(points, 2, 6.0, 50.0, [3]) == "up"  # 6 > 5, although below 30
    assert signal_direction(points, 1, 5.0, 50.0, [3]) == "down"  # 5 < 30
