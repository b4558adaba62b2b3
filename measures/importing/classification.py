"""The Home Office offence classification, as recorded-crime tables have written it since 2010/11.

The lines, their groups and every wording each has been published under (unlawful / illegal driving,
domestic / residential burglary, ...), and the data.police.uk crime types, are data:
``data/offence_classification.json``. A file's heading is looked up after its note markers are removed
(``measures.models.normalise_label``). Two wordings of one line are the same line, so a mapping made
for "Domestic burglary" also takes "Residential burglary"; a recognised line that no measure uses is
skipped and listed, and only a heading the classification does not know is an error.
"""

import datetime
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from measures.models import normalise_label

ONS_SOURCE = "ons"  # the tables' lines (ONS, Home Office), beside data.police.uk's crime types
DATA = Path(__file__).resolve().parent / "data" / "offence_classification.json"


@dataclass(frozen=True)
class Line:
    key: str
    name: str
    group: str
    source: str
    wordings: tuple[str, ...]
    parent: str = ""  # the line this is part of, below its group (residential burglary: burglary)
    # The lines it takes in besides its parts: a data.police.uk type's table lines (vehicle crime: vehicle
    # offences), a total's groups (victim-based crime: violence against the person, ...).
    covers: tuple[str, ...] = ()
    # A group's lines as releases have given them in full: (the lines, "YYYY-MM" or ""), a set counting
    # only in files whose figures end before that month (with and without injury: until 2013).
    complete: tuple[tuple[tuple[str, ...], str], ...] = ()
    # Wordings that name only a part of the line in some release ("Harassment", "Stalking"): two of its
    # wordings side by side are the line given twice, unless one of them is such a part.
    parts_as_wordings: tuple[str, ...] = ()


TOTAL_WORD = re.compile(r"^total\s+(?:of\s+)?|\s*[-:,]?\s*\(?\btotal\)?$")


class Classification:
    def __init__(self, lines: list[Line], police_uk_types: list[str], type_history=()):
        self.lines = lines
        self.police_uk_types = police_uk_types
        # A data.police.uk type given only from a month on (folded) -> (its first month's first day, the
        # folded type that held its crimes before).
        self.type_since = {
            normalise_label(t["type"]): (
                datetime.date(int(t["since"][:4]), int(t["since"][5:7]), 1),
                normalise_label(t["held_by"]),
            )
            for t in type_history
        }
        self.by_wording = {}
        self.by_key = {line.key: line for line in lines}
        for line in lines:
            for wording in (line.name, *line.wordings):
                self.by_wording.setdefault(normalise_label(wording), line)

    def find(self, label) -> Line | None:
        """The line a heading or label names, whatever release's wording and note markers it carries,
        and with "total" written before or after it ("Violence against the person – total")."""
        folded = normalise_label(label)
        found = self.by_wording.get(folded)
        if found is None and "total" in folded:
            found = self.by_wording.get(TOTAL_WORD.sub("", folded))
        return found

    def broader(self, label) -> list[Line]:
        """The lines a heading's line is part of, narrowest first: its parent lines, then its group's
        line ("Residential burglary": Burglary, then Theft offences)."""
        line, found, by_key = self.find(label), [], self.by_key
        while line is not None and line.parent in by_key and by_key[line.parent] not in found:
            line = by_key[line.parent]
            found.append(line)
        first = self.find(label)
        group = by_key.get(first.group) if first is not None else None
        if group is not None and group is not first and group not in found:
            found.append(group)
        return found

    def lacking(self, key: str, have: set[str], last: str = "") -> list[str]:
        """The names of the lines a file reporting the lines ``have`` lacks to report the line ``key``
        whole, [] when it is whole: itself, or a line it is part of, or every one of its parts
        (robbery's two, vehicle offences' three), or, for a group, every line of one of the sets that
        made it whole in a release of the file's time (its figures ending in the month ``last``,
        "YYYY-MM"; any release when not known), the set lacking fewest; a group with no such sets, any
        of its lines."""
        if key in have or any(broader.key in have for broader in self.broader(self.name_of(key))):
            return []
        line = self.by_key.get(key)
        parts = [known.key for known in self.lines if known.parent == key]
        if parts:
            options = [parts]
        elif line is not None and line.complete:
            options = [lines for lines, before in line.complete if not (before and last and last >= before)]
        else:
            members = [known.key for known in self.lines if known.group == key and known.key != key]
            return [] if any(m in have for m in members) else [self.name_of(key)]
        best = None
        for lines in options:
            lacked = [name for part in lines for name in self.lacking(part, have, last)]
            if best is None or len(lacked) < len(best):
                best = lacked
        return best if best is not None else [self.name_of(key)]

    def name_of(self, key: str) -> str:
        return self.by_key[key].name if key in self.by_key else key

    def contains(self, key: str) -> set[str]:
        """The keys of every line a line takes in, however deep: its parts, its group's lines, and what
        it covers (victim-based crime: violence against the person, ..., and their parts)."""
        found, todo = set(), [key]
        while todo:
            current = todo.pop()
            line = self.by_key.get(current)
            parts = {k.key for k in self.lines if current in (k.parent, k.group) and k.key != current}
            parts |= set(line.covers if line else ())
            todo += parts - found
            found |= parts
        return found - {key}

    def held_by(self, label: str, day: datetime.date) -> str:
        """The folded data.police.uk type that gave a type's crimes (folded ``label``) in the month of
        ``day``: the type itself, or the one that held them before it was given ("Other crime" for
        "Shoplifting" before September 2011)."""
        while label in self.type_since and day < self.type_since[label][0]:
            label = self.type_since[label][1]
        return label

    def wordings(self, line: Line) -> set[str]:
        """Every folded wording of a line."""
        return {normalise_label(w) for w in (line.name, *line.wordings)}


@cache
def classification() -> Classification:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    lines = [
        Line(
            d["key"],
            d["name"],
            d["group"],
            d["source"],
            tuple(d["wordings"]),
            d.get("parent", ""),
            tuple(d.get("covers", ())),
            tuple((tuple(c["lines"]), c.get("before", "")) for c in d.get("complete", ())),
            tuple(d.get("parts_as_wordings", ())),
        )
        for d in data["lines"]
    ]
    return Classification(lines, data["police_uk_crime_types"], data["police_uk_type_history"]["types"])
