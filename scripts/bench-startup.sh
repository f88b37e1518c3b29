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
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
run_bench_test '^TestStartup_Ensemble5$' "$@"
