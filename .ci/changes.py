"""Which jobs a commit needs: `python3 .ci/changes.py BASE HEAD` prints what changed and writes
`code=true` or `code=false` to $GITHUB_OUTPUT (or prints it). A commit that changes only
`content/` needs the checker and the build, not the test suite; anything else needs everything.
Standard library only: it runs on the bare runner, before anything is installed."""

import os
import subprocess
import sys

CONTENT = "content/"
UNKNOWN_BASE = {"", "0" * 40}  # a new branch's first push has no commit before it


def needs_tests(paths):
    """True if any changed path lies outside content/ (code, theme, settings, tests, CI), or the changes are unknown (None)."""
    return paths is None or any(not path.startswith(CONTENT) for path in paths)


def changed_paths(base, head, merge_base=False):
    """Paths changed from base to head, both sides of a rename; None if base is unknown here."""
    if base in UNKNOWN_BASE or subprocess.run(["git", "cat-file", "-e", f"{base}^{{commit}}"], capture_output=True).returncode:
        return None
    spec = f"{base}...{head}" if merge_base else f"{base}..{head}"
    result = subprocess.run(["git", "diff", "--name-only", "--no-renames", "-z", spec], capture_output=True, text=True, check=True)
    return [path for path in result.stdout.split("\0") if path]


def main(arguments):
    merge_base = "--merge-base" in arguments
    base, head = [argument for argument in arguments if argument != "--merge-base"]
    paths = changed_paths(base, head, merge_base)
    code = needs_tests(paths)
    if paths is None:
        print(f"{base or 'no commit'} is not a commit here (a new branch, or history rewritten): testing everything")
    else:
        outside = [path for path in paths if not path.startswith(CONTENT)]
        print(
            f"{len(paths)} path(s) changed, {len(outside)} outside {CONTENT}" + (f": {', '.join(outside[:10])}" if outside else ": content only, no test suite")
        )
    line = f"code={'true' if code else 'false'}\n"
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as file:
            file.write(line)
    else:
        print(line, end="")


if __name__ == "__main__":
    main(sys.argv[1:])
