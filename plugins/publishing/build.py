"""Staged builds: Pelican writes into a fresh folder, and only a build that
succeeded is committed to the output folder. A failed build leaves the last
good output exactly as it was.

The fresh folder holds only what this build changed: the incremental writer
reads the last build (LAST_OUTPUT) to skip unchanged pages, and lists the
files that went. The search index is made by its own processes, beside
Pelican and after it (`python -m edition_search`), never in Pelican's memory.
staging.commit then puts the build in place in one rename: a build killed at
any point leaves the old site or the new one.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from publishing import inputs as build_inputs
from site_build import listing
from staging import SEARCH_EARLY, SEARCH_FOLDER, SEARCH_PENDING, SHARDS
from staging.commit import commit
from staging.manifest import read_expires
from staging.trees import Trees, remove, step

PLUGINS = Path(__file__).resolve().parents[1]
SEARCH_INDEXER = "edition_search"  # the search plugin's command line (python -m), run beside and after Pelican


class BuildFailed(Exception):
    """Pelican exited non-zero; the previous output is untouched."""

    def __init__(self, message, output=""):
        super().__init__(message)
        self.output = output


def pelican_command(settings_file, output, content="content", extra=()):
    """Pelican's command line, run by publishing.pelican_process (PLUGINS on the path)."""
    return [sys.executable, "-m", "publishing.pelican_process", content, "-s", str(settings_file), "-o", str(output), "--fatal", "warnings", *extra]


def build_into(output, settings_file, content="content", env=None, extra=(), capture=False, force=False):
    """Build the site into a new sibling of `output`, then commit it to `output`; nothing at all if no
    input changed since the build that made `output` (publishing.inputs), unless forced.

    With capture, Pelican's output is kept instead of printed: given with BuildFailed, or returned.
    """
    output = Path(output).resolve()
    trees = Trees(output)
    env = build_environment(env)
    with trees.locked():
        trees.prepare()
        started = time.perf_counter()
        found = build_inputs.Inputs.of(settings_file, content, env, extra, folders=[PLUGINS])
        if not (force or build_inputs.forced(env)) and build_inputs.unchanged(found, build_inputs.read_record(trees.inputs), output):
            line = f"Nothing changed since the last build ({found.files:,} files checked in {time.perf_counter() - started:.2f} s): {output.name}/ kept"
            if not capture:
                print(line, file=sys.stderr)
            return line + "\n"
        build_inputs.forget_record(trees.inputs)  # a build that fails or is killed leaves no record
        fresh = trees.new_stage()
        early = None
        try:
            if found is not None:  # Pelican lists content/ as the fingerprint found it, not walking it again
                found.listing.write(trees.listing)
                found.listing = None
                env = env | {listing.VARIABLE: str(trees.listing)}
            if (output / SEARCH_FOLDER / SHARDS).is_file():
                # The search index of a week this build closes is made from the last build's pages, beside Pelican.
                command = [sys.executable, "-m", SEARCH_INDEXER, "early", str(fresh), str(output), str(content)]
                early = subprocess.Popen(
                    command, env=env, stdout=subprocess.PIPE if capture else None, stderr=subprocess.STDOUT if capture else None, text=True
                )
            # One -e with every setting: Pelican keeps only the last -e given (a caller's own comes after).
            staged = ["SEARCH_AFTER_BUILD=true", *([f"LAST_OUTPUT={json.dumps(str(output))}"] if output.is_dir() else [])]
            log = run(pelican_command(settings_file, fresh, content, ("-e", *staged, *extra)), output, env, capture)
            step("pelican")
            log += finish(early)
            early = None
            if (fresh / SEARCH_PENDING).exists() or (fresh / SEARCH_EARLY).exists():
                # The search index is made once Pelican's memory is free: the two are never held at once.
                log += run([sys.executable, "-m", SEARCH_INDEXER, str(fresh)], output, env, capture)
            step("search")
            expires = read_expires(fresh)
            commit(fresh, output)
            if found is not None:
                build_inputs.write_record(trees.inputs, found, output, expires)
            return log
        finally:
            finish(early)  # it writes into the fresh folder
            remove(fresh)
            trees.listing.unlink(missing_ok=True)


def build_environment(env=None):
    """The environment a build's processes run in: the caller's (or this process's), the plugins on the path."""
    paths = os.pathsep.join(filter(None, [str(PLUGINS), (env or os.environ).get("PYTHONPATH")]))
    return (env or os.environ) | {"PYTHONPATH": paths}


def finish(early):
    """Wait for the search indexer running beside Pelican; what it printed, if kept."""
    if early is None:
        return ""
    printed, _ = early.communicate()
    return printed or ""


def run(command, output, env, capture):
    result = subprocess.run(command, env=env, capture_output=capture, text=True)
    if result.returncode != 0:
        message = f"build failed (exit {result.returncode}); {output} was left as it was"
        raise BuildFailed(message, (result.stdout or "") + (result.stderr or ""))
    return (result.stdout or "") + (result.stderr or "")
