"""Areas, offence lines and periods in files, resolved against the database once per import.

Areas match by any of their ONS codes first (local authority or CSP code), then by name or alias
after folding case, "&"/"and", "City of" and note markers. Offence lines and crime types match the
labels admins map to measures (``MeasureComponent``) or mark as unused (``IgnoredLabel``), after
folding case, line breaks and note markers; failing that, a measure's own name or slug.
"""

import datetime
import re
from collections import defaultdict

from measures.importing.classification import classification
from measures.models import IgnoredLabel, Measure, MeasureComponent, Period, normalise_label
from partnerships.models import Area, AreaAlias, AreaCode, PartnershipArea, normalise_area_name

# Rows that are not areas: forces, regions, countries (their ONS code prefixes) and totals.
SUBTOTAL_CODE = re.compile(r"^(E23|W15|E12|E92|W92|K02|K03|K04|E10|E11|E13|E47)\d{6}$")
TOTAL_NAMES = {"total", "england", "wales", "england and wales", "all areas", "grand total", "all forces"}

NOT_OURS = "Areas outside the county (not ours)"
SUBTOTAL = "Force, regional or national subtotals"
UNASSIGNED = "“Unassigned” rows (crimes not assigned to a partnership area)"

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
        self.partnership_names = {}
        for area_id, partnership in (
            PartnershipArea.objects.covering(datetime.date.today())
            .order_by("start")
            .values_list("area_id", "partnership__name")
        ):
            self.partnership_names[area_id] = partnership
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

    def area(self, code, name) -> tuple[int | None, str]:
        """(area id, "") for one of ours, or (None, reason the row is skipped)."""
        key = (code, name)
        found = self._areas.get(key)
        if found is None:
            found = self._areas[key] = self._find_area(code, name)
        return found

    def _find_area(self, code, name) -> tuple[int | None, str]:
        code = str(code or "").strip().upper()
        if code in self.codes:
            return self.codes[code], ""
        name = str(name or "").strip()
        folded = normalise_area_name(name)
        if folded in self.names:
            return self.names[folded], ""
        if folded.startswith("unassigned"):
            return None, UNASSIGNED
        if SUBTOTAL_CODE.match(code) or folded in TOTAL_NAMES:
            return None, SUBTOTAL
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
                found = self._classified(text)
            self._labels[text] = found
        return found

    def _classified(self, text) -> tuple[str, tuple[int, ...]]:
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
