# helpers.bash - shared set-up for the integration tests (real boxes, as root).
BOXLAUNCH=${BOXLAUNCH:-$BATS_TEST_DIRNAME/../../build/boxlaunch}
ROOT_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# One busybox rootfs for all tests, rebuilt only when the host's busybox changes.
ROOTFS=${BOXLAUNCH_TEST_ROOTFS:-/var/tmp/boxlaunch-test/rootfs}

ensure_rootfs() {
	"$ROOT_DIR/examples/mkrootfs-busybox.sh" "$ROOTFS" >/dev/null
}

# mkbox NAME: writes $BATS_TEST_TMPDIR/NAME.box from stdin, prefixed with a [Box] section
# pointing at the test rootfs unless stdin has its own [Box].
mkbox() {
	local f=$BATS_TEST_TMPDIR/$1.box body
	body=$(cat)
	if ! grep -q '^\[Box\]' <<<"$body"; then
		printf '[Box]\nDirectory = %s\n\n%s\n' "$ROOTFS" "$body" >"$f"
	else
		printf '%s\n' "$body" >"$f"
	fi
	echo "$f"
}

# What a box must not leave behind on the host.
host_snapshot() {
	{
		echo "mounts: $(wc -l </proc/self/mountinfo)"
		echo "state: $(ls -A /run/boxlaunch 2>/dev/null | tr '\n' ' ')"
		echo "cgroups: $(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path '*/boxlaunch/*' 2>/dev/null | sort | tr '\n' ' ')"
		echo "procs: $(pgrep -c -x boxlaunch || true)"
	}
}

# The baseline: a supervisor of an earlier test may still be exiting, so let running boxlaunch
# processes finish (up to 5 s) before taking it.
snapshot_before() {
	for _ in $(seq 50); do
		[ "$(pgrep -c -x boxlaunch || true)" = 0 ] && break
		sleep 0.1
	done
	host_snapshot >"$BATS_TEST_TMPDIR/before"
}
# A supervisor that was just told to stop may still be removing its last cgroup: give the host
# up to 5 s to settle before calling anything a leak.
assert_host_unchanged() {
	for _ in $(seq 50); do
		host_snapshot >"$BATS_TEST_TMPDIR/after"
		cmp -s "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" && return 0
		sleep 0.1
	done
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

# run_box FILE [-- CMD...]: run with stdin from /dev/null, capture status and output.
# (not bats' `run`, which warns about 127 being "command not found": here it is a result.)
run_box() {
	status=0
	output=$("$BOXLAUNCH" "$@" </dev/null 2>&1) || status=$?
	mapfile -t lines <<<"$output"
}

# build_probe ROOT: the escape/limits probe (tests/integration/probe.c), static, in ROOT/usr/bin.
build_probe() {
	cc -static -O2 -o "$1/usr/bin/probe" "$ROOT_DIR/tests/integration/probe.c"
}

# state_key NAME KEY: a header value of the state file /run/boxlaunch/NAME (status, pid, pidstart,
# supervisor, created, cgroup, config), trailing padding removed; empty until it is written.
state_key() {
	sed -n "/^\$/q; s/^$2=\(.*[^ ]\) *\$/\1/p" "/run/boxlaunch/$1" 2>/dev/null
}
