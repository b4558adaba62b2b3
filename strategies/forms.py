import datetime

from django import forms

from partnerships.dates import validate_plausible_date
from partnerships.forms import https_urls
from partnerships.models import Partnership, User
from strategies.models import (
    CommonTheme,
    Deliverable,
    Framework,
    HorizonItem,
    Objective,
    Priority,
    Strategy,
)


class StrategyForm(forms.ModelForm):
    """A draft's own words and its equality impact assessment, which adoption needs."""

    class Meta:
        model = Strategy
        fields = ["summary", "eia_date", "eia_note"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "eia_date": forms.DateInput(attrs={"type": "date"}),
            "eia_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "summary": "What this strategy sets out to do, in the partnership's words.",
            "eia_note": "What the assessment found and where it is published.",
        }

    def clean_eia_date(self):
        value = self.cleaned_data.get("eia_date")
        if value and not (datetime.date(2000, 1, 1) <= value <= datetime.date.today()):
            raise forms.ValidationError("Give the date the assessment was done (not in the future).")
        return value


class AdoptForm(forms.Form):
    eia_waiver_reason = forms.CharField(
        label="Why adopt it without an equality impact assessment?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Only when the assessment is not recorded yet; the reason is kept with the strategy.",
    )


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["priority", "title", "order"]
        widgets = {"title": forms.Textarea(attrs={"rows": 3})}
        labels = {"title": "Local objective"}

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.strategy = strategy
        self.fields["priority"].queryset = Priority.objects.filter(framework=strategy.framework_id)


class DeliverableForm(forms.ModelForm):
    """Edit a deliverable. ``version`` carries the version the user started from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Deliverable
        fields = [
            "title",
            "description",
            "lead_agency",
            "owner",
            "due_date",
            "theme",
            "status",
            "closure_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "closure_note": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"closure_note": "Reason for completing or dropping"}

    def __init__(self, *args, objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.objective = objective
        partnership_id = objective.strategy.partnership_id
        self.fields["owner"].queryset = User.objects.filter(
            memberships__partnership=partnership_id, is_active=True
        )
        self.fields["theme"].queryset = CommonTheme.objects.filter(priority=objective.priority_id)
        self.fields["theme"].help_text = "One of the county framework's common themes for this priority."
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def keep_after_conflict(self, conflict) -> None:
        """Someone else saved first: keep what this user typed, based on the version now stored."""
        self.data = self.data.copy()
        self.data["version"] = conflict.current.version
        self.add_error(
            None,
            "Someone else saved this deliverable while you were editing it. Your changes are "
            "below and have not been saved: check them against theirs, then save again.",
        )


class HorizonItemForm(forms.ModelForm):
    class Meta:
        model = HorizonItem
        formfield_callback = https_urls  # on the class, so every copy of the form reads links alike
        fields = [
            "title",
            "kind",
            "body",
            "expected_on",
            "expected_when",
            "status",
            "impact",
            "impact_note",
            "priorities",
            "partnerships",
            "link",
        ]
        widgets = {
            "expected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "impact_note": forms.Textarea(attrs={"rows": 3}),
            "priorities": forms.CheckboxSelectMultiple,
            "partnerships": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = Priority.objects.select_related("framework")

    def save_with_history(self, user) -> HorizonItem:
        item = self.save(commit=False)
        item._history_user = user
        item.save()
        self.save_m2m()
        return item


class RefreshForm(forms.Form):
    """Start the annual refresh: the new strategies' first year, their framework, which partnerships."""

    first_year = forms.IntegerField(
        label="New strategies start in financial year",
        min_value=2000,
        max_value=2100,
        help_text="e.g. 2012 for 2012-15, refreshing 2011-14.",
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.all(), help_text="The county framework the new strategies follow."
    )
    partnerships = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Partnerships with an adopted strategy to refresh.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnerships"].queryset = Partnership.objects.active().order_by("name")


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
    effective_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Merged from",
        validators=[validate_plausible_date],
    )
    is_pilot = forms.BooleanField(
        required=False, label="A pilot (it can end and the partnerships split again)"
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessors"].queryset = Partnership.objects.active().order_by("name")

    def merge_arguments(self) -> dict:
        data = self.cleaned_data
        keys = ("predecessors", "name", "short_name", "effective_from", "is_pilot", "note")
        return {key: data[key] for key in keys}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Partnership.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("A partnership with that name already exists.")
        return name


class SplitForm(forms.Form):
    """End a pilot merger: the date, and which partnership takes each open deliverable."""

    ended_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="The partnerships split from",
        validators=[validate_plausible_date],
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
