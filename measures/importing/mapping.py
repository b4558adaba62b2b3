"""Areas, offence lines and periods in files, resolved against the database once per import.

Areas match by any of their ONS codes first (local authority or CSP code), then by name or alias
after folding case, "&"/"and", "City of" and note markers ("South Oxfordshire4", "Cherwell [note 5]"),
and failing that without a council's words ("Cherwell District", "Oxford City Council"). A row whose
code and name are two different areas of ours is an error: either could be the mistake, and taking
the code would file one district's figures under the other. A row naming a partnership of several
areas ("South and Vale") is skipped and said to be one: figures are stored per area.

Offence lines and crime types match the labels admins map to measures (``MeasureComponent``) or mark
as unused (``IgnoredLabel``), after folding case, line breaks and note markers; failing that, a
measure's own name or slug.
"""

import datetime
import re
from collections import defaultdict

from measures.importing.classification import classification
from measures.models import (
    IgnoredLabel,
    Measure,
    MeasureComponent,
    Period,
    normalise_label,
    strip_note_markers,
)
from partnerships.models import Area, AreaAlias, AreaCode, PartnershipArea, normalise_area_name

# Rows that are not areas: forces, regions, countries (their ONS code prefixes) and totals.
SUBTOTAL_CODE = re.compile(r"^(E23|W15|E12|E92|W92|K02|K03|K04|E10|E11|E13|E47)\d{6}$")
TOTAL_NAMES = {"total", "england", "wales", "england and wales", "all areas", "grand total", "all forces"}

NOT_OURS = "Areas outside the county (not ours)"
# English counties made of districts (never a district or partnership themselves), metropolitan counties
# and regions: a row named so is a subtotal of districts ("Oxfordshire"), never outside the county.
COUNTY_TOTALS = {
    "cambridgeshire", "derbyshire", "devon", "east sussex", "essex", "gloucestershire", "hampshire",
    "hertfordshire", "kent", "lancashire", "leicestershire", "lincolnshire", "norfolk", "nottinghamshire",
    "oxfordshire", "staffordshire", "suffolk", "surrey", "warwickshire", "west sussex", "worcestershire",
    "greater manchester", "merseyside", "south yorkshire", "tyne and wear", "west midlands",
    "west yorkshire", "greater london", "north east", "north west", "yorkshire and humber",
    "yorkshire and the humber", "east midlands", "east of england", "south east", "south west",
}  # fmt: skip
# Words after a comma that say where a place is ("Cherwell, Oxfordshire"): counties as England's
# ceremonial counties, forces' areas, regions and countries. "Cherwell, West Berkshire" is two places.
PLACE_QUALIFIERS = COUNTY_TOTALS | {
    "bedfordshire", "berkshire", "bristol", "buckinghamshire", "cheshire", "cornwall", "cumbria", "dorset",
    "durham", "county durham", "east riding of yorkshire", "herefordshire", "isle of wight", "london",
    "northamptonshire", "northumberland", "north yorkshire", "rutland", "shropshire", "somerset",
    "wiltshire", "thames valley", "england", "wales", "uk", "united kingdom", "great britain",
}  # fmt: skip
# An LSOA or MSOA ("Cherwell 001A", "Cherwell 001", E01... or E02... codes): a district's small areas,
# whose figures are not a district's (data.police.uk street files are counted per district instead).
SMALL_AREAS = "Small areas (LSOAs, MSOAs) inside a district, not districts: figures are stored per district"
SMALL_AREA = re.compile(r"(.+?)\s+(?:\d{3}[A-Z]?|\(\d{3}[A-Z]?\))", re.IGNORECASE)  # "Cherwell (001)" too
SMALL_AREA_CODES = ("E01", "E02", "W01", "W02")
SUBTOTAL = "Force, county, regional or national subtotals"
PARTNERSHIP_ROWS = "figures are stored for each district; give the districts' rows"  # ends such a reason
UNASSIGNED = "“Unassigned” rows (crimes not assigned to a partnership area)"

# The words councils and partnerships add to a place's name: "Cherwell District Council", "Oxford City
# Council", "Royal Borough of ...", "South and Vale Community Safety Partnership" (names already folded).
COUNCIL_WORDS = re.compile(
    r"^(?:(?:royal|london|metropolitan) )?borough of "
    r"| (?:(?:district|borough|city|county|metropolitan borough) )?council$"
    r"| (?:district|borough|city)$"
    r"| (?:dc|bc|cc|mbc)$"  # "Cherwell DC", "Reading BC"
    r"| (?:[rpxzuce]|\d{1,2}|revised|provisional)$"  # a note marker, its brackets gone: "Cherwell (r)", "(1)"
)
PARTNERSHIP_WORDS = re.compile(
    r" (?:community safety partnership|safer communities partnership|safety partnership|partnership|csp)$"
)


def _placed(name: str) -> str:
    """The place a name gives before the county, region or country it says it is in ("Cherwell,
    Oxfordshire": "Cherwell"), or ""."""
    head, comma, tail = name.rpartition(",")
    return head.strip() if comma and head.strip() and normalise_area_name(tail) in PLACE_QUALIFIERS else ""


class AreaError(str):
    """A reason a row cannot be read that is an error, not a skip: its code and name are two of our areas."""


def area_spellings(name) -> list[str]:
    """The folded spellings to look a file's area name up by, the plainest first.

    As written; without note markers ("South Oxfordshire4", "Vale of White Horse (note 3)": ONS
    footnotes, as on offence headings); then without a council's words ("Cherwell District",
    "West Oxfordshire District Council"). Only used when the name as written is not one we know, so
    an area or alias whose own name has such words still matches as itself.
    """
    name = str(name or "")
    spellings = [normalise_area_name(name), normalise_area_name(strip_note_markers(name))]
    for folded in spellings[:2]:
        while (plainer := COUNCIL_WORDS.sub("", folded).strip()) != folded:  # "South Oxfordshire DC (r)"
            folded = plainer
        spellings.append(folded)
    return [s for i, s in enumerate(spellings) if s and s not in spellings[:i]]


def _may_name(name: str, area_name: str, code: str) -> bool:
    """Whether a name the mapping does not know may still be the coded area's ("South Oxon" for South
    Oxfordshire: a word of four letters or more in common), so that the code decides; "Wycombe" beside
    West Oxfordshire's code may not, and the row is refused rather than filed under the wrong place."""

    def words(text):
        return {w for w in re.findall(r"[a-z]{4,}", normalise_area_name(text)) if w not in PLACE_WORDS}

    return name.replace(" ", "").upper() == code or bool(words(name) & words(area_name))


PLACE_WORDS = {"district", "borough", "city", "council", "county", "metropolitan", "royal", "community"}


def partnership_spelling(name) -> str:
    """A partnership's name without "Community Safety Partnership" or "CSP", folded like an area's."""
    folded = normalise_area_name(strip_note_markers(str(name or "")))
    return PARTNERSHIP_WORDS.sub("", folded).strip()


LABEL_MEASURES, LABEL_IGNORED, LABEL_UNKNOWN, LABEL_DIRECT = "measures", "ignored", "unknown", "direct"
LABEL_UNUSED = "unused"  # a line the offence classification knows, which no measure uses


class Mapper:
    """Everything a pass looks up, loaded in a few queries and cached per distinct cell text."""

    def __init__(self):
        self.codes = dict(AreaCode.objects.values_list("code", "area_id"))
        self.names = {}
        self.area_names = {}
        for pk, name in Area.objects.values_list("pk", "name"):
            self.names[normalise_area_name(name)] = pk
            self.area_names[pk] = name
        for normalised, area_id in AreaAlias.objects.values_list("normalised", "area_id"):
            self.names.setdefault(normalised, area_id)
        # The names with their spaces left out: "Vale of Whitehorse" is Vale of White Horse (a spelling
        # two names could share only by a space is none of two areas: such a one is left out).
        squashed = defaultdict(set)
        for spelling, area_id in self.names.items():
            squashed[spelling.replace(" ", "")].add(area_id)
        self.squashed = {spelling: ids.pop() for spelling, ids in squashed.items() if len(ids) == 1}
        self.partnership_names = {}  # area -> the partnership covering it today
        self.coverage = defaultdict(list)  # area -> (start, end, partnership), oldest first
        today = datetime.date.today()
        for area_id, start, end, partnership in PartnershipArea.objects.order_by("start").values_list(
            "area_id", "start", "end", "partnership__name"
        ):
            self.coverage[area_id].append((start, end, partnership))
            if start <= today and (end is None or end >= today):
                self.partnership_names[area_id] = partnership
        self.partnerships = self._partnership_spellings()
        self.measures = {m.pk: m for m in Measure.objects.all()}
        self.lines = defaultdict(list)
        self.line_names = {}  # folded label -> as the mapping writes it
        for label, measure_id in MeasureComponent.objects.values_list("label", "measure_id"):
            self.lines[normalise_label(label)].append(measure_id)
            self.line_names.setdefault(normalise_label(label), label)
        self.ignored = set(IgnoredLabel.objects.values_list("normalised", flat=True))
        self.measure_names = {}
        for m in self.measures.values():
            for text in (m.slug, m.name, m.short_name):
                if text:
                    self.measure_names.setdefault(normalise_label(text), m.pk)
        self.periods = {
            (kind, start, end): pk
            for pk, kind, start, end in Period.objects.values_list("pk", "kind", "start", "end")
        }
        self._areas = {}
        self._labels = {}
        self._shortened = None

    def _shortened_names(self) -> dict[str, list[str]]:
        """The first words of each of our areas' names and spellings, short of the whole ("vale" for
        Vale of White Horse, "west" for West Oxfordshire): folded -> the areas' names."""
        if self._shortened is None:
            found = defaultdict(list)
            for spelling, area_id in self.names.items():
                words = spelling.split()
                for n in range(1, len(words)):
                    if " ".join(words[:n]) in PLACE_QUALIFIERS:
                        continue  # "Somerset" is the county (or its council), not Somerset West cut short
                    name = self.area_names[area_id]
                    if name not in found[" ".join(words[:n])]:
                        found[" ".join(words[:n])].append(name)
            self._shortened = dict(found)
        return self._shortened

    def area(self, code, name) -> tuple[int | None, str]:
        """(area id, "") for one of ours, or (None, reason the row is skipped)."""
        key = (code, name)
        found = self._areas.get(key)
        if found is None:
            found = self._areas[key] = self._find_area(code, name)
        return found

    def partnership_on(self, area_id, day: datetime.date) -> str:
        """The partnership that covered an area on a day (a figure's period's last day): before a
        merger, the district's own partnership, not today's merged one; "" when none did."""
        found = ""
        for start, end, partnership in self.coverage.get(area_id, ()):
            if start <= day and (end is None or end >= day):
                found = partnership
        return found

    def _partnership_spellings(self) -> dict[str, int | str]:
        """Folded partnership name -> its area, or why its rows are skipped when it has several.

        Files sometimes give a merged partnership's total ("South and Vale"). Figures are stored per
        area, so such a row cannot be stored, but it is not "outside the county" either: saying so
        would send the admin looking for a missing area. A partnership of one area is that area.
        """
        today = datetime.date.today()
        covers, now = defaultdict(list), defaultdict(list)
        names = {}
        for pk, name, short_name, area_name, area_id, start, end in PartnershipArea.objects.order_by(
            "area__name"
        ).values_list(
            "partnership_id",
            "partnership__name",
            "partnership__short_name",
            "area__name",
            "area_id",
            "start",
            "end",
        ):
            names[pk] = (name, short_name)
            if (area_name, area_id) not in covers[pk]:
                covers[pk].append((area_name, area_id))
            if start <= today and (end is None or end >= today) and (area_name, area_id) not in now[pk]:
                now[pk].append((area_name, area_id))
        reasons = {}
        for pk, (name, short_name) in names.items():
            areas = now[pk] or covers[pk]
            spellings = {partnership_spelling(n) for n in (name, short_name) if n}
            for spelling in spellings - {""}:
                if len(areas) == 1:
                    reasons.setdefault(spelling, areas[0][1])
                    continue
                listed = [a for a, _ in areas]
                listed = ", ".join(listed[:-1]) + " and " + listed[-1]
                reasons.setdefault(
                    spelling,
                    f"{short_name or name} is a partnership of {listed}: {PARTNERSHIP_ROWS}",
                )
        return reasons

    def _districts_together(self, name: str) -> str:
        """A row naming two or more of our areas together ("South Oxfordshire and Vale of White Horse"):
        the reason it is skipped, or ""."""
        parts = [p for p in re.split(r"\s*(?:,|&|\band\b|/|\+)\s*", name) if p.strip()]
        if len(parts) < 2:
            return ""
        found = []
        for part in parts:
            area = next((self.names[s] for s in area_spellings(part) if s in self.names), None)
            if area is None:
                area = self._named_by_first_words(part)  # "Vale": Vale of White Horse
            if area is not None:
                found.append(self.area_names[area])
        if not found:
            return ""
        if len(found) < len(parts):
            # "South Oxfordshire & Oxon Vale": some place written so that it cannot be told which, with
            # one of ours: not a place outside the county, and not one district's figures either.
            return f"“{name}” names {len(parts)} places, {' and '.join(found)} among them: {PARTNERSHIP_ROWS}"
        listed = ", ".join(found[:-1]) + " and " + found[-1]
        return f"“{name}” is {len(found)} of our districts together ({listed}): {PARTNERSHIP_ROWS}"

    def _named_by_first_words(self, part: str) -> int | None:
        """The one area whose name starts with ``part``'s words ("Vale" for Vale of White Horse), or None."""
        words = normalise_area_name(part)
        if len(words) < 3:
            return None
        areas = {area for spelling, area in self.names.items() if spelling.startswith(words + " ")}
        return areas.pop() if len(areas) == 1 else None

    def _find_area(self, code, name) -> tuple[int | None, str]:
        code = str(code or "").strip().upper()
        name = str(name or "").strip()
        spellings = area_spellings(name)
        by_name = next((self.names[s] for s in spellings if s in self.names), None)
        if by_name is None:
            by_name = next(
                (self.squashed[k] for s in spellings if (k := s.replace(" ", "")) in self.squashed), None
            )
        partnership = self.partnerships.get(partnership_spelling(name)) if name else None
        if by_name is None and isinstance(partnership, int):
            by_name = partnership  # "Cherwell Community Safety Partnership": a partnership of one area
        if by_name is None and (placed := _placed(name)):
            by_name = self._find_area("", placed)[0]  # "Cherwell, Oxfordshire": Cherwell
        together = self._districts_together(name) if by_name is None and not partnership else ""
        if code in self.codes:
            by_code = self.codes[code]
            if by_name is None and (isinstance(partnership, str) or together):
                # "South and Vale" with a district's code (its partnership's, before the merger): the
                # row is the partnership's two districts together, never the one district's.
                return None, partnership or together
            if by_name is None and name and not _may_name(name, self.area_names[by_code], code):
                return None, AreaError(
                    f"The code {code} is {self.area_names[by_code]} but the name says {name}, which is not "
                    f"one of {self.area_names[by_code]}'s spellings: correct whichever is wrong (or, if "
                    f"{name} is another name for {self.area_names[by_code]}, add it as a spelling on the "
                    "partnerships page), so that no other place's figures are filed under it"
                )
            if by_name is not None and by_name != by_code:
                return None, AreaError(
                    f"The code {code} is {self.area_names[by_code]} but the name says {name}"
                    + (f" ({self.area_names[by_name]})" if name != self.area_names[by_name] else "")
                    + ": correct whichever is wrong, so that no district's figures are filed under another"
                )
            return by_code, ""
        if by_name is not None:
            return by_name, ""
        if partnership or together:
            return None, partnership or together
        folded = spellings[0] if spellings else ""
        if folded.startswith("unassigned"):
            return None, UNASSIGNED
        if (
            SUBTOTAL_CODE.match(code)
            or folded in TOTAL_NAMES
            or code.casefold() in TOTAL_NAMES
            or any(spelling in COUNTY_TOTALS for spelling in spellings)
        ):
            return None, SUBTOTAL
        small = SMALL_AREA.fullmatch(name)
        if small and self._find_area("", small.group(1))[0] is not None or code.startswith(SMALL_AREA_CODES):
            return None, SMALL_AREAS
        shortened = self._shortened_names()
        if not code and (ours := next((shortened[s] for s in spellings if s in shortened), None)):
            # "Vale": Vale of White Horse shortened, or another place? Skipped as "outside the county",
            # its figures went unstored with a false reason.
            which = " or ".join(ours)
            return None, AreaError(
                f"“{name}” may be {which} with its name cut short, or another place: which cannot be told. "
                f"If it is {which}, write its full name in the file (or add “{name}” as one of its "
                "spellings on the partnerships page); if it is not one of ours, delete the row"
            )
        return None, NOT_OURS

    def label(self, text) -> tuple[str, tuple[int, ...]]:
        """(kind, measure ids): LABEL_MEASURES, LABEL_DIRECT (one id), or none: LABEL_IGNORED, LABEL_UNUSED,
        LABEL_UNKNOWN.

        LABEL_DIRECT: the text names a measure itself (our template), so the value is the measure's.
        A wording the mapping does not hold, of a line the offence classification knows, goes where
        the line's other wordings go ("illegal driving" where "unlawful driving" is mapped); when none
        is mapped, the line is LABEL_UNUSED (skipped and listed), not an error.
        """
        found = self._labels.get(text)
        if found is None:
            folded = normalise_label(text)
            if folded in self.lines:
                found = (LABEL_MEASURES, tuple(self.lines[folded]))
            elif folded in self.ignored:
                found = (LABEL_IGNORED, ())
            elif folded in self.measure_names:
                found = (LABEL_DIRECT, (self.measure_names[folded],))
            else:
                found = self.classified(text)
            self._labels[text] = found
        return found

    def classified(self, text) -> tuple[str, tuple[int, ...]]:
        known = classification()
        line = known.find(text)
        if line is None:
            return (LABEL_UNKNOWN, ())
        wordings = known.wordings(line)
        measures = sorted({m for w in wordings for m in self.lines.get(w, ())})
        if measures:
            return (LABEL_MEASURES, tuple(measures))
        if wordings & self.ignored:
            return (LABEL_IGNORED, ())
        return (LABEL_UNUSED, ())
