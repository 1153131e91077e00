#!/usr/bin/env bash
# The README's two fresh-machine lines, run as written in a new, bare Debian 12 made with
# debootstrap: the first must build and serve the edition, the second must install everything
# and pass the tests. Not run by CI: it downloads about a gigabyte of Debian packages and takes
# a quarter of an hour or more. As root, with debootstrap and Debian's mirror reachable:
#
#     bash tests/fresh_machine.sh [/var/tmp/edition-fresh-debian]
#
# The project is copied as committed (git archive HEAD), without anything this checkout installed.
set -euo pipefail
repository=$(cd "$(dirname "$0")/.." && pwd)
machine=${1:-/var/tmp/edition-fresh-debian}
mirror=http://deb.debian.org/debian
port=8000 # the one `invoke serve` uses

if [ -e "$machine" ]; then
  echo "$machine exists: give a new folder (or remove it)" >&2
  exit 1
fi
if ss -ltn "sport = :$port" | grep -q LISTEN; then
  echo "port $port is taken on this machine: the README's first line serves on it" >&2
  exit 1
fi
command_line() { grep -m1 -E "^    .*$1" "$repository/README.md" | sed 's/^    //'; }
serve_line=$(command_line 'invoke build serve')
test_line=$(command_line 'invoke test')

echo "== a bare Debian 12 in $machine"
debootstrap --variant=minbase bookworm "$machine" "$mirror"
# as a Debian 12 installed from its images: its updates and security updates too
cat > "$machine/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
cp /etc/resolv.conf "$machine/etc/resolv.conf"
mkdir -p "$machine/root/edition"
git -C "$repository" archive HEAD | tar -x -C "$machine/root/edition"

mounts=(proc sys dev dev/pts dev/shm)
cleanup() {
  for ((index = ${#mounts[@]} - 1; index >= 0; index--)); do
    umount -l "$machine/${mounts[index]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
mount -t proc proc "$machine/proc"
mount -t sysfs sys "$machine/sys"
mount --bind /dev "$machine/dev"
mount -t devpts devpts "$machine/dev/pts"
mount -t tmpfs shm "$machine/dev/shm"

# A machine that reaches the package registries through a TLS-inspecting proxy (as this project's
# sandbox does) names the proxy's CA in these variables: the new machine gets the same files and
# variables, which a machine on the open internet does not need; the README's lines stay as written.
network=()
for variable in PIP_CERT SSL_CERT_FILE REQUESTS_CA_BUNDLE NODE_EXTRA_CA_CERTS; do
  file=${!variable:-}
  if [ -n "$file" ] && [ -f "$file" ]; then
    # beside the system's bundle, which installing ca-certificates writes anew
    mkdir -p "$machine/root/network-ca"
    cp "$file" "$machine/root/network-ca/$variable.pem"
    network+=("$variable=/root/network-ca/$variable.pem")
  fi
done

inside() {
  chroot "$machine" /usr/bin/env -i HOME=/root TERM=dumb DEBIAN_FRONTEND=noninteractive "${network[@]}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -c "cd /root/edition && $1"
}

echo "== the README's first line: $serve_line"
# in a process group of its own, to stop the server and nothing else afterwards
setsid bash -c "$(declare -p network); $(declare -f inside); machine=$machine; inside \"\$0\"" "$serve_line" > "$machine/root/serve.log" 2>&1 &
server=$!
front=""
for _ in $(seq 600); do
  if front=$(inside "python3 -c 'import urllib.request; print(urllib.request.urlopen(\"http://127.0.0.1:$port/\").read().decode())'" 2>/dev/null); then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$machine/root/serve.log" >&2
    echo "FAILED: the first line stopped before serving the edition" >&2
    exit 1
  fi
  sleep 1
done
kill -- "-$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
if ! grep -q "平顶山日报" <<< "$front"; then
  tail -40 "$machine/root/serve.log" >&2
  echo "FAILED: http://127.0.0.1:$port/ did not serve the front page" >&2
  exit 1
fi
echo "served the front page ($(wc -c <<< "$front") bytes)"

echo "== the README's test line: $test_line"
inside "$test_line"
echo "== both README lines work on a bare Debian 12"
