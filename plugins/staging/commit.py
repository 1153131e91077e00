"""The commit of a staged build: output/ becomes what the build says it is, in one rename.

The staged folder holds only what the build changed (pages, feeds, static files whose bytes changed,
search shards indexed again, the manifest), and lists what the last build had and this one no longer
has (REMOVED). The commit
  1. lists the names it will change, and records (flushed to disk) that the previous folder may
     differ from output/ at those and at the names the last commit changed;
  2. brings the previous folder up to date with output/ at the names the last commit changed (hard
     links; every name, by inode, after a build in place);
  3. replaces in it the search shards indexed again, whole, moves the build's files into it, and
     removes what went (with a page's compressed copies, and the search shards no longer listed);
  4. exchanges it with output/ in one rename, and records that the two now differ at the names of 3.
Its cost follows what changed, not the size of the archive. Killed at any point, output/ is the old
site or the new one, and the next commit finishes the previous folder from the record.
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import COMPRESSED, MANIFEST, SEARCH_FOLDER, SHARDS, STAGED_ONLY
from .manifest import read_removed
from .trees import Trees, make_folder, remove, remove_empty_parents, step


def commit(fresh, output):
    """Make output what the staged build in fresh says it is."""
    fresh, trees = Path(fresh), Trees(output)
    fresh.chmod(0o755)
    if not trees.output.exists():
        first_commit(fresh, trees)
        return
    plan = Plan.of(fresh, trees.output)
    differs = trees.read_differs()
    trees.write_differs(None if differs is None else differs | plan.names)
    step("journal")
    trees.bring_up_to_date(differs)
    step("replayed")
    plan.apply(fresh, trees.previous)
    step("switch")
    trees.exchange()
    step("switched")
    trees.write_differs(plan.names, durably=False)
    step("done")


def first_commit(fresh, trees):
    """No output yet: the staged folder is the site. The previous folder is made beside it, a hard
    link of every file, so that the next build's commit costs what it changes (some 7 s at 50,000
    reports, once)."""
    trees.write_differs(None)
    os.rename(fresh, trees.output)
    trees.bring_up_to_date(None)
    trees.write_differs(set(), durably=False)


@dataclass
class Plan:
    """What a staged build changes, by name relative to the site."""

    moves: list = field(default_factory=list)  # files of the staged folder to move in (the manifest last)
    dropped: list = field(default_factory=list)  # files and folders that go
    shards: list = field(default_factory=list)  # search shard folders indexed again, replaced whole

    @classmethod
    def of(cls, fresh, output):
        plan = cls()
        search = fresh / SEARCH_FOLDER
        listed = listed_shards(search if (search / SHARDS).is_file() else output / SEARCH_FOLDER)
        if search.is_dir():
            plan.shards = [f"{SEARCH_FOLDER}/{entry.name}" for entry in os.scandir(search) if entry.is_dir() and (listed is None or entry.name in listed)]
        for folder, dirs, files in os.walk(fresh):
            relative = os.path.relpath(folder, fresh)
            prefix = "" if relative == "." else relative + "/"
            dirs[:] = [name for name in dirs if prefix + name not in plan.shards]
            for name in files:
                if not prefix and name in (*STAGED_ONLY, MANIFEST):
                    continue
                if same_file(os.path.join(folder, name), output / prefix / name):
                    continue  # a page of the last build, linked in for the search indexer
                plan.moves.append(prefix + name)
                if not name.endswith(COMPRESSED):  # an older compressed copy of a page written again
                    plan.dropped += [
                        prefix + name + suffix for suffix in COMPRESSED if name + suffix not in files and os.path.lexists(output / prefix / (name + suffix))
                    ]
        if (fresh / MANIFEST).exists():
            plan.moves.append(MANIFEST)
        moved = set(plan.moves)
        gone = [name + suffix for name in read_removed(fresh) if name not in moved for suffix in ("", *COMPRESSED)]
        plan.dropped += [name for name in gone if os.path.lexists(output / name)]
        plan.dropped += [f"{SEARCH_FOLDER}/{name}/" for name in unlisted_shards(output, listed)]
        return plan

    @property
    def names(self):
        """Every name this plan changes (a folder's with a final "/")."""
        return {*self.moves, *self.dropped, *(shard + "/" for shard in self.shards)}

    def apply(self, fresh, site):
        """Make site, which is output/ as it was, what the staged build says."""
        for shard in self.shards:
            target = os.path.join(site, shard)
            remove(target)
            make_folder(os.path.dirname(target))
            os.rename(os.path.join(fresh, shard), target)
        step("folders")
        made = set()
        for count, name in enumerate(self.moves):
            target = os.path.join(site, name)
            parent = os.path.dirname(target)
            if parent not in made:
                make_folder(parent)
                made.add(parent)
            if os.path.isdir(target) and not os.path.islink(target):
                remove(target)
            os.replace(os.path.join(fresh, name), target)
            if count == 0:
                step("move")
        step("moved")
        for name in self.dropped:
            remove(os.path.join(site, name))
            remove_empty_parents(os.path.join(site, name.rstrip("/")), site)
        step("removed")


def same_file(first, second):
    try:
        return os.path.samestat(os.stat(first), os.stat(second))
    except OSError:
        return False


def listed_shards(bundle):
    """The names of the shards a search index lists (SHARDS); None if it has no readable list."""
    try:
        with open(os.path.join(bundle, SHARDS), encoding="utf-8") as handle:
            return {shard["name"] for shard in json.load(handle)["shards"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def unlisted_shards(site, listed):
    """The search shards of a site whose folders go: those the index's list (listed) does not name.
    Nothing goes without a readable list (a build without search leaves the index as it was)."""
    bundle = os.path.join(site, SEARCH_FOLDER)
    if listed is None or not os.path.isdir(bundle):
        return []
    return sorted(entry.name for entry in os.scandir(bundle) if entry.is_dir() and entry.name not in listed)


def drop_unlisted_shards(output):
    """Built in place (no commit): the shards the index no longer lists go, as a commit removes them."""
    for name in unlisted_shards(output, listed_shards(os.path.join(output, SEARCH_FOLDER))):
        remove(os.path.join(output, SEARCH_FOLDER, name))
