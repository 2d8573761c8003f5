#!/usr/bin/env bats
# OCI hooks (order, namespaces, stdin state, failures, timeouts) and sd_notify.
load helpers

setup_file() {
	ensure_rootfs
	export HK_ROOT=$BATS_FILE_TMPDIR/root
	cp -a "$ROOTFS" "$HK_ROOT"
	build_probe "$HK_ROOT"
}
setup() {
	snapshot_before
	LISTENER=
	BOX_PID=
}
teardown() {
	local rc=0 p
	# Background processes of the test go first: one left holding bats' fd 3 would hang the run.
	[ -z "$BOX_PID$LISTENER" ] || reap_bg $BOX_PID $LISTENER
	assert_host_unchanged || rc=1
	return $rc
}

# hook STAGE NAME: a [Hook] section whose script records its stage, its UTS namespace and its
# stdin in $REC, a directory bind-mounted at the same path inside the box (hooks that run after
# pivot_root see the box's tree).
hook() {
	cat <<EOF2

[Hook $2]
Stage = $1
Command = "/bin/sh -c 'echo $1 \$(readlink /proc/self/ns/uts) \$HOOK_STAGE >>$REC/order; cat >$REC/$1.json'"
Environment = HOOK_STAGE=$1
Timeout = 10s
EOF2
}

@test "every hook stage runs once, in order, in the namespaces the OCI spec gives it, with the state on stdin" {
	REC=$BATS_TEST_TMPDIR/rec
	mkdir -p "$REC"
	f=$(mkbox hooked <<EOF2
[Box]
Directory = $HK_ROOT
Hostname = inside

[Mount rec]
Source = $REC
Target = $REC
$(hook prestart a)
$(hook createRuntime b)
$(hook createContainer c)
$(hook startContainer d)
$(hook poststart e)
$(hook poststop f)
EOF2
)
	run_box "$f" -- /bin/sh -c 'echo payload; exit 4'
	[ "$status" -eq 4 ]
	host=$(readlink /proc/self/ns/uts)
	cat "$REC/order"
	mapfile -t lines <"$REC/order"
	[ "${lines[0]}" = "prestart $host prestart" ]
	[ "${lines[1]}" = "createRuntime $host createRuntime" ]
	[[ "${lines[2]}" == "createContainer uts:"* ]]
	[ "${lines[2]}" != "createContainer $host createContainer" ]
	[[ "${lines[3]}" == "startContainer uts:"* ]]
	[ "${lines[3]}" != "startContainer $host startContainer" ]
	[ "${lines[4]}" = "poststart $host poststart" ]
	[ "${lines[5]}" = "poststop $host poststop" ]
	[ "${#lines[@]}" -eq 6 ]
	for s in prestart createRuntime createContainer startContainer poststart poststop; do
		jq -e '.ociVersion and .id == "hooked" and (.annotations | type) == "object" and .bundle' \
			"$REC/$s.json"
	done
	[ "$(jq -r .status "$REC/prestart.json")" = creating ]
	[ "$(jq -r .status "$REC/startContainer.json")" = created ]
	[ "$(jq -r .status "$REC/poststart.json")" = running ]
	[ "$(jq -r .status "$REC/poststop.json")" = stopped ]
	[ "$(jq -r .pid "$REC/poststart.json")" -gt 1 ]
}

@test "a failing createRuntime hook aborts the start with 125 and leaves nothing" {
	f=$(mkbox hookfail <<EOF2
[Hook bad]
Stage = createRuntime
Command = /bin/sh -c "exit 3"
EOF2
)
	run_box "$f" -- /bin/sh -c 'echo payload-ran'
	[ "$status" -eq 125 ]
	refute grep -q payload-ran <<<"$output"
	grep -q "hook 'bad'" <<<"$output"
}

@test "a failing createContainer hook aborts the start too" {
	f=$(mkbox hookfail2 <<EOF2
[Hook bad]
Stage = createContainer
Command = /bin/false
EOF2
)
	run_box "$f" -- /bin/sh -c 'echo payload-ran'
	[ "$status" -eq 125 ]
	refute grep -q payload-ran <<<"$output"
	grep -q "hook 'bad'" <<<"$output"
}

@test "a hook past its timeout is killed and the start aborted" {
	# A sleep of a length no other test uses: long, so that only the timeout can end it.
	dur=$((3000000 + RANDOM))
	f=$(mkbox hookslow <<EOF2
[Hook slow]
Stage = prestart
Command = /bin/sleep $dur
Timeout = 300ms
EOF2
)
	start=$SECONDS
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	# Ended by the timeout, long before the hook would have ended on its own.
	[ $((SECONDS - start)) -lt 120 ]
	grep -qi 'timeout\|timed out' <<<"$output"
	refute pgrep -f -x "/bin/sleep $dur"
}

@test "poststart and poststop failures are warnings only" {
	f=$(mkbox hookwarn <<EOF2
[Hook a]
Stage = poststart
Command = /bin/false
[Hook b]
Stage = poststop
Command = /bin/false
EOF2
)
	run_box "$f" -- /bin/sh -c 'exit 0'
	[ "$status" -eq 0 ]
	grep -q "hook 'a'" <<<"$output"
	grep -q "hook 'b'" <<<"$output"
}

# listen SOCKET OUT: collects datagrams on a unix socket until killed (in teardown at the
# latest; without bats' fd 3, which it would otherwise hold open).
listen() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "w", buffering=1)
while True:
    out.write(s.recv(4096).decode().replace("\n", "|") + "\n")
' "$1" "$2" </dev/null 3>&- &
	LISTENER=$!
	for _ in $(seq $((WAIT_SECS * 20))); do [ -S "$1" ] && return 0; sleep 0.05; done
	return 1
}

@test "sd_notify: READY=1 once the payload runs, STOPPING=1 when stopped" {
	listen "$BATS_TEST_TMPDIR/notify" "$BATS_TEST_TMPDIR/msgs"
	f=$(mkbox notif </dev/null)
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/notify "$BOXLAUNCH" "$f" -- /bin/sleep 300 </dev/null 3>&- &
	BOX_PID=$!
	wait_for "$BATS_TEST_TMPDIR/msgs" 'READY=1'
	kill -TERM $BOX_PID
	wait_exit "$BOX_PID"
	BOX_PID=
	wait_for "$BATS_TEST_TMPDIR/msgs" 'STOPPING=1'
	cat "$BATS_TEST_TMPDIR/msgs"
	r=$(grep -n 'READY=1' "$BATS_TEST_TMPDIR/msgs" | head -1 | cut -d: -f1)
	s=$(grep -n 'STOPPING=1' "$BATS_TEST_TMPDIR/msgs" | head -1 | cut -d: -f1)
	[ -n "$r" ]
	[ -n "$s" ]
	[ "$r" -lt "$s" ]
}

@test "NotifyReady=yes relays the payload's own READY=1 through /run/host/notify" {
	listen "$BATS_TEST_TMPDIR/notify" "$BATS_TEST_TMPDIR/msgs"
	f=$(mkbox notif2 <<EOF2
[Box]
Directory = $HK_ROOT
[Exec]
NotifyReady = yes
EOF2
)
	# The payload reports through the socket it was given.
	st=0
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/notify "$BOXLAUNCH" "$f" -- /bin/sh -c \
		'[ "$NOTIFY_SOCKET" = /run/host/notify ] && [ -S /run/host/notify ] || exit 9; /usr/bin/probe notify "STATUS=warming up"; /usr/bin/probe notify READY=1' </dev/null 3>&- || st=$?
	[ "$st" -eq 0 ]
	wait_for "$BATS_TEST_TMPDIR/msgs" '^READY=1'
	cat "$BATS_TEST_TMPDIR/msgs"
	grep -q 'STATUS=warming up' "$BATS_TEST_TMPDIR/msgs"
	# boxlaunch itself waited for the payload's READY=1: none of its own came earlier.
	[ "$(grep -c 'READY=1' "$BATS_TEST_TMPDIR/msgs")" -eq 1 ]
}
