#!/usr/bin/env bash
# Runs the tests that do not start clusters, fault runs or whole apps on another Node major
# (fetched by ensure-node.sh): the protocol, the objects, the client, a single node, threads on
# every backend, the CLI and the package. CI runs it for Node 22 and 24 after the full suite on
# the machine's Node; the full suite three times over would not fit CI's 15 minutes on 2 cores.
# Usage: scripts/test-on-node.sh 22
set -euo pipefail
cd "$(dirname "$0")/.."
node_bin=$(bash scripts/ensure-node.sh "$1")
files=()
for f in test/*.test.ts; do
  case "$(basename "$f")" in
    cluster-* | fault-* | *-twin.test.ts | *-matches-twin.test.ts | bench-* | many-threads.test.ts | journal-kill.test.ts | retwis.test.ts | prediction-serving.test.ts) ;;
    *) files+=("$f") ;;
  esac
done
echo "Node $("$node_bin" --version): ${#files[@]} test files" >&2
PATH="$(dirname "$node_bin"):$PATH" "$node_bin" --import tsx --test --test-concurrency=2 --test-reporter=dot "${files[@]}"
