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
	if [ -n "$BOX_PID" ]; then
		kill -TERM "$BOX_PID" 2>/dev/null || true
		wait "$BOX_PID" || true
	fi
	assert_host_unchanged
}

# start_box NAME FILE CMD...: runs the box in the background until its state says running.
start_box() {
	local name=$1 f=$2
	shift 2
	"$BOXLAUNCH" "$f" -- "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>&1 &
	BOX_PID=$!
	for _ in $(seq 100); do
		[ "$(state_key $name status)" = running ] && return 0
		sleep 0.05
	done
	return 1
}

cg() { echo "/sys/fs/cgroup/$1/$(state_key $2 cgroup)"; }

@test "every [Limits] key lands in its v1 file" {
	dev=$(lsblk -dno MAJ:MIN /dev/vda | tr -d ' ')
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
AllowedCPUs = 0-1
AllowedMemoryNodes = 0
TasksMax = 77
IOWeight = 500
IOReadBandwidthMax = /dev/vda=10M
IOWriteBandwidthMax = /dev/vda=5M
IOReadIOPSMax = /dev/vda=1000
IOWriteIOPSMax = /dev/vda=500
EOF2
)
	start_box lim "$f" /bin/sleep 30
	[ "$(cat $(cg memory lim)/memory.limit_in_bytes)" = 67108864 ]
	[ "$(cat $(cg memory lim)/memory.soft_limit_in_bytes)" = 50331648 ]
	[ "$(cat $(cg memory lim)/memory.memsw.limit_in_bytes)" = $((67108864 + 16777216)) ]
	[ "$(cat $(cg cpu lim)/cpu.cfs_period_us)" = 50000 ]
	[ "$(cat $(cg cpu lim)/cpu.cfs_quota_us)" = 75000 ]
	[ "$(cat $(cg cpu lim)/cpu.shares)" = 1024 ]
	[ "$(cat $(cg cpuset lim)/cpuset.cpus)" = 0-1 ]
	[ "$(cat $(cg cpuset lim)/cpuset.mems)" = 0 ]
	[ "$(cat $(cg pids lim)/pids.max)" = 77 ]
	grep -qw 1000 $(cg blkio lim)/blkio.bfq.weight
	grep -q "^$dev 10485760$" $(cg blkio lim)/blkio.throttle.read_bps_device
	grep -q "^$dev 5242880$" $(cg blkio lim)/blkio.throttle.write_bps_device
	grep -q "^$dev 1000$" $(cg blkio lim)/blkio.throttle.read_iops_device
	grep -q "^$dev 500$" $(cg blkio lim)/blkio.throttle.write_iops_device
	# The box's processes are in the group in every hierarchy, before they run.
	pid=$(state_key lim pid)
	for h in memory pids cpu cpuset devices; do
		grep -q "$(state_key lim cgroup)\$" <(grep ":$h:" /proc/$pid/cgroup)
	done
	# No group where nothing is limited: freezer comes with `pause`, name=systemd with Boot=.
	grep -q ":freezer:/\$" /proc/$pid/cgroup
	grep -q ":name=systemd:/\$" /proc/$pid/cgroup
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
	for h in memory pids devices; do
		grep -q ":$h:.*/plain.box\$" /proc/$pid/cgroup
	done
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
	! grep -q allocated <<<"$output"
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

@test "CPUQuota=50% keeps a busy loop near half a core (CPU time as boxlaunch stats reports it)" {
	f=$(mkbox quota <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
CPUQuota = 50%
EOF2
)
	start_box quota "$f" /usr/bin/probe spin 4
	# An application box has no cpuacct group on v1: stats sums the box's CPU time from /proc.
	[ ! -e "$(cg cpuacct quota)" ] || [ -L /sys/fs/cgroup/cpuacct ]
	usec() { "$BOXLAUNCH" stats quota --json | jq .cpu_usage_usec; }
	sleep 0.5
	a=$(usec); t0=$(date +%s%N)
	sleep 2
	b=$(usec); t1=$(date +%s%N)
	wait $BOX_PID
	share=$(( (b - a) * 100000 / (t1 - t0) ))
	echo "CPU share: $share%"
	[ "$share" -ge 35 ]
	[ "$share" -le 60 ]
}

@test "AllowedCPUs= pins the box" {
	f=$(mkbox pin <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
AllowedCPUs = 1
EOF2
)
	run_box "$f" -- /bin/grep Cpus_allowed_list /proc/self/status
	[ "$status" -eq 0 ]
	grep -qE 'Cpus_allowed_list:\s+1$' <<<"$output"
}

@test "a limit the kernel refuses is a clear error naming the key, and nothing is left" {
	f=$(mkbox badlim <<EOF2
[Box]
Directory = $CG_ROOT
[Limits]
AllowedCPUs = 63
EOF2
)
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q 'AllowedCPUs' <<<"$output"
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
	[ -z "$(ls -d /sys/fs/cgroup/*/boxlaunch 2>/dev/null)" ]
}

@test "processes the command leaves behind are killed with the box's cgroup" {
	f=$(mkbox stray <<EOF2
[Box]
Directory = $CG_ROOT
[Exec]
Init = no
EOF2
)
	run_box "$f" -- /bin/sh -c 'setsid sleep 300 & exit 0'
	[ "$status" -eq 0 ]
	! pgrep -f 'sleep 300'
}
