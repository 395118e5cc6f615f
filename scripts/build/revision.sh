#!/usr/bin/env bash
# Writes the git revision of the checkout being built as a properties file for `ncps --version`:
# revision=<12 hex digits>, with "-dirty" when tracked files differ from it, or "unknown" outside git.
# NCPS_GIT_REVISION, when set, is used as is (e.g. builds from a source tarball).
# usage: scripts/build/revision.sh <repo root> <output file>
set -euo pipefail
repo=$1 out=$2
revision=${NCPS_GIT_REVISION:-}
if [ -z "$revision" ]; then
  if revision=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null); then
    git -C "$repo" diff --quiet HEAD -- 2>/dev/null || revision="$revision-dirty"
  else
    revision=unknown
  fi
fi
mkdir -p "$(dirname "$out")"
printf 'revision=%s\n' "$revision" > "$out"
