"""The edition model readers know: date → page (版) → item, in printed order."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain, groupby
from operator import attrgetter

WEEKDAYS = "一二三四五六日"
ROLES = attrgetter("roles")
PAGE = attrgetter("page")


@dataclass(eq=False)
class EditionPage:
    """One printed page of one edition, e.g. A06 湛河区, with its items in order."""

    edition: "Edition"
    number: str
    name: str
    items: list
    url: str = ""
    save_as: str = ""
    prev: "EditionPage | None" = None
    next: "EditionPage | None" = None
    printed: object = None  # the page as printed, when its PDF is in content/ (printed_page.page.PrintedPage)

    @property
    def slug(self):
        return self.number.lower()


@dataclass(eq=False)
class Edition:
    """One day's paper: its pages in page order."""

    date: object
    pages: list = field(default_factory=list)
    url: str = ""
    save_as: str = ""
    prev: "Edition | None" = None
    next: "Edition | None" = None
    month: object = None  # its month in the archive's calendar (calendar.Month)
    printed_key: str = ""  # what its printed pages show (pictures, zones): a change renders its pages again

    @property
    def lead(self):
        return self.pages[0].items[0]

    @property
    def items(self):
        return [item for page in self.pages for item in page.items]


def page_order(item):
    """Newest edition first, then page, then position: how a paper is read."""
    return (-item.date.toordinal(), item.page, item.position)


def in_page_order(items):
    """`items` sorted by page_order, in less time than a sort by it (a key made for each item in Python;
    0.6 s for 200,000 reports): grouped by day, each day sorted by page and position."""
    days = {}
    for item in items:
        day = item.date.toordinal()
        if day in days:
            days[day].append(item)
        else:
            days[day] = [item]
    in_day = attrgetter("page", "position")
    ordered = []
    for day in sorted(days, reverse=True):
        ordered += sorted(days[day], key=in_day)
    return ordered


page_order.ordered = in_page_order  # how Pelican's lists are put in this order at once (pelican_internals.add_kept_articles)


def link(sequence):
    """Set prev/next on each element of an ordered sequence; None at the ends."""
    for before, after in zip(sequence, sequence[1:], strict=False):
        before.next, after.prev = after, before


def build_editions(items, settings):
    """Group items into editions (newest first) and pages; link everything in order. Pelican's
    articles are in page order already (ARTICLE_ORDER_BY): they are not sorted again. (Pelican logs
    a failure to sort them as an error, which stops every build the site runs: `--fatal warnings`.)"""
    editions = []
    if settings.get("ARTICLE_ORDER_BY") is not page_order:
        items = sorted(items, key=page_order)
    for day, day_items in groupby(items, key=lambda item: item.date.date()):
        edition = Edition(day)
        edition.url = settings["EDITION_URL"].format(date=day)
        edition.save_as = settings["EDITION_SAVE_AS"].format(date=day)
        for number, page_items in groupby(day_items, key=PAGE):
            page_items = list(page_items)
            page = EditionPage(edition, number, page_items[0].category.name, page_items)
            page.url = settings["EDITION_PAGE_URL"].format(date=day, page=page.slug)
            page.save_as = settings["EDITION_PAGE_SAVE_AS"].format(date=day, page=page.slug)
            edition.pages.append(page)
            # Each item's neighbours on its page and its page, in one pass (three attributes an item, 200,000 items).
            for before, item, after in zip([None, *page_items[:-1]], page_items, [*page_items[1:], None], strict=True):
                item.prev, item.next, item.edition_page = before, after, page
        link(edition.pages)
        editions.append(edition)
    # Editions run newest first; "prev" is the older one, "next" the newer one.
    link(editions[::-1])
    return editions


def chinese_date(value):
    """2020-12-30 → 2020年12月30日 星期三."""
    return f"{value.year}年{value.month}月{value.day}日 星期{WEEKDAYS[value.weekday()]}"


def people_index(authors, articles):
    """[(author, articles)] → rows with each person's roles and counts, by pinyin. The roles are
    counted in one pass over the reports the lists are made of (`articles`), at C speed: a person is
    on thousands, and each report's roles are {person's slug: role}."""
    roles = defaultdict(list)
    for (slug, role), count in sorted(Counter(chain.from_iterable(map(dict.items, map(ROLES, articles)))).items()):
        roles[slug].append((role, count))
    rows = [{"person": author, "count": len(listed), "roles": roles.get(author.slug, [])} for author, listed in authors]
    return sorted(rows, key=lambda row: row["person"].slug)


def tag_index(tags):
    """[(tag, articles)] → rows of tag and count, most used first, then by pinyin."""
    rows = [{"tag": tag, "count": len(articles)} for tag, articles in tags]
    return sorted(rows, key=lambda row: (-row["count"], row["tag"].slug))
