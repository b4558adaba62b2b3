"""Direction of travel that does not call noise a trend: an XmR (process-behaviour) chart.

The centre line is the mean of the baseline quarters and the natural process limits are
mean ± 2.66 × the mean moving range (the average absolute difference between consecutive
quarters). Figures after the baseline are then checked against the usual run rules; a change is
only reported when the latest quarter is part of a signal:

1. a quarter beyond a process limit;
2. a shift: seven or more quarters in a row on the same side of the centre line;
3. a trend: seven or more quarters in a row, each higher (or each lower) than the one before;
4. two out of three quarters in a row beyond two-thirds of the way to the same limit.

Whether a signal is an improvement or a worsening follows the measure's desired direction.
"""

from dataclasses import dataclass, field
from decimal import Decimal

RULE_TEXT = (
    "Direction of travel is judged on an XmR chart of the quarterly figures: the centre line is the mean "
    "of the baseline quarters (up to and including 2010/11, or all quarters when there are fewer than "
    "eight), and the process limits are the mean ± 2.66 × the mean moving range. The latest quarter shows "
    "a real change only if it is beyond a limit, or part of seven quarters in a row on one side of the "
    "mean, or of seven quarters in a row each rising (or each falling), or two of three quarters beyond "
    "two-thirds of the way to a limit. Anything else is counted as no significant change."
)
RUN_LENGTH = 7
MIN_BASELINE_POINTS = 8
MIN_POINTS = 4

IMPROVING = "improving"
WORSENING = "worsening"
NO_CHANGE = "no_change"
NOT_ENOUGH = "not_enough_data"
VERDICT_LABELS = {
    IMPROVING: "Improving",
    WORSENING: "Worsening",
    NO_CHANGE: "No significant change",
    NOT_ENOUGH: "Not enough data",
}
RULE_NAMES = {
    1: "beyond a process limit",
    2: f"{RUN_LENGTH} or more quarters on one side of the mean",
    3: f"{RUN_LENGTH} or more quarters in a row moving the same way",
    4: "two of three quarters close to a limit",
}


@dataclass
class Trend:
    mean: float | None = None
    upper: float | None = None
    lower: float | None = None
    baseline_points: int = 0
    limits_from_baseline: bool = False
    signals: dict[int, set[int]] = field(default_factory=dict)  # point index -> rules it breaks
    # point index -> IMPROVING or WORSENING for every point that breaks a rule: the one judgement that the
    # tables, the charts (which only draw it) and the paper all show.
    point_verdicts: dict[int, str] = field(default_factory=dict)
    direction: str | None = None  # "up" or "down": which way the latest signal points
    verdict: str = NOT_ENOUGH
    reason: str = ""

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def symbol(self) -> str:
        return {IMPROVING: "▲", WORSENING: "▼", NO_CHANGE: "■"}.get(self.verdict, "")


def xmr(
    values: list[Decimal | float | None],
    *,
    baseline_count: int,
    higher_is_better: bool,
    every_point: bool = True,
) -> Trend:
    """Judge a quarterly series. ``values`` may hold None for missing quarters, which are skipped.

    ``baseline_count`` is how many of the leading values belong to the baseline period. With
    ``every_point=False`` only the latest quarter's signals are worked out (the verdict needs no
    more; charts want every point).
    """
    points = [(i, v if isinstance(v, float) else float(v)) for i, v in enumerate(values) if v is not None]
    if len(points) < MIN_POINTS:
        return Trend(reason=f"Fewer than {MIN_POINTS} quarters with figures.")
    baseline = [(i, v) for i, v in points if i < baseline_count]
    from_baseline = len(baseline) >= MIN_BASELINE_POINTS
    basis = baseline if from_baseline else points
    xs = [v for _, v in basis]
    mean = sum(xs) / len(xs)
    moving_ranges = [abs(b - a) for a, b in zip(xs, xs[1:], strict=False)]
    mr_bar = sum(moving_ranges) / len(moving_ranges) if moving_ranges else 0.0
    upper, lower = mean + 2.66 * mr_bar, mean - 2.66 * mr_bar
    trend = Trend(
        mean=mean, upper=upper, lower=lower, baseline_points=len(basis), limits_from_baseline=from_baseline
    )
    checked = [(i, v) for i, v in points if i >= baseline_count] if from_baseline else points
    if every_point:
        trend.signals = find_signals(checked, mean, upper, lower)
    elif checked:
        rules = latest_signals(checked, mean, upper, lower)
        trend.signals = {checked[-1][0]: rules} if rules else {}
    values_at = dict(points)
    trend.point_verdicts = {
        index: judge(signal_direction(points, index, values_at[index], mean, rules), higher_is_better)
        for index, rules in trend.signals.items()
    }
    latest_index, latest_value = points[-1]
    latest_rules = trend.signals.get(latest_index, set())
    if not latest_rules:
        trend.verdict = NO_CHANGE
        trend.reason = "The latest quarter is within the process limits and not part of a run."
        return trend
    trend.direction = signal_direction(points, latest_index, latest_value, mean, latest_rules)
    trend.verdict = trend.point_verdicts[latest_index]
    names = ", ".join(RULE_NAMES[r] for r in sorted(latest_rules))
    trend.reason = (
        f"The latest quarter is {'above' if trend.direction == 'up' else 'below'} the usual range: {names}."
    )
    return trend


def signal_direction(points: list[tuple[int, float]], index: int, value: float, mean: float, rules) -> str:
    """Which way a point that breaks a rule points: its side of the centre line, or for a run of rising
    (falling) quarters alone, its step from the quarter before."""
    if 3 in rules and not ({1, 2, 4} & set(rules)):
        previous = [v for i, v in points if i < index]
        return "up" if previous and value > previous[-1] else "down"
    return "up" if value > mean else "down"


def judge(direction: str, higher_is_better: bool) -> str:
    """A movement up or down is an improvement when it goes the way the measure wants."""
    return IMPROVING if (direction == "up") == higher_is_better else WORSENING


def find_signals(
    points: list[tuple[int, float]], mean: float, upper: float, lower: float
) -> dict[int, set[int]]:
    signals: dict[int, set[int]] = {}

    def flag(indexes, rule):
        for index in indexes:
            signals.setdefault(index, set()).add(rule)

    # Rule 1: beyond a limit.
    flag([i for i, v in points if v > upper or v < lower], 1)
    # Rule 2: a shift, seven or more on one side of the mean (a point on the mean breaks the run).
    for side in (1, -1):
        run = []
        for i, v in points:
            if (v - mean) * side > 0:
                run.append(i)
            else:
                if len(run) >= RUN_LENGTH:
                    flag(run, 2)
                run = []
        if len(run) >= RUN_LENGTH:
            flag(run, 2)
    # Rule 3: a trend, seven or more each higher (or lower) than the one before (ties break it).
    for sign in (1, -1):
        run = [points[0][0]] if points else []
        for (_, a), (j, b) in zip(points, points[1:], strict=False):
            if (b - a) * sign > 0:
                run.append(j)
            else:
                if len(run) >= RUN_LENGTH:
                    flag(run, 3)
                run = [j]
        if len(run) >= RUN_LENGTH:
            flag(run, 3)
    # Rule 4: two of three consecutive points beyond two-thirds of the way to the same limit.
    high, low = mean + (upper - mean) * 2 / 3, mean - (mean - lower) * 2 / 3
    for k in range(len(points) - 2):
        window = points[k : k + 3]
        for beyond in (lambda v: v > high, lambda v: v < low):
            hits = [i for i, v in window if beyond(v)]
            if len(hits) >= 2:
                flag(hits, 4)
    return signals


def latest_signals(points: list[tuple[int, float]], mean: float, upper: float, lower: float) -> set[int]:
    """The rules the last point breaks: the same answer as find_signals gives for it, in one pass."""
    values = [v for _, v in points]
    last = values[-1]
    rules = set()
    if last > upper or last < lower:
        rules.add(1)
    side = (last > mean) - (last < mean)
    if side:
        run = 0
        for v in reversed(values):
            if (v - mean) * side <= 0:
                break
            run += 1
        if run >= RUN_LENGTH:
            rules.add(2)
    for sign in (1, -1):
        run = 1
        for a, b in zip(reversed(values[:-1]), reversed(values[1:]), strict=True):
            if (b - a) * sign <= 0:
                break
            run += 1
        if run >= RUN_LENGTH:
            rules.add(3)
    if len(values) >= 3:
        high, low = mean + (upper - mean) * 2 / 3, mean - (mean - lower) * 2 / 3
        window = values[-3:]
        for beyond in (lambda v: v > high, lambda v: v < low):
            if beyond(last) and sum(1 for v in window if beyond(v)) >= 2:
                rules.add(4)
    return rules
