"""How fast a reader's search shows its first results, in Chromium, on a built site (output/).

    python tests/benchmark/search_speed.py OUTPUT [--query 经济] [--runs 3]

Serves OUTPUT on 127.0.0.1 twice: as it is (local), and throttled as a phone's connection is
(each response waits 100 ms, and all of them share 1.5 MB/s; HTTP/1.1 with keep-alive, so Chromium
opens six connections). Text files (HTML, JavaScript, JSON) are sent gzip-compressed, as nginx
sends the build's .gz copies; Pagefind's own files are compressed already. Each run opens
/search/?q=QUERY in a fresh browser context (nothing cached) and reports, from the time the page is
asked for: when the first result is shown, the bytes sent until then, and when the search is
complete (its count shown), with all the bytes it took. Prints the median of the runs.

Playwright drives the system Chromium (/usr/bin/chromium), as the browser tests do.
"""

import argparse
import contextlib
import gzip
import json
import os
import statistics
import sys
import threading
import time
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser_support import CHROMIUM, CHROMIUM_ARGS, QuietHandler  # noqa: E402

LATENCY = 0.1  # seconds before each response
RATE = 1_500_000  # bytes a second, shared by all responses
COMPRESSED = (".html", ".js", ".json", ".css")

# Calls window.searchShown when the first result is in the list, window.searchDone when the count is.
WATCH = """
new MutationObserver((changes, observer) => {
  const list = document.querySelector(".ed-results__list");
  const status = document.querySelector(".ed-results__status");
  if (list && list.children.length && !window.searchShownSent) {
    window.searchShownSent = true;
    window.searchShown(list.children.length);
  }
  if (status && /^(找到|没有找到)/.test(status.textContent) && !window.searchDoneSent) {
    window.searchDoneSent = true;
    window.searchDone(status.textContent);
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true, characterData: true });
"""


class Pipe:
    """The connection's bandwidth, shared by every response being sent at the time."""

    def __init__(self, rate):
        self.rate, self.lock, self.next_free = rate, threading.Lock(), time.monotonic()

    def wait_for(self, size):
        with self.lock:
            start = max(self.next_free, time.monotonic())
            self.next_free = start + size / self.rate
            until = self.next_free
        time.sleep(max(0.0, until - time.monotonic()))


class Ledger:
    """Bytes sent, each with the time it was sent."""

    def __init__(self):
        self.lock, self.sent = threading.Lock(), []

    def add(self, size):
        with self.lock:
            self.sent.append((time.monotonic(), size))

    def since(self, start, until=float("inf")):
        with self.lock:
            return sum(size for at, size in self.sent if start <= at <= until)


class Handler(QuietHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a browser talks to nginx
    pipe = None
    ledger = None

    def send_head(self):
        if self.pipe is not None:
            time.sleep(LATENCY)
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        if path.endswith(COMPRESSED) and "gzip" in self.headers.get("Accept-Encoding", "") and os.path.isfile(path):
            body = gzip.compress(Path(path).read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return _Body(body)
        return super().send_head()

    def copyfile(self, source, outputfile):
        while chunk := source.read(16384):
            if self.pipe is not None:
                self.pipe.wait_for(len(chunk))
            outputfile.write(chunk)
            self.ledger.add(len(chunk))


class _Body:
    def __init__(self, data):
        self.data, self.at = data, 0

    def read(self, size):
        chunk = self.data[self.at : self.at + size]
        self.at += len(chunk)
        return chunk

    def close(self):
        pass


@contextlib.contextmanager
def serve(folder, throttled):
    ledger = Ledger()
    handler = type("Served", (Handler,), {"pipe": Pipe(RATE) if throttled else None, "ledger": ledger})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", ledger
    finally:
        server.shutdown()
        server.server_close()


def one_search(browser, base, ledger, query):
    """(seconds to the first result, bytes until then, seconds to the count, bytes in all, what the page said)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    marks = {}
    page.expose_function("searchShown", lambda count: marks.setdefault("shown", time.monotonic()))
    page.expose_function("searchDone", lambda text: marks.setdefault("done", (time.monotonic(), text)))
    page.add_init_script(WATCH)
    start = time.monotonic()
    page.goto(f"{base}/search/?q={quote(query)}")
    deadline = start + 180
    while "done" not in marks and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    context.close()
    if "done" not in marks:
        raise SystemExit(f"the search for {query} did not finish in 180 s")
    done, text = marks["done"]
    shown = marks.get("shown", done)
    return shown - start, ledger.since(start, shown), done - start, ledger.since(start), text


def measure(folder, query, runs, throttled):
    from playwright.sync_api import sync_playwright

    with serve(folder, throttled) as (base, ledger), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        one_search(browser, base, ledger, query)  # Chromium's own first start, not timed
        measured = [one_search(browser, base, ledger, query) for _ in range(runs)]
        browser.close()
    return [statistics.median(run[column] for run in measured) for column in range(4)], measured[-1][4]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="a built site (output/)")
    parser.add_argument("--query", default="经济", help="the words searched (default: 经济, common in the bench's archive)")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    shards = json.loads((options.output / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    waves = len({shard.get("wave", 0) for shard in shards})
    print(f"{options.output}: {len(shards)} search shards in {waves} wave(s); query {options.query}; median of {options.runs} runs")
    for name, throttled in (("local", False), ("throttled (100 ms a request, 1.5 MB/s)", True)):
        (first, first_bytes, done, all_bytes), said = measure(options.output, options.query, options.runs, throttled)
        print(f"{name}: first results {first:.2f} s ({first_bytes / 1e6:.2f} MB fetched); complete {done:.2f} s ({all_bytes / 1e6:.2f} MB) — {said}")


if __name__ == "__main__":
    main()
