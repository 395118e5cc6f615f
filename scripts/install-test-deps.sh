#!/usr/bin/env bash
# Installs, from Debian, the real programs the tests run against, when they are missing.
# usage: scripts/install-test-deps.sh [nix] [redis] [haproxy] [nginx] [postgresql] [mariadb] [tinyproxy] [prometheus] [systemd] [podman] [podman-compose] [all]
# Needs root (CI and the dev machines run as root); apt-get update runs at most once per call.
set -euo pipefail

declare -A probe=(
  [nix]="nix-build" [busybox]="busybox" [redis]="redis-server" [haproxy]="haproxy"
  [nginx]="nginx" [postgresql]="/usr/lib/postgresql/15/bin/postgres" [mariadb]="mariadbd" [curl]="curl" [wrk]="wrk" [tinyproxy]="tinyproxy"
  [prometheus]="promtool" [systemd]="systemd-analyze" [podman]="podman" [runc]="runc" [debootstrap]="debootstrap"
  [podman-compose]="podman-compose" [dnsname]="/usr/lib/cni/dnsname"
)
declare -A package=(
  [nix]="nix-bin" [busybox]="busybox-static" [redis]="redis-server" [haproxy]="haproxy"
  [nginx]="nginx-light" [postgresql]="postgresql-15" [mariadb]="mariadb-server" [curl]="curl" [wrk]="wrk" [tinyproxy]="tinyproxy"
  [prometheus]="prometheus" [systemd]="systemd" [podman]="podman" [runc]="runc" [debootstrap]="debootstrap"
  [podman-compose]="podman-compose" [dnsname]="golang-github-containernetworking-plugin-dnsname"
)

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(all)
if [ "${wanted[0]}" = all ]; then wanted=(nix busybox redis haproxy nginx curl mariadb tinyproxy prometheus systemd podman podman-compose); fi
# nix builds with a static busybox, so the two always come together; the image test runs podman with
# runc (crun cannot run containers on these machines) on a base image made by debootstrap; the compose test's
# containers find each other by name through the CNI dnsname plugin.
for w in "${wanted[@]}"; do
  [ "$w" = nix ] && wanted+=(busybox)
  [ "$w" = podman ] && wanted+=(runc debootstrap)
  [ "$w" = podman-compose ] && wanted+=(podman runc debootstrap dnsname)
done

# podman's default container ulimits exceed what root may set on these machines (containers fail to start
# with "setrlimit ... operation not permitted"); lower them unless the machine has its own containers.conf.
for w in "${wanted[@]}"; do
  if [ "$w" = podman ] && [ ! -e /etc/containers/containers.conf ] && [ "$(id -u)" = 0 ]; then
    mkdir -p /etc/containers
    printf '[containers]\ndefault_ulimits = ["nofile=16384:16384", "nproc=32768:32768"]\n' > /etc/containers/containers.conf
  fi
done

missing=()
for w in "${wanted[@]}"; do
  [ -n "${package[$w]:-}" ] || { echo "install-test-deps: unknown component '$w'" >&2; exit 2; }
  p=${probe[$w]}
  if [[ "$p" == /* ]]; then [ -x "$p" ] && continue; else command -v "$p" >/dev/null 2>&1 && continue; fi
  [ "$w" = busybox ] && [ -x /bin/busybox ] && continue
  missing+=("${package[$w]}")
done
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" != 0 ]; then
  echo "install-test-deps: missing ${missing[*]}; run as root or install them with apt-get" >&2; exit 1
fi
# Serialise concurrent callers (parallel test JVMs) on one lock.
exec 9>/tmp/ncps-install-test-deps.lock
flock 9
export DEBIAN_FRONTEND=noninteractive
# Debian starts daemons on install; tests start their own instances on their own ports, so forbid
# that for the duration of the install (policy-rc.d exit 101 = "action not allowed").
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
fi
trap '[ -z "$created_policy" ] || rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/ncps-apt.log 2>&1 ||
  { echo "install-test-deps: apt-get install ${missing[*]} failed; see /tmp/ncps-apt.log" >&2; tail -5 /tmp/ncps-apt.log >&2; exit 1; }
exit 0
