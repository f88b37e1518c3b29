#!/usr/bin/env bash
# Failover of a 3-server ensemble: kill -9 the leader -> first acknowledged create, and -> every survivor leader/follower (srvr every 10 ms); tickTime 2000 and 200; medians.
# Side by side with Apache ZooKeeper 3.8 (Debian) in the same run; prints a
# table with zkctl/Apache ratios. The zkctl half is skipped, with the reason
# printed, when the zkctl binary does not build or its ensemble does not form.
#
# Usage: scripts/bench-failover.sh [--head]
#   --head   build zkctl from the last commit (git archive HEAD) instead of the
#            working tree, for a shared tree that is mid-edit
# Environment: ZKCTL_BIN=<path> uses that binary instead of building one.
#   ZKCTL_BENCH_RUNS (default 5 per implementation and tick), ZKCTL_BENCH_FORM_TIMEOUT (20s).
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
run_bench_test '^TestFailover_Ensemble3$' "$@"
