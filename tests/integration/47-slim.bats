#!/usr/bin/env bats
# Slimming: a box still running after half a second is handed to the slim supervisor (the stub
# image's `--supervise`, same pid), which keeps the stop protocol and the exit code and executes
# boxlaunch again to clean up. Boxes whose end needs more keep the full supervisor.
load helpers

setup_file() {
	ensure_rootfs
	export SLIM_ROOT=$BATS_FILE_TMPDIR/root
	cp -a "$ROOTFS" "$SLIM_ROOT"
	build_probe "$SLIM_ROOT"
}

setup() {
	snapshot_before
	BOX_PID=
}
teardown() {
	local rc=0
	[ -z "$BOX_PID" ] || reap_bg "$BOX_PID"
	"$BOXLAUNCH" stop slim >/dev/null 2>&1 || true
	assert_host_unchanged || rc=1
	return $rc
}

# is_slim PID: the process runs the stub image as the slim supervisor
is_slim() {
	readlink "/proc/$1/exe" 2>/dev/null | grep -q '^/memfd:boxlaunch-init' &&
		tr '\0' ' ' <"/proc/$1/cmdline" | grep -q '^boxlaunch --supervise '
}

# wait_slim PID: until the supervisor PID has slimmed (it does after 0.5 s)
wait_slim() {
	local i
	for i in $(seq $((WAIT_SECS * 20))); do
		is_slim "$1" && return 0
		sleep 0.05
	done
	echo "supervisor $1 did not slim: $(readlink "/proc/$1/exe")"
	return 1
}

# start_slim FILE [OPTIONS] -- CMD...: the box in the background (BOX_PID), until its command
# said "ready" and its supervisor slimmed
start_slim() {
	start_ready "$@"
	wait_slim "$BOX_PID"
}

@test "a detached idle box's supervisor slims: same pid, no socket, no image fd; verbs and stop work" {
	f=$(mkbox slim </dev/null)
	run "$BOXLAUNCH" --detach "$f" -- /bin/sleep 300 3>&-
	[ "$status" -eq 0 ]
	local sup
	sup=$(state_key slim supervisor)
	[ -n "$sup" ]
	wait_slim "$sup"
	[ "$(cat "/proc/$sup/comm")" = boxlaunch ]
	[ "$(state_key slim supervisor)" = "$sup" ]
	run ls -l "/proc/$sup/fd/"
	grep -q pidfd <<<"$output"
	refute grep -q 'socket:' <<<"$output"
	refute grep -q 'memfd:' <<<"$output"
	run "$BOXLAUNCH" list
	grep -q '^slim ' <<<"$output"
	run "$BOXLAUNCH" exec slim -- /bin/echo inside
	[ "$output" = inside ]
	run "$BOXLAUNCH" stop slim
	[ "$status" -eq 0 ]
	[ ! -e "$STATE_DIR/slim" ]
	[ ! -e "$STATE_DIR/.slim.log" ]
}

@test "slim: signals reach the command and its exit code comes back (foreground)" {
	f=$(mkbox slim </dev/null)
	start_slim --console=pipe "$f" -- /bin/sh -c 'trap "echo got-usr1; exit 7" USR1; echo ready; while :; do sleep 0.05; done'
	kill -USR1 "$BOX_PID"
	finish
	echo "$output"
	[ "$status" -eq 7 ]
	grep -q got-usr1 <<<"$output"
}

@test "slim: SIGTERM sends KillSignal=; after StopTimeout= the box is killed (137)" {
	f=$(mkbox slim <<'EOF2'
[Exec]
KillSignal = SIGUSR2
StopTimeout = 500ms
EOF2
)
	start_slim "$f" -- /bin/sh -c 'trap "echo got-usr2" USR2; trap "" TERM; echo ready; while :; do sleep 0.05; done'
	kill -TERM "$BOX_PID"
	finish
	echo "$output"
	[ "$status" -eq 137 ]
	grep -q got-usr2 <<<"$output"
	grep -q 'The box did not stop in time, killing it.' <<<"$output"
}

@test "a box told to stop before it slims never does, and its supervisor waits without spinning" {
	f=$(mkbox slim <<'EOF2'
[Exec]
StopTimeout = 3s
EOF2
)
	start_ready "$f" -- /bin/sh -c 'trap "" TERM; echo ready; while :; do sleep 0.05; done'
	kill -TERM "$BOX_PID"
	sleep 1.5
	refute is_slim "$BOX_PID"
	# user + system time in clock ticks (fields 14 and 15 after the command's parentheses)
	local ticks hz
	ticks=$(sed 's/.*) //' "/proc/$BOX_PID/stat" | awk '{print $12 + $13}')
	hz=$(getconf CLK_TCK)
	echo "supervisor CPU after 1.5 s of stopping: $ticks ticks at $hz Hz"
	[ "$ticks" -lt $((hz / 4)) ]
	finish
	[ "$status" -eq 137 ]
}

@test "slim: an OOM kill after slimming is still reported, with the key's file and line" {
	f=$(mkbox slim <<EOF2
[Box]
Directory = $SLIM_ROOT
[Limits]
MemoryMax = 32M
MemorySwapMax = 0
EOF2
)
	start_slim "$f" -- /bin/sh -c 'trap "exec /usr/bin/probe alloc 64" USR1; echo ready; while :; do sleep 0.05; done'
	kill -USR1 "$BOX_PID"
	finish
	echo "$output"
	[ "$status" -eq 137 ]
	grep -q "box 'slim': the OOM killer killed 1 process: the box reached its memory limit (.*slim.box:4" <<<"$output"
}

@test "a box with a poststop hook keeps its full supervisor: the hook runs at its end" {
	f=$(mkbox slim <<EOF2
[Hook post]
Stage = poststop
Command = /bin/sh -c "echo ran >$BATS_TEST_TMPDIR/post"
EOF2
)
	start_ready "$f" -- /bin/sh -c 'echo ready; sleep 1'
	sleep 0.8 # past the moment it would slim
	refute is_slim "$BOX_PID"
	finish
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/post")" = ran ]
}

@test "SIGKILL of a slim supervisor takes the box with it; gc leaves nothing" {
	f=$(mkbox slim </dev/null)
	run "$BOXLAUNCH" --detach "$f" -- /bin/sleep 300 3>&-
	[ "$status" -eq 0 ]
	local sup pid
	sup=$(state_key slim supervisor)
	pid=$(state_key slim pid)
	wait_slim "$sup"
	kill -KILL "$sup"
	for i in $(seq $((WAIT_SECS * 20))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	run kill -0 "$pid"
	[ "$status" -ne 0 ]
	run "$BOXLAUNCH" gc
	[ "$status" -eq 0 ]
	grep -q "removed state file $STATE_DIR/slim" <<<"$output"
}

@test "__finish refuses a descriptor that is not the box's locked state file" {
	f=$(mkbox slim </dev/null)
	run "$BOXLAUNCH" --detach "$f" -- /bin/sleep 300 3>&-
	[ "$status" -eq 0 ]
	exec 5<"$STATE_DIR/slim"
	run "$BOXLAUNCH" __finish slim 5 1 0 0
	exec 5<&-
	[ "$status" -eq 125 ]
	grep -q "not the locked state file of box 'slim'" <<<"$output"
	run "$BOXLAUNCH" __finish slim 0 1 0
	[ "$status" -eq 125 ]
	[ "$(state_key slim status)" = running ]
	run "$BOXLAUNCH" stop slim
	[ "$status" -eq 0 ]
}
