#!/usr/bin/env bash
# Not a test: never run by ./mvnw test or scripts/test.sh. See bench/README.md ("Scale").
# Index at scale: builds SQLite indexes of N paths through the Index API (rows exactly as a download
# writes them) and reports narinfo reads from the index at 1 and 16 threads and an LRU run (10 %
# evicted) with the longest write and read waits while it runs, then ncps serve's startup time and resident size on
# each index. Sizes default to 1000 and 100000.
#   bench/scale.sh [--work DIR] [SIZE...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(dirname "$here")
work=/tmp/ncps-scale
[ "${1:-}" != --work ] || { work=$2; shift 2; }
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000)

# shellcheck source=../scripts/lib/jdk.sh
source "$root/scripts/lib/jdk.sh"; ncps_select_jdk
mkdir -p "$work"
(cd "$root" && ./mvnw -B -o -q compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" >&2)
cp="$root/target/classes:$(cat "$work/classpath")"

echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)); $(java -version 2>&1 | head -1)"
# ncps serve on a copy of the index (the launcher's defaults, as users start it): seconds until it answers,
# and its resident size (VmRSS, and the peak VmHWM) 20 s later, once the background jobs of a start ran.
serve_on() {   # db
  local dir; dir=$(mktemp -d "$work/serve.XXXXXX")
  cp "$1" "$dir/index.db"
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local t0; t0=$(date +%s%N)
  "$root/ncps" serve --server-addr "127.0.0.1:$port" --cache-hostname scale.local --cache-upstream-url http://127.0.0.1:9 \
    --cache-storage-local "$dir/data" --cache-database-url "sqlite:$dir/index.db" --cache-temp-path "$dir/tmp" \
    > "$dir/out.log" 2>&1 &
  local pid=$! i=0
  until curl -sf -o /dev/null "http://127.0.0.1:$port/nix-cache-info"; do
    kill -0 "$pid" 2>/dev/null && [ $i -lt 12000 ] || { echo "ncps serve did not answer; see $dir/out.log"; kill "$pid" 2>/dev/null; return 1; }
    i=$((i + 1)); sleep 0.005
  done
  local t1; t1=$(date +%s%N)
  sleep 20
  echo "ncps serve on this index: first answer after $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", (b-a)/1e9}') s;" \
    "20 s later $(awk '/VmRSS/{r=$2} /VmHWM/{h=$2} END{printf "VmRSS %.0f MiB, VmHWM %.0f MiB", r/1024, h/1024}' "/proc/$pid/status")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

for n in "${sizes[@]}"; do
  echo "== $n paths, $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  java --enable-native-access=ALL-UNNAMED -cp "$cp" "$here/IndexScale.java" "$work/index-$n.db" "$n"
  serve_on "$work/index-$n.db"
done
echo "== end, load average $(cut -d' ' -f1-3 /proc/loadavg)"
