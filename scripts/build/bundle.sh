#!/usr/bin/env bash
# Builds the runtime bundle target/ncps-<version>-linux-<arch>.tar.gz: a Java runtime cut down by jlink
# to the modules ncps uses, the executable jar and bin/ncps. Unpacked anywhere it runs without a JDK.
# The archive is reproducible: sorted entries, fixed owner and timestamps (SOURCE_DATE_EPOCH, else the
# commit time). Run by `./mvnw package` (exec-maven-plugin) after the jar is built.
# usage: scripts/build/bundle.sh <repo root> <version> <target dir>
set -euo pipefail
repo=$1 version=$2 target=$3
java_home=${JAVA_HOME:?JAVA_HOME must name the JDK that builds ncps}

# What the shaded jar needs (jdeps --multi-release 25 --ignore-missing-deps --print-module-deps
# target/ncps.jar); java.desktop comes with java.beans, which libraries use for introspection.
modules=java.base,java.desktop,java.naming,java.net.http,java.security.jgss,java.sql,jdk.management,jdk.net,jdk.unsupported
case $(uname -m) in x86_64|amd64) arch=x86_64 ;; aarch64|arm64) arch=aarch64 ;; *) arch=$(uname -m) ;; esac
name=ncps-$version-linux-$arch
work=$target/bundle
root=$work/$name

rm -rf "$work" "$target"/ncps-*-linux-*.tar.gz   # a bundle of an older version would be picked up too
mkdir -p "$root/bin" "$root/lib"
"$java_home/bin/jlink" --add-modules "$modules" --output "$root/runtime" \
  --strip-debug --no-man-pages --no-header-files --compress=zip-6 --generate-cds-archive
# The archive for heaps above 32 GiB (no compressed oops) is of no use with the launcher's heap sizes.
rm -f "$root/runtime/lib/server/classes_nocoops.jsa"
cp "$target/ncps.jar" "$root/lib/ncps.jar"
install -m 0755 "$repo/src/dist/bin/ncps" "$root/bin/ncps"

epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --mode=go-w \
  -C "$work" -cf - "$name" | gzip -n -6 > "$target/$name.tar.gz"
echo "bundle: $target/$name.tar.gz ($(du -h "$target/$name.tar.gz" | cut -f1))"
