#!/usr/bin/env bats
# A hostile image must never reach the host (issue 13): API file systems go only on real
# directories of the image, nothing is created in an image that did not ask for it (nothing at
# all with ReadOnly=yes), /proc writes land only on the box's own procfs, /etc/passwd and
# /etc/group cannot block or flood boxlaunch, ephemeral layers have no name on the host, bind
# mounts of host directories carry no device node of the box's, and the Network=host exposure is
# documented. Each test checks the host afterwards: the image's files, mounts, state, cgroups,
# processes and the sysctl a box could reach.
load helpers

setup_file() {
	ensure_rootfs
	export HI_BASE=$BATS_FILE_TMPDIR/base
	cp -a "$ROOTFS" "$HI_BASE"
	# A "machine" init that just runs its arguments, so Boot=yes boxes run a command.
	mkdir -p "$HI_BASE/usr/lib/systemd"
	printf '#!/bin/sh\nexec "$@"\n' >"$HI_BASE/usr/lib/systemd/systemd"
	chmod 755 "$HI_BASE/usr/lib/systemd/systemd"
	# abstract NAME listen|connect: a unix socket in the abstract namespace (@NAME).
	cat >"$BATS_FILE_TMPDIR/abstract.c" <<'EOF'
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t n = strlen(argv[1]);
	memcpy(a.sun_path + 1, argv[1], n);
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (argc > 2 && !strcmp(argv[2], "listen")) {
		if (bind(s, (struct sockaddr *)&a, len) < 0 || listen(s, 8) < 0)
			return perror("bind"), 1;
		printf("listening\n");
		fflush(stdout);
		for (;;) {
			int c = accept(s, NULL, NULL);
			if (c >= 0)
				close(c);
		}
	}
	puts(connect(s, (struct sockaddr *)&a, len) == 0 ? "connected" : "refused");
	return 0;
}
EOF
	cc -static -O2 -o "$HI_BASE/usr/bin/abstract" "$BATS_FILE_TMPDIR/abstract.c"
}

setup() {
	snapshot_before
	HOST_CORE=$(cat /proc/sys/kernel/core_pattern)
	STARTED=()
	LISTENER=
	SQUAT=
	SHARED=
}

teardown() {
	# A box that reached the host's core_pattern (the bug) must not leave it changed.
	if [ "$(cat /proc/sys/kernel/core_pattern)" != "$HOST_CORE" ]; then
		printf '%s\n' "$HOST_CORE" >/proc/sys/kernel/core_pattern
	fi
	local n
	for n in "${STARTED[@]}"; do
		"$BOXLAUNCH" stop --timeout 5 "$n" >/dev/null 2>&1 || true
	done
	# What a start cut short by run_limited may have left (only with the old, hanging code).
	for n in "${STARTED[@]}" hi-passwd; do
		"$BOXLAUNCH" gc "$n" >/dev/null 2>&1 || true
	done
	[ -z "$LISTENER" ] || reap_bg "$LISTENER"
	[ -z "$SQUAT" ] || rm -rf "$SQUAT"
	[ -z "$SHARED" ] || rm -rf "$SHARED"
	assert_host_unchanged
}

# mkimg NAME: a fresh copy of the base image, for one test to make hostile.
mkimg() {
	cp -a "$HI_BASE" "$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

# Everything about an image's files that boxlaunch must not change: names, types, modes,
# owners, sizes, modification times, link targets.
image_list() {
	find "$1" -printf '%P|%y|%m|%U:%G|%s|%T@|%l\n' | LC_ALL=C sort
}
image_snapshot() { image_list "$1" >"$BATS_TEST_TMPDIR/image.before"; }
image_unchanged() {
	image_list "$1" >"$BATS_TEST_TMPDIR/image.after"
	diff -u "$BATS_TEST_TMPDIR/image.before" "$BATS_TEST_TMPDIR/image.after"
}

# host_intact: the host as the test found it (checked in the test body, where it can fail).
host_intact() {
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$HOST_CORE" ] || {
		echo "core_pattern changed"
		return 1
	}
	assert_host_unchanged
}

# run_limited SECONDS ARGS...: boxlaunch ARGS with stdin from /dev/null; a hang is cut short
# (status 124, or 137 when SIGTERM was ignored) instead of hanging the suite.
run_limited() {
	local secs=$1
	shift
	status=0
	output=$(timeout -k 5 "$secs" "$BOXLAUNCH" "$@" </dev/null 2>&1) || status=$?
}

# start_box NAME FILE CMD...: a box in the background, once it runs.
start_box() {
	local name=$1 f=$2 i
	shift 2
	STARTED+=("$name")
	"$BOXLAUNCH" "$f" -- "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- &
	for i in $(seq $((WAIT_SECS * 20))); do
		[ "$(state_key "$name" status)" = running ] && return 0
		sleep 0.05
	done
	cat "$BATS_TEST_TMPDIR/$name.out"
	return 1
}

# --- finding 1: API file systems only on real directories of the image ---------------------

@test "/proc -> / in the image is refused; the box never reaches the host's core_pattern" {
	img=$(mkimg procroot)
	rm -rf "$img/proc"
	ln -s / "$img/proc"
	image_snapshot "$img"
	for ro in no yes; do
		f=$(mkbox hi-procroot <<EOF2
[Box]
Directory = $img
ReadOnly = $ro
EOF2
)
		# On the old main, procfs landed on the box's root: /etc/.. was the host's /proc.
		# Writing the current value back changes nothing even where it succeeds.
		run_box "$f" -- /bin/sh -c 'p=/etc/../sys/kernel/core_pattern; v=$(cat $p) && printf "%s\n" "$v" >$p && echo WROTE-HOST-SYSCTL'
		echo "ReadOnly=$ro: $output"
		[[ $output != *WROTE-HOST-SYSCTL* ]]
		[ "$status" -eq 125 ]
		grep -q '/proc in the image is a symbolic link, not a directory' <<<"$output"
	done
	image_unchanged "$img"
	host_intact
}

@test "/proc -> / with Network=private: the same clear error" {
	img=$(mkimg procnet)
	rm -rf "$img/proc"
	ln -s / "$img/proc"
	f=$(mkbox hi-procnet <<EOF2
[Box]
Directory = $img
[Namespaces]
Network = private
EOF2
)
	run_box "$f" -- /bin/true
	echo "$output"
	[ "$status" -eq 125 ]
	grep -q '/proc in the image is a symbolic link, not a directory' <<<"$output"
	host_intact
}

@test "/dev -> / in the image: refused, nothing created in the image (also ReadOnly=yes)" {
	img=$(mkimg devroot)
	rm -rf "$img/dev"
	ln -s / "$img/dev"
	image_snapshot "$img"
	for ro in no yes; do
		f=$(mkbox hi-devroot <<EOF2
[Box]
Directory = $img
ReadOnly = $ro
EOF2
)
		run_box "$f" -- /bin/true
		echo "ReadOnly=$ro: $output"
		[ "$status" -eq 125 ]
		grep -q '/dev in the image is a symbolic link, not a directory' <<<"$output"
		# The old main made null, zero, ..., pts/, shm/ in the image's root directory.
		image_unchanged "$img"
	done
	host_intact
}

@test "/sys -> / in the image: refused (the old main left /sys/firmware unmasked)" {
	img=$(mkimg sysroot)
	rm -rf "$img/sys"
	ln -s / "$img/sys"
	image_snapshot "$img"
	f=$(mkbox hi-sysroot <<EOF2
[Box]
Directory = $img
EOF2
)
	run_box "$f" -- /bin/sh -c 'ls /sys/firmware | wc -l'
	echo "$output"
	[ "$status" -eq 125 ]
	grep -q '/sys in the image is a symbolic link, not a directory' <<<"$output"
	image_unchanged "$img"
	host_intact
}

@test "a file, a FIFO or nothing at /dev, /sys or /proc: a clear error, nothing created" {
	img=$(mkimg devfile)
	rm -rf "$img/dev" && touch "$img/dev"
	img2=$(mkimg sysfifo)
	rm -rf "$img2/sys" && mkfifo "$img2/sys"
	img3=$(mkimg noproc)
	rm -rf "$img3/proc"
	for c in "$img|/dev in the image is a regular file, not a directory" \
		"$img2|/sys in the image is a FIFO, not a directory" \
		"$img3|the image has no directory /proc"; do
		image_snapshot "${c%%|*}"
		f=$(mkbox hi-apifile <<EOF2
[Box]
Directory = ${c%%|*}
EOF2
)
		run_box "$f" -- /bin/true
		echo "$output"
		[ "$status" -eq 125 ]
		grep -qF "${c#*|}" <<<"$output"
		image_unchanged "${c%%|*}"
	done
	host_intact
}

@test "a machine image with /run -> / or a FIFO at /tmp: refused, nothing created" {
	img=$(mkimg runroot)
	rm -rf "$img/run"
	ln -s / "$img/run"
	img2=$(mkimg tmpfifo)
	rm -rf "$img2/tmp" && mkfifo "$img2/tmp"
	for c in "$img|/run in the image is a symbolic link, not a directory" \
		"$img2|/tmp in the image is a FIFO, not a directory"; do
		image_snapshot "${c%%|*}"
		f=$(mkbox hi-machine <<EOF2
[Box]
Directory = ${c%%|*}
[Exec]
Boot = yes
EOF2
)
		run_box "$f" -- /bin/true
		echo "$output"
		[ "$status" -eq 125 ]
		grep -qF "${c#*|}" <<<"$output"
		# The old main made /run/host in the image's root directory.
		image_unchanged "${c%%|*}"
	done
	host_intact
}

@test "ReadOnly=yes: missing mount points are made in a private layer, never in the image" {
	img=$(mkimg rolayer)
	[ ! -e "$img/run/host" ]
	image_snapshot "$img"
	f=$(mkbox hi-rolayer <<EOF2
[Box]
Directory = $img
ReadOnly = yes
[Exec]
NotifyReady = yes
[Mount new]
Type = tmpfs
Target = /new/sub
EOF2
)
	run_box "$f" -- /bin/sh -c '[ -d /new/sub ] && [ -S /run/host/notify ] && echo mounts-ok; touch /etc/x 2>&1; touch /new/sub/y && echo tmpfs-writable'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q mounts-ok <<<"$output"
	grep -q 'Read-only file system' <<<"$output"
	grep -q tmpfs-writable <<<"$output"
	# The old main created /new/sub and /run/host/notify in the read-only image.
	image_unchanged "$img"
	host_intact
}

@test "Boot=yes points /etc/localtime at the host's zone only in a real /etc, never through a symlink" {
	zone=$(readlink /etc/localtime | sed -n 's|.*zoneinfo/||p')
	[ -n "$zone" ] || skip "the host's /etc/localtime names no zone"
	# An image whose /etc is a symlink to its root: the old main wrote localtime there.
	img=$(mkimg etcroot)
	mkdir -p "$img/usr/share/zoneinfo/$(dirname "$zone")"
	touch "$img/usr/share/zoneinfo/$zone"
	mv "$img/etc" "$img/etc.real"
	ln -s / "$img/etc"
	# A regular /etc/localtime is the image's own: left alone.
	img2=$(mkimg tzfile)
	mkdir -p "$img2/usr/share/zoneinfo/$(dirname "$zone")"
	touch "$img2/usr/share/zoneinfo/$zone"
	echo TZif-of-the-image >"$img2/etc/localtime"
	for i in "$img" "$img2"; do
		image_snapshot "$i"
		f=$(mkbox hi-tz <<EOF2
[Box]
Directory = $i
[Exec]
Boot = yes
EOF2
)
		run_box "$f" -- /bin/true
		echo "$output"
		[ "$status" -eq 0 ]
		image_unchanged "$i"
	done
	# A real /etc without localtime gets the documented link (nspawn's Timezone=auto).
	img3=$(mkimg tzlink)
	mkdir -p "$img3/usr/share/zoneinfo/$(dirname "$zone")"
	touch "$img3/usr/share/zoneinfo/$zone"
	f=$(mkbox hi-tz <<EOF2
[Box]
Directory = $img3
[Exec]
Boot = yes
EOF2
)
	run_box "$f" -- /bin/true
	[ "$status" -eq 0 ]
	[ "$(readlink "$img3/etc/localtime")" = "../usr/share/zoneinfo/$zone" ]
	host_intact
}

# --- finding 1: every /proc write goes through a descriptor checked to be on procfs ----------

@test "Sysctl= is written to the box's own procfs only, never to what is mounted over it" {
	fake=$BATS_TEST_TMPDIR/fakekernel
	mkdir -p "$fake"
	echo 4096 >"$fake/shmmni"
	f=$(mkbox hi-sysctl <<EOF2
[Box]
Directory = $HI_BASE
[Exec]
Sysctl = kernel.shmmni=2048
[Mount fake]
Source = $fake
Target = /proc/sys/kernel
EOF2
)
	run_box "$f" -- /bin/true
	echo "$output"
	# The old main wrote "2048" into the host's file through the bind mount.
	[ "$(cat "$fake/shmmni")" = 4096 ]
	[ "$status" -eq 125 ]
	grep -q 'setting sysctl kernel.shmmni=2048 (/proc/sys/kernel/shmmni)' <<<"$output"
	host_intact
}

@test "OOMScoreAdjust= is written to the box's own procfs only" {
	fake=$BATS_TEST_TMPDIR/fakepid
	mkdir -p "$fake"
	echo 0 >"$fake/oom_score_adj"
	f=$(mkbox hi-oom <<EOF2
[Box]
Directory = $HI_BASE
[Exec]
OOMScoreAdjust = 500
[Mount fake]
Source = $fake
Target = /proc/1
EOF2
)
	run_box "$f" -- /bin/true
	echo "$output"
	[ "$(cat "$fake/oom_score_adj")" = 0 ]
	[ "$status" -eq 125 ]
	grep -q 'hi-oom.box:[0-9]*: \[Exec\] OOMScoreAdjust: setting 500 (something is mounted over /proc/PID)' <<<"$output"
	host_intact
}

# --- finding 4: /etc/passwd and /etc/group are regular files, read without blocking ----------

@test "User= with a FIFO, huge, device or looping /etc/passwd or /etc/group: a clear error at once" {
	img=$(mkimg pwfifo)
	rm "$img/etc/passwd" && mkfifo "$img/etc/passwd"
	img2=$(mkimg pwhuge)
	truncate -s 2G "$img2/etc/passwd"
	img3=$(mkimg pwzero)
	ln -sf /dev/zero "$img3/etc/passwd"
	img4=$(mkimg grfifo)
	rm "$img4/etc/group" && mkfifo "$img4/etc/group"
	img5=$(mkimg pwloop)
	ln -sf passwd2 "$img5/etc/passwd" && ln -s passwd "$img5/etc/passwd2"
	for c in "$img|/etc/passwd is a FIFO, not a regular file" \
		"$img2|/etc/passwd is larger than 4 MiB" \
		"$img3|/etc/passwd is a character device, not a regular file" \
		"$img4|/etc/group is a FIFO, not a regular file" \
		"$img5|/etc/passwd: Too many levels of symbolic links"; do
		f=$(mkbox hi-passwd <<EOF2
[Box]
Directory = ${c%%|*}
[Exec]
User = app
Group = wheel
EOF2
)
		# The old main hung on the FIFO and read the others without end.
		run_limited 30 "$f" -- /bin/true
		echo "$status: $output"
		[ "$status" -eq 125 ]
		grep -qF "the box's ${c#*|}" <<<"$output"
	done
	host_intact
}

@test "exec -u and shell in a box that made its /etc/passwd a FIFO: a clear error at once" {
	img=$(mkimg execfifo)
	f=$(mkbox hi-execfifo <<EOF2
[Box]
Directory = $img
EOF2
)
	start_box hi-execfifo "$f" /bin/sleep 60
	# The box's root turns its own /etc/passwd into a FIFO (no lookup needed as root).
	run_limited 30 exec hi-execfifo -- /bin/sh -c 'rm /etc/passwd && mkfifo /etc/passwd'
	[ "$status" -eq 0 ]
	for u in app 1000; do
		run_limited 30 exec -u "$u" hi-execfifo -- /bin/true
		echo "exec -u $u: $status: $output"
		[ "$status" -ne 0 ]
		[ "$status" -ne 124 ]
		[ "$status" -ne 137 ]
		grep -q "the box's /etc/passwd is a FIFO, not a regular file" <<<"$output"
	done
	out=$(in_pty "timeout --foreground -k 5 30 $BOXLAUNCH shell hi-execfifo" </dev/null 2>&1) || true
	echo "shell: $out"
	grep -q "the box's /etc/passwd is a FIFO, not a regular file" <<<"$out"
	"$BOXLAUNCH" stop --timeout 5 hi-execfifo
	host_intact
}

# --- finding 5: ephemeral layers have no name on the host -----------------------------------

@test "Ephemeral=yes: a name squatted in /tmp does not matter; two ephemeral boxes start at once" {
	# The old main used /tmp/.boxlaunch-ephemeral-1 (its pid in the new pid namespace): any
	# user who made that name first broke every ephemeral box.
	SQUAT=/tmp/.boxlaunch-ephemeral-1
	# The name is the machine's, not this run's: another run beside this one waits its turn
	# (the lock goes with this test's process).
	exec {squat_lock}>/tmp/.boxlaunch-test-squat.lock
	flock "$squat_lock"
	[ ! -e "$SQUAT" ]
	setpriv --reuid=65534 --regid=65534 --clear-groups touch "$SQUAT"
	img=$(mkimg eph)
	image_snapshot "$img"
	for n in 1 2; do
		mkbox hi-eph$n >/dev/null <<EOF2
[Box]
Directory = $img
Ephemeral = yes
EOF2
	done
	run_box "$BATS_TEST_TMPDIR/hi-eph1.box" -- /bin/sh -c 'echo scratch >/etc/eph && cat /etc/eph'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = scratch ]
	[ -f "$SQUAT" ]
	[ "$(stat -c %U "$SQUAT")" = nobody ]
	rm -f "$SQUAT"
	for round in 1 2 3; do
		pids=()
		for n in 1 2; do
			"$BOXLAUNCH" "$BATS_TEST_TMPDIR/hi-eph$n.box" -- /bin/sh -c "echo $n >/etc/eph && sleep 0.3 && cat /etc/eph" \
				</dev/null >"$BATS_TEST_TMPDIR/eph$n.out" 2>&1 3>&- &
			pids+=($!)
		done
		for n in 1 2; do
			st=0
			wait "${pids[$((n - 1))]}" || st=$?
			cat "$BATS_TEST_TMPDIR/eph$n.out"
			[ "$st" -eq 0 ]
			[ "$(cat "$BATS_TEST_TMPDIR/eph$n.out")" = "$n" ]
		done
	done
	[ -z "$(find /tmp -maxdepth 1 -name '.boxlaunch-ephemeral*' -print -quit)" ]
	image_unchanged "$img"
	host_intact
}

# --- finding 7: host directories bound into a box carry no device node of the box's ---------

@test "bind mounts are nosuid,nodev unless Options= says dev,suid; the box cannot plant a disk's node" {
	# A source on a mount without nodev/nosuid of its own, so that dev,suid can show.
	SHARED=$(mktemp -d /var/tmp/boxlaunch-hi.XXXXXX)
	mkdir "$SHARED/a" "$SHARED/b"
	f=$(mkbox hi-bind <<EOF2
[Box]
Directory = $HI_BASE
[Mount shared]
Source = $SHARED/a
Target = /srv/shared
[Mount devok]
Source = $SHARED/b
Target = /srv/devok
Options = dev,suid
EOF2
)
	run_box "$f" -- /bin/sh -c 'mknod /srv/shared/disk b 253 0; mknod /srv/shared/mem c 1 1; grep -E " /srv/(shared|devok) " /proc/self/mountinfo'
	echo "$output"
	[ "$status" -eq 0 ]
	# The old main let the box make them: a 253:0 node any host user could open.
	[ -z "$(ls -A "$SHARED/a")" ]
	grep -q 'disk: Operation not permitted' <<<"$output"
	grep -qE ' /srv/shared rw,nosuid,nodev' <<<"$output"
	src_opts=$(findmnt -no OPTIONS -T "$SHARED")
	if [[ ,$src_opts, != *,nodev,* && ,$src_opts, != *,nosuid,* ]]; then
		line=$(grep ' /srv/devok ' <<<"$output")
		[[ $line != *nosuid* && $line != *nodev* ]]
	fi
	host_intact
}

# --- finding 8: Network=host and the host's abstract unix sockets -----------------------------

@test "Network=host reaches the host's abstract unix sockets, as documented; Network=private does not" {
	man=$ROOT_DIR/docs/boxlaunch.box.5
	sed -n '/^\.BR Network= /,/^\.TP/p' "$man" | grep -q 'abstract'
	grep -qi 'abstract unix socket' "$ROOT_DIR/README.md"
	name=boxlaunch-hi-$$
	"$HI_BASE/usr/bin/abstract" "$name" listen </dev/null >"$BATS_TEST_TMPDIR/listener" 2>&1 3>&- &
	LISTENER=$!
	wait_for "$BATS_TEST_TMPDIR/listener" '^listening'
	for net in host private; do
		f=$(mkbox hi-net <<EOF2
[Box]
Directory = $HI_BASE
[Namespaces]
Network = $net
EOF2
)
		run_box "$f" -- /usr/bin/abstract "$name"
		echo "$net: $output"
		[ "$status" -eq 0 ]
		if [ "$net" = host ]; then [ "$output" = connected ]; else [ "$output" = refused ]; fi
	done
	kill "$LISTENER"
	LISTENER=
	host_intact
}
