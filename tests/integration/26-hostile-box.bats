#!/usr/bin/env bats
# A hostile box's own code, or a command exec'd into it, must never reach the host (issue 13):
# the caller's terminal session, the seccomp profile call by call, the AppArmor decision,
# startContainer hooks, PID 1, the inheritable capabilities, set-up crashes, exec while the box
# is created, ps output, and pids reused under the clean-up and pause paths.
load helpers

setup_file() {
	ensure_rootfs
	export HB_ROOT=$BATS_FILE_TMPDIR/root HB_MROOT=$BATS_FILE_TMPDIR/mroot
	cp -a "$ROOTFS" "$HB_ROOT"
	build_probe "$HB_ROOT"
	# A machine image whose "systemd" runs the command it is given (as in 20-security).
	cp -a "$HB_ROOT" "$HB_MROOT"
	mkdir -p "$HB_MROOT/usr/lib/systemd"
	printf '#!/bin/sh\nexec "$@"\n' >"$HB_MROOT/usr/lib/systemd/systemd"
	chmod 755 "$HB_MROOT/usr/lib/systemd/systemd"
	# What a startContainer hook from the image sees of its own confinement.
	cat >"$HB_ROOT/usr/bin/hb-look" <<'EOF2'
#!/bin/sh
grep -E '^(CapEff|CapBnd|CapInh|NoNewPrivs|Seccomp):' /proc/self/status | sed 's/^/hook-/'
echo "hook-cgroup $(md5sum </proc/self/cgroup)"
printf 'hook-unshare '
/usr/bin/probe unshare-user
EOF2
	chmod 755 "$HB_ROOT/usr/bin/hb-look"
	export HB_GATE=$BATS_FILE_TMPDIR/syscall-gate
	cc -O2 -o "$HB_GATE" "$BATS_TEST_DIRNAME/syscall-gate.c"
}

setup() {
	snapshot_before
	STARTED=()
	KILL_AFTER=()
	TMUX_SOCK=boxlaunch-hb-$$-$BATS_TEST_NUMBER
}

teardown() {
	local n p
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	for p in "${KILL_AFTER[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	for n in "${STARTED[@]}"; do
		"$BOXLAUNCH" resume "$n" >/dev/null 2>&1 || true
		"$BOXLAUNCH" stop --timeout 5 "$n" >/dev/null 2>&1 || true
		wait_bg "$n"
		"$BOXLAUNCH" gc "$n" >/dev/null 2>&1 || true
	done
	assert_host_unchanged
}

# app_box NAME [LINES...]: a default application box on the probe rootfs, plus LINES.
app_box() {
	local name=$1
	shift
	printf '[Box]\nDirectory = %s\n' "$HB_ROOT" | cat - <(printf '%s\n' "$@") | mkbox "$name"
}

# start_bg NAME FILE CMD...: runs the box in the background and waits until it is running.
start_bg() {
	local name=$1 f=$2 i
	shift 2
	STARTED+=("$name")
	"$BOXLAUNCH" "$f" -- "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/$name.bg"
	for i in $(seq $((WAIT_SECS * 20))); do
		[ "$(state_key "$name" status)" = running ] && return 0
		sleep 0.05
	done
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

# wait_for CMD...: up to WAIT_SECS for CMD to succeed.
wait_for() {
	local i
	for i in $(seq $((WAIT_SECS * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# in_tmux CMD: types CMD into an interactive bash in a private tmux server (its own socket,
# killed afterwards), waits for it, then types one more command and waits for that too:
# whatever CMD pushed into the terminal's input has been read and run by the shell by then.
# Prints the pane.
pane() { tmux -L "$TMUX_SOCK" capture-pane -p -t hb -S -200; }
pane_has() { pane | grep -q "$1"; }
in_tmux() {
	tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -s hb -x 250 -y 50 \
		"env -i PATH=$PATH BOXLAUNCH_RUNTIME_DIR=$BOXLAUNCH_RUNTIME_DIR BOXLAUNCH_CGROUP_PARENT=$BOXLAUNCH_CGROUP_PARENT HISTFILE=/dev/null TERM=xterm bash --norc --noprofile -i" || return 1
	tmux -L "$TMUX_SOCK" send-keys -t hb -l "$1; echo STEP-\$((1+1))"
	tmux -L "$TMUX_SOCK" send-keys -t hb Enter
	wait_for pane_has '^STEP-2' || { pane; return 1; }
	tmux -L "$TMUX_SOCK" send-keys -t hb -l "echo SYNC-\$((2+2))"
	tmux -L "$TMUX_SOCK" send-keys -t hb Enter
	wait_for pane_has '^SYNC-4' || { pane; return 1; }
	pane
	tmux -L "$TMUX_SOCK" kill-server
}

# probes BOX NAME:ARGS...: runs each probe in BOX; output lines "NAME RESULT".
probes() {
	local box=$1 script='' p
	shift
	for p in "$@"; do
		script+="printf '%s ' '${p%%:*}'; /usr/bin/probe ${p#*:}; "
	done
	run_box "$box" -- /bin/sh -c "$script"
}

expect() { # NAME REGEX
	local got
	got=$(grep "^$1 " <<<"$output" | cut -d' ' -f2-)
	if ! [[ "$got" =~ ^($2)\ *$ ]]; then
		echo "$1: got '$got', want $2"
		return 1
	fi
}

status_of() { grep "^$1:" <<<"$output" | awk '{print $2}'; }

# refute CMD...: fails if CMD succeeds (a bare `! cmd` only fails a test on its last line).
refute() {
	if "$@"; then
		echo "unexpectedly true: $*"
		return 1
	fi
}

# --- finding 2: the caller's session and terminal ----------------------------------------------

@test "exec without -t: TIOCSTI from the command cannot type into the admin's shell" {
	f=$(app_box hb-exectty)
	start_bg hb-exectty "$f" /bin/sleep 60
	marker=$BATS_TEST_TMPDIR/injected
	out=$(in_tmux "$BOXLAUNCH exec hb-exectty -- /usr/bin/probe tiocsti 0 'touch $marker'")
	echo "$out"
	grep -q '^EPERM' <<<"$out"
	[ ! -e "$marker" ]
}

@test "a startContainer hook cannot type into the admin's shell through its stdout" {
	marker=$BATS_TEST_TMPDIR/injected
	f=$(app_box hb-hooktty '[Hook inject]' 'Stage = startContainer' \
		"Command = /usr/bin/probe tiocsti 1 \"touch $marker\"")
	out=$(in_tmux "$BOXLAUNCH --console=pipe $f -- /bin/true")
	echo "$out"
	grep -q '^EPERM' <<<"$out"
	[ ! -e "$marker" ]
}

@test "--console=pipe: TIOCSTI from the payload cannot type into the admin's shell" {
	marker=$BATS_TEST_TMPDIR/injected
	f=$(app_box hb-pipetty)
	out=$(in_tmux "$BOXLAUNCH --console=pipe $f -- /usr/bin/probe tiocsti 0 'touch $marker'")
	echo "$out"
	grep -q '^EPERM' <<<"$out"
	[ ! -e "$marker" ]
}

# --- finding 3: the application profile, call by call -------------------------------------------

NS_MOUNT_PROBES=(unshare-user:unshare-user clone3-user:clone3-user clone-newns:clone-newns
	clone-newuser:clone-newuser setns:setns-net mount:mount-tmpfs fsopen:fsopen
	open-tree:open-tree)
OTHER_PROBES=(io-uring:io_uring-setup io-uring-socket:io_uring-socket
	personality-rie:"personality 0x0400000" personality-query:"personality 0xffffffff"
	personality-linux32:"personality 8" userfaultfd:userfaultfd keyctl:keyctl vsock:vsock
	clone-plain:clone-plain)

@test "seccomp: a default application box creates no namespace, mounts nothing, has no io_uring" {
	f=$(app_box hb-sc)
	probes "$f" "${NS_MOUNT_PROBES[@]}" "${OTHER_PROBES[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	expect unshare-user EPERM
	expect clone3-user ENOSYS
	expect clone-newns EPERM
	expect clone-newuser EPERM
	expect setns EPERM
	expect mount EPERM
	expect fsopen EPERM
	expect open-tree EPERM
	expect io-uring EPERM
	expect io-uring-socket EPERM
	expect personality-rie EPERM
	expect personality-query ok
	expect personality-linux32 ok
	expect userfaultfd EPERM
	expect keyctl EPERM
	expect vsock EAFNOSUPPORT
	expect clone-plain ok
}

@test "seccomp: the refusals are the filter's, also where capabilities would refuse (errno 33)" {
	f=$(app_box hb-scerr '[Security]' 'SystemCallErrorNumber = 33')
	probes "$f" "${NS_MOUNT_PROBES[@]}" "${OTHER_PROBES[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	expect unshare-user EDOM
	expect clone3-user ENOSYS
	expect clone-newns EDOM
	expect setns EDOM
	expect mount EDOM
	expect fsopen EDOM
	expect open-tree EDOM
	expect io-uring EDOM
	expect personality-rie EDOM
	expect userfaultfd EDOM
	expect keyctl EDOM
}

@test "seccomp: CAP_SYS_ADMIN re-allows namespaces and mounts (Docker); io_uring stays off" {
	f=$(app_box hb-scadmin '[Capabilities]' 'Add = CAP_SYS_ADMIN' '[Security]' 'SystemCallErrorNumber = 33')
	probes "$f" "${NS_MOUNT_PROBES[@]}" "${OTHER_PROBES[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	expect unshare-user ok
	expect clone3-user ok
	expect clone-newns ok
	expect setns ok
	expect mount ok
	expect fsopen ok
	expect io-uring EDOM
	expect io-uring-socket EDOM
	expect personality-rie EDOM
	expect keyctl EDOM
}

@test "seccomp: a command run with exec gets the same filter, no_new_privs and capabilities" {
	f=$(app_box hb-scexec)
	start_bg hb-scexec "$f" /bin/sleep 60
	run "$BOXLAUNCH" exec hb-scexec -- /bin/sh -c 'printf "unshare "; /usr/bin/probe unshare-user;
		printf "uring "; /usr/bin/probe io_uring-setup; grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	expect unshare EPERM
	expect uring EPERM
	[ "$(status_of CapInh)" = 0000000000000000 ]
	[ "$(status_of CapEff)" = 00000000a80425fb ]
	[ "$(status_of NoNewPrivs)" = 1 ]
	[ "$(status_of Seccomp)" = 2 ]
}

@test "seccomp: a machine box keeps systemd-nspawn's rules (systemd needs namespaces)" {
	f=$(printf '[Box]\nDirectory = %s\n[Exec]\nBoot = yes\n' "$HB_MROOT" | mkbox hb-machine)
	probes "$f" unshare-user:unshare-user io-uring:io_uring-setup keyctl:keyctl \
		personality-rie:"personality 0x0400000"
	echo "$output"
	[ "$status" -eq 0 ]
	expect unshare-user ok
	expect io-uring ok
	expect personality-rie ok
	expect keyctl EPERM
}

# --- finding 6: AppArmor is decided on the host -------------------------------------------------

@test "AppArmorProfile= on an AppArmor host: applied or a failed start, never unconfined" {
	# What an AppArmor host shows (enabled, securityfs with the profile loaded), faked in a
	# private mount namespace of the test: this kernel has no AppArmor. The box's own /sys
	# shows none of it, which is where the old code looked.
	f=$(app_box hb-aa '[Security]' 'AppArmorProfile = boxlaunch-web')
	run unshare -m --propagation private sh -c '
		mount -t tmpfs fake /sys/module &&
		mkdir -p /sys/module/apparmor/parameters &&
		echo Y >/sys/module/apparmor/parameters/enabled &&
		mount -t securityfs securityfs /sys/kernel/security &&
		mount -t tmpfs fake /sys/kernel/security &&
		mkdir /sys/kernel/security/apparmor &&
		echo "boxlaunch-web (enforce)" >/sys/kernel/security/apparmor/profiles &&
		exec "$0" "$1" -- /bin/echo RAN-UNCONFINED' "$BOXLAUNCH" "$f" </dev/null
	echo "$output"
	refute grep -q RAN-UNCONFINED <<<"$output"
	[ "$status" -eq 125 ]
	grep -q 'AppArmor profile boxlaunch-web' <<<"$output"
}

# --- finding 7a: startContainer hooks are confined like the box --------------------------------

@test "a startContainer hook runs with the box's cgroups, capabilities, no_new_privs and seccomp" {
	f=$(app_box hb-hookconf '[Hook look]' 'Stage = startContainer' 'Command = /usr/bin/hb-look' \
		'Environment = PATH=/usr/bin:/bin')
	run_box "$f" -- /bin/sh -c 'echo "box-cgroup $(md5sum </proc/self/cgroup)"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(status_of hook-CapEff)" = 00000000a80425fb ]
	[ "$(status_of hook-CapBnd)" = 00000000a80425fb ]
	[ "$(status_of hook-CapInh)" = 0000000000000000 ]
	[ "$(status_of hook-NoNewPrivs)" = 1 ]
	[ "$(status_of hook-Seccomp)" = 2 ]
	expect hook-unshare EPERM
	[ "$(grep '^hook-cgroup ' <<<"$output" | cut -d' ' -f2-)" = "$(grep '^box-cgroup ' <<<"$output" | cut -d' ' -f2-)" ]
}

# --- finding 7b: PID 1 ------------------------------------------------------------------------

@test "the box cannot write PID 1's memory or ptrace it, even with the ptrace call allowed" {
	f=$(app_box hb-pid1 '[Security]' 'SystemCallFilter = ptrace')
	probes "$f" mem:"open-exe-write /proc/1/mem" seize:"ptrace-seize 1" environ:"read /proc/1/environ"
	echo "$output"
	[ "$status" -eq 0 ]
	expect mem 'EACCES|EPERM'
	expect seize EPERM
	expect environ 'EACCES|EPERM'
}

# --- finding 7c: inheritable capabilities -----------------------------------------------------

@test "the box's processes have no inheritable capabilities unless Ambient= asks (CVE-2022-24769)" {
	f=$(app_box hb-inh)
	run_box "$f" -- /bin/cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_of CapInh)" = 0000000000000000 ]
	[ "$(status_of CapEff)" = 00000000a80425fb ]
	f=$(app_box hb-inh2 '[Exec]' 'User = app' '[Capabilities]' 'Ambient = CAP_NET_BIND_SERVICE')
	run_box "$f" -- /bin/cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_of CapInh)" = 0000000000000400 ]
	[ "$(status_of CapAmb)" = 0000000000000400 ]
}

# --- finding 7d, 7e: a set-up process that dies; exec while the box is created ---------------

# hold_box NAME: a box whose prestart hook waits for $BATS_TEST_TMPDIR/release (after creating
# .../held), and whose poststart hook leaves .../poststart-ran.
hold_box() {
	local d=$BATS_TEST_TMPDIR
	app_box "$1" '[Hook hold]' 'Stage = prestart' \
		"Command = \"/bin/sh -c 'touch $d/held; while [ ! -e $d/release ]; do /bin/sleep 0.05; done'\"" \
		'[Hook post]' 'Stage = poststart' "Command = /bin/touch $d/poststart-ran"
}

@test "a set-up process killed before it executes the payload is a failed start (125), no poststart" {
	f=$(hold_box hb-crash)
	STARTED+=(hb-crash)
	"$BOXLAUNCH" "$f" -- /bin/true </dev/null >"$BATS_TEST_TMPDIR/hb-crash.out" 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/hb-crash.bg"
	wait_for test -e "$BATS_TEST_TMPDIR/held"
	pid=$(state_key hb-crash pid)
	[ -n "$pid" ]
	# Held at its pivot_root, well into the set-up and past the supervisor's go, the set-up
	# process is killed: it dies without a word, the way a crash does.
	g=$BATS_TEST_TMPDIR/g
	"$HB_GATE" attach "$g" "$(printf '#include <sys/syscall.h>\nSYS_pivot_root' | cpp -P | tail -1)" "$pid" \
		</dev/null >/dev/null 2>&1 3>&- &
	wait_for test -e "$g.attached"
	touch "$BATS_TEST_TMPDIR/release"
	wait_for test -e "$g.held"
	kill -KILL "$pid"
	touch "$g.go"
	wait_bg hb-crash
	cat "$BATS_TEST_TMPDIR/hb-crash.out"
	[ "$bg_status" -eq 125 ]
	grep -q "set-up process was killed by signal KILL" "$BATS_TEST_TMPDIR/hb-crash.out"
	[ ! -e "$BATS_TEST_TMPDIR/poststart-ran" ]
}

@test "exec is refused while the box is still being created" {
	f=$(hold_box hb-creating)
	STARTED+=(hb-creating)
	"$BOXLAUNCH" "$f" -- /bin/sleep 60 </dev/null >"$BATS_TEST_TMPDIR/hb-creating.out" 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/hb-creating.bg"
	wait_for test -e "$BATS_TEST_TMPDIR/held"
	[ "$(state_key hb-creating status)" = creating ]
	run "$BOXLAUNCH" exec hb-creating -- /bin/cat /proc/self/mountinfo
	touch "$BATS_TEST_TMPDIR/release"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "box 'hb-creating' is not running yet (status creating)" <<<"$output"
	# Once it runs, exec works.
	is_running() { [ "$(state_key hb-creating status)" = running ]; }
	wait_for is_running
	run "$BOXLAUNCH" exec hb-creating -- /bin/true
	[ "$status" -eq 0 ]
}

# --- finding 7f: ps ---------------------------------------------------------------------------

@test "ps escapes the control bytes of the box's command lines" {
	f=$(app_box hb-ps)
	start_bg hb-ps "$f" /usr/bin/probe hold 60 "$(printf 'x\033]0;owned\007\033[2Jy')"
	run "$BOXLAUNCH" ps hb-ps
	echo "$output" | od -c | head -20
	[ "$status" -eq 0 ]
	refute grep -q "$(printf '\033')" <<<"$output"
	refute grep -q "$(printf '\007')" <<<"$output"
	grep -qF '/usr/bin/probe hold 60 x\x1b]0;owned\a\x1b[2Jy' <<<"$output"
}

# --- finding 7g: pids reused under the clean-up and pause paths --------------------------------

# into_box_group NAME PID: puts a host process into the box's group of a v1 hierarchy that
# also counts as the box's membership (pids, memory or devices), as a leftover would be.
into_box_group() {
	local cg h
	cg=$(state_key "$1" cgroup)
	for h in pids memory devices; do
		if [ -d "/sys/fs/cgroup/$h/$cg" ]; then
			echo "$2" >"/sys/fs/cgroup/$h/$cg/cgroup.procs" && return 0
		fi
	done
	return 1
}

# reuse_pid PID: kills our child PID and starts a host process (outside the box) under the
# same number; prints nothing, records it for teardown.
reuse_pid() {
	kill -9 "$1"
	wait "$1" 2>/dev/null || true
	"$HB_GATE" spawn "$1" -- /bin/sleep 299 </dev/null >/dev/null 2>&1 3>&-
	KILL_AFTER+=("$1")
}

@test "gc kills leftovers through pidfds: a pid reused by a host process is not killed" {
	[ -d /sys/fs/cgroup/pids ] || [ -d /sys/fs/cgroup/memory ] || skip "no cgroup v1 hierarchy"
	f=$(app_box hb-gc)
	start_bg hb-gc "$f" /bin/sleep 60
	/bin/sleep 299 3>&- &
	p=$!
	KILL_AFTER+=("$p")
	into_box_group hb-gc "$p"
	# The supervisor dies; the leftover stays in the box's group for gc.
	kill -9 "$(state_key hb-gc supervisor)"
	wait_bg hb-gc
	"$HB_GATE" gate "$BATS_TEST_TMPDIR/g" kill "$p" -- "$BOXLAUNCH" gc hb-gc \
		>"$BATS_TEST_TMPDIR/gc.out" 2>&1 3>&- &
	gc=$!
	wait_for test -e "$BATS_TEST_TMPDIR/g.held"
	# gc is about to send SIGKILL to the leftover: it exits, its number goes to a host process.
	reuse_pid "$p"
	touch "$BATS_TEST_TMPDIR/g.go"
	st=0
	wait "$gc" || st=$?
	cat "$BATS_TEST_TMPDIR/gc.out"
	[ "$st" -eq 0 ]
	kill -0 "$p"
	grep -q sleep "/proc/$p/cmdline"
}

@test "pause (v1 freezer) moves processes through pidfds: a reused pid's host process is not frozen" {
	[ -d /sys/fs/cgroup/freezer ] || skip "no v1 freezer hierarchy"
	f=$(app_box hb-pause)
	start_bg hb-pause "$f" /bin/sleep 60
	[ ! -d "/sys/fs/cgroup/freezer/$(state_key hb-pause cgroup)" ]
	/bin/sleep 299 3>&- &
	p=$!
	KILL_AFTER+=("$p")
	into_box_group hb-pause "$p"
	"$HB_GATE" gate "$BATS_TEST_TMPDIR/g" write "$p" -- "$BOXLAUNCH" pause hb-pause \
		>"$BATS_TEST_TMPDIR/pause.out" 2>&1 3>&- &
	pz=$!
	wait_for test -e "$BATS_TEST_TMPDIR/g.held"
	# pause is about to move the leftover's number into the box's freezer group.
	reuse_pid "$p"
	touch "$BATS_TEST_TMPDIR/g.go"
	st=0
	wait "$pz" || st=$?
	cat "$BATS_TEST_TMPDIR/pause.out"
	[ "$st" -eq 0 ]
	[ "$(state_key hb-pause status)" = paused ]
	# Still in the freezer group it was born in (the test's own, which need not be the root).
	[ "$(grep ':freezer:' "/proc/$p/cgroup")" = "$(grep ':freezer:' /proc/self/cgroup)" ]
	# Not frozen (a v1 freezer shows D) nor stopped (T).
	grep -qE '^State:\s+[SR] ' "/proc/$p/status"
}
