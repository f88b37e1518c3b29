#!/usr/bin/env bash
# Before/after throughput of two zkctl binaries: each run starts a fresh
# standalone server (forceSync=yes, tickTime 2000) from binary A, then from
# binary B, measures OP with `zkctl bench` (16 clients, 100 B), and prints
# one line per run and the B/A ratio of the summed ops/s. Alternating runs
# spread the machine's load over both sides; on a shared machine compare
# ratios over several rounds, never single runs.
#
# Usage: scripts/bench-ab.sh A_BIN B_BIN [op] [rounds] [duration]
#   e.g. scripts/bench-ab.sh /tmp/zkctl-base /tmp/zkctl-main create 3 4s
set -euo pipefail
a=$1 b=$2 op=${3:-create} rounds=${4:-3} dur=${5:-4s}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run() { # bin -> ops/s
  local d port pid out
  d=$(mktemp -d); port=$(free_port)
  printf 'tickTime=2000\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\nforceSync=yes\n' "$d" "$port" >"$d/zoo.cfg"
  "$1" server --config "$d/zoo.cfg" >"$d/log" 2>&1 & pid=$!
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  out=$("$b" bench --servers "127.0.0.1:$port" --op "$op" --clients 16 --size 100 --duration "$dur" --json)
  kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$d"
  python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["ops_per_sec"]))' "$out"
}
sa=0 sb=0
for r in $(seq "$rounds"); do
  x=$(run "$a"); y=$(run "$b")
  echo "$op round $r: A $x ops/s, B $y ops/s"
  sa=$((sa + x)) sb=$((sb + y))
done
python3 -c "print('$op B/A over $rounds rounds: %.2f' % ($sb / $sa))"
