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
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
run_bench_test '^TestDashboard_' "$@"
