"""Peak memory and CPU time of a build, reported by the build process itself as it exits.

Python imports this in every process started with this folder on PYTHONPATH; only the build's
processes that the benchmark started itself (Pelican, then the search indexer; not their
workers) write the file the benchmark reads, each adding to what the one before wrote. Its own peak is VmHWM: getrusage(RUSAGE_SELF) would include the benchmark's peak, which
Linux carries over exec after vfork. Its children's getrusage peaks carry over at most its own.
"""

import atexit
import json
import os
import resource


def own_peak_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report_peak():
    if str(os.getppid()) == os.environ.get("BENCH_PARENT_PID"):
        own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        # CPU seconds as well: unlike wall time, they barely change when other work shares the machine.
        cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
        path = os.environ["BENCH_PEAK_FILE"]
        try:
            with open(path) as handle:
                before = json.load(handle)
        except (OSError, ValueError):
            before = {"self_kb": 0, "children_kb": 0, "cpu_seconds": 0.0}
        with open(path, "w") as handle:
            peaks = {"self_kb": max(before["self_kb"], own_peak_kb()), "children_kb": max(before["children_kb"], children.ru_maxrss)}
            json.dump(peaks | {"cpu_seconds": before["cpu_seconds"] + cpu}, handle)


if os.environ.get("BENCH_PEAK_FILE"):
    atexit.register(report_peak)
