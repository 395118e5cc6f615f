#!/usr/bin/env bash
# Not a test: never run by ./mvnw test or scripts/test.sh. See bench/README.md ("Scale").
# Index at scale: builds SQLite indexes of N paths through the Index API (rows exactly as a download
# writes them) and reports narinfo reads from the index at 1 and 16 threads and an LRU run (10 %
# evicted) with the longest write and read waits while it runs. Sizes default to 1000 and 100000.
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
for n in "${sizes[@]}"; do
  echo "== $n paths, $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  java --enable-native-access=ALL-UNNAMED -cp "$cp" "$here/IndexScale.java" "$work/index-$n.db" "$n"
done
echo "== end, load average $(cut -d' ' -f1-3 /proc/loadavg)"
