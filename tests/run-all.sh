#!/usr/bin/env bash
# run-all.sh - every test of boxlaunch; the last line is "N passed, N failed, N skipped".
#   format check (clang-format), cmocka unit tests (TAP), the fuzz corpus replayed under
#   ASan+UBSan, systemd-analyze verify on units/, and the bats integration tests (root).
#
# Honest counting: every TAP stream's plan (1..N) is compared with the tests that reported, so a
# crash or a hang shows as failures naming the tests that never ran; a test reported twice is a
# failure too (a forked child that went back into the test runner); skips (bats "# skip",
# cmocka "# SKIP") are counted apart and printed with their reason; every unit binary that
# tests/unit/ promises must exist; each binary and each .bats file runs under a timeout, each
# bats test under BATS_TEST_TIMEOUT.
#
# Isolation: the integration tests get a directory of their own for this run
# (/tmp/boxlaunch-check.XXXXXX): their state files (BOXLAUNCH_RUNTIME_DIR), seccomp cache
# (BOXLAUNCH_CACHE_DIR) and bats' temporary files (TMPDIR) live there, and their boxes' cgroups
# under a parent of the same name (BOXLAUNCH_CGROUP_PARENT), so another run beside this one
# (another clone's make check) is never touched. At the end the run must have left nothing
# behind: no state file, cgroup, mount or boxlaunch process of its own.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
LOGDIR=$BUILD/test-logs
# Generous: a loaded 2-core machine (another make check beside this one) is slow, and a limit
# only has to catch a hang.
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
BATS_FILE_TIMEOUT=${BATS_FILE_TIMEOUT:-1800}
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
mkdir -p "$LOGDIR"
SUMMARY=$LOGDIR/failures.txt
: >"$SUMMARY"
pass=0
fail=0
skip=0

record() { # NAME RC
	if [ "$2" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok - $1"
	else
		fail=$((fail + 1))
		echo "not ok - $1"
		echo "not ok - $1" >>"$SUMMARY"
	fi
}

# tap NAME RC LOG [NAMES]: counts the TAP stream in LOG of a runner that exited with RC. NAMES,
# if given, is a file with the tests' names in plan order, to name the ones that never ran.
tap() {
	local name=$1 rc=$2 log=$3 names=${4:-/dev/null} counts p f s
	# awk prints every result line prefixed with [NAME], a line per problem, and last
	# "COUNTS passed failed skipped".
	counts=$(awk -v name="$name" -v rc="$rc" -v names="$names" '
		BEGIN { while ((getline l < names) > 0) tname[++nn] = l }
		# A binary may run several groups, each with its plan: check each against its own.
		/^1\.\.[0-9]+/ { if (planned) endseg(); planned = 1; plan = substr($1, 4) + 0; next }
		/^# / { note = note "    " $0 "\n"; next }
		/^(not )?ok [0-9]+/ {
			bad = ($1 == "not"); n = bad ? $3 : $2
			line = $0
			directive = ""
			if (match(line, / # [A-Za-z]+/)) directive = tolower(substr(line, RSTART + 3, RLENGTH - 3))
			if (n in seen) {
				print "not ok - [" name "] test " n " reported twice (a forked child ran on in the test runner?): " line
				dup++
				next
			}
			seen[n] = 1
			if (directive == "skip") {
				sk++
				print "skip - [" name "] " line
				# the reason: bats gives it on the line, cmocka in the comment before
				if (note != "") printf "%s", note
			} else if (bad) {
				f++
				print "[" name "] " line
			} else {
				p++
				print "[" name "] " line
			}
			note = ""
			if (n < 1 || (planned && n > plan)) {
				print "not ok - [" name "] test " n " is outside the plan 1.." plan
				f++
			}
			next
		}
		function endseg(i) {
			for (i = 1; i <= plan; i++)
				if (!(i in seen)) {
					print "not ok - [" name "] test " i (base + i in tname ? " (" tname[base + i] ")" : "") " never reported (crash or hang; exit " rc ")"
					f++
				}
			base += plan
			delete seen
		}
		END {
			if (!planned) {
				print "not ok - [" name "] no TAP plan: it crashed or hung before its first test (exit " rc ")"
				f++
			} else
				endseg()
			if (rc == 124 || rc == 137)
				print "not ok - [" name "] timed out"
			if (rc != 0 && f + dup == 0) {
				print "not ok - [" name "] exited with " rc " without a failing test"
				f++
			}
			if (rc == 124 || rc == 137) f++
			print "COUNTS " p + 0 " " f + dup " " sk + 0
		}' "$log")
	grep -v '^COUNTS ' <<<"$counts"
	read -r _ p f s < <(grep '^COUNTS ' <<<"$counts")
	if [ "$f" -gt 0 ]; then
		# For the summary at the end (a CI log often shows only its tail): each failure with
		# the first lines bats or cmocka wrote about it.
		{
			grep '^not ok - ' <<<"$counts"
			awk -v name="$name" '/^not ok [0-9]+/ { n = 12; print "[" name "] " $0; next }
				n > 0 && /^#/ { print "    " $0; n--; next } { n = 0 }' "$log"
		} >>"$SUMMARY"
		echo "--- $log (last lines) ---"
		grep -vE '^(not )?ok |^1\.\.|^# ?$' "$log" | tail -60
		echo "---"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
}

echo "# format"
make -s format-check >"$LOGDIR/format.log" 2>&1
rc=$?
[ $rc -ne 0 ] && head -20 "$LOGDIR/format.log"
record "clang-format: sources are formatted" $rc

echo "# unit tests (cmocka)"
# Every tests/unit/test_*.c must have given a binary; a missing one is a failure, not a test
# fewer. Unit tests use their own names and the default cgroup parent.
for src in tests/unit/test_*.c; do
	n=$(basename "$src" .c)
	t=$BUILD/tests/$n
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then
		record "$n: the unit test binary $t exists (make unit)" 1
		continue
	fi
	# The tests in plan order, as main() lists them, to name those that never ran.
	sed -n '/^int main/,$p' "$src" | grep -oE 'cmocka_unit_test[a-z_]*\([A-Za-z0-9_]+' |
		sed 's/.*(//' >"$LOGDIR/$n.names"
	env -u BOXLAUNCH_CGROUP_PARENT -u BOXLAUNCH_RUNTIME_DIR -u INVOCATION_ID \
		CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 10 "$UNIT_TIMEOUT" "$t" >"$LOGDIR/$n.log" 2>&1 </dev/null
	tap "$n" $? "$LOGDIR/$n.log" "$LOGDIR/$n.names"
done

echo "# fuzz corpus replay (ASan+UBSan)"
if [ -x "$BUILD/fuzz/fuzz_box" ] && [ -d tests/fuzz/corpus ]; then
	timeout -k 10 "$UNIT_TIMEOUT" "$BUILD/fuzz/fuzz_box" tests/fuzz/corpus/* >"$LOGDIR/fuzz.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && tail -30 "$LOGDIR/fuzz.log"
	record "fuzz_box replays $(find tests/fuzz/corpus -type f | wc -l) corpus files cleanly" $rc
else
	record "fuzz target built" 1
fi

echo "# unit files"
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no units/*.service units/*.target \
	>"$LOGDIR/units.log" 2>&1
rc=$?
# verify also reports host units it loads on the way (their own problems are not ours), and
# the units name /usr/local/bin/boxlaunch, which need not be installed: any other message about
# one of our units fails, and so does a non-zero status that no message explains.
# Lines about our units: their names (boxlaunch@ for instances) or their files.
ours_re=$(for u in units/*; do b=$(basename "$u"); printf '%s|' "${b/@./@}"; done)units/
ours=$(grep -E "$ours_re|boxlaunch" "$LOGDIR/units.log" |
	grep -vE '/boxlaunch is not executable|Unit is bound')
if [ -n "$ours" ] || { [ $rc -ne 0 ] && [ ! -s "$LOGDIR/units.log" ]; }; then
	cat "$LOGDIR/units.log"
	echo "systemd-analyze verify exited with $rc"
	rc=1
else
	[ $rc -ne 0 ] && echo "# systemd-analyze verify exited with $rc, for these only:" &&
		sed 's/^/#   /' "$LOGDIR/units.log"
	rc=0
fi
record "systemd-analyze verify units/" $rc

echo "# integration tests (bats, as root)"
if [ "$(id -u)" -ne 0 ]; then
	echo "integration tests need root"
	record "integration tests run as root" 1
else
	RUN=$(mktemp -d /tmp/boxlaunch-check.XXXXXX)
	export BOXLAUNCH_RUNTIME_DIR=$RUN/run BOXLAUNCH_CACHE_DIR=$RUN/cache TMPDIR=$RUN/tmp
	export BOXLAUNCH_CGROUP_PARENT=${RUN##*/}
	export BOXLAUNCH="$PWD/$BUILD/boxlaunch"
	# A service's INVOCATION_ID would put every box in the service's delegated group.
	unset INVOCATION_ID
	mkdir -p "$TMPDIR"
	echo "# run directory $RUN, cgroup parent $BOXLAUNCH_CGROUP_PARENT"
	for f in tests/integration/*.bats; do
		n=$(basename "$f" .bats)
		sed -nE 's/^[[:space:]]*@test[[:space:]]+"(.*)"[[:space:]]*\{.*/\1/p' "$f" >"$LOGDIR/$n.names"
		timeout -k 30 "$BATS_FILE_TIMEOUT" bats --tap "$f" >"$LOGDIR/$n.log" 2>&1 </dev/null
		tap "$n" $? "$LOGDIR/$n.log" "$LOGDIR/$n.names"
	done
	# Nothing of this run may be left: state files, cgroups, mounts, supervisors.
	left=
	# .net holds the network's lease directories (and zone lock files), which stay: only a
	# lease left in them is a leak.
	if [ -d "$BOXLAUNCH_RUNTIME_DIR" ] && [ -n "$(ls -A "$BOXLAUNCH_RUNTIME_DIR" | grep -vx '\.net')" ]; then
		left+="state: $(ls -A "$BOXLAUNCH_RUNTIME_DIR" | grep -vx '\.net' | tr '\n' ' ')"$'\n'
	fi
	leases=$(find "$BOXLAUNCH_RUNTIME_DIR/.net" -type f ! -name '*.lock' 2>/dev/null)
	[ -n "$leases" ] && left+="leases: $leases"$'\n'
	cgs=$(find /sys/fs/cgroup -maxdepth 2 -name "$BOXLAUNCH_CGROUP_PARENT" 2>/dev/null)
	[ -n "$cgs" ] && left+="cgroups: $cgs"$'\n'
	mnts=$(awk -v r="$RUN" 'index($5, r) == 1 {print $5}' /proc/self/mountinfo)
	[ -n "$mnts" ] && left+="mounts: $mnts"$'\n'
	for p in $(pgrep -x boxlaunch); do
		if tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qxF "BOXLAUNCH_RUNTIME_DIR=$BOXLAUNCH_RUNTIME_DIR"; then
			left+="process: $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"$'\n'
		fi
	done
	[ -n "$left" ] && printf '%s' "$left"
	record "the integration run left no state file, cgroup, mount or process behind" "$([ -z "$left" ] && echo 0 || echo 1)"
	# Removed only when nothing is mounted below it (rm -rf would go through a mount).
	[ -z "$mnts" ] && rm -rf "$RUN"
fi

if [ -s "$SUMMARY" ]; then
	echo "# the failures of this run (details above and in $LOGDIR):"
	head -80 "$SUMMARY"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
