"""往期 as a calendar: the months of the archive, each day linked where the paper appeared."""

import datetime
from types import SimpleNamespace

from edition.calendar import calendar_months


def editions(*dates):
    return [SimpleNamespace(date=datetime.date.fromisoformat(date), url=f"{date}/") for date in dates]


def test_each_month_with_an_edition_is_a_grid_of_weeks_from_monday_newest_month_first():
    months = calendar_months(editions("2020-12-30", "2020-12-31", "2021-01-04"))
    assert [month.label for month in months] == ["2021年1月", "2020年12月"]
    december = months[1]
    assert all(len(week) == 7 for week in december.weeks)
    first_week = december.weeks[0]
    assert first_week[0] is None and first_week[1].date == datetime.date(2020, 12, 1)  # 1 December 2020 was a Tuesday
    linked = [day.date.day for week in december.weeks for day in week if day and day.edition]
    assert linked == [30, 31]
    assert december.editions == 2
    days = [day for week in december.weeks for day in week if day]
    assert len(days) == 31


def test_a_month_knows_the_days_it_links_and_a_day_its_weekday_name():
    december = calendar_months(editions("2020-12-28", "2020-12-30"))[0]
    assert december.key == "28,30"
    assert december.weekdays == "一二三四五六日"
    wednesday = next(day for week in december.weeks for day in week if day and day.date.day == 30)
    assert wednesday.weekday == "三"
