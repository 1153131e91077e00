"""The builds of an archive already built, as an editor's next build finds it: nothing changed, then one more day.

`invoke bench --folder DIR` keeps its archive and its build; this times builds of that folder with
the code it is run from (its settings are written again to point at this checkout):

    python -m tests.benchmark.unchanged DIR settle        # a build, not timed (after a change of code, which starts its caches anew)
    python -m tests.benchmark.unchanged DIR same          # a build in which nothing changed
    python -m tests.benchmark.unchanged DIR day          # one more day (150 reports), the day after the archive's last
    python -m tests.benchmark.unchanged DIR media-day    # the same with the bench's photos and page PDFs (a Monday after
                                                         # the bench's archive, which ends on a Sunday: it closes a week)
    python -m tests.benchmark.unchanged DIR undo         # that day removed again, and built (not timed)
    python -m tests.benchmark.unchanged DIR redo         # the newest day removed and built (not timed), then written
                                                         # again as the bench writes its day, photos and page PDFs
                                                         # with it (their bytes new: made again), and built

`redo` times what `invoke bench` times as its new day, again and again on the archive it kept: one
run of a day says little on a machine whose pace moves by a tenth from one hour to the next.

Several steps may follow one another (`same day same`). Each timed build prints its seconds, CPU
seconds and peak memory (the summed PSS of all its processes, as `invoke bench` measures).
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

from .run import DAY, Display, Media, build_edition, describe, describe_media, project_settings, remove_day, write_media_day, write_settings
from .synthetic import write_day

ADDED = ".added-day"  # in DIR: the date of the day `day` or `media-day` added last, for `undo`


def editions(content):
    return sorted(datetime.date.fromisoformat(path.name) for path in content.iterdir() if path.is_dir() and path.name[:2] == "20")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("steps", nargs="+", choices=("settle", "same", "day", "media-day", "undo", "redo"))
    options = parser.parse_args(argv)
    work = options.folder.resolve()
    content = work / "content"
    if not (work / "output").is_dir():
        sys.exit(f"{work} holds no built archive: make one with `invoke bench --folder {work}`.")
    settings = write_settings(work / "settings.py", project_settings(content))
    display = Display()
    display.machine()
    for step in options.steps:
        if step in ("day", "media-day"):
            day = editions(content)[-1] + datetime.timedelta(days=1)
            if step == "day":
                write_day(content, day, DAY)
                written = f"{DAY} reports"
            else:
                written = benchs_day(content, day)
            (work / ADDED).write_text(day.isoformat())
            title = f"one more day ({written}, {day:%A} {day})"
        elif step == "redo":
            day = editions(content)[-1]
            remove_day(content, day)
            build_edition(display, f"the newest day, {day}, removed (not timed)", work, settings, content)
            written = benchs_day(content, day)
            title = f"the newest day again ({written}, {day:%A} {day})"
        elif step == "undo":
            remove_day(content, datetime.date.fromisoformat((work / ADDED).read_text().strip()))
            (work / ADDED).unlink()
            title = "the day added removed (not timed)"
        else:
            title = {"settle": "a build after a change of code (not timed)", "same": "nothing changed"}[step]
        reports = sum(1 for _ in content.rglob("*.md"))
        build = build_edition(display, f"{title}, {reports:,} reports", work, settings, content)
        if step in ("same", "day", "media-day", "redo"):
            print(f"| {reports:,} | {step} | {build.seconds:.2f} | {build.cpu_seconds:.2f} | {build.memory_mb:,.0f} |  {describe(build)}", flush=True)
        if step in ("media-day", "redo"):
            print(describe_media(build), flush=True)
    display.machine()


def benchs_day(content, day):
    """The bench's day (seed 1) written as `day`, with its photos and page PDFs of new bytes (made again)."""
    return write_media_day(content, day, 1, Media(), salt=f"{time.time_ns()}:")


if __name__ == "__main__":
    main()
