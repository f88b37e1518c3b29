#!/usr/bin/env bash
# Compare Apache ZooKeeper 3.8 (Debian) and zkctl, both standalone, fresh data
# directories, the same tickTime, forceSync=yes: runs `zkctl bench` for
# create, set and get at 100 bytes against each and prints the ratios.
#
# Usage: scripts/bench-compare.sh [duration] [clients]   (defaults 10s 16)
# Environment: ZKCTL_BIN=<path> uses that binary instead of building one.
# Needs java and /usr/share/java/zookeeper.jar (apt-get install zookeeper).
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
cd "$(dirname "$0")/.."
duration="${1:-10s}"
clients="${2:-16}"
size=100
tick=2000

bench_setup bench-compare

mkdir -p "$work/bin"
if [ -n "${ZKCTL_BIN:-}" ]; then
  cp "$ZKCTL_BIN" "$work/bin/zkctl"
else
  echo "building zkctl" >&2
  go build -o "$work/bin/zkctl" ./cmd/zkctl
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2

# Apache ZooKeeper
J=/usr/share/java
cp="$J/zookeeper.jar:$J/zookeeper-jute.jar"
for j in slf4j-api slf4j-log4j12 log4j-1.2 netty-handler netty-common netty-buffer netty-transport netty-codec \
  netty-resolver netty-transport-native-epoll netty-transport-native-unix-common metrics-core snappy-java commons-cli \
  commons-io jetty9-server jetty9-servlet jetty9-http jetty9-util jetty9-io jetty9-security servlet-api \
  jackson-databind jackson-core jackson-annotations; do
  [ -f "$J/$j.jar" ] && cp="$cp:$J/$j.jar"
done
cat > "$work/log4j.properties" <<'L4J'
log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n
L4J
a_port=$(free_port); a_admin=$(free_port)
write_standalone_cfg "$work/apache" "$a_port" "$a_admin" "$tick"
java -Xmx1g -cp "$cp" -Dlog4j.configuration="file:$work/log4j.properties" -Dzookeeper.root.logger=INFO,CONSOLE \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$work/apache/zoo.cfg" >"$work/apache/server.log" 2>&1 &
pids+=($!); a_pid=$!

z_port=$(free_port); z_admin=$(free_port)
write_standalone_cfg "$work/zkctl" "$z_port" "$z_admin" "$tick"
"$work/bin/zkctl" server --config "$work/zkctl/zoo.cfg" >"$work/zkctl/server.log" 2>&1 &
pids+=($!); z_pid=$!

wait_serving apache "$a_port" "$a_pid" "$work/apache/server.log"
wait_serving zkctl "$z_port" "$z_pid" "$work/zkctl/server.log"
echo "apache pid $a_pid on 127.0.0.1:$a_port, zkctl pid $z_pid on 127.0.0.1:$z_port; $clients clients, ${size} B, $duration per run" >&2

results="$work/results.jsonl"
for op in create set get; do
  for impl in apache zkctl; do
    port=$a_port; [ "$impl" = zkctl ] && port=$z_port
    echo "bench $impl $op" >&2
    json=$("$work/bin/zkctl" bench --servers "127.0.0.1:$port" --op "$op" --clients "$clients" --size "$size" --duration "$duration" --json)
    echo "{\"impl\":\"$impl\",\"result\":$json}" >>"$results"
  done
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$results" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows[(r["impl"], r["result"]["op"])] = r["result"]
print(f'{"op":<7} {"apache op/s":>12} {"zkctl op/s":>12} {"ratio":>6} {"apache p50":>11} {"zkctl p50":>10} {"apache p99":>11} {"zkctl p99":>10} {"errors a/z":>11}')
for op in ("create", "set", "get"):
    a, z = rows[("apache", op)], rows[("zkctl", op)]
    ratio = z["ops_per_sec"] / a["ops_per_sec"] if a["ops_per_sec"] else float("nan")
    print(f'{op:<7} {a["ops_per_sec"]:>12.0f} {z["ops_per_sec"]:>12.0f} {ratio:>6.2f} {a["p50_ms"]:>11.3f} {z["p50_ms"]:>10.3f} '
          f'{a["p99_ms"]:>11.3f} {z["p99_ms"]:>10.3f} {str(a["errors"]) + "/" + str(z["errors"]):>11}')
print("ratio = zkctl ops/s / apache ops/s; latencies in ms")
PY
