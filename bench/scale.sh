#!/usr/bin/env bash
# Not a test: never run by ./mvnw test or scripts/test.sh. See bench/README.md ("Scale").
# Index at scale: builds SQLite indexes of N paths through the Index API (rows exactly as a download
# writes them) and reports narinfo reads from the index at 1 and 16 threads and an LRU run (10 %
# evicted) with the longest write and read waits while it runs, then ncps serve's startup time and resident size on
# each index and its narinfo hits from the database over HTTP. Sizes default to 1000 and 100000.
#   bench/scale.sh [--work DIR] [--seed DIR] [SIZE...]
# --seed DIR: where DIR/index-SIZE.db exists and WORK/index-SIZE.db does not, start from a copy of it (an index built
# by the branch whose migration V3 was "cache totals" is brought to main's schema on the copy); DIR is never written.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(dirname "$here")
work=/tmp/ncps-scale seed=""
while [ $# -gt 0 ]; do
  case $1 in
    --work) work=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) break ;;
  esac
done
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000)

# shellcheck source=../scripts/lib/jdk.sh
source "$root/scripts/lib/jdk.sh"; ncps_select_jdk
mkdir -p "$work"
# The jar too, so that ./ncps does not build it inside the startup time measured below.
(cd "$root" && ./mvnw -B -o -q -DskipTests -Dncps.bundle.skip=true package dependency:build-classpath -Dmdep.outputFile="$work/classpath" >&2)
cp="$root/target/classes:$(cat "$work/classpath")"

echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)); $(java -version 2>&1 | head -1)"
index_scale() { java --enable-native-access=ALL-UNNAMED -cp "$cp" "$here/IndexScale.java" "$@"; }
# Random known paths per HTTP pass: enough for a steady mean, a few seconds per pass at ~1 ms a hit.
http_hits=3000
# Mean and p99 of curl's per-request times over one keep-alive connection; every answer must be 200.
narinfo_pass() {   # base hash-file out-file
  awk -v base="$1" '{ printf "url = \"%s/%s.narinfo\"\noutput = \"/dev/null\"\n", base, $0 }' "$2" > "$3.cfg"
  curl -s -K "$3.cfg" -w '%{http_code} %{time_total}\n' > "$3"
  awk '$1 != 200 { bad++ } END { exit bad > 0 }' "$3" || { echo "non-200 narinfo answers: $(awk '$1 != 200' "$3" | sort | uniq -c | head -3)"; return 1; }
}
# ncps serve on a copy of the index (the launcher's defaults, as users start it, but with the narinfo memo off so
# every hit reads the database; the memo holds nothing at start, so startup and memory are as by default): seconds
# until it answers, its resident size (VmRSS, and the peak VmHWM) 20 s later, once the background jobs of a start ran,
# then narinfo hits over HTTP: a JIT warm-up pass over random known paths, then a measured pass over as many others.
# The upstream is unreachable, so a miss could not be answered 200: every answer counted is a hit.
serve_on() {   # db paths
  local dir; dir=$(mktemp -d "$work/serve.XXXXXX")
  cp --reflink=auto "$1" "$dir/index.db"
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local t0; t0=$(date +%s%N)
  "$root/ncps" serve --server-addr "127.0.0.1:$port" --cache-hostname scale.local --cache-upstream-url http://127.0.0.1:9 \
    --cache-storage-local "$dir/data" --cache-database-url "sqlite:$dir/index.db" --cache-temp-path "$dir/tmp" \
    --cache-narinfo-memory 0 > "$dir/out.log" 2>&1 &
  local pid=$! i=0
  until curl -sf -o /dev/null "http://127.0.0.1:$port/nix-cache-info"; do
    kill -0 "$pid" 2>/dev/null && [ $i -lt 12000 ] || { echo "ncps serve did not answer; see $dir/out.log"; kill "$pid" 2>/dev/null; return 1; }
    i=$((i + 1)); sleep 0.005
  done
  local t1; t1=$(date +%s%N)
  sleep 20
  echo "ncps serve on this index: first answer after $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", (b-a)/1e9}') s;" \
    "20 s later $(awk '/VmRSS/{r=$2} /VmHWM/{h=$2} END{printf "VmRSS %.0f MiB, VmHWM %.0f MiB", r/1024, h/1024}' "/proc/$pid/status")"
  local base="http://127.0.0.1:$port" sample
  index_scale "$1" "$2" "hashes=$((2 * http_hits))" > "$dir/hashes"
  sample=$(head -1 "$dir/hashes")
  # (Rows the cache-totals branch copied keep their original StorePath under a new hash, so only its form is checked.)
  curl -sf "$base/$sample.narinfo" | grep -q "^StorePath: /nix/store/" ||
    { echo "narinfo $sample is not served from the index; see $dir/out.log"; kill "$pid"; return 1; }
  head -n "$http_hits" "$dir/hashes" > "$dir/warm"; tail -n "$http_hits" "$dir/hashes" > "$dir/measured"
  local ok=1
  narinfo_pass "$base" "$dir/warm" "$dir/warm.out" && narinfo_pass "$base" "$dir/measured" "$dir/measured.out" || ok=0
  [ $ok = 0 ] || echo "narinfo hit from the database over HTTP (memo off, one keep-alive connection, after a warm-up pass" \
    "of as many): $(awk '{print $2 * 1e6}' "$dir/measured.out" | sort -n |
      awk '{v[NR]=$1; s+=$1} END{printf "mean %.0f µs, p50 %.0f µs, p99 %.0f µs (%d hits)", s/NR, v[int(NR/2)+1], v[int(NR*0.99)], NR}')"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ $ok = 1 ] || { echo "see $dir/out.log"; return 1; }
  rm -rf "$dir"
}

for n in "${sizes[@]}"; do
  echo "== $n paths, $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  db="$work/index-$n.db" phases=reads,lru
  if [ -n "$seed" ] && [ ! -e "$db" ] && [ -e "$seed/index-$n.db" ]; then
    cp --reflink=auto "$seed/index-$n.db" "$db"; phases=adopt,reads,lru
  fi
  index_scale "$db" "$n" "$phases"
  serve_on "$db" "$n"
done
echo "== end, load average $(cut -d' ' -f1-3 /proc/loadavg)"
