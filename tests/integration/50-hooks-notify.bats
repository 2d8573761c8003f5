#!/usr/bin/env bats
# OCI hooks (order, namespaces, stdin state, failures, timeouts) and sd_notify.
load helpers

setup_file() {
	ensure_rootfs
	export HK_ROOT=$BATS_FILE_TMPDIR/root
	cp -a "$ROOTFS" "$HK_ROOT"
	build_probe "$HK_ROOT"
}
setup() { snapshot_before; }
teardown() { assert_host_unchanged; }

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
	! grep -q payload-ran <<<"$output"
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
	! grep -q payload-ran <<<"$output"
}

@test "a hook past its timeout is killed and the start aborted" {
	f=$(mkbox hookslow <<EOF2
[Hook slow]
Stage = prestart
Command = /bin/sleep 30
Timeout = 300ms
EOF2
)
	start=$(date +%s)
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	[ $(( $(date +%s) - start )) -lt 10 ]
	grep -qi 'timeout\|timed out' <<<"$output"
	! pgrep -f 'sleep 30'
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

# listen SOCKET OUT: collects datagrams on a unix socket until killed.
listen() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "w", buffering=1)
while True:
    out.write(s.recv(4096).decode().replace("\n", "|") + "\n")
' "$1" "$2" &
	LISTENER=$!
	for _ in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.05; done
	return 1
}

@test "sd_notify: READY=1 once the payload runs, STOPPING=1 when stopped" {
	listen "$BATS_TEST_TMPDIR/notify" "$BATS_TEST_TMPDIR/msgs"
	f=$(mkbox notif </dev/null)
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/notify "$BOXLAUNCH" "$f" -- /bin/sleep 30 </dev/null &
	pid=$!
	for _ in $(seq 100); do grep -q READY=1 "$BATS_TEST_TMPDIR/msgs" 2>/dev/null && break; sleep 0.05; done
	kill -TERM $pid
	wait $pid || true
	sleep 0.2
	kill $LISTENER
	cat "$BATS_TEST_TMPDIR/msgs"
	grep -n 'READY=1' "$BATS_TEST_TMPDIR/msgs"
	r=$(grep -n 'READY=1' "$BATS_TEST_TMPDIR/msgs" | head -1 | cut -d: -f1)
	s=$(grep -n 'STOPPING=1' "$BATS_TEST_TMPDIR/msgs" | head -1 | cut -d: -f1)
	[ -n "$r" ] && [ -n "$s" ] && [ "$r" -lt "$s" ]
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
	# The payload waits a moment, then reports through the socket it was given.
	NOTIFY_SOCKET=$BATS_TEST_TMPDIR/notify "$BOXLAUNCH" "$f" -- /bin/sh -c \
		'[ "$NOTIFY_SOCKET" = /run/host/notify ] && [ -S /run/host/notify ] || exit 9; sleep 0.3; /usr/bin/probe notify "STATUS=warming up"; /usr/bin/probe notify READY=1; sleep 0.5' </dev/null
	st=$?
	kill $LISTENER
	cat "$BATS_TEST_TMPDIR/msgs"
	[ "$st" -eq 0 ]
	grep -q 'STATUS=warming up' "$BATS_TEST_TMPDIR/msgs"
	grep -q '^READY=1' "$BATS_TEST_TMPDIR/msgs"
}
