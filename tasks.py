"""Tasks for editors and CI: `invoke --list` shows them all."""

import os
import shlex
import shutil
import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

from content_schema.fields import FIELDS, ROLES  # noqa: E402
from content_schema.slugs import pinyin_slug  # noqa: E402
from publishing.build import BuildFailed, build_into  # noqa: E402

CONFIG = {
    "settings": ROOT / "pelicanconf.py",
    "publish_settings": ROOT / "publishconf.py",
    "content": ROOT / "content",
    "output": ROOT / "output",
    "cache": ROOT / "cache",
    "host": "127.0.0.1",
    "port": 8000,
}


@task
def check(c, content=None):
    """Check every report and photo item without building; one line per problem."""
    from content_schema.__main__ import main

    arguments = [str(content)] if content else []
    sys.exit(main([*arguments, "--settings", str(CONFIG["settings"])]))


def _build(settings_file, output=CONFIG["output"]):
    # The content check runs inside the build (content_schema plugin), with its cache: not twice.
    os.chdir(ROOT)
    try:
        build_into(output, settings_file, content=str(CONFIG["content"]))
    except BuildFailed as error:
        sys.exit(str(error))


@task
def build(c):
    """Check the content, then build the edition; output/ changes only if the build succeeded."""
    _build(CONFIG["settings"])


@task
def clean(c):
    """Remove the built edition (output/) and what builds keep between them (cache/)."""
    for folder in (CONFIG["output"], CONFIG["cache"]):
        shutil.rmtree(folder, ignore_errors=True)


@task(pre=[clean, build])
def rebuild(c):
    """Remove output/ and cache/, and build again from scratch."""


@task
def preview(c):
    """Build with the production settings (publishconf.py) into output/."""
    _build(CONFIG["publish_settings"])


@task
def serve(c, port=CONFIG["port"]):
    """Serve output/ at http://127.0.0.1:8000/ (build first)."""
    from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer

    class Server(RootedHTTPServer):
        allow_reuse_address = True

    server = Server(str(CONFIG["output"]), (CONFIG["host"], int(port)), ComplexHTTPRequestHandler)
    print(f"Serving the edition at http://{CONFIG['host']}:{port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


@task
def livereload(c, port=CONFIG["port"]):
    """Build, serve, and rebuild and reload the browser when content, theme or plugins change."""
    from livereload import Server

    def rebuild_quietly():
        try:
            _build(CONFIG["settings"])
        except SystemExit as error:
            print(error, file=sys.stderr)

    rebuild_quietly()
    server = Server()
    for watched in ("content/**/*", "theme/**/*", "plugins/**/*.py", "pelicanconf.py"):
        server.watch(str(ROOT / watched), rebuild_quietly)
    server.serve(host=CONFIG["host"], port=int(port), root=str(CONFIG["output"]))


@task(help={"date": "edition date, YYYY-MM-DD", "page": "page, e.g. A06", "title": "main headline (主题)", "section": "page name (版名)", "position": "order on the page", "kind": "report or photo"})
def new(c, date, page, title, section, position=1, kind="report"):
    """Write a new item with every metadata field, ready for the editor to fill."""
    slug = pinyin_slug(title)
    path = CONFIG["content"] / date / f"{page.lower()}-{int(position):02d}-{slug}.md"
    if path.exists():
        sys.exit(f"{path} already exists; nothing was written.")
    role = "摄影" if kind == "photo" else "记者"
    values = {
        "title": title, "kicker": "", "subtitle": "", "kind": kind, "date": date, "page": page.upper(),
        "section": section, "position": position, "people": f"{role}:", "tags": "", "slug": slug,
        "summary": "", "credit": "", "image": "", "caption": "",
    }
    lines = [f"{FIELDS[key].name}: {value}".rstrip() for key, value in values.items()]
    body = "本报讯(记者)" if kind == "report" else "▲"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + f"\n\n{body}\n", encoding="utf-8")
    print(f"Wrote {path.relative_to(ROOT)}. Fill in People ({'/'.join(ROLES)}), the decks, tags, summary and text; delete the fields you do not use; then `invoke check`.")


@task(name="import", help={"file": "the typesetter's plain-text page export", "date": "edition date, YYYY-MM-DD", "page": "page, e.g. A06", "name": "page name (版名)"})
def import_page(c, file, date, page, name):
    """Turn a typesetter's page export into draft items in content/; never overwrites."""
    from page_import import ImportRefused, import_export

    try:
        written, warnings = import_export(Path(file), CONFIG["content"], date, page, name)
    except ImportRefused as error:
        sys.exit(str(error))
    for path in written:
        print(f"wrote {Path(path).relative_to(ROOT)}")
    for warning in warnings:
        print(f"check: {warning}", file=sys.stderr)
    print(f"{len(written)} item(s) written; add tags and summaries, put them in page order, then `invoke check`.")


@task
def test(c, args=""):
    """Run the test suite (pytest); extra pytest arguments in --args."""
    c.run(f"{shlex.quote(sys.executable)} -m pytest {args}", pty=False)


@task
def lint(c):
    """Check the code's formatting (ruff format --check) and lint it (ruff check), as pre-commit and CI do."""
    ruff = shlex.quote(str(Path(sys.executable).parent / "ruff"))
    with c.cd(str(ROOT)):
        results = [c.run(f"{ruff} {command}", warn=True, pty=False) for command in ("format --check", "check")]
    if any(result.failed for result in results):
        sys.exit("lint: fix the above (`ruff format` rewrites the files it lists)")


def _publish_target(target):
    target = target or os.environ.get("PUBLISH_TARGET")
    if not target:
        sys.exit("No target: give --target /srv/edition or user@host:/srv/edition, or set PUBLISH_TARGET.")
    return target


@task(help={"target": "a folder, or user@host:/path over ssh (default: $PUBLISH_TARGET)", "keep": "how many releases to keep"})
def publish(c, target=None, keep=5):
    """Build with publishconf.py, copy the edition to the server as a new release and switch to it atomically."""
    from publishing.release import PublishFailed
    from publishing.release import publish as publish_release

    target = _publish_target(target)
    _build(CONFIG["publish_settings"], CONFIG["output"])
    try:
        name = publish_release(CONFIG["output"], target, keep=int(keep))
    except PublishFailed as error:
        sys.exit(str(error))
    print(f"Published release {name} to {target}; readers now get it.")


@task(help={"target": "a folder, or user@host:/path over ssh (default: $PUBLISH_TARGET)"})
def rollback(c, target=None):
    """Switch the published edition back to the release before the current one."""
    from publishing.release import PublishFailed
    from publishing.release import rollback as rollback_release

    target = _publish_target(target)
    try:
        name = rollback_release(target)
    except PublishFailed as error:
        sys.exit(str(error))
    print(f"Rolled back {target} to release {name}.")


@task(
    help={
        "reports": "how many synthetic reports (about 150 a day)",
        "compare": "also build with plain Pelican and its default theme",
        "incremental": "then add one day's edition and build again",
        "folder": "a new folder to keep the archive, settings and outputs in (default: a temporary one)",
        "calibrate": "first time plain Pelican on 1,000 reports, to say how fast this machine is",
    }
)
def bench(c, reports=1000, compare=True, incremental=True, folder=None, calibrate=True):
    """Benchmark: build a synthetic archive of N reports as `invoke build` does; print a README table row."""
    sys.path.insert(0, str(ROOT / "tests"))
    from benchmark.run import bench as run_bench

    run_bench(int(reports), compare=compare, incremental=incremental, folder=folder, calibrate=calibrate)
