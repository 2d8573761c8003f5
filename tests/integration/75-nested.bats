#!/usr/bin/env bats
# boxlaunch under a real systemd (issue 18): the Debian machine box of 70-boot.bats is booted once
# for this file; the built boxlaunch, its units, a busybox root file system and two .box files
# are put in it, and the guest's systemd drives them. Inside, the v1 controllers are read-only
# and only name=systemd and cgroup2 are the box's own, as inside nspawn or LXC.
load helpers

# A boot, two machine reboots and a box restart on a loaded machine.
[ "${BATS_TEST_TIMEOUT:-0}" -ge 900 ] || BATS_TEST_TIMEOUT=900

GUEST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

setup_file() {
	local src=${BOXLAUNCH_TEST_DEBIAN:-/var/tmp/boxlaunch-test/debian}
	mkdir -p "$(dirname "$src")"
	local st=0
	# The same image and cache as 70-boot.bats: built once.
	flock "$(dirname "$src")" "$ROOT_DIR/examples/mkrootfs-debian.sh" "$src" \
		>"$BATS_FILE_TMPDIR/mkrootfs.log" 2>&1 || st=$?
	sed 's/^/# /' "$BATS_FILE_TMPDIR/mkrootfs.log" >&3
	[ "$st" -eq 0 ]
	ensure_rootfs
	export DEB=$BATS_FILE_TMPDIR/debian
	cp -a --reflink=auto "$src" "$DEB"

	# What an admin installs: the binary, the units, a busybox box and its .box files.
	install -m 0755 "$BOXLAUNCH" "$DEB/usr/local/bin/boxlaunch"
	install -m 0644 "$ROOT_DIR"/units/* "$DEB/etc/systemd/system/"
	mkdir -p "$DEB/var/lib/machines" "$DEB/etc/boxlaunch"
	cp -a "$ROOTFS" "$DEB/var/lib/machines/hello"
	cat >"$DEB/etc/boxlaunch/hello.box" <<'EOF2'
[Box]
Directory = /var/lib/machines/hello
ReadOnly = yes
[Exec]
Command = "/bin/sh -c 'echo hello-from-the-box; exec sleep 1000'"
EOF2
	# A machine-like box (Boot=yes) whose init is a script: `reboot -f` inside makes boxlaunch
	# exit 133; the stop signal (SIGRTMIN+3, 37 here) or SIGTERM powers it off.
	cp -a "$ROOTFS" "$DEB/var/lib/machines/rebooter"
	cat >"$DEB/var/lib/machines/rebooter/usr/sbin/init" <<'EOF2'
#!/bin/sh
echo rebooter-up
trap 'exit 0' 37 TERM
while :; do sleep 1000 & wait $!; done
EOF2
	chmod 0755 "$DEB/var/lib/machines/rebooter/usr/sbin/init"
	cat >"$DEB/etc/boxlaunch/rebooter.box" <<'EOF2'
[Box]
Directory = /var/lib/machines/rebooter
ReadOnly = yes
[Exec]
Boot = yes
[Namespaces]
# The machine box's user namespace maps 65536 ids: no room for a range of the box's own.
User = no
# A private network: this test is about nesting (55-network covers the machine default's veth).
Network = private
EOF2

	export MBOX=$BATS_FILE_TMPDIR/nest.box
	printf '[Box]\nDirectory = %s\n[Exec]\nBoot = yes\nStopTimeout = 60s\n[Namespaces]\nNetwork = private\n[Limits]\nTasksMax = 4096\n' "$DEB" >"$MBOX"
	host_snapshot >"$BATS_FILE_TMPDIR/host-before"
	boot_machine
}

teardown_file() {
	local p
	p=$(cat "$BATS_FILE_TMPDIR/machine.pid" 2>/dev/null) || true
	if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
		"$BOXLAUNCH" stop nest --timeout 60 >/dev/null 2>&1 || kill -KILL "$p" 2>/dev/null || true
		for _ in $(seq 1200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	fi
	"$BOXLAUNCH" gc >/dev/null 2>&1 || true
}

# The machine box runs from setup_file to the last test, which checks that the host is as
# before (the helpers' leak check against a snapshot taken before the boot).

# Starts the machine box in the background; its exit status lands in machine.exit.
boot_machine() {
	rm -f "$BATS_FILE_TMPDIR/machine.exit"
	(
		st=0
		"$BOXLAUNCH" "$MBOX" </dev/null >>"$BATS_FILE_TMPDIR/console" 2>&1 || st=$?
		echo "$st" >"$BATS_FILE_TMPDIR/machine.exit"
	) 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/machine.pid"
	booted
}

# Until the machine box has exited; prints its exit status.
machine_exit() {
	for _ in $(seq 3600); do
		[ -s "$BATS_FILE_TMPDIR/machine.exit" ] && break
		sleep 0.1
	done
	cat "$BATS_FILE_TMPDIR/machine.exit"
}

# in_guest CMD...: CMD in the machine box, with a clean environment (none of the host's
# BOXLAUNCH_* settings: the guest's boxlaunch uses its defaults).
in_guest() {
	"$BOXLAUNCH" exec nest -- /usr/bin/env -i PATH=$GUEST_PATH "$@"
}

# The guest's systemd has finished booting (running, no unit failed).
booted() {
	local st=
	for _ in $(seq 480); do
		st=$(in_guest systemctl is-system-running 2>/dev/null) || true
		case "$st" in running | degraded) break ;; esac
		sleep 0.5
	done
	echo "is-system-running: $st"
	[ "$st" = running ] || in_guest systemctl --failed --no-pager
	[ "$st" = running ]
}

# unit_prop UNIT PROP: one property of a guest unit.
unit_prop() {
	in_guest systemctl show -P "$2" "$1"
}

# wait_unit UNIT PROP VALUE: until the guest unit's PROP is VALUE.
wait_unit() {
	local v=
	for _ in $(seq $((WAIT_SECS * 10))); do
		v=$(unit_prop "$1" "$2") || true
		[ "$v" = "$3" ] && return 0
		sleep 0.1
	done
	echo "$1: $2=$v, not $3"
	return 1
}

# The groups of a guest process: "hierarchy:path" per line.
guest_cgroups() {
	in_guest cat "/proc/$1/cgroup"
}

@test "nested: the static boxlaunch runs a box directly inside the machine box, leaving nothing" {
	file "$DEB/usr/local/bin/boxlaunch" | grep -q 'statically linked\|static-pie linked'
	# The controllers are read-only in here: the reason for this test file.
	run in_guest sh -c 'touch /sys/fs/cgroup/memory/x 2>&1; mkdir /sys/fs/cgroup/unified/probe-w && rmdir /sys/fs/cgroup/unified/probe-w && echo unified-writable'
	echo "$output"
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *unified-writable* ]]
	run in_guest boxlaunch /etc/boxlaunch/hello.box -- /bin/echo nested-ok
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = nested-ok ]
	# bpf() is refused in here: the machine box's own device policy binds the box, as said.
	[[ "$output" == *"device access is limited by the enclosing container's device policy"* ]]
	# Its group was made in cgroup2 (which carries the device policy here) and is gone.
	run in_guest sh -c 'ls -d /run/boxlaunch/hello /sys/fs/cgroup/*/boxlaunch /sys/fs/cgroup/*/boxlaunch/* 2>/dev/null'
	[ -z "$output" ]
	# A limit that needs a read-only controller is an error naming the key and why.
	in_guest sh -c 'sed "s/^\[Exec\]/[Limits]\nMemoryMax = 64M\n[Exec]/" /etc/boxlaunch/hello.box >/tmp/limited.box'
	run in_guest boxlaunch /tmp/limited.box -- /bin/true
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"limited.box:5: [Limits] MemoryMax: the memory controller is read-only here"* ]]
}

@test "nested: systemctl enable --now is active (running) once the box runs (Type=notify)" {
	in_guest systemctl enable boxes.target
	run in_guest systemctl enable --now boxlaunch@hello.service
	echo "$output"
	[ "$status" -eq 0 ]
	# systemctl returned after READY=1: the box runs and its command has already started.
	[ "$(in_guest boxlaunch list --json | grep -c '"hello"')" -ge 1 ]
	run in_guest sh -c 'cat /run/boxlaunch/hello | sed -n "s/^status=//p"'
	[[ "$output" == running* ]]
	[ "$(unit_prop boxlaunch@hello.service Type)" = notify ]
	[ "$(unit_prop boxlaunch@hello.service ActiveState)" = active ]
	[ "$(unit_prop boxlaunch@hello.service SubState)" = running ]
	[ "$(unit_prop boxlaunch@hello.service StatusText)" = "Box running." ]
	run in_guest boxlaunch list
	echo "$output"
	[[ "$output" == *hello*running* ]]
}

@test "nested: systemctl status shows the supervisor and the payload in their delegated groups" {
	local unit=/boxes.slice/boxlaunch@hello.service main payload
	run in_guest systemctl status --no-pager -l boxlaunch@hello.service
	echo "$output"
	[[ "$output" == *"Active: active (running)"* ]]
	grep -qE '^ +├─supervisor|^ +└─supervisor' <<<"$output"
	grep -qE '^ +├─payload|^ +└─payload' <<<"$output"
	main=$(unit_prop boxlaunch@hello.service MainPID)
	run guest_cgroups "$main"
	echo "$output"
	grep -qx "0::$unit/supervisor" <<<"$output"
	grep -qE "^[0-9]+:name=systemd:$unit/supervisor$" <<<"$output"
	# The box's command (sleep, PID 2 of the box) in the guest's pid namespace.
	payload=$(in_guest sh -c "grep -lx 'sleep' /proc/[0-9]*/comm | cut -d/ -f3")
	[ -n "$payload" ]
	run guest_cgroups "$payload"
	echo "$output"
	grep -qx "0::$unit/payload" <<<"$output"
	grep -qE "^[0-9]+:name=systemd:$unit/payload$" <<<"$output"
	# Delegate=yes, and the box left the read-only controllers alone.
	[ "$(unit_prop boxlaunch@hello.service Delegate)" = yes ]
}

@test "nested: journalctl -u shows the box's output; exec joins the box" {
	run in_guest journalctl -u boxlaunch@hello.service --no-pager -o cat
	echo "$output"
	grep -qx hello-from-the-box <<<"$output"
	run in_guest boxlaunch exec hello -- /bin/sh -c 'echo exec-ok; cat /proc/self/cgroup'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exec-ok ]
	# In the box's cgroup namespace: its root is the box's group, where exec must be; a
	# process outside it would see "/..".
	grep -qx "0::/" <<<"$output"
	grep -qE "^[0-9]+:name=systemd:/$" <<<"$output"
	# stats and pause work with the groups that exist (cgroup2, no v1 freezer here).
	run in_guest boxlaunch stats hello
	echo "$output"
	[ "$status" -eq 0 ]
	run in_guest boxlaunch pause hello
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(in_guest cat /sys/fs/cgroup/unified/boxes.slice/boxlaunch@hello.service/payload/cgroup.freeze)" = 1 ]
	run in_guest boxlaunch resume hello
	[ "$status" -eq 0 ]
	[ "$(in_guest cat /sys/fs/cgroup/unified/boxes.slice/boxlaunch@hello.service/payload/cgroup.freeze)" = 0 ]
}

@test "nested: systemctl stop stops the box cleanly within the stop timeout, leaving nothing" {
	run in_guest systemctl stop boxlaunch@hello.service
	echo "$output"
	[ "$status" -eq 0 ]
	in_guest systemctl status --no-pager boxlaunch@hello.service || true
	[ "$(unit_prop boxlaunch@hello.service ActiveState)" = inactive ]
	# Not killed after TimeoutStopSec (Result=timeout) nor failed: stopped on its own.
	[ "$(unit_prop boxlaunch@hello.service Result)" = success ]
	run in_guest journalctl -u boxlaunch@hello.service --no-pager -o cat
	refute grep -qi 'timed out\|SIGKILL' <<<"$output"
	run in_guest sh -c 'ls -d /run/boxlaunch/hello /sys/fs/cgroup/*/boxes.slice/boxlaunch@hello.service 2>/dev/null; grep -lx sleep /proc/[0-9]*/comm'
	echo "$output"
	[ -z "$output" ]
	run in_guest boxlaunch list
	refute grep -q hello <<<"$output"
}

@test "nested: a box that reboots (exit 133) is restarted by its unit" {
	run in_guest systemctl start boxlaunch@rebooter.service
	echo "$output"
	in_guest systemctl status --no-pager boxlaunch@rebooter.service || true
	[ "$status" -eq 0 ]
	[ "$(unit_prop boxlaunch@rebooter.service NRestarts)" = 0 ]
	local main1 main2
	main1=$(unit_prop boxlaunch@rebooter.service MainPID)
	in_guest boxlaunch exec rebooter -- /bin/reboot -f || true
	wait_unit boxlaunch@rebooter.service NRestarts 1
	wait_unit boxlaunch@rebooter.service SubState running
	main2=$(unit_prop boxlaunch@rebooter.service MainPID)
	[ "$main1" != "$main2" ]
	run in_guest journalctl -u boxlaunch@rebooter.service --no-pager -o cat
	echo "$output"
	[ "$(grep -cx rebooter-up <<<"$output")" -eq 2 ]
	# Restart=no: only RestartForceExitStatus=133 restarts it; SuccessExitStatus=133 makes the
	# reboot no failure.
	[ "$(unit_prop boxlaunch@rebooter.service Restart)" = no ]
	grep -q 'Scheduled restart job, restart counter is at 1' <<<"$output"
	grep -q 'Deactivated successfully' <<<"$output"
	refute grep -q 'Failed with result' <<<"$output"
	run in_guest systemctl stop boxlaunch@rebooter.service
	[ "$status" -eq 0 ]
	[ "$(unit_prop boxlaunch@rebooter.service Result)" = success ]
}

@test "nested: boxes.target starts the enabled boxes when the machine boots" {
	# hello is enabled (and stopped); rebooter is not. A reboot inside makes boxlaunch exit 133.
	[ "$(in_guest systemctl is-enabled boxlaunch@hello.service)" = enabled ]
	in_guest systemctl reboot || true
	[ "$(machine_exit)" -eq 133 ]
	boot_machine
	wait_unit boxlaunch@hello.service SubState running
	[ "$(in_guest systemctl is-active boxes.target)" = active ]
	# Pulled in by boxes.target (enabled into multi-user.target), not by anything else.
	[ "$(unit_prop boxlaunch@hello.service WantedBy)" = boxes.target ]
	[[ " $(unit_prop boxes.target WantedBy) " == *" multi-user.target "* ]]
	[ "$(unit_prop boxlaunch@rebooter.service ActiveState)" = inactive ]
	run in_guest boxlaunch list
	echo "$output"
	[[ "$output" == *hello*running* ]]
}

@test "nested: the machine box powers off with its boxes, and the host is as before" {
	in_guest systemctl poweroff || true
	[ "$(machine_exit)" -eq 0 ]
	cp "$BATS_FILE_TMPDIR/host-before" "$BATS_TEST_TMPDIR/before"
	assert_host_unchanged
}
