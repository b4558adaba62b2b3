import datetime

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from measures.models import (
    Baseline,
    IgnoredLabel,
    ImportBatch,
    Measure,
    MeasureComponent,
    MeasureValue,
    Period,
)
from partnerships.models import Area, AreaCode, Membership, Partnership, PartnershipArea, User
from reviews.models import DeliverableUpdate, Evidence, ReportingQuarter
from strategies.models import CommonTheme, Deliverable, Framework, Objective, Priority, Strategy

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    population = 100_000


class AreaCodeFactory(DjangoModelFactory):
    class Meta:
        model = AreaCode

    area = factory.SubFactory(AreaFactory)
    code = factory.Sequence(lambda n: f"E07{n:06d}")


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")


class PartnershipAreaFactory(DjangoModelFactory):
    class Meta:
        model = PartnershipArea

    partnership = factory.SubFactory(PartnershipFactory)
    area = factory.SubFactory(AreaFactory)
    start = datetime.date(2004, 4, 1)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Membership.Role.OFFICER


class FrameworkFactory(DjangoModelFactory):
    class Meta:
        model = Framework

    name = factory.Sequence(lambda n: f"County framework {n}")
    county = "Testshire"
    first_year = 2011


class PriorityFactory(DjangoModelFactory):
    class Meta:
        model = Priority

    framework = factory.SubFactory(FrameworkFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Priority {n}")
    context = "Why this priority matters."


class CommonThemeFactory(DjangoModelFactory):
    class Meta:
        model = CommonTheme

    priority = factory.SubFactory(PriorityFactory)
    title = factory.Sequence(lambda n: f"Theme {n}")


class StrategyFactory(DjangoModelFactory):
    class Meta:
        model = Strategy

    partnership = factory.SubFactory(PartnershipFactory)
    framework = factory.SubFactory(FrameworkFactory)
    first_year = 2011
    status = Strategy.Status.ADOPTED


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    strategy = factory.SubFactory(StrategyFactory)
    priority = factory.SubFactory(PriorityFactory, framework=factory.SelfAttribute("..strategy.framework"))
    title = factory.Sequence(lambda n: f"Local objective {n}")


class DeliverableFactory(DjangoModelFactory):
    class Meta:
        model = Deliverable

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Deliverable {n}")
    lead_agency = "Thames Valley Police"
    due_date = datetime.date(2013, 3, 31)
    status = Deliverable.Status.ON_TRACK


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    name = factory.Sequence(lambda n: f"Measure {n}")
    slug = factory.Sequence(lambda n: f"measure-{n}")
    unit = Measure.Unit.COUNT
    desired_direction = Measure.Direction.DOWN


class BaselineFactory(DjangoModelFactory):
    class Meta:
        model = Baseline

    measure = factory.SubFactory(MeasureFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    period = factory.LazyFunction(lambda: Period.objects.financial_year(2010))
    value = 100


class MeasureValueFactory(DjangoModelFactory):
    class Meta:
        model = MeasureValue

    measure = factory.SubFactory(MeasureFactory)
    area = factory.SubFactory(AreaFactory)
    period = factory.LazyFunction(lambda: Period.objects.financial_quarter(2011, 1))
    value = 10


class ReportingQuarterFactory(DjangoModelFactory):
    class Meta:
        model = ReportingQuarter

    period = factory.LazyFunction(lambda: Period.objects.financial_quarter(2011, 1))
    status = ReportingQuarter.Status.OPEN
    opens_on = factory.LazyAttribute(lambda q: q.period.end + datetime.timedelta(days=1))


class DeliverableUpdateFactory(DjangoModelFactory):
    class Meta:
        model = DeliverableUpdate

    deliverable = factory.SubFactory(DeliverableFactory)
    quarter = factory.SubFactory(ReportingQuarterFactory)
    status = Deliverable.Status.ON_TRACK
    rag = DeliverableUpdate.Rag.GREEN
    progress = 40
    commentary = "Going well."


class EvidenceFactory(DjangoModelFactory):
    class Meta:
        model = Evidence

    update = factory.SubFactory(DeliverableUpdateFactory)
    title = "Minutes of the March meeting"
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"))
    original_name = "minutes.pdf"
    content_type = "application/pdf"
    size = 16


class MeasureComponentFactory(DjangoModelFactory):
    class Meta:
        model = MeasureComponent

    measure = factory.SubFactory(MeasureFactory)
    label = factory.Sequence(lambda n: f"Offence line {n}")


class IgnoredLabelFactory(DjangoModelFactory):
    class Meta:
        model = IgnoredLabel

    label = factory.Sequence(lambda n: f"Unused line {n}")


class ImportBatchFactory(DjangoModelFactory):
    class Meta:
        model = ImportBatch

    file_name = factory.Sequence(lambda n: f"figures-{n}.csv")
    checksum = factory.Sequence(lambda n: f"{n:064x}")
    layout = ImportBatch.Layout.TEMPLATE
    status = ImportBatch.Status.APPLIED
    summary = factory.LazyFunction(dict)
