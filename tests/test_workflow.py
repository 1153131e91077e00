"""The CI workflow that tests every pull request and deploys main to GitHub Pages: valid
against GitHub's workflow schema and free of high-severity findings, checked offline."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EDITION = ROOT / ".github" / "workflows" / "edition.yml"


def run(*command):
    return subprocess.run([str(BIN / command[0]), *command[1:]], capture_output=True, text=True, cwd=ROOT)


def steps(job):
    return [step.get("uses", "").split("@")[0] for step in job["steps"]]


def test_every_workflow_is_valid_against_the_github_workflow_schema():
    assert WORKFLOWS
    result = run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_of_high_severity_in_any_workflow():
    result = run("zizmor", "--offline", "--no-exit-codes", "--format", "json", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stderr
    high = [finding for finding in json.loads(result.stdout) if finding["determinations"]["severity"] == "High"]
    assert not high, json.dumps(high, indent=1, ensure_ascii=False)


@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load(EDITION.read_text(encoding="utf-8"))


def test_pull_requests_are_tested_and_built_and_only_main_is_deployed(workflow):
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert any("bash .ci/run" in step.get("run", "") for step in build["steps"])
    assert "actions/upload-pages-artifact" in steps(build)
    assert steps(deploy) == ["actions/deploy-pages"]
    assert deploy["needs"] == "build" and "refs/heads/main" in deploy["if"]


def test_the_workflow_token_can_do_no_more_than_each_job_needs(workflow):
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    checkout = next(step for step in workflow["jobs"]["build"]["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False


def test_every_action_is_pinned_to_a_full_commit(workflow):
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                ref = step["uses"].split("@")[1]
                assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), step["uses"]


def test_ci_builds_start_from_the_last_build_of_their_kind(workflow):
    """Restored output/ and cache/ make a commit's build in CI incremental; pull requests and main keep theirs apart."""
    build = workflow["jobs"]["build"]["steps"]
    restore = next(step for step in build if step.get("uses", "").startswith("actions/cache/restore@"))
    save = next(step for step in build if step.get("uses", "").startswith("actions/cache/save@"))
    assert restore["with"]["path"].split() == save["with"]["path"].split() == ["output", "cache"]
    assert restore["with"]["key"] == save["with"]["key"] and "github.event_name" in save["with"]["key"]
    assert restore["with"]["restore-keys"] == save["with"]["key"].split("${{ github.sha }}")[0]
    order = [step.get("name") for step in build]
    assert (
        order.index(restore["name"])
        < order.index("Build with the development settings")
        < order.index("Build with the production settings")
        < order.index(save["name"])
    )
