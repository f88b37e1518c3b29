#!/usr/bin/env bash
# Runs every zkctl test: unit and integration tests with the race detector,
# then a few seconds of each fuzz target. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
export ZKCTL_REQUIRE_ORACLE="${ZKCTL_REQUIRE_ORACLE:-}"
go vet ./...
go test -race -count=1 -timeout 25m ./...
fuzztime="${FUZZTIME:-5s}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for fz in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $fz ($fuzztime)"
    go test -run '^$' -fuzz "^${fz}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
echo "all tests passed"
