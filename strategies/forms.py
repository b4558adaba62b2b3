from django import forms

from partnerships.models import User
from strategies.models import CommonTheme, Deliverable, Objective, Priority


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
