from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from measures.importing.classification import classification
from measures.importing.period_labels import parse_period
from measures.models import (
    LABEL_MAX_LENGTH,
    IgnoredLabel,
    ImportBatch,
    Measure,
    MeasureComponent,
    SeriesBreak,
    normalise_label,
)

LAYOUT_CHOICES = [("", "Work it out from the columns"), *ImportBatch.Layout.choices]
PERIOD_HELP = (
    "Only needed when the file does not say, e.g. “year ending December 2024”, “2023/24”, "
    "“2023/24 Q1” or “June 2024”."
)


def clean_period_text(value: str) -> str:
    value = " ".join(value.split())
    if value and parse_period(value) is None:
        raise forms.ValidationError(
            "Not a period the importer knows: try “2023/24”, “2023/24 Q1”, “June 2024” or “year ending "
            "December 2024”."
        )
    return value


class ImportUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV, XLSX, XLS or ODS; or a data.police.uk download as it comes (zip).")
    layout = forms.ChoiceField(choices=LAYOUT_CHOICES, required=False)
    period = forms.CharField(max_length=60, required=False, help_text=PERIOD_HELP)
    sheet = forms.CharField(max_length=120, required=False, help_text="In a workbook with several tables.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(settings.IMPORT_MAX_BYTES)}."
            )
        return upload

    def clean_period(self):
        return clean_period_text(self.cleaned_data["period"])


class PopulationImportForm(forms.Form):
    file = forms.FileField(help_text="ONS mid-year population estimates: CSV or XLSX.")
    year = forms.IntegerField(
        label="Mid-year",
        required=False,
        min_value=1981,
        max_value=2100,
        help_text="For a file with one “All ages” column: the year of the estimate (2011 for mid-2011). "
        "Leave blank for a file with a column per year.",
    )
    source = forms.CharField(max_length=200, required=False, help_text="Where the figures come from.")

    def clean_file(self):
        return ImportUploadForm.clean_file(self)


class ImportOptionsForm(forms.ModelForm):
    """Read the same file again with the period, sheet or layout the person chose."""

    class Meta:
        model = ImportBatch
        fields = ["period_text", "sheet", "layout_requested"]
        labels = {"layout_requested": "Layout"}
        help_texts = {"period_text": PERIOD_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout_requested"].choices = LAYOUT_CHOICES
        sheets = self.instance.summary.get("sheets") or []
        if len(sheets) > 1:
            self.fields["sheet"] = forms.ChoiceField(
                choices=[("", "Choose a sheet"), *((s, s) for s in sheets)], required=False
            )

    def clean_period_text(self):
        return clean_period_text(self.cleaned_data["period_text"])


NOT_USED = "ignore"


class MappingForm(forms.Form):
    """Map an offence line or crime type to a measure, or mark it as used by no measure."""

    label = forms.CharField(
        max_length=LABEL_MAX_LENGTH,
        help_text="As the files write it, e.g. “Vehicle crime”.",
        error_messages={
            "max_length": f"This heading is longer than {LABEL_MAX_LENGTH} characters, more than a mapping "
            "can hold: shorten it in the file (to the offence line's name) and import again."
        },
    )
    target = forms.ChoiceField(label="Goes into")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            ("", "Choose…"),
            (NOT_USED, "Not used by any measure (skip it)"),
            *((str(m.pk), m.name) for m in Measure.objects.order_by("order", "name")),
        ]

    def clean_label(self):
        label = " ".join(self.cleaned_data["label"].split())
        if label[:1] in ("=", "+", "-", "@"):
            raise forms.ValidationError("A label cannot start with =, +, - or @.")
        return label

    def clean(self):
        data = super().clean()
        label, target = data.get("label"), data.get("target")
        if not label or not target:
            return data
        folded = normalise_label(label)
        if target == NOT_USED:
            if IgnoredLabel.objects.filter(normalised=folded).exists():
                raise forms.ValidationError(f"“{label}” is already marked not used.")
            taken = next(
                (
                    c
                    for c in MeasureComponent.objects.select_related("measure")
                    if normalise_label(c.label) == folded
                ),
                None,
            )
            if taken is not None:
                raise forms.ValidationError(
                    f"“{label}” goes into {taken.measure.name}: a line a measure adds up cannot also be "
                    "marked not used. Take it off the measure first (Admin, the measure's lines)."
                )
            return data
        existing = [c.label for c in MeasureComponent.objects.filter(measure_id=target)]
        if folded in {normalise_label(x) for x in existing}:
            raise forms.ValidationError("That measure already adds up this line.")
        if parse_period(label) is not None:
            raise forms.ValidationError(
                f"“{label}” is a period, not an offence line: a column headed by a period holds that "
                "period's figures for the offence the table's title or sheet names. Name the sheet after "
                "the offence (“Violence against the person”) and import the file again."
            )
        known = classification()
        line = known.find(label)
        for other in existing:
            found = known.find(other)
            if not (line and found):
                continue
            if found.key in known.contains(line.key) or line.key in known.contains(found.key):
                part, whole = (found, line) if found.key in known.contains(line.key) else (line, found)
                raise forms.ValidationError(
                    f"{part.name} is part of {whole.name}, and {Measure.objects.get(pk=target).name} adds up "
                    f"“{other}”: a table giving both would count its crimes twice. Keep one of them."
                )
        return data

    def save(self):
        label, target = self.cleaned_data["label"], self.cleaned_data["target"]
        if target == NOT_USED:
            return IgnoredLabel.objects.create(label=label)
        return MeasureComponent.objects.create(measure_id=int(target), label=label)


class SeriesBreakForm(forms.ModelForm):
    class Meta:
        model = SeriesBreak
        fields = ["starts_on", "note"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"})}


class RebaselineForm(forms.Form):
    value = forms.DecimalField(label="New baseline", max_digits=14, decimal_places=4)
    year = forms.IntegerField(
        label="Financial year it is for", min_value=2000, max_value=2100, help_text="e.g. 2014 for 2014/15."
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept with the baseline's history."
    )
