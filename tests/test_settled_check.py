"""The check of a new day reads that day, not the archive (content_schema/settled.py).

Folders in which the last check found no problem, and in which nothing changed, are settled: not
read again. Whatever it settles, the check finds every problem a check of the whole tree finds, in
the same words and order: a new file that meets an old one (a slug, a position, a name's URL), a
report whose linked file or photo changed, settings or a date limit that changed.
"""

import datetime
import os

import pytest
from PIL import Image
from test_incremental import write_day

from build_cache.checked_codec import CheckedSources
from conftest import write_item
from content_schema.check import check_tree
from content_schema.source import file_digest

NOW = datetime.datetime(2021, 1, 10, 12, 0)
DAYS = ("2020-12-27", "2020-12-28", "2020-12-29")


def settle_times(content):
    """Files saved a while before the check (one saved just now is read again once: its time is racy)."""
    for path in content.rglob("*"):
        if path.is_file():
            status = path.stat()
            os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns - 60 * 10**9))


def check(content, tmp_path, cache=None, now=NOW, settings=None):
    """(the files the check read, its problems as an editor sees them, {file: digest} of every file,
    {photo: what it is} of every photo shown)."""
    digests, photos = {}, {}
    sources, problems = check_tree(content, settings or {"SECTIONS": []}, label_root=tmp_path, now=now, cache=cache, digests=digests, photos=photos)
    return [os.path.relpath(source.file, content) for source in sources], [str(problem) for problem in problems], digests, photos


@pytest.fixture
def archive(tmp_path):
    content = tmp_path / "content"
    for day in DAYS:
        write_day(content, day, pages=1)
    settle_times(content)
    cache = CheckedSources(str(tmp_path / "cache" / "checked.sqlite"))
    read, problems, *_ = check(content, tmp_path, cache)
    assert len(read) == 9 and problems == []
    return content, cache


def test_a_new_day_is_checked_without_reading_the_days_before(tmp_path, archive):
    content, cache = archive
    show_a_photo(content)
    settle_times(content)
    assert check(content, tmp_path, cache)[1] == []
    write_day(content, "2020-12-30", pages=1)
    settle_times(content / "2020-12-30")
    read, problems, digests, photos = check(content, tmp_path, cache)
    assert problems == []
    assert read == ["2020-12-30/a01-1.md", "2020-12-30/a01-2.md", "2020-12-30/a01-3.md"], "the days before are settled"
    every = sorted(content.rglob("*.md"))
    assert digests == {str(path): file_digest(str(path)) for path in every}, "the build is given every file's digest all the same"
    assert [(name, photo.width, photo.height) for name, photo in photos.items()] == [(PHOTO, 1600, 1200)], "and what each photo shown is"
    assert check(content, tmp_path, cache)[0] == [], "nothing changed: nothing read"
    edited = content / "2020-12-28/a01-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "改过的正文。"), encoding="utf-8")
    assert check(content, tmp_path, cache)[0] == ["2020-12-28/a01-1.md", "2020-12-28/a01-2.md", "2020-12-28/a01-3.md"], "an edited day is read again"
    settle_times(content)
    check(content, tmp_path, cache)
    saved_again = content / "2020-12-27/a01-3.md"
    status = saved_again.stat()
    os.utime(saved_again, ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))
    assert check(content, tmp_path, cache)[0] == ["2020-12-27/a01-1.md", "2020-12-27/a01-2.md", "2020-12-27/a01-3.md"], (
        "a day saved again, the same size, is read again"
    )


def take_an_old_slug(content):
    write_item(content, "2020-12-30/a01-1.md", "新的一天", date="2020-12-30", Slug="item-2020-12-28-a01-2")


def add_a_day(content):
    write_day(content, "2020-12-30", pages=1, items=1)


def give_an_old_report_a_newer_slug(content):
    edited = content / "2020-12-27/a01-1.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Slug: item-2020-12-27-a01-1", "Slug: item-2020-12-30-a01-1"), encoding="utf-8")


def share_a_reporters_url(content):
    write_item(content, "2020-12-30/a01-1.md", "新的一天", date="2020-12-30", people="记者:章三")  # 章三 and 张三: both zhang-san


def take_an_old_position(content):
    write_item(content, "extra/a01-9.md", "补发", date="2020-12-28", position=2, Slug="extra-item")


def link_to_an_old_report(content):
    linking = content / "2020-12-29/a01-3.md"
    linking.write_text(linking.read_text(encoding="utf-8").replace("正文。", "正文。见[前文]({filename}/2020-12-27/a01-1.md)。"), encoding="utf-8")


def delete_the_linked_report(content):
    (content / "2020-12-27/a01-1.md").unlink()


PHOTO = "images/2020-12-29.jpg"


def show_a_photo(content):
    (content / PHOTO).parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1600, 1200), (120, 90, 60)).save(content / PHOTO, "JPEG")
    shown = content / "2020-12-29/a01-1.md"
    shown.write_text(shown.read_text(encoding="utf-8").replace("Slug:", f"Image: {PHOTO}\nSlug:"), encoding="utf-8")


def break_the_photo(content):
    (content / PHOTO).write_bytes(b"not a photo at all")


def nothing(content):
    pass


# (what is there and checked good first, the change, the check's date, its settings)
SCENARIOS = {
    "a new day takes an old slug": (nothing, take_an_old_slug, NOW, None),
    "an old report takes a newer slug": (add_a_day, give_an_old_report_a_newer_slug, NOW, None),
    "a new reporter shares an old one's URL": (nothing, share_a_reporters_url, NOW, None),
    "a file takes an old position": (nothing, take_an_old_position, NOW, None),
    "a linked report is deleted": (link_to_an_old_report, delete_the_linked_report, NOW, None),
    "a photo shown is broken": (show_a_photo, break_the_photo, NOW, None),
    "the date limit moves back": (nothing, nothing, datetime.datetime(2020, 12, 20), None),  # 2020-12-29: more than 2 days ahead
    "the sections change": (nothing, nothing, NOW, {"SECTIONS": ["体育"]}),
}


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_a_check_that_settles_folders_finds_every_problem_a_check_of_the_whole_tree_finds(tmp_path, archive, scenario):
    content, cache = archive
    before, change, now, settings = scenario
    before(content)
    settle_times(content)
    assert check(content, tmp_path, cache)[1] == []
    change(content)
    read, problems, *_ = check(content, tmp_path, cache, now=now, settings=settings)
    whole = check(content, tmp_path, now=now, settings=settings)[1]
    assert whole, "the change is one a check must refuse"
    assert problems == whole
    assert check(content, tmp_path, cache, now=now, settings=settings)[1] == whole, "and it is found again while it is there"


@pytest.mark.parametrize("listed", [False, True], ids=["walked", "listed by the build's fingerprint"])
def test_the_files_checked_are_listed_in_the_order_of_their_paths_parts_and_by_folder(tmp_path, listed):
    """content_stamps: each folder's names in order, a folder's files where its name falls among its
    neighbours' (a sort of the paths split into parts), links to folders not entered; the same from the
    listing a staged build's fingerprint made (site_build.listing), which it then takes as it was."""
    from collections import defaultdict

    from content_schema.check import content_stamps
    from content_schema.settled import folder_of

    names = [
        "b.md",
        "a.md",
        "a/z.md",
        "a/b/c.md",
        "a-b.md",
        "a.b/x.md",
        "2020-12-30/a06-01.md",
        "2020-12-30/a06-01/n.md",
        "notes.txt",
        "z/y.markdown",
        "__pycache__/p.md",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
    given = listing_of(tmp_path) if listed else None
    by_folder = defaultdict(dict)
    stamps = content_stamps(tmp_path, by_folder, given)
    if listed:
        (tmp_path / "late.md").write_text("saved after the fingerprint", encoding="utf-8")
        assert content_stamps(tmp_path, None, given) == stamps, "the listing is taken as the fingerprint found it"
        assert str(tmp_path / "late.md") in content_stamps(tmp_path), "and a walk finds the file"
    expected = sorted((str(tmp_path / name) for name in names if name != "notes.txt"), key=lambda path: path.split(os.sep))
    assert list(stamps) == expected
    assert all(stamps[path] == (os.stat(path).st_size, os.stat(path).st_mtime_ns) for path in expected)
    grouped = defaultdict(dict)
    for path in expected:
        grouped[folder_of(path)][path] = stamps[path]
    assert list(by_folder.items()) == list(grouped.items())
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nothing.md")
    (tmp_path / ".#a01-1.md").symlink_to("root@host.1234:1700000000")  # an editor's lock file: hidden, no item
    dangling = []
    found = content_stamps(tmp_path, None, listing_of(tmp_path) if listed else None, dangling)
    assert found.keys() - {str(tmp_path / "late.md")} == stamps.keys()
    assert dangling == [str(tmp_path / "dangling.md")], "a report that links to nothing is named, as a walk finds it"


def listing_of(folder):
    """The Listing a staged build's fingerprint makes of folder (site_build.listing)."""
    from publishing.inputs import walk
    from site_build.listing import Listing

    made = Listing(str(folder), {}, 0)
    walk(str(folder), [], {}, 0, made.folders)
    return made


def test_a_new_days_check_hands_the_settled_folders_on_by_their_seals(tmp_path, archive):
    """A new day's check beside the build gives the build the digest of each file it read, and of the
    folders it did not read only their seals (the digest of their files' names and digests), not the
    archive's every file."""
    from content_schema.settled import seal_of

    content, cache = archive
    write_day(content, "2020-12-30", pages=1)
    digests, sealed = {}, {}
    check_tree(content, {"SECTIONS": []}, label_root=tmp_path, now=NOW, cache=cache, digests=digests, sealed=sealed)
    assert sorted(digests) == sorted(str(path) for path in (content / "2020-12-30").glob("*.md")), "the files of the day read"
    assert sorted(sealed) == [str(content / day) for day in DAYS]
    for day in DAYS:
        files = sorted((content / day).glob("*.md"))
        assert sealed[str(content / day)] == (seal_of((path.name, file_digest(str(path))) for path in files), len(files))
    assert seal_of([("a.md", "1"), ("b.md", "2")]) == seal_of([("b.md", "2"), ("a.md", "1")]) != seal_of([("a.md", "2"), ("b.md", "1")])
