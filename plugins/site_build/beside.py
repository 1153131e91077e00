"""Running a function in a forked process beside the build, and taking its result later.

The check of the content and the loading of Pelican's cache of reports each
take seconds at 50,000 reports, and neither needs the other: the check runs
in a child forked when Pelican starts, while the build loads its cache on the
other core, and its result is taken before any report is read or page
written. The child is forked before the build holds the archive, so it
copies next to nothing. Photos and printed pages make their pictures the same
way (news_photos, printed_page), which is why this is in site_build: the
checker imports the photos plugin, and build_cache imports the checker.
"""

import gc
import os
import pickle
import traceback


class Failed(Exception):
    """The function raised in the child (its traceback is the message), or the child died."""


def start(function, *args):
    """Fork a child that runs function(*args); return what `result` needs to take its value."""
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:
        gc.disable()  # the child makes what it returns and ends: no cyclic garbage worth looking for
        os.close(readable)
        code = 0
        try:
            outcome = (True, function(*args))
        except BaseException as error:  # noqa: BLE001 (the parent reports it)
            outcome = (False, "".join(traceback.format_exception(error)))
        try:
            with os.fdopen(writable, "wb") as pipe:
                pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)  # not the parent's exit handlers, nor its buffers, twice
    os.close(writable)
    return pid, readable


def result(started):
    """The child's return value, once it has ended; Failed if it raised or died."""
    pid, readable = started
    with os.fdopen(readable, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise Failed(f"the process beside the build ended without a result (status {status})")
    try:
        succeeded, value = pickle.loads(data)
    except Exception as error:  # noqa: BLE001 (killed while it wrote: its result is cut short)
        raise Failed(f"the process beside the build ended before its result was whole (status {status}): {error!r}") from None
    if not succeeded:
        raise Failed(value)
    return value


def process_runs(pid):
    """Whether a process of this machine still runs (one that is not ours to signal does)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
