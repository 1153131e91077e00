"""How long a content commit takes to go from `git clone` to a built site, as the workflow builds it.

    .venv/bin/python tests/benchmark/content_commit.py --reports 5000 [--folder DIR]

A newspaper repository is made from this project's committed code with a synthetic archive of N
reports as its content/, and built once as main's workflow builds it (untimed). Then one report is
corrected and committed, and the timed part does what the workflow's build job does for that push:
a fresh `git clone` (the checkout), the last build's output/ and cache/ copied in (the cache
restore), then every `run:` step of the job, read from .github/workflows/edition.yml, in order,
with the push event's conditions. The steps GitHub runs itself (saving the cache, uploading and
deploying the site) are not timed; the test suite does not run, since the commit changes only content/.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests")]

from benchmark.run import last_saturday  # noqa: E402
from benchmark.synthetic import SECTIONS, write_corpus  # noqa: E402

WORKFLOW = ROOT / ".github" / "workflows" / "edition.yml"
SITEURL = "https://owner.github.io/edition"  # what configure-pages answers for a project site
BAR = 60.0


def git(*arguments, cwd):
    return subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def job_steps(event="push"):
    """The build job's steps for an event: ("run", name, command, env) or ("uses", name, action)."""
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]
    steps = []
    for step in job["steps"]:
        condition = step.get("if")
        if condition is not None:
            match = re.fullmatch(r"github\.event_name == '(\w+)'", condition)
            if not match:
                raise SystemExit(f"{WORKFLOW.name}: {step.get('name')}: cannot evaluate `if: {condition}` here")
            if match.group(1) != event:
                continue
        if "run" in step:
            env = {name: str(value).replace("${{ steps.pages.outputs.base_url }}", SITEURL) for name, value in step.get("env", {}).items()}
            if any("${{" in value for value in env.values()) or "${{" in step["run"]:
                raise SystemExit(f"{WORKFLOW.name}: {step['name']}: an expression this script does not know")
            steps.append(("run", step["name"], step["run"], env))
        else:
            steps.append(("uses", step.get("name", step["uses"].split("@")[0]), step["uses"].split("@")[0]))
    return steps


def make_repository(origin, reports):
    """The newspaper's repository: this project's committed files, a synthetic archive as content/."""
    origin.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(origin)], input=archive, check=True)
    shutil.rmtree(origin / "content")
    dates = write_corpus(origin / "content", reports, end=last_saturday())
    with (origin / "pelicanconf.py").open("a", encoding="utf-8") as settings:
        settings.write(f"\nSECTIONS = {SECTIONS!r}  # the synthetic archive's page names\n")
    git("init", "-q", "-b", "main", cwd=origin)
    git("config", "user.email", "desk@example.invalid", cwd=origin)
    git("config", "user.name", "Desk", cwd=origin)
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", f"{reports:,} reports", cwd=origin)
    return dates


def correct_one_report(origin, date):
    """The content commit: a one-character correction in one report of the newest edition."""
    report = sorted((origin / "content" / date.isoformat()).glob("*.md"))[0]
    text = report.read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    report.write_text(f"{head}\n\n{body.replace('。', '；', 1)}", encoding="utf-8")
    git("commit", "-q", "-am", "更正: one report", cwd=origin)
    return report.relative_to(origin)


def run_job(origin, clone, saved, phases):
    """What the build job does for a push: clone, restore, then its run steps. Appends (phase, seconds)."""

    def timed(name, action):
        started = time.perf_counter()
        action()
        phases.append((name, time.perf_counter() - started))

    timed("git clone (the checkout)", lambda: git("clone", "-q", "--no-local", str(origin), str(clone), cwd=origin.parent))
    for kind, name, *rest in job_steps("push"):
        if kind == "uses" and rest[0] == "actions/checkout":
            continue
        if kind == "uses" and rest[0] == "actions/cache/restore":
            if saved.exists():
                timed(f"{name} (copy output/ and cache/)", lambda: [shutil.copytree(saved / part, clone / part, symlinks=True) for part in ("output", "cache")])
            continue
        if kind == "uses":
            print(f"  not timed: {name} ({rest[0]}, GitHub's own)")
            continue
        command, env = rest
        timed(name, lambda command=command, env=env, name=name: run_step(name, command, clone, env))


def run_step(name, command, folder, env):
    result = subprocess.run(["bash", "-e", "-c", command], cwd=folder, env=os.environ | env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"step failed: {name}\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    for line in (result.stdout + result.stderr).splitlines():
        if line.startswith(("::", "output:")):
            print(f"  {line}")


def measure(reports, work, repeat=1):
    origin = work / "origin"
    print(f"writing {reports:,} synthetic reports and committing them (not timed)")
    dates = make_repository(origin, reports)
    saved, clone = work / "last-build", work / "clone"
    first = []
    print("the last build: main's workflow on the archive's commit (not timed)")
    run_job(origin, clone, saved, first)
    saved.mkdir()
    for part in ("output", "cache"):
        shutil.move(clone / part, saved / part)
    shutil.rmtree(clone)  # the next run checks out into the same folder, as GitHub's runner does
    print(f"  took {sum(seconds for _, seconds in first):.1f} s")
    corrected = correct_one_report(origin, dates[-1])
    totals = []
    for run in range(1, repeat + 1):
        print(f"the content commit: {corrected}; timed from the clone to the built site (run {run} of {repeat}):")
        shutil.rmtree(clone, ignore_errors=True)
        phases = []
        run_job(origin, clone, saved, phases)
        for name, seconds in phases:
            print(f"  {seconds:6.1f} s  {name}")
        totals.append(sum(seconds for _, seconds in phases))
        verdict = "within" if totals[-1] <= BAR else "OVER"
        print(f"  {totals[-1]:6.1f} s  in all, {verdict} the {BAR:.0f} s bar ({reports:,} reports)")
    if repeat > 1:
        print(f"runs: {', '.join(f'{total:.1f}' for total in totals)} s")
    return totals


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--folder", help="a new folder to keep the repository, clones and builds in")
    parser.add_argument("--repeat", type=int, default=1, help="time the content commit this many times (a fresh clone each time)")
    options = parser.parse_args(arguments)
    if options.folder:
        work = Path(options.folder).resolve()
        work.mkdir(parents=True, exist_ok=False)
        measure(options.reports, work, options.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="edition-content-commit-") as folder:
            measure(options.reports, Path(folder), options.repeat)


if __name__ == "__main__":
    main()
