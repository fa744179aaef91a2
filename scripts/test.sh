#!/usr/bin/env bash
# The project's test command (README "Run the tests"): formatting, vet, the
# whole suite with the race detector against a local moto server, and short
# fuzzing of every parser. Fails loudly if moto is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEMARC_REQUIRE_MOTO=1
# An execution count, not a duration: a time-boxed go fuzz run can end in a
# spurious "context deadline exceeded" when the deadline hits a worker mid-input.
FUZZTIME=${FUZZTIME:-20000x}

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== moto (AWS emulator)"
MOTO_STATE_DIR=$(mktemp -d)
export MOTO_STATE_DIR
eval "$(scripts/moto.sh start)"
trap 'scripts/moto.sh stop || true; rm -rf "$MOTO_STATE_DIR"' EXIT
echo "moto at $MOTO_URL (pid $MOTO_PID)"

echo "== go test -race"
go test -race -count=1 -timeout 30m ./...

echo "== fuzz (${FUZZTIME} each)"
# Every Fuzz* target, one at a time (go test -fuzz takes one target per package run).
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for fz in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "-- $pkg $fz"
    go test -run '^$' -fuzz "^${fz}\$" -fuzztime "$FUZZTIME" "$pkg"
  done
done
echo "== all tests passed"
