from django import forms
from django.conf import settings

from measures import periods
from measures.models import Period
from partnerships.dates import validate_plausible_date
from reviews.evidence import ALLOWED_DESCRIPTION, SNIFF_BYTES, sniff_content_type
from reviews.models import DeliverableUpdate, Evidence, ReportingQuarter
from strategies.models import Deliverable


class DeliverableUpdateForm(forms.ModelForm):
    """This quarter's update of one deliverable; one per row on the review page (prefix ``d<pk>``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DeliverableUpdate
        fields = ["status", "rag", "progress", "commentary"]
        widgets = {
            "status": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "rag": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "progress": forms.NumberInput(
                attrs={"class": "form-control form-control-sm", "min": 0, "max": 100}
            ),
            "commentary": forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 2}),
        }

    no_change = forms.BooleanField(
        label="No change since last quarter",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text="Records last quarter's status, rating and progress as this quarter's update, by you.",
    )

    def __init__(self, *args, deliverable, quarter, previous=None, objective_no_change=False, **kwargs):
        instance = kwargs.get("instance")
        # A row nobody touched is simply not updated yet; a row with anything in it must be complete.
        kwargs.setdefault("empty_permitted", instance is None)
        kwargs.setdefault("use_required_attribute", False)
        if instance is None and previous is not None:
            # Start from last quarter: an officer changes only what changed.
            kwargs.setdefault(
                "initial", {"status": previous.status, "rag": previous.rag, "progress": previous.progress}
            )
        super().__init__(*args, **kwargs)
        self.deliverable = deliverable
        self.previous = previous
        self.objective_no_change = objective_no_change
        self.instance.deliverable = deliverable
        self.instance.quarter = quarter
        self.instance.previous_rag = previous.rag if previous else None
        self.fields["status"].choices = [("", "Choose…"), *Deliverable.Status.choices]
        self.fields["rag"].choices = [("", "Choose…"), *DeliverableUpdate.Rag.choices]
        if instance is not None or previous is None:
            del self.fields["no_change"]
        if instance is not None:
            self.fields["version"].initial = instance.version
        # Errors and labels name the deliverable, so a screen-reader user knows which row they are on.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-describedby", f"title-{deliverable.pk}")

    @property
    def edited(self) -> bool:
        """Did the officer change any of the update's own fields (not only tick "no change")?"""
        return any(
            name in self.changed_data and self.add_prefix(name) in self.data
            for name in ("status", "rag", "progress", "commentary")
        )

    @property
    def unchanged_since_last_quarter(self) -> bool:
        if "no_change" not in self.fields or self.edited:
            return False
        return bool(self.data.get(self.add_prefix("no_change"))) or self.objective_no_change

    def has_changed(self):
        """Changed: a field sent and different from where the row started (last quarter's values), or
        "no change since last quarter" ticked. A row whose fields were not sent is untouched."""
        return self.edited or self.unchanged_since_last_quarter

    def clean(self):
        cleaned = super().clean()
        if self.unchanged_since_last_quarter:
            previous = self.previous
            cleaned.update(status=previous.status, rag=previous.rag, progress=previous.progress)
            cleaned["commentary"] = previous.commentary or "No change since last quarter."
            for name in ("status", "rag", "progress", "commentary"):
                setattr(self.instance, name, cleaned[name])
                self.errors.pop(name, None)
            return cleaned
        return cleaned

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version") if self.instance.pk else None


def check_upload(upload) -> str:
    """The content type an evidence file is judged to be from its contents, or a plain error."""
    limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise forms.ValidationError(
            f"That file is {upload.size / 1024 / 1024:.1f} MB; the limit is {limit} MB."
        )
    if upload.size == 0:
        raise forms.ValidationError("That file is empty.")
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise forms.ValidationError(
            f"Judging by its contents, that file is not a kind we accept ({ALLOWED_DESCRIPTION})."
        )
    return content_type


class RowEvidenceForm(forms.Form):
    """Evidence added beside a row of the review page: a link, a file, or both at once."""

    title = forms.CharField(
        max_length=200,
        required=False,
        label="Evidence title",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "form-control form-control-sm"}),
    )
    file = forms.FileField(
        label="File",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)

    @property
    def given(self) -> bool:
        return self.is_bound and bool(
            self.data.get(self.add_prefix("url")) or self.files.get(self.add_prefix("file"))
        )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            self.content_type = check_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("url") or cleaned.get("file")) and not cleaned.get("title", "").strip():
            self.add_error("title", "Say what the evidence shows.")
        return cleaned

    def evidence(self) -> list[Evidence]:
        """Unsaved evidence rows: one for the link, one for the file."""
        data, made = self.cleaned_data, []
        if data.get("url"):
            made.append(Evidence(title=data["title"], url=data["url"]))
        if data.get("file"):
            upload = data["file"]
            made.append(
                Evidence(
                    title=data["title"],
                    file=upload,
                    original_name=upload.name[-255:],
                    size=upload.size,
                    content_type=self.content_type,
                )
            )
        return made


class EvidenceForm(forms.ModelForm):
    url = forms.URLField(
        label="Link (or upload a file below)", required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Evidence
        fields = ["title", "url", "file"]
        labels = {"url": "Link (or upload a file below)", "file": "File"}
        help_texts = {"title": "What it shows, e.g. 'Pub Watch meeting minutes, March'."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        self.fields[
            "file"
        ].help_text = f"{ALLOWED_DESCRIPTION}; up to {limit} MB. Files are private to the site."

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            self.instance.content_type = check_upload(upload)
            self.instance.original_name = upload.name[-255:]
            self.instance.size = upload.size
        return upload

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("url")) == bool(cleaned.get("file")) and not self.errors:
            raise forms.ValidationError("Give either a link or a file (one or the other).")
        return cleaned


class ReviewCommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReportingQuarterForm(forms.Form):
    """Add a reporting quarter: which financial-year quarter, when it opens, when reviews are due."""

    first_year = forms.IntegerField(label="Financial year starting in", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        coerce=int,
        choices=[(1, "Q1 (Apr-Jun)"), (2, "Q2 (Jul-Sep)"), (3, "Q3 (Oct-Dec)"), (4, "Q4 (Jan-Mar)")],
    )
    opens_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible_date],
    )
    due_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible_date],
    )
    status = forms.ChoiceField(
        choices=ReportingQuarter.Status.choices, initial=ReportingQuarter.Status.SCHEDULED
    )

    def clean(self):
        cleaned = super().clean()
        year, quarter = cleaned.get("first_year"), cleaned.get("quarter")
        if year and quarter:
            start, end = periods.quarter_bounds(year, quarter)
            if ReportingQuarter.objects.filter(
                period__kind=Period.Kind.QUARTER, period__start=start
            ).exists():
                raise forms.ValidationError(
                    f"{periods.financial_year_label(year)} Q{quarter} is already set up."
                )
        opens_on, due_on = cleaned.get("opens_on"), cleaned.get("due_on")
        if opens_on and due_on and due_on < opens_on:
            raise forms.ValidationError("The due date must be on or after the opening date.")
        return cleaned

    def save(self) -> ReportingQuarter:
        data = self.cleaned_data
        period = Period.objects.financial_quarter(data["first_year"], data["quarter"])
        quarter = ReportingQuarter.objects.create(
            period=period, opens_on=data["opens_on"], due_on=data["due_on"], status=data["status"]
        )
        if quarter.is_open():
            from reviews.services import quarter_opened

            quarter_opened(quarter)
        return quarter
