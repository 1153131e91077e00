"""The staged build's own files, and its commit into the output folder in one rename.

A staged build (publishing.build) has Pelican write only what changed into a
new folder beside the output; the commit (staging.commit) then makes the
output what the build says it is. Beside the output it keeps the site as the
build before left it, whose unchanged files are the same files (hard links):

    output/                  the site of the last build that succeeded: what is served
    .output.previous/        the site of the build before it, up to date with output/ but for
                             the names listed in .output.previous.json
    .output.new-XXXXXX/      a build in progress: only the files it changed
    .output.lock             held while a staged build runs
    .output.inputs.json      what the build that made output/ read, for the next to see whether anything changed (publishing.inputs)

The commit brings .output.previous/ up to date, moves the build's files into it,
and exchanges the two folders in one rename(2): a build killed at any point
leaves output/ the old site or the new one, never a mix.

The names below are read and written by the incremental plugin, the search
indexer and the commit, in processes that have no use for Pelican (importing
it takes a quarter of a second). As a Pelican plugin (first in PLUGINS, so
that the plugins after it can import it) it only marks a build that writes
into the output folder itself.
"""

MANIFEST = ".build-digests.json"  # in the output: every page's and static file's digest, for the next build to compare
REMOVED = ".build-removed.json"  # in a staged build: the files of the last build this one no longer has
SEARCH_PENDING = ".search-pending.json"  # in a staged build: the search index is to be made once Pelican has exited
EXPIRES = ".build-expires.json"  # in a staged build: when its output comes out differently with nothing changed but the time
STAGED_ONLY = (REMOVED, SEARCH_PENDING, EXPIRES)  # read in the staged folder, never moved into the output
SEARCH_FOLDER = "pagefind"  # the search index: a folder per shard, replaced whole when the shard is indexed again
SHARDS = "shards.json"  # in SEARCH_FOLDER: the shards of the index; a shard's folder not listed there goes
COMPRESSED = (".gz", ".br")  # pelican-precompress's copies beside a file: they go with it
LEGACY_UNSURE = ".build-unsure.json"  # left by a commit cut short before the exchange (issue 18): settled once, then gone


def writing_in_place(output_path, settings):
    """A build without LAST_OUTPUT (plain `pelican`, `pelican -r`) writes into the output folder
    itself, behind the commit's record: the next commit brings the previous site beside it up to date
    everywhere (trees.writing_in_place). Marked before a run writes anything."""
    if not settings.get("LAST_OUTPUT"):
        from .trees import writing_in_place as mark

        mark(output_path)


def before_first_run(pelican):
    writing_in_place(pelican.output_path, pelican.settings)  # Pelican may empty the folder before its generators run


def before_each_run(generators):
    writing_in_place(generators[0].output_path, generators[0].settings)  # `pelican -r` runs again and again


def register():
    from pelican import signals

    signals.initialized.connect(before_first_run)
    signals.all_generators_finalized.connect(before_each_run)
