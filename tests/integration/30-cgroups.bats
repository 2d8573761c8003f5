#!/usr/bin/env bats
# Cgroups on this (hybrid) machine for real: placement, every limit read back, enforcement,
# and nothing left behind.
load helpers

setup_file() {
	ensure_rootfs
	export CG_ROOT=$BATS_FILE_TMPDIR/root
	cp -a "$ROOTFS" "$CG_ROOT"
	build_probe "$CG_ROOT"
}

setup() {
	snapshot_before
	BOX_PID=
}
teardown() {
	local rc=0
	[ -z "$BOX_PID" ] || reap_bg "$BOX_PID"
	assert_host_unchanged || rc=1
	return $rc
}

# start_box NAME FILE CMD...: runs the box in the background until its state says running.
start_box() {
	local name=$1 f=$2
	shift 2
	"$BOXLAUNCH" "$f" -- "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- &
	BOX_PID=$!
	wait_state "$name" running || { cat "$BATS_TEST_TMPDIR/$name.out"; return 1; }
}

cg() { echo "/sys/fs/cgroup/$1/$(state_key $2 cgroup)"; }

# in_groups NAME PID: pid is in the box's memory, pids and devices groups.
in_groups() {
	local h
	for h in memory pids devices; do
		grep -q ":$h:.*/$1.box\$" "/proc/$2/cgroup" || return 1
	done
}

# The cgroup of pid in the v1 hierarchy whose /proc/PID/cgroup entry names ctrl.
cgroup_of() { awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$1/cgroup"; }

@test "every [Limits] key lands in its v1 file" {
	# Detect, don't assume: a whole disk of this machine for the IO*Max keys, the CPUs there
	# are, and whether an I/O scheduler with a weight (BFQ) gives blkio a weight file.
	read -r disk dev < <(test_block_device) || true
	mapfile -t cpus < <(host_cpus)
	if [ "${#cpus[@]}" -ge 2 ]; then
		want_cpus="${cpus[0]},${cpus[1]}"
		[ $((cpus[1] - cpus[0])) -eq 1 ] && want_cpus="${cpus[0]}-${cpus[1]}"
	else
		want_cpus=${cpus[0]}
	fi
	io=
	[ -n "${disk:-}" ] && io="IOReadBandwidthMax = $disk=10M
IOWriteBandwidthMax = $disk=5M
IOReadIOPSMax = $disk=1000
IOWriteIOPSMax = $disk=500"
	f=$(mkbox lim <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
MemoryMax = 64M
MemoryHigh = 48M
MemorySwapMax = 16M
CPUQuota = 150%
CPUQuotaPeriodSec = 50ms
CPUWeight = 100
AllowedCPUs = $want_cpus
AllowedMemoryNodes = 0
TasksMax = 77
IOWeight = 500
$io
EOF2
)
	start_box lim "$f" /bin/sleep 300
	cat "$BATS_TEST_TMPDIR/lim.out"
	[ "$(cat $(cg memory lim)/memory.limit_in_bytes)" = 67108864 ]
	[ "$(cat $(cg memory lim)/memory.soft_limit_in_bytes)" = 50331648 ]
	[ "$(cat $(cg memory lim)/memory.memsw.limit_in_bytes)" = $((67108864 + 16777216)) ]
	[ "$(cat $(cg cpu lim)/cpu.cfs_period_us)" = 50000 ]
	[ "$(cat $(cg cpu lim)/cpu.cfs_quota_us)" = 75000 ]
	# systemd's conversion: weight 100 (the default) is the v1 default of 1024 shares.
	[ "$(cat $(cg cpu lim)/cpu.shares)" = 1024 ]
	[ "$(cat $(cg cpuset lim)/cpuset.cpus)" = "$want_cpus" ]
	[ "$(cat $(cg cpuset lim)/cpuset.mems)" = 0 ]
	[ "$(cat $(cg pids lim)/pids.max)" = 77 ]
	# IOWeight=500 is blkio weight 500*500/100 clamped to 10..1000, i.e. 1000 - where the host
	# has a weight file; where it has none (no BFQ), a warning names file, line, key and why.
	wfile=
	for w in blkio.weight blkio.bfq.weight; do
		[ -e "$(cg blkio lim)/$w" ] && { wfile=$w; break; }
	done
	if [ -n "$wfile" ]; then
		grep -qw 1000 "$(cg blkio lim)/$wfile"
		refute grep -q 'IOWeight' "$BATS_TEST_TMPDIR/lim.out"
	else
		line=$(grep -n '^IOWeight' "$f" | cut -d: -f1)
		grep -q "lim.box:$line: \[Limits\] IOWeight: ignored: no blkio.weight or blkio.bfq.weight here" "$BATS_TEST_TMPDIR/lim.out"
	fi
	if [ -n "${disk:-}" ]; then
		grep -q "^$dev 10485760$" $(cg blkio lim)/blkio.throttle.read_bps_device
		grep -q "^$dev 5242880$" $(cg blkio lim)/blkio.throttle.write_bps_device
		grep -q "^$dev 1000$" $(cg blkio lim)/blkio.throttle.read_iops_device
		grep -q "^$dev 500$" $(cg blkio lim)/blkio.throttle.write_iops_device
	else
		echo "# no whole disk here: IO*Max= not checked" >&3
	fi
	# The box's processes are in the group in every hierarchy, before they run.
	pid=$(state_key lim pid)
	sup=$(state_key lim supervisor)
	for h in memory pids cpu cpuset devices; do
		[ "$(cgroup_of "$pid" "$h")" = "/$(state_key lim cgroup)" ]
	done
	# No group where nothing is limited: freezer comes with `pause`, name=systemd with Boot=;
	# there the box stays where its supervisor is.
	[ "$(cgroup_of "$pid" freezer)" = "$(cgroup_of "$sup" freezer)" ]
	[ "$(cgroup_of "$pid" name=systemd)" = "$(cgroup_of "$sup" name=systemd)" ]
}

@test "a weight the host cannot apply is a warning with file and line, and the box starts" {
	# IOWeight= needs a weight-aware I/O scheduler (BFQ) for a weight file; on a host without
	# one (this machine's disk runs mq-deadline) the box starts with a warning. Which case
	# applies is detected.
	f=$(mkbox weight <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
IOWeight = 200
EOF2
)
	run_box "$f" -- /bin/echo started
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx started <<<"$output"
	if ls /sys/fs/cgroup/blkio/blkio.weight /sys/fs/cgroup/blkio/blkio.bfq.weight \
		/sys/fs/cgroup/io.weight /sys/fs/cgroup/io.bfq.weight >/dev/null 2>&1; then
		refute grep -q 'warning' <<<"$output"
	else
		grep -q "weight.box:4: \[Limits\] IOWeight: ignored: " <<<"$output"
	fi
}

@test "a limit the host cannot honour fails closed, naming file, line and key" {
	# MemorySwapMax= needs MemoryMax= on cgroup v1 (memory+swap is one limit there), and a
	# CPU the host has never heard of cannot be allowed.
	f=$(mkbox hard <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
AllowedCPUs = $(impossible_cpu)
EOF2
)
	run_box "$f" -- /bin/echo payload-ran
	echo "$output"
	[ "$status" -eq 125 ]
	refute grep -q payload-ran <<<"$output"
	grep -q "hard.box:4: \[Limits\] AllowedCPUs: " <<<"$output"
	[ ! -e "$STATE_DIR/hard" ]
}

@test "an application box is in its groups when its command runs; no CPU key, no cpu group" {
	f=$(mkbox plain <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
MemoryMax = 64M
EOF2
)
	start_box plain "$f" /bin/sleep 30
	pid=$(state_key plain pid)
	in_groups plain "$pid"
	# CPUQuotaPeriodSec= has no default of its own: nothing to limit, no group.
	[ ! -e "$(cg cpu plain)" ]
	[ "$(grep -c ':cpu[,:].*plain.box' /proc/$pid/cgroup)" = 0 ]
	# The cgroup namespace was made after joining: inside, the box's groups are the root.
	run_box --name plain-in "$f" -- /bin/cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	grep -q ':memory:/$' <<<"$output"
	grep -q ':pids:/$' <<<"$output"
}

@test "MemoryMax: a box that touches 64M in 32M is OOM-killed; boxlaunch says so and exits 137" {
	f=$(mkbox oom <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
MemoryMax = 32M
MemorySwapMax = 0
EOF2
)
	run_box "$f" -- /usr/bin/probe alloc 64
	[ "$status" -eq 137 ]
	grep -q "the OOM killer killed" <<<"$output"
	refute grep -q allocated <<<"$output"
}

@test "TasksMax=16: the 17th task cannot be forked" {
	f=$(mkbox tasks <<EOF2
[Box]
Directory = $CG_ROOT
[Exec]
Init = no
[Limits]
TasksMax = 16
EOF2
)
	run_box "$f" -- /usr/bin/probe forks
	echo "$output"
	# PID 1 (the probe) + 15 children = 16 tasks; the next fork fails with EAGAIN.
	grep -q '^forks=15 errno11$' <<<"$output"
}

@test "with a user namespace too: in its groups (joined late, as the namespace's root), TasksMax holds" {
	f=$(mkbox ustasks <<EOF2
[Box]
Directory = $CG_ROOT
[Exec]
Init = no
[Namespaces]
User = 100000:65536
[Limits]
TasksMax = 16
EOF2
)
	start_box ustasks "$f" /bin/sleep 30
	pid=$(state_key ustasks pid)
	in_groups ustasks "$pid"
	grep -q '^Uid:[[:space:]]*100000' /proc/$pid/status
	"$BOXLAUNCH" stop ustasks
	wait "$BOX_PID" || true
	BOX_PID=
	run_box "$f" -- /usr/bin/probe forks
	echo "$output"
	grep -q '^forks=15 errno11$' <<<"$output"
}

@test "CPUQuota=50% throttles a busy loop and keeps it at or below half a core" {
	f=$(mkbox quota <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
CPUQuota = 50%
EOF2
)
	start_box quota "$f" /usr/bin/probe spin 60
	# An application box has no cpuacct group on v1: stats sums the box's CPU time from /proc.
	[ ! -e "$(cg cpuacct quota)" ] || [ -L /sys/fs/cgroup/cpuacct ]
	# The kernel throttles the group: its own counter says so (no timing needed).
	throttled=0
	for _ in $(seq $((WAIT_SECS * 10))); do
		throttled=$(awk '$1 == "nr_throttled" { print $2 }' "$(cg cpu quota)/cpu.stat")
		[ "$throttled" -gt 0 ] && break
		sleep 0.1
	done
	[ "$throttled" -gt 0 ]
	# And it never gets more than its quota (a loaded machine can only give it less): CPU time
	# as boxlaunch stats reports it, over a second of wall time, with room for the tick.
	# The wall-clock window encloses both readings, so it is never shorter than the CPU one.
	usec() { "$BOXLAUNCH" stats quota --json | jq .cpu_usage_usec; }
	t0=$(date +%s%N)
	a=$(usec)
	sleep 1
	b=$(usec)
	t1=$(date +%s%N)
	share=$(((b - a) * 100000 / (t1 - t0)))
	echo "CPU share: $share%"
	[ "$share" -le 65 ]
	"$BOXLAUNCH" stop quota
}

@test "AllowedCPUs= pins the box" {
	# The last CPU of this machine (not the first, which is where a box runs unpinned too).
	cpu=$(host_cpus | tail -1)
	f=$(mkbox pin <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
AllowedCPUs = $cpu
EOF2
)
	run_box "$f" -- /bin/grep Cpus_allowed_list /proc/self/status
	[ "$status" -eq 0 ]
	grep -qE "Cpus_allowed_list:\s+$cpu\$" <<<"$output"
}

@test "a limit the kernel refuses is a clear error naming the key, and nothing is left" {
	f=$(mkbox badlim <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
MemoryMax = 64M
AllowedMemoryNodes = 4095
EOF2
)
	run_box "$f" -- /bin/true
	echo "$output"
	[ "$status" -eq 125 ]
	grep -q 'badlim.box:5: \[Limits\] AllowedMemoryNodes: cannot write "4095" to cpuset.mems' <<<"$output"
}

@test "100 boxes in a row and failed starts leave no cgroup behind" {
	f=$(mkbox many <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
MemoryMax = 64M
TasksMax = 64
EOF2
)
	for i in $(seq 100); do
		"$BOXLAUNCH" "$f" -- /bin/true </dev/null || return 1
	done
	printf '[Box]\nDirectory = /nonexistent\n[Limits]\nTasksMax = 5\n' >"$BATS_TEST_TMPDIR/fail.box"
	for i in $(seq 5); do
		run_box "$BATS_TEST_TMPDIR/fail.box" -- /bin/true
		[ "$status" -eq 125 ]
	done
	[ -z "$(ls -d /sys/fs/cgroup/*/"$CG_PARENT" /sys/fs/cgroup/"$CG_PARENT" 2>/dev/null)" ]
}

@test "processes the command leaves behind are killed with the box's cgroup" {
	f=$(mkbox stray <<EOF2
[Box]
Directory = $CG_ROOT
[Exec]
Init = no
EOF2
)
	# A sleep of a length no other test uses marks the stray; the box waits for the go-ahead
	# (a file in its /tmp) after the stray is running.
	dur=$((3000000 + RANDOM))
	go=tmp/go-$dur
	"$BOXLAUNCH" "$f" -- /bin/sh -c "setsid sleep $dur </dev/null >/dev/null 2>&1 & echo ready; until [ -e /$go ]; do sleep 0.05; done; exit 0" \
		</dev/null >"$BATS_TEST_TMPDIR/stray.out" 2>&1 3>&- &
	BOX_PID=$!
	wait_ready "$BATS_TEST_TMPDIR/stray.out"
	stray=
	for _ in $(seq $((WAIT_SECS * 20))); do
		stray=$(pgrep -f -x "sleep $dur") && break
		sleep 0.05
	done
	[ -n "$stray" ]
	touch "$CG_ROOT/$go"
	wait_exit "$BOX_PID"
	BOX_PID=
	rm -f "$CG_ROOT/$go"
	[ "$wait_status" -eq 0 ]
	refute kill -0 "$stray" 2>/dev/null
	refute pgrep -f -x "sleep $dur"
}
