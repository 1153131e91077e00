"""Tasks for editors and CI: `invoke --list` shows them all."""

import os
import re
import runpy
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
from staging.trees import Trees  # noqa: E402

CONFIG = {
    "settings": ROOT / "pelicanconf.py",
    "publish_settings": ROOT / "publishconf.py",
    "content": ROOT / "content",
    "output": None,  # None: OUTPUT_PATH of the settings built with
    "cache": None,  # None: CACHE_PATH of the settings
    "host": "127.0.0.1",
    "port": 8000,
}


def _folder(key, settings_file=None):
    """output/ or cache/ as the settings name them (OUTPUT_PATH, CACHE_PATH), unless CONFIG says."""
    if CONFIG[key] is not None:
        return Path(CONFIG[key])
    name = {"output": "OUTPUT_PATH", "cache": "CACHE_PATH"}[key]
    settings_file = Path(settings_file or CONFIG["settings"])
    # Read as Pelican reads them: run as a module, a relative path taken from the settings file's folder.
    value = runpy.run_path(str(settings_file)).get(name) or key
    return settings_file.parent / value


@task(help={"content": "the content folder to check (default: content/, as the settings name it)"})
def check(c, content=None):
    """Check every report and photo item without building; one line per problem."""
    from content_schema.__main__ import main
    from site_build.listing import is_edition_folder

    if content and not Path(content).is_dir():
        sys.exit(f"{content} is not a folder: give the content folder (content/); the check reads all of it")
    if content and is_edition_folder(Path(content).resolve().name):
        # Photos and links are named from the content folder: from a day's, every photo was missing
        sys.exit(f"{content} is a day's folder: give the content folder it is in ({Path(content).resolve().parent.name}/); the check reads all of it")
    arguments = [str(content)] if content else []
    sys.exit(main([*arguments, "--settings", str(CONFIG["settings"])]))


def _build(settings_file, force=False):
    # The content check runs inside the build (content_schema plugin), with its cache: not twice.
    os.chdir(ROOT)
    try:
        build_into(_folder("output", settings_file), settings_file, content=str(CONFIG["content"]), force=force)
    except BuildFailed as error:
        sys.exit(str(error))


@task(help={"force": "build even if nothing changed since the last build (which is otherwise skipped)"})
def build(c, force=False):
    """Check the content, then build the edition; output/ changes only if the build succeeded; nothing is done if nothing changed."""
    _build(CONFIG["settings"], force=force)


@task
def clean(c):
    """Remove the built edition (output/, and the one before it beside it) and what builds keep between them (cache/)."""
    for settings_file in (CONFIG["settings"], CONFIG["publish_settings"]):
        trees = Trees(_folder("output", settings_file).resolve())  # as the build names its lock
        with trees.locked():  # not from under a build that is running: it waits for it
            trees.remove()
            shutil.rmtree(_folder("cache", settings_file), ignore_errors=True)


@task(pre=[clean, build])
def rebuild(c):
    """Remove output/ and cache/, and build again from scratch."""


SITE_URL = re.compile(r"https?://[^/\s?#]+(/[^\s?#]*)?")
STAND_IN = "https://example.invalid"  # publishconf.py's SITEURL when none is given: for a preview


def _check_site_url(required):
    """SITEURL, which every link of a published edition starts with, as readers reach it (the production
    settings', from $SITEURL or written in them): published without it, every link went to
    https://example.invalid; with news.example.org (no scheme), to news.example.org/… under each page's path."""
    site_url = runpy.run_path(str(CONFIG["publish_settings"])).get("SITEURL", "")
    if site_url in ("", STAND_IN):
        if required:
            sys.exit("No SITEURL: set it to the address readers reach the edition at, e.g. SITEURL=https://news.example.org or https://example.org/edition")
        return
    if not SITE_URL.fullmatch(site_url):
        sys.exit(
            f"SITEURL “{site_url}” is not an address: give it with its scheme, as readers reach the edition, e.g. https://news.example.org or https://example.org/edition"
        )


@task(help={"force": "build even if nothing changed since the last build"})
def preview(c, force=False):
    """Build with the production settings (publishconf.py) into output/ (links to $SITEURL, or to a stand-in)."""
    _check_site_url(required=False)
    _build(CONFIG["publish_settings"], force=force)


@task
def serve(c, port=CONFIG["port"]):
    """Serve output/ at http://127.0.0.1:8000/ (build first)."""
    from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer

    class Server(RootedHTTPServer):
        allow_reuse_address = True

    if not (_folder("output") / "index.html").is_file():
        sys.exit(f"No edition in {_folder('output')}: build it first (invoke build)")
    server = Server(str(_folder("output")), (CONFIG["host"], int(port)), ComplexHTTPRequestHandler)
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
    server.serve(host=CONFIG["host"], port=int(port), root=str(_folder("output")))


@task(
    help={
        "date": "edition date, YYYY-MM-DD",
        "page": "page, e.g. A06",
        "title": "main headline (主题)",
        "section": "page name (版名)",
        "position": "order on the page",
        "kind": "report or photo",
    }
)
def new(c, date, page, title, section, position=1, kind="report"):
    """Write a new item with every metadata field, ready for the editor to fill."""
    from content_schema.fields import FieldError

    # What the check would refuse, refused before a file is written (2026-13-45/ was made, a02-01-.md written)
    for option, field, value in (("date", "date", date), ("page", "page", page), ("position", "position", str(position)), ("kind", "kind", kind)):
        try:
            FIELDS[field].parse(value)
        except FieldError as error:
            sys.exit(f"--{option}: {error.problem} — {error.expected}; nothing was written.")
    sections = runpy.run_path(str(CONFIG["settings"])).get("SECTIONS") or ()
    if sections and section not in sections:
        sys.exit(f"--section: unknown page name “{section}” — one of {'、'.join(sections)} (SECTIONS in pelicanconf.py); nothing was written.")
    slug = pinyin_slug(title)
    if not slug:
        sys.exit(f"--title: “{title}” gives no pinyin for the file's name — a title in Chinese or Latin letters; nothing was written.")
    path = CONFIG["content"] / date / f"{page.lower()}-{int(position):02d}-{slug}.md"
    if path.exists():
        sys.exit(f"{path} already exists; nothing was written.")
    role = "摄影" if kind == "photo" else "记者"
    values = {
        "title": title,
        "kicker": "",
        "subtitle": "",
        "kind": kind,
        "date": date,
        "page": page.upper(),
        "section": section,
        "position": position,
        "people": f"{role}:",
        "tags": "",
        "slug": slug,
        "summary": "",
        "credit": "",
        "image": "",
        "caption": "",
    }
    lines = [f"{FIELDS[key].name}: {value}".rstrip() for key, value in values.items()]
    body = "本报讯(记者)" if kind == "report" else "▲"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + f"\n\n{body}\n", encoding="utf-8")
    print(
        f"Wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}. Fill in People ({'/'.join(ROLES)}), the decks, tags, summary and text; delete the fields you do not use; then `invoke check`."
    )


@task(
    name="import",
    help={"file": "the typesetter's plain-text page export", "date": "edition date, YYYY-MM-DD", "page": "page, e.g. A06", "name": "page name (版名)"},
)
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
        sys.exit("No target: give --target /srv/edition, user@host:/srv/edition or s3://bucket/prefix, or set PUBLISH_TARGET.")
    if target.startswith("s3:") and not target.startswith("s3://"):
        sys.exit(f"Target “{target}” is no bucket: give it as s3://bucket/prefix.")
    if not _is_bucket(target) and ":" not in target:
        return os.path.abspath(target)  # a folder named from where the command was typed: the build runs from the project's root
    return target


def _is_bucket(target):
    return target.startswith("s3://")


TARGET_HELP = "a folder, user@host:/path over ssh, or s3://bucket/prefix (default: $PUBLISH_TARGET)"


@task(help={"target": TARGET_HELP, "keep": "how many releases to keep for rollback", "gzip": "store text gzip-compressed in a bucket (--no-gzip: as it is)"})
def publish(c, target=None, keep=5, gzip=True):
    """Build with publishconf.py and publish the edition: a new release on a server, or the changed objects of a bucket."""

    target = _publish_target(target)
    _check_site_url(required=True)
    # The built edition is held from its build to the end of its upload: a build in the same checkout
    # meanwhile (`invoke livereload`, with the development settings, into the same output/) waits.
    # Resolved, as the build names its lock (output/ may be a link to a folder elsewhere)
    with Trees(_folder("output", CONFIG["publish_settings"]).resolve()).locked():
        _build(CONFIG["publish_settings"])
        _publish_built(target, keep, gzip)


def _publish_built(target, keep, gzip):
    from publishing.release import NothingChanged, PublishFailed

    try:
        if _is_bucket(target):
            from publishing.objects import publish as publish_objects

            done = publish_objects(
                _folder("output", CONFIG["publish_settings"]), target, keep=int(keep), cache_folder=_folder("cache", CONFIG["publish_settings"]), compress=gzip
            )
            print(f"Published release {done.release} to {target}: {len(done.sent)} object(s) sent, {len(done.deleted)} deleted, in {done.seconds:.1f} s.")
            return
        from publishing.release import publish as publish_release

        name = publish_release(_folder("output", CONFIG["publish_settings"]), target, keep=int(keep))
    except NothingChanged as same:
        print(f"Nothing published to {target}: {same}.")
        return
    except PublishFailed as error:
        sys.exit(str(error))
    print(f"Published release {name} to {target}; readers now get it.")


@task(help={"target": TARGET_HELP})
def rollback(c, target=None):
    """Go back to the release published before the current one (a server's or a bucket's)."""
    from publishing.release import PublishFailed

    target = _publish_target(target)
    try:
        if _is_bucket(target):
            from publishing.objects import rollback as rollback_objects

            name = rollback_objects(target)
        else:
            from publishing.release import rollback as rollback_release

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
        "photos": "photo items with a lead photo, and a photo in one report in five (3000×2000 JPEGs)",
        "pages": "a page PDF for every page (版), with its reports' text",
        "media-days": "photos and page PDFs on the newest N days only (and on the day added); default every day",
        "day-variants": "then write the day added again four times (no media, photos, page PDFs, both) and build each: what media add to a day",
    }
)
def bench(c, reports=1000, compare=True, incremental=True, folder=None, calibrate=True, photos=True, pages=True, media_days=None, day_variants=False):
    """Benchmark: build a synthetic archive of N reports as `invoke build` does; print a README table row."""
    sys.path.insert(0, str(ROOT / "tests"))
    from benchmark.run import Media
    from benchmark.run import bench as run_bench

    media = Media(photos=photos, pages=pages, days=int(media_days) if media_days is not None else None)
    run_bench(int(reports), compare=compare, incremental=incremental, folder=folder, calibrate=calibrate, media=media, day_variants=day_variants)


@task(help={"output": "a built site (default: output/)", "query": "the words searched", "runs": "runs of each, the median printed"})
def search_speed(c, output=None, query="经济", runs=3):
    """Time a reader's search in Chromium on a built site: first results and bytes, local and throttled."""
    command = [sys.executable, str(ROOT / "tests" / "benchmark" / "search_speed.py"), str(output or _folder("output")), "--query", query, "--runs", str(runs)]
    c.run(shlex.join(command), pty=False)
