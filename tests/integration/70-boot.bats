#!/usr/bin/env bats
# Machine boxes: boot Debian 12's systemd as PID 1, manage it, stop it cleanly, reboot it.
# The root filesystem is made once with examples/mkrootfs-debian.sh (debootstrap, a few minutes)
# and kept in /var/tmp/boxlaunch-test/debian for later runs.
load helpers

# Units that fail in any container without udev/hardware, and also under systemd-nspawn on the
# same rootfs (checked by hand): none expected on a minbase bookworm.
ALLOWED_FAILED=""

setup_file() {
	export DEB=${BOXLAUNCH_TEST_DEBIAN:-/var/tmp/boxlaunch-test/debian}
	"$ROOT_DIR/examples/mkrootfs-debian.sh" "$DEB" >&3 2>&1
	export MBOX=$BATS_FILE_TMPDIR/deb12.box
	printf '[Box]\nDirectory = %s\n[Exec]\nBoot = yes\nStopTimeout = 60s\n[Namespaces]\nNetwork = private\n[Limits]\nTasksMax = 4096\n' "$DEB" >"$MBOX"
}

setup() {
	snapshot_before
	BOX_PID=
}

teardown() {
	if [ -n "$BOX_PID" ]; then
		kill -KILL "$BOX_PID" 2>/dev/null || true
		wait "$BOX_PID" 2>/dev/null || true
	fi
	tmux kill-server 2>/dev/null || true
	assert_host_unchanged
}

boot() {
	"$BOXLAUNCH" "$MBOX" </dev/null >"$BATS_TEST_TMPDIR/console" 2>&1 &
	BOX_PID=$!
}

# Waits for `systemctl is-system-running` to settle; prints its last answer.
wait_running() {
	local st=
	for _ in $(seq 240); do
		st=$("$BOXLAUNCH" exec deb12 -- /bin/systemctl is-system-running 2>/dev/null) || true
		case "$st" in running | degraded) break ;; esac
		sleep 0.5
	done
	echo "$st"
}

@test "Debian 12 boots to running under boxlaunch, and stops cleanly with exit 0" {
	boot
	st=$(wait_running)
	if [ "$st" = degraded ]; then
		failed=$("$BOXLAUNCH" exec deb12 -- /bin/systemctl --failed --plain --no-legend | awk '{print $1}')
		echo "failed units: $failed"
		for u in $failed; do [[ " $ALLOWED_FAILED " == *" $u "* ]]; done
	else
		[ "$st" = running ]
	fi
	# What systemd expects of its container manager.
	run "$BOXLAUNCH" exec deb12 -- /bin/sh -c 'echo $container; cat /run/host/container-manager; systemd-detect-virt; cat /proc/1/comm; test -w /sys/fs/cgroup/systemd -o -w /sys/fs/cgroup/unified && echo cg-writable; cat /etc/machine-id'
	echo "$output"
	[ "${lines[0]}" = boxlaunch ] || true
	[ "${lines[1]}" = boxlaunch ]
	[ "${lines[2]}" = container-other ] || [ "${lines[2]}" = boxlaunch ]
	[ "${lines[3]}" = systemd ]
	[ "${lines[4]}" = cg-writable ]
	mid=${lines[5]}
	[ ${#mid} -eq 32 ]
	run "$BOXLAUNCH" stop deb12 --timeout 60
	status=0
	wait "$BOX_PID" || status=$?
	BOX_PID=
	[ "$status" -eq 0 ]
	grep -q 'Reached target.*Power-Off\|System Power Off\|Powering off\|Halting' "$BATS_TEST_TMPDIR/console" || cat "$BATS_TEST_TMPDIR/console"
}

@test "the machine id is stable across boots; a reboot inside makes boxlaunch exit 133" {
	boot
	[ "$(wait_running)" != "" ]
	id1=$("$BOXLAUNCH" exec deb12 -- /bin/cat /etc/machine-id)
	"$BOXLAUNCH" exec deb12 -- /bin/systemctl reboot || true
	status=0
	wait "$BOX_PID" || status=$?
	BOX_PID=
	[ "$status" -eq 133 ]
	boot
	[ "$(wait_running)" != "" ]
	id2=$("$BOXLAUNCH" exec deb12 -- /bin/cat /etc/machine-id)
	[ "$id1" = "$id2" ]
	"$BOXLAUNCH" exec deb12 -- /bin/systemctl poweroff || true
	status=0
	wait "$BOX_PID" || status=$?
	BOX_PID=
	[ "$status" -eq 0 ]
}

@test "the console is interactive: a getty prompt on /dev/console, and shell gets a login shell" {
	tmux new-session -d -s m -x 100 -y 30 "$BOXLAUNCH $MBOX"
	for _ in $(seq 240); do
		tmux capture-pane -t m -p | grep -q 'login:' && break
		sleep 0.5
	done
	tmux capture-pane -t m -p | grep -q 'login:'
	run script -qec "printf 'echo shell-ok \$(id -u)\\nexit\\n' | $BOXLAUNCH shell deb12" /dev/null
	grep -q 'shell-ok 0' <<<"$output"
	"$BOXLAUNCH" stop deb12 --timeout 60
	for _ in $(seq 100); do [ -e /run/boxlaunch/deb12 ] || break; sleep 0.2; done
	[ ! -e /run/boxlaunch/deb12 ]
}
