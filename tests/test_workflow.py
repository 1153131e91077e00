"""The CI workflow that tests, builds and deploys the edition: valid against GitHub's workflow
schema and free of high-severity findings, checked offline; every action pinned to a release's
commit; a commit that changes only content/ built and deployed without the test suite; a site
over the GitHub Pages limit stopped before its upload."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EDITION = ROOT / ".github" / "workflows" / "edition.yml"


def ci_script(name):
    """A script of .ci/ (standard library only, run on the bare runner), imported as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / ".ci" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


action_pins, changes, pages_size = ci_script("action_pins"), ci_script("changes"), ci_script("pages_size")


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


def named(job, name):
    return next(step for step in job["steps"] if step.get("name") == name)


def test_pull_requests_are_checked_and_built_and_only_main_is_deployed(workflow):
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    test, build, deploy = (workflow["jobs"][name] for name in ("test", "build", "deploy"))
    assert any("bash .ci/run" in step.get("run", "") for step in test["steps"])
    assert "actions/upload-pages-artifact" in steps(build)
    assert steps(deploy) == ["actions/deploy-pages"]
    assert deploy["needs"] == "build" and "refs/heads/main" in deploy["if"] and "needs.build.result == 'success'" in deploy["if"]
    assert named(build, "Upload the edition")["if"] == "github.event_name == 'push'"


def test_a_commit_that_changes_only_content_is_built_without_the_test_suite(workflow):
    """The test job runs only when the changes job says code changed; the build waits for it, or
    goes at once when it was skipped; it never builds after failed tests."""
    jobs = workflow["jobs"]
    changes_steps = [step.get("run", "") for step in jobs["changes"]["steps"]]
    assert sum("python3 .ci/changes.py" in command for command in changes_steps) == 2  # push and pull request
    assert jobs["changes"]["outputs"]["code"].count("outputs.code") == 2
    assert jobs["test"]["needs"] == "changes" and jobs["test"]["if"] == "needs.changes.outputs.code == 'true'"
    build = jobs["build"]
    assert build["needs"] == ["changes", "test"]
    condition = build["if"]
    assert "!cancelled()" in condition and "needs.test.result == 'success' || needs.test.result == 'skipped'" in condition
    assert "needs.changes.result == 'success'" in condition
    # the build job checks and builds with the site's requirements only, no browsers, no tests
    commands = [step.get("run", "") for step in build["steps"]]
    assert "python3 -m venv .venv && .venv/bin/pip install --quiet -r requirements.txt" in commands
    assert ".venv/bin/invoke build" in commands and ".venv/bin/invoke preview" in commands
    assert not any("invoke test" in command or ".ci/run" in command or "requirements-dev" in command for command in commands)


def test_the_size_is_checked_after_the_build_and_before_the_upload(workflow):
    build = workflow["jobs"]["build"]
    order = [step.get("name") for step in build["steps"]]
    size = named(build, "Stop before GitHub Pages' size limit")
    assert size["run"] == "python3 .ci/pages_size.py output" and "if" not in size
    assert order.index("Check and build with the production settings") < order.index(size["name"]) < order.index("Upload the edition")


def test_the_workflow_token_can_do_no_more_than_each_job_needs(workflow):
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["changes"]["permissions"] == {"contents": "read", "actions": "read"}
    assert jobs["test"]["permissions"] == {"contents": "read"}
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for job in jobs.values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_every_action_is_pinned_to_the_commit_of_a_release_on_node_24():
    """Offline, against .github/action-pins.json; `python3 .ci/action_pins.py --online` checks that
    list against the published tags."""
    pins = action_pins.workflow_pins()
    assert {pin["repo"] for pin in pins} == {
        "actions/checkout",
        "actions/cache",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    }
    assert action_pins.problems(pins, action_pins.load()) == []


def test_a_pin_that_is_not_its_release_or_runs_on_node_20_is_refused():
    listed = action_pins.load()
    cache = listed["actions/cache"]["v6.1.0"]["commit"]
    text = f"""steps:
      - uses: actions/cache/restore@{"0" * 40} # v6.1.0
      - uses: actions/cache/save@{cache} # v6.0.9
      - uses: actions/cache@{cache}
      - uses: actions/checkout@v5
      - uses: actions/old@{"1" * 40} # v1.0.0
    """
    listed["actions/old"] = {"v1.0.0": {"commit": "1" * 40, "runs": "node20"}}
    found = action_pins.problems(action_pins.pins_in(text, "edition.yml"), listed)
    assert found == [
        f"edition.yml:2: actions/cache@{'0' * 40}: v6.1.0 is {cache} — pin the release's commit",
        "edition.yml:3: actions/cache v6.0.9: not in .github/action-pins.json — add it with `python3 .ci/action_pins.py --update`",
        f"edition.yml:4: actions/cache@{cache}: no version comment — `# vX.Y.Z`, the release tag of the commit",
        "edition.yml:5: actions/checkout@v5: not pinned to a full commit — a 40-hex commit with `# vX.Y.Z`",
        "edition.yml:6: actions/old v1.0.0: runs on node20 — a release that runs on node24",
    ]


def test_every_listed_release_says_how_it_was_verified():
    for repository, tags in action_pins.load().items():
        if repository == "about":
            continue
        for tag, entry in tags.items():
            assert action_pins.RELEASE.fullmatch(tag) and entry["verified"], (repository, tag)


def test_published_tags_are_read_from_git_ls_remote_with_annotated_tags_peeled():
    listing = (
        "55cc8345863c7cc4c66a329aec7e433d2d1c52a9\trefs/tags/v6\n"
        "55cc8345863c7cc4c66a329aec7e433d2d1c52a9\trefs/tags/v6.1.0\n"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\trefs/tags/v4.3.0\n"
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\trefs/tags/v4.3.0^{}\n"
        "cccccccccccccccccccccccccccccccccccccccc\trefs/heads/main\n"
    )
    tags = action_pins.parse_ls_remote(listing)
    assert tags == {"v6": "55cc8345863c7cc4c66a329aec7e433d2d1c52a9", "v6.1.0": "55cc8345863c7cc4c66a329aec7e433d2d1c52a9", "v4.3.0": "b" * 40}
    assert action_pins.newest_release([*tags, "v10.0.0-beta", "v6.0.12"]) == "v6.1.0"
    assert action_pins.runtime("name: x\nruns:\n  using: 'node24'\n  main: dist/index.js\n") == "node24"


def test_ci_builds_start_from_the_last_build_of_their_kind(workflow):
    """Restored output/ and cache/ make a commit's build in CI incremental; pull requests and main keep theirs apart."""
    build = workflow["jobs"]["build"]["steps"]
    restore = next(step for step in build if step.get("uses", "").startswith("actions/cache/restore@"))
    save = next(step for step in build if step.get("uses", "").startswith("actions/cache/save@"))
    assert restore["with"]["path"].split() == save["with"]["path"].split() == ["output", ".output.previous", ".output.previous.json", "cache"]
    assert restore["with"]["key"] == save["with"]["key"] and "github.event_name" in save["with"]["key"]
    assert restore["with"]["restore-keys"] == save["with"]["key"].split("${{ github.sha }}")[0]
    order = [step.get("name") for step in build]
    assert (
        order.index(restore["name"])
        < order.index("Check and build with the development settings")
        < order.index("Check and build with the production settings")
        < order.index(save["name"])
    )


@pytest.fixture
def repository(tmp_path):
    """A git repository with one commit of content, code and theme; yields a function that commits changes."""

    def git(*arguments):
        return subprocess.run(["git", *arguments], cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()

    def commit(files, removed=()):
        for path, text in files.items():
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(text, encoding="utf-8")
        for path in removed:
            git("rm", "-q", path)
        git("add", "-A")
        git("commit", "-q", "-m", "change")
        return git("rev-parse", "HEAD")

    git("init", "-q")
    git("config", "user.email", "ci@example.invalid")
    git("config", "user.name", "CI")
    commit.first = commit({"content/2020-12-30/a06-01-x.md": "Title: x\n", "plugins/edition/model.py": "x = 1\n", "theme/templates/base.html": "<p>\n"})
    commit.git = git
    return commit


def what_changed(repository, base, head, *flags):
    output = repository.git("rev-parse", "--show-toplevel")
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "changes.py"), *flags, base, head],
        cwd=output,
        capture_output=True,
        text=True,
        env=os.environ | {"GITHUB_OUTPUT": ""},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_content_only_commit_needs_no_test_suite_and_any_other_commit_does(repository):
    base = repository.first
    fixed = repository({"content/2020-12-30/a06-01-x.md": "Title: y\n", "content/2020-12-31/a01-01-z.md": "Title: z\n"})
    assert what_changed(repository, base, fixed) == ["2 path(s) changed, 0 outside content/: content only, no test suite", "code=false"]
    theme = repository({"theme/templates/base.html": "<p>2\n", "content/2020-12-31/a01-01-z.md": "Title: zz\n"})
    assert what_changed(repository, fixed, theme) == ["2 path(s) changed, 1 outside content/: theme/templates/base.html", "code=true"]
    # several commits since the last good build: any code among them means the tests run
    assert what_changed(repository, base, theme)[-1] == "code=true"


def test_a_file_moved_from_code_into_content_counts_as_a_code_change(repository):
    repository.git("mv", "plugins/edition/model.py", "content/model.py")
    repository.git("commit", "-q", "-m", "move")
    assert what_changed(repository, repository.first, "HEAD")[-1] == "code=true"


def test_without_a_known_commit_to_compare_with_everything_runs(repository):
    lines = what_changed(repository, "", "HEAD")
    assert lines == ["no commit is not a commit here (a new branch, or history rewritten): testing everything", "code=true"]
    assert what_changed(repository, "0" * 40, "HEAD")[-1] == "code=true"
    assert what_changed(repository, "1234567" * 5 + "12345", "HEAD")[-1] == "code=true"  # rewritten history


def test_a_pull_request_is_compared_with_where_it_left_its_base_branch(repository):
    start = repository.first
    repository.git("checkout", "-q", "-b", "proposal")
    proposal = repository({"content/2020-12-31/a01-01-z.md": "Title: z\n"})
    repository.git("checkout", "-q", "-")
    main = repository({"plugins/edition/model.py": "x = 2\n"})  # main moved on with code since
    assert what_changed(repository, main, proposal, "--merge-base")[-1] == "code=false"
    assert what_changed(repository, main, proposal)[-1] == "code=true"  # a plain diff would see main's change
    assert start != main


def test_github_output_gets_the_verdict(repository, tmp_path_factory):
    output = tmp_path_factory.mktemp("github") / "output"
    fixed = repository({"content/2020-12-30/a06-01-x.md": "Title: y\n"})
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "changes.py"), repository.first, fixed],
        cwd=repository.git("rev-parse", "--show-toplevel"),
        capture_output=True,
        text=True,
        env=os.environ | {"GITHUB_OUTPUT": str(output)},
    )
    assert result.returncode == 0 and output.read_text() == "code=false\n"


def test_a_site_over_the_pages_limit_is_stopped_with_the_way_out(tmp_path):
    site = tmp_path / "output"
    (site / "2020-12-30").mkdir(parents=True)
    (site / "index.html").write_bytes(b"x" * 600)
    (site / "2020-12-30" / "index.html").write_bytes(b"x" * 300)
    os.link(site / "index.html", site / "copy.html")  # the upload dereferences hard links: counted twice
    (site / ".git").mkdir()
    (site / ".git" / "big").write_bytes(b"x" * 5000)  # left out of the artifact
    files, size = pages_size.site_size(site)
    assert (files, size) == (3, 1500)
    status, message = pages_size.verdict("output", files, size, limit=1000)
    assert status == 1
    assert message.startswith("::error::output: 0.0 MB in 3 files, 150% of GitHub Pages' 1e-06 GB limit. GitHub Pages refuses a site this large")
    assert "invoke publish --target s3://" in message
    assert pages_size.verdict("output", files, size, limit=1800)[1].startswith("::warning::")
    assert pages_size.verdict("output", files, size, limit=10**9) == (0, "output: 0.0 MB in 3 files, 0% of GitHub Pages' 1 GB limit")


def test_the_size_check_follows_an_output_that_is_a_link_and_says_when_there_is_none(tmp_path):
    built = tmp_path / "output.1"
    built.mkdir()
    (built / "index.html").write_text("x", encoding="utf-8")
    (tmp_path / "output").symlink_to(built)
    script = str(ROOT / ".ci" / "pages_size.py")
    result = subprocess.run([sys.executable, script, "output"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "output: 0.0 MB in 1 files, 0% of GitHub Pages' 1 GB limit\n"
    result = subprocess.run([sys.executable, script, "elsewhere"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr == "::error::elsewhere: no such folder — build the site first\n"


def test_the_pre_commit_hook_checks_every_file_of_content_with_the_project_s_venv(tmp_path):
    """The hook ran whatever `python` came first on the PATH (none on a bare Debian, one without Pelican
    elsewhere), and only for Markdown: a zone file without its page PDF was committed, the hook skipped."""
    import shutil

    for name in (".pre-commit-config.yaml", "pelicanconf.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("plugins", "theme", ".venv"):
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "content", tmp_path / "content")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / ".pre-commit-cache"), "PATH": "/usr/bin:/bin"}  # no venv on the PATH

    def git(*arguments):
        return subprocess.run(["git", *arguments], cwd=tmp_path, capture_output=True, text=True, check=True, env=env)

    def hook():
        return subprocess.run([str(ROOT / ".venv/bin/pre-commit"), "run", "content-check"], cwd=tmp_path, capture_output=True, text=True, env=env)

    git("init", "-q")
    git("add", "-A")
    good = hook()
    assert good.returncode == 0 and "Passed" in good.stdout, good.stdout + good.stderr
    (tmp_path / "content/2020-12-30/a07.yml").write_text("a07-01-x:\n  rect: [0, 0, 10, 10]\n", encoding="utf-8")
    git("add", "content/2020-12-30/a07.yml")
    bad = hook()
    assert bad.returncode == 1 and "a07.yml" in bad.stdout, bad.stdout + bad.stderr
