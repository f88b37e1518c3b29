#!/usr/bin/env bash
# Startup: zkctl up 5 --headless vs five Apache JVMs started at once -> one leader and four followers (median), plus idle RSS per server.
# Side by side with Apache ZooKeeper 3.8 (Debian) in the same run; prints a
# table with zkctl/Apache ratios. The zkctl half is skipped, with the reason
# printed, when the zkctl binary does not build or its ensemble does not form.
#
# Usage: scripts/bench-startup.sh [--head]
#   --head   build zkctl from the last commit (git archive HEAD) instead of the
#            working tree, for a shared tree that is mid-edit
# Environment: ZKCTL_BIN=<path> uses that binary instead of building one.
#   ZKCTL_BENCH_RUNS (default 5), ZKCTL_BENCH_IDLE (3s), ZKCTL_BENCH_FORM_TIMEOUT (20s).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--head" ]; then
  src=$(mktemp -d -t zkctl-head-XXXXXX)
  trap 'rm -rf "$src"' EXIT
  git archive HEAD | tar -x -C "$src"
  (cd "$src" && go build -o "$src/zkctl" ./cmd/zkctl)
  export ZKCTL_BIN="$src/zkctl"
  echo "zkctl built from $(git rev-parse --short HEAD)" >&2
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
ZKCTL_BENCH=1 go test -count=1 -run '^TestStartup_Ensemble5$' -v -timeout 60m ./bench 2>&1 | grep -v -e '^=== ' -e '^    --- '
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
