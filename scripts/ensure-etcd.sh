#!/usr/bin/env bash
# Makes sure an etcd server (Debian's etcd-server, etcd 3.4+) is on this machine: the cluster
# tests start their own etcd from it. `npm test` runs this first; it installs only when missing.
# Usage: scripts/ensure-etcd.sh
set -euo pipefail
command -v etcd >/dev/null && exit 0
[ -x /usr/bin/etcd ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "the cluster tests need etcd: run 'apt-get install etcd-server' as root" >&2
  exit 1
fi
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
export DEBIAN_FRONTEND=noninteractive
echo "installing etcd-server (the cluster tests run a real etcd)" >&2
$SUDO apt-get update -qq
# Debian's package starts a system etcd on 2379 where systemd runs; the tests use their own ports.
$SUDO apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
echo "installed etcd-server: $(etcd --version | head -n 1)" >&2
