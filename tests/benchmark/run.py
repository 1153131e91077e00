"""`invoke bench`: build a synthetic archive as `invoke build` does, and with plain Pelican; measure both.

Our build is what `invoke build` runs: the checker, then `publishing.build.build_into`
(`python -m pelican` in a subprocess, staged and committed to the output), with the project's own
settings, plugins and theme. Each build is measured from outside: wall time; the peak RSS of the
build process and of the processes it waited for (its search indexer, its workers), which it
reports itself at exit through `probe/sitecustomize.py`; the summed PSS of all the build's
processes, sampled, which is what counts when several run at once; the files written.
"""

import contextlib
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

from publishing.build import BuildFailed, build_into  # noqa: E402

from .media import write_pages, write_photos  # noqa: E402
from .synthetic import SECTIONS, write_corpus, write_day  # noqa: E402

DAY = 150
REFERENCE = 3.7  # seconds plain Pelican takes for 1,000 reports on the machine the targets were set on (issue 6)
HEADER = (
    "| reports | full s | incremental s | peak MB | output files | output MB | ms/report | plain Pelican s | ratio"
    " | photos full s (CPU) | photos day s (CPU) | pages full s (CPU) | pages day s (CPU) |"
)
# The photo and page steps' own log lines (news_photos, printed_page): "… in 1.92 s (3.61 s CPU)"
PHOTO_LINE = re.compile(
    r"^photos: (?P<published>\d+) pictures published \(photos and printed pages\), (?P<made>\d+) of them made now, in (?P<seconds>[\d.]+) s \((?P<cpu>[\d.]+) s CPU\);"
    r" made beside the build: (?P<early>\d+) photos in (?P<beside>[\d.]+) s \((?P<beside_cpu>[\d.]+) s CPU\)"
    r"(, (?P<pictures>\d+) printed pages in (?P<pictures_beside>[\d.]+) s \((?P<pictures_cpu>[\d.]+) s CPU\))?",
    re.M,
)
PAGE_LINE = re.compile(
    r"^printed pages: (?P<read>\d+) PDFs read beside the build in (?P<beside>[\d.]+) s \((?P<beside_cpu>[\d.]+) s CPU\),"
    r" waited for (?P<waited>[\d.]+) s \([\d.]+ s CPU\); zones of (?P<zoned>\d+) pages found in (?P<zoning>[\d.]+) s \((?P<zoning_cpu>[\d.]+) s CPU\)",
    re.M,
)
PROBE = Path(__file__).resolve().parent / "probe"  # its sitecustomize reports the build's peak memory


@dataclass
class Build:
    """One measured build: seconds of checking and of Pelican, memory in MiB, what it wrote."""

    check_seconds: float
    build_seconds: float
    cpu_seconds: float
    own_mb: float
    children_mb: float
    tree_mb: float
    files: int
    megabytes: float
    # The photo and page steps, as their log lines give them (PHOTO_LINE, PAGE_LINE); None: no line
    photos: dict | None = None
    pages: dict | None = None

    @property
    def seconds(self):
        return self.check_seconds + self.build_seconds

    @property
    def memory_mb(self):
        """The most the build held at once: its largest process, or all its processes if more."""
        return max(self.own_mb, self.children_mb, self.tree_mb)


@dataclass(frozen=True)
class Media:
    """What the synthetic archive carries besides its reports: photos, page PDFs, on its newest days."""

    photos: bool = True
    pages: bool = True
    days: int | None = None  # the newest days that have them (None: every day); the day added always has

    def on(self, date, last):
        return (self.photos or self.pages) and (self.days is None or (last - date).days < self.days)

    def write(self, content, date, items, salt=""):
        """The day's photo files and page PDFs; (photos, pages) written. Of another salt, other bytes (the same pictures)."""
        return (write_photos(content, items, salt) if self.photos else 0, write_pages(content, date, items, salt) if self.pages else 0)

    @property
    def label(self):
        return " and ".join(name for name, on in (("photos", self.photos), ("page PDFs", self.pages)) if on) or "no photos, no page PDFs"

    def describe(self):
        if not (self.photos or self.pages):
            return self.label
        return f"{self.label} on {'every day' if self.days is None else f'the newest {self.days} day(s) and the day added'}"


VARIANTS = (Media(False, False), Media(True, False), Media(False, True), Media(True, True))


def bench(reports, compare=True, incremental=True, folder=None, seed=1, calibrate=True, media=Media(), day_variants=False):
    """Measure a full build of `reports` synthetic reports, one more day, and plain Pelican; print a README table row.

    The archive ends on a Saturday, so the day added is a Sunday, which indexes its own day for the
    search; a Monday also indexes the week it closes (`python -m tests.benchmark.unchanged DIR media-day`
    on the archive kept with --folder, which ends on that Sunday). With
    day_variants, that day is then written again four times, each time with other text and photo
    bytes (another seed), and built: without media, with photos, with page PDFs, with both; what
    media add to a new day is the difference.
    """
    display = Display()
    display.machine()
    print(f"Media: {media.describe()}.")
    with workspace(folder) as work:
        speed = calibration(display, work, seed) if calibrate else None
        content = work / "content"
        settings = write_settings(work / "settings.py", project_settings(content))
        end = last_saturday()
        with display.phase(f"write {reports:,} reports (not timed)") as line:
            written = {"days": 0, "photos": 0, "pages": 0}

            def with_media(date, items):
                if media.on(date, end):
                    photos, pages = media.write(content, date, items)
                    written["days"] += 1
                    written["photos"] += photos
                    written["pages"] += pages

            dates = write_corpus(content, reports, seed, end=end, photos=lambda date: media.photos and media.on(date, end), each_day=with_media)
            age_files(content, hours=24)
            line["details"] = (
                f"{len(dates)} editions, {dates[0]} to {dates[-1]}; {written['photos']:,} photos and {written['pages']:,} page PDFs on {written['days']} of them"
            )
        full = build_edition(display, "full build", work, settings, content)
        plain = build_plain(display, work, content) if compare else None
        again = None
        if incremental:
            day = dates[-1] + datetime.timedelta(days=1)
            with display.phase(f"write one more day ({DAY} reports, {day:%A} {day}, not timed)") as line:
                items = write_day(content, day, DAY, seed, photos=media.photos)
                photos, pages = media.write(content, day, items)
                line["details"] = f"{photos} photos, {pages} page PDFs"
            again = build_edition(display, "incremental build", work, settings, content)
        variants = []
        for number, variant in enumerate(VARIANTS if incremental and day_variants else (), start=2):
            with display.phase(f"the same day written again (seed {seed + number}), {variant.label} (not timed)") as line:
                line["details"] = rewrite_day(content, day, seed + number, variant)
            variants.append((variant, build_edition(display, f"the day again, {variant.label}", work, settings, content)))
    display.machine()
    if speed is not None:
        pace = f"{speed / REFERENCE:.1f} times as slow" if speed >= REFERENCE else f"{REFERENCE / speed:.1f} times as fast"
        print(
            f"\nThis machine: plain Pelican builds 1,000 synthetic reports in {speed:.1f} s; on the machine the targets were set on, {REFERENCE} s (this one is {pace})."
        )
    print()
    print(HEADER)
    print("|" + " --- |" * HEADER.count(" | ") + " --- |")
    print(table_row(reports, full, again, plain))
    cpu = ", ".join(f"{name} {build.cpu_seconds:.1f}" for name, build in (("full", full), ("incremental", again), ("plain", plain)) if build)
    print(f"\nCPU seconds of the Pelican processes, steadier than wall time on a busy machine: {cpu}")
    print(f"Media: {media.describe()}.")
    for name, build in (("full build", full), ("incremental build", again)):
        if build:
            print(f"{name}: {describe_media(build)}")
    if variants:
        print("\nThe day added, written again with other text and photos, and built again:\n")
        print("| the day with | build s | CPU s | peak MB | photos s (CPU) | pages s (CPU) |\n| --- | --- | --- | --- | --- | --- |")
        for variant, build in variants:
            print(f"| {variant.label} | {build.seconds:.1f} | {build.cpu_seconds:.1f} | {build.memory_mb:,.0f} | {photo_cell(build)} | {page_cell(build)} |")
        for variant, build in variants:
            print(f"{variant.label}: {describe_media(build)}")


def rewrite_day(content, day, seed, media):
    """The day's items, photos and page PDFs replaced by those of another seed; what was written."""
    remove_day(content, day)
    return write_media_day(content, day, seed, media, salt=f"{seed}:")


def write_media_day(content, day, seed, media, salt):
    """A day's items with its photos and page PDFs (of another salt: other bytes, the same picture); what was written."""
    items = write_day(content, day, DAY, seed, photos=media.photos)
    photos, pages = media.write(content, day, items, salt=salt)
    return f"{len(items)} items, {photos} photos, {pages} page PDFs"


def remove_day(content, day):
    """A day's edition and its photos gone from content/."""
    shutil.rmtree(content / day.isoformat())
    shutil.rmtree(content / "images" / day.isoformat(), ignore_errors=True)


def age_files(folder, hours):
    """Date the archive's files back, as an archive is: written long before the build. The check
    reads again the files saved within a second of its last run (content_schema.check.RACY_NS):
    a corpus written just before the full build would have the new day's build read thousands. Photos
    and page PDFs too: their catalogues read a file again that was saved within a second of being read."""
    back = hours * 3600
    for path in (path for path in Path(folder).rglob("*") if path.is_file()):
        status = path.stat()
        os.utime(path, (status.st_atime - back, status.st_mtime - back))


def last_saturday():
    """The latest Saturday before today in Beijing (the schema refuses editions far in the future)."""
    today = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return today - datetime.timedelta(days=(today.weekday() - 5) % 7 or 7)


def calibration(display, work, seed):
    """Seconds plain Pelican takes for 1,000 synthetic reports here: how fast this machine is."""
    content = work / "calibration" / "content"
    write_corpus(content, 1000, seed)
    with display.phase("calibration: plain Pelican, 1,000 reports") as line:
        build = build_plain(None, work / "calibration", content)
        line["details"] = f"{build.seconds:.1f} s (the targets were set on a machine that takes {REFERENCE} s)"
    return build.seconds


def build_edition(display, title, work, settings, content):
    """What `invoke build` does: build into output/ (the check runs inside the build), staged and committed."""
    log = []
    with display.phase(f"{title}: pelican") as line:
        build = measured(0.0, work, work / "output", lambda env: log.append(build_into(work / "output", settings, content=str(content), env=env, capture=True)))
        line["details"] = describe(build)
    return with_media_steps(build, log[0] if log else "")


def with_media_steps(build, log):
    """The build with its photo and page steps' figures, from their log lines (None for a step that logged nothing: it had nothing to do)."""
    found = {name: line.groupdict() for name, line in (("photos", PHOTO_LINE.search(log)), ("pages", PAGE_LINE.search(log))) if line}
    return replace(build, **{name: {key: float(value or 0) for key, value in values.items()} for name, values in found.items()})


def describe_media(build):
    photos, pages = build.photos, build.pages
    return "; ".join(
        [
            f"pictures: {photos['published']:.0f} published, made beside the build: {photos['early']:.0f} photos in {photos['beside']:.2f} s ({photos['beside_cpu']:.2f} s CPU),"
            f" {photos['pictures']:.0f} printed pages in {photos['pictures_beside']:.2f} s ({photos['pictures_cpu']:.2f} s CPU); {photos['made']:.0f} made at the build's end,"
            f" which spent {photos['seconds']:.2f} s on pictures"
            if photos
            else "no picture published",
            f"page PDFs: {pages['read']:.0f} read beside the build in {pages['beside']:.2f} s ({pages['beside_cpu']:.2f} s CPU), the build waited"
            f" {pages['waited']:.2f} s for them and found the zones of {pages['zoned']:.0f} pages in {pages['zoning']:.2f} s ({pages['zoning_cpu']:.2f} s CPU)"
            if pages
            else "no page PDF read",
        ]
    )


def build_plain(display, work, content):
    """The same archive with plain Pelican: its default theme and URLs, no plugins."""
    settings = write_settings(work / "plain" / "settings.py", plain_settings(content))
    output = work / "plain" / "output"
    # Plain Pelican as its users run it: without `--fatal warnings` (it warns that feeds have no SITEURL).
    if display is None:
        return measured(
            0.0, work, output, lambda env: run_checked([sys.executable, "-m", "pelican", str(content), "-s", str(settings), "-o", str(output)], env)
        )
    command = [sys.executable, "-m", "pelican", str(content), "-s", str(settings), "-o", str(output)]
    with display.phase("plain Pelican, default theme: pelican") as line:
        build = measured(0.0, work, output, lambda env: run_checked(command, env))
        line["details"] = describe(build)
    return build


def run_checked(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildFailed(f"plain Pelican failed (exit {result.returncode})", result.stdout + result.stderr)


def measured(check_seconds, work, output, run):
    """Run one build (`run(env)` starts it in a subprocess) and measure it."""
    peak_file = work / "peak.json"
    peak_file.unlink(missing_ok=True)
    paths = [str(PROBE), *filter(None, [os.environ.get("PYTHONPATH")])]
    # COLUMNS: a failed build's log, shown below, reads better not wrapped at 80 columns.
    env = os.environ | {"COLUMNS": "160", "PYTHONPATH": os.pathsep.join(paths), "BENCH_PEAK_FILE": str(peak_file), "BENCH_PARENT_PID": str(os.getpid())}
    # Not timed: the writing back of the files written before (the corpus, the last build), which
    # a build would otherwise pay for; an editor's next day comes long after the last build.
    os.sync()
    with TreeMemory() as tree:
        started, own = time.perf_counter(), time.thread_time()
        try:
            run(env)
        except BuildFailed as error:
            raise SystemExit(f"{error}\n{error.output[-4000:]}") from None
        seconds = time.perf_counter() - started
        # The build's own work in this process (the check of its inputs, the commit), not the sampler's.
        own = time.thread_time() - own
    probe = json.loads(peak_file.read_text())
    probe["cpu_seconds"] += own
    files, size = output_size(output)
    return Build(check_seconds, seconds, probe["cpu_seconds"], probe["self_kb"] / 1024, probe["children_kb"] / 1024, tree.peak_kb / 1024, files, size / 2**20)


def describe(build):
    memory = f"peak: build process {build.own_mb:,.0f} MB, its subprocesses {build.children_mb:,.0f} MB, all at once {build.tree_mb:,.0f} MB"
    # The build's own time; the phase's also holds the writing back of earlier files and the count of the output.
    return f"build {build.seconds:.1f} s, {build.cpu_seconds:.1f} s CPU; {memory}; {build.files:,} files, {build.megabytes:,.0f} MB"


def table_row(reports, full, again, plain):
    builds = [build for build in (full, again) if build]
    cells = [
        f"{reports:,}",
        f"{full.seconds:.1f}",
        f"{again.seconds:.1f}" if again else "–",
        f"{max(build.memory_mb for build in builds):,.0f}",
        f"{full.files:,}",
        f"{full.megabytes:,.0f}",
        f"{1000 * full.seconds / reports:.1f}",
        f"{plain.seconds:.1f}" if plain else "–",
        f"{full.seconds / plain.seconds:.2f}" if plain else "–",
        *(photo_cell(build) for build in (full, again)),
        *(page_cell(build) for build in (full, again)),
    ]
    return "| " + " | ".join(cells) + " |"


def photo_cell(build):
    """The photos: the build's own seconds on pictures at its end, the photos' seconds beside it, their CPU seconds."""
    photos = build.photos if build else None
    return f"{photos['seconds']:.1f} + {photos['beside']:.1f} beside ({photos['beside_cpu']:.1f})" if photos and photos["early"] else "–"


def page_cell(build):
    """The printed pages: the build's own seconds on them (waiting for the PDFs to be read, finding
    zones), their seconds beside it (reading, making the pictures), their CPU seconds."""
    pages, photos = (build.pages, build.photos) if build else (None, None)
    if not pages:
        return "–"
    pictures = photos or {"pictures_beside": 0.0, "pictures_cpu": 0.0}
    beside = max(pages["beside"], pictures["pictures_beside"])
    return f"{pages['waited'] + pages['zoning']:.1f} + {beside:.1f} beside ({pages['beside_cpu'] + pages['zoning_cpu'] + pictures['pictures_cpu']:.1f})"


def project_settings(content):
    """pelicanconf.py as it is (caching included), with absolute paths and the synthetic page names."""
    return (
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *  # noqa: F403\n\n"
        f"PATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\nSECTIONS = {SECTIONS!r}\n"
    )


def plain_settings(content):
    # PLUGINS = [] because with no PLUGINS Pelican loads every plugin installed in the environment.
    return f"PATH = {str(content)!r}\nSITENAME = 'Plain Pelican'\nTIMEZONE = 'Asia/Shanghai'\nPLUGINS = []\n"


def write_settings(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def output_size(folder):
    files = size = 0
    for root, _, names in os.walk(folder):
        for name in names:
            files += 1
            size += os.stat(os.path.join(root, name)).st_size
    return files, size


@contextlib.contextmanager
def workspace(folder):
    """A temporary folder removed afterwards; or the given new folder, kept for a look or a profile."""
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="edition-bench-") as path:
            yield Path(path)
        return
    path = Path(folder).resolve()
    if path.exists() and any(path.iterdir()):
        raise SystemExit(f"{path} is not empty; give a new folder for the benchmark to keep.")
    path.mkdir(parents=True, exist_ok=True)
    yield path


class TreeMemory:
    """Samples the summed PSS of this process's descendants (a build and its workers).

    Reading a large process's PSS makes the kernel walk its memory (some 15 ms for a build holding
    800 MB): the sampler waits fifty times as long as a sample took, so that it takes no more than
    2% of a core from the build it measures (it took 7% when it sampled every 0.2 s).
    """

    def __init__(self, interval=0.2, share=0.02):
        self.interval = interval
        self.share = share
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        wait = self.interval
        while not self._stop.wait(wait):
            started = time.perf_counter()
            self.peak_kb = max(self.peak_kb, sum(map(pss_kb, descendants(os.getpid()))))
            wait = max(self.interval, (time.perf_counter() - started) / self.share)


def descendants(pid):
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        children = [int(child) for task in tasks for child in (task / "children").read_text().split()]
    except OSError:  # the process ended, or no /proc (not Linux)
        return []
    return children + [grandchild for child in children for grandchild in descendants(child)]


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return next((int(line.split()[1]) for line in handle if line.startswith("Pss:")), 0)
    except OSError:
        return 0


class Display:
    """A line per phase with its seconds (and the time since the start), for terminals and CI logs alike.

    On a terminal a spinner with the elapsed time shows while a phase runs; in a log the phase's
    name is printed when it starts, so a build that hangs shows where.
    """

    def __init__(self):
        self.console = Console(highlight=False, soft_wrap=True)
        self.started = time.perf_counter()

    @contextlib.contextmanager
    def phase(self, title):
        line, started = {}, time.perf_counter()
        if self.console.is_terminal:
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
            with Progress(*columns, console=self.console, transient=True) as progress:
                progress.add_task(title, total=None)
                yield line
        else:
            self.console.print(f"{self.clock()} {title} …", markup=False)
            yield line
        details = f" — {line['details']}" if line.get("details") else ""
        self.console.print(f"{self.clock()} {title}: {time.perf_counter() - started:.1f} s{details}", markup=False)

    def machine(self):
        """Cores and load: other work on the machine slows every build measured."""
        load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
        self.console.print(f"{self.clock()} {os.cpu_count()} cores, load average {load} (1 / 5 / 15 min)", markup=False)

    def clock(self):
        return f"[{time.perf_counter() - self.started:7.1f} s]"
