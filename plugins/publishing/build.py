"""Atomic builds: Pelican writes into a fresh folder that replaces the output
folder only when the whole build succeeded. A failed build leaves the last
good output exactly as it was."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


class BuildFailed(Exception):
    """Pelican exited non-zero; the previous output is untouched."""

    def __init__(self, message, output=""):
        super().__init__(message)
        self.output = output


def pelican_command(settings_file, output, content="content", extra=()):
    return [sys.executable, "-m", "pelican", content, "-s", str(settings_file), "-o", str(output), "--fatal", "warnings", *extra]


def build_into(output, settings_file, content="content", env=None, extra=(), capture=False):
    """Build the site into a new sibling of `output`, then swap it in.

    With capture, Pelican's output is kept and given with BuildFailed instead of printed.
    """
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    try:
        link_previous(output, fresh)
        command = pelican_command(settings_file, fresh, content, extra)
        result = subprocess.run(command, env=env, capture_output=capture, text=True)
        if result.returncode != 0:
            message = f"build failed (exit {result.returncode}); {output} was left as it was"
            raise BuildFailed(message, (result.stdout or "") + (result.stderr or ""))
        swap_in(fresh, output)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


# Rendered pages, feeds and the digests of the last build: the incremental
# plugin rewrites these by unlinking first; the search plugin replaces a
# week's index folder whole. Static files and compressed copies are written
# in place by other tools, so they are never linked.
LINKED_SUFFIXES = (".html", ".xml", ".json")
COMPRESSED = (".gz", ".br")


def link_previous(output, fresh):
    """Fill fresh with hard links to the last build's pages so unchanged ones need no rendering."""
    if not output.is_dir():
        return
    for folder, dirs, files in os.walk(output):
        relative = Path(folder).relative_to(output)
        dirs[:] = [d for d in dirs if not (relative == Path(".") and d in ("theme", "images"))]
        in_search_index = relative.parts[:1] == ("pagefind",)
        for name in files:
            if (in_search_index or name.endswith(LINKED_SUFFIXES)) and not name.endswith(COMPRESSED):
                target = fresh / relative / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(Path(folder) / name, target)


def swap_in(fresh, output):
    """Replace output with fresh by two renames; on any error restore the old output."""
    fresh.chmod(0o755)
    if not output.exists():
        os.rename(fresh, output)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    os.rmdir(old)
    os.rename(output, old)
    try:
        os.rename(fresh, output)
    except OSError:
        os.rename(old, output)
        raise
    remove_in_background(old)


def remove_in_background(folder):
    """The replaced build is gone from readers' view already; unlinking 50,000 files need not hold the editor up."""
    subprocess.Popen(["rm", "-rf", "--", str(folder)], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
