#!/usr/bin/env bash
# Checks that standalone zkctl fsyncs the txn log for every acknowledged write
# and shows how well it group-commits: starts `zkctl server` with forceSync=yes
# under `strace -f --seccomp-bpf -c -e trace=fdatasync,fsync`, runs one `zkctl bench --op
# create`, and prints fsyncs per second and txns (the server's last zxid) per
# fsync over the server's life. With --seccomp-bpf only the traced syscalls
# stop the server, but each fdatasync still costs a round trip to strace, so
# the throughput printed here is lower than bench-compare.sh's.
#
# Usage: scripts/fsync-check.sh [duration] [clients]   (defaults 10s 16)
# Needs strace (ptrace of a child of this shell is allowed by default).
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
cd "$(dirname "$0")/.."
duration="${1:-10s}"
clients="${2:-16}"

bench_setup fsync-check

go build -o "$work/zkctl" ./cmd/zkctl
port=$(free_port); admin=$(free_port)
write_standalone_cfg "$work/srv" "$port" "$admin"
t0=$(date +%s.%N)
strace -f --seccomp-bpf -c -e trace=fdatasync,fsync -o "$work/strace.txt" \
  "$work/zkctl" server --config "$work/srv/zoo.cfg" >"$work/srv/server.log" 2>&1 &
spid=$!; pids+=("$spid")
wait_serving zkctl "$port" "$spid" "$work/srv/server.log"
pid=$(ps -o pid= --ppid "$spid" | tr -d ' ')
pids+=("$pid")

zxid() { srvr "$port" | sed -n 's/^Zxid: //p'; }
z0=0x0
"$work/zkctl" bench --servers "127.0.0.1:$port" --op create --clients "$clients" --size 100 --duration "$duration" --json >"$work/bench.json"
z1=$(zxid)
kill -TERM "$pid"; wait "$spid" 2>/dev/null || true
t1=$(date +%s.%N)

python3 - "$work/strace.txt" "$work/bench.json" "$z0" "$z1" "$t0" "$t1" <<'PY'
import json, sys
calls = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[-1] in ("fdatasync", "fsync"):
        calls[f[-1]] = int(f[3])  # % time, seconds, usecs/call, calls[, errors], syscall
b = json.load(open(sys.argv[2]))
txns = int(sys.argv[4], 16) - int(sys.argv[3], 16)
syncs = sum(calls.values())
window = float(sys.argv[6]) - float(sys.argv[5])
print(f"bench: {b['ops']} creates acked in {b['elapsed_s']:.1f} s, {b['ops_per_sec']:.0f} op/s under strace, errors {b['errors']}")
print(f"txns logged in the server's {window:.1f} s life (its last zxid; includes the bench's sessions and nodes): {txns}")
print(f"fsync calls: {calls}; {syncs / window:.0f} per second")
if syncs:
    print(f"txns per fsync: {txns / syncs:.1f}")
if syncs == 0 or txns > 0 and syncs > txns:
    sys.exit("unexpected: no fsync, or more fsyncs than txns")
PY
