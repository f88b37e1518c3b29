#!/usr/bin/env bash
# Runs every zkctl test: unit and integration tests with the race detector,
# then a few seconds of each fuzz target. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
export ZKCTL_REQUIRE_ORACLE="${ZKCTL_REQUIRE_ORACLE:-}"
go vet ./...
go test -race -count=1 -timeout 25m ./...
# A fixed number of executions per target rather than a duration: with a
# duration, go test -fuzz now and then ends with a bare "context deadline
# exceeded" and no failing input when the deadline hits a busy worker.
fuzztime="${FUZZTIME:-20000x}"
fuzz_one() { # pkg target
  local out
  if out=$(go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1" 2>&1); then
    echo "$out" | tail -n 2
    return 0
  fi
  echo "$out"
  # A real finding writes its input under testdata/fuzz: that always fails.
  if ! grep -q "Failing input written to" <<<"$out" && grep -q "context deadline exceeded" <<<"$out"; then
    echo "fuzz $1 $2: the fuzz engine's deadline, not a finding; running it once more"
    go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1"
    return
  fi
  return 1
}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for fz in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $fz ($fuzztime)"
    fuzz_one "$pkg" "$fz"
  done
done
echo "all tests passed"
