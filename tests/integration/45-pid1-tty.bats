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
	if [ -n "$BOX_PID" ]; then
		kill -KILL "$BOX_PID" 2>/dev/null || true
		wait "$BOX_PID" 2>/dev/null || true
	fi
	tmux kill-server 2>/dev/null || true
	assert_host_unchanged
}

start_bg() { # NAME CMD...: run box NAME in the background, wait until it runs
	local name=$1 f
	shift
	f=$(mkbox "$name" </dev/null)
	"$BOXLAUNCH" "$f" -- "$@" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
	BOX_PID=$!
	for _ in $(seq 100); do
		[ "$(state_key $name status)" = running ] && return 0
		sleep 0.05
	done
	return 1
}

finish() { # waits for the box started by start_bg; sets status
	status=0
	wait "$BOX_PID" || status=$?
	BOX_PID=
	output=$(cat "$BATS_TEST_TMPDIR/out")
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
	run_box "$f" -- /bin/sh -c '(sleep 0.2 &); sleep 1; grep -l "^State:.*Z" /proc/[0-9]*/status | wc -l'
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}

@test "row 7: when the command exits, the rest get SIGTERM, a short grace, then the box ends" {
	f=$(mkbox r7 </dev/null)
	start=$(date +%s%N)
	run_box "$f" -- /bin/sh -c 'sleep 100 & exit 3'
	[ "$status" -eq 3 ]
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 1500 ]
	# A process that ignores SIGTERM is given the grace period (2 s), then killed.
	start=$(date +%s%N)
	run_box "$f" -- /bin/sh -c '(trap "" TERM; sleep 100) & sleep 0.2; exit 4'
	[ "$status" -eq 4 ]
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$ms" -ge 1500 ]
	[ "$ms" -lt 6000 ]
	! pgrep -f 'sleep 100'
}

@test "rows 9-11: TERM, HUP, USR1, USR2, QUIT, INT and real-time signals to PID 1 reach the command" {
	# 36 is SIGRTMIN+2 for glibc programs (busybox-static here).
	for sig in TERM HUP USR1 USR2 QUIT INT 36; do
		start_bg r9 /bin/sh -c "trap 'exit 9' $sig; while :; do sleep 0.05; done"
		kill -s "$sig" "$(state_key r9 pid)" 2>/dev/null || kill -"$sig" "$(state_key r9 pid)"
		finish
		echo "$sig -> $status"
		[ "$status" -eq 9 ]
	done
}

@test "row 12: SIGTSTP to PID 1 never stops PID 1" {
	start_bg r12 /bin/sh -c 'sleep 2; exit 0'
	pid=$(state_key r12 pid)
	kill -TSTP "$pid"
	sleep 0.3
	! grep -q '^State:.*T' /proc/$pid/status
	kill -CONT "$pid"
	finish
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
	! grep -q SECRET_HOST <<<"$output"
	! grep -q "$(command -v boxlaunch || echo /nonexistent)" <<<"$output"
}

@test "stop protocol: SIGTERM to boxlaunch sends KillSignal to PID 1; the command's exit code is kept" {
	start_bg stop1 /bin/sh -c 'trap "exit 11" TERM; while :; do sleep 0.05; done'
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
	"$BOXLAUNCH" "$f" -- /bin/sh -c 'trap "echo got-usr1" USR1; trap "" TERM; while :; do sleep 0.05; done' </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
	BOX_PID=$!
	for _ in $(seq 100); do [ "$(state_key stop2 status)" = running ] && break; sleep 0.05; done
	start=$(date +%s%N)
	kill -TERM $BOX_PID
	finish
	[ "$status" -eq 137 ]
	grep -q got-usr1 <<<"$output"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$ms" -ge 400 ]
	[ "$ms" -lt 5000 ]
}

@test "stop protocol: a second SIGTERM kills at once" {
	start_bg stop3 /bin/sh -c 'trap "" TERM; while :; do sleep 0.05; done'
	kill -TERM $BOX_PID
	sleep 0.3
	kill -TERM $BOX_PID
	finish
	[ "$status" -eq 137 ]
}

@test "terminal: tty inside names a pty of the box's own devpts, which is the controlling tty" {
	f=$(mkbox tty1 </dev/null)
	run script -qec "$BOXLAUNCH $f -- /bin/sh -c 'tty; cut -d\" \" -f7 /proc/self/stat; readlink /dev/console'" /dev/null
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

tmux_box() { # NAME CMD: start the box in a tmux window of 80x24
	tmux new-session -d -s t -x 80 -y 24
	tmux send-keys -t t "stty -g >$BATS_TEST_TMPDIR/stty.before; $BOXLAUNCH $1 -- $2; echo rc=\$? >$BATS_TEST_TMPDIR/rc; stty -g >$BATS_TEST_TMPDIR/stty.after" Enter
}

wait_for() { # FILE PATTERN
	for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}

@test "terminal: the window size follows a resize; ^C reaches the command; the host tty is restored" {
	f=$(mkbox tty2 <<EOF2
[Mount rec]
Source = $BATS_TEST_TMPDIR
Target = $BATS_TEST_TMPDIR
EOF2
)
	tmux_box "$f" "/bin/sh -c 'trap \"stty size >$BATS_TEST_TMPDIR/size\" WINCH; trap \"echo got-int >$BATS_TEST_TMPDIR/int; exit 5\" INT; stty size >$BATS_TEST_TMPDIR/size0; while :; do sleep 0.05; done'"
	wait_for "$BATS_TEST_TMPDIR/size0" .
	[ "$(cat $BATS_TEST_TMPDIR/size0)" = "24 80" ]
	tmux resize-window -t t -x 100 -y 30
	wait_for "$BATS_TEST_TMPDIR/size" "30 100"
	tmux send-keys -t t C-c
	wait_for "$BATS_TEST_TMPDIR/rc" rc=
	grep -q got-int "$BATS_TEST_TMPDIR/int"
	[ "$(cat $BATS_TEST_TMPDIR/rc)" = rc=5 ]
	wait_for "$BATS_TEST_TMPDIR/stty.after" .
	cmp "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
}

@test "terminal: the host tty is restored after SIGTERM to boxlaunch and after a set-up error" {
	f=$(mkbox tty3 </dev/null)
	tmux_box "$f" "/bin/sh -c 'while :; do sleep 0.05; done'"
	for _ in $(seq 100); do [ "$(state_key tty3 status)" = running ] && break; sleep 0.05; done
	pkill -TERM -x boxlaunch
	wait_for "$BATS_TEST_TMPDIR/stty.after" .
	cmp "$BATS_TEST_TMPDIR/stty.before" "$BATS_TEST_TMPDIR/stty.after"
	tmux kill-server
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
	run script -qec "printf 'typed\n' | $BOXLAUNCH $f -- /bin/sh -c 'tty; read -t 1 line && echo got-\$line || echo nothing'" /dev/null
	output=$(tr -d '\r\0' <<<"$output" | sed 's/\^@//g')
	echo "$output"
	grep -q '^/dev/pts/0$' <<<"$output"
	grep -q '^nothing$' <<<"$output"
}
