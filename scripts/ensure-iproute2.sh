#!/usr/bin/env bash
# Makes sure `ip` (Debian's iproute2) is on this machine: the partition fault builds network
# namespaces and veth links with it (test/faults/lan.ts runs this when `ip` is missing). Creating
# namespaces also needs root (CAP_NET_ADMIN), as CI has.
exec "$(dirname "$0")/ensure-debian-package.sh" ip iproute2 "the partition fault builds network namespaces"
