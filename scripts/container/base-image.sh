#!/usr/bin/env bash
# Makes sure podman has a minimal Debian base image, localhost/debian-min:bookworm, built from Debian
# packages with debootstrap (the test machines reach no container registry, only a Debian mirror).
# The root file system is cached as a tarball in $NCPS_CACHE_DIR (default /var/cache/ncps) so later
# runs, and a fresh podman store, import it in seconds instead of bootstrapping again.
# usage: scripts/container/base-image.sh [image-name]     (prints the image name)
set -euo pipefail
image=${1:-localhost/debian-min:bookworm}
cache=${NCPS_CACHE_DIR:-/var/cache/ncps}/debian-min-bookworm.tar

if podman image exists "$image"; then echo "$image"; exit 0; fi
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -s "$cache" ]; then
  # The mirror apt already uses on this machine (deb822 "URIs:" or one-line "deb" sources).
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ && $2 !~ /security/ {print $2; exit} /^deb / && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d /var/tmp/ncps-debootstrap.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  echo "base-image: debootstrap --variant=minbase bookworm from $mirror (cached in $cache)" >&2
  debootstrap --variant=minbase bookworm "$root" "$mirror" >/tmp/ncps-debootstrap.log 2>&1 ||
    { echo "base-image: debootstrap failed; see /tmp/ncps-debootstrap.log" >&2; tail -5 /tmp/ncps-debootstrap.log >&2; exit 1; }
  # Package caches and lists are of no use in an image.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar --numeric-owner -C "$root" -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
fi
podman import "$cache" "$image" >/dev/null
echo "$image"
