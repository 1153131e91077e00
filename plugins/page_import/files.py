"""Drafted items → Markdown files in the project's format, one per item, never overwriting."""

import re
from pathlib import Path

from content_schema.source import parse_source

from .items import parse_export


class ImportRefused(FileExistsError):
    """The import would overwrite or duplicate items already in the edition; nothing was written."""


def render_item(item, date, page, section):
    """The item's source file: fields in the project's order, a blank line, the text."""
    fields = {
        "Title": item.title,
        "Kicker": item.kicker,
        "Subtitle": item.subtitle,
        "Kind": item.kind,
        "Date": str(date),
        "Page": page.upper(),
        "Section": section,
        "Position": item.position,
        # Left out when not found, so that `invoke check` asks the editor for them.
        "People": "、".join(f"{role}:{name}" for role, name in item.people),
        "Credit": item.credit,
        "Slug": item.slug,
    }
    header = "\n".join(f"{name}: {value}" for name, value in fields.items() if value)
    return f"{header}\n\n{item.body}\n"


def file_name(item, page):
    return f"{page.lower()}-{item.position:02d}-{item.slug}.md"


def import_export(path, content_dir, date, page, section):
    """Write one draft per item into content_dir/<date>/; return (written paths, warnings).

    All or nothing: if any file would be overwritten, or an item's slug is already in the
    edition (a page imported twice), raise ImportRefused naming them and write nothing.
    Warnings are the importer's doubts, then the schema's problems with the written files.
    """
    result = parse_export(Path(path).read_text(encoding="utf-8"), label=str(path))
    folder = Path(content_dir) / str(date)
    targets = {folder / file_name(item, page): item for item in result.items}
    refuse_conflicts(folder, targets)
    folder.mkdir(parents=True, exist_ok=True)
    written, warnings = [], list(result.warnings)
    for target, item in targets.items():
        text = render_item(item, date, page, section)
        with open(target, "x", encoding="utf-8") as handle:  # "x": never replace a file
            handle.write(text)
        written.append(target)
        warnings += [str(problem) for problem in parse_source(target, text.encode("utf-8"), str(target)).problems]
    return written, warnings


def refuse_conflicts(folder, targets):
    existing = sorted(folder.glob("*.md")) if folder.is_dir() else []
    conflicts = [f"{target} already exists" for target in targets if target.exists()]
    for target, item in targets.items():
        same_slug = re.compile(rf"^[a-z]?\d+-\d+-{re.escape(item.slug)}\.md$")
        conflicts += [f"{other} already has the slug {item.slug}" for other in existing if other != target and same_slug.match(other.name)]
    if conflicts:
        raise ImportRefused("nothing was imported: " + "; ".join(conflicts) + " — move or delete those files first, or import into another date")
