"""What an editor's photo file becomes on the site: checked, turned upright, sRGB, stripped of
its metadata, and made in a few widths as AVIF, WebP and JPEG. Pure functions, no Pelican.

A photo is known by a key: the digest of its bytes and of the recipe below, so that each
derivative is made once per (image bytes, recipe) and a changed recipe makes them all again.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, features

# Widths a browser chooses from (srcset); none wider than the original. 1200 is also the
# social card's (og:image), and 400 the narrowest photo a news report may carry.
WIDTHS = (400, 800, 1200, 1600)
SOCIAL_WIDTH = 1200
MIN_WIDTH = 400
# Encoder settings chosen for a new day's photos to be made in seconds on two cores (about
# 0.27 s of CPU for a 3000×2000 photo in all widths and formats, of which AVIF 0.08).
ENCODINGS = (
    # one thread: the pool runs one photo a core already, and AVIF's own threads only add their cost
    ("avif", "AVIF", {"quality": 52, "speed": 10, "max_threads": 1}),
    ("webp", "WEBP", {"quality": 74, "method": 0}),
    # baseline with optimised Huffman tables: smaller than progressive here (57 KB, not 60, at 1600 px) and
    # 5% of a photo's CPU quicker; the JPEG is the fallback and the social card, which load whole anyway
    ("jpg", "JPEG", {"quality": 80, "optimize": True}),
)
MEDIA_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpg": "image/jpeg"}
SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}  # MPO: a phone's JPEG with a second, depth image
# Each width is made from the one above it with a bicubic filter (scaled to the ratio, as every
# Pillow filter is when it shrinks): a third quicker than Lanczos, 10% of a photo's CPU, and alike to
# the eye at ratios of 1.3 to 2.
RESAMPLE = Image.BICUBIC
RECIPE = repr((WIDTHS, ENCODINGS, Image.__version__, features.version("avif"), features.version("webp"), features.version("jpg"), 3))
SRGB = ImageCms.createProfile("sRGB")


class PhotoError(Exception):
    """A photo file that cannot be published: what is wrong, and what is expected."""

    def __init__(self, what, expected):
        super().__init__(f"{what} — {expected}")
        self.what = what
        self.expected = expected

    def __reduce__(self):  # it crosses from the check, beside the build, to the build (check.checked_content)
        return type(self), (self.what, self.expected)


@dataclass(frozen=True)
class Photo:
    """A checked photo: its key, and its size as readers see it (upright)."""

    key: str
    width: int
    height: int

    @property
    def widths(self):
        """The widths it is made in: the recipe's up to its own width, and its own if between two."""
        largest = min(self.width, WIDTHS[-1])
        return (*(width for width in WIDTHS if width < largest), largest)

    @property
    def files(self):
        """(width, suffix) of each derivative: every width in every format."""
        return tuple((width, suffix) for width in self.widths for suffix, _, _ in ENCODINGS)

    def height_at(self, width):
        return max(1, round(self.height * width / self.width))

    @property
    def social_width(self):
        """The width of the social card's picture: 1200, or the photo's own if narrower."""
        return max(width for width in self.widths if width <= SOCIAL_WIDTH)


def photo_key(data):
    return hashlib.sha256(RECIPE.encode() + data).hexdigest()[:16]


def inspect(data):
    """Check a photo file's bytes and return what the site needs to know of it, or raise PhotoError.

    Decodes the whole file (a truncated one is refused), at an eighth of its size for a JPEG.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as error:
            raise PhotoError(f"is too large to open safely ({error})", "a photo under 89 megapixels") from None
        except Image.DecompressionBombWarning:
            raise PhotoError("is too large to open safely", "a photo under 89 megapixels") from None
        except (OSError, SyntaxError, ValueError):
            raise PhotoError("is not an image", "a JPEG, PNG or WebP photo") from None
        with image:
            if image.format not in FORMATS:
                raise PhotoError(f"is a {image.format} file", "a JPEG, PNG or WebP photo")
            try:
                width, height = upright_size(image)  # reads the EXIF block: a broken file may fail here already
                if image.format in ("JPEG", "MPO"):
                    image.draft(image.mode, (image.width // 8, image.height // 8))
                image.load()
            except (OSError, SyntaxError, ValueError) as error:
                if "truncated" in str(error):  # Pillow's "image file is truncated (1 bytes not processed)"
                    raise PhotoError(
                        "is cut short: the file ends before its picture does", "the complete file, copied again from the camera or editor"
                    ) from None
                raise PhotoError(f"cannot be read whole ({error})", "the complete file, as the camera or editor saved it") from None
    if width < MIN_WIDTH:
        raise PhotoError(f"is {width} px wide, too small for a news photo", f"a photo at least {MIN_WIDTH} px wide")
    return Photo(photo_key(data), width, height)


def upright_size(image):
    orientation = image.getexif().get(ImageOps.ExifTags.Base.Orientation, 1)
    return (image.height, image.width) if orientation in (5, 6, 7, 8) else (image.width, image.height)


def derive(data, photo):
    """Every derivative of a photo: {(width, suffix): bytes}, metadata-free, in sRGB."""
    image = Image.open(io.BytesIO(data))
    if image.format in ("JPEG", "MPO"):  # decode at the smallest scale still wider than needed
        largest = photo.widths[-1]
        image.draft(image.mode, (largest * image.width // photo.width, largest * image.height // photo.width))
    return derive_image(upright(image), photo)


def derive_image(image, photo):
    """Every derivative of an upright RGB(A) picture (a photo, or a printed page rendered from its PDF)."""
    files = {}
    for width in sorted(photo.widths, reverse=True):  # each from the one above it: cheaper, as sharp
        image = image.resize((width, photo.height_at(width)), RESAMPLE, reducing_gap=3.0)
        image.info = {}
        for suffix, encoder, options in ENCODINGS:
            files[width, suffix] = encode(image, encoder, options)
    return files


def upright(image):
    """The picture as readers see it: orientation applied to the pixels, sRGB, 8 bits, metadata gone."""
    image.load()
    ImageOps.exif_transpose(image, in_place=True)  # in place: a copy of a 3000×2000 picture costs 0.02 s, for nothing when it is upright
    profile = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey: scaled, not clipped, to 8 bits
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        image = image.convert(mode)
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            image = ImageCms.profileToProfile(image, source, SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels are taken as they are
    if image.mode != mode:
        image = image.convert(mode)
    image.info = {}
    return image


def encode(image, encoder, options):
    if encoder == "JPEG" and image.mode == "RGBA":  # no alpha in JPEG: on white, as on the page
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    out = io.BytesIO()
    image.save(out, encoder, **options)
    return out.getvalue()
