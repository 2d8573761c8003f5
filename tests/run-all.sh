#!/usr/bin/env bash
# run-all.sh - every test of boxlaunch; the last line is "N passed, N failed".
#   format check (clang-format), cmocka unit tests (TAP), the fuzz corpus replayed under
#   ASan+UBSan, systemd-analyze verify on units/, and the bats integration tests (root).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
pass=0
fail=0

record() { # NAME RC
	if [ "$2" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok - $1"
	else
		fail=$((fail + 1))
		echo "not ok - $1"
	fi
}

# Counts TAP lines of LOG; a runner that died without reporting a failure counts as one.
tap() { # NAME RC LOG
	local p f
	p=$(grep -cE '^ok ' "$3")
	f=$(grep -cE '^not ok ' "$3")
	grep -E '^(not )?ok ' "$3" | sed "s/^/[$1] /"
	if [ "$f" -gt 0 ]; then grep -vE '^(not )?ok |^1\.\.|^# ?$' "$3" | tail -40; fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$1 exited with $2 without a failing test:"
		tail -20 "$3"
		fail=$((fail + 1))
	fi
}

echo "# format"
make -s format-check >"$LOGDIR/format.log" 2>&1
rc=$?
[ $rc -ne 0 ] && head -20 "$LOGDIR/format.log"
record "clang-format: sources are formatted" $rc

echo "# unit tests (cmocka)"
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	n=$(basename "$t")
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$LOGDIR/$n.log" 2>&1
	tap "$n" $? "$LOGDIR/$n.log"
done

echo "# fuzz corpus replay (ASan+UBSan)"
if [ -x "$BUILD/fuzz/fuzz_box" ] && [ -d tests/fuzz/corpus ]; then
	"$BUILD/fuzz/fuzz_box" tests/fuzz/corpus/* >"$LOGDIR/fuzz.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && tail -30 "$LOGDIR/fuzz.log"
	record "fuzz_box replays $(find tests/fuzz/corpus -type f | wc -l) corpus files cleanly" $rc
else
	record "fuzz target built" 1
fi

echo "# unit files"
if ls units/*.service >/dev/null 2>&1; then
	SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no units/*.service units/*.target \
		>"$LOGDIR/units.log" 2>&1
	rc=$?
	# verify also reports unrelated host units it loads; only lines about ours count.
	if grep -E 'boxlaunch' "$LOGDIR/units.log" | grep -vE 'is not executable|Unit is bound' >/dev/null; then
		cat "$LOGDIR/units.log"
		rc=1
	else
		rc=0
	fi
	record "systemd-analyze verify units/" $rc
fi

echo "# integration tests (bats, as root)"
if [ "$(id -u)" -ne 0 ]; then
	echo "integration tests need root"
	record "integration tests run as root" 1
else
	BOXLAUNCH="$PWD/$BUILD/boxlaunch" bats --tap tests/integration >"$LOGDIR/bats.log" 2>&1
	tap bats $? "$LOGDIR/bats.log"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
