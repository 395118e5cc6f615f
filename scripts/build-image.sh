#!/usr/bin/env bash
# Builds the ncps container image ncps:<version> from the runtime bundle of ./mvnw package, with podman
# (or docker: CONTAINER_ENGINE=docker). Nothing is built inside the image, so it needs no JDK or Maven there.
# usage: scripts/build-image.sh [--base IMAGE] [--tag NAME:TAG] [extra arguments for `podman build`]
#   --base  the Debian base image (default docker.io/library/debian:bookworm-slim)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
engine=${CONTAINER_ENGINE:-podman}
base=docker.io/library/debian:bookworm-slim
tag=""
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --base) base=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done

shopt -s nullglob
bundles=("$root"/target/ncps-*-linux-*.tar.gz)
[ ${#bundles[@]} -eq 1 ] || { echo "build-image: expected one target/ncps-<version>-linux-<arch>.tar.gz, found ${#bundles[@]}; run ./mvnw package -DskipTests" >&2; exit 1; }
bundle=${bundles[0]}
name=$(basename "$bundle" .tar.gz)                 # ncps-<version>-linux-<arch>
arch=${name##*-linux-}
version=${name#ncps-}; version=${version%-linux-*}
tag=${tag:-ncps:$version}
revision=$(sed -n 's/^revision=//p' "$root/target/classes/ncps-revision.properties" 2>/dev/null || true)

# A build context with only what the image needs.
context=$root/target/image-context
rm -rf "$context" && mkdir -p "$context"
cp "$bundle" "$root/deploy/container/Containerfile" "$root/deploy/container/healthcheck" "$context/"
# Docker's format keeps the HEALTHCHECK (the OCI image format has no field for it).
format=()
[ "$engine" = podman ] && format=(--format docker)
"$engine" build "${format[@]}" "${extra[@]}" --file "$context/Containerfile" --tag "$tag" \
  --build-arg "BASE=$base" --build-arg "VERSION=$version" --build-arg "REVISION=${revision:-unknown}" \
  --build-arg "ARCH=$arch" "$context"
echo "$tag"
