#!/usr/bin/env bash
# Builds local stand-ins for the images deploy/compose/compose.yaml takes from public registries (which the test
# machines cannot reach), from Debian packages on the debootstrap base and, for S3, S3Proxy on the Java runtime of
# the ncps image. Prints the variables that make compose.yaml use them, one NAME=IMAGE a line.
# usage: scripts/container/compose-standins.sh NCPS_IMAGE [BASE_IMAGE]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ncps_image=${1:?usage: compose-standins.sh NCPS_IMAGE [BASE_IMAGE]}
base=${2:-$("$root/scripts/container/base-image.sh")}
podman=(podman --runtime runc)
context=$root/target/compose-standins
rm -rf "$context" && mkdir -p "$context"
cp -r "$root/scripts/container/compose-standins/." "$context/"

# S3Proxy and its dependencies, as the test suite resolves them (the plugin version is explicit so that no
# repository metadata is looked up).
source "$root/scripts/lib/jdk.sh"
ncps_select_jdk
(cd "$root" && ./mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies \
  -DincludeScope=test -DoutputDirectory="$context/s3/lib") >&2

build() { # NAME CONTEXT [build arguments]
  local tag=localhost/ncps-standin-$1:latest
  "${podman[@]}" build --network host --quiet --tag "$tag" "${@:3}" "$context/$2" >&2
  echo "$tag"
}
echo "REDIS_IMAGE=$(build redis redis --build-arg "BASE=$base")"
echo "POSTGRES_IMAGE=$(build postgres postgres --build-arg "BASE=$base")"
echo "HAPROXY_IMAGE=$(build haproxy haproxy --build-arg "BASE=$base")"
s3=$(build s3 s3 --build-arg "BASE=$base" --build-arg "NCPS_IMAGE=$ncps_image")
echo "MINIO_IMAGE=$s3"
echo "MC_IMAGE=$s3"
