#!/usr/bin/env bats
# `boxlaunch DIR`: an OCI bundle (config.json + the test rootfs) run in the foreground through the
# OCI front-end: its mounts, namespaces (joined by path too), id maps, capability sets, rlimits,
# masked and read-only paths, hooks, resources in the cgroup files, seccomp rules; bad configs
# fail naming the JSON path and leave nothing; `check --oci` writes a .box as a bundle.
load helpers

setup_file() {
	ensure_rootfs
}
setup() {
	snapshot_before
	HOLDER=
	CG_MADE=
}
teardown() {
	local rc=0
	if [ -n "$HOLDER" ]; then
		kill -KILL "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
	fi
	# The parent a cgroupsPath made is the caller's to remove (as with runc): this test's.
	if [ -n "$CG_MADE" ]; then
		# The group the reuse test made itself, if a failure left it (empty: rmdir only).
		for h in /sys/fs/cgroup/*/"$CG_PARENT"/reuse; do
			[ -d "$h" ] && rmdir "$h" 2>/dev/null
		done
		for h in /sys/fs/cgroup/*/"$CG_PARENT"; do
			[ -d "$h" ] && rmdir "$h" 2>/dev/null
		done
	fi
	assert_host_unchanged || rc=1
	return $rc
}

# mkbundle NAME [JQ-FILTER] <SCRIPT: $BATS_TEST_TMPDIR/NAME/config.json from
# tests/integration/oci/config.json (runc's default spec, read-only root) on the test rootfs,
# running `sh -c SCRIPT` (when stdin has one), changed by the filter.
mkbundle() {
	local d=$BATS_TEST_TMPDIR/$1 script
	script=$(cat)
	mkdir -p "$d"
	jq --arg root "$ROOTFS" --arg s "$script" \
		".root.path = \$root | if \$s == \"\" then . else .process.args = [\"sh\", \"-c\", \$s] end | ${2:-.}" \
		"$ROOT_DIR/tests/integration/oci/config.json" >"$d/config.json"
	echo "$d"
}

@test "a bundle runs in the foreground with its mounts, capability sets, rlimits, masks and exit code" {
	b=$(mkbundle b1 <<'EOF'
grep -E "^(CapBnd|CapEff|CapPrm|CapInh|CapAmb|NoNewPrivs)" /proc/self/status
echo "nofile=$(ulimit -n)"
echo "host=$(hostname)"
echo "uid=$(id -u) pid=$$"
mount | awk '{print $3, $5}' | sort
[ -n "$(head -c 10 /proc/timer_list)" ] && echo timer-readable
echo 1 >/proc/sys/kernel/domainname && echo sys-writable
touch /etc/x && echo root-writable
ls -l /dev/null /dev/zero /dev/ptmx /dev/fd
exit 7
EOF
)
	run_box "$b"
	echo "$output"
	[ "$status" -eq 7 ]
	# CAP_KILL(5), CAP_NET_BIND_SERVICE(10), CAP_AUDIT_WRITE(29); none ambient: the spec's
	# default lists them as ambient, but without them in the inheritable set they cannot be.
	for set in CapBnd CapEff CapPrm; do
		grep -qx "$set:	0000000020000420" <<<"$output"
	done
	grep -qx "CapInh:	0000000000000000" <<<"$output"
	grep -qx "CapAmb:	0000000000000000" <<<"$output"
	grep -qx "NoNewPrivs:	1" <<<"$output"
	grep -qx "nofile=1024" <<<"$output"
	grep -qx "host=runc" <<<"$output"
	grep -qx "uid=0 pid=1" <<<"$output"
	for m in "/proc proc" "/dev tmpfs" "/dev/pts devpts" "/dev/shm tmpfs" "/dev/mqueue mqueue" \
		"/sys sysfs" "/sys/fs/cgroup tmpfs" "/sys/fs/cgroup/memory cgroup"; do
		grep -qx "$m" <<<"$output"
	done
	refute grep -q "timer-readable\|sys-writable\|root-writable" <<<"$output"
	grep -q "^crw-rw-rw- .* /dev/null$" <<<"$output"
	grep -q "/dev/ptmx -> pts/ptmx" <<<"$output"
}

@test "mounts on one target stack in their order, as a CRI pod sandbox mounts /dev/shm twice" {
	mkdir -p "$BATS_TEST_TMPDIR/shm"
	echo from-the-bind >"$BATS_TEST_TMPDIR/shm/marker"
	b=$(mkbundle stack '.mounts += [{"destination": "/dev/shm", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/shm"'", "options": ["rbind", "ro"]}]' <<'EOF'
cat /dev/shm/marker
grep -c " /dev/shm " /proc/self/mountinfo
EOF
)
	jq -e '[.mounts[] | select(.destination == "/dev/shm")] | length == 2' "$b/config.json"
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-the-bind ]
	[ "${lines[1]}" = 2 ]
}

@test "a user namespace with several map ranges, and an idmapped bind mount" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	chown 2000:2000 "$BATS_TEST_TMPDIR/src"
	b=$(mkbundle u1 '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 1000},
		                      {"containerID": 1000, "hostID": 300000, "size": 10}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}] |
		.mounts += [{"destination": "/mnt/id", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/src"'",
		             "options": ["bind", "idmap"],
		             "uidMappings": [{"containerID": 2000, "hostID": 200000, "size": 1}],
		             "gidMappings": [{"containerID": 2000, "hostID": 200000, "size": 1}]}]' <<'EOF'
cat /proc/self/uid_map; stat -c "owner=%u" /mnt/id
EOF
)
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(awk 'NR <= 2 {print $1, $2, $3}' <<<"$output")" = "0 200000 1000
1000 300000 10" ]
	grep -qx "owner=0" <<<"$output"
}

@test "a network namespace joined by path, time offsets, domainname, umask and memory policy" {
	unshare --net sleep 1000 3>&- &
	HOLDER=$!
	for i in $(seq 200); do
		[ "$(readlink /proc/$HOLDER/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.05
	done
	want=$(readlink /proc/$HOLDER/ns/net)
	[ "$want" != "$(readlink /proc/self/ns/net)" ]
	b=$(mkbundle n1 '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] +
			[{"type": "network", "path": "/proc/'"$HOLDER"'/ns/net"}, {"type": "time"}] |
		.linux.timeOffsets = {"boottime": {"secs": 864000}} |
		.domainname = "example.org" | .process.user.umask = 63 |
		.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}' <<'EOF'
readlink /proc/self/ns/net; cut -d. -f1 /proc/uptime; cat /proc/sys/kernel/domainname; umask
head -1 /proc/self/numa_maps | cut -d' ' -f2
EOF
)
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want" ]
	[ "${lines[1]}" -ge 864000 ]
	[ "${lines[2]}" = "example.org" ]
	[ "${lines[3]}" = "0077" ]
	[ "${lines[4]}" = "bind:0" ]
}

@test "mount and pid namespaces joined by path: the box is set up in them" {
	unshare --mount --pid --fork --kill-child sleep 1000 3>&- &
	HOLDER=$!
	for i in $(seq 200); do
		[ -e /proc/$HOLDER/ns/pid_for_children ] &&
			[ "$(readlink /proc/$HOLDER/ns/pid_for_children)" != "$(readlink /proc/self/ns/pid)" ] &&
			[ "$(readlink /proc/$HOLDER/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.05
	done
	want_mnt=$(readlink /proc/$HOLDER/ns/mnt)
	want_pid=$(readlink /proc/$HOLDER/ns/pid_for_children)
	[ "$want_mnt" != "$(readlink /proc/self/ns/mnt)" ]
	b=$(mkbundle j1 '.linux.namespaces = [.linux.namespaces[] | select(.type != "mount" and .type != "pid")] +
			[{"type": "mount", "path": "/proc/'"$HOLDER"'/ns/mnt"},
			 {"type": "pid", "path": "/proc/'"$HOLDER"'/ns/pid_for_children"}]' <<'EOF'
readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid; echo "pid=$$"; cat /proc/1/comm
EOF
)
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want_mnt" ]
	[ "${lines[1]}" = "$want_pid" ]
	[ "${lines[2]}" != "pid=1" ]
	[ "${lines[3]}" = sleep ]
}

@test "without a pid namespace the payload runs in the host's" {
	b=$(mkbundle p1 '.linux.namespaces = [.linux.namespaces[] | select(.type != "pid")]' <<'EOF'
echo "pid=$$"; cat /proc/1/comm
EOF
)
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != "pid=1" ]
	[ "${lines[1]}" = "$(cat /proc/1/comm)" ]
}

@test "resources land in the box's cgroup files at cgroupsPath" {
	b=$(mkbundle r1 '.linux.cgroupsPath = "/'"$CG_PARENT"'/oci-r1" |
		.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c",
			"test -d /sys/fs/cgroup/memory/'"$CG_PARENT"'/oci-r1 && touch '"$BATS_TEST_TMPDIR"'/placed"]}] |
		.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 33} |
		.linux.resources.cpu = {"shares": 300, "quota": 20000, "period": 100000} |
		.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}] |
		.linux.resources.unified = {"hugetlb.2MB.rsvd.max": "6291456", "cgroup.max.descendants": "5"}' <<'EOF'
cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us
cat /sys/fs/cgroup/unified/hugetlb.2MB.max /sys/fs/cgroup/unified/hugetlb.2MB.rsvd.max
cat /sys/fs/cgroup/unified/cgroup.max.descendants
EOF
)
	CG_MADE=1
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 67108864 ]
	[ "${lines[1]}" = 33 ]
	[ "${lines[2]}" = 300 ]
	[ "${lines[3]}" = 20000 ]
	[ "${lines[4]}" = 4194304 ]
	[ "${lines[5]}" = 6291456 ]
	[ "${lines[6]}" = 5 ]
	# The group was where cgroupsPath says (a prestart hook looked), and is gone now (its
	# parent goes in teardown).
	[ -e "$BATS_TEST_TMPDIR/placed" ]
	for h in /sys/fs/cgroup/*/"$CG_PARENT"; do
		[ ! -e "$h/oci-r1" ]
	done
}

@test "seccomp rules with arguments and errnoRet, and the device cgroup rules" {
	b=$(mkbundle s1 '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
			{"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
			 "args": [{"index": 1, "value": 448, "op": "SCMP_CMP_EQ"}]},
			{"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
			 "args": [{"index": 2, "value": 448, "op": "SCMP_CMP_EQ"}]}]} |
		.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229},
		                  {"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200}] |
		.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229,
		                              "access": "rw"}]' <<'EOF'
touch /dev/shm/a; chmod 755 /dev/shm/a && echo chmod755-ok
chmod 700 /dev/shm/a || echo chmod700-denied
echo x >/dev/null && echo null-ok
: </dev/fuse && echo fuse-ok
[ -c /dev/net/tun ] && echo tun-is-a-node
(exec 3</dev/net/tun) 2>/dev/null || echo tun-denied
cat /sys/fs/cgroup/devices/devices.list
EOF
)
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx chmod755-ok <<<"$output"
	grep -q "Permission denied" <<<"$output"
	grep -qx chmod700-denied <<<"$output"
	grep -qx null-ok <<<"$output"
	grep -qx fuse-ok <<<"$output"
	# A listed node outside the rules exists, at its path, and cannot be opened.
	grep -qx tun-is-a-node <<<"$output"
	grep -qx tun-denied <<<"$output"
	# The box's device group holds the rules, in order, on top of deny-all (no "a *:* rwm").
	grep -qx "c 10:229 rw" <<<"$output"
	grep -qx "c \*:\* m" <<<"$output"
	refute grep -qx "a \*:\* rwm" <<<"$output"
}

@test "hooks get the bundle and the annotations in the state; tmpcopyup and rro" {
	rec=$BATS_TEST_TMPDIR/rec
	mkdir -p "$rec"
	b=$(mkbundle h1 '.hooks = {
			"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "cat >'"$rec"'/prestart.json"]}],
			"poststop": [{"path": "/bin/sh", "args": ["sh", "-c", "cat >'"$rec"'/poststop.json"],
			              "timeout": 5}]} |
		.annotations = {"org.example.k": "v"} |
		.mounts += [{"destination": "/etc", "type": "tmpfs", "source": "tmpfs",
		             "options": ["tmpcopyup"]},
		            {"destination": "/ro", "type": "bind", "source": "'"$rec"'",
		             "options": ["rbind", "rro"]},
		            {"destination": "/srv", "source": "'"$rec"'",
		             "options": ["bind", "shared", "nosuid", "strictatime", "mode=755", "size=1k"]}]' <<'EOF'
ls /etc/passwd && touch /etc/x && echo copied-up; touch /ro/x || echo ro-denied
awk '$5 == "/srv" { print "srv", $6, $7 }' /proc/self/mountinfo
awk '$5 == "/etc" || $5 == "/ro" || $5 == "/srv" { printf "%s ", $5 } END { print "" }' /proc/self/mountinfo
EOF
)
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx copied-up <<<"$output"
	grep -qx ro-denied <<<"$output"
	# A bind mount with an atime mode, propagation and file system data (ignored, as runc).
	grep -qE '^srv rw,nosuid[^ ]* shared:[0-9]+$' <<<"$output"
	# In the config's order, the shared one (whose source is taken early) included.
	grep -qx '/etc /ro /srv ' <<<"$output"
	[ "$(jq -r .bundle "$rec/prestart.json")" = "$(realpath "$b")" ]
	[ "$(jq -r '.annotations["org.example.k"]' "$rec/prestart.json")" = v ]
	[ "$(jq -r .status "$rec/poststop.json")" = stopped ]
	[ ! -e "$ROOTFS/etc/x" ]
	[ ! -e "$rec/x" ]
}

@test "bad configs fail naming the JSON path, with exit 125, and leave nothing" {
	b=$(mkbundle bad1 '.linux.resources.network = {"classID": 1000}' </dev/null)
	run_box "$b"
	[ "$status" -eq 125 ]
	grep -q "config.json: linux.resources.network: not supported" <<<"$output"

	b=$(mkbundle bad2 '.mounts[1].options += ["remount"]' </dev/null)
	run_box "$b"
	[ "$status" -eq 125 ]
	grep -q "config.json: mounts\[1\].options\[4\]: 'remount' is not supported" <<<"$output"

	b=$(mkbundle bad3 '.process.args = ["/no/such/program"]' </dev/null)
	run_box "$b"
	[ "$status" -eq 127 ]

	b=$(mkbundle bad4 '.hooks = {"createRuntime": [{"path": "/bin/false"}]}' </dev/null)
	run_box "$b"
	[ "$status" -eq 125 ]
	grep -q "createRuntime" <<<"$output"

	# memory is a v1 controller on this hybrid machine: not through unified.
	if [ ! -e /sys/fs/cgroup/unified/memory.pressure ] || ! grep -qw memory /sys/fs/cgroup/unified/cgroup.controllers; then
		b=$(mkbundle bad7 '.linux.resources.unified = {"memory.high": "1000000"}' </dev/null)
		run_box "$b"
		[ "$status" -eq 125 ]
		grep -q "config.json: linux.resources.unified: memory.high: the memory controller is not on cgroup2 here" <<<"$output"
	fi
	# This machine has no BFQ: per-device weights cannot be honoured.
	if [ ! -e /sys/fs/cgroup/blkio/blkio.bfq.weight_device ] && [ -d /sys/fs/cgroup/blkio ]; then
		b=$(mkbundle bad6 '.linux.resources.blockIO = {"weightDevice": [{"major": 8, "minor": 0, "weight": 100}]}' </dev/null)
		run_box "$b"
		[ "$status" -eq 125 ]
		grep -q "config.json: linux.resources.blockIO.weightDevice: not supported here" <<<"$output"
	fi
}

@test "cgroupsPath: an existing group without processes is joined (runc's way); one with processes is refused" {
	CG_MADE=1
	g=$CG_PARENT/reuse
	mkdir -p "/sys/fs/cgroup/memory/$g"
	# A start that fails leaves the group as it was.
	b=$(mkbundle cg1 '.linux.cgroupsPath = "/'"$g"'" | .process.args = ["/no/such/program"]' </dev/null)
	run_box "$b"
	[ "$status" -eq 127 ]
	[ -d "/sys/fs/cgroup/memory/$g" ]
	# One that starts runs in it, with its limit, and removes it at its end, as runc does.
	b=$(mkbundle cg2 '.linux.cgroupsPath = "/'"$g"'" | .linux.resources.memory = {"limit": 67108864}' <<'EOF'
echo "limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
EOF
)
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx "limit=67108864" <<<"$output"
	[ ! -d "/sys/fs/cgroup/memory/$g" ]
	# A process in it: another container's group.
	mkdir "/sys/fs/cgroup/memory/$g"
	sleep 60 &
	HOLDER=$!
	echo "$HOLDER" >"/sys/fs/cgroup/memory/$g/cgroup.procs"
	run_box "$b"
	echo "$output"
	[ "$status" -eq 125 ]
	grep -q "config.json: linux.cgroupsPath: the group $g exists and has processes (memory, pid $HOLDER)" <<<"$output"
	kill -KILL "$HOLDER"
	wait "$HOLDER" || true
	HOLDER=
	rmdir "/sys/fs/cgroup/memory/$g"
}

@test "check DIR checks a bundle; check --oci writes a .box as a bundle that runs the same" {
	run "$BOXLAUNCH" check "$(mkbundle c1 </dev/null)"
	[ "$status" -eq 0 ]
	f=$(mkbox exported <<'EOF'
[Exec]
Command = "/bin/sh -c 'echo hi $(id -u) $FOO; exit 3'"
Environment = FOO=bar

[Limits]
TasksMax = 20
EOF
)
	d=$BATS_TEST_TMPDIR/exp
	mkdir -p "$d"
	"$BOXLAUNCH" check --oci "$f" >"$d/config.json"
	jq -e '.linux.resources.pids.limit == 20' "$d/config.json"
	jq -e '.mounts[0].destination == "/proc"' "$d/config.json"
	run "$BOXLAUNCH" check "$d"
	[ "$status" -eq 0 ]
	run_box "$d"
	echo "$output"
	[ "$status" -eq 3 ]
	grep -qx "hi 0 bar" <<<"$output"
}
