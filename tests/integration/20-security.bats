#!/usr/bin/env bats
# Isolation: the escape battery from a default app box and a default machine box, capability
# and seccomp state as configured, masked paths, AppArmor's error path.
load helpers

setup_file() {
	ensure_rootfs
	export SEC_ROOT=$BATS_FILE_TMPDIR/root MACHINE_ROOT=$BATS_FILE_TMPDIR/mroot
	cp -a "$ROOTFS" "$SEC_ROOT"
	build_probe "$SEC_ROOT"
	# A "machine" image whose init just runs the command it is given, so each probe runs as
	# PID 1 with everything Boot=yes implies (nspawn's capability set, no no_new_privs,
	# User=pick with an idmapped root).
	cp -a "$SEC_ROOT" "$MACHINE_ROOT"
	mkdir -p "$MACHINE_ROOT/usr/lib/systemd"
	printf '#!/bin/sh\nexec "$@"\n' >"$MACHINE_ROOT/usr/lib/systemd/systemd"
	chmod 755 "$MACHINE_ROOT/usr/lib/systemd/systemd"
	printf '[Box]\nDirectory = %s\n' "$SEC_ROOT" >"$BATS_FILE_TMPDIR/app.box"
	printf '[Box]\nDirectory = %s\n[Exec]\nBoot = yes\n' "$MACHINE_ROOT" >"$BATS_FILE_TMPDIR/machine.box"
}

setup() {
	snapshot_before
	KILL_PIDS=()
	host_time=$(date +%s)
	host_mods=$(cat /proc/modules 2>/dev/null | wc -l)
	host_hostname=$(hostname)
}

# Every check counts: bats looks only at teardown's status, so collect them.
teardown() {
	local rc=0 p
	[ "${#KILL_PIDS[@]}" -eq 0 ] || reap_bg "${KILL_PIDS[@]}"
	assert_host_unchanged || rc=1
	[ "$(cat /proc/modules 2>/dev/null | wc -l)" = "$host_mods" ] || { echo "host modules changed"; rc=1; }
	[ "$(hostname)" = "$host_hostname" ] || { echo "host name changed to $(hostname)"; rc=1; }
	# The clock was not set (settime is denied): it has not jumped away from the test's start.
	[ $(($(date +%s) - host_time)) -lt 3600 ] && [ $(($(date +%s) - host_time)) -ge 0 ] ||
		{ echo "host clock moved"; rc=1; }
	return $rc
}

# battery BOX: every probe of the issue's list, one line each: "name result"
battery() {
	# The numbers of a disk of this machine (or sda's, where it has none).
	local disk
	disk=$(test_block_device | cut -d' ' -f2)
	run_box "$1" -- /bin/sh -c '
		p() { printf "%s " "$1"; shift; /usr/bin/probe "$@"; }
		p cgroup-v1 mount-cgroup-v1
		p mknod-block mknod-block '"${disk:-8:0}"'
		p read-kcore read /proc/kcore
		p read-keys read /proc/keys
		p read-kallsyms read /proc/kallsyms
		p write-sys-kernel write /proc/sys/kernel/hostname
		p write-sysrq write /proc/sysrq-trigger
		p remount-sys remount-rw-fs /sys
		p remount-proc-sys remount-rw /proc/sys
		p write-after-remount write /proc/sys/kernel/hostname
		p keyctl keyctl
		p kill-host kill '"$$"'
		p ptrace-host ptrace '"$$"'
		p init-module init_module
		p settime settime
		p reboot reboot
		p swapon swapon
		p kexec kexec
		p bpf bpf
		p perf perf_event_open
		p exe-write open-exe-write /proc/1/exe
		p unknown-syscall unknown-syscall
		printf "fds "; ls /proc/self/fd | tr "\n" " "; echo'
}

expect() { # NAME REGEX
	local got
	got=$(grep "^$1 " <<<"$output" | cut -d' ' -f2-)
	if ! [[ "$got" =~ ^($2)\ *$ ]]; then
		echo "$1: got '$got', want $2"
		return 1
	fi
}

@test "escape battery from a default app box" {
	battery "$BATS_FILE_TMPDIR/app.box"
	echo "$output"
	[ "$status" -eq 0 ]
	expect cgroup-v1 EPERM
	expect mknod-block EPERM
	expect read-kcore 'ENOENT|empty'
	expect read-keys empty
	expect read-kallsyms 'ENOENT|empty'
	expect write-sys-kernel EROFS
	expect write-sysrq 'EROFS|ENOENT'
	expect remount-sys EPERM
	expect remount-proc-sys EPERM
	expect write-after-remount EROFS
	expect keyctl EPERM
	expect kill-host ESRCH
	expect ptrace-host 'ESRCH|EPERM'
	expect init-module EPERM
	expect settime EPERM
	expect reboot EPERM
	expect swapon EPERM
	expect kexec EPERM
	expect bpf EPERM
	expect perf EPERM
	expect exe-write 'ETXTBSY|EACCES|EPERM'
	expect unknown-syscall ENOSYS
	expect fds '0 1 2 3'
}

@test "escape battery from a default machine box (Boot=yes)" {
	battery "$BATS_FILE_TMPDIR/machine.box"
	echo "$output"
	[ "$status" -eq 0 ]
	expect cgroup-v1 'EPERM|EINVAL'
	expect mknod-block EPERM
	expect read-kcore 'ENOENT|empty'
	expect read-keys empty
	expect write-sys-kernel 'EROFS|EACCES|EPERM'
	expect write-sysrq 'EROFS|ENOENT|EACCES'
	expect remount-sys EPERM
	# The box's root may remount its own read-only binds inside its user namespace, but the
	# kernel still refuses it the host's sysctls.
	expect remount-proc-sys 'EPERM|ok'
	expect write-after-remount 'EROFS|EACCES|EPERM'
	expect keyctl EPERM
	expect kill-host ESRCH
	expect ptrace-host ESRCH
	expect init-module EPERM
	expect settime EPERM
	expect reboot EINVAL
	expect swapon EPERM
	expect kexec EPERM
	expect bpf EPERM
	expect perf EPERM
	expect exe-write 'ETXTBSY|EACCES|EPERM'
	expect unknown-syscall ENOSYS
	expect fds '0 1 2 3'
}

status_of() { grep "^$1:" <<<"$output" | awk '{print $2}'; }

@test "/proc/self/status: default app box" {
	run_box "$BATS_FILE_TMPDIR/app.box" -- /bin/cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_of CapEff)" = 00000000a80425fb ]
	[ "$(status_of CapBnd)" = 00000000a80425fb ]
	[ "$(status_of CapAmb)" = 0000000000000000 ]
	[ "$(status_of NoNewPrivs)" = 1 ]
	[ "$(status_of Seccomp)" = 2 ]
}

@test "/proc/self/status: Add=, Drop=, NoNewPrivileges=no, Seccomp=no" {
	f=$(mkbox caps1 <<EOF2
[Box]
Directory = $SEC_ROOT
[Exec]
NoNewPrivileges = no
[Capabilities]
Add = CAP_SYS_ADMIN CAP_NET_ADMIN
Drop = CAP_NET_RAW cap_mknod
[Security]
Seccomp = no
EOF2
)
	run_box "$f" -- /bin/cat /proc/self/status
	[ "$status" -eq 0 ]
	# default 0xa80425fb + SYS_ADMIN (21) + NET_ADMIN (12) - NET_RAW (13) - MKNOD (27)
	[ "$(status_of CapEff)" = 00000000a02415fb ]
	[ "$(status_of CapBnd)" = 00000000a02415fb ]
	[ "$(status_of NoNewPrivs)" = 0 ]
	[ "$(status_of Seccomp)" = 0 ]
}

@test "/proc/self/status: Set= replaces the list; Ambient= for a non-root user" {
	f=$(mkbox caps2 <<EOF2
[Box]
Directory = $SEC_ROOT
[Exec]
User = app
[Capabilities]
Set = CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_KILL
Ambient = CAP_NET_BIND_SERVICE
EOF2
)
	run_box "$f" -- /bin/cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_of CapBnd)" = 0000000000002420 ]
	[ "$(status_of CapAmb)" = 0000000000000400 ]
	[ "$(status_of CapEff)" = 0000000000000400 ]
	[ "$(status_of Uid)" = 1000 ]
}

@test "Set = all is limited to the host's bounding set (no CAP_SYS_RESOURCE here)" {
	f=$(mkbox capsall <<EOF2
[Box]
Directory = $SEC_ROOT
[Capabilities]
Set = all
EOF2
)
	run_box "$f" -- /bin/cat /proc/self/status
	[ "$status" -eq 0 ]
	host=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
	[ "$(status_of CapBnd)" = "$host" ]
}

@test "a machine box gets systemd-nspawn's capability set, no no_new_privs and its own id range" {
	run_box "$BATS_FILE_TMPDIR/machine.box" -- /bin/sh -c 'cat /proc/self/status; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	eff=$((16#$(status_of CapEff)))
	[ $(( eff & (1 << 21) )) -ne 0 ]   # SYS_ADMIN kept
	[ $(( eff & (1 << 16) )) -eq 0 ]   # SYS_MODULE dropped
	[ $(( eff & (1 << 25) )) -eq 0 ]   # SYS_TIME dropped
	[ "$(status_of NoNewPrivs)" = 0 ]
	base=$(awk 'NR==1 && $1 == 0 {print $2}' <<<"$(tail -1 <<<"$output")")
	[ "$base" -ge 524288 ]
	[ $(( base % 65536 )) -eq 0 ]
}

@test "seccomp: SystemCallErrorNumber=, allowing a group, denying a call" {
	f=$(mkbox sc <<EOF2
[Box]
Directory = $SEC_ROOT
[Security]
SystemCallErrorNumber = EACCES
EOF2
)
	run_box "$f" -- /usr/bin/probe keyctl
	[ "$output" = EACCES ]
	f=$(mkbox sc2 <<EOF2
[Box]
Directory = $SEC_ROOT
[Security]
SystemCallFilter = @keyring
EOF2
)
	run_box "$f" -- /usr/bin/probe keyctl
	# The call reached the kernel (which may find no such keyring), not the filter.
	[[ "$output" =~ ^(ok|ENOKEY)$ ]]
	f=$(mkbox sc3 <<EOF2
[Box]
Directory = $SEC_ROOT
[Security]
SystemCallFilter = ~mkdir
EOF2
)
	run_box "$f" -- /bin/mkdir /tmp/x
	[ "$status" -ne 0 ]
	grep -q 'Operation not permitted' <<<"$output"
}

@test "the default masked paths show nothing; the default read-only ones are read-only" {
	run_box "$BATS_FILE_TMPDIR/app.box" -- /bin/sh -c '
		for f in /proc/timer_list /proc/kmsg /proc/kallsyms /proc/keys; do echo "$f $(/usr/bin/probe read $f) $(/usr/bin/probe write $f)"; done
		for d in /sys/firmware /sys/kernel/debug /sys/kernel/security; do echo "$d $(ls -A $d | wc -l) $(/usr/bin/probe write $d/x)"; done
		for d in /proc/bus /proc/fs /proc/irq /proc/sys; do echo "$d $(/usr/bin/probe remount-rw $d)"; done
		cat /proc/self/mountinfo'
	echo "$output"
	[ "$status" -eq 0 ]
	# Files: empty to read (where the host's have data), not writable.
	for f in /proc/timer_list /proc/kmsg /proc/kallsyms /proc/keys; do
		[[ "$(grep "^$f " <<<"$output")" =~ ^$f\ (empty|ENOENT)\ (EROFS|EACCES|EPERM|ENOENT)$ ]]
	done
	[ "$(head -c 1 /proc/timer_list | wc -c)" = 1 ] && grep -qx '/proc/timer_list empty EROFS\|/proc/timer_list empty EACCES' <<<"$output"
	# Directories: empty, nothing can be created in them, and a read-only mount of their own
	# where this kernel has them (a fresh sysfs shows debug/ and security/ empty anyway, so
	# only the mount tells that they are masked).
	for d in /sys/firmware /sys/kernel/debug /sys/kernel/security; do
		[[ "$(grep "^$d " <<<"$output")" =~ ^$d\ 0\ (EROFS|EACCES|EPERM|ENOENT)$ ]]
		[ ! -e "$d" ] || grep -qE "^[^ ]+ [^ ]+ [^ ]+ [^ ]+ $d ro," <<<"$output"
	done
	# Read-only binds of the box's own /proc, which cannot be made writable again.
	for d in /proc/bus /proc/fs /proc/irq /proc/sys; do
		grep -qE "^[^ ]+ [^ ]+ [^ ]+ [^ ]+ $d ro," <<<"$output"
		grep -qx "$d EPERM" <<<"$output"
	done
}

@test "MaskPaths= and ReadOnlyPaths= add to the defaults" {
	f=$(mkbox masks <<EOF2
[Box]
Directory = $SEC_ROOT
[Security]
MaskPaths = /etc/passwd /home
ReadOnlyPaths = /tmp
EOF2
)
	run_box "$f" -- /bin/sh -c '/usr/bin/probe read /etc/passwd; ls -A /home | wc -l; touch /tmp/x 2>&1'
	[ "${lines[0]}" = empty ]
	[ "${lines[1]}" = 0 ]
	grep -q 'Read-only file system' <<<"$output"
}

@test "a private network may write /proc/sys/net with CAP_NET_ADMIN; /proc/sys stays read-only" {
	f=$(mkbox sysnet <<EOF2
[Box]
Directory = $SEC_ROOT
[Namespaces]
Network = private
[Capabilities]
Add = CAP_NET_ADMIN
EOF2
)
	run_box "$f" -- /bin/sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward && echo net-ok; echo x >/proc/sys/kernel/hostname 2>&1'
	grep -q net-ok <<<"$output"
	grep -q 'Read-only file system' <<<"$output"
}

@test "Sysctl= sets namespaced sysctls; others are refused with file and line" {
	# Values that differ from the host's, so that a leak to the host would show.
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward) host_shm=$(cat /proc/sys/kernel/shmmni)
	fwd=$((1 - host_fwd)) shm=$((host_shm == 2048 ? 2049 : 2048))
	f=$(mkbox sysctl <<EOF2
[Box]
Directory = $SEC_ROOT
[Exec]
Sysctl = net.ipv4.ip_forward=$fwd kernel.shmmni=$shm
[Namespaces]
Network = private
EOF2
)
	run_box "$f" -- /bin/sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$fwd" ]
	[ "${lines[1]}" = "$shm" ]
	# They were set in the box's namespaces only.
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	[ "$(cat /proc/sys/kernel/shmmni)" = "$host_shm" ]
	f=$(mkbox badsysctl <<EOF2
[Box]
Directory = $SEC_ROOT
[Exec]
Sysctl = kernel.panic=1
EOF2
)
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q "badsysctl.box:4: \[Exec\] Sysctl: sysctl 'kernel.panic' is not namespaced" <<<"$output"
}

@test "bad security values name file and line: capability, syscall group, device" {
	f=$(mkbox badvals <<EOF2
[Box]
Directory = $SEC_ROOT
[Capabilities]
Add = CAP_FLY
[Security]
SystemCallFilter = @nosuchgroup
[Device d]
Path = /dev/x
Type = char
Number = 10
EOF2
)
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q "badvals.box:4: \[Capabilities\] Add: unknown capability 'CAP_FLY'" <<<"$output"
	grep -q "badvals.box:6: \[Security\] SystemCallFilter: unknown system call or group '@nosuchgroup'" <<<"$output"
	grep -q "badvals.box:10: \[Device d\] Number: '10' is not MAJOR:MINOR" <<<"$output"
}

@test "AppArmorProfile= cannot be applied on this kernel: a clear error unless unconfined or optional" {
	f=$(mkbox aa <<EOF2
[Box]
Directory = $SEC_ROOT
[Security]
AppArmorProfile = boxlaunch-web
EOF2
)
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q 'boxlaunch-web' <<<"$output"
	grep -qi 'AppArmor is not available' <<<"$output"
	sed -i 's/boxlaunch-web/unconfined/' "$f"
	run_box "$f" -- /bin/true
	[ "$status" -eq 0 ]
	printf '[Box]\nDirectory = %s\n[Security]\nAppArmorProfile = web\nAppArmorOptional = yes\n' "$SEC_ROOT" >"$f"
	run_box "$f" -- /bin/true
	[ "$status" -eq 0 ]
}

@test "rlimits, OOMScoreAdjust, Personality and CPUAffinity reach the command" {
	f=$(mkbox plimits <<EOF2
[Box]
Directory = $SEC_ROOT
[Exec]
LimitNOFILE = 512:1024
OOMScoreAdjust = 500
CPUAffinity = 0
Personality = x86
EOF2
)
	run_box "$f" -- /bin/sh -c 'ulimit -Sn; ulimit -Hn; cat /proc/self/oom_score_adj; grep Cpus_allowed_list /proc/self/status; uname -m'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 512 ]
	[ "${lines[1]}" = 1024 ]
	[ "${lines[2]}" = 500 ]
	grep -qE 'Cpus_allowed_list:\s+0$' <<<"$output"
	[ "${lines[4]}" = i686 ]
}

@test "the supervisor and its box keep the CPUs they were started with (the supervisor steps off its CPU for the box's set-up and takes its set back)" {
	mine=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
	for i in 1 2 3 4 5; do
		f=$(mkbox "cpus$i" <<EOF2
[Box]
Directory = $SEC_ROOT
[Exec]
Command = /bin/sleep 60
EOF2
)
		"$BOXLAUNCH" --detach "$f" </dev/null >/dev/null 2>&1 3>&-
		wait_state "cpus$i" running
		KILL_PIDS+=("$(state_key "cpus$i" supervisor)")
	done
	for i in 1 2 3 4 5; do
		for p in "$(state_key "cpus$i" supervisor)" "$(state_key "cpus$i" pid)"; do
			got=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$p/status")
			echo "cpus$i: $p has $got, the test $mine"
			[ "$got" = "$mine" ]
		done
	done
	for i in 1 2 3 4 5; do "$BOXLAUNCH" stop "cpus$i"; done
}

@test "Ephemeral=yes: writes vanish with the box" {
	f=$(mkbox eph <<EOF2
[Box]
Directory = $SEC_ROOT
Ephemeral = yes
EOF2
)
	run_box "$f" -- /bin/sh -c 'echo scratch >/etc/ephemeral-test && cat /etc/ephemeral-test'
	[ "$status" -eq 0 ]
	[ "$output" = scratch ]
	[ ! -e "$SEC_ROOT/etc/ephemeral-test" ]
}

@test "User=pick shows the root filesystem with the right owners through an idmapped mount" {
	f=$(mkbox pick <<EOF2
[Box]
Directory = $SEC_ROOT
[Namespaces]
User = pick
EOF2
)
	run_box "$f" -- /bin/sh -c 'stat -c "%u %g" /etc/passwd /home/app; touch /root/x && echo write-ok; rm -f /root/x; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0 0" ]
	[ "${lines[1]}" = "1000 1000" ]
	[ "${lines[2]}" = write-ok ]
	# On the host the file was written by the mapped root, yet shows as root-owned (idmapped).
	[ "$(stat -c %u "$SEC_ROOT/etc/passwd")" = 0 ]
}

@test "User=pick avoids id ranges in use and ranges the host's users have" {
	# A name of this run's own: another run's box of the same name would want the same range.
	name=pick-${CG_PARENT##*[.-]}
	f=$BATS_TEST_TMPDIR/$name.box
	printf '[Box]\nDirectory = %s\n[Namespaces]\nUser = pick\n' "$SEC_ROOT" >"$f"
	base() { awk '$1 == 0 { print $2 }' <<<"$output"; }
	run_box "$f" -- /bin/cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	b1=$(base)
	[ "$b1" -ge $((0x80000)) ]
	[ $((b1 % 65536)) -eq 0 ]
	# Free again once the box is gone: the same range (it is derived from the name).
	run_box "$f" -- /bin/cat /proc/self/uid_map
	[ "$(base)" = "$b1" ]
	# The candidates are tried in turn (boxlaunch.box(5)): the next one, wrapping at the top.
	next=$((b1 + 65536))
	[ "$next" -lt $((0x6FFF0000)) ] || next=$((0x80000))

	# In use: a process of another user namespace maps it.
	unshare -U sleep 600 </dev/null >/dev/null 2>&1 3>&- &
	holder=$!
	KILL_PIDS+=("$holder")
	for _ in $(seq $((WAIT_SECS * 20))); do
		[ "$(readlink /proc/$holder/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.05
	done
	echo "0 $b1 65536" >"/proc/$holder/uid_map"
	run_box "$f" -- /bin/cat /proc/self/uid_map
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(base)" = "$next" ]
	kill -KILL "$holder"
	wait "$holder" || true

	# A host user: its uid is the first id of the range (a private /etc/passwd for getent, in a
	# mount namespace of the test's own).
	cp /etc/passwd "$BATS_TEST_TMPDIR/passwd"
	echo "pickhost:x:$b1:$b1::/nonexistent:/usr/sbin/nologin" >>"$BATS_TEST_TMPDIR/passwd"
	status=0
	output=$(unshare -m --propagation private sh -c 'mount --bind "$1" /etc/passwd && shift && exec "$@"' sh \
		"$BATS_TEST_TMPDIR/passwd" "$BOXLAUNCH" "$f" -- /bin/cat /proc/self/uid_map </dev/null 2>&1) || status=$?
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(base)" = "$next" ]
}

@test "[Device] sections: the node appears with its access; other devices stay denied" {
	# A "local use" major that no driver owns on this machine: an allowed open fails with ENXIO
	# (past the device cgroup), a denied one with EPERM (stopped by it).
	maj=$(free_char_major)
	f=$(mkbox dev <<EOF2
[Box]
Directory = $SEC_ROOT
[Device custom]
Path = /dev/custom
Type = char
Number = $maj:0
Access = rw
Mode = 0640
EOF2
)
	run_box "$f" -- /bin/sh -c "ls -l /dev/custom; head -c 1 /dev/custom 2>&1; mknod /tmp/other c $maj 1 && head -c1 /tmp/other 2>&1; rm -f /tmp/other"
	echo "$output"
	grep -qE "^crw-r----- .* $maj, +0 .*/dev/custom" <<<"$output"
	grep -q '/dev/custom: No such device or address' <<<"$output"
	grep -q '/tmp/other: Operation not permitted' <<<"$output"
}

@test "overlay mounts: lower layers read-only, writes land in the upper dir" {
	lo=$BATS_TEST_TMPDIR/lower up=$BATS_TEST_TMPDIR/upper wk=$BATS_TEST_TMPDIR/work
	mkdir -p "$lo" "$up" "$wk" && echo base >"$lo/f"
	f=$(mkbox ovl <<EOF2
[Box]
Directory = $SEC_ROOT
[Mount data]
Type = overlay
Target = /data
LowerDirs = $lo
UpperDir = $up
WorkDir = $wk
EOF2
)
	run_box "$f" -- /bin/sh -c 'cat /data/f; echo new >/data/g; grep " /data " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = base ]
	[ "$(cat "$up/g")" = new ]
	[ ! -e "$lo/g" ]
}

@test "no cwd or descriptor of the box points outside its root (CVE-2024-21626)" {
	# PID 1 is not dumpable: reading its cwd link takes CAP_SYS_PTRACE.
	f=$(mkbox cwdfd <<EOF2
[Box]
Directory = $SEC_ROOT
[Capabilities]
Add = CAP_SYS_PTRACE
EOF2
)
	run_box "$f" -- /bin/sh -c 'readlink /proc/self/cwd; readlink /proc/1/cwd; for f in /proc/self/fd/*; do readlink $f; done; true'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = / ]
	[ "${lines[1]}" = / ]
	# Nothing names a host path: the root's own host path, the test's directories, the
	# checkout, boxlaunch's working directory, the cgroup file system, or an unreachable one.
	for host in "$SEC_ROOT" "$BATS_RUN_TMPDIR" "$ROOT_DIR" "$PWD" /sys/fs/cgroup '(unreachable)'; do
		refute grep -qF "$host" <<<"$output"
	done
}

@test "read-only binds keep the source's nosuid/nodev/noexec; propagation modes apply" {
	# A source mount with nosuid,nodev,noexec: a tmpfs of our own in a private mount namespace
	# of the test, so the host's table stays untouched.
	src=$BATS_TEST_TMPDIR/flagged
	mkdir -p "$src"
	f=$(mkbox flags <<EOF2
[Box]
Directory = $SEC_ROOT
[Mount keep]
Source = $src
Target = /keep
Options = ro
[Mount sh]
Source = $src
Target = /shared
Propagation = shared
[Mount sl]
Source = $src
Target = /slave
Propagation = rslave
[Mount ub]
Source = $src
Target = /unbindable
Options = bind,unbindable
EOF2
)
	run unshare -m --propagation private sh -c "mount -t tmpfs -o nosuid,nodev,noexec t '$src' && mount --make-shared '$src' && '$BOXLAUNCH' '$f' -- /bin/cat /proc/self/mountinfo" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	grep -E ' /keep ro,nosuid,nodev,noexec' <<<"$output"
	grep -E ' /slave .*master:' <<<"$output"
	grep -E ' /shared .*shared:' <<<"$output"
	grep -E ' /unbindable .*unbindable' <<<"$output"
}
