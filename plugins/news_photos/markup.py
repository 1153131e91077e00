"""The HTML of a photo, written in one place: templates call it (the `picture` global) and the
photos in a report's text are rewritten to it."""

import html
import re

from markupsafe import Markup, escape

# Where a photo stands, as the CSS lays it out: the browser picks the file from these widths. In
# rem (16 px), while the CSS measures in em of the 18 px text: 36em of text is 40.5rem.
SIZES = {
    "lead": "(min-width: 45rem) 40.5rem, calc(100vw - 2rem)",  # a report's photo, the width of the text (36em)
    "body": "(min-width: 45rem) 40.5rem, calc(100vw - 2rem)",
    "thumb": "(min-width: 48em) 11.25rem, 7.3rem",  # beside an entry in a list (10em, 6.5em)
    "front": "(min-width: 48em) 24rem, calc(100vw - 2rem)",  # the front page's lead (24rem: the 400 px file, which its thumbnail in the lists below shares)
    "page": "(min-width: 43rem) 40rem, calc(100vw - 2rem)",  # a printed page on its 版 page (printed_page)
    "page-thumb": "5rem",  # a printed page in 版面导航
    "locator": "7rem",  # a printed page beside a report, its zone marked
}


def picture_html(picture, alt, where="body", lead=False):
    """<picture> with AVIF and WebP sources and a JPEG <img> sized so that nothing moves as it loads.

    The lead photo of a page is fetched first; every other one when it comes near the screen."""
    sizes = SIZES[where]
    sources = "".join(f'<source type="{media}" srcset="{escape(srcset)}" sizes="{sizes}">' for media, srcset in picture.sources)
    loading = ' fetchpriority="high"' if lead else ' loading="lazy" decoding="async"'
    image = (
        f'<img src="{escape(picture.src)}" srcset="{escape(picture.jpeg_srcset)}" sizes="{sizes}" '
        f'width="{picture.width}" height="{picture.height}" alt="{escape(alt)}"{loading}>'
    )
    return Markup(f'<picture class="ed-picture ed-picture--{where}">{sources}{image}</picture>')


def feed_image_html(picture, alt):
    """A photo as a feed entry shows it: one JPEG <img> (a feed reader takes no <picture> and no srcset)."""
    width = picture.fallback_width
    return Markup(f'<img src="{escape(picture.src)}" width="{width}" height="{picture.photo.height_at(width)}" alt="{escape(alt)}">')


# A photo alone in its paragraph, or anywhere: one with a title (![说明](… "说明 李冠博 摄")) alone in its
# paragraph stands as a figure with that caption, as the lead photo does.
IMG = re.compile(r"<p>\s*(<img\b[^>]*>)\s*</p>|<img\b[^>]*>")
ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')
CREDIT = re.compile(r"\s+((?:本报记者\s*)?[^\s。，,]+\s*摄)$")  # 李冠博 摄, 本报记者 姜涛 摄: the credit as printed


def rewrite_body(body, siteurl, picture_of, markup=picture_html):
    """A report's text with each of its photos (an <img> of a file under images/) as <picture> (or as
    markup(Picture, alt) makes it).

    picture_of(path relative to content/) gives the Picture, or None for a file that is no photo."""
    prefix = f"{siteurl}/" if siteurl else ""

    def replace(match):
        attributes = dict(ATTRIBUTE.findall(match.group(1) or match.group(0)))
        source = html.unescape(attributes.get("src", ""))
        if prefix and source.startswith(prefix):
            source = source[len(prefix) :]
        picture = picture_of(source.lstrip("/"))
        if picture is None:
            return match.group(0)
        shown = markup(picture, html.unescape(attributes.get("alt", "")))
        title = html.unescape(attributes.get("title", "")).strip()
        if match.group(1) is None:
            return shown
        if not title:
            return f"<p>{shown}</p>"
        credit = CREDIT.search(title)
        caption = escape(title[: credit.start()] if credit else title)
        credit = f' <span class="ed-credit">{escape(credit.group(1))}</span>' if credit else ""
        return f'<figure class="ed-figure">{shown}<figcaption>{caption}{credit}</figcaption></figure>'

    return IMG.sub(replace, body) if "<img" in body else body
