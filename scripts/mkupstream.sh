#!/usr/bin/env bash
# Builds a real, signed Nix binary cache with Debian's nix-bin, to be served as an "upstream" in tests
# and benchmarks. Every narinfo and NAR in it is written by nix itself.
#
# usage: scripts/mkupstream.sh OUTDIR [--compression xz|zstd|none|bzip2] [--big-mib N] [--extra N] [--extra-kib K]
#                                [--sizes-kib K1,K2,...]
#   OUTDIR/cache      the binary cache (nix-cache-info, *.narinfo, nar/)
#   OUTDIR/key.sec    the secret key that signed it; OUTDIR/key.pub its public key
#   OUTDIR/paths      the closure's store paths, the root first
#   OUTDIR/store      the local chroot store the closure was built in
# --extra N adds N more leaf packages of about K KiB of random data each (default 64), for benchmarks.
# --sizes-kib adds one more leaf package per listed size, each holding exactly that many KiB of random
# data (named sized-<i>-<K>k), for a closure with a chosen size spread.
# Re-running with the same OUTDIR reuses the store and key and rebuilds only the cache folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

out=""; compression=xz; big_mib=4; extra=0; extra_kib=64; sizes_kib=""
while [ $# -gt 0 ]; do
  case "$1" in
    --compression) compression=$2; shift 2 ;;
    --big-mib) big_mib=$2; shift 2 ;;
    --extra) extra=$2; shift 2 ;;
    --extra-kib) extra_kib=$2; shift 2 ;;
    --sizes-kib) sizes_kib=$2; shift 2 ;;
    -*) echo "mkupstream: unknown option $1" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
[ -n "$out" ] || { echo "usage: $0 OUTDIR [--compression C] [--big-mib N] [--extra N] [--extra-kib K] [--sizes-kib K1,K2,...]" >&2; exit 2; }
[[ -z "$sizes_kib" || "$sizes_kib" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
  { echo "mkupstream: --sizes-kib '$sizes_kib': expected positive whole numbers separated by commas, e.g. 4,64,1024" >&2; exit 2; }

"$here/install-test-deps.sh" nix
out=$(realpath -m "$out")
mkdir -p "$out/src"
export NIX_CONFIG=$'experimental-features = nix-command\nbuild-users-group =\nsandbox = false\nsubstituters =\nfsync-metadata = false'

# The builder is a static busybox copied into the source tree, so the chroot store needs nothing else.
mkdir -p "$out/src/bb"
cp -f /bin/busybox "$out/src/bb/busybox"
[ -f "$out/src/big.bin" ] && [ "$(stat -c %s "$out/src/big.bin")" = $((big_mib * 1024 * 1024)) ] ||
  head -c $((big_mib * 1024 * 1024)) /dev/urandom > "$out/src/big.bin"
[ -f "$out/src/salt" ] || echo "$RANDOM$RANDOM$RANDOM" > "$out/src/salt"
salt=$(cat "$out/src/salt")

cat > "$out/src/closure.nix" <<NIX
let
  # busybox picks its applet from argv[0], so the builder must be a file named "busybox".
  bb = "\${./bb}/busybox";
  pkg = name: deps: script: derivation {
    inherit name;
    system = "x86_64-linux";
    builder = bb;
    args = [ "sh" "-c" "\${script}; mkdir -p \$out/nix-support; for d in \${toString deps}; do echo \$d >> \$out/nix-support/propagated; done" ];
  };
  # A small tree with a regular file, an executable and a symlink, like a real package.
  tree = name: deps: pkg name deps
    "mkdir -p \$out/bin \$out/share/doc; echo ${salt} \${name} > \$out/share/doc/README; printf '#!/bin/sh\necho \${name}\n' > \$out/bin/\${name}; chmod +x \$out/bin/\${name}; ln -s ../share/doc/README \$out/bin/readme";
  blob = name: kib: deps: pkg name deps
    "mkdir -p \$out; \${bb} head -c \$((\${toString kib} * 1024)) /dev/urandom > \$out/data.bin";
  libc = tree "libc-2.40" [];
  zlib = tree "zlib-1.3" [ libc ];
  ssl = tree "openssl-3.3" [ libc zlib ];
  curl = tree "curl-8.9" [ libc zlib ssl ];
  big = pkg "bigdata" [ libc ] "mkdir -p \$out; \${bb} cat \${./big.bin} > \$out/big.bin";
  extras = builtins.genList (i: blob "extra-\${toString i}" (${extra_kib} + i * 7 - (i / 10) * 70) [ libc ]) ${extra};
  sizes = [ ${sizes_kib//,/ } ];
  sized = builtins.genList (i: let kib = builtins.elemAt sizes i; in
    blob "sized-\${toString i}-\${toString kib}k" kib [ libc ]) (builtins.length sizes);
in tree "app-1.0" ([ curl big ssl ] ++ extras ++ sized)
NIX

root=$(nix-build --store "$out/store" "$out/src/closure.nix" --no-out-link 2>"$out/build.log" | tail -1)
[ -f "$out/key.sec" ] || nix-store --generate-binary-cache-key "upstream-$salt-1" "$out/key.sec" "$out/key.pub"
rm -rf "$out/cache"
nix copy --store "$out/store" --to "file://$out/cache?compression=$compression" "$root" 2>>"$out/build.log"
nix store sign --store "file://$out/cache" -k "$out/key.sec" -r "$root" 2>>"$out/build.log"
{ echo "$root"; nix-store --store "$out/store" -qR "$root" | grep -vx "$root"; } > "$out/paths"
echo "$out"
