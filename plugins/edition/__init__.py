"""Edition plugin: the front page, an edition page per date, a page per 版, the archive.

Also puts every item in printed order (edition, page, position) wherever
Pelican lists items, and gives templates Chinese dates.
"""

from jinja2 import pass_environment
from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from site_build import state
from site_build.state import build_of

from .calendar import calendar_months
from .model import build_editions, chinese_date, page_order, people_index, tag_index


class EditionGenerator(Generator):
    """Writes the pages of the date → 版 → item model from the articles read."""

    def generate_context(self):
        self.editions = build_editions(self.context["articles"], self.settings)
        self.context["editions"] = self.editions
        self.context["latest_edition"] = self.editions[0] if self.editions else None
        self.context["calendar"] = months = calendar_months(self.editions)
        by_month = {(month.year, month.month): month for month in months}
        for edition in self.editions:
            edition.month = by_month[edition.date.year, edition.date.month]
        self.context["people_index"] = people_index(self.context["authors"], self.context["articles"])
        self.context["tag_index"] = tag_index(self.context["tags"])

    def generate_output(self, writer):
        if not self.editions:
            return
        write = writer.write_file
        write("index.html", self.get_template("index"), self.context, edition=self.editions[0], page_name="index")
        write(self.settings["EDITIONS_SAVE_AS"], self.get_template("editions"), self.context, page_name="editions")
        # An edition's page shows its month's calendar, and a 版 the edition's printed pages (printed_page):
        # both are in the page's digest (incremental), so that a change renders the page again.
        for edition in self.editions:
            write(edition.save_as, self.get_template("edition"), self.context, edition=edition, url=edition.url, month_days=edition.month.key)
            for page in edition.pages:
                write(
                    page.save_as,
                    self.get_template("edition_page"),
                    self.context,
                    edition=edition,
                    edition_page=page,
                    url=page.url,
                    printed_key=edition.printed_key,
                )


@pass_environment
def entry(environment, item, level=3, role=None, show_page=True, own=None):
    """An item's entry in a list (the item_entry macro), rendered once and reused: an item stands on up to ten lists,
    and the newest page of a list shows mostly items an earlier build rendered (fragments). `own`: the slug
    of the person whose list it is, whom the entry does not name again after their role."""
    cache = item.__dict__.setdefault("_entries", {})
    key = (level, role, show_page, own)
    if key not in cache:
        kind = f"list entry, level {level}, role {role}, page shown {show_page}" + (f", of {own}" if own else "")
        fragments = build_of(item.settings).fragments
        text = fragments.kept(item, kind) if fragments else None
        if text is None:
            # The macro itself, not a template that imports it: rendering a template per entry cost some
            # 40 µs more each (a new context, and the import's check of the globals), 5 s of CPU at 20,000 reports.
            text = str(environment.get_template("_macros.html").module.item_entry(item, level, role=role, show_page=show_page, own=own))
            if fragments:
                fragments.keep(item, kind, text)
        cache[key] = Markup(text)
    return cache[key]


def configure(pelican):
    settings = pelican.settings
    settings["ARTICLE_ORDER_BY"] = page_order
    settings.setdefault("JINJA_FILTERS", {})["chinese_date"] = chinese_date
    # Globals reach imported macros without `with context`, which would re-run the macro file on every page.
    settings.setdefault("JINJA_GLOBALS", {}).update(entry=entry, SITEURL=settings["SITEURL"], SEARCH_URL=settings.get("SEARCH_URL", ""))


def get_generators(pelican):
    return EditionGenerator


def register():
    signals.get_generators.connect(state.begin)  # a Build for each run, before any plugin's own handler
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
