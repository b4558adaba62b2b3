"""Direction of travel that does not call noise a trend: what the pages say about a quarterly series, read
from the one statistical engine (``measures/spc.py``, NHS England's "Making Data Count" rules as
NHSRplotthedots applies them).

This module only translates: the baseline quarters (up to 2010/11) fix the limits when there are at least
12 of them with figures, a recorded series break starts a new group with limits of its own, and the
variation icon of the latest quarter becomes the verdict (an improvement is "Improving", a concern
"Worsening", anything else "No significant change").
"""

from dataclasses import dataclass
from functools import cached_property

from measures import spc

RULE_TEXT = (
    "Direction of travel is judged on an XmR chart of the quarterly figures, by NHS England's "
    "Making Data Count rules: the centre line is the mean of the baseline quarters (up to and "
    "including 2010/11, when at least 12 of them have figures; otherwise of every quarter), and the "
    "process limits are the mean ± 2.66 × the mean moving range (the average change from one quarter to "
    "the next, leaving out any change of 3.267 times that average or more). After a series break the "
    "quarters since the break get a centre line and limits of their own. A quarter is special-cause "
    "variation if it (1) is beyond a process limit, (2) is one of seven or more quarters in a row on the "
    "same side of the centre line, (3) is one of seven or more quarters in a row each higher (or each "
    "lower) than the one before, or (4) is one of two out of three quarters in a row close to the same "
    "process limit (beyond two-thirds of the way to it). The direction of travel is the latest quarter's: "
    "special-cause variation the way the measure should go is an improvement, the other way a "
    "worsening; anything else is counted as no significant change."
)
MIN_POINTS = 4  # fewer quarters with figures than this (since the latest break): not enough data

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
# The rules by the numbers RULE_TEXT gives them (the measure page's "Rule broken" column).
RULE_NUMBERS = {spc.BEYOND_LIMITS: 1, spc.SHIFT: 2, spc.TREND: 3, spc.TWO_IN_THREE: 4}
POINT_VERDICTS = {spc.IMPROVEMENT: IMPROVING, spc.CONCERN: WORSENING}
# Making Data Count's assurance icons in words: where the target lies against the latest process limits.
ASSURANCE_LABELS = {
    spc.PASS: "met every quarter while the process stays as it is (the target is beyond the limits)",
    spc.FAIL: "missed every quarter while the process stays as it is (the target is beyond the limits)",
    spc.HIT_AND_MISS: "sometimes met and sometimes missed (the target is within the process limits)",
}


# Why the latest quarter is special-cause variation: "The latest quarter is ...", by the rule that decides
# which way it points, and that way.
REASONS = {
    spc.BEYOND_LIMITS: {spc.HIGH: "above the upper process limit", spc.LOW: "below the lower process limit"},
    spc.TREND: {
        spc.HIGH: "one of seven or more in a row each higher than the one before",
        spc.LOW: "one of seven or more in a row each lower than the one before",
    },
    spc.TWO_IN_THREE: {
        spc.HIGH: "one of two out of three in a row close to the upper limit",
        spc.LOW: "one of two out of three in a row close to the lower limit",
    },
    spc.SHIFT: {
        spc.HIGH: "one of seven or more in a row above the centre line",
        spc.LOW: "one of seven or more in a row below the centre line",
    },
}


@dataclass
class Trend:
    verdict: str = NOT_ENOUGH
    reason: str = ""
    result: spc.Result | None = None  # the engine's judgement of every quarter (None in a brief)
    # The latest quarter's Making Data Count icons, and which way its special cause points ("up", "down"):
    # read from ``result`` when there is one, and kept by ``brief()`` when it is dropped.
    variation: str | None = None
    assurance: str | None = None
    direction: str | None = None

    def __post_init__(self):
        if self.result is not None:
            self.variation = self.result.variation
            self.assurance = self.result.assurance
            side = self.result.latest.side if self.verdict in (IMPROVING, WORSENING) else None
            self.direction = {spc.HIGH: "up", spc.LOW: "down"}.get(side)

    def brief(self) -> "Trend":
        """The judgement without the per-quarter points: all that tables, the matrix and the headline show,
        in a few hundred bytes rather than a point per quarter (``measures.figures`` keeps briefs)."""
        return Trend(self.verdict, self.reason, None, self.variation, self.assurance, self.direction)

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def symbol(self) -> str:
        return {IMPROVING: "▲", WORSENING: "▼", NO_CHANGE: "■"}.get(self.verdict, "")

    @property
    def assurance_label(self) -> str:
        return ASSURANCE_LABELS.get(self.assurance, "")

    @property
    def group(self) -> spc.Group | None:
        """The latest group: the quarters since the latest series break (or all of them)."""
        return self.result.groups[-1] if self.result else None

    @property
    def mean(self) -> float | None:
        return self.group.mean if self.group else None

    @property
    def upper(self) -> float | None:
        return self.group.upper if self.group else None

    @property
    def lower(self) -> float | None:
        return self.group.lower if self.group else None

    @property
    def baseline_points(self) -> int:
        """How many quarters with figures the latest limits come from."""
        return self.group.basis if self.group else 0

    @property
    def limits_from_baseline(self) -> bool:
        return bool(self.group and self.group.fixed)

    @property
    def point_types(self) -> list[str | None]:
        return self.result.point_types if self.result else []

    @cached_property
    def signals(self) -> dict[int, set[int]]:
        """Point index -> the numbers of the rules it breaks, for every special-cause point."""
        if not self.result:
            return {}
        return {i: {RULE_NUMBERS[r] for r in rules} for i, rules in enumerate(self.result.rules) if rules}

    @cached_property
    def point_verdicts(self) -> dict[int, str]:
        """Point index -> IMPROVING or WORSENING for every special-cause point: the one judgement that the
        tables, the charts (which only draw it) and the paper all show."""
        if not self.result:
            return {}
        return {i: POINT_VERDICTS[t] for i, t in enumerate(self.result.point_types) if t in POINT_VERDICTS}


def xmr(
    values,
    *,
    higher_is_better: bool,
    baseline_count: int = 0,
    break_index: int | None = None,
    target=None,
) -> Trend:
    """Judge a quarterly series (None for a missing quarter).

    ``baseline_count``: how many leading quarters belong to the baseline period (their limits are fixed
    on them when 12 or more have figures). ``break_index``: where the quarters since a series break start.
    ``target``: a quarterly figure to assure against.
    """
    since = values[break_index:] if break_index else values
    figures = sum(v is not None for v in since)  # not list.count(None): Decimal == None is slow
    if figures < MIN_POINTS:
        where = " since the series break" if break_index else ""
        return Trend(reason=f"Fewer than {MIN_POINTS} quarters with figures{where}.")
    baseline = sum(v is not None for v in values[:baseline_count])
    result = spc.analyse(
        values,
        spc.INCREASE if higher_is_better else spc.DECREASE,
        target,
        rebase=[break_index] if break_index else None,
        fix_after_n_points=baseline_count if baseline >= spc.MIN_FIX and not break_index else None,
    )
    variation = result.variation
    if variation.startswith("improvement"):
        verdict = IMPROVING
    elif variation.startswith("concern"):
        verdict = WORSENING
    else:
        verdict = NO_CHANGE
    if verdict == NO_CHANGE:
        reason = "The latest quarter is within the process limits and not part of a run."
    else:
        latest = result.latest
        reason = f"The latest quarter is {REASONS[latest.rules[0]][latest.side]}."
    if result.groups[-1].short:
        reason += (
            f" The limits come from only {result.groups[-1].figures} quarters with figures: "
            f"a guide until there are {spc.SHORT_GROUP}."
        )
    return Trend(verdict=verdict, reason=reason, result=result)
