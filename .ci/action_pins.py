"""Every action the workflows use is pinned to the commit of a release tag, on a Node that GitHub runs.

    python3 .ci/action_pins.py            # offline: the workflows' pins against .github/action-pins.json
    python3 .ci/action_pins.py --online   # also the list against the published tags (git ls-remote)
    python3 .ci/action_pins.py --update   # rewrite the list from the published tags and each action.yml

A pin is `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`; the comment names the release tag. The offline
check is what the tests run; the online ones need git and access to github.com.
"""

import datetime
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / ".github" / "action-pins.json"
WORKFLOWS = ROOT / ".github" / "workflows"
SUPPORTED = {"node24"}  # GitHub retires node20 actions (forced onto node24 from June 2026)
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*['\"]?(?P<repo>[\w.-]+/[\w.-]+)(?P<path>/[^@\s'\"]*)?@(?P<ref>[^\s'\"#]+)['\"]?(?:\s+#\s*(?P<tag>\S+))?", re.M)
COMMIT = re.compile(r"[0-9a-f]{40}")
RELEASE = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


def pins_in(text, name="workflow"):
    """Each `uses:` of a workflow or action file: dict(where, repo, path, ref, tag)."""
    found = []
    for match in USES.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found.append({"where": f"{name}:{line}", **match.groupdict()})
    return found


def workflow_pins(folder=WORKFLOWS):
    return [pin for path in sorted(Path(folder).glob("*.y*ml")) for pin in pins_in(path.read_text(encoding="utf-8"), path.relative_to(ROOT))]


def load(path=PINS):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def problems(pins, listed):
    """One line per pin that is not the commit of the release its comment names, or that runs on a retired Node."""
    found = []
    for pin in pins:
        where, repo, ref, tag = pin["where"], pin["repo"], pin["ref"], pin["tag"]
        if repo.startswith(".") or pin["ref"] is None:
            continue
        if not COMMIT.fullmatch(ref):
            found.append(f"{where}: {repo}@{ref}: not pinned to a full commit — a 40-hex commit with `# vX.Y.Z`")
            continue
        if not tag:
            found.append(f"{where}: {repo}@{ref}: no version comment — `# vX.Y.Z`, the release tag of the commit")
            continue
        entry = listed.get(repo, {}).get(tag)
        if entry is None:
            found.append(f"{where}: {repo} {tag}: not in {PINS.relative_to(ROOT)} — add it with `python3 .ci/action_pins.py --update`")
            continue
        if entry["commit"] != ref:
            found.append(f"{where}: {repo}@{ref}: {tag} is {entry['commit']} — pin the release's commit")
        runtimes = [entry["runs"]] if entry["runs"] != "composite" else [nested["runs"] for nested in entry.get("nested", {}).values()]
        for runtime in runtimes:
            if runtime not in SUPPORTED:
                found.append(f"{where}: {repo} {tag}: runs on {runtime} — a release that runs on {' or '.join(sorted(SUPPORTED))}")
    return found


def parse_ls_remote(text):
    """{tag: commit} from `git ls-remote --tags`: an annotated tag is known by the commit it peels to (`^{}`)."""
    tags, peeled = {}, {}
    for line in text.splitlines():
        commit, _, ref = line.partition("\t")
        if not ref.startswith("refs/tags/"):
            continue
        name = ref.removeprefix("refs/tags/")
        if name.endswith("^{}"):
            peeled[name[:-3]] = commit
        else:
            tags[name] = commit
    return tags | peeled


def newest_release(tags):
    releases = [tag for tag in tags if RELEASE.fullmatch(tag)]
    return max(releases, key=lambda tag: tuple(map(int, RELEASE.fullmatch(tag).groups())), default=None)


def git(*arguments, cwd=None):
    return subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, check=True, timeout=120).stdout


def remote_tags(repo):
    return parse_ls_remote(git("ls-remote", "--tags", f"https://github.com/{repo}"))


def action_file(repo, commit, path=""):
    """The text of action.yml (or .yaml) at a commit of the action's repository."""
    with tempfile.TemporaryDirectory() as folder:
        git("init", "--quiet", "--bare", folder)
        git("fetch", "--quiet", "--depth=1", f"https://github.com/{repo}", commit, cwd=folder)
        for name in ("action.yml", "action.yaml"):
            file = "/".join(filter(None, [path.strip("/"), name]))
            result = subprocess.run(["git", "show", f"{commit}:{file}"], cwd=folder, capture_output=True, text=True)
            if result.returncode == 0:
                return result.stdout
    raise SystemExit(f"{repo}@{commit}{path}: no action.yml")


def runtime(text):
    match = re.search(r"^runs:\s*\n(?:\s+.*\n)*?\s+using:\s*['\"]?([\w-]+)", text, re.M)
    return match.group(1) if match else "unknown"


def describe(repo, tag, commit, path=""):
    """A list entry for one release, read from the repository itself."""
    text = action_file(repo, commit, path)
    entry = {"commit": commit, "runs": runtime(text)}
    if entry["runs"] == "composite":
        entry["nested"] = {}
        for nested in pins_in(text, f"{repo}/action.yml"):
            if COMMIT.fullmatch(nested["ref"] or "") and nested["tag"]:
                entry["nested"][nested["repo"]] = {
                    "tag": nested["tag"],
                    "commit": nested["ref"],
                    "runs": runtime(action_file(nested["repo"], nested["ref"], nested["path"] or "")),
                }
            else:
                entry["nested"][nested["repo"]] = {"tag": nested["ref"], "commit": None, "runs": "not pinned to a commit"}
    entry["verified"] = f"{datetime.date.today()}: git ls-remote --tags https://github.com/{repo}, and action.yml at the commit"
    return entry


def online(listed, pins, update=False):
    """Check (or rewrite) the list against the published tags; return the problems."""
    found = []
    wanted = {}
    for pin in pins:
        if pin["tag"]:
            wanted.setdefault(pin["repo"], {})[pin["tag"]] = pin["path"] or ""
    for repo in sorted(set(wanted) | {name for name in listed if "/" in name}):
        tags = remote_tags(repo)
        for tag in sorted(set(wanted.get(repo, {})) | set(listed.get(repo, {}))):
            published = tags.get(tag)
            recorded = listed.get(repo, {}).get(tag, {}).get("commit")
            if published is None:
                found.append(f"{repo} {tag}: no such tag published")
            elif update:
                listed.setdefault(repo, {})[tag] = describe(repo, tag, published, wanted.get(repo, {}).get(tag, ""))
            elif recorded != published:
                found.append(f"{repo} {tag}: the list says {recorded}, the repository's tag names {published}")
        newest = newest_release(tags)
        if newest and newest not in wanted.get(repo, {}):
            print(f"{repo}: newest release {newest} (pinned: {', '.join(sorted(wanted.get(repo, {}))) or 'none'})")
    return found


def main(arguments):
    listed, pins = load(), workflow_pins()
    found = problems(pins, listed)
    if "--online" in arguments or "--update" in arguments:
        found += online(listed, pins, update="--update" in arguments)
        if "--update" in arguments:
            PINS.write_text(json.dumps(listed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            found = problems(pins, listed)
    for line in found:
        print(line, file=sys.stderr)
    if not found:
        print(f"{len(pins)} action pins, each the commit of its release tag, on {' or '.join(sorted(SUPPORTED))}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
