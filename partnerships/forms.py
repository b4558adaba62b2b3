from django import forms

from partnerships.models import Partnership


class MergeForm(forms.Form):
    predecessors = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Partnerships to merge",
    )
    name = forms.CharField(max_length=120, label="Name of the merged partnership")
    short_name = forms.CharField(
        max_length=40, required=False, help_text="For table headings, e.g. 'South and Vale'."
    )
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Merged from")
    is_pilot = forms.BooleanField(
        required=False, label="A pilot (it can end and the partnerships split again)"
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessors"].queryset = Partnership.objects.active().order_by("name")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Partnership.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("A partnership with that name already exists.")
        return name


class SplitForm(forms.Form):
    """End a pilot merger: the date, and which partnership takes each open deliverable."""

    ended_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="The partnerships split from"
    )

    def __init__(self, *args, deliverables, predecessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.deliverables = list(deliverables)
        choices = [("", "Choose…")] + [(p.pk, p.name) for p in predecessors]
        for d in self.deliverables:
            self.fields[f"d{d.pk}"] = forms.TypedChoiceField(choices=choices, coerce=int, label=d.title)

    @property
    def assignments(self) -> dict[int, int]:
        return {d.pk: self.cleaned_data[f"d{d.pk}"] for d in self.deliverables}
