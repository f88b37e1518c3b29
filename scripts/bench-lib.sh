# shellcheck shell=bash
# Shared by the scripts/bench-*.sh wrappers; source it, then call
# run_bench_test '<go test -run pattern>' "$@".
#
# run_bench_test runs one ZKCTL_BENCH=1 test of ./bench from the repository
# root, printing the load average before and after. With --head as the first
# argument it builds zkctl from the last commit (git archive HEAD) instead of
# the working tree, for a shared tree that is mid-edit, and exports ZKCTL_BIN.
run_bench_test() {
  local pattern="$1"
  shift
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  if [ "${1:-}" = "--head" ]; then
    bench_head_src=$(mktemp -d -t zkctl-head-XXXXXX)
    trap 'rm -rf "$bench_head_src"' EXIT
    git archive HEAD | tar -x -C "$bench_head_src"
    (cd "$bench_head_src" && go build -o "$bench_head_src/zkctl" ./cmd/zkctl)
    export ZKCTL_BIN="$bench_head_src/zkctl"
    echo "zkctl built from $(git rev-parse --short HEAD)" >&2
  fi
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
  ZKCTL_BENCH=1 go test -count=1 -run "$pattern" -v -timeout 60m ./bench 2>&1 | grep -v -e '^=== ' -e '^    --- '
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
}

# free_port prints a free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# write_standalone_cfg DIR CLIENT_PORT ADMIN_PORT [TICK]: a standalone zoo.cfg
# in DIR with data in DIR/data, fsync on, every four-letter word allowed.
write_standalone_cfg() {
  mkdir -p "$1/data"
  cat > "$1/zoo.cfg" <<CFG
tickTime=${4:-2000}
dataDir=$1/data
clientPort=$2
clientPortAddress=127.0.0.1
forceSync=yes
maxClientCnxns=0
4lw.commands.whitelist=*
admin.enableServer=true
admin.serverAddress=127.0.0.1
admin.serverPort=$3
CFG
}

# srvr PORT prints the server's answer to the srvr four-letter word.
srvr() { { exec 3<>/dev/tcp/127.0.0.1/"$1" && printf srvr >&3 && cat <&3; } 2>/dev/null; }

# wait_serving NAME PORT PID LOG waits up to 30 s for srvr to show a Mode
# line; exits with the log's tail when the process dies or time runs out.
wait_serving() {
  local out
  for _ in $(seq 300); do
    if out=$(srvr "$2") && grep -q '^Mode:' <<<"$out"; then
      return 0
    fi
    if ! kill -0 "$3" 2>/dev/null; then echo "$1 exited; log:" >&2; tail -30 "$4" >&2; exit 1; fi
    sleep 0.1
  done
  echo "$1 not serving on port $2 after 30s; log:" >&2; tail -30 "$4" >&2; exit 1
}

# bench_setup NAME makes a temporary directory $work and an empty array
# $pids; on exit every pid in $pids (processes the script started) is killed
# by pid and $work is removed.
bench_setup() {
  work=$(mktemp -d -t "zkctl-$1-XXXXXX")
  pids=()
  trap bench_cleanup EXIT
}

# bench_cleanup is bench_setup's exit trap.
bench_cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
