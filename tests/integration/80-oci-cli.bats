#!/usr/bin/env bats
# 80-oci-cli.bats - boxlaunch as an OCI runtime (boxlaunch-runc): the runc command line that
# podman/conmon, containerd's shim and runtime-tools call, on bundles made from the test
# rootfs. The callers' process model: create leaves only the container's init, blocked until
# start; the pid file is bare digits; errors reach stderr and, as JSON lines, --log; a failed
# create leaves nothing. Each test has its own --root; containers land in the run's cgroup
# parent (no cgroupsPath), so the run's leak check sees them.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	ensure_rootfs
	cc -O2 -o "$BATS_FILE_TMPDIR/console-recv" "$BATS_TEST_DIRNAME/console-recv.c"
}

setup() {
	RUNC="$(dirname "$BOXLAUNCH")/boxlaunch-runc"
	[ -x "$RUNC" ] || RUNC="$BOXLAUNCH runc"
	R=$BATS_TEST_TMPDIR/root
	B=$BATS_TEST_TMPDIR/bundle
	T=$BATS_TEST_TMPDIR
	mkdir -p "$B"
	snapshot_before
}

teardown() {
	local id
	for id in $(rc list -q 2>/dev/null); do
		rc delete --force "$id" >/dev/null 2>&1 || true
	done
	[ -z "${RECV_PID:-}" ] || reap_bg "$RECV_PID"
}

# rc ARGS...: the runtime with this test's state directory.
rc() {
	$RUNC --root "$R" "$@"
}

# bundle [JQ-FILTER]: $B/config.json from `spec`, on the test rootfs, no terminal, edited by
# the filter (e.g. '.process.args=["true"]'). The root is not read-only: the image lacks
# /dev/pts and the like, made on the /dev tmpfs (as podman's and containerd's configs do).
bundle() {
	rm -f "$B/config.json"
	(cd "$B" && $RUNC spec)
	jq --arg root "$ROOTFS" '.root.path=$root | .root.readonly=false | .process.terminal=false | '"${1:-.}" \
		"$B/config.json" >"$B/c.tmp"
	mv "$B/c.tmp" "$B/config.json"
}

# A payload that says it started, ends with code 7 on SIGTERM (PID 1 ignores signals it has no
# handler for), and otherwise waits.
WAITER='.process.args=["sh","-c","trap \"echo got-term; exit 7\" TERM; echo started; while :; do sleep 0.1; done"]'

# gone PID: the process has exited (a zombie counts: its reaper, here the machine's PID 1
# rather than a subreaper like conmon, may take its time).
gone() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

state_of() { # ID KEY
	rc state "$1" | jq -r ".$2"
}

wait_status() { # ID STATUS
	local i
	for i in $(seq $((WAIT_SECS * 20))); do
		[ "$(state_of "$1" status 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1 did not reach $2 (now: $(state_of "$1" status))"
	return 1
}

@test "version, features and spec: runc's informational commands" {
	run $RUNC --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "boxlaunch-runc version "* ]]
	[[ "$output" == *"spec: 1.2.0"* ]]
	run $BOXLAUNCH runc --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "boxlaunch-runc version "* ]]
	run $RUNC features
	[ "$status" -eq 0 ]
	[ "$(jq -r .ociVersionMax <<<"$output")" = 1.2.0 ]
	jq -e '.hooks | index("startContainer")' <<<"$output"
	jq -e '.linux.namespaces | index("network")' <<<"$output"
	jq -e '.linux.seccomp.enabled' <<<"$output"
	cd "$B"
	run $RUNC spec
	[ "$status" -eq 0 ]
	jq -e '.process.args == ["sh"] and .root.path == "rootfs"' config.json
	run $RUNC spec
	[ "$status" -eq 1 ]
	[[ "$output" == *"exists"* ]]
	# podman asks `checkpoint --help`; non-zero means "not supported".
	run $RUNC checkpoint --help
	[ "$status" -ne 0 ]
}

@test "create leaves the init blocked until start; the pid file is bare digits; delete removes everything" {
	bundle "$WAITER"
	rc create --bundle "$B" --pid-file "$T/pid" c1 >"$T/out" 2>&1 </dev/null
	# Bare decimal digits, no newline: containerd's strconv.Atoi rejects a newline.
	grep -qxE '[0-9]+' "$T/pid"
	[ "$(tail -c1 "$T/pid" | od -An -c | tr -d ' ')" != '\n' ]
	pid=$(cat "$T/pid")
	[ "$(state_of c1 pid)" = "$pid" ]
	[ "$(state_of c1 status)" = created ]
	[ "$(state_of c1 bundle)" = "$B" ]
	[ "$(state_of c1 id)" = c1 ]
	# No boxlaunch process between the caller and the init: create exited, the init was
	# reparented (to init or a subreaper), and the payload has not run.
	kill -0 "$pid"
	run ! grep -q started "$T/out"
	sleep 0.3
	run ! grep -q started "$T/out"
	[ "$(ps -o ppid= -p "$pid" | tr -d ' ')" != "$$" ]
	run rc start c1
	[ "$status" -eq 0 ]
	wait_for "$T/out" '^started'
	[ "$(state_of c1 status)" = running ]
	# A second start is refused.
	run rc start c1
	[ "$status" -eq 1 ]
	[[ "$output" == *"already running"* ]]
	cg=$(jq -r .cgroup "$R/c1/state.json")
	[ -n "$cg" ]
	[ -d "/sys/fs/cgroup/pids/$cg" ]
	run rc kill c1
	[ "$status" -eq 0 ]
	wait_for "$T/out" '^got-term'
	wait_status c1 stopped
	[ "$(state_of c1 pid)" = 0 ]
	run rc delete c1
	[ "$status" -eq 0 ]
	[ ! -e "$R/c1" ]
	[ ! -d "/sys/fs/cgroup/pids/$cg" ]
	run rc state c1
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not exist"* ]]
	assert_host_unchanged
}

@test "startContainer hooks run in the container after start, before the payload; poststart after its execve" {
	mkdir "$T/hk"
	# The startContainer hook takes its time: poststart must still come after the execve.
	bundle '.process.args=["sh","-c","touch /tmp/payload; echo started; while :; do sleep 0.1; done"] |
		.mounts += [{"destination": "/tmp", "type": "bind", "source": "'"$T/hk"'", "options": ["rbind", "rw"]}] |
		.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c",
			"cat >/tmp/state.json; if [ -e /tmp/payload ]; then echo after; else echo before; fi >/tmp/order; sleep 0.3"]}] |
		.hooks.poststart = [{"path": "/bin/sh", "args": ["sh", "-c",
			"readlink /proc/$(jq -r .pid)/exe >'"$T/hk/post.exe"'"]}]'
	rc create --bundle "$B" c1 >"$T/out" 2>&1 </dev/null
	pid=$(state_of c1 pid)
	sleep 0.3
	[ ! -e "$T/hk/state.json" ]
	[ ! -e "$T/hk/order" ]
	run rc start c1
	[ "$status" -eq 0 ]
	wait_for "$T/out" '^started'
	cat "$T/out" "$T/hk/state.json"
	[ "$(cat "$T/hk/order")" = before ]
	[ "$(jq -r .status "$T/hk/state.json")" = created ]
	[ "$(jq -r .id "$T/hk/state.json")" = c1 ]
	[ "$(jq -r .pid "$T/hk/state.json")" = "$pid" ]
	[ "$(jq -r .bundle "$T/hk/state.json")" = "$B" ]
	# poststart saw the payload's program, not boxlaunch's init before its execve.
	cat "$T/hk/post.exe"
	[ -s "$T/hk/post.exe" ]
	run ! grep -q boxlaunch "$T/hk/post.exe"
	run rc kill c1 KILL
	[ "$status" -eq 0 ]
	wait_status c1 stopped
	run rc delete c1
	[ "$status" -eq 0 ]
	assert_host_unchanged
}

@test "kill takes names and numbers; --all; a stopped container: error without --all" {
	bundle '.process.args=["sh","-c","trap \"echo usr1\" USR1; echo started; while :; do sleep 0.1; done"]'
	rc run -d --bundle "$B" k1 >"$T/out" 2>&1 </dev/null
	wait_for "$T/out" '^started'
	rc kill k1 USR1
	wait_for "$T/out" '^usr1'
	rc kill k1 SIGUSR1
	rc kill k1 10
	run rc kill k1 NOSUCHSIG
	[ "$status" -eq 1 ]
	[ "$(state_of k1 status)" = running ]
	rc kill --all k1 KILL
	wait_status k1 stopped
	run rc kill k1 KILL
	[ "$status" -eq 1 ]
	[[ "$output" == *"not running"* ]]
	run rc kill --all k1 KILL
	[ "$status" -eq 0 ]
	rc delete k1
	assert_host_unchanged
}

@test "delete: a running container needs --force; unknown IDs; a created one can be deleted" {
	bundle "$WAITER"
	rc run -d --bundle "$B" d1 >"$T/out" 2>&1 </dev/null
	wait_for "$T/out" '^started'
	pid=$(state_of d1 pid)
	run rc delete d1
	[ "$status" -eq 1 ]
	[[ "$output" == *"not stopped"* ]]
	kill -0 "$pid"
	run rc delete --force d1
	[ "$status" -eq 0 ]
	[ ! -e "$R/d1" ]
	gone "$pid"
	run rc delete --force nosuch
	[ "$status" -eq 0 ]
	run rc delete nosuch
	[ "$status" -eq 1 ]
	rc create --bundle "$B" d2 >"$T/out2" 2>&1 </dev/null
	run rc delete d2
	[ "$status" -eq 0 ]
	[ ! -e "$R/d2" ]
	assert_host_unchanged
}

@test "--log: errors as JSON lines (level, msg, time); the file exists after a success too" {
	run $RUNC --root "$R" --log "$T/log.json" --log-format json state nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"nosuch does not exist"* ]]
	[ "$(wc -l <"$T/log.json")" -eq 1 ]
	jq -e '.level == "error" and (.msg | test("nosuch does not exist")) and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' "$T/log.json"
	# --log-format=json (podman's spelling) and a success: an empty file.
	run $RUNC --root "$R" --log "$T/ok.json" --log-format=json features
	[ "$status" -eq 0 ]
	[ -e "$T/ok.json" ]
	[ ! -s "$T/ok.json" ]
	run $RUNC --root "$R" --log-format xml state x
	[ "$status" -eq 1 ]
}

@test "a missing executable: create fails saying No such file or directory, and leaves nothing" {
	bundle '.process.args=["/no/such/program"]'
	run $RUNC --root "$R" --log "$T/log.json" --log-format json create --bundle "$B" --pid-file "$T/pid" m1
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such file or directory"* ]]
	jq -se 'map(select(.level == "error")) | last | .msg | test("No such file or directory")' "$T/log.json"
	[ ! -e "$R/m1" ]
	[ ! -e "$T/pid" ]
	bundle '.process.args=["no-such-program"]'
	run rc create --bundle "$B" m2
	[ "$status" -eq 1 ]
	[[ "$output" == *"not found in \$PATH: No such file or directory"* ]]
	[ ! -e "$R/m2" ]
	# A bad config: the error names the JSON path, nothing is left either.
	bundle '.process.cwd="relative"'
	run rc create --bundle "$B" m3
	[ "$status" -eq 1 ]
	[[ "$output" == *"process.cwd"* ]]
	[ ! -e "$R/m3" ]
	assert_host_unchanged
}

@test "an init that fails before it reads the go (a namespace path that is not there): its error comes through, nothing is left" {
	# Without hooks the go is sent without waiting for the init: the init may be gone by then.
	bundle '.linux.namespaces |= map(if .type == "network" then .path = "/no/such/netns" else . end)'
	for i in 1 2 3 4 5; do
		run rc run --bundle "$B" f$i
		[ "$status" -ne 0 ]
		[[ "$output" == *"opening /no/such/netns: No such file or directory"* ]]
		run rc create --bundle "$B" g$i
		[ "$status" -eq 1 ]
		[[ "$output" == *"opening /no/such/netns: No such file or directory"* ]]
		[ ! -e "$R/f$i" ]
		[ ! -e "$R/g$i" ]
	done
	assert_host_unchanged
}

@test "create of an existing ID fails and leaves the first container alone" {
	bundle "$WAITER"
	rc create --bundle "$B" x1 >"$T/out" 2>&1 </dev/null
	run rc create --bundle "$B" x1
	[ "$status" -eq 1 ]
	[[ "$output" == *"already exists"* ]]
	[ "$(state_of x1 status)" = created ]
	rc delete x1
	assert_host_unchanged
}

@test "exec: exit code, --env/--cwd, --process, -d with --pid-file in the container's namespaces" {
	bundle "$WAITER"
	rc run -d --bundle "$B" e1 >"$T/out" 2>&1 </dev/null
	wait_for "$T/out" '^started'
	run rc exec e1 sh -c 'exit 5'
	[ "$status" -eq 5 ]
	run rc exec --env FOO=bar --cwd /tmp e1 sh -c 'echo "$FOO $(pwd)"'
	[ "$status" -eq 0 ]
	[ "$output" = "bar /tmp" ]
	jq -n '{args: ["sh", "-c", "echo via-process $(id -u)"], cwd: "/", env: ["PATH=/bin:/usr/bin"], user: {uid: 0, gid: 0}}' >"$T/process.json"
	run rc exec --process "$T/process.json" e1
	[ "$status" -eq 0 ]
	[ "$output" = "via-process 0" ]
	# The detached process keeps the stdio it is given (as runc's): not bats' `run` pipe,
	# which `run` would wait on until the process ends. Exit status 0 (set -e).
	rc exec -d --pid-file "$T/epid" e1 sleep 30 </dev/null >"$T/exec-d.out" 2>&1
	grep -qxE '[0-9]+' "$T/epid"
	epid=$(cat "$T/epid")
	# The detached process is in the container's namespaces: those a fresh exec sees.
	for ns in pid mnt net uts ipc; do
		[ "$(readlink /proc/$epid/ns/$ns)" = "$(rc exec e1 readlink /proc/self/ns/$ns)" ]
	done
	run rc ps --format json e1
	[ "$status" -eq 0 ]
	jq -e --argjson p "$epid" 'index($p) != null' <<<"$output"
	# A missing command: the wording podman and containerd look for.
	run $RUNC --root "$R" --log "$T/elog" --log-format json exec -d e1 /no/such
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such file or directory"* ]]
	jq -se 'last | .msg | test("No such file or directory")' "$T/elog"
	rc delete --force e1
	gone "$epid"
	assert_host_unchanged
}

@test "the console socket gets the pty master (SCM_RIGHTS); terminal without a socket is refused" {
	bundle '.process.terminal=true | .process.args=["sh","-c","tty; echo hello-tty"]'
	run rc create --bundle "$B" t0
	[ "$status" -eq 1 ]
	[[ "$output" == *"console socket"* ]]
	[ ! -e "$R/t0" ]
	"$BATS_FILE_TMPDIR/console-recv" "$T/console.sock" >"$T/recv" 2>&1 3>&- &
	RECV_PID=$!
	wait_ready "$T/recv"
	rc create --bundle "$B" --console-socket "$T/console.sock" t1 </dev/null >"$T/out" 2>&1
	wait_for "$T/recv" '^fd: tty=1 bytes=1'
	rc start t1
	wait_for "$T/recv" 'hello-tty'
	grep -q '/dev/pts/' "$T/recv"
	wait_status t1 stopped
	rc delete t1
	wait_exit "$RECV_PID"
	RECV_PID=
	assert_host_unchanged
}

@test "fds: the caller's extra fds are closed unless --preserve-fds; SIGPIPE is reset" {
	echo hi >"$T/extra"
	# An inherited fd 3 (the shim's) and an ignored SIGPIPE (conmon's); the payload itself
	# reads them (ls's own directory fd is the last one listed).
	bundle '.process.args=["ls","/proc/self/fd"]'
	(exec 3<"$T/extra"; rc run --bundle "$B" f1 >"$T/out" 2>&1 </dev/null)
	cat "$T/out"
	[ "$(tr '\n' ' ' <"$T/out")" = "0 1 2 3 " ]
	(exec 3<"$T/extra" 4<"$T/extra"; rc run --bundle "$B" --preserve-fds 1 f2 >"$T/out2" 2>&1 </dev/null)
	cat "$T/out2"
	[ "$(tr '\n' ' ' <"$T/out2")" = "0 1 2 3 4 " ]
	bundle '.process.args=["grep","SigIgn","/proc/self/status"]'
	(trap '' PIPE; rc run --bundle "$B" f3 >"$T/out3" 2>&1 </dev/null)
	cat "$T/out3"
	grep -qE '^SigIgn:\s+0+$' "$T/out3"
	assert_host_unchanged
}

@test "run in the foreground: the container's exit code, then nothing is left" {
	bundle '.process.args=["sh","-c","echo fg; exit 3"]'
	run rc run --bundle "$B" r1
	[ "$status" -eq 3 ]
	[ "$output" = fg ]
	[ ! -e "$R/r1" ]
	assert_host_unchanged
}

@test "pause and resume freeze the cgroup; ps of a stopped container is []; update and events" {
	bundle "$WAITER"' | .linux.resources.memory = {"limit": 67108864, "swap": 67108864}'
	rc run -d --bundle "$B" p1 >"$T/out" 2>&1 </dev/null
	wait_for "$T/out" '^started'
	rc pause p1
	[ "$(state_of p1 status)" = paused ]
	cg=$(jq -r .cgroup "$R/p1/state.json")
	grep -qx FROZEN "/sys/fs/cgroup/freezer/$cg/freezer.state"
	run rc exec p1 true
	[ "$status" -eq 1 ]
	[[ "$output" == *paused* ]]
	run rc pause p1
	[ "$status" -eq 1 ]
	rc resume p1
	[ "$(state_of p1 status)" = running ]
	grep -qx THAWED "/sys/fs/cgroup/freezer/$cg/freezer.state"
	run rc resume p1
	[ "$status" -eq 1 ]
	echo '{"pids": {"limit": 77}}' | rc update --resources - p1
	[ "$(cat "/sys/fs/cgroup/pids/$cg/pids.max")" = 77 ]
	echo '{"pids": {"limit": 78}}' >"$T/res.json"
	rc update --resources="$T/res.json" p1
	[ "$(cat "/sys/fs/cgroup/pids/$cg/pids.max")" = 78 ]
	# Raising memory and memory+swap together (a CRI UpdateContainerResources) must write the
	# v1 memsw limit first, lowering them the memory limit first: the kernel keeps memsw >= memory.
	mem=/sys/fs/cgroup/memory/$cg
	for v in 134217728 67108864; do
		echo "{\"memory\": {\"limit\": $v, \"swap\": $v}}" | rc update --resources - p1
		[ "$(cat "$mem/memory.limit_in_bytes")" = "$v" ]
		[ "$(cat "$mem/memory.memsw.limit_in_bytes")" = "$v" ]
	done
	run rc events --stats p1
	[ "$status" -eq 0 ]
	jq -e '.type == "stats" and .id == "p1" and .data.pids.current >= 1' <<<"$output"
	run rc list --format json
	jq -e 'map(.id) | index("p1") != null' <<<"$output"
	rc kill p1 KILL
	wait_status p1 stopped
	run rc ps --format json p1
	[ "$status" -eq 0 ]
	[ "$output" = "[]" ]
	rc delete p1
	assert_host_unchanged
}
