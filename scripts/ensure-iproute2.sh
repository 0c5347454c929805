#!/usr/bin/env bash
# Makes sure `ip` (Debian's iproute2) is on this machine: the partition fault builds network
# namespaces and veth links with it (test/faults/lan.ts runs this when `ip` is missing). Creating
# namespaces also needs root (CAP_NET_ADMIN), as CI has.
# Usage: scripts/ensure-iproute2.sh
set -euo pipefail
command -v ip >/dev/null && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "the partition fault needs iproute2: run 'apt-get install iproute2' as root" >&2
  exit 1
fi
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
export DEBIAN_FRONTEND=noninteractive
echo "installing iproute2 (the partition fault builds network namespaces)" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends iproute2 >/dev/null
echo "installed iproute2: $(ip -V)" >&2
