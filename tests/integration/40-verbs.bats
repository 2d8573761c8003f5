#!/usr/bin/env bats
# The verbs on running boxes: list, status, exec, shell, kill, stop, pause, resume, ps, stats, gc.
load helpers

setup_file() {
	ensure_rootfs
	export VB_ROOT=$BATS_FILE_TMPDIR/root
	cp -a "$ROOTFS" "$VB_ROOT"
	build_probe "$VB_ROOT"
	# lsm-labels PID: the LSM labels of /proc/PID/attr (AppArmor's own file and the generic
	# one), "-" where there is none; the same script inside a box and on the host.
	cat >"$VB_ROOT/usr/bin/lsm-labels" <<'EOF2'
#!/bin/sh
for a in apparmor/current current; do
	l=$(tr -d '\000' 2>/dev/null <"/proc/$1/attr/$a")
	echo "$a=${l:--}"
done
EOF2
	chmod 755 "$VB_ROOT/usr/bin/lsm-labels"
}
setup() {
	snapshot_before
	STARTED=()
	KILL_PIDS=()
}
teardown() {
	local n p rc=0
	[ "${#KILL_PIDS[@]}" -eq 0 ] || reap_bg "${KILL_PIDS[@]}"
	for n in "${STARTED[@]}"; do
		if [ -f "$STATE_DIR/$n" ]; then
			"$BOXLAUNCH" resume "$n" >/dev/null 2>&1 || true
			"$BOXLAUNCH" stop --timeout 5 "$n" >/dev/null 2>&1 || true
		fi
		wait_bg "$n"
		"$BOXLAUNCH" gc "$n" >/dev/null 2>&1 || true
	done
	assert_host_unchanged || rc=1
	return $rc
}

# start_box NAME FILE CMD...: runs the box in the background and waits until it is running.
# A command that must be ready for a signal prints "ready" after its traps: wait_ready then.
start_box() {
	local name=$1 f=$2
	shift 2
	STARTED+=("$name")
	"$BOXLAUNCH" "$f" -- "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/$name.bg"
	wait_state "$name" running || { cat "$BATS_TEST_TMPDIR/$name.out"; return 1; }
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

# The payload's host pid: the child of the stub init (PID 1) that is PID 2 in the box (exec'd
# processes may be children of PID 1 too).
payload_pid() {
	local p
	for p in $(cat "/proc/$(state_key "$1" pid)/task/"*/children); do
		awk '$1 == "NSpid:" && $NF == 2 { found = 1 } END { exit !found }' "/proc/$p/status" && echo "$p"
	done
	return 0
}

# exec_sleep NAME SECS: `exec NAME -- /bin/sleep SECS` in the background; sets execpid (the exec)
# and spid (the host pid of the sleep, found with ps), or fails.
exec_sleep() {
	"$BOXLAUNCH" exec "$1" -- /bin/sleep "$2" </dev/null >/dev/null 2>&1 3>&- &
	execpid=$!
	KILL_PIDS+=("$execpid")
	spid=
	for i in $(seq $((WAIT_SECS * 20))); do
		spid=$("$BOXLAUNCH" ps "$1" | awk -v s="$2" '$4 == "/bin/sleep" && $5 == s {print $1}')
		[ -n "$spid" ] && return 0
		sleep 0.05
	done
	return 1
}


@test "list shows a running box; list --json is a JSON array with its fields" {
	f=$(mkbox vbt-list </dev/null)
	start_box vbt-list "$f" /bin/sleep 300
	bl list
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "NAME PID STATUS CREATED CGROUP" ]
	line=$(grep '^vbt-list ' <<<"$output")
	read -r n pid st age cg <<<"$line"
	[ "$pid" = "$(state_key vbt-list pid)" ]
	[ "$st" = running ]
	[[ "$age" =~ ^[0-9]+s$ ]]
	[ "$cg" = "$CG_PARENT/vbt-list.box" ]
	bl list --json
	[ "$status" -eq 0 ]
	obj=$(jq -c '.[] | select(.name == "vbt-list")' <<<"$output")
	[ "$(jq -r .pid <<<"$obj")" = "$(state_key vbt-list pid)" ]
	[ "$(jq -r .supervisor <<<"$obj")" = "$(cat "$BATS_TEST_TMPDIR/vbt-list.bg")" ]
	[ "$(jq -r .status <<<"$obj")" = running ]
	[ "$(jq -r .cgroup <<<"$obj")" = "$CG_PARENT/vbt-list.box" ]
	[ "$(jq -r .root <<<"$obj")" = "$ROOTFS" ]
	[ "$(jq -r .created <<<"$obj")" -le "$(date +%s)" ]
	[ "$(jq -c keys_unsorted <<<"$obj")" = '["name","pid","supervisor","status","created","cgroup","root","network"]' ]
	bl list --bogus
	[ "$status" -eq 1 ]
}

@test "status and status --json describe one box; a stopped box is not found" {
	f=$(mkbox vbt-status </dev/null)
	start_box vbt-status "$f" /bin/sleep 300
	bl status vbt-status
	[ "$status" -eq 0 ]
	grep -q "^Name: *vbt-status$" <<<"$output"
	grep -q "^Status: *running$" <<<"$output"
	grep -q "^PID: *$(state_key vbt-status pid)$" <<<"$output"
	grep -q "^Root: *$ROOTFS$" <<<"$output"
	grep -q "^State: *$STATE_DIR/vbt-status$" <<<"$output"
	# One file, readable by root only: the configuration may carry secrets.
	[ "$(stat -c %a "$STATE_DIR/vbt-status")" = 600 ]
	grep -q "^Processes: *2$" <<<"$output"
	bl status vbt-status --json
	[ "$status" -eq 0 ]
	[ "$(jq -r .name <<<"$output")" = vbt-status ]
	[ "$(jq -r .processes <<<"$output")" = 2 ]
	[ "$(jq -r .state <<<"$output")" = "$STATE_DIR/vbt-status" ]
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
	start_box vbt-exec "$f" /bin/sleep 300
	pid1=$(state_key vbt-exec pid)
	bl exec vbt-exec -- /bin/sh -c 'readlink /proc/self/ns/pid; grep CapEff /proc/self/status; cat /proc/self/cgroup | md5sum; cat /proc/1/cgroup | md5sum; echo $$'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/$pid1/ns/pid)" ]
	[ "${lines[0]}" != "$(readlink /proc/self/ns/pid)" ]
	[ "${lines[1]}" = "$(grep CapEff /proc/$(payload_pid vbt-exec)/status)" ]
	[ "${lines[2]}" = "${lines[3]}" ]
	[ "${lines[4]}" -gt 2 ]
	# From the host: an exec'd process sits in exactly the payload's cgroups.
	exec_sleep vbt-exec 301
	[ "$(cat /proc/$spid/cgroup)" = "$(cat /proc/$(payload_pid vbt-exec)/cgroup)" ]
	"$BOXLAUNCH" kill vbt-exec KILL
	wait "$execpid" || true
}

@test "exec gets the box's seccomp filter, AppArmor decision, rlimits and no_new_privs" {
	# Values that differ from boxlaunch's own and from the defaults, so that each can only come
	# from the box: an errno of its own for denied calls, rlimits, and a profile that this host
	# may not be able to apply (optional: then neither the box nor exec is confined).
	f=$(mkbox vbt-execsec <<EOF2
[Box]
Directory = $VB_ROOT
[Exec]
LimitNOFILE = 321:654
LimitNPROC = 777
[Security]
SystemCallErrorNumber = EACCES
AppArmorProfile = boxlaunch-test-exec
AppArmorOptional = yes
EOF2
)
	start_box vbt-execsec "$f" /bin/sleep 300
	pay=$(payload_pid vbt-execsec)
	bl exec vbt-execsec -- /bin/sh -c "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; ulimit -Sn; ulimit -Hn; ulimit -u; /usr/bin/probe keyctl; lsm-labels self"
	echo "$output"
	[ "$status" -eq 0 ]
	# On a host without AppArmor exec warns, like the start, that the optional profile is not
	# applied; the command's own lines follow.
	mapfile -t lines < <(grep -v '^boxlaunch: warning: AppArmor profile' <<<"$output")
	grep -qE '^Seccomp:\s+2$' <<<"$output"
	grep -qE '^NoNewPrivs:\s+1$' <<<"$output"
	[ "${lines[2]}" = 321 ]
	[ "${lines[3]}" = 654 ]
	[ "${lines[4]}" = 777 ]
	# The filter is the box's own: its errno for a denied call, not the default EPERM.
	[ "${lines[5]}" = EACCES ]
	# The same LSM labels as the box's payload (AppArmor confines both or neither).
	[ "${lines[6]} ${lines[7]}" = "$("$VB_ROOT/usr/bin/lsm-labels" "$pay" | tr '\n' ' ' | sed 's/ $//')" ]
	# ... which has the same filter and limits.
	grep -qE '^Seccomp:\s+2$' /proc/$pay/status
	grep -qE '^Max open files +321 +654 ' /proc/$pay/limits

	# And a box without them: exec has none either.
	g=$(mkbox vbt-execnone <<EOF2
[Box]
Directory = $VB_ROOT
[Exec]
NoNewPrivileges = no
[Security]
Seccomp = no
EOF2
)
	start_box vbt-execnone "$g" /bin/sleep 300
	bl exec vbt-execnone -- /bin/sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; /usr/bin/probe keyctl'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qE '^Seccomp:\s+0$' <<<"$output"
	grep -qE '^NoNewPrivs:\s+0$' <<<"$output"
	refute grep -qx 'EACCES\|EPERM' <<<"${lines[2]}"
}

@test "status --json and exec see what runs: Personality, IO limits, a deny list, AppArmorOptional" {
	# Keys the state file lost while it held the configuration as .box text: they must reach
	# status --json (the "config" object: the resolved configuration the box runs with) and
	# exec. Detect, don't assume: a whole disk of this machine for the I/O limits.
	read -r disk dev < <(test_block_device) || true
	io=
	[ -n "${disk:-}" ] && io="IOReadBandwidthMax = $disk=10M
IOWriteIOPSMax = $disk=500"
	f=$(mkbox vbt-lossless <<EOF2
[Box]
Directory = $VB_ROOT
[Exec]
Personality = x86
[Limits]
$io
[Security]
SystemCallFilter = ~mkdir
AppArmorProfile = boxlaunch-test-exec
AppArmorOptional = yes
EOF2
)
	start_box vbt-lossless "$f" /bin/sleep 300
	bl status vbt-lossless --json
	[ "$status" -eq 0 ]
	# The fields of list, then status's own, then the configuration.
	[ "$(jq -c keys_unsorted <<<"$output")" = '["name","pid","supervisor","status","created","cgroup","root","network","state","processes","config"]' ]
	[ "$(jq -r .config.personality <<<"$output")" = 8 ]
	[ "$(jq -c .config.seccomp_deny <<<"$output")" = '["mkdir"]' ]
	[ "$(jq -r .config.apparmor_optional <<<"$output")" = true ]
	[ "$(jq -r .config.apparmor_profile <<<"$output")" = boxlaunch-test-exec ]
	[ "$(jq -r .config.root <<<"$output")" = "$VB_ROOT" ]
	if [ -n "${disk:-}" ]; then
		[ "$(jq -c '.config.io[] | [.device, .rbps, .wiops]' <<<"$output")" = "[\"$disk\",10485760,500]" ]
	else
		echo "# no whole disk here: IO*Max= not checked" >&3
	fi

	# exec: the personality (uname), the deny list (mkdir refused), the optional profile (it
	# runs where AppArmor cannot apply it, as the box does).
	bl exec vbt-lossless -- /bin/sh -c 'uname -m; /bin/mkdir /tmp/denied && echo made; echo done'
	echo "$output"
	[ "$status" -eq 0 ]
	mapfile -t lines < <(grep -v '^boxlaunch: warning: AppArmor profile' <<<"$output")
	[ "${lines[0]}" = i686 ]
	grep -q 'Operation not permitted' <<<"${lines[1]}"
	[ "${lines[2]}" = done ]
	# ... as the box's own command has them.
	pay=$(payload_pid vbt-lossless)
	[ "$(cat /proc/$pay/personality)" = 00000008 ]
	# The I/O limits apply to exec'd processes: they sit in the box's throttled blkio group.
	if [ -n "${disk:-}" ] && grep -q ':blkio:' /proc/$pay/cgroup; then
		exec_sleep vbt-lossless 302
		blkio=$(awk -F: '$2 ~ /(^|,)blkio(,|$)/ {print $3}' /proc/$spid/cgroup)
		[ "$blkio" = "$(awk -F: '$2 ~ /(^|,)blkio(,|$)/ {print $3}' /proc/$pay/cgroup)" ]
		grep -q "^$dev 10485760$" "/sys/fs/cgroup/blkio$blkio/blkio.throttle.read_bps_device"
		grep -q "^$dev 500$" "/sys/fs/cgroup/blkio$blkio/blkio.throttle.write_iops_device"
		"$BOXLAUNCH" kill vbt-lossless KILL
		wait "$execpid" || true
	fi
}

@test "exec gets the box's OOMScoreAdjust and CPUAffinity" {
	# The same per-process attributes as the box's payload (launch/limits.c), not boxlaunch's.
	cpu=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status)
	f=$(mkbox vbt-execlim <<EOF2
[Box]
Directory = $VB_ROOT
[Exec]
OOMScoreAdjust = 500
CPUAffinity = $cpu
EOF2
)
	start_box vbt-execlim "$f" /bin/sleep 300
	pay=$(payload_pid vbt-execlim)
	bl exec vbt-execlim -- /bin/sh -c 'cat /proc/self/oom_score_adj; grep Cpus_allowed_list /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 500 ]
	grep -qE "^Cpus_allowed_list:\s+$cpu\$" <<<"${lines[1]}"
	# ... as the payload has them.
	[ "$(cat /proc/$pay/oom_score_adj)" = 500 ]
	grep -qE "^Cpus_allowed_list:\s+$cpu\$" /proc/$pay/status
}

@test "exec enters a user namespace and a private network" {
	f=$(mkbox vbt-userns <<'EOF2'
[Namespaces]
User = 100000:65536
Network = private
EOF2
)
	start_box vbt-userns "$f" /bin/sleep 300
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
	start_box vbt-codes "$f" /bin/sleep 300
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
	start_box vbt-fwd "$f" /bin/sleep 300
	"$BOXLAUNCH" exec vbt-fwd -- /bin/sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done' </dev/null >"$BATS_TEST_TMPDIR/fwd.out" 2>&1 3>&- &
	execpid=$!
	KILL_PIDS+=("$execpid")
	wait_ready "$BATS_TEST_TMPDIR/fwd.out"
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
	start_box vbt-ids "$f" /bin/sleep 300
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
	start_box vbt-tty "$f" /bin/sleep 300
	out=$(in_pty "$BOXLAUNCH exec -t vbt-tty -- /bin/sh -c 'tty; exit 5'" </dev/null) || st=$?
	[ "${st:-0}" -eq 5 ]
	grep -q '/dev/pts/[0-9]' <<<"$out"
	# Without -t the command shares boxlaunch's stdio.
	bl exec vbt-tty -- /bin/sh -c 'tty'
	refute grep -q '^/dev/pts/' <<<"$output"
	out=$(printf 'id\nexit 0\n' | in_pty "$BOXLAUNCH shell vbt-tty")
	grep -q 'uid=0(root)' <<<"$out"
	out=$(printf 'id\nexit 0\n' | in_pty "$BOXLAUNCH shell -u app vbt-tty")
	grep -q 'uid=1000(app)' <<<"$out"
}

@test "kill sends named signals, numbers and SIGRTMIN+n to PID 1" {
	f=$(mkbox vbt-kill </dev/null)
	# The command says "ready" once its trap is set: only then is the signal sent.
	start_box vbt-kill "$f" /bin/sh -c 'trap "echo got; exit 9" USR1; echo ready; while :; do sleep 0.1; done'
	wait_ready "$BATS_TEST_TMPDIR/vbt-kill.out"
	bl kill vbt-kill SIGUSR1
	[ "$status" -eq 0 ]
	wait_bg vbt-kill
	[ "$bg_status" -eq 9 ]
	grep -q got "$BATS_TEST_TMPDIR/vbt-kill.out"

	start_box vbt-kill "$f" /bin/sleep 300
	bl kill vbt-kill NOSUCHSIG
	[ "$status" -eq 1 ]
	bl kill vbt-kill SIGRTMIN+2
	[ "$status" -eq 0 ]
	wait_bg vbt-kill
	[ "$bg_status" -eq $((128 + $(kill -l RTMIN+2))) ]

	start_box vbt-kill "$f" /bin/sleep 300
	bl kill vbt-kill 10
	[ "$status" -eq 0 ]
	wait_bg vbt-kill
	[ "$bg_status" -eq $((128 + 10)) ]
}

@test "stop ends the box with its stop signal and removes its state and cgroups" {
	f=$(mkbox vbt-stop </dev/null)
	start_box vbt-stop "$f" /bin/sleep 300
	mapfile -t cgs < <(box_cgroups vbt-stop)
	[ "${#cgs[@]}" -gt 0 ]
	bl stop vbt-stop
	[ "$status" -eq 0 ]
	[ ! -e "$STATE_DIR/vbt-stop" ]
	for d in "${cgs[@]}"; do [ ! -e "$d" ]; done
	wait_bg vbt-stop
	# 143: SIGTERM ended it (not the SIGKILL that comes after the stop timeout).
	[ "$bg_status" -eq 143 ]
}

@test "stop --timeout kills a box that ignores its stop signal" {
	f=$(mkbox vbt-stubborn <<'EOF2'
[Exec]
StopTimeout = 60s
EOF2
)
	start_box vbt-stubborn "$f" /bin/sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done'
	wait_ready "$BATS_TEST_TMPDIR/vbt-stubborn.out"
	start=$SECONDS
	bl stop --timeout 1 vbt-stubborn
	[ "$status" -eq 0 ]
	grep -q "did not stop within 1s" <<<"$output"
	# Killed after --timeout, long before the box's own StopTimeout=60s would have done it
	# (generous: the machine may be loaded).
	[ $((SECONDS - start)) -lt 40 ]
	[ ! -e "$STATE_DIR/vbt-stubborn" ]
	wait_bg vbt-stubborn
	[ "$bg_status" -eq 137 ]
	bl stop --timeout nope vbt-stubborn
	[ "$status" -eq 1 ]
}

@test "stop NAME... signals every box before waiting; --all stops each running box" {
	data=$BATS_TEST_TMPDIR/data
	mkdir -p "$data"
	# Each box leaves its stop signal only once all three have got theirs (exit 7): stopping
	# them one after another would wait on the first until --timeout killed it (137).
	for n in vbt-m1 vbt-m2 vbt-m3; do
		f=$(mkbox $n <<EOF2
[Exec]
StopTimeout = 60s
[Mount data]
Source = $data
Target = /data
EOF2
)
		start_box $n "$f" /bin/sh -c 'trap "touch /data/\$0; until [ \$(ls /data | wc -l) -ge 3 ]; do sleep 0.05; done; exit 7" TERM; echo ready; while :; do sleep 0.1; done' $n
		wait_ready "$BATS_TEST_TMPDIR/$n.out"
	done
	bl stop --timeout 5 vbt-m1 vbt-m2 vbt-m3
	[ "$status" -eq 0 ]
	for n in vbt-m1 vbt-m2 vbt-m3; do
		[ ! -e "$STATE_DIR/$n" ]
		wait_bg $n
		[ "$bg_status" -eq 7 ]
	done
	# A name that is not running: exit 1, the others are stopped all the same.
	for n in vbt-a1 vbt-a2 vbt-a3; do
		f=$(mkbox $n </dev/null)
		start_box $n "$f" /bin/sleep 300
	done
	bl stop vbt-nosuch vbt-a1
	[ "$status" -eq 1 ]
	grep -q "no box 'vbt-nosuch' is running" <<<"$output"
	[ ! -e "$STATE_DIR/vbt-a1" ]
	bl stop --all vbt-a2
	[ "$status" -eq 1 ]
	[ -e "$STATE_DIR/vbt-a2" ]
	bl stop --all
	[ "$status" -eq 0 ]
	for n in vbt-a1 vbt-a2 vbt-a3; do
		[ ! -e "$STATE_DIR/$n" ]
		wait_bg $n
		[ "$bg_status" -eq 143 ]
	done
	[ -z "$(find "$STATE_DIR" -mindepth 1 -maxdepth 1 -name 'vbt-*')" ]
	bl stop --all
	[ "$status" -eq 0 ]
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
	# counter FILE: waits until the box has counted past N.
	past() { local i; for i in $(seq $((WAIT_SECS * 20))); do [ "$(cat "$data/c" 2>/dev/null || echo 0)" -gt "$1" ] && return 0; sleep 0.05; done; return 1; }
	past 0
	bl pause vbt-pause
	[ "$status" -eq 0 ]
	[ "$(state_key vbt-pause status)" = paused ]
	a=$(cat "$data/c")
	# A frozen box counts no further (time enough for a running one to count several steps).
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
	past "$b"
	# A paused box can still be stopped: stop thaws it first.
	bl pause vbt-pause
	[ "$status" -eq 0 ]
	bl stop --timeout 5 vbt-pause
	[ "$status" -eq 0 ]
	[ ! -e "$STATE_DIR/vbt-pause" ]
}

@test "ps lists host and box pids; PID 1 is the stub init" {
	f=$(mkbox vbt-ps </dev/null)
	start_box vbt-ps "$f" /bin/sleep 300
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
	[ "$cmd" = "/bin/sleep 300" ]
	bl ps vbt-ps --json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" = 2 ]
	[ "$(jq -r '.[1].command' <<<"$output")" = "/bin/sleep 300" ]
	[ "$(jq -r '.[1].box_pid' <<<"$output")" = 2 ]
}

@test "stats reports memory and the network counters; --json parses" {
	f=$(mkbox vbt-stats </dev/null)
	start_box vbt-stats "$f" /bin/sleep 300
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
	start_box vbt-gc "$f" /bin/sleep 300
	mapfile -t cgs < <(box_cgroups vbt-gc)
	pid1=$(state_key vbt-gc pid)
	# A process left in the box's cgroups but outside its pid namespace.
	sleep 600 </dev/null >/dev/null 2>&1 3>&- &
	leftover=$!
	KILL_PIDS+=("$leftover")
	for d in "${cgs[@]}"; do echo "$leftover" >"$d/cgroup.procs"; done
	kill -9 "$(cat "$BATS_TEST_TMPDIR/vbt-gc.bg")"
	wait_bg vbt-gc
	[ -f "$STATE_DIR/vbt-gc" ]
	bl status vbt-gc
	[ "$status" -eq 1 ]
	bl list
	refute grep -q '^vbt-gc ' <<<"$output"
	bl gc vbt-gc
	[ "$status" -eq 0 ]
	grep -q "removed state file $STATE_DIR/vbt-gc" <<<"$output"
	grep -q "removed cgroup $CG_PARENT/vbt-gc.box" <<<"$output"
	[ ! -e "$STATE_DIR/vbt-gc" ]
	for d in "${cgs[@]}"; do [ ! -e "$d" ]; done
	wait "$leftover" || true
	refute kill -0 "$leftover" 2>/dev/null
	st=$(awk '{print $3}' /proc/$pid1/stat 2>/dev/null || echo gone)
	[ "$st" = gone ] || [ "$st" = Z ]
	bl gc vbt-gc
	[ "$status" -eq 0 ]
	grep -q "nothing to clean up" <<<"$output"
}

@test "gc without a name collects every dead box and never touches a running one" {
	f=$(mkbox vbt-gcall </dev/null)
	start_box vbt-gcall "$f" /bin/sleep 300
	kill -9 "$(cat "$BATS_TEST_TMPDIR/vbt-gcall.bg")"
	wait_bg vbt-gcall
	g=$(mkbox vbt-alive </dev/null)
	start_box vbt-alive "$g" /bin/sleep 300
	bl gc
	[ "$status" -eq 0 ]
	grep -q "removed state file $STATE_DIR/vbt-gcall" <<<"$output"
	[ ! -e "$STATE_DIR/vbt-gcall" ]
	[ "$(state_key vbt-alive status)" = running ]
	bl gc vbt-alive
	[ "$status" -eq 1 ]
	grep -q "box 'vbt-alive' is running" <<<"$output"
}

@test "gc NAME removes a box's automatic cgroups without a state file" {
	# The groups a box NAME gets without Parent= (NAME.box under the automatic parent), left
	# without a state file by a supervisor that died before writing it.
	made=()
	for h in /sys/fs/cgroup/pids /sys/fs/cgroup/memory /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[ -e "$h/cgroup.procs" ] || continue
		[ "$(stat -f -c %T "$h")" = tmpfs ] && continue
		mkdir -p "$h/$CG_PARENT/vbt-orphan.box" && made+=("$h/$CG_PARENT/vbt-orphan.box")
	done
	[ "${#made[@]}" -gt 0 ]
	bl gc vbt-orphan
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "removed cgroup $CG_PARENT/vbt-orphan.box" <<<"$output"
	for d in "${made[@]}"; do [ ! -e "$d" ]; done
	bl gc vbt-orphan
	grep -q "nothing to clean up" <<<"$output"
}

@test "a recycled pid is never signalled: stop, kill, exec and gc leave another process alone" {
	# The state file of a box whose supervisor still holds the lock but whose PID 1 is gone,
	# and whose pid a new process of someone else's now has (same pid, later start time). That
	# process records every signal it gets.
	got=$BATS_TEST_TMPDIR/victim.got
	sh -c "for s in TERM INT HUP USR1 USR2 QUIT CONT WINCH; do trap \"echo \$s >>$got\" \$s; done; echo ready; while :; do sleep 0.1; done" \
		</dev/null >"$BATS_TEST_TMPDIR/victim.out" 2>&1 3>&- &
	victim=$!
	KILL_PIDS+=("$victim")
	wait_ready "$BATS_TEST_TMPDIR/victim.out"
	start=$(sed 's/.*) //' "/proc/$victim/stat" | cut -d' ' -f20)
	mkdir -p "$STATE_DIR"
	printf 'status=%-8s\npid=%d\npidstart=%d\nsupervisor=%d\ncreated=%d\ncgroup=%s\nconfig=0\n\n' \
		running "$victim" $((start - 1)) "$victim" "$(date +%s)" "$CG_PARENT/vbt-recycled.box" \
		>"$STATE_DIR/vbt-recycled"
	chmod 600 "$STATE_DIR/vbt-recycled"
	# One process holds the lock, as a supervisor would (killing it frees the lock).
	(exec 8>>"$STATE_DIR/vbt-recycled" && flock 8 && echo ready && exec sleep 600) \
		</dev/null >"$BATS_TEST_TMPDIR/locker.out" 2>&1 3>&- &
	locker=$!
	KILL_PIDS+=("$locker")
	wait_ready "$BATS_TEST_TMPDIR/locker.out"
	bl kill vbt-recycled TERM
	[ "$status" -ne 0 ]
	bl kill vbt-recycled KILL
	[ "$status" -ne 0 ]
	bl exec vbt-recycled -- /bin/true
	[ "$status" -ne 0 ]
	bl stop --timeout 0 vbt-recycled
	[ "$status" -ne 0 ]
	bl pause vbt-recycled
	[ "$status" -ne 0 ]
	# The supervisor went (its lock is free): gc cleans up, and still does not signal the pid.
	kill -KILL "$locker"
	wait "$locker" || true
	bl gc vbt-recycled
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "removed state file $STATE_DIR/vbt-recycled" <<<"$output"
	refute grep -q "killed PID 1" <<<"$output"
	kill -0 "$victim"
	grep -q '^State:\s*[SR]' "/proc/$victim/status"
	[ ! -e "$got" ] || { cat "$got"; false; }
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
