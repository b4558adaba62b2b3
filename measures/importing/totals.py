"""Adding a file's lines up into measures, in SQL over its staged rows (``staging``).

How measures are made from lines:
- a measure is the sum of the lines mapped to it that the file reports;
- when the file reports some of those lines for an area and period but one of them is missing or
  suppressed there, the measure is *not* stored for that area and period (it would be a partial sum):
  it is listed under "skipped" with the line that is missing;
- lines mapped to the measure that the file does not report at all are listed in the preview
  ("adds up 5 of its 7 lines"), because a measure's mapping holds the names several publishers use
  for one line ("Vehicle offences" in ONS tables, "Vehicle crime" in data.police.uk files);
- a row of our template that names the measure itself gives the measure's figure, over its lines';
- data.police.uk files count crimes: an area and month with no crime of a type counts zero.

The figures go into the staging table ``figures`` (measure, area, period, value), one GROUP BY over
the staged rows: memory does not grow with the file. ``Lines`` is what the pass learnt about the lines
it staged (a few per file), in Python.
"""

from dataclasses import dataclass, field

from measures.importing.classification import ONS_SOURCE, classification
from measures.importing.mapping import Mapper
from measures.importing.period_labels import period_label
from measures.importing.staging import SCALE, Staging, unscaled
from measures.importing.validate import PARTIAL, PassResult
from measures.models import normalise_label

PARTIAL_SHOWN = 50  # partial sums named in the preview (all are counted)
DUPLICATES_SHOWN = 200


@dataclass
class Line:
    dupkey: int
    bit: int
    label: str
    measures: tuple
    direct: bool
    source: str = ""  # the heading or description as the file wrote it, when the line stands for it


def _folded(dupkey):
    """A line's key with its wording folded (case, "&", note markers), so that two spellings of one
    heading are the same line given twice, never two lines added up."""
    if isinstance(dupkey, tuple):
        return tuple(normalise_label(part) if isinstance(part, str) else part for part in dupkey)
    return normalise_label(dupkey) if isinstance(dupkey, str) else dupkey


@dataclass
class Lines:
    """The lines a pass staged rows for: each gets a number when its first row is staged."""

    lines: list = field(default_factory=list)  # line number -> Line
    numbers: dict = field(default_factory=dict)  # (dupkey text, measures, direct) -> line number
    dupkeys: dict = field(default_factory=dict)  # dupkey text -> number
    bits: dict = field(default_factory=dict)  # label -> bit number (a measure's lines, for partial sums)

    def number(self, dupkey, label, measures: tuple, direct=False, source="") -> int:
        """``source``: the file's own heading or description when the line is counted under another
        (a description under its subgroup, "Domestic burglary" under Burglary)."""
        key = (dupkey, measures, direct)
        found = self.numbers.get(key)
        if found is None:
            found = self.numbers[key] = len(self.lines)
            self.lines.append(
                Line(
                    # "Criminal damage & arson" and "Criminal damage and arson" are one line given twice
                    self.dupkeys.setdefault(_folded(dupkey), len(self.dupkeys)),
                    self.bits.setdefault(label, len(self.bits)),
                    str(label),
                    measures,
                    direct,
                    str(source or ""),
                )
            )
        return found

    def wanted(self) -> dict:
        """measure -> the bits (lines) of it the file reports: a figure needs all of them."""
        wanted = {}
        for line in self.lines:
            if not line.direct:
                for m in line.measures:
                    wanted.setdefault(m, set()).add(line.bit)
        return wanted

    def simple(self) -> bool:
        """Each line goes into one measure of its own, no row names a measure itself, and no label is
        read two ways: then a figure is one row, and a figure made of two rows is a row given twice."""
        measures = [li.measures for li in self.lines]
        return (
            all(len(m) == 1 for m in measures)
            and len({m for (m,) in measures}) == len(measures)
            and not any(li.direct for li in self.lines)
            and len(self.dupkeys) == len(self.lines)
        )

    def one_measure_each(self) -> bool:
        """Every line goes into at most one measure, so a row makes at most one figure."""
        return all(len(line.measures) <= 1 for line in self.lines)

    def store(self, staging: Staging):
        wanted = self.wanted()
        staging.insert("lines", [(n, li.dupkey, li.bit, li.label[:500]) for n, li in enumerate(self.lines)])
        staging.insert(
            "line_measures",
            [
                (n, m, 1 if li.direct else 0, 0 if li.direct else len(wanted[m]))
                for n, li in enumerate(self.lines)
                for m in li.measures
            ],
        )


def store_periods(staging: Staging, result: PassResult, mapper: Mapper):
    """The file's periods, with the id of those the database holds already."""
    rows = []
    for index, key in enumerate(result.periods):
        kind, start, end = key
        pk = mapper.periods.get(key)
        rows.append(
            (index, kind, start.isoformat(), end.isoformat(), pk, pk if pk is not None else -index - 1)
        )
    staging.insert("periods", rows)


def find_duplicates(staging: Staging, result: PassResult, mapper: Mapper, layout: str, cell) -> int:
    """Rows that give a figure the file gives already: an error each, with its row and cell.

    Long files: the same line (and qualifier) for the same area and period; wide files: the same area
    and period on two rows. ``cell(row, role)`` gives the cell reference of a row's label or area.
    Returns how many rows were given twice.
    """
    if layout == "wide":
        groups = "SELECT area, period, MIN(row_no) AS first FROM {rows} GROUP BY area, period " \
                 "HAVING COUNT(DISTINCT row_no) > 1"  # fmt: skip
        found = (
            "SELECT r.row_no, '' AS label, r.area, r.period FROM {rows} r JOIN (" + groups + ") d "
            "ON d.area = r.area AND d.period = r.period WHERE r.row_no > d.first"
        )
        count = "SELECT COUNT(DISTINCT row_no) FROM (" + found + ") x"
        found = "SELECT DISTINCT row_no, label, area, period FROM (" + found + ") x"
    else:
        groups = (
            "SELECT k.dupkey, r.area, r.period, MIN(r.row_no) AS first FROM {rows} r "
            "JOIN {lines} k ON k.line = r.line GROUP BY k.dupkey, r.area, r.period HAVING COUNT(*) > 1"
        )
        found = (
            "SELECT r.row_no, k.label, r.area, r.period FROM {rows} r JOIN {lines} k ON k.line = r.line "
            "JOIN (" + groups + ") d ON d.dupkey = k.dupkey AND d.area = r.area AND d.period = r.period "
            "WHERE r.row_no > d.first"
        )
        count = "SELECT COUNT(*) FROM (" + found + ") x"
    (n,) = staging.fetchone(count)
    if not n:
        return 0
    for row, label, area, period in staging.fetchall(found + f" ORDER BY row_no LIMIT {DUPLICATES_SHOWN}"):
        where = period_label(result.periods[period])
        if layout == "wide":
            result.error(row, cell(row, "area"), f"{mapper.area_names[area]} appears twice for {where}")
        else:
            result.error(
                row,
                cell(row, "label"),
                f"Another row already gives {label} for {mapper.area_names[area]}, {where}",
            )
    result.error_count += n - min(n, DUPLICATES_SHOWN)  # the rest are counted, not listed
    return n


def overlapping(lines: Lines) -> list[tuple[int, int, int, str]]:
    """Pairs of the file's lines that count the same crimes and go into one measure: (line, line,
    measure, how). One line in two wordings ("Bicycle theft" and "Theft of a pedal cycle"), a part and
    its whole ("Homicide" beside "Violence against the person"), or a line and the data.police.uk type
    that takes it in ("Vehicle offences" and "Vehicle crime": one publisher's name and the other's,
    both mapped so that either file can be read)."""
    known, found = classification(), []
    for line in lines.lines:
        # A description counted under its line (the open data's "Harassment" and "Stalking", both under
        # stalking and harassment) is a part of a table that gives only parts: never a total of them.
        counted_under = line.source and normalise_label(line.source) != normalise_label(line.label)
        found.append(None if line.direct or counted_under else known.find(line.label))
    pairs = []
    for a, first in enumerate(lines.lines):
        for b in range(a + 1, len(lines.lines)):
            common = set(first.measures) & set(lines.lines[b].measures)
            one, other = found[a], found[b]
            if not common or one is None or other is None:
                continue
            if one.key == other.key:
                parts = {normalise_label(w) for w in one.parts_as_wordings}
                if not {normalise_label(first.label), normalise_label(lines.lines[b].label)} & parts:
                    pairs.append((a, b, min(common), "one line in two wordings"))
            elif other.key in known.contains(one.key) or one.key in known.contains(other.key):
                pairs.append((a, b, min(common), "one takes in the other"))
    return pairs


def find_overlaps(staging: Staging, result: PassResult, mapper: Mapper, lines: Lines, cell) -> bool:
    """An error for two lines that count the same crimes given for one area and period and added up
    into one measure: the crimes would be counted twice. One scan per such pair (rare: none for most
    files), grouped by area and period."""
    found = False
    for a, b, measure, how in overlapping(lines):
        both = staging.fetchone(
            "SELECT MIN(row_no), MAX(row_no), area, period, COUNT(*) OVER () FROM {rows} "
            f"WHERE line IN ({a}, {b}) AND value IS NOT NULL GROUP BY area, period "
            "HAVING COUNT(DISTINCT line) = 2 ORDER BY MIN(row_no) LIMIT 1"
        )
        if both is None:
            continue
        found = True
        first, row, area, period, cells = both
        one, other = (lines.lines[i].source or lines.lines[i].label for i in (a, b))
        more = f", and {cells - 1:,} more" if cells > 1 else ""
        where = f"rows {first} and {row}" if first != row else f"row {row}"
        result.error(
            row,
            cell(row, "label"),
            f"“{one}” and “{other}” count the same crimes ({how}), and "
            f"{mapper.measures[measure].name} adds both up, so they would be counted twice: "
            f"{mapper.area_names[area]}, {period_label(result.periods[period])} ({where}){more}. Give one "
            "of them. Nothing was written.",
        )
    return found


# One GROUP BY over the staged rows: each measure, area and period's lines added up, how many of its
# lines are there with a value (present) against how many the file reports anywhere (wanted), and a
# value the file gives for the measure itself (direct), which wins over its lines.
GROUPS = """
INSERT INTO {figures} (measure, area, period, value, first_row, n_rows, present, wanted, direct_rows, entries)
SELECT measure, area, period,
       CASE WHEN direct_rows > 0 THEN direct_value WHEN present = wanted THEN line_value END,
       first_row, n_rows, present, wanted, direct_rows, 1
FROM (
    SELECT l.measure AS measure, r.area AS area, r.period AS period,
           SUM(CASE WHEN l.direct = 0 THEN r.value END) AS line_value,
           COUNT(DISTINCT CASE WHEN l.direct = 0 AND r.value IS NOT NULL THEN k.bit END) AS present,
           MAX(l.wanted) AS wanted,
           SUM(l.direct) AS direct_rows,
           SUM(CASE WHEN l.direct = 1 THEN r.value END) AS direct_value,
           MIN(r.row_no) AS first_row,
           COUNT(r.value) AS n_rows
    FROM {rows} r
    JOIN {line_measures} l ON l.line = r.line
    JOIN {lines} k ON k.line = r.line
    GROUP BY l.measure, r.area, r.period
) g
"""


# When each line goes into a measure of its own (``Lines.simple``): a figure is its one row, and needs no
# distinct count of lines; a figure with two rows (entries) is a row given twice.
SIMPLE_GROUPS = """
INSERT INTO {figures} (measure, area, period, value, first_row, n_rows, present, wanted, direct_rows, entries)
SELECT l.measure, r.area, r.period, SUM(r.value), MIN(r.row_no), COUNT(r.value), COUNT(r.value), 1, 0,
       COUNT(*)
FROM {rows} r JOIN {line_measures} l ON l.line = r.line
GROUP BY l.measure, r.area, r.period
"""


# When each line goes into a measure of its own and the pass met no cell twice (``once``): a figure is
# its row, with no grouping at all (the suppressed left out, as the grouped figures' are below).
SIMPLE_ROWS = """
INSERT INTO {figures} (measure, area, period, value, first_row, n_rows, present, wanted, direct_rows, entries)
SELECT l.measure, r.area, r.period, r.value, r.row_no, 1, 1, 1, 0, 1
FROM {rows} r JOIN {line_measures} l ON l.line = r.line
WHERE r.value IS NOT NULL
"""


def make_figures(
    staging: Staging, result: PassResult, mapper: Mapper, lines: Lines, layout: str, cell, *, once=False
) -> None:
    """Long and wide files: rows given twice refused; the lines added up into figures (``figures``);
    partial sums left out and listed; a note for each measure the file reports only some lines of.
    ``once``: the pass saw each line, area and period at most once (so no row is given twice)."""
    simple = lines.simple()
    if not simple and find_duplicates(staging, result, mapper, layout, cell):
        return
    if find_overlaps(staging, result, mapper, lines, cell):
        return
    if simple and once:
        staging.execute(SIMPLE_ROWS)
    else:
        staging.execute(SIMPLE_GROUPS if simple else GROUPS)
    if simple and not once and staging.fetchone("SELECT COUNT(*) FROM {figures} WHERE entries > 1")[0]:
        find_duplicates(staging, result, mapper, layout, cell)
        return
    # Two rows naming the measure itself for one area and period (spelt differently: the same spelling
    # twice is a duplicate already): which one is meant cannot be told.
    direct = any(line.direct for line in lines.lines)
    twice = (
        "SELECT f.measure, f.area, f.period, MAX(r.row_no) FROM {figures} f "
        "JOIN {rows} r ON r.area = f.area AND r.period = f.period "
        "JOIN {line_measures} l ON l.line = r.line AND l.measure = f.measure AND l.direct = 1 "
        "WHERE f.direct_rows > 1 GROUP BY f.measure, f.area, f.period"
    )
    for measure, area, period, row in staging.fetchall(twice) if direct else []:
        result.error(
            row,
            cell(row, "label"),
            f"Another row already gives {mapper.measures[measure].name} for {mapper.area_names[area]}, "
            f"{period_label(result.periods[period])}",
        )
    # A row naming the measure itself beside rows for its lines (our template), whose sum differs: the
    # measure's own row would win, and the lines be dropped without a word.
    if direct:
        inner = GROUPS[GROUPS.index("FROM (") + len("FROM (") : GROUPS.rindex(") g")]
        differ = (
            f"SELECT measure, area, period, first_row, direct_value, line_value FROM ({inner}) g "
            "WHERE direct_rows > 0 AND present > 0 AND present = wanted AND line_value <> direct_value "
            "ORDER BY first_row"
        )
        for measure, area, period, row, own, summed in staging.fetchall(differ + " LIMIT 20"):
            result.error(
                row,
                cell(row, "label"),
                f"This file gives {mapper.measures[measure].name} for {mapper.area_names[area]}, "
                f"{period_label(result.periods[period])} itself ({unscaled(own).normalize():f}), and its "
                f"lines add up to {unscaled(summed).normalize():f}: which is meant cannot be told. Give the "
                "measure or its lines, not both.",
            )
    partial = "FROM {figures} WHERE present > 0 AND present < wanted"
    (n_partial,) = staging.fetchone("SELECT COUNT(*) " + partial)
    if n_partial:
        note_partial_sums(staging, result, mapper, lines, partial, n_partial)
    staging.execute("DELETE FROM {figures} WHERE value IS NULL")
    (result.figure_count,) = staging.fetchone("SELECT COUNT(*) FROM {figures}")
    note_lines_missing(result, mapper, lines)


def note_lines_missing(result: PassResult, mapper: Mapper, lines: Lines):
    """A question for each measure the file reports only some of the lines of, naming those it lacks:
    its figures would be part sums (acquisitive crime from robbery alone), so importing them needs a
    yes (``result.incomplete``). Only the tables' lines the classification knows are counted: wordings
    of one line are one line, a line counts as there when a line it is part of, or a part of it, is
    (the open data's descriptions, an older table's domestic burglary), and a data.police.uk type
    stands for the tables' lines it takes in. Lines only another publisher writes are never missing."""
    known = classification()
    reported = {}  # measure -> the keys of the lines that go into it, and the lines they cover
    for line in lines.lines:
        # The file's own line where the classification knows it (a robbery description, not the
        # Robbery it is counted under): a part of a line is not the whole of it.
        found = (known.find(line.source) if line.source else None) or known.find(line.label)
        if line.direct or found is None:
            continue
        for m in line.measures:
            reported.setdefault(m, set()).update((found.key, *found.covers))
    ends = [end for _, _, end in result.periods]
    last = f"{max(ends):%Y-%m}" if ends else ""  # the month the file's figures end: which release's lines
    for m in sorted(reported, key=lambda pk: (mapper.measures[pk].order, mapper.measures[pk].name)):
        mapped = {}  # each of the tables' lines the measure adds up -> its name
        for label, measures in mapper.lines.items():
            found = known.find(label) if m in measures else None
            if found is not None and found.source == ONS_SOURCE:
                mapped.setdefault(found.key, found.name)
        have = reported[m]
        missing, partly, lacking_keys = [], False, set()
        for key, name in mapped.items():
            lacked = known.lacking(key, have, last)
            if lacked:
                lacking_keys.add(key)
            if lacked and known.contains(key) & have:
                partly = True  # some of its lines, not all: violence with and without injury, no homicide
                missing.append(f"part of {name} (no {', '.join(lacked)})")
            elif lacked:
                missing.append(name)
        missing.sort()
        if missing and (len(missing) < len(mapped) or partly):
            whole = len(mapped) - len(missing)
            reports = f"{whole} of them{' whole' if partly else ''}"
            if len(mapped) == 1:
                reports = "only part of it"
            result.incomplete.append(
                f"{mapper.measures[m].name} adds up {len(mapped)} line{'' if len(mapped) == 1 else 's'}; "
                f"this file reports {reports}. Not in this file: {', '.join(missing)}. Its figures from "
                "this file would be part sums." + _given_as_a_group(known, result, lacking_keys)
            )


def _given_as_a_group(known, result: PassResult, lacking: set) -> str:
    """Words for the lines a file gives only inside a broader line no measure takes ("Theft offences",
    holding burglary, shoplifting, ...): the file has their figures, added up, and the tracker cannot
    take them apart. "" when it gives no such line."""
    groups = []
    for label in sorted(result.lines_left_out):
        found = known.find(label)
        if found is not None and known.contains(found.key) & lacking and found.name not in groups:
            groups.append(found.name)
    if not groups:
        return ""
    named = " and ".join(groups)
    return (
        f" The file gives {named} instead, which holds {'them' if len(lacking) > 1 else 'it'} added up in "
        "one figure: the measure adds the lines themselves, and a group's figure cannot be taken apart. "
        "Import a table that gives the lines."
    )


def note_partial_sums(staging, result, mapper, lines: Lines, partial: str, n: int):
    """List the first partial sums with the lines they lack; count them all."""
    shown = staging.fetchall(
        "SELECT measure, area, period, first_row " + partial + f" ORDER BY first_row LIMIT {PARTIAL_SHOWN}"
    )
    present = {}
    for measure, area, period, bit in staging.fetchall(
        "SELECT DISTINCT f.measure, f.area, f.period, k.bit FROM (SELECT measure, area, period "
        + partial
        + f" ORDER BY first_row LIMIT {PARTIAL_SHOWN}) f "
        "JOIN {rows} r ON r.area = f.area AND r.period = f.period "
        "JOIN {line_measures} l ON l.line = r.line AND l.measure = f.measure AND l.direct = 0 "
        "JOIN {lines} k ON k.line = r.line WHERE r.value IS NOT NULL"
    ):
        present.setdefault((measure, area, period), set()).add(bit)
    labels = {bit: label for label, bit in lines.bits.items()}
    wanted = lines.wanted()
    for measure, area, period, _ in shown:
        have = present.get((measure, area, period), set())
        missing = [str(labels[bit]) for bit in sorted(wanted[measure] - have)]
        result.note_cells(
            PARTIAL,
            f"{mapper.measures[measure].name}, {mapper.area_names[area]}, "
            f"{period_label(result.periods[period])}: no {', '.join(missing)}",
        )
    if n > len(shown):
        result.note_cells(PARTIAL, n=n - len(shown))


# data.police.uk: every measure a crime type of the file goes into, for every area and month the file
# has crimes for, counted (zero where none of its types was reported).
STREET = """
INSERT INTO {figures} (measure, area, period, value, first_row, n_rows, present, wanted, direct_rows, entries)
SELECT m.measure, am.area, am.period, COALESCE(c.n, 0) * %s, COALESCE(c.first_row, am.first_row),
       COALESCE(c.n, 0), 1, 1, 0, 1
FROM (SELECT area, period, MIN(row_no) AS first_row FROM {rows} GROUP BY area, period) am
JOIN (
    SELECT DISTINCT l.measure AS measure, r.period AS period
    FROM {rows} r JOIN {line_measures} l ON l.line = r.line
) m ON m.period = am.period
LEFT JOIN (
    SELECT l.measure AS measure, r.area AS area, r.period AS period, COUNT(*) AS n, MIN(r.row_no) AS first_row
    FROM {rows} r JOIN {line_measures} l ON l.line = r.line
    GROUP BY l.measure, r.area, r.period
) c ON c.measure = m.measure AND c.area = am.area AND c.period = am.period
"""


def count_street_crimes(staging: Staging, result: PassResult):
    """data.police.uk files: crimes counted per measure, area and month into ``figures``: an area with no
    crime of a measure's types in a month counts zero, when the month has some in another of our areas
    (a month with none at all in any of them is no figure: the file does not give those crimes)."""
    staging.execute(STREET, [SCALE])
    (result.figure_count,) = staging.fetchone("SELECT COUNT(*) FROM {figures}")
