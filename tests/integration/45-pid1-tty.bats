#!/usr/bin/env bats
# PID 1 duties (the behaviour table of research/pid1-tty-ini-libs-style.md §1.4), the stop
# protocol, and the terminal under a real pty (script, tmux).
load helpers

setup_file() { ensure_rootfs; }
setup() {
	snapshot_before
	BOX_PID=
}
teardown() {
	local rc=0
	[ -z "$BOX_PID" ] || reap_bg "$BOX_PID"
	"$BOXLAUNCH" stop share1 >/dev/null 2>&1 || true
	"$BOXLAUNCH" stop share2 >/dev/null 2>&1 || true
	tm_kill
	assert_host_unchanged || rc=1
	return $rc
}

start_bg() { # NAME CMD...: run box NAME in the background, wait until it runs
	local name=$1 f
	shift
	f=$(mkbox "$name" </dev/null)
	"$BOXLAUNCH" "$f" -- "$@" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	BOX_PID=$!
	wait_state "$name" running
}

@test "row 1: the stub init is PID 1 and the command PID 2; row 2: exit 7 -> 7" {
	f=$(mkbox r1 </dev/null)
	run_box "$f" -- /bin/sh -c 'cat /proc/1/comm; echo $$; exit 7'
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = boxlaunch-init ]
	[ "${lines[1]}" = 2 ]
}

@test "rows 3-4: killed by SIGTERM -> 143, by SIGKILL -> 137" {
	f=$(mkbox r3 </dev/null)
	run_box "$f" -- /bin/sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	run_box "$f" -- /bin/sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
}

@test "row 5: a command that is not found -> 127, not executable -> 126" {
	f=$(mkbox r5 </dev/null)
	run_box "$f" -- /nonexistent
	[ "$status" -eq 127 ]
	run_box "$f" -- /etc/passwd
	[ "$status" -eq 126 ]
}

@test "row 6: orphaned grandchildren are reaped (no zombie)" {
	f=$(mkbox r6 </dev/null)
	# The grandchild is orphaned at once (its parent exits) and exits itself shortly after:
	# only PID 1 can reap it, and the command waits until it is gone from /proc.
	run_box "$f" -- /bin/sh -c '
		(sh -c "echo \$\$ >/dev/shm/orphan; exec sleep 0.2" &)
		until [ -s /dev/shm/orphan ]; do sleep 0.05; done
		pid=$(cat /dev/shm/orphan) i=0
		while [ -e /proc/$pid ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
		[ -e /proc/$pid ] && { echo "not reaped: $(grep State /proc/$pid/status)"; exit 1; }
		grep -l "^State:.*Z" /proc/[0-9]*/status | wc -l'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}

@test "row 7: when the command exits, the rest get SIGTERM, a grace period, then SIGKILL" {
	f=$(mkbox r7 </dev/null)
	# A process left behind says when it gets SIGTERM; the command exits once its trap is set
	# (a FIFO handshake inside the box).
	run_box "$f" -- /bin/sh -c 'mkfifo /dev/shm/f; (trap "echo got-term; exit 0" TERM; echo >/dev/shm/f; while :; do sleep 0.05; done) & read x </dev/shm/f; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	grep -qx got-term <<<"$output"
	# One that ignores SIGTERM is given the grace period (2 s), then killed: the box ends no
	# sooner than the grace, and long before the process would have ended on its own.
	dur=$((3000000 + RANDOM))
	start=$(date +%s%N)
	run_box "$f" -- /bin/sh -c "mkfifo /dev/shm/f; (trap '' TERM; echo >/dev/shm/f; exec sleep $dur) & read x </dev/shm/f; exit 4"
	[ "$status" -eq 4 ]
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "ended after $ms ms"
	[ "$ms" -ge 1500 ]
	[ "$ms" -lt 120000 ]
	refute pgrep -f -x "sleep $dur"
}

@test "rows 9-11: TERM, HUP, USR1, USR2, QUIT, INT and real-time signals to PID 1 reach the command" {
	# 36 is SIGRTMIN+2 for glibc programs (busybox-static here).
	for sig in TERM HUP USR1 USR2 QUIT INT 36; do
		start_bg r9 /bin/sh -c "trap 'exit 9' $sig; echo ready; while :; do sleep 0.05; done"
		wait_ready "$BATS_TEST_TMPDIR/out"
		kill -s "$sig" "$(state_key r9 pid)" 2>/dev/null || kill -"$sig" "$(state_key r9 pid)"
		finish
		echo "$sig -> $status"
		[ "$status" -eq 9 ]
	done
}

@test "row 12: SIGTSTP to PID 1 never stops PID 1" {
	# After SIGTSTP, PID 1 must still pass on the next signal: a real-time one (delivered after
	# every pending standard signal), on which the command exits 0. A stopped PID 1 would pass
	# on nothing, and the box would not end.
	start_bg r12 /bin/sh -c 'trap "exit 0" 36; echo ready; while :; do sleep 0.05; done'
	wait_ready "$BATS_TEST_TMPDIR/out"
	pid=$(state_key r12 pid)
	kill -TSTP "$pid"
	kill -36 "$pid"
	finish
	[ "$status" -eq 0 ]
}

@test "rows 15-16: the command starts with an empty signal mask and no ignored signals" {
	f=$(mkbox r15 </dev/null)
	status=0
	output=$(trap '' INT QUIT; "$BOXLAUNCH" "$f" -- /bin/grep -E '^Sig(Blk|Ign)' /proc/self/status </dev/null 2>&1) || status=$?
	[ "$status" -eq 0 ]
	grep -q '^SigBlk:\s*0000000000000000' <<<"$output"
	grep -q '^SigIgn:\s*0000000000000000' <<<"$output"
}

@test "the stub's image and environment reveal nothing of the host" {
	# The stub is not dumpable: looking at its exe and environ takes CAP_SYS_PTRACE.
	f=$(printf '[Capabilities]\nAdd = CAP_SYS_PTRACE\n' | mkbox stubenv)
	SECRET_HOST=1 run "$BOXLAUNCH" "$f" -- /bin/sh -c 'ls -l /proc/1/exe; tr "\0" "\n" </proc/1/environ' </dev/null
	[ "$status" -eq 0 ]
	grep -q 'memfd:boxlaunch-init' <<<"$output"
	refute grep -q SECRET_HOST <<<"$output"
	# The binary under test, by the path it was started with and by its real path.
	refute grep -qF "$BOXLAUNCH" <<<"$output"
	refute grep -qF "$(readlink -f "$BOXLAUNCH")" <<<"$output"
}

@test "the command starts before the stub replaces PID 1, which then shows nothing of the host; not with CAP_SYS_PTRACE" {
	# PID 1 starts the command and then executes the stub with -p (its command line says so);
	# meanwhile its own command line, readable without ptrace rights, is blank. The command
	# sees PID 1 before the stub in about one start of ten here: thirty starts.
	local c=$BATS_TEST_TMPDIR/cmdline i
	set -o pipefail
	f=$(mkbox early </dev/null)
	for i in $(seq 30); do
		"$BOXLAUNCH" "$f" -- /bin/busybox cat /proc/1/cmdline </dev/null 2>&1 | tr '\0' ' ' >"$c"
		cat "$c"
		refute grep -qF "$f" "$c"
		refute grep -qF "$BOXLAUNCH" "$c"
		[ -z "$(tr -d ' ' <"$c")" ] ||
			grep -q '^boxlaunch-init -g 2000 -p 2 -- /bin/busybox cat /proc/1/cmdline $' "$c"
	done
	# A box that may ptrace could take the host binary through /proc/1/exe meanwhile: its
	# command waits for the stub, which starts it itself.
	f=$(printf '[Capabilities]\nAdd = CAP_SYS_PTRACE\n' | mkbox earlyp)
	for i in 1 2 3; do
		"$BOXLAUNCH" "$f" -- /bin/busybox cat /proc/1/cmdline </dev/null 2>&1 | tr '\0' ' ' >"$c"
		cat "$c"
		grep -q '^boxlaunch-init -g 2000 -- /bin/busybox cat /proc/1/cmdline $' "$c"
	done
}

@test "the supervisor keeps its command line, which PID 1 blanked in the memory they shared" {
	# Until PID 1 executes the stub it runs in the supervisor's memory, where it blanks the
	# command line for /proc/1/cmdline; the supervisor puts its own back once the clone
	# returns. A poststop hook keeps the supervisor from slimming (a new command line).
	f=$(mkbox keepargs <<EOF2
[Hook stay]
Stage = poststop
Command = /bin/true
EOF2
)
	start_ready "$f" -- /bin/sh -c 'echo ready; exec sleep 100'
	local sup
	sup=$(state_key keepargs supervisor)
	[ -n "$sup" ]
	tr '\0' ' ' <"/proc/$sup/cmdline"
	tr '\0' ' ' <"/proc/$sup/cmdline" | grep -qF " $f"
	"$BOXLAUNCH" stop keepargs
	wait_exit "$BOX_PID"
	BOX_PID=
}

@test "the stub init is a static PIE: mapped at a random address in the mmap area, not at 0x400000" {
	start_bg stubpie /bin/sleep 100
	local pid
	pid=$(state_key stubpie pid)
	# ELF e_type (bytes 16-17) 3 = ET_DYN, and no interpreter: the kernel picks the address
	[ "$(od -An -tx1 -j16 -N2 "/proc/$pid/exe" | tr -d ' ')" = 0300 ]
	run grep -m1 'memfd:boxlaunch-init' "/proc/$pid/maps"
	[ "$status" -eq 0 ]
	[[ "$output" != 00400000-* ]]
	# where the kernel maps an ELF without interpreter: above 4 GiB, beside the vDSO
	[ $((16#${output%%-*})) -gt $((1 << 32)) ]
	kill -TERM $BOX_PID
	finish
}

@test "a second box runs the first one's sealed stub image: one copy for both" {
	f=$(mkbox share </dev/null)
	"$BOXLAUNCH" --detach --name share1 "$f" -- /bin/sleep 100 >/dev/null 3>&-
	"$BOXLAUNCH" --detach --name share2 "$f" -- /bin/sleep 100 >/dev/null 3>&-
	local i1 i2
	i1=$(stat -L -c %i "/proc/$(state_key share1 pid)/exe")
	i2=$(stat -L -c %i "/proc/$(state_key share2 pid)/exe")
	[ -n "$i1" ]
	[ "$i1" = "$i2" ]
	# the first one gone, a third box still finds the image through the second
	"$BOXLAUNCH" stop share1 >/dev/null
	"$BOXLAUNCH" --detach --name share1 "$f" -- /bin/sleep 100 >/dev/null 3>&-
	[ "$(stat -L -c %i "/proc/$(state_key share1 pid)/exe")" = "$i2" ]
	readlink "/proc/$(state_key share1 pid)/exe" | grep -q 'memfd:boxlaunch-init'
}

@test "stop protocol: SIGTERM to boxlaunch sends KillSignal to PID 1; the command's exit code is kept" {
	start_bg stop1 /bin/sh -c 'trap "exit 11" TERM; echo ready; while :; do sleep 0.05; done'
	wait_ready "$BATS_TEST_TMPDIR/out"
	kill -TERM $BOX_PID
	finish
	[ "$status" -eq 11 ]
}

@test "stop protocol: KillSignal= is used; after StopTimeout= the box is killed (137)" {
	f=$(mkbox stop2 <<'EOF2'
[Exec]
KillSignal = SIGUSR1
StopTimeout = 500ms
EOF2
)
	start_ready "$f" -- /bin/sh -c 'trap "echo got-usr1" USR1; trap "" TERM; echo ready; while :; do sleep 0.05; done'
	start=$(date +%s%N)
	kill -TERM $BOX_PID
	finish
	[ "$status" -eq 137 ]
	grep -q got-usr1 <<<"$output"
	# Not before StopTimeout=, and well before the default stop timeout (10 s) would have
	# killed it.
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "killed after $ms ms"
	[ "$ms" -ge 400 ]
	[ "$ms" -lt 8000 ]
}

@test "stop protocol: a second SIGTERM kills at once" {
	f=$(mkbox stop3 <<'EOF2'
[Exec]
StopTimeout = 60s
EOF2
)
	# The command notes each SIGTERM and carries on; the stop timeout is a minute.
	start_ready "$f" -- /bin/sh -c 'trap "echo term" TERM; echo ready; while :; do sleep 0.05; done'
	kill -TERM $BOX_PID
	# The first one has reached the command (so the second is not merged into it) ...
	wait_for "$BATS_TEST_TMPDIR/out" '^term'
	start=$SECONDS
	kill -TERM $BOX_PID
	# ... and the second kills the box long before the 60 s stop timeout would have.
	wait_exit "$BOX_PID" 30
	BOX_PID=
	echo "killed after $((SECONDS - start)) s"
	[ "$wait_status" -eq 137 ]
}

@test "terminal: tty inside names a pty of the box's own devpts, which is the controlling tty" {
	f=$(mkbox tty1 </dev/null)
	run in_pty "$BOXLAUNCH $f -- /bin/sh -c 'tty; cut -d\" \" -f7 /proc/self/stat; readlink /dev/console'"
	[ "$status" -eq 0 ]
	output=$(tr -d '\r\0' <<<"$output" | sed 's/\^@//g')
	echo "$output"
	grep -q '^/dev/pts/0$' <<<"$output"
	grep -q '^pts/0$' <<<"$output"
	# tty_nr of the command is non-zero: it has a controlling terminal.
	[ "$(sed -n 2p <<<"$output")" != 0 ]
}

@test "console=pipe: no pty, stdin EOF passes through so pipelines work" {
	f=$(mkbox pipe </dev/null)
	out=$(printf 'a\nb\nc\n' | "$BOXLAUNCH" --console=pipe "$f" -- /bin/sh -c 'wc -l; tty || true')
	grep -q '^3$' <<<"$out"
	grep -q 'not a tty' <<<"$out"
	# stdin and stdout were not left non-blocking
	out=$(printf 'x' | "$BOXLAUNCH" --console=pipe "$f" -- /bin/cat)
	[ "$out" = x ]
}

tmux_box() { # NAME CMD: start the box in a tmux window of 80x24 (a private tmux server)
	tm new-session -d -s t -x 80 -y 24
	tm send-keys -t t "stty -g >$BATS_TEST_TMPDIR/stty.before; $BOXLAUNCH $1 -- $2; echo rc=\$? >$BATS_TEST_TMPDIR/rc; stty -g >$BATS_TEST_TMPDIR/stty.after" Enter
}

@test "terminal: the window size follows a resize; ^C reaches the command; the host tty is restored" {
	# The test's directory at a fixed path in the box: a path of this run's own would be made
	# as a mount point in the shared test rootfs, a new one each run.
	f=$(mkbox tty2 <<EOF2
[Mount rec]
Source = $BATS_TEST_TMPDIR
Target = /rec
EOF2
)
	tmux_box "$f" "/bin/sh -c 'trap \"stty size >/rec/size\" WINCH; trap \"echo got-int >/rec/int; exit 5\" INT; stty size >/rec/size0; while :; do sleep 0.05; done'"
	wait_for "$BATS_TEST_TMPDIR/size0" .
	[ "$(cat $BATS_TEST_TMPDIR/size0)" = "24 80" ]
	tm resize-window -t t -x 100 -y 30
	wait_for "$BATS_TEST_TMPDIR/size" "30 100"
	tm send-keys -t t C-c
	wait_for "$BATS_TEST_TMPDIR/rc" rc=
	grep -q got-int "$BATS_TEST_TMPDIR/int"
	[ "$(cat $BATS_TEST_TMPDIR/rc)" = rc=5 ]
	wait_for "$BATS_TEST_TMPDIR/stty.after" .
	cmp "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
}

@test "terminal: the host tty is restored after SIGTERM to boxlaunch and after a set-up error" {
	f=$(mkbox tty3 </dev/null)
	tmux_box "$f" "/bin/sh -c 'while :; do sleep 0.05; done'"
	wait_state tty3 running
	# The supervisor of this box, not every boxlaunch of the machine.
	kill -TERM "$(state_key tty3 supervisor)"
	wait_for "$BATS_TEST_TMPDIR/stty.after" .
	cmp "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
	tm_kill
	rm -f "$BATS_TEST_TMPDIR"/stty.* "$BATS_TEST_TMPDIR/rc"
	printf '[Box]\nDirectory = /nonexistent\n' >"$BATS_TEST_TMPDIR/broken.box"
	tmux_box "$BATS_TEST_TMPDIR/broken.box" /bin/true
	wait_for "$BATS_TEST_TMPDIR/stty.after" .
	grep -q rc=125 "$BATS_TEST_TMPDIR/rc"
	cmp "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
}

@test "console=read-only: the box's output reaches the terminal, the terminal's input does not reach the box" {
	f=$(mkbox ro <<EOF2
[Exec]
Console = read-only
EOF2
)
	run in_pty "printf 'typed\n' | $BOXLAUNCH $f -- /bin/sh -c 'tty; read -t 1 line && echo got-\$line || echo nothing'"
	output=$(tr -d '\r\0' <<<"$output" | sed 's/\^@//g')
	echo "$output"
	grep -q '^/dev/pts/0$' <<<"$output"
	grep -q '^nothing$' <<<"$output"
}
