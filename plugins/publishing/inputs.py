"""What a build reads, known without reading it: a build in which nothing changed is skipped, as make does.

A staged build (publishing.build) takes the fingerprint of its inputs before it starts: every file of the
content, the theme and the plugins by name, size, times and inode (one os.scandir walk, no file opened), every
setting as the settings file gives it (read in a fresh interpreter with the build's environment), the
installed packages (their dist-info folders), the Python and the environment variables a build reads.
Once the build has committed output/, the fingerprint is recorded beside it with what identifies that
output (its folder, its manifest, the names of its first two levels) and until when its pages hold with nothing changed
but the time (the news sitemap's two days: staging.manifest.read_expires; a build that does not say, one
without news_meta, is never skipped). The next build takes the same
fingerprint first: equal, output/ still the one recorded, that moment not reached, it builds nothing.

A file changed within RACY_NS of a walk may change again without its time or size changing (the file
system's clock moves in steps): such a file is also known by its bytes ("racily clean", as git says).
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from site_build.listing import DANGLING, FOLDER, LINKED_FOLDER, MARKDOWN, Listing, child
from staging import MANIFEST
from staging.trees import KILL_AT

FORCE = "EDITION_FULL_BUILD"  # set (to anything but "" or "0"): never skip, as `invoke build --force`
RACY_NS = 2_000_000_000
SKIPPED_FOLDERS = frozenset(("__pycache__",))  # made by Python from the files beside them
# Read by the build, its settings or its libraries (locale and time zone: dates and sorting).
ENVIRONMENT = ("PYTHONPATH", "PYTHONHASHSEED", "SITEURL", "TZ", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_TIME", "LC_COLLATE", KILL_AT)
FOLDER_SETTINGS = ("THEME", "PLUGIN_PATHS", "EXTRA_TEMPLATES_PATHS", "THEME_TEMPLATES_OVERRIDES")

# Run in a fresh interpreter with the build's environment: the settings' values as Pelican would load
# them (a value whose repr is not stable, e.g. a function's, never matches: never skipped), the folders
# they name, and the installed packages.
SETTINGS_PROBE = r"""
import json, os, runpy, sys
path = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.dirname(path))
values = {key: value for key, value in runpy.run_path(path).items() if key.isupper()}
def folder(name):
    name = os.path.join(os.path.dirname(path), os.path.expanduser(name))
    return os.path.abspath(name) if os.path.isdir(name) else None
names = []
for key in sys.argv[2:]:
    value = values.get(key) or []
    names += [value] if isinstance(value, str) else list(value)
packages = []
for entry in sys.path:
    if os.path.isdir(entry) and os.path.basename(entry) in ("site-packages", "dist-packages"):
        with os.scandir(entry) as found:
            packages += sorted((item.name, item.stat().st_mtime_ns) for item in found if item.name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")))
print(json.dumps({"settings": repr(sorted(values.items())), "folders": [f for f in map(folder, names) if f], "packages": packages, "python": sys.version}))
"""


@dataclass
class Inputs:
    """A build's inputs, as a digest of their stamps, and the racy files known by their bytes too."""

    digest: str
    racy: dict  # {path: digest of its bytes}
    files: int
    listing: Listing | None = field(default=None, repr=False, compare=False)  # content/ as the walk found it, for the build

    @classmethod
    def of(cls, settings_file, content, env, extra=(), folders=(), probed=None):
        """The inputs of a build of content with settings_file in env (Pelican's extra arguments, more
        folders of code it runs); None if the settings do not load. `probed()` is called once the
        settings are read, before the files are walked."""
        probe = subprocess.run(
            [sys.executable, "-c", SETTINGS_PROBE, str(settings_file), *FOLDER_SETTINGS], env=env, capture_output=True, text=True, check=False
        )
        if probed is not None:
            probed()
        try:
            found = json.loads(probe.stdout.splitlines()[-1])  # the last line: a settings file may print
        except (IndexError, ValueError):
            return None  # settings that do not load: the build says why
        started = time.time_ns()
        stamps, racy, files = [], {}, 0
        content = os.path.abspath(content)
        listing = Listing(content, {}, started)
        for root in dict.fromkeys([content, *found["folders"], *map(str, folders)]):
            files += walk(root, stamps, racy, started - RACY_NS, listing.folders if root == content else None)
            if root == content:
                listing.listed_until = time.time_ns()
        plain = {key: env.get(key) for key in ENVIRONMENT}
        parts = [found["settings"], repr(found["packages"]), found["python"], repr(sorted(plain.items())), repr(list(extra)), *stamps]
        return cls(hashlib.blake2b("\x1e".join(parts).encode("utf-8", "surrogateescape"), digest_size=20).hexdigest(), racy, files, listing)

    def same_as(self, record):
        """Whether a record's inputs are these (its racy files read again: their bytes unchanged)."""
        return record.get("digest") == self.digest and all(bytes_digest(path) == known for path, known in record.get("racy", {}).items())


def walk(root, stamps, racy, racy_after, listing=None):
    """Add a stamp of every file under root (its name, size, times and inode; one string a folder) to stamps,
    and its bytes' digest to racy if it changed after racy_after; return how many files. With a dict as
    listing, every folder's entries too, as site_build.listing.Listing keeps them."""
    files, folders = 0, [(root, "")]
    while folders:
        folder, name_in_root = folders.pop()
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError):
            stamps.append(f"{folder}\x1fnone")
            continue
        lines, listed = [folder], []
        for entry in entries:
            if entry.is_dir():
                if entry.name not in SKIPPED_FOLDERS:
                    folders.append((entry.path, child(name_in_root, entry.name)))
                    lines.append(entry.name + "/")
                listed.append((entry.name, LINKED_FOLDER if entry.is_symlink() else FOLDER, 0))
                continue
            try:
                status = entry.stat()
            except FileNotFoundError:
                listed.append((entry.name, DANGLING, 0))  # a link to nothing: not read, but named in a walk of the folder
                if not entry.name.startswith(".") and entry.name.endswith(MARKDOWN):  # the check names it: a change
                    lines.append(entry.name + "\x1fto nothing")  # (an editor's lock file, .#….md, is none)
                continue
            files += 1
            # The inode and the change time too, as git does: a file replaced by another of the same size
            # and time (renamed over it, copied with its time) is another file.
            lines.append(f"{entry.name}\x1f{status.st_size}\x1f{status.st_mtime_ns}\x1f{status.st_ino}\x1f{status.st_ctime_ns}")
            listed.append((entry.name, status.st_size, status.st_mtime_ns))
            if status.st_mtime_ns > racy_after or status.st_ctime_ns > racy_after:
                racy[entry.path] = bytes_digest(entry.path)
        stamps.append("\x1f".join(lines))
        if listing is not None:
            listing[name_in_root] = listed
    return files


def code_unchanged_during(inputs, content):
    """Whether no Python file of the code the build runs changed from RACY_NS before the walk to its
    end (none is racy): then what a process started just before the walk loaded (publishing.build.Waiting:
    Pelican, its settings and plugins, while the walk runs) is what the fingerprint records. A file
    changed during the walk may be recorded as changed and loaded as it was before, or the other way
    round. One changed shortly before the walk counts as changed too. The rest (templates, content/)
    is read only once the walk is over."""
    if inputs is None:
        return False
    inside = os.path.join(os.path.abspath(content), "")
    return not any(path.endswith(".py") and not path.startswith(inside) for path in inputs.racy)


def bytes_digest(path):
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "blake2b").hexdigest()
    except OSError:
        return None


def output_identity(output):
    """What tells the output a build committed from another, or from itself changed by hand: its folder
    (each commit exchanges it for another), its manifest (a new file each build), and the names of its
    first two levels with their stamps (a folder's time changes when a name in it is added or removed:
    a report's folder, a tag's page, an edition's page removed by hand). A change deeper down (a report
    page's own file removed, any file edited in place) is not seen: `invoke build --force`."""
    try:
        folder = os.stat(output)
        manifest = os.stat(os.path.join(output, MANIFEST))
        names = stamps(output)
        for name, _, _, is_folder in list(names):
            if is_folder:
                names += [(f"{name}/{inner}", *rest) for inner, *rest in stamps(os.path.join(output, name))]
    except OSError:
        return None
    text = repr([(folder.st_dev, folder.st_ino, folder.st_mtime_ns), (manifest.st_ino, manifest.st_size, manifest.st_mtime_ns), names])
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def stamps(folder):
    with os.scandir(folder) as found:
        return sorted((entry.name, entry.inode(), entry.stat(follow_symlinks=False).st_mtime_ns, entry.is_dir(follow_symlinks=False)) for entry in found)


def forced(env):
    return env.get(FORCE, "") not in ("", "0")


def read_record(path):
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def unchanged(inputs, record, output, now=None):
    """Whether a build with these inputs would make output as the recorded build left it."""
    if inputs is None or record is None or not inputs.same_as(record):
        return False
    expires = record.get("expires", 0)
    if expires is not None and (now or time.time()) >= expires:
        return False
    return record.get("output") is not None and record["output"] == output_identity(output)


def write_record(path, inputs, output, expires):
    """Recorded once output/ is committed: these inputs made it."""
    record = {"digest": inputs.digest, "racy": inputs.racy, "output": output_identity(output), "expires": expires}
    temporary = f"{path}.new"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
    os.replace(temporary, path)


def forget_record(path):
    """Before a build starts, or one writes into output/ itself: the record no longer says what made output/."""
    Path(path).unlink(missing_ok=True)
