"""Staged builds: Pelican writes into a fresh folder, and only a build that
succeeded is committed to the output folder. A failed build leaves the last
good output exactly as it was.

The fresh folder holds only what this build changed: the incremental writer
reads the last build (LAST_OUTPUT) to skip unchanged pages, and lists the
files that went. The search index is made by its own processes once Pelican
has exited (`python -m edition_search`), never in Pelican's memory.
staging.commit then puts the build in place in one rename: a build killed at
any point leaves the old site or the new one.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from publishing import inputs as build_inputs
from publishing.pelican_process import START_FD
from site_build import listing
from staging import SEARCH_PENDING
from staging.commit import commit
from staging.manifest import read_expires
from staging.trees import Trees, remove, step

PLUGINS = Path(__file__).resolve().parents[1]
SEARCH_INDEXER = "edition_search"  # the search plugin's command line (python -m), run after Pelican
GO = b"g"  # written to the Pelican process waiting to run (Waiting); its pipe closed unwritten, it ends


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
        fresh = trees.new_stage()
        # One -e with every setting: Pelican keeps only the last -e given (a caller's own comes after).
        staged = ["SEARCH_AFTER_BUILD=true", *([f"LAST_OUTPUT={json.dumps(str(output))}"] if output.is_dir() else [])]
        command = pelican_command(settings_file, fresh, content, ("-e", *staged, *extra))
        env = env | {listing.VARIABLE: str(trees.listing)}  # written once the fingerprint is taken
        pelican = None
        try:

            def start_pelican():  # once the settings are read for the fingerprint: Pelican reads them after
                nonlocal pelican
                pelican = Waiting.start(command, env, capture)

            found = build_inputs.Inputs.of(settings_file, content, env, extra, folders=[PLUGINS], probed=start_pelican)
            if not (force or build_inputs.forced(env)) and build_inputs.unchanged(found, build_inputs.read_record(trees.inputs), output):
                line = f"Nothing changed since the last build ({found.files:,} files checked in {time.perf_counter() - started:.2f} s): {output.name}/ kept"
                if not capture:
                    print(line, file=sys.stderr)
                return line + "\n"
            build_inputs.forget_record(trees.inputs)  # a build that fails or is killed leaves no record
            if found is not None:  # Pelican lists content/ as the fingerprint found it, not walking it again
                found.listing.write(trees.listing)
                found.listing = None
            if not build_inputs.code_unchanged_during(found, content):  # its code changed while it loaded: loaded again
                pelican.cancel()
                pelican = Waiting.start(command, env, capture)
            waiting, pelican = pelican, None
            log = waiting.go(output)
            step("pelican")
            if (fresh / SEARCH_PENDING).exists():
                # The search index is made once Pelican's memory is free: the two are never held at once.
                log += run([sys.executable, "-m", SEARCH_INDEXER, str(fresh)], output, env, capture)
            step("search")
            expires = read_expires(fresh)
            commit(fresh, output)
            if found is not None:
                build_inputs.write_record(trees.inputs, found, output, expires)
            return log
        finally:
            if pelican is not None:
                pelican.cancel()  # nothing changed, or the build stopped before Pelican ran
            remove(fresh)
            trees.listing.unlink(missing_ok=True)


class Waiting:
    """Pelican's process, started while the build's fingerprint is taken (a walk of every file: some
    0.8 s at 200,000 reports, on one core): it loads Pelican, the settings and the plugins on the
    other core, then waits (pelican_process.START_FD) to be told to run, or to end: nothing changed."""

    def __init__(self, process, pipe):
        self.process, self.pipe = process, pipe

    @classmethod
    def start(cls, command, env, capture):
        readable, writable = os.pipe()
        output = subprocess.PIPE if capture else None
        try:
            process = subprocess.Popen(command, env=env | {START_FD: str(readable)}, pass_fds=(readable,), stdout=output, stderr=output, text=True)
        except BaseException:
            os.close(writable)
            raise
        finally:
            os.close(readable)
        return cls(process, writable)

    def go(self, output):
        """Tell it to run; its log once it has ended (BuildFailed if it failed)."""
        with contextlib.suppress(BrokenPipeError):  # it ended already (settings that do not load): its log says why
            os.write(self.pipe, GO)
        printed, errors = self.communicate()
        return ended(self.process.returncode, printed, errors, output)

    def cancel(self):
        """It ends without running, at once: until told to run it has only loaded code and read the settings."""
        self.process.kill()
        self.communicate()

    def communicate(self):
        """(printed, errors) once it has ended, its pipe closed first."""
        os.close(self.pipe)
        try:
            return self.process.communicate()
        except BaseException:  # as subprocess.run: interrupted, it does not go on alone
            self.process.kill()
            self.process.wait()
            raise


def build_environment(env=None):
    """The environment a build's processes run in: the caller's (or this process's), the plugins on the path."""
    paths = os.pathsep.join(filter(None, [str(PLUGINS), (env or os.environ).get("PYTHONPATH")]))
    return (env or os.environ) | {"PYTHONPATH": paths}


def run(command, output, env, capture):
    result = subprocess.run(command, env=env, capture_output=capture, text=True)
    return ended(result.returncode, result.stdout, result.stderr, output)


def ended(code, printed, errors, output):
    """What a build's process printed (kept with capture); BuildFailed if it failed."""
    log = (printed or "") + (errors or "")
    if code != 0:
        raise BuildFailed(f"build failed (exit {code}); {output} was left as it was", log)
    return log
