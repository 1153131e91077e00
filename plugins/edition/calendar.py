"""往期 as a calendar: months of day cells, each day linked to its edition where there is one."""

import calendar
from dataclasses import dataclass

from .model import WEEKDAYS

WEEK = calendar.Calendar(firstweekday=0)  # Monday first, as Chinese calendars print it


@dataclass(frozen=True)
class Day:
    date: object
    edition: object = None  # None on a day the paper did not appear (or before the archive)

    @property
    def weekday(self):
        """三 for a Wednesday: the day's name is 星期三."""
        return WEEKDAYS[self.date.weekday()]


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    weeks: tuple  # of 7 cells each: a Day, or None outside the month

    @property
    def label(self):
        return f"{self.year}年{self.month}月"

    @property
    def id(self):
        return f"m{self.year}-{self.month:02d}"

    @property
    def editions(self):
        return sum(1 for week in self.weeks for day in week if day and day.edition)

    @property
    def key(self):
        """The days of the month that have an edition: all a page showing the month depends on."""
        return ",".join(str(day.date.day) for week in self.weeks for day in week if day and day.edition)

    weekdays = WEEKDAYS  # the columns, Monday first


def calendar_months(editions, newest_first=True):
    """Every month that has an edition, each a grid of weeks; the archive's calendar."""
    by_date = {edition.date: edition for edition in editions}
    months = sorted({(date.year, date.month) for date in by_date}, reverse=newest_first)
    return [month_grid(year, month, by_date) for year, month in months]


def month_grid(year, month, by_date):
    weeks = tuple(tuple(Day(date, by_date.get(date)) if date.month == month else None for date in week) for week in WEEK.monthdatescalendar(year, month))
    return Month(year, month, weeks)
