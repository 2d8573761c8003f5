#!/usr/bin/env bash
# tests/bench/run.sh - `make bench`: build boxlaunch, then run the side-by-side start-up
# benchmark (bench.sh) with defaults sized for ~10 minutes on a 2-core machine.
#   BENCH_ARGS="-r 20 -k 2 -n 30"  options for bench.sh (see bench.sh -h), e.g. fewer runs
#   BENCH_RUNTIMES="crun boxlaunch" runtimes to compare (default: bench.sh's default list)
#   BOXLAUNCH=/path/to/boxlaunch    binary to measure (default: build/boxlaunch)
# The report goes to tests/bench/results/<timestamp>/report.md (printed at the end).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run.sh: the benchmark needs root" >&2; exit 1; }
if [ -z "${BOXLAUNCH:-}" ]; then
	make -C "$ROOT" --no-print-directory all >&2
	export BOXLAUNCH=$ROOT/build/boxlaunch
fi
# a busy machine (other sessions) would stall each round up to 90 s in the quiet gate
export QUIET_MAX=${QUIET_MAX:-15}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$HERE/results/$stamp
mkdir -p "$out"
# shellcheck disable=SC2086 # BENCH_ARGS / BENCH_RUNTIMES are word lists on purpose
export BENCH_CMDLINE="make bench BENCH_ARGS='${BENCH_ARGS:-}'${BENCH_RUNTIMES:+ BENCH_RUNTIMES='$BENCH_RUNTIMES'}"
"$HERE/bench.sh" -o "$out" ${BENCH_ARGS:-} ${BENCH_RUNTIMES:-}
echo
cat "$out/report.md"
echo
echo "report: $out/report.md"
