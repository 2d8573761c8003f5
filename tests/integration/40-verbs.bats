#!/usr/bin/env bats
# The verbs on running boxes: list, status, exec, shell, kill, stop, pause, resume, ps, stats, gc.
load helpers

# Only this file's boxes (all named vbt-*): other suites may run boxes on the same host at the
# same time, and gc here must be seen to touch nothing else either.
host_snapshot() {
	{
		echo "mounts: $(wc -l </proc/self/mountinfo)"
		echo "state: $(ls -A /run/boxlaunch 2>/dev/null | grep '^vbt-' | tr '\n' ' ')"
		echo "cgroups: $(ls -d /sys/fs/cgroup/*/boxlaunch/vbt-* /sys/fs/cgroup/boxlaunch/vbt-* 2>/dev/null | tr '\n' ' ')"
		echo "procs: $(pgrep -c -f '^[^ ]*boxlaunch .*vbt-' || true)"
	}
}

setup_file() { ensure_rootfs; }
setup() {
	snapshot_before
	STARTED=()
}
teardown() {
	local n
	for n in "${STARTED[@]}"; do
		if [ -f "/run/boxlaunch/$n" ]; then
			"$BOXLAUNCH" resume "$n" >/dev/null 2>&1 || true
			"$BOXLAUNCH" stop --timeout 5 "$n" >/dev/null 2>&1 || true
		fi
		wait_bg "$n"
		"$BOXLAUNCH" gc "$n" >/dev/null 2>&1 || true
	done
	if [ -n "${LEFTOVER:-}" ]; then kill -9 "$LEFTOVER" 2>/dev/null || true; fi
	assert_host_unchanged
}

# start_box NAME FILE CMD...: runs the box in the background and waits until it is running.
start_box() {
	local name=$1 f=$2 i
	shift 2
	STARTED+=("$name")
	"$BOXLAUNCH" "$f" -- "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>&1 &
	echo $! >"$BATS_TEST_TMPDIR/$name.bg"
	for i in $(seq 100); do
		[ "$(state_key $name status)" = running ] && return 0
		sleep 0.05
	done
	echo "box $name did not start" >&2
	cat "$BATS_TEST_TMPDIR/$name.out" >&2
	return 1
}

# wait_bg NAME: waits for the background boxlaunch of NAME; sets bg_status.
wait_bg() {
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/$1.bg" 2>/dev/null) || return 0
	bg_status=0
	wait "$pid" 2>/dev/null || bg_status=$?
	rm -f "$BATS_TEST_TMPDIR/$1.bg"
}

bl() {
	status=0
	output=$("$BOXLAUNCH" "$@" 2>&1 </dev/null) || status=$?
	mapfile -t lines <<<"$output"
}

# The payload's host pid (the only child of the stub init, PID 1).
payload_pid() { cat "/proc/$(state_key $1 pid)/task/"*/children | awk '{print $1}'; }

# All hierarchies where the box has a group.
box_cgroups() { ls -d /sys/fs/cgroup/*/"$(state_key "$1" cgroup)" /sys/fs/cgroup/"$(state_key "$1" cgroup)" 2>/dev/null; }

@test "list shows a running box; list --json is a JSON array with its fields" {
	f=$(mkbox vbt-list </dev/null)
	start_box vbt-list "$f" /bin/sleep 30
	bl list
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "NAME PID STATUS CREATED CGROUP" ]
	line=$(grep '^vbt-list ' <<<"$output")
	read -r n pid st age cg <<<"$line"
	[ "$pid" = "$(state_key vbt-list pid)" ]
	[ "$st" = running ]
	[[ "$age" =~ ^[0-9]+s$ ]]
	[ "$cg" = boxlaunch/vbt-list.box ]
	bl list --json
	[ "$status" -eq 0 ]
	obj=$(jq -c '.[] | select(.name == "vbt-list")' <<<"$output")
	[ "$(jq -r .pid <<<"$obj")" = "$(state_key vbt-list pid)" ]
	[ "$(jq -r .supervisor <<<"$obj")" = "$(cat "$BATS_TEST_TMPDIR/vbt-list.bg")" ]
	[ "$(jq -r .status <<<"$obj")" = running ]
	[ "$(jq -r .cgroup <<<"$obj")" = boxlaunch/vbt-list.box ]
	[ "$(jq -r .root <<<"$obj")" = "$ROOTFS" ]
	[ "$(jq -r .created <<<"$obj")" -le "$(date +%s)" ]
	bl list --bogus
	[ "$status" -eq 1 ]
}

@test "status and status --json describe one box; a stopped box is not found" {
	f=$(mkbox vbt-status </dev/null)
	start_box vbt-status "$f" /bin/sleep 30
	bl status vbt-status
	[ "$status" -eq 0 ]
	grep -q "^Name: *vbt-status$" <<<"$output"
	grep -q "^Status: *running$" <<<"$output"
	grep -q "^PID: *$(state_key vbt-status pid)$" <<<"$output"
	grep -q "^Root: *$ROOTFS$" <<<"$output"
	grep -q "^State: */run/boxlaunch/vbt-status$" <<<"$output"
	# One file, readable by root only: the configuration may carry secrets.
	[ "$(stat -c %a /run/boxlaunch/vbt-status)" = 600 ]
	grep -q "^Processes: *2$" <<<"$output"
	bl status vbt-status --json
	[ "$status" -eq 0 ]
	[ "$(jq -r .name <<<"$output")" = vbt-status ]
	[ "$(jq -r .processes <<<"$output")" = 2 ]
	[ "$(jq -r .state <<<"$output")" = /run/boxlaunch/vbt-status ]
	[ "$(jq -r .root <<<"$output")" = "$ROOTFS" ]
	"$BOXLAUNCH" stop vbt-status
	bl status vbt-status
	[ "$status" -eq 1 ]
	grep -q "no box 'vbt-status' is running" <<<"$output"
}

@test "exec runs in the box's pid namespace, cgroup and capability set" {
	f=$(mkbox vbt-exec <<'EOF2'
[Capabilities]
Drop = CAP_CHOWN CAP_NET_RAW
EOF2
)
	start_box vbt-exec "$f" /bin/sleep 30
	pid1=$(state_key vbt-exec pid)
	bl exec vbt-exec -- /bin/sh -c 'readlink /proc/self/ns/pid; grep CapEff /proc/self/status; cat /proc/self/cgroup | md5sum; cat /proc/1/cgroup | md5sum; echo $$'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/$pid1/ns/pid)" ]
	[ "${lines[0]}" != "$(readlink /proc/self/ns/pid)" ]
	[ "${lines[1]}" = "$(grep CapEff /proc/$(payload_pid vbt-exec)/status)" ]
	[ "${lines[2]}" = "${lines[3]}" ]
	[ "${lines[4]}" -gt 2 ]
	# From the host: an exec'd process sits in exactly the payload's cgroups.
	"$BOXLAUNCH" exec vbt-exec -- /bin/sleep 5 </dev/null >/dev/null 2>&1 &
	execpid=$!
	for i in $(seq 50); do
		spid=$("$BOXLAUNCH" ps vbt-exec | awk '$4 == "/bin/sleep" && $5 == 5 {print $1}')
		[ -n "$spid" ] && break
		sleep 0.05
	done
	[ -n "$spid" ]
	[ "$(cat /proc/$spid/cgroup)" = "$(cat /proc/$(payload_pid vbt-exec)/cgroup)" ]
	"$BOXLAUNCH" kill vbt-exec KILL
	wait "$execpid" || true
}

@test "exec enters a user namespace and a private network" {
	f=$(mkbox vbt-userns <<'EOF2'
[Namespaces]
User = 100000:65536
Network = private
EOF2
)
	start_box vbt-userns "$f" /bin/sleep 30
	pid1=$(state_key vbt-userns pid)
	bl exec vbt-userns -- /bin/sh -c 'cat /proc/self/uid_map; id -u; readlink /proc/self/ns/net; readlink /proc/self/ns/user; grep CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = "$(readlink /proc/$pid1/ns/net)" ]
	[ "${lines[3]}" = "$(readlink /proc/$pid1/ns/user)" ]
	[ "${lines[4]}" = "$(grep CapEff /proc/$(payload_pid vbt-userns)/status)" ]
}

@test "exec exit codes: the command's, 127 not found, 126 not executable, 128+N killed" {
	f=$(mkbox vbt-codes </dev/null)
	start_box vbt-codes "$f" /bin/sleep 30
	bl exec vbt-codes -- /bin/sh -c 'exit 3'
	[ "$status" -eq 3 ]
	bl exec vbt-codes -- /no/such/command
	[ "$status" -eq 127 ]
	grep -q "command not found in box 'vbt-codes'" <<<"$output"
	bl exec vbt-codes -- no-such-command-in-path
	[ "$status" -eq 127 ]
	bl exec vbt-codes -- /etc/passwd
	[ "$status" -eq 126 ]
	bl exec vbt-codes -- /bin/sh -c 'kill -USR1 $$'
	[ "$status" -eq $((128 + 10)) ]
	bl exec vbt-codes -- /bin/true
	[ "$status" -eq 0 ]
}

@test "SIGTERM to exec reaches the command" {
	f=$(mkbox vbt-fwd </dev/null)
	start_box vbt-fwd "$f" /bin/sleep 30
	"$BOXLAUNCH" exec vbt-fwd -- /bin/sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done' </dev/null >"$BATS_TEST_TMPDIR/fwd.out" 2>&1 &
	execpid=$!
	for i in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/fwd.out" && break; sleep 0.05; done
	kill -TERM "$execpid"
	st=0
	wait "$execpid" || st=$?
	[ "$st" -eq 7 ]
}

@test "exec -u, --env and --workdir" {
	f=$(mkbox vbt-ids <<'EOF2'
[Exec]
Environment = FROMBOX=1 OVERRIDE=box
EOF2
)
	start_box vbt-ids "$f" /bin/sleep 30
	bl exec -u app vbt-ids -- /bin/sh -c 'id -u; id -g; echo $HOME'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = /home/app ]
	bl exec --env FOO=bar -e OVERRIDE=cli vbt-ids -- /bin/sh -c 'echo $FOO $FROMBOX $OVERRIDE $container'
	[ "$output" = "bar 1 cli boxlaunch" ]
	bl exec -w /etc vbt-ids -- /bin/pwd
	[ "$output" = /etc ]
	bl exec -u ghost vbt-ids -- /bin/true
	[ "$status" -eq 125 ]
	grep -q "user 'ghost' not found" <<<"$output"
	bl exec -e NOEQUALS vbt-ids -- /bin/true
	[ "$status" -eq 1 ]
	bl exec vbt-ids
	[ "$status" -eq 1 ]
	grep -q "missing COMMAND" <<<"$output"
}

@test "exec -t gets a pty from the box's devpts; shell runs a login shell on it" {
	f=$(mkbox vbt-tty </dev/null)
	start_box vbt-tty "$f" /bin/sleep 30
	out=$(script -qec "$BOXLAUNCH exec -t vbt-tty -- /bin/sh -c 'tty; exit 5'" /dev/null </dev/null) || st=$?
	[ "${st:-0}" -eq 5 ]
	grep -q '/dev/pts/[0-9]' <<<"$out"
	# Without -t the command shares boxlaunch's stdio.
	bl exec vbt-tty -- /bin/sh -c 'tty'
	! grep -q '^/dev/pts/' <<<"$output"
	out=$(printf 'id\nexit 0\n' | script -qec "$BOXLAUNCH shell vbt-tty" /dev/null)
	grep -q 'uid=0(root)' <<<"$out"
	out=$(printf 'id\nexit 0\n' | script -qec "$BOXLAUNCH shell -u app vbt-tty" /dev/null)
	grep -q 'uid=1000(app)' <<<"$out"
}

@test "kill sends named signals, numbers and SIGRTMIN+n to PID 1" {
	f=$(mkbox vbt-kill </dev/null)
	start_box vbt-kill "$f" /bin/sh -c 'trap "echo got; exit 9" USR1; while :; do sleep 0.1; done'
	bl kill vbt-kill SIGUSR1
	[ "$status" -eq 0 ]
	wait_bg vbt-kill
	[ "$bg_status" -eq 9 ]
	grep -q got "$BATS_TEST_TMPDIR/vbt-kill.out"

	start_box vbt-kill "$f" /bin/sleep 30
	bl kill vbt-kill NOSUCHSIG
	[ "$status" -eq 1 ]
	bl kill vbt-kill SIGRTMIN+2
	[ "$status" -eq 0 ]
	wait_bg vbt-kill
	[ "$bg_status" -eq $((128 + $(kill -l RTMIN+2))) ]

	start_box vbt-kill "$f" /bin/sleep 30
	bl kill vbt-kill 10
	[ "$status" -eq 0 ]
	wait_bg vbt-kill
	[ "$bg_status" -eq $((128 + 10)) ]
}

@test "stop ends the box within the timeout and removes its state and cgroups" {
	f=$(mkbox vbt-stop </dev/null)
	start_box vbt-stop "$f" /bin/sleep 30
	mapfile -t cgs < <(box_cgroups vbt-stop)
	[ "${#cgs[@]}" -gt 0 ]
	start=$SECONDS
	bl stop vbt-stop
	[ "$status" -eq 0 ]
	[ $((SECONDS - start)) -lt 5 ]
	[ ! -e /run/boxlaunch/vbt-stop ]
	for d in "${cgs[@]}"; do [ ! -e "$d" ]; done
	wait_bg vbt-stop
	[ "$bg_status" -eq 143 ]
}

@test "stop --timeout kills a box that ignores its stop signal" {
	f=$(mkbox vbt-stubborn <<'EOF2'
[Exec]
StopTimeout = 60s
EOF2
)
	start_box vbt-stubborn "$f" /bin/sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	start=$SECONDS
	bl stop --timeout 1 vbt-stubborn
	[ "$status" -eq 0 ]
	grep -q "did not stop within 1s" <<<"$output"
	[ $((SECONDS - start)) -lt 10 ]
	[ ! -e /run/boxlaunch/vbt-stubborn ]
	wait_bg vbt-stubborn
	[ "$bg_status" -eq 137 ]
	bl stop --timeout nope vbt-stubborn
	[ "$status" -eq 1 ]
}

@test "pause freezes the box and resume thaws it" {
	data=$BATS_TEST_TMPDIR/data
	mkdir -p "$data"
	f=$(mkbox vbt-pause <<EOF2
[Mount data]
Source = $data
Target = /data
EOF2
)
	start_box vbt-pause "$f" /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i >/data/c.new; mv /data/c.new /data/c; sleep 0.05; done'
	sleep 0.3
	bl pause vbt-pause
	[ "$status" -eq 0 ]
	[ "$(state_key vbt-pause status)" = paused ]
	a=$(cat "$data/c")
	sleep 0.5
	b=$(cat "$data/c")
	[ "$a" = "$b" ]
	bl list
	grep -q '^vbt-pause .* paused ' <<<"$output"
	bl exec vbt-pause -- /bin/true
	[ "$status" -eq 1 ]
	grep -q "paused" <<<"$output"
	bl resume vbt-pause
	[ "$status" -eq 0 ]
	[ "$(state_key vbt-pause status)" = running ]
	sleep 0.5
	c=$(cat "$data/c")
	[ "$c" -gt "$b" ]
	# A paused box can still be stopped: stop thaws it first.
	bl pause vbt-pause
	[ "$status" -eq 0 ]
	bl stop --timeout 5 vbt-pause
	[ "$status" -eq 0 ]
	[ ! -e /run/boxlaunch/vbt-pause ]
}

@test "ps lists host and box pids; PID 1 is the stub init" {
	f=$(mkbox vbt-ps </dev/null)
	start_box vbt-ps "$f" /bin/sleep 30
	bl ps vbt-ps
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "PID BOXPID UID COMMAND" ]
	read -r hp bp uid cmd <<<"${lines[1]}"
	[ "$hp" = "$(state_key vbt-ps pid)" ]
	[ "$bp" = 1 ]
	[ "$uid" = 0 ]
	[[ "$cmd" == boxlaunch-init* ]]
	read -r hp bp uid cmd <<<"${lines[2]}"
	[ "$hp" = "$(payload_pid vbt-ps)" ]
	[ "$bp" = 2 ]
	[ "$cmd" = "/bin/sleep 30" ]
	bl ps vbt-ps --json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" = 2 ]
	[ "$(jq -r '.[1].command' <<<"$output")" = "/bin/sleep 30" ]
	[ "$(jq -r '.[1].box_pid' <<<"$output")" = 2 ]
}

@test "stats reports memory and the network counters; --json parses" {
	f=$(mkbox vbt-stats </dev/null)
	start_box vbt-stats "$f" /bin/sleep 30
	bl stats vbt-stats
	[ "$status" -eq 0 ]
	mem=$(awk '/^Memory:/ {print $2}' <<<"$output")
	[ "$mem" -gt 0 ]
	grep -q '^Tasks: *2$' <<<"$output"
	grep -q '^Network rx:' <<<"$output"
	bl stats vbt-stats --json
	[ "$status" -eq 0 ]
	[ "$(jq -r .memory_current_bytes <<<"$output")" -gt 0 ]
	[ "$(jq -r .pids <<<"$output")" = 2 ]
	jq -e '.cpu_usage_usec >= 0 and .net_rx_bytes >= 0 and .net_tx_packets >= 0 and .io_read_bytes >= 0' <<<"$output"
}

@test "gc cleans up after a supervisor killed with SIGKILL, leftovers included" {
	f=$(mkbox vbt-gc </dev/null)
	start_box vbt-gc "$f" /bin/sleep 30
	mapfile -t cgs < <(box_cgroups vbt-gc)
	pid1=$(state_key vbt-gc pid)
	# A process left in the box's cgroups but outside its pid namespace.
	sleep 60 </dev/null >/dev/null 2>&1 &
	LEFTOVER=$!
	for d in "${cgs[@]}"; do echo "$LEFTOVER" >"$d/cgroup.procs"; done
	kill -9 "$(cat "$BATS_TEST_TMPDIR/vbt-gc.bg")"
	wait_bg vbt-gc
	[ -f /run/boxlaunch/vbt-gc ]
	bl status vbt-gc
	[ "$status" -eq 1 ]
	bl list
	! grep -q '^vbt-gc ' <<<"$output"
	bl gc vbt-gc
	[ "$status" -eq 0 ]
	grep -q "removed state file /run/boxlaunch/vbt-gc" <<<"$output"
	grep -q "removed cgroup boxlaunch/vbt-gc" <<<"$output"
	[ ! -e /run/boxlaunch/vbt-gc ]
	for d in "${cgs[@]}"; do [ ! -e "$d" ]; done
	wait "$LEFTOVER" || true
	! kill -0 "$LEFTOVER" 2>/dev/null
	LEFTOVER=
	st=$(awk '{print $3}' /proc/$pid1/stat 2>/dev/null || echo gone)
	[ "$st" = gone ] || [ "$st" = Z ]
	bl gc vbt-gc
	[ "$status" -eq 0 ]
	grep -q "nothing to clean up" <<<"$output"
}

@test "gc without a name collects every dead box and never touches a running one" {
	f=$(mkbox vbt-gcall </dev/null)
	start_box vbt-gcall "$f" /bin/sleep 30
	kill -9 "$(cat "$BATS_TEST_TMPDIR/vbt-gcall.bg")"
	wait_bg vbt-gcall
	g=$(mkbox vbt-alive </dev/null)
	start_box vbt-alive "$g" /bin/sleep 30
	bl gc
	[ "$status" -eq 0 ]
	grep -q "removed state file /run/boxlaunch/vbt-gcall" <<<"$output"
	[ ! -e /run/boxlaunch/vbt-gcall ]
	[ "$(state_key vbt-alive status)" = running ]
	bl gc vbt-alive
	[ "$status" -eq 1 ]
	grep -q "box 'vbt-alive' is running" <<<"$output"
}

@test "gc NAME removes boxlaunch/NAME cgroups without a state directory" {
	made=()
	for h in /sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[ -e "$h/cgroup.procs" ] || continue
		[ "$(stat -f -c %T "$h")" = tmpfs ] && continue
		mkdir -p "$h/boxlaunch/vbt-orphan" && made+=("$h/boxlaunch/vbt-orphan")
		break
	done
	[ "${#made[@]}" -gt 0 ]
	bl gc vbt-orphan
	[ "$status" -eq 0 ]
	grep -q "removed cgroup boxlaunch/vbt-orphan" <<<"$output"
	[ ! -e "${made[0]}" ]
}

@test "verbs on a missing box fail with exit 1 and name the box" {
	for v in status stop kill exec shell pause resume ps stats; do
		if [ "$v" = exec ]; then
			bl exec vbt-missing -- /bin/true
		else
			bl "$v" vbt-missing
		fi
		[ "$status" -eq 1 ]
		grep -q "vbt-missing" <<<"$output"
	done
	bl status ../etc
	[ "$status" -eq 1 ]
	bl status
	[ "$status" -eq 1 ]
	for v in list status stop kill exec shell pause resume ps stats gc; do
		bl "$v" --help
		[ "$status" -eq 0 ]
		grep -q "^Usage: boxlaunch $v" <<<"$output"
	done
}
