"""The nginx site configuration for the published edition, rendered from nginx/edition.conf.

The template keeps @PLACEHOLDERS@ instead of production paths so that the tests serve a
temporary folder with exactly the configuration a server uses.
"""

import argparse
import shutil
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "nginx"
TEMPLATE = FOLDER / "edition.conf"
HEADERS = FOLDER / "edition-headers.conf"
# Debian's nginx has no brotli; the package libnginx-mod-http-brotli-static adds this module
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
BROTLI_ON = "brotli_static on;"
BROTLI_OFF = "# brotli_static needs libnginx-mod-http-brotli-static; render with --brotli once it is installed"


def render_site(root, listen="80", server_name="_", snippets="/etc/nginx/snippets", brotli=False):
    """The server block for a site whose files are under root."""
    values = {
        "@ROOT@": str(root),
        "@LISTEN@": str(listen),
        "@SERVER_NAME@": server_name,
        "@SNIPPETS@": str(snippets),
        "@BROTLI@": BROTLI_ON if brotli else BROTLI_OFF,
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def write_site(folder, root, **options):
    """Write the server block and its headers snippet into folder; return the server block's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HEADERS, folder / HEADERS.name)
    site = folder / TEMPLATE.name
    site.write_text(render_site(root, snippets=folder, **options), encoding="utf-8")
    return site


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print the nginx server block for the published edition.")
    parser.add_argument("--root", default="/srv/edition/current", help="the `current` symlink that publish switches")
    parser.add_argument("--listen", default="80")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--snippets", default="/etc/nginx/snippets", help="where edition-headers.conf is installed")
    parser.add_argument("--brotli", action="store_true", help="serve the .br files (needs libnginx-mod-http-brotli-static)")
    args = parser.parse_args(argv)
    print(render_site(args.root, args.listen, args.server_name, args.snippets, args.brotli), end="")


if __name__ == "__main__":
    main()
