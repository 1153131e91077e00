"""What a page is made of, as a short digest: equal digests mean an equal page.

A page's digest covers the theme, the plugins, the settings and the objects
the page is rendered from (an item, a list page, an edition page). Anything
else a template reads is site-wide (indexes, the front page): those pages
have no digest and are always rendered.
"""

import hashlib

from pelican.contents import Article

from build_cache.keys import digest
from site_build.pelican_internals import context_of

SUBJECTS = ("article", "listing", "edition_page", "edition", "elements")


def text_digest(text, size=16):
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).hexdigest()


ITEM_DIGEST = 8  # bytes of an item's digest: recorded in each report page's value (incremental.writer), 50,000 of them


def neighbour(item):
    return f"{item.url}\x1f{item.title!r}" if item is not None else "\x1e"


def neighbour_page(page):
    """The 版 a report at its page's end links to instead of an item (article.html)."""
    return f"{page.url}\x1f{page.number}\x1f{page.name!r}" if page is not None else "\x1e"


def item_digest(item):
    """An item as every page that shows it sees it: its source, place and neighbours (at its page's
    ends, the 版 before or after), and the URLs
    of the files its body links to ({filename}…: a report that moves changes the pages linking to it).

    Worked out once a build per item, for 60,000 pages at 50,000 reports: one string of its parts
    (repr only of what an editor writes, and of what few items have), one digest."""
    state = item.__dict__
    known = state.get("_page_digest")
    if known is not None:
        return known
    page = item.edition_page
    linked = state.get("linked")
    targets = repr([linked_urls(context_of(item), names) for names in linked]) if linked else ""
    pictures = state.get("photo_keys")  # its photos' keys, its printed page's (photos, printed_page)
    text = "\x1f".join(
        (
            item.source_digest,
            item.url,
            page.number,
            repr(page.name),
            page.url,
            neighbour(item.prev) if item.prev is not None else neighbour_page(page.prev),
            neighbour(item.next) if item.next is not None else neighbour_page(page.next),
            targets,
            repr(pictures) if pictures else "",
        )
    )
    known = state["_page_digest"] = text_digest(text, ITEM_DIGEST)
    return known


def linked_urls(context, names):
    """The URLs of what a link's names (content_schema.reader.linked_paths) find, content or static."""
    return tuple(getattr(context.get(table, {}).get(name), "url", None) for table in ("generated_content", "static_content") for name in names)


def item_digests(items):
    """item_digest of each item, joined in one string (quick to digest again); a list page of
    50 items asks for 50, and there are 60,000 pages."""
    try:
        return "".join([item._page_digest for item in items])
    except AttributeError:
        return "".join([item_digest(item) for item in items])


def subject_digest(value):
    """Digest of the object a page is about; None if it cannot be described."""
    if isinstance(value, Article):  # or a subclass (build_cache.cache.StoredArticle)
        return item_digest(value)
    kind = type(value).__name__
    if kind == "ListPage":
        links = [(page.url if page else None) for page in (value.newer, value.older)]
        # A numbered (older) page shows neither the total nor the page count: it must not change with them.
        totals = (value.pages, value.total) if value.number == 0 else ()
        return digest(kind, value.url, value.number, totals, links, item_digests(value.items))
    if kind == "EditionPage":
        links = [(page.url, page.name) if page else None for page in (value.prev, value.next)]
        return digest(kind, value.url, value.name, links, subject_digest(value.edition), item_digests(value.items))
    if kind == "Edition":
        # Asked for by each of the edition's pages (版) too: worked out once a build.
        try:
            return value.__dict__["_subject_digest"]
        except KeyError:
            links = [edition.url if edition else None for edition in (value.prev, value.next)]
            value.__dict__["_subject_digest"] = digest(kind, value.url, links, [(p.url, p.name, item_digests(p.items)) for p in value.pages])
            return value.__dict__["_subject_digest"]
    if isinstance(value, list):
        return digest([subject_digest(element) for element in value])
    return None


def edition_key(base, items):
    """What the report pages of one edition are made of, in 16 hex digits: the build's base and every
    item's file and bytes, URL, template, section, link targets and photos, in printed order.

    Each report page's digest (item_digest, page_digest) is made of these alone: an item's neighbours
    and page are the edition's, its title and place its file's. An edition whose key is the last
    build's has the same report pages, whose digests the manifest has (incremental.writer), so that a
    new day need not digest the archive's 50,000 report pages one by one. A report's URL and name are
    taken from its dict as its properties give them (BodyElsewhereArticle), without their calls."""
    parts = [base]
    for item in items:
        state = item.__dict__
        linked = state.get("linked")
        targets = repr([linked_urls(context_of(item), names) for names in linked]) if linked else ""
        pictures = state.get("photo_keys")
        category = item.category
        parts.append(
            f"{item.source_path}\x1f{item.source_digest}\x1f{state.get('override_url') or item.url}\x1f{state.get('override_save_as') or item.save_as}"
            f"\x1f{item.template}\x1f{getattr(category, 'slug', category)!r}\x1f{targets}\x1f{pictures!r}"
        )
    return hashlib.blake2b("\x1e".join(parts).encode("utf-8"), digest_size=8).hexdigest()


SUBJECT_KEYS = frozenset(SUBJECTS)
REPORT_PAGE = frozenset(("article", "category", "override_output", "url", "blog", "relative_urls"))  # what Pelican gives a report's page


def page_digest(base, name, template_name, kwargs):
    """Digest of one output file, or None when it must always be rendered.

    One pass over the page's arguments: there are 60,000 pages at 50,000 reports;
    a report's own page (50,000 of them) is digested in one string.
    """
    if kwargs.keys() == REPORT_PAGE and isinstance(kwargs["article"], Article):
        category = kwargs["category"]
        text = f"report\x1f{base}\x1f{name}\x1f{template_name}\x1f{item_digest(kwargs['article'])}\x1f{getattr(category, 'slug', category)!r}\x1f{kwargs['url']!r}\x1f{kwargs['override_output']!r}\x1f{kwargs['blog']!r}\x1f{kwargs['relative_urls']!r}"
        return text_digest(text)
    subjects, extra = [], []
    for key, value in kwargs.items():
        if key in SUBJECT_KEYS:
            value = subject_digest(value)
            if value is None:
                return None
            subjects.append((key, value))
        elif isinstance(plain := getattr(value, "slug", value), (str, int)):
            extra.append((key, plain))
    if not subjects:
        return None
    subjects.sort()
    extra.sort()
    return digest(base, name, template_name, subjects, extra)
