"""schema.org NewsArticle for a report, as search engines and aggregators read it."""

import json

from markupsafe import Markup


def absolute(settings, url):
    return f"{settings.get('SITEURL', '')}/{url}"


def print_page(page):
    """A06 → A6, 06 → 6: schema.org's printPage is the page as a reader would say it."""
    letter = page[:-2]
    return f"{letter}{int(page[-2:])}"


def news_article(article, settings):
    """The NewsArticle object of one report; fields without a value are left out."""
    decks = [deck for deck in (getattr(article, "kicker", None), getattr(article, "subtitle", None)) if deck]
    edition = article.edition_page.edition
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": absolute(settings, article.url),
        "url": absolute(settings, article.url),
        "headline": article.title,
        "alternativeHeadline": " ".join(decks) or None,
        "description": getattr(article, "summary", None) or None,
        "inLanguage": settings.get("HTML_LANG", "zh-CN"),
        "datePublished": article.date.isoformat(),
        "dateModified": article.modified.isoformat() if hasattr(article, "modified") else article.date.isoformat(),
        "author": [
            {"@type": "Person", "name": person.name, "url": absolute(settings, person.url), "jobTitle": credit.role} for credit, person in article.credits
        ],
        "publisher": {"@type": "NewsMediaOrganization", "name": settings["SITENAME"], "url": absolute(settings, "")},
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in getattr(article, "tags", [])] or None,
        "printEdition": edition.date.isoformat(),
        "printPage": print_page(article.page),
        "printSection": article.category.name,
        "isPartOf": {
            "@type": "PublicationIssue",
            "datePublished": edition.date.isoformat(),
            "url": absolute(settings, edition.url),
            "isPartOf": {"@type": "Periodical", "name": settings["SITENAME"]},
        },
        "image": image_object(article, settings),
    }
    return {key: value for key, value in data.items() if value is not None}


def image_object(article, settings):
    """The report's photo as a 1200 px picture with its size (photos plugin); None without one."""
    shelf = settings.get("PHOTO_SHELF")
    picture = shelf.picture(getattr(article, "image", None)) if shelf else None
    if picture is None:
        return None
    path, width, height = picture.social
    return [{"@type": "ImageObject", "url": absolute(settings, path), "width": width, "height": height}]


def json_ld(data):
    """JSON for a <script type="application/ld+json"> block, safe against `</script>`."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
