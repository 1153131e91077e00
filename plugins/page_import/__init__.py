"""Page import: a typesetter's page export → one draft Markdown item per report or photo.

Pure functions, no Pelican signals: `invoke import` calls `import_export`.
"""

from .files import ImportRefused, import_export, render_item
from .items import ImportResult, Item, parse_export

__all__ = ["ImportRefused", "ImportResult", "Item", "import_export", "parse_export", "render_item"]
