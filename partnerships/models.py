"""Partnerships, the areas they cover over time, mergers and memberships.

Police and ONS figures name *areas* (usually districts); a *partnership* covers
one or more areas over time. A merger makes a new partnership from predecessors
on a date, so the same area belongs to different partnerships before and after.
"""

import datetime
import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from partnerships.dates import validate_plausible_date


def normalise_area_name(name: str) -> str:
    """Fold the spellings that differ between files: case, '&'/'and', 'City of', 'the', punctuation.

    "Bristol, City of", "City of Bristol" and "bristol" all give "bristol";
    "Vale of the White Horse" and "Vale of White Horse" both give "vale of white horse".
    """
    text = name.lower().replace("&", " and ")
    text = re.sub(r"\[[^\]]*\]", " ", text)  # note markers such as "[note 2]"
    text = re.sub(r",\s*city of\b", " ", text)
    text = re.sub(r"^\s*city of\b", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = [w for w in text.split() if w != "the"]
    return " ".join(words)


class User(AbstractUser):
    """A person who signs in. Roles come from flags and partnership memberships.

    - admin: ``is_superuser``: runs the framework, imports, the Django admin;
    - scrutiny member: ``is_scrutiny_member``: reads everything, changes nothing;
    - officer / lead: a :class:`Membership` of one or more partnerships.
    """

    is_scrutiny_member = models.BooleanField(
        "scrutiny committee member",
        default=False,
        help_text="Reads every partnership's plans and dashboards; can change nothing.",
    )
    # Notifications: how many are unread (kept here so the menu's count costs no query), and the kinds
    # this user does not want by email (they still arrive in the app).
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)
    email_off = models.JSONField(default=list, blank=True, editable=False)
    job_title = models.CharField(max_length=120, blank=True)
    organisation = models.CharField(max_length=120, blank=True, help_text="e.g. Thames Valley Police")

    # Role changes (admin, scrutiny, active) are audited; passwords and sign-in times are not kept.
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "unread_notifications", "email_off"]
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.is_superuser

    @cached_property
    def membership_roles(self) -> dict[int, str]:
        """partnership id -> role, loaded once per request."""
        if not self.is_authenticated:
            return {}
        return dict(self.memberships.values_list("partnership_id", "role"))

    def is_member_of(self, partnership_id: int) -> bool:
        return partnership_id in self.membership_roles

    def is_lead_of(self, partnership_id: int) -> bool:
        return self.membership_roles.get(partnership_id) == Membership.Role.LEAD

    @property
    def has_role(self) -> bool:
        """Admin, scrutiny member or a partnership's officer or lead. A signed-in user with none of these
        (a membership removed, an account made ahead of its role) sees only a page saying so."""
        return self.is_admin or (self.is_active and self.is_scrutiny_member) or bool(self.membership_roles)

    @property
    def role_label(self) -> str:
        if self.is_admin:
            return "Administrator"
        if self.is_scrutiny_member:
            return "Scrutiny committee member"
        roles = set(self.membership_roles.values())
        if Membership.Role.LEAD in roles:
            return "Partnership lead"
        if roles:
            return "Partnership officer"
        return "No role yet"  # as the one page such a user sees says (not "Reader": they read nothing)


class Area(models.Model):
    """A geography police figures are reported for, usually a local authority district."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    population = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Resident population, used to combine rates and percentages across areas.",
    )
    population_source = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AreaPopulationQuerySet(models.QuerySet):
    def by_area_and_year(self, area_ids) -> dict[int, dict[int, int]]:
        """area id -> {mid-year: population} for the areas (1 query)."""
        found: dict[int, dict[int, int]] = {}
        for area_id, year, population in self.filter(area_id__in=area_ids).values_list(
            "area_id", "year", "population"
        ):
            found.setdefault(area_id, {})[year] = population
        return found


class AreaPopulation(models.Model):
    """An area's resident population at one mid-year (ONS mid-year estimates: 2011 is mid-2011)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField("mid-year", help_text="e.g. 2011 for the mid-2011 estimate.")
    population = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True, help_text="e.g. ONS mid-year estimates 2011")

    objects = AreaPopulationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__name", "-year"]
        verbose_name = "area population"
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year"],
                name="areapopulation_one_per_year",
                violation_error_message="This area already has a population for that mid-year.",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1981) & Q(year__lte=2100),
                name="areapopulation_year_plausible",
                violation_error_message="A mid-year is a year such as 2011.",
            ),
        ]

    def __str__(self):
        return f"{self.area}, mid-{self.year}: {self.population:,}"


class AreaCode(models.Model):
    """One of an area's ONS codes. An area can carry several: district and CSP codes, old and new."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "la", "Local authority district (E06/E07/E08/E09/W06)"
        CSP = "csp", "Community Safety Partnership area (E22/W22)"
        OTHER = "other", "Other"

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=12, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.LOCAL_AUTHORITY)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][0-9]{8}$"),
                name="areacode_code_is_ons_shape",
                violation_error_message="An ONS code is a letter and eight digits, e.g. E07000179.",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


class AreaAlias(models.Model):
    """Another spelling of an area's name as it appears in police or ONS files."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=120)
    normalised = models.CharField(max_length=120, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "area aliases"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalised = normalise_area_name(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.normalised = normalise_area_name(self.name)
        clash = AreaAlias.objects.filter(normalised=self.normalised).exclude(pk=self.pk).first()
        if clash:
            raise ValidationError({"name": f"“{clash.name}” is already a spelling of {clash.area}."})


class PartnershipQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None):
        """Partnerships that cover at least one area on the date (today by default)."""
        on = on or datetime.date.today()
        covering = PartnershipArea.objects.filter(partnership=OuterRef("pk")).covering(on)
        return self.filter(Exists(covering))

    def former(self, on: datetime.date | None = None):
        on = on or datetime.date.today()
        covering = PartnershipArea.objects.filter(partnership=OuterRef("pk")).covering(on)
        return self.exclude(Exists(covering))

    def for_list(self):
        """Everything the partnership list shows, in a fixed number of queries."""
        return self.prefetch_related(
            models.Prefetch(
                "coverage", queryset=PartnershipArea.objects.select_related("area").order_by("area__name")
            )
        )


class Partnership(models.Model):
    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=40, blank=True, help_text="For table headings, e.g. 'Cherwell'.")
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    areas = models.ManyToManyField(Area, through="PartnershipArea", related_name="partnerships")

    objects = PartnershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dashboards:partnership", args=[self.slug])

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def can_edit(self, user) -> bool:
        """May this user change the partnership's action plan?"""
        return user.is_authenticated and (user.is_admin or user.is_member_of(self.pk))

    def can_view_reviews(self, user) -> bool:
        """The quarterly review pages and evidence are the partnership's working area: its own people,
        admins and scrutiny members see them; officers of other partnerships do not (they see the
        results on the dashboards)."""
        return user.is_authenticated and (self.can_edit(user) or user.is_scrutiny_member)

    def can_sign_off(self, user) -> bool:
        return user.is_authenticated and (user.is_admin or user.is_lead_of(self.pk))

    def areas_on(self, on: datetime.date):
        return Area.objects.filter(
            coverage__partnership=self, coverage__in=PartnershipArea.objects.covering(on)
        )


class PartnershipAreaQuerySet(models.QuerySet):
    def covering(self, on: datetime.date):
        """Coverage rows in force on the date."""
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))


class PartnershipArea(models.Model):
    """A partnership covers an area from ``start`` until ``end`` (open when blank)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="coverage")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="coverage")
    start = models.DateField(validators=[validate_plausible_date])
    end = models.DateField(null=True, blank=True, validators=[validate_plausible_date])

    history = HistoricalRecords()
    objects = PartnershipAreaQuerySet.as_manager()

    class Meta:
        ordering = ["start", "area__name"]
        verbose_name = "area covered"
        verbose_name_plural = "areas covered"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="partnershiparea_end_after_start",
                violation_error_message="The coverage must end on or after the day it starts.",
            ),
            models.UniqueConstraint(
                fields=["partnership", "area", "start"],
                name="partnershiparea_unique_start",
                violation_error_message="This partnership already covers this area from that date.",
            ),
        ]

    def __str__(self):
        until = f" to {self.end:%d %b %Y}" if self.end else ""
        return f"{self.partnership} covers {self.area} from {self.start:%d %b %Y}{until}"

    def covers(self, on: datetime.date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


class Merger(models.Model):
    """A partnership formed from predecessors on a date; a pilot merger can end (the partnerships split)."""

    successor = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="formed_by")
    predecessors = models.ManyToManyField(Partnership, related_name="merged_into")
    effective_from = models.DateField(validators=[validate_plausible_date])
    is_pilot = models.BooleanField(default=False)
    ended_on = models.DateField(
        null=True,
        blank=True,
        help_text="When a pilot ended and the partnerships split.",
        validators=[validate_plausible_date],
    )
    note = models.TextField(blank=True)

    history = HistoricalRecords(m2m_fields=[predecessors])

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("effective_from")),
                name="merger_ends_after_it_starts",
                violation_error_message="A merger must end after the date it takes effect.",
            ),
        ]

    def __str__(self):
        kind = "pilot merger" if self.is_pilot else "merger"
        return f"{self.successor} ({kind} from {self.effective_from:%d %B %Y})"

    def can_end(self, user) -> bool:
        """A pilot that is still running can be ended, by an admin."""
        return user.is_admin and self.is_pilot and self.ended_on is None


class MembershipQuerySet(models.QuerySet):
    def leads(self):
        return self.filter(role=Membership.Role.LEAD)


class Membership(models.Model):
    """A user works for a partnership as an officer (updates the plan) or lead (also signs off)."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Officer"
        LEAD = "lead", "Lead"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OFFICER)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership__name", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"],
                name="membership_one_role_per_partnership",
                violation_error_message="This person already has a role in this partnership.",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.partnership}"


class AuditEventQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("user").order_by("-at", "-pk")


class AuditEvent(models.Model):
    """One change to anything the tracker keeps a history of: who, when, what, old -> new.

    Written from django-simple-history's records (plans, reviews, measures, baselines, memberships,
    users' roles, imports), so it can be searched and exported in one place.
    """

    class Action(models.TextChoices):
        CREATED = "+", "Created"
        CHANGED = "~", "Changed"
        DELETED = "-", "Deleted"

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text="Kept even if the user is deleted.")
    action = models.CharField(max_length=1, choices=Action.choices)
    model = models.CharField(
        max_length=100, db_index=True, help_text="What kind of record, e.g. Deliverable."
    )
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField("record", max_length=300)
    changes = models.TextField(blank=True)
    reason = models.CharField(max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["model", "object_id"], name="auditevent_record"),
            # The latest entry for a kind of record, in one probe (Measure.objects.with_figures_version).
            models.Index(fields=["model", "id"], name="auditevent_model_latest"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.model} “{self.object_repr}” by {self.username or 'system'}"


class Notification(models.Model):
    """Something a person is told, in the app (and by email unless they turned that kind off)."""

    class Kind(models.TextChoices):
        QUARTER_OPENED = "quarter_opened", "A quarter opens for updates"
        DUE_SOON = "due_soon", "Updates due soon"
        SUBMITTED = "submitted", "A review is submitted for sign-off"
        RETURNED = "returned", "A review is returned for changes"
        SIGNED_OFF = "signed_off", "A review is signed off"
        UNLOCKED = "unlocked", "A review is unlocked"
        IMPORT_APPLIED = "import_applied", "An import is applied"
        IMPORT_FAILED = "import_failed", "An import fails"
        STRATEGY_ADOPTED = "strategy_adopted", "A strategy is adopted"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_newest")]

    def __str__(self):
        return self.subject
