#!/usr/bin/env bats
# Machine boxes: boot Debian 12's systemd as PID 1, manage it, stop it cleanly, reboot it.
# The root filesystem is made once with examples/mkrootfs-debian.sh (debootstrap, a few minutes)
# and kept in /var/tmp/boxlaunch-test/debian for later runs.
load helpers

# A boot, a reboot and a stop take minutes on a loaded machine.
[ "${BATS_TEST_TIMEOUT:-0}" -ge 900 ] || BATS_TEST_TIMEOUT=900

# Units that fail in any container without udev/hardware, and also under systemd-nspawn on the
# same rootfs (checked by hand): none expected on a minbase bookworm.
ALLOWED_FAILED=""

setup_file() {
	# Made once (under a lock: two runs may start at once), then each run boots a copy of its
	# own: two systemds must not share one tree.
	local src=${BOXLAUNCH_TEST_DEBIAN:-/var/tmp/boxlaunch-test/debian}
	mkdir -p "$(dirname "$src")"
	local st=0
	flock "$(dirname "$src")" "$ROOT_DIR/examples/mkrootfs-debian.sh" "$src" \
		>"$BATS_FILE_TMPDIR/mkrootfs.log" 2>&1 || st=$?
	sed 's/^/# /' "$BATS_FILE_TMPDIR/mkrootfs.log" >&3
	[ "$st" -eq 0 ]
	export DEB=$BATS_FILE_TMPDIR/debian
	cp -a --reflink=auto "$src" "$DEB"
	# A unit that notes, in the copy's /root, when systemd stops it on its way down: proof of a
	# clean shutdown (a console that is no terminal gets no status lines to look for).
	cat >"$DEB/etc/systemd/system/shutdown-marker.service" <<'EOF2'
[Unit]
Description=Marks a clean shutdown
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/rm -f /root/shutdown-marker
ExecStop=/bin/sh -c 'echo stopped-cleanly >/root/shutdown-marker'
[Install]
WantedBy=multi-user.target
EOF2
	mkdir -p "$DEB/etc/systemd/system/multi-user.target.wants"
	ln -sf ../shutdown-marker.service "$DEB/etc/systemd/system/multi-user.target.wants/"
	export MBOX=$BATS_FILE_TMPDIR/deb12.box
	printf '[Box]\nDirectory = %s\n[Exec]\nBoot = yes\nStopTimeout = 60s\n[Namespaces]\nNetwork = private\n[Limits]\nTasksMax = 4096\n' "$DEB" >"$MBOX"
}

setup() {
	snapshot_before
	BOX_PID=
}

teardown() {
	local rc=0
	[ -z "$BOX_PID" ] || reap_bg "$BOX_PID"
	tm_kill
	assert_host_unchanged || rc=1
	return $rc
}

boot() {
	"$BOXLAUNCH" "$MBOX" </dev/null >"$BATS_TEST_TMPDIR/console" 2>&1 3>&- &
	BOX_PID=$!
}

# Waits for `systemctl is-system-running` to settle; prints its last answer.
wait_running() {
	local st=
	for _ in $(seq 480); do
		st=$("$BOXLAUNCH" exec deb12 -- /bin/systemctl is-system-running 2>/dev/null) || true
		case "$st" in running | degraded) break ;; esac
		sleep 0.5
	done
	echo "$st"
}

# The boot settled (running, or degraded by an allowed unit only).
booted() {
	local st failed u
	st=$(wait_running)
	echo "is-system-running: $st"
	if [ "$st" = degraded ]; then
		failed=$("$BOXLAUNCH" exec deb12 -- /bin/systemctl --failed --plain --no-legend | awk '{print $1}')
		echo "failed units: $failed"
		for u in $failed; do [[ " $ALLOWED_FAILED " == *" $u "* ]] || return 1; done
		return 0
	fi
	[ "$st" = running ]
}

@test "Debian 12 boots to running under boxlaunch, and stops cleanly with exit 0" {
	boot
	booted
	"$BOXLAUNCH" exec deb12 -- /bin/systemctl is-active shutdown-marker.service
	[ ! -e "$DEB/root/shutdown-marker" ]
	# What systemd expects of its container manager.
	run "$BOXLAUNCH" exec deb12 -- /bin/sh -c 'echo $container; cat /run/host/container-manager; systemd-detect-virt; cat /proc/1/comm; test -w /sys/fs/cgroup/systemd -o -w /sys/fs/cgroup/unified && echo cg-writable; cat /etc/machine-id; tr "\0" "\n" </proc/1/environ | grep ^container='
	echo "$output"
	[ "${lines[0]}" = boxlaunch ]
	[ "${lines[1]}" = boxlaunch ]
	[ "${lines[2]}" = container-other ] || [ "${lines[2]}" = boxlaunch ]
	[ "${lines[3]}" = systemd ]
	[ "${lines[4]}" = cg-writable ]
	mid=${lines[5]}
	[[ "$mid" =~ ^[0-9a-f]{32}$ ]]
	[ "${lines[6]}" = container=boxlaunch ]
	run "$BOXLAUNCH" stop deb12 --timeout 60
	[ "$status" -eq 0 ]
	wait_exit "$BOX_PID" 120
	BOX_PID=
	[ "$wait_status" -eq 0 ]
	# systemd went down its shutdown path (not a kill): it stopped the marker unit.
	[ "$(cat "$DEB/root/shutdown-marker")" = stopped-cleanly ]
}

@test "the machine id is stable across boots; a reboot inside makes boxlaunch exit 133" {
	boot
	booted
	id1=$("$BOXLAUNCH" exec deb12 -- /bin/cat /etc/machine-id)
	[[ "$id1" =~ ^[0-9a-f]{32}$ ]]
	"$BOXLAUNCH" exec deb12 -- /bin/systemctl reboot || true
	wait_exit "$BOX_PID" 180
	BOX_PID=
	[ "$wait_status" -eq 133 ]
	boot
	booted
	id2=$("$BOXLAUNCH" exec deb12 -- /bin/cat /etc/machine-id)
	[ "$id1" = "$id2" ]
	"$BOXLAUNCH" exec deb12 -- /bin/systemctl poweroff || true
	wait_exit "$BOX_PID" 180
	BOX_PID=
	[ "$wait_status" -eq 0 ]
}

@test "the console is interactive: a getty prompt on /dev/console, and shell gets a login shell" {
	# A private tmux server, started from this test's environment (runtime directory and all).
	tm new-session -d -s m -x 100 -y 30 "$BOXLAUNCH $MBOX"
	for _ in $(seq 480); do
		tm capture-pane -t m -p | grep -q 'login:' && break
		sleep 0.5
	done
	tm capture-pane -t m -p | grep -q 'login:'
	run in_pty "printf 'echo shell-ok \$(id -u)\\nexit\\n' | $BOXLAUNCH shell deb12"
	echo "$output"
	grep -q 'shell-ok 0' <<<"$output"
	"$BOXLAUNCH" stop deb12 --timeout 60
	for _ in $(seq 600); do [ -e "$STATE_DIR/deb12" ] || break; sleep 0.2; done
	[ ! -e "$STATE_DIR/deb12" ]
}
