"""Adding a file's lines up into measures.

How measures are made from lines:
- a measure is the sum of the lines mapped to it that the file reports;
- when the file reports some of those lines for an area and period but one of them is missing or
  suppressed there, the measure is *not* stored for that area and period (it would be a partial sum):
  it is listed under "skipped" with the line that is missing;
- lines mapped to the measure that the file does not report at all are listed in the preview
  ("adds up 5 of its 7 lines"), because a measure's mapping holds the names several publishers use
  for one line ("Vehicle offences" in ONS tables, "Vehicle crime" in data.police.uk files);
- data.police.uk files count crimes: an area and month with no crime of a type counts zero.

Figures are held in ``PassResult.sums``, keyed by (measure, area, period index), so memory grows with
the number of figures a file holds, not with its rows.
"""

from collections import Counter, defaultdict

from measures.importing.mapping import LABEL_DIRECT, LABEL_IGNORED, LABEL_MEASURES, LABEL_UNUSED, Mapper
from measures.importing.period_labels import period_label
from measures.importing.validate import IGNORED, PARTIAL, UNUSED, PassResult


class Totals:
    """The lines of a long or wide file, added up per measure, area and period as they are read."""

    def __init__(self, result: PassResult):
        self.result = result
        self.label_bits = {}
        self.masks = {}  # (m, a, p) -> bit mask of the lines present with a value
        self.measure_bits = defaultdict(int)  # measure -> bit mask of its lines the file reports
        self.direct = {}  # (m, a, p) -> value given for the measure itself (our template)

    def bit(self, label_key) -> int:
        bit = self.label_bits.get(label_key)
        if bit is None:
            bit = self.label_bits[label_key] = 1 << len(self.label_bits)
        return bit

    def add(self, measures, area, period, value, bit):
        """Add one line's value (or note its absence, value None) into each of its measures."""
        sums, masks, measure_bits = self.result.sums, self.masks, self.measure_bits
        for m in measures:
            key = (m, area, period)
            measure_bits[m] |= bit
            if value is None:
                masks.setdefault(key, 0)
                continue
            old = masks.get(key)
            masks[key] = bit if old is None else old | bit  # the bit itself: no new int per figure
            old = sums.get(key)
            sums[key] = value if old is None else old + value

    def finish(self, mapper: Mapper):
        """Drop partial sums, let a measure's own figure win, and say which mapped lines the file lacks."""
        result = self.result
        sums = result.sums
        lines = {bit: label for label, bit in self.label_bits.items()}
        for key, mask in self.masks.items():
            m, area, period = key
            wanted = self.measure_bits[m]
            if mask == wanted:
                continue
            sums.pop(key, None)
            if mask == 0:
                continue  # every line suppressed: counted under suppressed values already
            missing = [lines[bit] for bit in lines if wanted & bit and not mask & bit]
            result.note_cells(
                PARTIAL,
                f"{mapper.measures[m].name}, {mapper.area_names[area]}, "
                f"{period_label(result.periods[period])}: no {', '.join(missing)}",
            )
        for key, value in self.direct.items():
            if value is None:
                sums.pop(key, None)
            else:
                sums[key] = value  # a measure's own figure wins over its lines in the same file
        for m, bits in self.measure_bits.items():
            measure = mapper.measures[m]
            mapped = {label for label, ms in mapper.lines.items() if m in ms}
            if len(mapped) > 1:
                seen = sum(1 for bit in lines if bits & bit)
                if seen < len(mapped):
                    result.notices.append(
                        f"{measure.name} adds up {len(mapped)} mapped lines; this file reports {seen} "
                        "of them, and those are added up."
                    )


def count_street_crimes(result: PassResult, mapper: Mapper, counts: Counter, area_months: set) -> Counter:
    """Turn crimes counted per (crime type, area, month) into figures, with zero where none was reported.

    Returns the crime types no mapping knows (type -> crimes); while there are any, no figure is made.
    """
    by_measure = defaultdict(Counter)
    unknown = Counter()
    for (label, area, period), n in counts.items():
        kind, measures = mapper.label(label)
        if kind == LABEL_IGNORED:
            result.skip(IGNORED, label, n)
            continue
        if kind == LABEL_UNUSED:
            result.skip(UNUSED, label, n)
            result.unused_labels[str(label)] += n
            continue
        if kind not in (LABEL_MEASURES, LABEL_DIRECT):
            unknown[label] += n
            continue
        result.values_read += n
        result.rows_used += n
        for m in measures:
            by_measure[m][area, period] += n
    if not unknown:
        result.sums = {
            (m, area, period): area_counts.get((area, period), 0)
            for m, area_counts in by_measure.items()
            for area, period in area_months
        }
    return unknown
