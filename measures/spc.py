"""The one statistical engine: an XmR chart judged by NHS England's "Making Data Count" rules, exactly as
the NHS-R community's R package NHSRplotthedots applies them by default (``ptd_spc()``).

Plain Python on plain lists, no Django: every page that judges a series asks ``analyse``.

What NHSRplotthedots does, and so what this does (R file names from nhs-r-community/NHSRplotthedots):

- Limits (``R/ptd_spc_standard.R``), for each group of points (a new group starts at each rebase point):
  the centre line is the mean of the group's figures, or of its first ``fix_after_n_points`` rows when
  the limits are fixed on a baseline; the moving ranges are the absolute differences between
  neighbouring rows; moving ranges of 3.267 × their mean or more are screened out as outliers and the
  mean moving range worked out again; the process limits are mean ± 2.66 × the mean moving range, and
  the "near" limits mean ± 2 × 2.66 / 3 × the mean moving range (two sigma).
- Special cause (``R/ptd_calculate_point_type.R``), within each group: a point beyond a process limit;
  a trend, seven points in a row each higher (or each lower) than the one before; two of three points
  in a row between a near limit and its process limit, all three on the same side of the mean (only the
  points near the limit are flagged); a shift, seven points in a row on the same side of the mean (a
  point on the mean breaks it). A point may break several rules; the first of that list decides which
  way it points: its side of the mean, or for a trend the way the trend runs.
- Point type: ``common_cause``, or ``special_cause_improvement`` / ``special_cause_concern`` by the
  improvement direction, or ``special_cause_neither`` (NHSRplotthedots' "neutral") when neither
  direction is better, with ``side`` saying "high" or "low".
- Variation icon (``R/geom_ptd_icon.R``, ``ptd_get_icons``): the latest point's type; an improvement is
  ``improvement_high`` when an increase is better and ``improvement_low`` when a decrease is, a concern
  ``concern_low`` / ``concern_high`` the same way round, and ``neither_high`` / ``neither_low`` by side.
- Assurance (``R/ptd_calculate_assurance_type.R``), only with a target and an improvement direction:
  a target beyond the latest group's upper limit is failed every time when an increase is better
  (``fail``) and met every time when a decrease is (``pass``); beyond the lower limit the other way
  round; between the limits (or on one) it is ``hit_and_miss``.
- A group of fewer than 12 points gets a warning (``R/ptd_add_short_group_warnings.R``), and
  ``fix_after_n_points`` must be at least 12 (``R/ptd_spc_options.R``).

Where NHSRplotthedots says nothing (it expects no gaps), a missing value (None) keeps its place as a
point with no type: it is left out of the mean; no moving range is taken across it (as R's ``diff``
gives none); the run rules read the figures present in order, so a gap neither breaks nor extends a
run; it counts as a row for ``fix_after_n_points`` (R's ``row_number``) but not towards the 12 points
of the short-group warning. The variation icon is the latest figure's. A group whose every moving range
is zero has its limits on the mean (R gives NaN); a group with a single figure has no limits, and one
whose baseline rows hold no figures no centre line either (its points are common cause).
"""

from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from math import fsum

LIMIT = 2.66  # process limits: mean ± 2.66 × mean moving range (three sigma)
NEAR_LIMIT = 2 * (LIMIT / 3)  # near limits: two sigma
MR_OUTLIER = 3.267  # a moving range this many mean moving ranges or more is screened out
RUN = 7  # points in a shift or a trend
SHORT_GROUP = 12  # fewer points than this in a group: warned
MIN_FIX = 12  # fix_after_n_points must be at least this

INCREASE, DECREASE, NEITHER = "increase", "decrease", "neither"
DIRECTIONS = {INCREASE: 1, DECREASE: -1, NEITHER: 0}

COMMON_CAUSE = "common_cause"
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
SPECIAL_NEITHER = "special_cause_neither"

# The rules, in the order that decides which way a point breaking several of them points.
BEYOND_LIMITS = "beyond_limits"
TREND = "trend"
TWO_IN_THREE = "two_in_three"
SHIFT = "shift"
RULES = (BEYOND_LIMITS, TREND, TWO_IN_THREE, SHIFT)
# The rules broken, by a code with one bit per rule in that order (1 beyond limits, 2 trend, ...).
_BROKEN = [tuple(rule for bit, rule in enumerate(RULES) if code >> bit & 1) for code in range(16)]

PASS, FAIL, HIT_AND_MISS = "pass", "fail", "hit_and_miss"

HIGH, LOW = "high", "low"


@dataclass(slots=True)
class Point:
    index: int
    value: float | None
    group: int  # which group (0 first; one more at each rebase point)
    mean: float | None
    upper: float | None
    lower: float | None
    rules: tuple[str, ...] = ()  # every rule the point breaks, the deciding one first
    side: str | None = None  # "high" or "low": which way a special cause points
    point_type: str | None = None  # None for a missing value

    @property
    def special_cause(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True, slots=True)
class Group:
    start: int  # index of its first point
    end: int  # index after its last point
    mean: float | None
    upper: float | None
    lower: float | None
    near_upper: float | None
    near_lower: float | None
    mean_moving_range: float | None
    fixed: bool  # limits fixed on its first fix_after_n_points rows
    basis: int  # how many figures the mean came from
    figures: int  # how many figures it holds

    @property
    def short(self) -> bool:
        return self.figures < SHORT_GROUP


@dataclass
class Result:
    """What ``analyse`` found. The variation icon is worked out at once from the latest point alone; every
    point is judged (as columns, one entry per value) and turned into ``points`` only when asked: the
    dashboards judge thousands of series and most of them read only the icon."""

    values: list[float | None]
    groups: list[Group]
    group_of: list[int]
    improvement: str
    target: float | None
    variation: str | None
    assurance: str | None
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def _columns(self) -> tuple[list, list, list]:
        n = len(self.values)
        types, rules, sides = [None] * n, [()] * n, [None] * n
        direction = DIRECTIONS[self.improvement]
        for group in self.groups:
            _judge(self.values, group, group.start, direction, types, rules, sides)
        return types, rules, sides

    @property
    def point_types(self) -> list[str | None]:
        return self._columns[0]

    @property
    def rules(self) -> list[tuple[str, ...]]:
        return self._columns[1]

    @property
    def sides(self) -> list[str | None]:
        return self._columns[2]

    def point(self, index: int) -> Point:
        group = self.groups[self.group_of[index]]
        types, rules, sides = self._columns
        return Point(
            index=index,
            value=self.values[index],
            group=self.group_of[index],
            mean=group.mean,
            upper=group.upper,
            lower=group.lower,
            rules=rules[index],
            side=sides[index],
            point_type=types[index],
        )

    @cached_property
    def points(self) -> list[Point]:
        return [self.point(i) for i in range(len(self.values))]

    @property
    def latest(self) -> Point | None:
        """The latest point with a figure: the one the variation icon is about."""
        index = _latest(self.values)
        return None if index is None else self.point(index)


def analyse(
    values,
    improvement: str = INCREASE,
    target=None,
    *,
    rebase=None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
) -> Result:
    """Judge a series by the Making Data Count rules.

    ``values``: numbers (int, float, Decimal) or None for missing, oldest first. ``improvement``:
    "increase", "decrease" or "neither". ``target``: a number or None. ``rebase``: indices where a new
    group (with limits of its own) starts. ``fix_after_n_points``: limits from each group's first n rows.
    """
    if improvement not in DIRECTIONS:
        raise ValueError(f"improvement must be one of {', '.join(DIRECTIONS)}, not {improvement!r}")
    if fix_after_n_points is not None and fix_after_n_points < MIN_FIX:
        raise ValueError(f"fix_after_n_points must be at least {MIN_FIX}")
    ys = [None if v is None else float(v) for v in values]
    n = len(ys)
    starts = {0} if n else set()
    for index in rebase or ():
        if not 0 <= index < n:
            raise ValueError(f"rebase point {index} is outside the {n} values")
        starts.add(index)
    bounds = sorted(starts)
    groups: list[Group] = []
    group_of: list[int] = []
    warnings: list[str] = []
    for number, (start, end) in enumerate(zip(bounds, bounds[1:] + [n], strict=False)):
        group = _limits(ys, start, end, fix_after_n_points, screen_outliers)
        groups.append(group)
        group_of.extend([number] * (end - start))
        if group.short:
            warnings.append(
                f"Points {start + 1} to {end} hold {group.figures} figures, fewer than {SHORT_GROUP}: "
                "their limits are only a guide."
            )
    target = None if target is None else float(target)
    latest = _latest(ys)
    icon = None
    if latest is not None:
        # Whether the latest point breaks a rule, and which way it points, depends only on the last
        # seven figures of its group (a run of seven, a trend of seven, two of the last three): judge
        # those alone. Every point is judged the same way when asked (Result.points).
        group = groups[group_of[latest]]
        tail, seen = latest, 1
        while seen < RUN and tail > group.start:
            tail -= 1
            seen += ys[tail] is not None
        types, sides = [None] * n, [None] * n
        _judge(ys, group, tail, DIRECTIONS[improvement], types, [()] * n, sides)
        icon = variation(types[latest], sides[latest], improvement)
    return Result(
        values=ys,
        groups=groups,
        group_of=group_of,
        improvement=improvement,
        target=target,
        variation=icon,
        assurance=assurance(groups[-1] if groups else None, target, improvement),
        warnings=warnings,
    )


def _latest(values) -> int | None:
    return next((i for i in range(len(values) - 1, -1, -1) if values[i] is not None), None)


def _mean(xs: list[float]) -> float:
    return fsum(xs) / len(xs)


def _limits(ys, start: int, end: int, fix: int | None, screen: bool) -> Group:
    stop = end if fix is None else min(end, start + fix)
    base = ys[start:stop]
    figures = [y for y in base if y is not None]
    rest = ys[stop:end]
    held = len(figures) + len(rest) - rest.count(None)
    fixed = stop < end
    if not figures:
        return Group(start, end, None, None, None, None, None, None, fixed, 0, held)
    mean = _mean(figures)
    ranges = [abs(b - a) for a, b in zip(base, base[1:], strict=False) if a is not None and b is not None]
    if not ranges:
        return Group(start, end, mean, None, None, None, None, None, fixed, len(figures), held)
    mr = _mean(ranges)
    if screen:
        kept = [r for r in ranges if r < MR_OUTLIER * mr]
        mr = _mean(kept) if kept else 0.0  # nothing kept only when every moving range is 0
    return Group(
        start,
        end,
        mean,
        mean + LIMIT * mr,
        mean - LIMIT * mr,
        mean + NEAR_LIMIT * mr,
        mean - NEAR_LIMIT * mr,
        mr,
        fixed,
        len(figures),
        held,
    )


def _runs(signs: list[int], length: int) -> list[tuple[int, int]]:
    """(start, stop) of every run of at least ``length`` equal, non-zero signs."""
    runs = []
    start, previous = 0, signs[0] if signs else 0
    for i, sign in enumerate(signs):
        if sign != previous:
            if previous and i - start >= length:
                runs.append((start, i))
            start, previous = i, sign
    if previous and len(signs) - start >= length:
        runs.append((start, len(signs)))
    return runs


def shift(sides: list[int]) -> list[bool]:
    """Points in a run of seven or more on one side of the mean (``sides``: 1 above, -1 below, 0 on it).
    R: ``ptd_part_of_seven_trend(ptd_seven_point_one_side_mean(relative_to_mean))``."""
    flags = [False] * len(sides)
    for start, stop in _runs(sides, RUN):
        flags[start:stop] = [True] * (stop - start)
    return flags


def trend(ys: list[float]) -> list[bool]:
    """Points in a run of seven or more each higher (or each lower) than the one before; a tie breaks it.
    R: ``ptd_part_of_seven_trend(ptd_seven_point_trend(y))``."""
    flags = [False] * len(ys)
    # A run of six or more steps the same way, from point ``start`` to point ``stop``.
    for start, stop in _runs([(b > a) - (b < a) for a, b in zip(ys, ys[1:], strict=False)], RUN - 1):
        flags[start : stop + 1] = [True] * (stop + 1 - start)
    return flags


def two_in_three(close: list[bool], sides: list[int]) -> list[bool]:
    """The points near a limit in any three in a row that lie on one side of the mean with two or more
    near a limit. R: ``ptd_part_of_two_in_three(ptd_two_in_three(close_to_limits, relative_to_mean))``."""
    flags = [False] * len(close)
    if sum(close) < 2:  # the usual case
        return flags
    for s in range(len(close) - 2):
        if close[s] + close[s + 1] + close[s + 2] >= 2 and abs(sides[s] + sides[s + 1] + sides[s + 2]) == 3:
            for k in range(s, s + 3):
                flags[k] = flags[k] or close[k]
    return flags


def _judge(ys, group: Group, start: int, direction: int, types, rules, sides) -> None:
    """Each point of one group from ``start`` on: the rules it breaks, which way it points and its type."""
    end = group.end
    y = ys[start:end]
    if None in y:
        present = [i for i in range(start, end) if ys[i] is not None]
        y = [ys[i] for i in present]
        for i in present:
            types[i] = COMMON_CAUSE
    else:  # the usual case: no gaps
        present = range(start, end)
        types[start:end] = [COMMON_CAUSE] * (end - start)
    mean, upper, lower = group.mean, group.upper, group.lower
    if mean is None:  # limits fixed on rows without figures: nothing to judge against
        return
    side = [(v > mean) - (v < mean) for v in y]
    if upper is None:
        beyond = close = [False] * len(y)
    else:
        near_upper, near_lower = group.near_upper, group.near_lower
        beyond = [v > upper or v < lower for v in y]
        close = [(near_upper < v <= upper) or (lower <= v < near_lower) for v in y]
    in_trend = trend(y)
    flags = (beyond, in_trend, two_in_three(close, side), shift(side))
    special = sorted({k for rule_flags in flags for k in compress(range(len(y)), rule_flags)})
    for k in special:
        broken = _BROKEN[beyond[k] | in_trend[k] << 1 | flags[2][k] << 2 | flags[3][k] << 3]
        if broken[0] == TREND:
            # The way the trend runs: the step to the next point when that is in a trend too, else the
            # step from the point before (R: "if a point is part of a trend either side, use right side").
            a, b = (k, k + 1) if k + 1 < len(y) and in_trend[k + 1] else (k - 1, k)
            way = HIGH if y[b] > y[a] else LOW
        else:
            way = HIGH if side[k] == 1 else LOW
        i = present[k]
        rules[i] = broken
        sides[i] = way
        types[i] = point_type(way, direction)


def point_type(side: str | None, direction: int) -> str:
    """A point's type from the way its special cause points (None: common cause)."""
    if side is None:
        return COMMON_CAUSE
    if direction == 0:
        return SPECIAL_NEITHER
    return IMPROVEMENT if (1 if side == HIGH else -1) * direction > 0 else CONCERN


def variation(point_type: str | None, side: str | None, improvement: str) -> str | None:
    """The variation icon for the latest point, from its type and side."""
    if point_type is None:
        return None
    if point_type == COMMON_CAUSE:
        return COMMON_CAUSE
    if point_type == SPECIAL_NEITHER:
        return f"neither_{side}"
    increase = improvement == INCREASE
    if point_type == IMPROVEMENT:
        return "improvement_high" if increase else "improvement_low"
    return "concern_low" if increase else "concern_high"


def assurance(group: Group | None, target: float | None, improvement: str) -> str | None:
    """Will the process meet the target? Judged on the latest group's limits."""
    if target is None or improvement == NEITHER or group is None or group.upper is None:
        return None
    increase = improvement == INCREASE
    if target > group.upper:
        return FAIL if increase else PASS
    if target < group.lower:
        return PASS if increase else FAIL
    return HIT_AND_MISS
