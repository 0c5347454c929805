#!/usr/bin/env bash
# Makes sure an etcd server (Debian's etcd-server, etcd 3.4+) is on this machine: the cluster
# tests, the fault suite and the cluster bench start their own etcd from it. `npm test` runs this
# first; it installs only when missing. (Debian's package also starts a system etcd on 2379 where
# systemd runs; the tests use ports of their own.)
exec "$(dirname "$0")/ensure-debian-package.sh" etcd etcd-server "the cluster tests run a real etcd"
