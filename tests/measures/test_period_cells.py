"""Period cells and typed-in periods (``parse_period``): the months beside a financial year are that
year's, and a quarter is named by its end only when it ends a quarter the tracker keeps."""

import pytest

from measures.importing.period_labels import find_period_in_text, parse_period, period_label


@pytest.mark.parametrize(
    "cell, label",
    [
        ("Quarter ending December 2012", "2012/13 Q3"),
        ("quarter ended 31 March 2013", "2012/13 Q4"),
        ("Three months to June 2012", "2012/13 Q1"),
        ("Jan-Mar 2012/13", "2012/13 Q4"),
        ("October to December 2012-13", "2012/13 Q3"),
        ("2012/13 Apr-Jun", "2012/13 Q1"),
        ("Year ending March 2012/13", "2012/13"),
        ("March 2012/13", "March 2013"),
        ("April 2012/13", "April 2012"),
        ("Apr-Jun 2011", "2011/12 Q1"),
        ("2012/13 Q3", "2012/13 Q3"),
        # Session 11's sweep: refused as unknown.
        ("2023/24 P", "2023/24"),
        ("2023/24 (provisional)", "2023/24"),
        ("2023/24r", "2023/24"),
        ("12m to Dec-23", "12 months to Dec 2023"),
        ("Rolling 12 months to Mar 2024", "2023/24"),
        ("FY23/24", "2023/24"),
        ("2023-10 to 2023-12", "2023/24 Q3"),
        ("2023-03-31", "March 2023"),
        # Sweep 12: a quarter of a financial year with two-digit years.
        ("Q2 23/24", "2023/24 Q2"),
        ("23/24 Q2", "2023/24 Q2"),
        ("FY23/24 Q2", "2023/24 Q2"),
        ("Quarter 4 12/13", "2012/13 Q4"),
        # Sweep 12's leftovers: a quarter with its months, short years, a year before its month, a month
        # and year in figures, and a cell giving the period's first and last days.
        ("2023/24 Q2 (Jul-Sep)", "2023/24 Q2"),
        ("Q2 (July to September) 2023-24", "2023/24 Q2"),
        ("Q3 2023/24 Oct-Dec", "2023/24 Q3"),
        ("Jul-Sep 23", "2023/24 Q2"),
        ("Jan-Mar 24", "2023/24 Q4"),
        ("2023 July", "July 2023"),
        ("09/2023", "September 2023"),
        ("9.2023", "September 2023"),
        ("2023M04", "April 2023"),  # the ONS's time series
        ("2023 M4", "April 2023"),
        ("01/07/2023 - 30/09/2023", "2023/24 Q2"),
        ("07/01/2023 - 09/30/2023", "2023/24 Q2"),  # American: the British reading is no span of months
        ("2023-07-01 to 2023-09-30", "2023/24 Q2"),
        ("1 July 2023 to 30 September 2023", "2023/24 Q2"),
        ("01/04/2023 - 31/03/2024", "2023/24"),
        ("01/09/2023 - 30/09/2023", "September 2023"),
        # A quarter's number beside its months and a calendar year: the months settle which it is.
        ("Q2 (Jul-Sep) 2023", "2023/24 Q2"),
        ("Quarter 2 (July - September) 2023", "2023/24 Q2"),
        ("Jan–Mar 2024 (Q4)", "2023/24 Q4"),
        ("Q1 (Jan-Mar) 2024", "2023/24 Q4"),  # the calendar year's first quarter
        ("Q2 (Apr-Jun) 2023", "2023/24 Q1"),
        ("07/2023-09/2023", "2023/24 Q2"),
    ],
)
def test_period_cells_are_read_with_each_month_in_its_own_year(cell, label):
    assert period_label(parse_period(cell)) == label


@pytest.mark.parametrize(
    "cell",
    [
        "Quarter ending November 2012",
        "Quarter ending 30 December 2012",
        "Q3 2012",
        "January to March 2012/14",
        "Q2 23/25",  # no financial year
        "Q2 23-24",  # with a hyphen, perhaps a span of dates
        "2023/24 Q2 (Oct-Dec)",  # the months are another quarter's
        "Q3 (Jan-Mar) 2024",  # January to March is the first quarter or the fourth, never the third
        "07/2023 - 08/2023",  # two months
        "2023/09",  # "2011/12" is a financial year: a month so written cannot be told from one
        "13/2023",
        "2023M13",
        "01/07/2023 - 15/09/2023",  # not whole months
        "01/07/2023 - 31/10/2023",  # four months
    ],
)
def test_a_quarter_the_tracker_does_not_keep_or_cannot_place_is_no_period(cell):
    assert parse_period(cell) is None


def test_months_beside_no_financial_year_are_not_read_with_its_first_year():
    """ "2012/14" is no financial year: its months are not taken for 2012's."""
    assert find_period_in_text("Recorded crime, January to March 2012/14") is None
