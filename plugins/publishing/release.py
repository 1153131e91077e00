"""Self-hosted publishing: every publish is a new release folder, and a `current` symlink
that the web server serves is switched to it atomically, so readers never see a half-copied
edition and the previous one is a rollback away.

    <target>/releases/20201230T081500.123456Z/   one folder per publish, oldest pruned
    <target>/current -> releases/20201230T081500.123456Z

A target is a local folder or `user@host:/path` over ssh (port, key and user come from
~/.ssh/config, so nothing here needs ssh settings; a remote path is absolute or relative to
the home folder, `~` is not expanded). The same shell commands run on both,
locally through `sh -c` and remotely through ssh, so a local target tests the real thing.

One publish or rollback at a time: each holds <target>/publish.lock while it works (see lock.py).
Without it, two publishes at once both started from the same `current`, and the one that
finished last won, even with the older build; one's pruning could remove the release the other
was hard-linking its files to.
"""

import re
import shlex
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from publishing.lock import Lock, Locked

RELEASE_FORMAT = "%Y%m%dT%H%M%S.%fZ"
RELEASE_NAME = re.compile(r"\d{8}T\d{6}\.\d{6}Z")
# --checksum: every build rewrites every file, so only content tells what is unchanged and
# may be hard-linked to the current release (and same size and second is not the same file).
# --chmod: readable by nginx's worker user whatever the umask of the machine that built it.
# --exclude: not the build's bookkeeping (.build-digests.json, …), which readers never get (nginx refuses
# names starting with a dot; a bucket's publish leaves them out: publishing.digests.edition_files).
RSYNC = ["rsync", "-a", "--checksum", "--chmod=D755,F644", "--exclude=.*"]
# Never wait for a password: a publish from CI must fail instead
SSH = ["ssh", "-o", "BatchMode=yes"]
LOCK_FILE = "publish.lock"


class PublishFailed(Exception):
    """A step on the target failed; the message says whether `current` was switched."""


@dataclass(frozen=True)
class Target:
    host: str | None
    path: str

    @classmethod
    def parse(cls, text):
        """rsync's rule: `host:path` when a colon comes before any slash, else a local path."""
        head, colon, tail = str(text).partition(":")
        if colon and "/" not in head and head:
            return cls(head, tail or ".")
        return cls(None, str(Path(text).resolve()))

    def run(self, script):
        """Run a POSIX shell script in the target's machine; its output, or PublishFailed."""
        command = [*SSH, self.host, script] if self.host else ["sh", "-c", script]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise PublishFailed(f"{self}: {script!r} failed (exit {result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def run_inside(self, script):
        """Run a script inside the target folder, where `current` and releases/ are."""
        return self.run(f"cd {shlex.quote(self.path)} && {script}")

    def rsync_path(self, relative):
        path = f"{self.path}/{relative}"
        return f"{self.host}:{path}" if self.host else path

    def __str__(self):
        return f"{self.host}:{self.path}" if self.host else self.path


def release_name():
    return datetime.now(UTC).strftime(RELEASE_FORMAT)


def state(target):
    """The release `current` points to (or None) and every release, oldest first."""
    quoted = shlex.quote(target.path)
    output = target.run(f"cd {quoted} 2>/dev/null || exit 0; readlink current 2>/dev/null; echo; ls -1 releases 2>/dev/null; true")
    link, _, listing = output.partition("\n")
    current = Path(link.strip()).name or None
    return current, sorted(name for name in listing.split() if RELEASE_NAME.fullmatch(name))


def releases_to_prune(releases, current, keep):
    """The releases beyond the newest `keep`, never the one being served."""
    return [name for name in sorted(releases)[:-keep] if name != current]


def previous_release(releases, current):
    """The release published before `current`."""
    older = [name for name in sorted(releases) if current is None or name < current]
    if current not in releases or not older:
        raise PublishFailed(f"no release before {current or 'nothing'} to roll back to")
    return older[-1]


def switch_script(name):
    """Point `current` at a release by renaming a new symlink over it: readers get the old or the new, never none."""
    return f"ln -sfn {shlex.quote('releases/' + name)} current.tmp && mv -T current.tmp current"


def check_edition(output_dir):
    output_dir = Path(output_dir)
    if not (output_dir / "index.html").is_file():
        raise PublishFailed(f"{output_dir} has no index.html: build the edition before publishing")
    return output_dir


def upload(output_dir, target, name, current):
    """rsync the edition into releases/<name>.partial/, hard-linking files unchanged since `current`."""
    partial = f"releases/{name}.partial"
    target.run(f"mkdir -p {shlex.quote(target.path + '/releases')}")
    # relative to the destination folder, so it holds for local and remote paths alike
    link_dest = [f"--link-dest=../{current}"] if current else []
    try:
        result = subprocess.run([*RSYNC, *link_dest, f"{output_dir}/", target.rsync_path(partial) + "/"], capture_output=True, text=True)
    except BaseException:  # Ctrl-C: the copy so far goes (a killed publish's goes with the next: publish_locked)
        target.run(f"rm -rf {shlex.quote(target.path + '/' + partial)}")
        raise
    if result.returncode != 0:
        target.run(f"rm -rf {shlex.quote(target.path + '/' + partial)}")
        raise PublishFailed(f"rsync to {target} failed (exit {result.returncode}), current left as it was: {result.stderr.strip()}")
    return partial


def publish(output_dir, target, keep=5):
    """Copy a built edition to target as a new release, switch `current` to it, keep the newest `keep`.

    Returns the new release's name. A failure before the switch leaves `current` as it was; an edition
    that is the current release already raises NothingChanged.
    """
    if keep < 1:
        raise PublishFailed(f"keep must be at least 1, not {keep}")
    output_dir = check_edition(output_dir).resolve()
    target = Target.parse(target)
    with hold(target) as lock:
        return publish_locked(output_dir, target, keep, lock)


class NothingChanged(Exception):
    """The built edition is the current release, file for file: no release is made (a release of the same
    files would push the one before it, which a rollback goes back to, one step further away)."""

    def __init__(self, current):
        super().__init__(f"nothing changed since release {current}, which readers get: no new release")
        self.current = current


def same_as(output_dir, target, current):
    """Is the edition in output_dir the release `current`, every file of the same size and time and no
    other? rsync's dry run (stat only: an unchanged file keeps its time through builds and uploads)."""
    # --modify-window=-1: times to the nanosecond (a file rewritten in the same second, at the same size, is another)
    dry_run = ["--dry-run", "--itemize-changes", "--delete", "--omit-dir-times", "--modify-window=-1"]
    command = [*(part for part in RSYNC if part != "--checksum"), *dry_run, f"{output_dir}/", target.rsync_path(f"releases/{current}") + "/"]
    result = subprocess.run(command, capture_output=True, text=True)
    return result.returncode == 0 and not result.stdout.strip()


def publish_locked(output_dir, target, keep, lock):
    current, releases = state(target)
    # Copies a publish killed during its upload left (releases/<name>.partial, a whole site each): with the
    # lock held, no other publish is writing one.
    target.run(f"cd {shlex.quote(target.path)} 2>/dev/null || exit 0; rm -rf releases/*.partial")
    if current in releases and same_as(output_dir, target, current):
        raise NothingChanged(current)
    name = release_name()
    if name in releases:
        raise PublishFailed(f"{target}: release {name} already exists")
    partial = upload(output_dir, target, name, current)
    try:
        lock.check()  # an upload that outlived its lock (renewals failed) must not switch over another publish
    except Locked as error:
        target.run(f"rm -rf {shlex.quote(target.path + '/' + partial)}")
        raise PublishFailed(f"{error}; current left as it was") from error
    finish = f"mv {shlex.quote(partial)} {shlex.quote('releases/' + name)}"
    target.run_inside(f"{finish} && {switch_script(name)}")
    try:
        prune(target, [*releases, name], name, keep)
    except PublishFailed as error:
        raise PublishFailed(f"release {name} is live, but old releases were not removed: {error}") from error
    return name


def prune(target, releases, current, keep):
    old = releases_to_prune(releases, current, keep)
    if old:
        folders = " ".join(shlex.quote(f"releases/{name}") for name in old)
        target.run_inside(f"rm -rf -- {folders}")
    return old


def rollback(target):
    """Point `current` back at the release before it; returns that release's name."""
    target = Target.parse(target)
    with hold(target):
        current, releases = state(target)
        name = previous_release(releases, current)
        target.run_inside(switch_script(name))
    return name


class hold:
    """The target's publish lock for a block; a second publish or rollback is refused with PublishFailed."""

    def __init__(self, target):
        self.lock = Lock(FolderLockStore(target), str(target))

    def __enter__(self):
        try:
            return self.lock.__enter__()
        except Locked as error:
            raise PublishFailed(str(error)) from error

    def __exit__(self, *exc):
        self.lock.__exit__(*exc)
        return False


@dataclass(frozen=True)
class FolderLockStore:
    """<target>/publish.lock, created whole by a hard link (which fails if the name is taken), replaced by a rename."""

    target: Target

    def _run(self, script):
        path = shlex.quote(self.target.path)
        return self.target.run(f"mkdir -p {path} && cd {path} && {script}")

    def create(self, text):
        temporary = f"{LOCK_FILE}.$$"
        made = self._run(f"printf %s {shlex.quote(text)} > {temporary} && if ln {temporary} {LOCK_FILE} 2>/dev/null; then echo made; fi; rm -f {temporary}")
        return text if made.strip() == "made" else None

    def read(self):
        text = self._run(f"cat {LOCK_FILE} 2>/dev/null; true")
        return (text, text) if text else None

    def replace(self, text, tag):
        temporary = f"{LOCK_FILE}.$$"
        script = f'if [ "$(cat {LOCK_FILE} 2>/dev/null)" = {shlex.quote(tag)} ]; then printf %s {shlex.quote(text)} > {temporary} && mv -f {temporary} {LOCK_FILE} && echo replaced; fi'
        return text if self._run(script).strip() == "replaced" else None

    def remove(self, tag):
        self._run(f'if [ "$(cat {LOCK_FILE} 2>/dev/null)" = {shlex.quote(tag)} ]; then rm -f {LOCK_FILE}; fi')
