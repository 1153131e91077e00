"""Draw the site's icon, the masthead's 报 in white strokes on the paper's red, as SVG and PNG.

    python theme/draw_icons.py   # rewrites theme/static/icons/ (needs Pillow, requirements-dev.txt)

The character is drawn from strokes of our own (no font), once, for both files: the PNGs are
the SVG's strokes drawn by Pillow, so the two cannot drift apart (tests/test_theme.py checks).
"""

from io import BytesIO
from pathlib import Path

ICONS = Path(__file__).resolve().parent / "static" / "icons"
RED = "#b8121b"  # --ed-accent, the masthead's colour
WHITE = "#ffffff"
SIZE = 100  # the drawing's grid
CORNER = 16
STROKE = 9
# 报: 扌 (its cross stroke, the hooked upright, the rising tick), then 卩 over 又.
STROKES = (
    ((12, 32), (42, 32)),
    ((28, 14), (28, 80), (20, 73)),
    ((12, 64), (42, 50)),
    ((52, 16), (52, 88)),
    ((52, 16), (84, 16), (84, 36), (76, 33)),
    ((58, 52), (86, 52), (62, 86)),
    ((64, 62), (88, 86)),
)
# name: (pixels, corner): the tab's size; the home screen's, square (the phone rounds its corners,
# and would fill transparent ones with black)
PNGS = {"favicon.png": (32, CORNER), "apple-touch-icon.png": (180, 0)}


def svg():
    lines = "".join(f'<polyline points="{" ".join(f"{x},{y}" for x, y in points)}"/>' for points in STROKES)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="{CORNER}" fill="{RED}"/>'
        f'<g fill="none" stroke="{WHITE}" stroke-width="{STROKE}" stroke-linecap="round" stroke-linejoin="round">{lines}</g>'
        "</svg>\n"
    )


def png(pixels, corner=CORNER, scale=8):
    """The same drawing at `pixels` square: drawn `scale` times larger, then reduced (smooth edges)."""
    from PIL import Image, ImageDraw

    large = pixels * scale
    unit = large / SIZE
    image = Image.new("RGBA", (large, large), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, large - 1, large - 1), radius=corner * unit, fill=RED)
    width = STROKE * unit
    for points in STROKES:
        scaled = [(x * unit, y * unit) for x, y in points]
        draw.line(scaled, fill=WHITE, width=round(width), joint="curve")
        for x, y in scaled:  # round caps and joins, as the SVG's
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=WHITE)
    small = image.resize((pixels, pixels), Image.Resampling.LANCZOS)
    buffer = BytesIO()
    small.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def main():
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "favicon.svg").write_text(svg(), encoding="utf-8")
    for name, (pixels, corner) in PNGS.items():
        (ICONS / name).write_bytes(png(pixels, corner))


if __name__ == "__main__":
    main()
