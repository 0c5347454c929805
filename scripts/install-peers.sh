#!/usr/bin/env bash
# Installs the benchmark peers that come from Debian: Redis 7 (redis-server) and Dask
# (python3-distributed, and python3-numpy which it does not pull in but the k-means peer needs,
# for Debian's /usr/bin/python3). `npm run bench` calls this when a peer is
# missing. Usage: scripts/install-peers.sh [redis] [dask]   (no argument: both)
set -euo pipefail
want=("$@")
[ ${#want[@]} -gt 0 ] || want=(redis dask)
pkgs=()
for p in "${want[@]}"; do
  case "$p" in
    redis) command -v redis-server >/dev/null || pkgs+=(redis-server) ;;
    dask)
      /usr/bin/python3 -c 'import distributed' 2>/dev/null || pkgs+=(python3-distributed)
      /usr/bin/python3 -c 'import numpy' 2>/dev/null || pkgs+=(python3-numpy)
      ;;
    *) echo "unknown peer '$p' (known: redis dask)" >&2; exit 2 ;;
  esac
done
[ ${#pkgs[@]} -gt 0 ] || exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "installing ${pkgs[*]} needs root: run 'apt-get install ${pkgs[*]}' as root" >&2
  exit 1
fi
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
echo "installed ${pkgs[*]}"
