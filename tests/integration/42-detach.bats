#!/usr/bin/env bats
# --detach: boxlaunch returns once the box runs; the supervisor keeps serving it.
load helpers

setup_file() { ensure_rootfs; }
setup() { snapshot_before; }
teardown() {
	local rc=0
	"$BOXLAUNCH" stop det >/dev/null 2>&1 || true
	assert_host_unchanged || rc=1
	return $rc
}

@test "--detach returns the name once the box runs; verbs work; stop removes everything" {
	f=$(mkbox det </dev/null)
	# Without bats' fd 3: the detached supervisor keeps the descriptors it inherited.
	run "$BOXLAUNCH" --detach "$f" -- /bin/sh -c 'echo hello-log; sleep 300' 3>&-
	[ "$status" -eq 0 ]
	[ "$output" = det ]
	[ "$(state_key det status)" = running ]
	run "$BOXLAUNCH" list
	grep -q '^det ' <<<"$output"
	run "$BOXLAUNCH" exec det -- /bin/echo inside
	[ "$output" = inside ]
	wait_for "$STATE_DIR/.det.log" hello-log
	# The caller's stdout is not held open: a command substitution returned above.
	run "$BOXLAUNCH" stop det
	[ "$status" -eq 0 ]
	[ ! -e "$STATE_DIR/det" ]
}

@test "once the box runs its supervisor holds no socket and no copy of the stub image" {
	f=$(mkbox det </dev/null)
	run "$BOXLAUNCH" --detach "$f" -- /bin/sleep 300 3>&-
	[ "$status" -eq 0 ]
	local sup
	sup=$(state_key det supervisor)
	[ -n "$sup" ]
	run ls -l "/proc/$sup/fd/"
	[ "$status" -eq 0 ]
	grep -q pidfd <<<"$output"
	refute grep -q 'socket:' <<<"$output"
	refute grep -q 'memfd:' <<<"$output"
	run "$BOXLAUNCH" stop det
	[ "$status" -eq 0 ]
}

@test "--detach reports a failed start with its exit code and leaves nothing" {
	printf '[Box]\nDirectory = /nonexistent\n' >"$BATS_TEST_TMPDIR/det.box"
	run "$BOXLAUNCH" --detach "$BATS_TEST_TMPDIR/det.box"
	[ "$status" -eq 125 ]
	grep -q 'root directory /nonexistent' <<<"$output"
	[ ! -e "$STATE_DIR/det" ]
}
