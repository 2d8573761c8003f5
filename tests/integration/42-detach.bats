#!/usr/bin/env bats
# --detach: boxlaunch returns once the box runs; the supervisor keeps serving it.
load helpers

setup_file() { ensure_rootfs; }
setup() { snapshot_before; }
teardown() {
	"$BOXLAUNCH" stop det >/dev/null 2>&1 || true
	for _ in $(seq 50); do [ -e /run/boxlaunch/det ] || break; sleep 0.1; done
	assert_host_unchanged
}

@test "--detach returns the name once the box runs; verbs work; stop removes everything" {
	f=$(mkbox det </dev/null)
	run "$BOXLAUNCH" --detach "$f" -- /bin/sh -c 'echo hello-log; sleep 30'
	[ "$status" -eq 0 ]
	[ "$output" = det ]
	[ "$(state_key det status)" = running ]
	run "$BOXLAUNCH" list
	grep -q '^det ' <<<"$output"
	run "$BOXLAUNCH" exec det -- /bin/echo inside
	[ "$output" = inside ]
	grep -q hello-log /run/boxlaunch/.det.log
	# The caller's stdout is not held open: a command substitution returned above.
	run "$BOXLAUNCH" stop det
	[ "$status" -eq 0 ]
	[ ! -e /run/boxlaunch/det ]
}

@test "--detach reports a failed start with its exit code and leaves nothing" {
	printf '[Box]\nDirectory = /nonexistent\n' >"$BATS_TEST_TMPDIR/det.box"
	run "$BOXLAUNCH" --detach "$BATS_TEST_TMPDIR/det.box"
	[ "$status" -eq 125 ]
	grep -q 'root directory /nonexistent' <<<"$output"
	[ ! -e /run/boxlaunch/det ]
}
