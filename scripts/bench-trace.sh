#!/usr/bin/env bash
# What decoding at the link proxies costs: 3-server write throughput through
# `zkctl up` with message framing and decoding on (the default) and off
# (--no-messages), alternating in the same run, plus the launcher's CPU time
# over each measured window. The servers reach each other through the
# proxies either way; clients talk to the servers directly.
#
# Usage: scripts/bench-trace.sh [ROUNDS]   (default 2 rounds of on+off)
# Environment: ZKCTL_BENCH_DURATION (10s), ZKCTL_BENCH_CLIENTS (32), ZKCTL_BENCH_OP (set).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
dur="${ZKCTL_BENCH_DURATION:-10s}"
clients="${ZKCTL_BENCH_CLIENTS:-32}"
op="${ZKCTL_BENCH_OP:-set}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/zkctl" ./cmd/zkctl
Z="$work/zkctl"
base=27300
run_one() { # mode: on|off
  local extra=() name="b$1"
  [ "$1" = off ] && extra=(--no-messages)
  "$Z" up 3 --headless --dir "$work" --name "$name" --base-port "$base" --clean "${extra[@]}" >"$work/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do
    "$Z" status --dir "$work" --name "$name" --json 2>/dev/null | grep -q '"leader": *[1-9]' && break
    sleep 0.2
  done
  local servers="127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2)),127.0.0.1:$((base + 3))"
  local t0 t1
  t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  local out
  out=$("$Z" bench --servers "$servers" --op "$op" --clients "$clients" --duration "$dur" --json)
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  local tck; tck=$(getconf CLK_TCK)
  local ops; ops=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(round(d.get("ops_per_sec", d.get("OpsPerSec", 0))))' "$out")
  local cpu; cpu=$(python3 -c "print(round(($t1-$t0)/$tck, 2))")
  printf '%-4s %8s ops/s   launcher CPU %6ss over %s\n' "$1" "$ops" "$cpu" "$dur"
  "$Z" down --dir "$work" --name "$name" >/dev/null 2>&1 || kill "$pid"
  wait "$pid" 2>/dev/null || true
}
echo "3 servers, $op, $clients clients, $dur per run, decoding on vs off (--no-messages)"
for _ in $(seq "$rounds"); do
  run_one on
  run_one off
done
