"""Helpers for the browser tests: serve a built site on loopback, drive Chromium, run axe and vnu."""

import contextlib
import functools
import json
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# As root, in a sandbox with no outside network: no sandbox, GPU or calls home
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
NODE_MODULES = ROOT / "tests" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def require_tools():
    """Fail, never skip, when what CI installs is missing: say how to install it."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    for path in (AXE, VNU):
        if not path.is_file():
            missing.append(f"{path.relative_to(ROOT)} (.venv/bin/npm ci --prefix tests --ignore-scripts)")
    if not shutil.which("java"):
        missing.append("java, for the Nu HTML Checker (apt-get install default-jre-headless)")
    assert not missing, "missing: " + "; ".join(missing)


# The policy production sends (plugins/publishing/nginx/edition-headers.conf): the pages must work under it
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


class QuietHandler(SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        super().end_headers()

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(folder):
    """Serve folder on 127.0.0.1 (a free port) for as long as the block runs; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def horizontal_overflow(page):
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def axe_violations(page):
    """axe-core's WCAG 2.x A/AA and best-practice violations, one readable line per element."""
    if not page.evaluate("'axe' in window"):
        # Evaluated over the DevTools protocol: a <script> tag (add_script_tag) would be refused by the CSP
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {node['target']} — {node['failureSummary']}" for v in result["violations"] for node in v["nodes"]]


def heading_levels(page):
    """The levels of the page's headings in document order, hidden ones included (screen readers read them)."""
    return page.evaluate("Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'), h => Number(h.tagName[1]))")


def skipped_heading_levels(levels):
    """Places where a heading goes more than one level deeper than the one before it."""
    return [(before, after) for before, after in zip([0, *levels], levels, strict=False) if after > before + 1]


def vnu_errors(folder):
    """The Nu HTML Checker's errors over every HTML file in folder, one line each."""
    command = ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or "{}").get("messages", []) if result.stderr.lstrip().startswith("{") else None
    assert messages is not None, f"vnu did not report JSON (exit {result.returncode}): {result.stdout}{result.stderr}"
    prefix = "file:" + str(Path(folder).resolve())
    return [f"{m.get('url', '').removeprefix(prefix)}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}" for m in messages]
