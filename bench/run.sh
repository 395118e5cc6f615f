#!/usr/bin/env bash
# Benchmarks ncps against nginx proxy_cache, both in front of the same static upstream, on loopback.
# Not a test: never run by ./mvnw test or scripts/test.sh. See bench/README.md for what it measures.
#
# usage: bench/run.sh [--quick] [--runs N] [--profile] [--work DIR] [--no-docs] [--database sqlite|postgres]
#                     [--storage local|s3]
#   --quick    small closure (~130 MiB, 64 MiB cold-miss NAR), 3 runs: a few minutes
#   --runs N   repetitions of every measurement (medians are reported); default 5, 3 with --quick
#   --profile  one run of the hit phases with JFR recordings of ncps; prints its hot methods, writes no docs
#   --work DIR scratch directory (closures are built once there and reused); default /tmp/ncps-bench
#   --no-docs  print the table but leave docs/benchmarks.md alone
#   --database postgres  every ncps keeps its index on a throwaway PostgreSQL cluster in the work directory (Debian's
#              postgresql-15, over its Unix socket) and the narinfo-from-index phase counts the statements per hit
#   --storage s3  every ncps keeps its NARs in a bucket of S3Proxy on loopback, and the NAR hit phases also fetch the
#              same objects from S3Proxy directly (signed GETs), so the relay's cost shows
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

mode=full; runs=""; profile=""; work=/tmp/ncps-bench; docs=1; database=sqlite; storage=local
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick; shift ;;
    --runs) runs=$2; shift 2 ;;
    --profile) profile=1; shift ;;
    --work) work=$2; shift 2 ;;
    --no-docs) docs=""; shift ;;
    --database) database=${2:-}; shift 2 ;;
    --storage) storage=${2:-}; shift 2 ;;
    *) echo "bench: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ -z "$runs" || "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --runs '$runs': expected a whole number >= 1" >&2; exit 2; }
[[ "$database" =~ ^(sqlite|postgres)$ ]] || { echo "bench: --database '$database': expected sqlite or postgres" >&2; exit 2; }
[[ "$storage" =~ ^(local|s3)$ ]] || { echo "bench: --storage '$storage': expected local or s3" >&2; exit 2; }

# Closure shape: log-uniform sizes from 4 KiB to max_kib, plus one big NAR used for the cold miss.
if [ $mode = quick ]; then
  n_paths=60; max_kib=8192; big_mib=64; narinfo_loops=60; nar_loops=4; : "${runs:=3}"
else
  n_paths=300; max_kib=24576; big_mib=256; narinfo_loops=20; nar_loops=1; : "${runs:=5}"
fi
# Profiling wants longer phases for enough samples (JFR samples Java threads every 10-20 ms).
[ -z "$profile" ] || { runs=1; docs=""; narinfo_loops=$((narinfo_loops * 10)); nar_loops=$((nar_loops * 4)); }
cold_rate_mib=64     # throttled upstream for the cold miss, MiB/s
herd_clients=64
herd_seconds=4       # the herd NAR's upstream is throttled so its transfer takes about this long
# ncps runs with the launcher's JVM defaults (its heap default included), as users start it; these add to them.
java_opts="${NCPS_BENCH_HEAP:+-Xmx$NCPS_BENCH_HEAP} ${NCPS_BENCH_JAVA_OPTS:-}"
java_opts=$(echo $java_opts)

"$root/scripts/install-test-deps.sh" nix nginx curl $([ "$database" = sqlite ] || echo postgresql)
source "$root/scripts/lib/jdk.sh"
ncps_select_jdk
jar="$root/target/ncps.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]; then
  echo "bench: building $jar" >&2
  (cd "$root" && ./mvnw -q -B -DskipTests package >&2)
fi

mkdir -p "$work"
work=$(realpath "$work")
up="$work/upstream-$mode"
run="$work/run"
rm -rf "$run"; mkdir -p "$run"
results="$run/results.tsv"; : > "$results"
# Every start runs this copy, so a build in the checkout while the benchmark runs changes nothing it measures.
cp "$jar" "$run/ncps.jar"

# Every curl is bounded (per transfer), so a stuck server fails the run instead of hanging it.
export CURL_HOME="$run"
printf 'max-time = 300\nconnect-timeout = 5\n' > "$run/.curlrc"
log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.6f", (b-a)/1e9}'; }
record() { printf '%s\n' "$(IFS=$'\t'; echo "$*")" >> "$results"; }   # run comp target metric value
die() { echo "bench: $*" >&2; exit 1; }

# ---------------------------------------------------------------- machine
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "mode=$mode"; echo "runs=$runs"; echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "nproc=$(nproc)"; echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "mem=$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "load_start=$loadavg_start"; echo "kernel=$(uname -r)"
  echo "java=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"; echo "nginx=$(nginx -v 2>&1 | cut -d/ -f2)"
  echo "curl=$(curl --version | head -1 | cut -d' ' -f2)"; echo "java_opts=$java_opts"
  echo "database=$database"; echo "storage=$storage"
} > "$run/machine"
log "machine: $(nproc) cores, load average $loadavg_start"

# ---------------------------------------------------------------- closures (built once per mode)
sizes=$(awk -v n=$n_paths -v max=$max_kib 'BEGIN{for(i=0;i<n;i++){k=int(4*exp(log(max/4)*i/(n-1))+0.5); printf "%s%d", (i?",":""), k}}')
stamp="sizes=$sizes big=$big_mib"
if [ "$(cat "$up/stamp" 2>/dev/null)" != "$stamp" ]; then
  log "building the $mode closure with nix ($n_paths sized paths up to $max_kib KiB, $big_mib MiB big NAR)"
  rm -rf "$up/cache" "$up/cache-none" "$up/cache-zstd"
  for comp in none zstd; do
    "$root/scripts/mkupstream.sh" "$up" --compression $comp --big-mib $big_mib --sizes-kib "$sizes" >/dev/null
    mv "$up/cache" "$up/cache-$comp"
  done
  echo "$stamp" > "$up/stamp"
fi
pubkey=$(cat "$up/key.pub")
mapfile -t hashes < <(xargs -n1 basename < "$up/paths" | cut -c1-32)
big_hash=$(grep -- '-bigdata$' "$up/paths" | xargs basename | cut -c1-32)
herd_hash=$(grep -- "-sized-$((n_paths - 1))-[0-9]*k\$" "$up/paths" | xargs basename | cut -c1-32)
nar_url_of() { sed -n 's/^URL: //p' "$1"; }
field_of() { sed -n "s/^$2: //p" "$1"; }
big_size=$(field_of "$up/cache-none/$big_hash.narinfo" FileSize)
herd_size=$(field_of "$up/cache-none/$herd_hash.narinfo" FileSize)
herd_rate=$(( herd_size / herd_seconds ))
declare -A total_bytes
for c in none zstd; do
  total_bytes[$c]=$(for h in "${hashes[@]}"; do field_of "$up/cache-$c/$h.narinfo" FileSize; done | paste -sd+ | bc)
done
log "closure: ${#hashes[@]} paths, $((total_bytes[none] / 1048576)) MiB of NARs"

# ---------------------------------------------------------------- processes
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {   # url timeout_s -> prints seconds waited
  local t0; t0=$(now_ns)
  until curl -sf -o /dev/null "$1"; do
    [ $(( ($(now_ns) - t0) / 1000000000 )) -lt "$2" ] || die "$1 did not answer within $2 s"
    sleep 0.01
  done
  secs "$t0" "$(now_ns)"
}
start_nginx() {   # name config-body
  local dir="$run/nginx-$1"; mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
user root root;
worker_processes auto;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_timeout 65; keepalive_requests 100000;
  types { text/x-nix-narinfo narinfo; } default_type application/octet-stream;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fcgi; uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  log_format bench '\$request_uri \$status \$body_bytes_sent';
  access_log off;
$2
}
CONF
  nginx -t -q -c "$dir/nginx.conf" || die "nginx config $dir/nginx.conf is invalid"
  nginx -c "$dir/nginx.conf" & pids+=($!)
}

p_up_none=$(free_port); p_up_zstd=$(free_port); p_up_cold=$(free_port); p_up_herd=$(free_port)
p_ng_none=$(free_port); p_ng_zstd=$(free_port)
start_nginx upstream "
  server { listen 127.0.0.1:$p_up_none; root $up/cache-none; access_log $run/up-none.log bench; }
  server { listen 127.0.0.1:$p_up_zstd; root $up/cache-zstd; access_log $run/up-zstd.log bench; }
  server { listen 127.0.0.1:$p_up_cold; root $up/cache-none; access_log $run/up-cold.log bench; limit_rate ${cold_rate_mib}m; }
  server { listen 127.0.0.1:$p_up_herd; root $up/cache-none; access_log $run/up-herd.log bench; limit_rate $herd_rate; }"
proxy_server() {   # comp port upstream-port: nginx configured as a Nix cache proxy
  cat <<CONF
  proxy_cache_path $run/nginx-proxy/cache-$1 levels=1:2 keys_zone=nix_$1:16m max_size=20g inactive=365d use_temp_path=off;
  upstream up_$1 { server 127.0.0.1:$3; keepalive 32; }
  server {
    listen 127.0.0.1:$2;
    access_log $run/nginx-proxy/access-$1.log combined;   # ncps logs every request too (JSON, at its default level)
    location / {
      proxy_pass http://up_$1; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_cache nix_$1; proxy_cache_valid 200 365d; proxy_cache_valid 404 1m;
      proxy_cache_lock on; proxy_cache_lock_timeout 600s; proxy_cache_use_stale error timeout updating;
    }
  }
CONF
}
start_nginx proxy "$(proxy_server none "$p_ng_none" "$p_up_none")$(proxy_server zstd "$p_ng_zstd" "$p_up_zstd")"
nginx_proxy_pid=${pids[-1]}
wait_http "http://127.0.0.1:$p_up_none/nix-cache-info" 20 >/dev/null
wait_http "http://127.0.0.1:$p_ng_none/nix-cache-info" 20 >/dev/null

# ---------------------------------------------------------------- index and NAR storage of ncps (--database, --storage)
# PostgreSQL: a throwaway cluster of Debian's postgresql-15 in the run directory, run as the postgres user (it refuses
# root), listening only on its Unix socket (the socket directory is the cluster's folder), one database per ncps.
# pg_stat_statements counts every statement each database executes, including BEGIN/COMMIT (track_utility).
pg_bin=/usr/lib/postgresql/15/bin
pg_dir="$run/postgres"; pg_port=""
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
pg_sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$pg_dir" -p "$pg_port" -U postgres -d postgres -c "$1"; }
start_postgres() {
  mkdir -p "$pg_dir"; chown postgres: "$pg_dir"; chmod 0700 "$pg_dir"
  as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust > "$pg_dir/initdb.log" 2>&1 || die "initdb failed; see $pg_dir/initdb.log"
  pg_port=$(free_port)
  as_postgres "$pg_bin/postgres" -D "$pg_dir/data" -p "$pg_port" -c listen_addresses= -c unix_socket_directories="$pg_dir" \
    -c max_connections=200 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all \
    -c pg_stat_statements.track_utility=on > "$pg_dir/postgres.log" 2>&1 & pids+=($!)
  local i=0
  until pg_sql 'SELECT 1' >/dev/null 2>&1; do
    [ $i -lt 600 ] || die "PostgreSQL did not answer within 60 s; see $pg_dir/postgres.log"
    i=$((i + 1)); sleep 0.1
  done
  pg_sql 'CREATE EXTENSION pg_stat_statements' >/dev/null
  log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on $pg_dir/.s.PGSQL.$pg_port"
}
pg_db_of() { echo "bench_${1//-/_}"; }   # ncps instance name -> its database

# S3: S3Proxy (the test suite's S3 server, from the test class path) with its filesystem backend in the run
# directory, on loopback, one bucket per ncps; its objects are files <basedir>/<bucket>/<key>.
s3_dir="$run/s3"; s3_port=""; s3_pid=""
s3_key=bench-access; s3_secret=bench-secret-key; s3_region=us-east-1
# S3 signs the body's SHA-256; curl sends none for an empty body, so it is given (that of the empty string).
s3_curl_opts=(--aws-sigv4 "aws:amz:$s3_region:s3" -u "$s3_key:$s3_secret"
  -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
start_s3proxy() {
  mkdir -p "$s3_dir/data"
  (cd "$root" && ./mvnw -B -o -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$s3_dir/classpath" >&2)
  s3_port=$(free_port)
  cat > "$s3_dir/s3proxy.properties" <<PROPERTIES
s3proxy.endpoint=http://127.0.0.1:$s3_port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$s3_key
s3proxy.credential=$s3_secret
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=$s3_dir/data
PROPERTIES
  "$JAVA_HOME/bin/java" -Xmx256m -Dlogback.configurationFile="$root/scripts/container/compose-standins/s3/logback.xml" \
    -cp "$(cat "$s3_dir/classpath")" org.gaul.s3proxy.Main --properties "$s3_dir/s3proxy.properties" > "$s3_dir/out.log" 2>&1 &
  s3_pid=$!; pids+=("$s3_pid")
  local i=0
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "${s3_curl_opts[@]}" "http://127.0.0.1:$s3_port/")" = 200 ]; do
    kill -0 "$s3_pid" 2>/dev/null && [ $i -lt 600 ] || die "S3Proxy did not answer within 60 s; see $s3_dir/out.log"
    i=$((i + 1)); sleep 0.1
  done
  log "S3Proxy on 127.0.0.1:$s3_port"
}
s3_bucket_of() { echo "bench-$1"; }   # ncps instance name -> its bucket

backend=()
backend_args() {   # name dir -> sets backend to the ncps options for its index and NAR storage
  backend=()
  if [ "$storage" = s3 ]; then
    local bucket; bucket=$(s3_bucket_of "$1")
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "${s3_curl_opts[@]}" "http://127.0.0.1:$s3_port/$bucket")" = 200 ] ||
      die "cannot create the S3 bucket $bucket"
    backend+=(--cache-storage-s3-bucket "$bucket" --cache-storage-s3-endpoint "http://127.0.0.1:$s3_port"
      --cache-storage-s3-region "$s3_region" --cache-storage-s3-access-key-id "$s3_key"
      --cache-storage-s3-secret-access-key "$s3_secret" --cache-storage-s3-force-path-style true)
    # with S3 the database URL is required; SQLite keeps its default place under the data directory
    [ "$database" = postgres ] || backend+=(--cache-database-url "sqlite:$2/data/db/db.sqlite")
  else
    backend+=(--cache-storage-local "$2/data")
  fi
  if [ "$database" = postgres ]; then
    local db; db=$(pg_db_of "$1")
    pg_sql "CREATE DATABASE $db" >/dev/null
    backend+=(--cache-database-url "postgres+unix://postgres@$pg_dir/$db?port=$pg_port")
  fi
}
[ "$database" = sqlite ] || start_postgres
[ "$storage" = local ] || start_s3proxy

ncps_pid=""; startup=""
start_ncps() {   # name port upstream-port [ncps serve options...] -> sets ncps_pid and startup (seconds to the first answer)
  local name=$1 port=$2 upport=$3; shift 3
  local dir="$run/ncps-$name"; rm -rf "$dir"; mkdir -p "$dir/tmp" "$dir/data/db"
  backend_args "$name" "$dir"
  local t0; t0=$(now_ns)
  NCPS_JAVA="$JAVA_HOME/bin/java" NCPS_JAR="$run/ncps.jar" NCPS_CDS_ARCHIVE="$run/ncps.aot" NCPS_JAVA_OPTS="$java_opts" \
    "$root/src/dist/bin/ncps" serve \
    --server-addr "127.0.0.1:$port" --cache-hostname bench.local \
    --cache-upstream-url "http://127.0.0.1:$upport" --cache-upstream-public-key "$pubkey" \
    "${backend[@]}" --cache-temp-path "$dir/tmp" "$@" \
    > "$dir/out.log" 2>&1 &
  ncps_pid=$!; pids+=("$ncps_pid")
  until curl -sf -o /dev/null "http://127.0.0.1:$port/nix-cache-info"; do
    kill -0 "$ncps_pid" 2>/dev/null || die "ncps $name exited; see $dir/out.log"
    [ $(( ($(now_ns) - t0) / 1000000000 )) -lt 60 ] || die "ncps $name did not answer within 60 s"
    sleep 0.005
  done
  startup=$(secs "$t0" "$(now_ns)")
}
stop_ncps() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# ---------------------------------------------------------------- client helpers (curl, one connection per process)
curl_cfg() {   # base url-file out-dir|"" -> curl config on stdout
  awk -v base="$1" -v out="$3" '{ printf "url = \"%s/%s\"\n", base, $0;
    if (out == "") print "output = \"/dev/null\""; else { f=$0; gsub("/", "_", f); printf "output = \"%s/%s\"\n", out, f } }' "$2"
}
fetch_list() {   # base url-file [out-dir]: one connection, all URLs; fails on any non-200
  curl_cfg "$1" "$2" "${3:-}" > "$run/cfg.$$"
  curl -s -K "$run/cfg.$$" -w '%{http_code} %{size_download} %{time_total}\n' > "$run/fetch.out"
  awk '$1 != 200 { bad++ } END { exit bad > 0 }' "$run/fetch.out" || die "non-200 answers from $1: $(awk '$1!=200' "$run/fetch.out" | head -3)"
}
nar_urls() {   # narinfo-dir -> NAR URLs (relative), in the closure's order
  for h in "${hashes[@]}"; do nar_url_of "$1/$h.narinfo"; done
}

warm_up() {   # comp target base: every narinfo and every NAR once, sizes checked
  local dir="$run/warm-$1-$2"; mkdir -p "$dir"
  printf '%s.narinfo\n' "${hashes[@]}" > "$dir/narinfos"
  fetch_list "$3" "$dir/narinfos" "$dir"
  for h in "${hashes[@]}"; do mv "$dir/$h.narinfo" "$dir/$h.ni"; done
  for h in "${hashes[@]}"; do nar_url_of "$dir/$h.ni"; done > "$dir/nars"
  fetch_list "$3" "$dir/nars"
  local got
  got=$(awk '{s+=$2} END{print s}' "$run/fetch.out")
  [ "$got" = "${total_bytes[$1]}" ] || die "warm-up through $2 ($1): got $got NAR bytes, expected ${total_bytes[$1]}"
  # The bytes must be the upstream's: compare a few NARs (the smallest, a middle one, the biggest) by hash.
  for h in "${hashes[0]}" "$herd_hash" "$big_hash"; do
    local u; u=$(nar_url_of "$dir/$h.ni")
    [ "$(curl -sf "$3/$u" | sha256sum | cut -d' ' -f1)" = "$(sha256sum < "$up/cache-$1/$(nar_url_of "$up/cache-$1/$h.narinfo")" | cut -d' ' -f1)" ] ||
      die "warm-up through $2 ($1): NAR of $h differs from the upstream's"
  done
  for _ in $(seq $nar_loops); do cat "$dir/nars"; done > "$run/nars-$1-$2"
  for _ in $(seq $narinfo_loops); do cat "$dir/narinfos"; done > "$run/narinfos-loop"
  cp "$dir/narinfos" "$run/narinfos-once"
}

# CPU time (user + system, all threads) of the server processes of a target, in clock ticks.
clk_tck=$(getconf CLK_TCK)
server_pids() {
  case $1 in ncps) echo "${pid_of[$2]}" ;; ncps-db) echo "${pid_of[db-$2]}" ;; s3) echo "$s3_pid" ;; *) pgrep -P "$nginx_proxy_pid" ;; esac
}
# nginx's cache loader process exits a minute after the start, so a child listed may be gone when read.
cpu_ticks() {
  local t=0 p ticks
  for p in $(server_pids "$1" "$2"); do
    ticks=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) || ticks=0
    t=$((t + ${ticks:-0}))
  done
  echo $t
}

# A process's server CPU per request over a phase: c0 (ticks before), requests.
cpu_us_per_request() { awk -v c=$(( $(cpu_ticks "$1" "$2") - $3 )) -v hz=$clk_tck -v n="$4" 'BEGIN{printf "%.1f", c/hz*1e6/n}'; }

narinfo_phase() {   # r comp target base metric-prefix: the narinfo loop on one connection
  local t0 t1 c0; c0=$(cpu_ticks "$3" "$2"); t0=$(now_ns)
  fetch_list "$4" "$run/narinfos-loop"
  t1=$(now_ns)
  local n; n=$(wc -l < "$run/fetch.out")
  record "$1" "$2" "$3" "$5_cpu_us" "$(cpu_us_per_request "$3" "$2" "$c0" "$n")"
  record "$1" "$2" "$3" "$5_mean_us" "$(awk -v a=$t0 -v b=$t1 -v n=$n 'BEGIN{printf "%.1f", (b-a)/1e3/n}')"
  record "$1" "$2" "$3" "$5_p99_us" "$(awk '{print $3*1e6}' "$run/fetch.out" | sort -n | awk '{v[NR]=$1} END{printf "%.1f", v[int(NR*0.99)]}')"
}

# The narinfo loop on each of 16 connections at once (a curl process each); their status codes in <prefix>.<i>.out.
narinfo_loop_c16() {   # base out-prefix
  local i cpids=()
  curl_cfg "$1" "$run/narinfos-loop" "" > "$2.cfg"
  for i in $(seq 16); do curl -s -K "$2.cfg" -w '%{http_code}\n' > "$2.$i.out" & cpids+=($!); done
  for i in "${cpids[@]}"; do wait "$i"; done
}

narinfo_c16_phase() {   # r comp target base metric-prefix: the narinfo loop on each of 16 connections at once
  local t0 t1 c0
  c0=$(cpu_ticks "$3" "$2"); t0=$(now_ns)
  narinfo_loop_c16 "$4" "$run/c16"
  t1=$(now_ns)
  local n; n=$(cat "$run"/c16.*.out | wc -l)
  [ "$(cat "$run"/c16.*.out | grep -vc '^200$')" = 0 ] || die "narinfo c16 through $3 ($2): non-200 answers"
  record "$1" "$2" "$3" "$5_c16_rps" "$(awk -v a=$t0 -v b=$t1 -v n=$n 'BEGIN{printf "%.0f", n/((b-a)/1e9)}')"
  record "$1" "$2" "$3" "$5_c16_cpu_us" "$(cpu_us_per_request "$3" "$2" "$c0" "$n")"
}

# The JIT compiles a request path after some tens of thousands of requests; a server that has run for a while is
# in that steady state, so every server answers the narinfo loop on 16 connections at once, then on one connection
# eight times over, before anything is measured.
jit_warm_up() {   # comp target base
  local i
  narinfo_loop_c16 "$3" "$run/jit"
  for i in $(seq 8); do curl -s -K "$run/jit.cfg" -w '%{http_code}\n' > "$run/jit.c1-$i.out"; done
  [ "$(cat "$run"/jit.*.out | grep -vc '^200$')" = 0 ] || die "JIT warm-up through $2 ($1): non-200 answers"
}

# narinfo hits from the index: a second ncps per closure runs with its narinfo memo off (cache.narinfo-memory 0),
# so every hit reads the database, as most hits of a real cache do (its clients ask for a spread of paths, and a
# narinfo stays in the memo for 60 s only); nginx answers the same list from its cache.
# On PostgreSQL the statements ncps's database executed during each pass (one connection, then 16) are counted
# exactly by pg_stat_statements (reset before, read after; only that ncps's database): per hit in total, and the
# round trips among them, which are all but the BEGINs (pgjdbc sends BEGIN in the same message batch as the
# transaction's first query). Whatever ncps does in the background during a pass counts too; the breakdown by
# statement is kept in pg-statements-<comp>.txt (one connection) and pg-statements-<comp>-c16.txt.
narinfo_db_phase() {   # r comp target base
  local counted=""
  [ "$database" = postgres ] && [ "$3" = ncps-db ] && counted=1
  if [ -n "$counted" ]; then pg_sql 'SELECT pg_stat_statements_reset()' >/dev/null; fi
  narinfo_phase "$1" "$2" "$3" "$4" narinfo_db
  if [ -n "$counted" ]; then
    pg_statements "$1" "$2" "$(wc -l < "$run/fetch.out")" ""
    pg_sql 'SELECT pg_stat_statements_reset()' >/dev/null
  fi
  narinfo_c16_phase "$1" "$2" "$3" "$4" narinfo_db
  if [ -n "$counted" ]; then pg_statements "$1" "$2" "$(( 16 * $(wc -l < "$run/narinfos-loop") ))" -c16; fi
}

pg_statements() {   # r comp hits suffix: records and prints what pg_stat_statements counted since its reset
  local db n=$3 f="$run/pg-statements-$2$4"; db=$(pg_db_of "db-$2")
  pg_sql "SELECT s.calls, regexp_replace(s.query, '\\s+', ' ', 'g') FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
          WHERE d.datname = '$db' ORDER BY s.calls DESC" > "$f.raw"
  awk -F'|' -v n="$n" '{ printf "%.2f per hit (%d calls): %s\n", $1 / n, $1, substr($2, 1, 160) }' "$f.raw" > "$f.txt"
  local metric=pg_statements_per_hit; [ -z "$4" ] || metric=pg_statements_per_hit_c16
  record "$1" "$2" ncps "$metric" "$(awk -F'|' -v n="$n" '{ s += $1 } END { printf "%.2f", s / n }' "$f.raw")"
  [ -n "$4" ] || record "$1" "$2" ncps pg_round_trips_per_hit "$(awk -F'|' -v n="$n" 'toupper($2) !~ /^ *BEGIN/ { s += $1 } END { printf "%.2f", s / n }' "$f.raw")"
  log "run $1: PostgreSQL statements during $n narinfo hits from the index ($2${4:+, 16 connections}):"; sed 's/^/    /' "$f.txt" >&2
}

nar_phase() {   # r comp target base workers
  local list="$run/nars-$2-$3" w=$5 i
  rm -f "$run"/share.*
  awk -v w=$w -v d="$run" '{ print > (d "/share." (NR % w)) }' "$list"
  local t0 t1 c0; c0=$(cpu_ticks "$3" "$2"); t0=$(now_ns)
  local cpids=()
  for f in "$run"/share.*; do
    { [ "$3" != s3 ] || s3_curl_cfg; curl_cfg "$4" "$f" ""; } > "$f.cfg"
    curl -s -K "$f.cfg" -w '%{http_code} %{size_download}\n' > "$f.out" & cpids+=($!)
  done
  for p in "${cpids[@]}"; do wait "$p"; done
  t1=$(now_ns)
  local got; got=$(cat "$run"/share.*.out | awk '$1 != 200 { bad++ } { s+=$2 } END { if (bad) print "bad"; else print s }')
  [ "$got" = $((total_bytes[$2] * nar_loops)) ] || die "NAR c$w through $3 ($2): got $got bytes, expected ${total_bytes[$2]}"
  record "$1" "$2" "$3" "nar_c${w}_cpu_s_per_gib" "$(awk -v c=$(( $(cpu_ticks "$3" "$2") - c0 )) -v hz=$clk_tck -v s=$got 'BEGIN{printf "%.3f", c/hz/(s/1073741824)}')"
  record "$1" "$2" "$3" "nar_c${w}_mibps" "$(awk -v a=$t0 -v b=$t1 -v s=$got 'BEGIN{printf "%.1f", s/1048576/((b-a)/1e9)}')"
}

# Direct S3 GETs (target s3) sign every request as the S3 SDK would; curl's options, as a config file.
s3_curl_cfg() {
  printf 'aws-sigv4 = "aws:amz:%s:s3"\nuser = "%s:%s"\nheader = "%s"\n' "$s3_region" "$s3_key" "$s3_secret" "${s3_curl_opts[5]}"
}
# The object keys ncps stored the NARs of hit-<comp> under, in the order of its NAR URL list (a key is found by the
# file name of the NAR URL), so the direct GETs fetch exactly the objects ncps relays.
s3_nar_keys() {   # comp
  local bucket_dir; bucket_dir="$s3_dir/data/$(s3_bucket_of "hit-$1")"
  find "$bucket_dir" -type f -printf '%P\n' > "$run/s3-keys-$1"
  awk -v keys="$run/s3-keys-$1" 'BEGIN { while ((getline k < keys) > 0) { n = split(k, p, "/"); key[p[n]] = k } }
    { n = split($0, p, "/"); if (!(p[n] in key)) { print "no S3 object for " $0 > "/dev/stderr"; exit 1 } print $0 "\t" key[p[n]] }' \
    "$run/warm-$1-ncps/nars" > "$run/s3-key-of-$1" || die "the NARs of hit-$1 are not all in its bucket"
  for _ in $(seq $nar_loops); do cut -f2 "$run/s3-key-of-$1"; done > "$run/nars-$1-s3"
}
s3_key_of() { awk -F'\t' -v u="$2" '$1 == u { print $2; exit }' "$run/s3-key-of-$1"; }   # comp NAR-URL
# Time to first byte of a NAR hit: the big NAR of the uncompressed closure, once per target, on a fresh connection.
hit_ttfb() {   # r target url
  local code size ttfb opts=()
  [ "$2" != s3 ] || opts=("${s3_curl_opts[@]}")
  read -r code size ttfb < <(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_starttransfer}\n' "${opts[@]}" "$3")
  [ "$code" = 200 ] && [ "$size" = "$big_size" ] || die "NAR hit TTFB through $2: HTTP $code, $size bytes (expected $big_size)"
  record "$1" none "$2" nar_hit_ttfb_ms "$(awk -v v="$ttfb" 'BEGIN{printf "%.2f", v*1000}')"
}

vm_hwm_kib() { awk '/VmHWM/{print $2}' "/proc/$1/status"; }
# VmHWM counts the pages of mapped NAR files too (page cache the kernel can drop); RssAnon, sampled every
# 20 ms because the kernel keeps no peak of it, is the heap and other memory of the process itself.
sample_rss() { while awk '/RssAnon/{print $2}' "/proc/$1/status"; do sleep 0.02; done; }

# ---------------------------------------------------------------- hit instances
# The launcher keeps an ahead-of-time cache, which the JVM writes when the first start after an install (or
# a new jar) exits; every later start loads it. One start, a few requests (as a server's first run would serve)
# and a stop first, so the measured starts are those later ones; the first start is reported on its own.
# The cache lives in the run directory, made afresh above: one left by a run on another backend would hold the
# classes of that index and storage, and an installation trains it on its own first serve.
port=$(free_port)
start_ncps first-start "$port" "$p_up_none"
record 0 none ncps first_startup_s "$startup"
printf '%s.narinfo\n' "${hashes[@]:0:8}" > "$run/first-start-narinfos"
fetch_list "http://127.0.0.1:$port" "$run/first-start-narinfos"
stop_ncps "$ncps_pid"
declare -A base pid_of
base[nginx-none]="http://127.0.0.1:$p_ng_none"; base[nginx-zstd]="http://127.0.0.1:$p_ng_zstd"
for comp in none zstd; do
  port=$(free_port); upport=$p_up_none; [ $comp = zstd ] && upport=$p_up_zstd
  start_ncps "hit-$comp" "$port" "$upport"; pid_of[$comp]=$ncps_pid
  base[ncps-$comp]="http://127.0.0.1:$port"
  record 0 "$comp" ncps startup_s "$startup"
  port=$(free_port)
  start_ncps "db-$comp" "$port" "$upport" --cache-narinfo-memory 0; pid_of[db-$comp]=$ncps_pid
  base[ncps-db-$comp]="http://127.0.0.1:$port"
done
for comp in none zstd; do
  for target in ncps nginx; do
    log "warm-up: every NAR of the $comp closure through $target"
    warm_up "$comp" "$target" "${base[$target-$comp]}"
  done
  # the memo-less ncps stores every narinfo once (its NARs are not needed for narinfo hits)
  fetch_list "${base[ncps-db-$comp]}" "$run/narinfos-once"
done
for comp in none zstd; do
  for target in ncps ncps-db nginx; do
    log "JIT warm-up: $(( 24 * $(wc -l < "$run/narinfos-loop") )) narinfo requests ($comp closure) through $target"
    jit_warm_up "$comp" "$target" "${base[$target-$comp]}"
  done
done
# Every hit phase must be served from the proxies' caches: the upstream's logs must not grow (except
# for ncps's periodic health checks of /nix-cache-info).
upstream_requests() { cat "$run/up-none.log" "$run/up-zstd.log" | grep -vc '^/nix-cache-info ' || true; }
upstream_after_warmup=$(upstream_requests)
if [ "$storage" = s3 ]; then
  for comp in none zstd; do s3_nar_keys $comp; base[s3-$comp]="http://127.0.0.1:$s3_port/$(s3_bucket_of "hit-$comp")"; done
fi

# the narinfo-db phase runs on the memo-less instances
jfr_pid() { if [ "$1" = narinfo-db ]; then echo "${pid_of[db-$2]}"; else echo "${pid_of[$2]}"; fi; }
jfr_start() { [ -z "$profile" ] || for c in none zstd; do jcmd "$(jfr_pid "$1" $c)" JFR.start name="$1" settings=profile >/dev/null; done; }
jfr_stop() { [ -z "$profile" ] || for c in none zstd; do jcmd "$(jfr_pid "$1" $c)" JFR.stop name="$1" filename="$run/$1-$c.jfr" >/dev/null; done; }
PATH="$JAVA_HOME/bin:$PATH"

for r in $(seq "$runs"); do
  # Alternate who goes first so a drifting background load does not favour one side.
  order=(ncps nginx); [ $((r % 2)) = 0 ] && order=(nginx ncps)
  log "run $r/$runs: narinfo and NAR hits (${order[*]})"
  jfr_start narinfo
  for comp in none zstd; do for t in "${order[@]}"; do
    narinfo_phase "$r" $comp "$t" "${base[$t-$comp]}" narinfo
    narinfo_c16_phase "$r" $comp "$t" "${base[$t-$comp]}" narinfo
  done; done
  jfr_stop narinfo
  db_order=(ncps-db nginx); [ $((r % 2)) = 0 ] && db_order=(nginx ncps-db)
  jfr_start narinfo-db
  for comp in none zstd; do for t in "${db_order[@]}"; do
    narinfo_db_phase "$r" $comp "$t" "${base[$t-$comp]}"
  done; done
  jfr_stop narinfo-db
  jfr_start nar
  for w in 1 4 16; do
    # with S3 storage, the same objects straight from S3 at c1 and c16: what the relay through ncps costs
    targets=("${order[@]}"); [ "$storage" = local ] || [ $w = 4 ] || targets+=(s3)
    for comp in none zstd; do
      for t in "${targets[@]}"; do
        if [ "$t$w" = ncps16 ]; then
          echo 5 > "/proc/${pid_of[$comp]}/clear_refs"
          sample_rss "${pid_of[$comp]}" > "$run/rss-samples" & sampler=$!
        fi
        nar_phase "$r" $comp "$t" "${base[$t-$comp]}" $w
        if [ "$t$w" = ncps16 ]; then
          kill "$sampler"; wait "$sampler" 2>/dev/null || true
          record "$r" $comp ncps rss_c16_mib "$(( $(vm_hwm_kib "${pid_of[$comp]}") / 1024 ))"
          record "$r" $comp ncps rss_anon_c16_mib "$(sort -n "$run/rss-samples" | tail -1 | awk '{printf "%d", $1/1024}')"
        fi
      done
    done
  done
  jfr_stop nar
  for t in "${order[@]}"; do hit_ttfb "$r" "$t" "${base[$t-none]}/$(nar_url_of "$run/warm-none-$t/$big_hash.ni")"; done
  [ "$storage" = local ] || hit_ttfb "$r" s3 "${base[s3-none]}/$(s3_key_of none "$(nar_url_of "$run/warm-none-ncps/$big_hash.ni")")"
  [ "$(upstream_requests)" = "$upstream_after_warmup" ] ||
    die "run $r: the hit phases sent $(( $(upstream_requests) - upstream_after_warmup )) requests to the upstream"
  [ -z "$profile" ] || continue

  # Cold miss: a fresh ncps in front of an upstream throttled to cold_rate_mib.
  log "run $r/$runs: cold miss ($((big_size / 1048576)) MiB at $cold_rate_mib MiB/s), herd of $herd_clients, startup"
  port=$(free_port)
  start_ncps "cold-$r" "$port" "$p_up_cold"; cold_pid=$ncps_pid
  record "$r" none ncps startup_s "$startup"
  # Warm the new JVM's miss path on a few small paths first: we measure a miss, not class loading.
  for h in "${hashes[@]:1:8}"; do
    u=$(curl -sf "http://127.0.0.1:$port/$h.narinfo" | sed -n 's/^URL: //p')
    curl -sf -o /dev/null "http://127.0.0.1:$port/$u" || die "cold miss warm-up: $h failed"
  done
  big_url=$(curl -sf "http://127.0.0.1:$port/$big_hash.narinfo" | sed -n 's/^URL: //p')
  up_big_url=$(nar_url_of "$up/cache-none/$big_hash.narinfo")
  for t in direct ncps; do
    if [ $t = direct ]; then u="http://127.0.0.1:$p_up_cold/$up_big_url"; else u="http://127.0.0.1:$port/$big_url"; fi
    read -r code size ttfb total < <(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_starttransfer} %{time_total}\n' "$u")
    [ "$code" = 200 ] && [ "$size" = "$big_size" ] || die "cold miss through $t: HTTP $code, $size bytes (expected $big_size)"
    record "$r" none "$t" cold_ttfb_ms "$(awk -v v=$ttfb 'BEGIN{printf "%.1f", v*1000}')"
    record "$r" none "$t" cold_mibps "$(awk -v s=$size -v v=$total 'BEGIN{printf "%.1f", s/1048576/v}')"
  done
  stop_ncps "$cold_pid"

  # Thundering herd: a fresh ncps; its narinfo is fetched first (as Nix does), then herd_clients
  # clients ask for the same uncached NAR at once.
  port=$(free_port)
  start_ncps "herd-$r" "$port" "$p_up_herd"; herd_pid=$ncps_pid
  record "$r" none ncps startup_s "$startup"
  herd_url=$(curl -sf "http://127.0.0.1:$port/$herd_hash.narinfo" | sed -n 's/^URL: //p')
  up_herd_url=$(nar_url_of "$up/cache-none/$herd_hash.narinfo")
  before=$(grep -c "^/$up_herd_url " "$run/up-herd.log" || true)
  t0=$(now_ns); cpids=()
  for i in $(seq $herd_clients); do
    curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_starttransfer} %{time_total}\n' \
      "http://127.0.0.1:$port/$herd_url" > "$run/herd.$i" & cpids+=($!)
  done
  for p in "${cpids[@]}"; do wait "$p"; done
  t1=$(now_ns)
  after=$(grep -c "^/$up_herd_url " "$run/up-herd.log" || true)
  cat "$run"/herd.* | awk -v s=$herd_size '$1 != 200 || $2 != s { bad++ } END { exit bad > 0 }' ||
    die "thundering herd: some clients did not get the whole NAR: $(cat "$run"/herd.* | sort | uniq -c | head -3)"
  record "$r" none ncps herd_upstream_requests "$((after - before))"
  record "$r" none ncps herd_last_done_s "$(secs "$t0" "$t1")"
  record "$r" none ncps herd_max_ttfb_ms "$(cat "$run"/herd.* | awk '{ if ($3 > m) m = $3 } END { printf "%.1f", m*1000 }')"
  record "$r" none ncps herd_upstream_s "$(awk -v s=$herd_size -v r=$herd_rate 'BEGIN{printf "%.2f", s/r}')"
  stop_ncps "$herd_pid"
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$run/machine"

if [ -n "$profile" ]; then
  for phase in narinfo narinfo-db nar; do for c in none zstd; do
    echo "== hot methods, $phase hits, $c closure ($run/$phase-$c.jfr)"
    jfr view --width 160 hot-methods "$run/$phase-$c.jfr" | head -30
  done; done
  python3 "$here/jfr_breakdown.py" "$JAVA_HOME/bin" "$run"/*.jfr
  exit 0
fi
python3 "$here/report.py" "$run" ${docs:+"$root/docs/benchmarks.md"}
