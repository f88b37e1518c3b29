#!/usr/bin/env bash
# 3-server write/read throughput: create/set/get at 100 B, 32 clients over the three servers, forceSync=yes, tickTime 2000 for both.
# Side by side with Apache ZooKeeper 3.8 (Debian) in the same run; prints a
# table with zkctl/Apache ratios. The zkctl half is skipped, with the reason
# printed, when the zkctl binary does not build or its ensemble does not form.
#
# Usage: scripts/bench-ensemble.sh [--head]
#   --head   build zkctl from the last commit (git archive HEAD) instead of the
#            working tree, for a shared tree that is mid-edit
# Environment: ZKCTL_BIN=<path> uses that binary instead of building one.
#   ZKCTL_BENCH_DURATION (default 10s per op), ZKCTL_BENCH_CLIENTS (32), ZKCTL_BENCH_FORM_TIMEOUT (20s).
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
run_bench_test '^TestThroughput_Ensemble3$' "$@"
