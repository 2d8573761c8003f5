# helpers.bash - shared set-up for the integration tests (real boxes, as root).
#
# Isolation: a test touches only what it made, so that two runs (two clones' make check) can go
# side by side on one machine. Every run has
#   - its own runtime directory, $STATE_DIR (BOXLAUNCH_RUNTIME_DIR): the state files, hence the
#     box names, are the run's own;
#   - its own automatic cgroup parent, $CG_PARENT (BOXLAUNCH_CGROUP_PARENT): its boxes' groups
#     are /sys/fs/cgroup/<hierarchy>/$CG_PARENT/NAME.box;
#   - its own seccomp cache (BOXLAUNCH_CACHE_DIR).
# tests/run-all.sh sets them for the whole run; run alone (bats FILE), they default to bats' run
# directory. A test file therefore never names /run/boxlaunch or boxlaunch/ itself: it uses
# state_key, $STATE_DIR, $CG_PARENT and box_cgroups; it never kills by name (pkill, killall,
# tmux kill-server): it kills the pids it started, and tmux only through `tm` (a private
# server); a background process it starts gets `3>&-` (bats waits for fd 3 to close) and is
# killed in teardown.
BOXLAUNCH=${BOXLAUNCH:-$BATS_TEST_DIRNAME/../../build/boxlaunch}
ROOT_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# One busybox rootfs for all tests, rebuilt only when the host's busybox changes.
ROOTFS=${BOXLAUNCH_TEST_ROOTFS:-/var/tmp/boxlaunch-test/rootfs}

export BOXLAUNCH_RUNTIME_DIR=${BOXLAUNCH_RUNTIME_DIR:-$BATS_RUN_TMPDIR/run}
export BOXLAUNCH_CGROUP_PARENT=${BOXLAUNCH_CGROUP_PARENT:-boxlaunch-test-${BATS_RUN_TMPDIR##*-}}
export BOXLAUNCH_CACHE_DIR=${BOXLAUNCH_CACHE_DIR:-$BATS_RUN_TMPDIR/cache}
# In a systemd service, boxlaunch would use the service's delegated group instead.
unset INVOCATION_ID
STATE_DIR=$BOXLAUNCH_RUNTIME_DIR
CG_PARENT=$BOXLAUNCH_CGROUP_PARENT

# How long a wait for something that must happen may take before it is a failure: generous,
# the machine may be loaded (a hang is caught by BATS_TEST_TIMEOUT anyway).
WAIT_SECS=${BOXLAUNCH_TEST_WAIT:-60}

ensure_rootfs() {
	# Two runs starting at once must not build it twice into the same directory.
	mkdir -p "$(dirname "$ROOTFS")"
	flock "$(dirname "$ROOTFS")" "$ROOT_DIR/examples/mkrootfs-busybox.sh" "$ROOTFS" >/dev/null
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

# in_pty CMDLINE: the shell command line on a new pty through script(1): its output, its exit
# status. script stops reading 10 ms after its child exits, when the pty's last output may still
# sit in the kernel's queue (lost under CI load): the child lingers half a second first.
in_pty() {
	script -qec "$1; rc=\$?; sleep 0.5; exit \$rc" /dev/null
}

# refute CMD...: succeeds if CMD fails. Unlike `! CMD`, which bats (set -e) ignores anywhere
# but on a test's last line, a CMD that succeeds fails the test.
refute() {
	if "$@"; then
		echo "unexpectedly succeeded: $*" >&2
		return 1
	fi
	return 0
}

# The boxlaunch processes of this run (their environment names our runtime directory).
our_boxlaunch_pids() {
	local p
	for p in $(pgrep -x boxlaunch); do
		tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" |
			grep -qxF "BOXLAUNCH_RUNTIME_DIR=$STATE_DIR" && echo "$p"
	done
	return 0
}

# What a box must not leave behind on the host, as far as this run can tell its own: mounts
# on the paths the tests use, state files, cgroups under the run's parent, supervisors.
host_snapshot() {
	local paths=("$ROOTFS" "$STATE_DIR" "$BATS_RUN_TMPDIR" /var/tmp/boxlaunch-test)
	echo "mounts: $(awk -v list="${paths[*]}" 'BEGIN { n = split(list, p, " ") }
		{ for (i = 1; i <= n; i++) if (index($5, p[i]) == 1) print $5 }' /proc/self/mountinfo |
		sort | tr '\n' ' ')"
	echo "state: $(ls -A "$STATE_DIR" 2>/dev/null | grep -vx '\.net' | tr '\n' ' ')"
	host_net_snapshot
	echo "cgroups: $(find /sys/fs/cgroup -maxdepth 3 -type d \( -name "$CG_PARENT" -o -path "*/$CG_PARENT/*" \) 2>/dev/null | sort | tr '\n' ' ')"
	echo "procs: $(our_boxlaunch_pids | sort | tr '\n' ' ')"
}

# The network side (issue 16): boxes' links (ve-, vb-, vz-, mv-, iv-), boxlaunch's nftables
# tables, this run's address leases (zone lock files stay, like nspawn's), and route_localnet of
# every other link. net.ipv4.ip_forward is left out: a box with NAT or ports turns it on for good
# (documented, as networkd and docker do).
host_net_snapshot() {
	local f
	echo "links: $(ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
		grep -E '^(ve|vb|vz|mv|iv|vg)-' | sort | tr '\n' ' ')"
	echo "nft: $(nft list tables 2>/dev/null | grep -F ' boxlaunch-' | sort | tr '\n' ' ')"
	echo "leases: $(find "$STATE_DIR/.net" -type f ! -name '*.lock' 2>/dev/null | sort | tr '\n' ' ')"
	# The files boxes bind (resolv.conf, host0.network): below /run/boxlaunch whatever the
	# runtime directory, named NAME.PID.WHAT.
	echo "netfiles: $(ls -A /run/boxlaunch/.netfiles 2>/dev/null | sort | tr '\n' ' ')"
	for f in /proc/sys/net/ipv4/conf/*/route_localnet; do
		case $f in */ve-* | */vb-* | */vz-*) continue ;; esac
		printf 'route_localnet %s=%s\n' "${f#/proc/sys/net/ipv4/conf/}" "$(cat "$f" 2>/dev/null)"
	done | sed 's|/route_localnet||'
}

# free_port: a TCP and UDP port nothing listens on here (from a range tests use for nothing else).
free_port() {
	local p used
	used=$(ss -Htuan 2>/dev/null | awk '{ n = split($5, a, ":"); print a[n] }')
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 20000))
		grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
	done
	return 1
}

# The baseline: a supervisor of an earlier test may still be exiting, so let this run's
# boxlaunch processes finish before taking it.
snapshot_before() {
	local i
	for i in $(seq $((WAIT_SECS * 10))); do
		[ -z "$(our_boxlaunch_pids)" ] && break
		sleep 0.1
	done
	host_snapshot >"$BATS_TEST_TMPDIR/before"
}
# A supervisor that was just told to stop may still be removing its last cgroup: give the host
# time to settle before calling anything a leak. Returns 1 (and shows the difference) on a leak.
assert_host_unchanged() {
	local i
	for i in $(seq $((WAIT_SECS * 10))); do
		host_snapshot >"$BATS_TEST_TMPDIR/after"
		cmp -s "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" && return 0
		sleep 0.1
	done
	echo "left behind on the host:"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	return 1
}

# reap_bg PID...: for teardowns: kills background processes a test left (boxlaunch supervisors
# among them) and collects what a killed supervisor leaves of its box (its PID 1, cgroups, state
# file) with gc, which only looks at this run's runtime directory.
reap_bg() {
	local p
	for p in "$@"; do
		[ -n "$p" ] || continue
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	"$BOXLAUNCH" gc >/dev/null 2>&1 || true
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

# state_key NAME KEY: a header value of the state file $STATE_DIR/NAME (status, pid, pidstart,
# supervisor, created, cgroup, config), trailing padding removed; empty until it is written.
state_key() {
	sed -n "/^\$/q; s/^$2=\(.*[^ ]\) *\$/\1/p" "$STATE_DIR/$1" 2>/dev/null
}

# box_cgroups NAME: the directories of the running box's group in every hierarchy.
box_cgroups() {
	local cg
	cg=$(state_key "$1" cgroup)
	[ -n "$cg" ] || return 1
	ls -d /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg" 2>/dev/null
	return 0
}

# wait_for FILE PATTERN: until a line of FILE matches PATTERN (grep -E); shows FILE on failure.
wait_for() {
	local i
	for i in $(seq $((WAIT_SECS * 20))); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for '$2' in $1:"
	cat "$1" 2>/dev/null
	return 1
}

# wait_ready FILE: the readiness handshake. A box command that must be ready for a signal sets
# its traps first and then prints a line "ready"; this waits for that line in its output.
wait_ready() {
	wait_for "$1" '^ready'
}

# start_ready ARGS...: boxlaunch ARGS in the background (BOX_PID; its output in
# $BATS_TEST_TMPDIR/out) until the box's command has printed "ready".
start_ready() {
	"$BOXLAUNCH" "$@" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	BOX_PID=$!
	wait_ready "$BATS_TEST_TMPDIR/out"
}

# wait_state NAME STATUS: until the box's state file says STATUS.
wait_state() {
	local i
	for i in $(seq $((WAIT_SECS * 20))); do
		[ "$(state_key "$1" status)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "box $1 did not reach '$2' (state: $(state_key "$1" status))"
	return 1
}

# wait_exit PID [SECS]: until PID (a child of this shell) has exited; sets wait_status.
# Fails if it is still running after SECS (default WAIT_SECS).
wait_exit() {
	local i
	for i in $(seq $((${2:-$WAIT_SECS} * 20))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "pid $1 still runs after ${2:-$WAIT_SECS}s"
		return 1
	fi
	wait_status=0
	wait "$1" || wait_status=$?
}

# finish: waits (bounded) for the box a test started in the background (BOX_PID, its output in
# $BATS_TEST_TMPDIR/out); sets status and output as bats' run does.
finish() {
	wait_exit "$BOX_PID"
	status=$wait_status
	BOX_PID=
	output=$(cat "$BATS_TEST_TMPDIR/out")
}

# tm ARGS...: tmux on a private server of this test (never the machine's other servers).
tm() {
	tmux -S "$BATS_TEST_TMPDIR/tmux.sock" "$@" 3>&-
}
tm_kill() {
	[ -S "$BATS_TEST_TMPDIR/tmux.sock" ] || return 0
	tm kill-server 2>/dev/null || true
}

# --- what this machine has: detect, don't assume -----------------------------------------------

# The CPUs boxes may use here (the root cpuset's), one per line.
host_cpus() {
	local list
	list=$(cat /sys/fs/cgroup/cpuset/cpuset.effective_cpus /sys/fs/cgroup/cpuset.cpus.effective \
		/sys/devices/system/cpu/online 2>/dev/null | head -1)
	tr ',' '\n' <<<"$list" | awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }'
}
# A CPU number the kernel has never heard of (past the possible ones).
impossible_cpu() {
	awk -F'[-,]' '{ print $NF + 1 }' /sys/devices/system/cpu/possible
}

# A character device major no driver owns here, from the local/experimental ranges.
free_char_major() {
	local used m
	used=$(awk '/^Character devices:/ { c = 1; next } /^$/ { c = 0 } c { print $1 }' /proc/devices)
	for m in 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 60 61 62 63 120 121 \
		122 123 124 125 126 127; do
		grep -qx "$m" <<<"$used" || { echo "$m"; return 0; }
	done
	return 1
}

# A whole block device of this machine for the I/O limits: "PATH MAJ:MIN", or nothing.
test_block_device() {
	lsblk -dnpo NAME,TYPE,MAJ:MIN 2>/dev/null | awk '$2 == "disk" { print $1, $3; exit }'
}
