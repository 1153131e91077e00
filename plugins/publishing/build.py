"""Staged builds: Pelican writes into a fresh folder, and only a build that
succeeded is committed to the output folder. A failed build leaves the last
good output exactly as it was.

The fresh folder holds only what this build changed: the incremental writer
reads the last build (LAST_OUTPUT) to skip unchanged pages, and lists the
pages that went. The commit moves each new file into place with rename(2),
replaces the theme, the images and each re-indexed search week as whole
folders, and removes what went; its cost follows what changed, not the size
of the archive. Readers of a local build may see the commit half done for a
moment; `invoke publish` deploys a finished build by an atomic switch.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from incremental.manifest import COMPRESSED, MANIFEST, REMOVED, UNSURE, mark_unsure  # every page's digest; the pages this build no longer has
from search import EARLY as SEARCH_EARLY  # weeks indexed from the last build while Pelican runs
from search import PENDING as SEARCH_PENDING  # the build asks to be indexed after Pelican
from search import start_early


class BuildFailed(Exception):
    """Pelican exited non-zero; the previous output is untouched."""

    def __init__(self, message, output=""):
        super().__init__(message)
        self.output = output


def pelican_command(settings_file, output, content="content", extra=()):
    """Pelican's command line, run by publishing.pelican_process (PLUGINS on the path)."""
    return [sys.executable, "-m", "publishing.pelican_process", content, "-s", str(settings_file), "-o", str(output), "--fatal", "warnings", *extra]


def build_into(output, settings_file, content="content", env=None, extra=(), capture=False):
    """Build the site into a new sibling of `output`, then commit it to `output`.

    With capture, Pelican's output is kept instead of printed: given with BuildFailed, or returned.
    """
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    paths = os.pathsep.join(filter(None, [str(PLUGINS), (env or os.environ).get("PYTHONPATH")]))
    env = (env or os.environ) | {"PYTHONPATH": paths}
    early = None
    try:
        # The search index of a week this build closes is made from the last build's pages, beside Pelican.
        early = start_early(fresh, output, Path(content)) if output.is_dir() else None
        # One -e with every setting: Pelican keeps only the last -e given (a caller's own comes after).
        staged = ["SEARCH_AFTER_BUILD=true", *([f"LAST_OUTPUT={json.dumps(str(output))}"] if output.is_dir() else [])]
        log = run(pelican_command(settings_file, fresh, content, ("-e", *staged, *extra)), output, env, capture)
        if early is not None:
            early.join()
        if not (fresh / SEARCH_PENDING).exists():  # no search this time: what was indexed early goes
            (fresh / SEARCH_EARLY).unlink(missing_ok=True)
            shutil.rmtree(fresh / "pagefind", ignore_errors=True)
        if (fresh / SEARCH_PENDING).exists():
            # The search index is made once Pelican's memory is free: the two are never held at once.
            run([sys.executable, "-m", "search", str(fresh)], output, env, capture)
        commit(fresh, output)
        return log
    finally:
        if early is not None:
            early.join()  # it writes into the fresh folder
        shutil.rmtree(fresh, ignore_errors=True)


def run(command, output, env, capture):
    result = subprocess.run(command, env=env, capture_output=capture, text=True)
    if result.returncode != 0:
        message = f"build failed (exit {result.returncode}); {output} was left as it was"
        raise BuildFailed(message, (result.stdout or "") + (result.stderr or ""))
    return (result.stdout or "") + (result.stderr or "")


PLUGINS = Path(__file__).resolve().parents[1]
# Written whole by Pelican or Pagefind on every build that touches them: replaced whole.
WHOLE = ("theme", "images")


def commit(fresh, output):
    """Make output what the staged build in fresh says it is."""
    fresh.chmod(0o755)
    if not output.exists():
        os.rename(fresh, output)
        return
    removed_list = fresh / REMOVED
    removed = json.loads(removed_list.read_text(encoding="utf-8")) if removed_list.exists() else []
    removed_list.unlink(missing_ok=True)
    folders = [Path(name) for name in WHOLE if (fresh / name).is_dir()]
    if (fresh / "pagefind").is_dir():
        folders += [path.relative_to(fresh) for path in (fresh / "pagefind").iterdir() if path.is_dir()]
    moved = moving(fresh, folders)
    mark_unsure(output, moved)
    for folder in folders:
        replace_folder(fresh / folder, output / folder)
    for folder, dirs, files in os.walk(fresh):
        relative = Path(folder).relative_to(fresh)
        dirs[:] = [name for name in dirs if relative / name not in folders]
        (output / relative).mkdir(exist_ok=True)
        listed = set(files)
        for name in files:
            if folder == str(fresh) and name == MANIFEST:
                continue  # moved last, below
            source, target = fresh / relative / name, output / relative / name
            if target.exists() and os.path.samestat(source.stat(), target.stat()):
                continue  # the last build's own page, linked for the search indexer
            os.replace(source, target)
            if not name.endswith(COMPRESSED):
                for suffix in COMPRESSED:  # an older compressed copy of a page written again
                    if name + suffix not in listed:  # (the listing: a copy may be moved already)
                        (output / relative / (name + suffix)).unlink(missing_ok=True)
    moved = set(moved)
    for name in removed:
        if name in moved:
            continue  # known to the last build only as a name a commit cut short moved in: moved in again
        for suffix in ("", *COMPRESSED):
            (output / (name + suffix)).unlink(missing_ok=True)
        remove_empty_parents(output / name, output)
    drop_unlisted_shards(output / "pagefind")
    # The digests go last: a commit cut short leaves the last build's, so a page not yet moved in
    # is rendered again next time rather than taken for done.
    if (fresh / MANIFEST).exists():
        os.replace(fresh / MANIFEST, output / MANIFEST)
    (output / UNSURE).unlink(missing_ok=True)


def moving(fresh, folders):
    """What a commit replaces: every page, and each folder replaced whole (a search shard) as 'name/'."""
    names = [folder.as_posix() + "/" for folder in folders]
    for folder, dirs, files in os.walk(fresh):
        relative = Path(folder).relative_to(fresh)
        dirs[:] = [name for name in dirs if relative / name not in folders]
        names += [(relative / name).as_posix() for name in files if not (folder == str(fresh) and name.startswith("."))]  # not the bookkeeping
    return names


def replace_folder(new, old):
    """old becomes new by two renames; the replaced one is removed."""
    old.parent.mkdir(parents=True, exist_ok=True)
    if not old.exists():
        os.rename(new, old)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{old.name}.old-", dir=old.parent))
    os.rmdir(aside)
    os.rename(old, aside)
    os.rename(new, old)
    shutil.rmtree(aside)


def remove_empty_parents(path, top):
    for parent in path.parents:
        if parent == top or not parent.is_relative_to(top):
            return
        try:
            parent.rmdir()
        except OSError:  # not empty
            return


def drop_unlisted_shards(bundle):
    """Search weeks whose editions are all gone."""
    try:
        listed = {shard["name"] for shard in json.loads((bundle / "shards.json").read_text(encoding="utf-8"))["shards"]}
    except (OSError, ValueError, KeyError, TypeError):
        return
    for path in bundle.iterdir():
        if path.is_dir() and path.name not in listed:
            shutil.rmtree(path)
