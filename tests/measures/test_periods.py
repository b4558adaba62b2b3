import datetime

import pytest
from django.db import IntegrityError

from measures import periods
from measures.models import Period


def test_quarter_four_of_2010_11_lies_in_calendar_2011():
    assert periods.quarter_bounds(2010, 4) == (datetime.date(2011, 1, 1), datetime.date(2011, 3, 31))


def test_quarters_run_april_to_march():
    assert periods.quarter_bounds(2011, 1) == (datetime.date(2011, 4, 1), datetime.date(2011, 6, 30))
    assert periods.quarter_bounds(2011, 2) == (datetime.date(2011, 7, 1), datetime.date(2011, 9, 30))
    assert periods.quarter_bounds(2011, 3) == (datetime.date(2011, 10, 1), datetime.date(2011, 12, 31))


@pytest.mark.parametrize(
    "day, expected",
    [
        (datetime.date(2011, 3, 31), (2010, 4)),
        (datetime.date(2011, 4, 1), (2011, 1)),
        (datetime.date(2011, 12, 31), (2011, 3)),
        (datetime.date(2012, 2, 29), (2011, 4)),
    ],
)
def test_quarter_of_a_day(day, expected):
    assert periods.quarter_of(day) == expected


def test_labels_as_uk_public_bodies_write_them():
    assert periods.financial_year_label(2010) == "2010/11"
    assert periods.financial_year_label(1999) == "1999/00"
    assert periods.strategy_span_label(2011) == "2011-14"


def test_no_quarter_five():
    with pytest.raises(ValueError):
        periods.quarter_bounds(2011, 5)


@pytest.mark.django_db
def test_period_rows_are_labelled_and_reused():
    q1 = Period.objects.financial_quarter(2011, 1)
    assert q1.label == "2011/12 Q1"
    assert Period.objects.financial_quarter(2011, 1) == q1
    assert Period.objects.financial_year(2010).label == "2010/11"
    rolling = Period.objects.rolling_year_to(datetime.date(2024, 12, 31))
    assert (rolling.start, rolling.end, rolling.label) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
        "12 months to Dec 2024",
    )
    march = Period.objects.rolling_year_to(datetime.date(2011, 3, 31))
    assert march.start == datetime.date(2010, 4, 1)
    assert Period.objects.month(2018, 6).label == "June 2018"


@pytest.mark.django_db
def test_one_period_row_per_span():
    Period.objects.financial_quarter(2011, 1)
    with pytest.raises(IntegrityError):
        Period.objects.create(
            kind=Period.Kind.QUARTER, start=datetime.date(2011, 4, 1), end=datetime.date(2011, 6, 30)
        )
