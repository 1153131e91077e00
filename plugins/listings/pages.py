"""Stable pagination: archive pages are numbered from the oldest item.

The first page of a list (the tag's or person's own URL) shows the newest
items and the totals; older items sit on numbered pages of exactly `size`
items, counted from the oldest, which show no totals, so a new report
changes the first page and never the numbered ones already published.
"""

from dataclasses import dataclass, field


@dataclass
class ListPage:
    """One page of a list: its items (newest first) and links to its neighbours."""

    items: list
    url: str
    save_as: str
    number: int = 0  # 0 for the first page, else the page's number from the oldest
    pages: int = 1
    total: int = 0
    newer: "ListPage | None" = field(default=None, repr=False)
    older: "ListPage | None" = field(default=None, repr=False)


def paginate(items, size, url, save_as, page_url, page_save_as):
    """items newest first → [first page, newest numbered page, …, page 1]."""
    total = len(items)
    oldest_first = items[::-1]
    complete = total // size if total > size else 0
    first = ListPage(items[:size], url, save_as, total=total)
    numbered = [
        ListPage(oldest_first[(n - 1) * size : n * size][::-1], page_url.format(number=n), page_save_as.format(number=n), number=n, total=total)
        for n in range(complete, 0, -1)
    ]
    pages = [first, *numbered]
    for newer, older in zip(pages, pages[1:], strict=False):
        newer.older, older.newer = older, newer
    for page in pages:
        page.pages = len(pages)
    return pages
