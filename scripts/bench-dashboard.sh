#!/usr/bin/env bash
# Dashboard cost: the tui model polling 5 servers at 4 Hz (CPU % of one core, in-process and as zkctl top under tmux) and keypress-to-screen latency.
# Opt-in measurement; prints a
# table with zkctl/Apache ratios. The zkctl half is skipped, with the reason
# printed, when the zkctl binary does not build or its ensemble does not form.
#
# Usage: scripts/bench-dashboard.sh [--head]
#   --head   build zkctl from the last commit (git archive HEAD) instead of the
#            working tree, for a shared tree that is mid-edit
# Environment: ZKCTL_BIN=<path> uses that binary instead of building one.
#   ZKCTL_BENCH_DASH_DURATION (default 30s), ZKCTL_BENCH_KEYS (20 presses).
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
ZKCTL_BENCH=1 go test -count=1 -run '^TestDashboard_' -v -timeout 60m ./bench 2>&1 | grep -v -e '^=== ' -e '^    --- '
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
