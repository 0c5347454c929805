#!/usr/bin/env bash
# Installs a Debian package when the command it provides is missing (as root, or with sudo).
# Usage: scripts/ensure-debian-package.sh COMMAND PACKAGE WHY
#   e.g. scripts/ensure-debian-package.sh etcd etcd-server "the cluster tests run a real etcd"
set -euo pipefail
cmd=$1 pkg=$2 why=$3
command -v "$cmd" >/dev/null && exit 0
[ -x "/usr/bin/$cmd" ] || [ -x "/usr/sbin/$cmd" ] || [ -x "/sbin/$cmd" ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "$why: run 'apt-get install $pkg' as root" >&2
  exit 1
fi
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
export DEBIAN_FRONTEND=noninteractive
echo "installing $pkg ($why)" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
echo "installed $pkg" >&2
