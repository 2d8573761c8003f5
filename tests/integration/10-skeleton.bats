#!/usr/bin/env bats
# The first launch path: namespaces, file systems, identity, exit codes, nothing left behind.
load helpers

setup_file() { ensure_rootfs; }
setup() {
	snapshot_before
	BG_PID=
}
teardown() {
	local rc=0
	[ -z "$BG_PID" ] || reap_bg "$BG_PID"
	assert_host_unchanged || rc=1
	return $rc
}

@test "on x86-64 the binary starts in boxlaunch_entry, which maps its image before glibc's start" {
	[ "$(uname -m)" = x86_64 ] || skip "the early entry point is x86-64 only"
	entry=$(readelf -h "$BOXLAUNCH" | awk '/Entry point address/ { print $4 }')
	sym=$(nm "$BOXLAUNCH" | awk '$3 == "boxlaunch_entry" { print $1 }')
	[ -n "$entry" ]
	[ -n "$sym" ]
	[ $((entry)) -eq $((16#$sym)) ]
	run "$BOXLAUNCH" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "boxlaunch "* ]]
}

@test "namespaces are new: mnt pid uts ipc net cgroup differ from the host" {
	f=$(mkbox ns <<'EOF2'
[Namespaces]
Network = private
EOF2
)
	run_box "$f" -- /bin/sh -c 'for n in mnt pid uts ipc net cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	[ "$status" -eq 0 ]
	for n in mnt pid uts ipc net cgroup; do
		inside=$(grep "^$n " <<<"$output" | cut -d' ' -f2)
		[ -n "$inside" ]
		[ "$inside" != "$(readlink /proc/self/ns/$n)" ]
	done
}

@test "Network=host keeps the host's network namespace" {
	f=$(mkbox nethost <<'EOF2'
[Namespaces]
Network = host
EOF2
)
	run_box "$f" -- /bin/readlink /proc/self/ns/net
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
}

@test "hostname comes from Hostname= and defaults to the box name" {
	f=$(mkbox hn <<EOF2
[Box]
Directory = $ROOTFS
Hostname = web-1
EOF2
)
	run_box "$f" -- /bin/hostname
	[ "$status" -eq 0 ]
	[ "$output" = "web-1" ]
	f=$(mkbox defaultname </dev/null)
	run_box "$f" -- /bin/hostname
	[ "$status" -eq 0 ]
	[ "$output" = "defaultname" ]
	[ "$(hostname)" != "web-1" ]
}

@test "the box sees only its own processes; the command is PID 2 under the stub or PID 1 with Init=no" {
	f=$(mkbox procs <<'EOF2'
[Exec]
Init = no
EOF2
)
	run_box "$f" -- /bin/sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" -le 3 ]
}

@test "API file systems: proc, read-only sysfs, tmpfs /dev with the standard nodes, devpts, shm, mqueue" {
	f=$(mkbox fs </dev/null)
	run_box "$f" -- /bin/sh -c 'cat /proc/self/mountinfo; ls -l /dev; touch /sys/x 2>&1; echo x >/dev/null && echo devnull-ok'
	[ "$status" -eq 0 ]
	grep -E ' /proc .* - proc ' <<<"$output"
	grep -E ' /sys ro,.* - sysfs ' <<<"$output"
	grep -E ' /dev rw,nosuid,noexec.* - tmpfs ' <<<"$output"
	grep -E ' /dev/pts .* - devpts .*ptmxmode=666' <<<"$output"
	grep -E ' /dev/shm .* - tmpfs ' <<<"$output"
	grep -E ' /dev/mqueue .* - mqueue ' <<<"$output"
	for n in null zero full random urandom tty; do grep -E "^c.* $n\$" <<<"$output"; done
	grep -E 'ptmx -> pts/ptmx' <<<"$output"
	grep -q 'Read-only file system' <<<"$output"
	grep -q devnull-ok <<<"$output"
}

@test "/dev, /dev/shm (1777, 64 MiB, nosuid,nodev) and the masks' empty nodes share one tmpfs; the box sees only its directories" {
	f=$(mkbox shm </dev/null)
	run_box "$f" -- /bin/sh -c 'grep -E " /(dev|dev/shm|proc/kmsg|sys/firmware) " /proc/self/mountinfo; echo "shm=[$(ls -A /dev/shm)]"; stat -c "%a" /dev/shm; df -k /dev/shm | tail -1; ls -A /dev/.. | tr "\n" " "'
	[ "$status" -eq 0 ]
	local shm kmsg fw dev
	shm=$(awk '$5 == "/dev/shm" {print $3, $4, $6}' <<<"$output")
	dev=$(awk '$5 == "/dev" {print $3, $4, $6}' <<<"$output")
	[ "$dev" = "${shm%% *} /dev rw,nosuid,noexec,relatime" ]
	# Up from /dev is the box's root, not the tmpfs's (where reg, dir and shm are).
	grep -q 'proc .*sys ' <<<"$output"
	refute grep -qE '(^| )reg ' <<<"$output"
	kmsg=$(awk '$5 == "/proc/kmsg" {print $3, $4, $6}' <<<"$output")
	fw=$(awk '$5 == "/sys/firmware" {print $3, $4, $6}' <<<"$output")
	[ "$shm" = "${kmsg%% *} /shm rw,nosuid,nodev,relatime" ]
	[ "$kmsg" = "${shm%% *} /reg ro,nosuid,nodev,noexec,relatime" ]
	[ "$fw" = "${shm%% *} /dir ro,nosuid,nodev,noexec,relatime" ]
	grep -qx 'shm=\[\]' <<<"$output"
	grep -qx 1777 <<<"$output"
	grep -qE '^tmpfs +65536 ' <<<"$output"
}

@test "the host's mounts are gone after pivot_root" {
	f=$(mkbox pivot </dev/null)
	# A mount of the test's own in the namespace boxlaunch starts from, so that there is one
	# known host mount to look for on any machine.
	mkdir -p "$BATS_TEST_TMPDIR/hostmnt"
	status=0
	output=$(unshare -m --propagation private sh -c 'mount -t tmpfs hostmarker "$1" && shift && exec "$@"' sh \
		"$BATS_TEST_TMPDIR/hostmnt" "$BOXLAUNCH" "$f" -- /bin/cat /proc/self/mountinfo </dev/null 2>&1) || status=$?
	echo "$output"
	[ "$status" -eq 0 ]
	refute grep -qE ' hostmarker | tmpfs hostmarker' <<<"$output"
	refute grep -qF " $BATS_TEST_TMPDIR/hostmnt " <<<"$output"
	# Nor is any mount point of the host's own table below / a mount point in the box, but for
	# the API file systems the box mounts itself.
	while read -r mp; do
		case $mp in / | /proc | /proc/* | /sys | /sys/* | /dev | /dev/*) continue ;; esac
		refute awk -v mp="$mp" '$5 == mp { found = 1 } END { exit !found }' <<<"$output"
	done < <(awk '{ print $5 }' /proc/self/mountinfo)
	refute grep -qE ' / /(tmp|var|run|home|etc)( |$)' <<<"$output"
	[ "$(awk '$5 == "/"' <<<"$output" | wc -l)" -eq 1 ]
}

@test "[Mount] sections: bind (read-only keeps working), tmpfs with size, created targets" {
	src=$BATS_TEST_TMPDIR/data
	mkdir -p "$src" && echo payload >"$src/file"
	f=$(mkbox mounts <<EOF2
[Mount data]
Source = $src
Target = /srv/data
Options = ro,nosuid

[Mount scratch]
Type = tmpfs
Target = /scratch
Options = size=2m,mode=0700
EOF2
)
	run_box "$f" -- /bin/sh -c 'cat /srv/data/file; touch /srv/data/new 2>&1; grep -E " /scratch | /srv/data " /proc/self/mountinfo; stat -c %a /scratch'
	[ "$status" -eq 0 ]
	grep -q '^payload$' <<<"$output"
	grep -q 'Read-only file system' <<<"$output"
	grep -E ' /srv/data ro,nosuid' <<<"$output"
	grep -E ' /scratch .*size=2048k' <<<"$output"
	grep -q '^700$' <<<"$output"
	[ ! -e "$src/new" ]
}

@test "ReadOnly=yes makes the root read-only but not /dev or /tmp mounts" {
	f=$(mkbox ro <<EOF2
[Box]
Directory = $ROOTFS
ReadOnly = yes
EOF2
)
	run_box "$f" -- /bin/sh -c 'touch /etc/x 2>&1; touch /dev/shm/y && echo shm-ok'
	[ "$status" -eq 0 ]
	grep -q 'Read-only file system' <<<"$output"
	grep -q shm-ok <<<"$output"
}

@test "a bind-mount target that is a symlink out of the root stays inside the root" {
	root=$BATS_TEST_TMPDIR/evilroot
	cp -a "$ROOTFS" "$root"
	outside=$BATS_TEST_TMPDIR/outside
	mkdir -p "$outside"
	ln -s "$outside" "$root/escape"
	src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src" && echo marker >"$src/m"
	f=$(mkbox symlink <<EOF2
[Box]
Directory = $root

[Mount x]
Source = $src
Target = /escape
EOF2
)
	run_box "$f" -- /bin/cat /escape/m
	[ "$status" -eq 0 ]
	[ "$output" = marker ]
	# Nothing was mounted on, or created in, the host directory the symlink points to.
	[ -z "$(ls -A "$outside")" ]
	refute grep -q " $outside " /proc/self/mountinfo
}

@test "User= resolves names in the box's /etc/passwd; groups from its /etc/group" {
	f=$(mkbox user <<'EOF2'
[Exec]
User = app
WorkingDirectory = /home/app
EOF2
)
	run_box "$f" -- /bin/sh -c 'id; pwd; echo $HOME $USER'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "uid=1000(app) gid=1000(app) groups=10(wheel)" ]
	[ "${lines[1]}" = /home/app ]
	[ "${lines[2]}" = "/home/app app" ]
}

@test "Group= and SupplementaryGroups= are resolved in the box's /etc/group, not the host's" {
	root=$BATS_TEST_TMPDIR/grproot
	cp -a "$ROOTFS" "$root"
	# A group only the box has, and one the host has too (users, gid 100 on Debian) under
	# another gid in the box.
	printf 'boxonly:x:4711:\nusers:x:4713:\n' >>"$root/etc/group"
	refute getent group boxonly
	f=$(mkbox groups <<EOF2
[Box]
Directory = $root
[Exec]
User = app
Group = boxonly
SupplementaryGroups = users wheel
EOF2
)
	run_box "$f" -- /bin/sh -c 'id -u; id -g; id -G | tr " " "\n" | sort -n | tr "\n" " "'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 4711 ]
	# The primary group, app's memberships in the box's file (wheel), the extra ones.
	[ "${lines[2]}" = "10 4711 4713 " ]
	sed -i 's/^Group = .*/Group = nosuchgroup/' "$f"
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q "group 'nosuchgroup' not found in the box's /etc/group" <<<"$output"
	sed -i 's/^Group = .*/Group = boxonly/; s/^SupplementaryGroups = .*/SupplementaryGroups = nosuchextra/' "$f"
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q "supplementary group 'nosuchextra' not found in the box's /etc/group" <<<"$output"
}

@test "a box NAME is looked up as NAME.box in \$BOXLAUNCH_PATH, in its order" {
	# A name no standard directory has.
	name=pathbox-${CG_PARENT##*[.-]}
	mkdir -p "$BATS_TEST_TMPDIR/d1" "$BATS_TEST_TMPDIR/d2" "$BATS_TEST_TMPDIR/empty"
	for d in d1 d2; do
		printf '[Box]\nDirectory = %s\n[Exec]\nCommand = /bin/echo from-%s\n' "$ROOTFS" "$d" \
			>"$BATS_TEST_TMPDIR/$d/$name.box"
	done
	status=0
	output=$(BOXLAUNCH_PATH=$BATS_TEST_TMPDIR/d1:$BATS_TEST_TMPDIR/d2 "$BOXLAUNCH" "$name" </dev/null 2>&1) || status=$?
	[ "$status" -eq 0 ]
	[ "$output" = from-d1 ]
	output=$(BOXLAUNCH_PATH=$BATS_TEST_TMPDIR/empty:$BATS_TEST_TMPDIR/d2:$BATS_TEST_TMPDIR/d1 "$BOXLAUNCH" "$name" </dev/null 2>&1) || status=$?
	[ "$status" -eq 0 ]
	[ "$output" = from-d2 ]
	# Not found anywhere: a clear error naming the box.
	output=$(BOXLAUNCH_PATH=$BATS_TEST_TMPDIR/empty "$BOXLAUNCH" "$name" </dev/null 2>&1) || status=$?
	[ "$status" -ne 0 ]
	grep -q "no box '$name'" <<<"$output"
}

@test "an unknown user is a set-up failure (125) naming the user" {
	f=$(mkbox nouser <<'EOF2'
[Exec]
User = ghost
EOF2
)
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q "user 'ghost' not found" <<<"$output"
}

@test "Environment= and the default PATH reach the command" {
	f=$(mkbox env <<'EOF2'
[Exec]
Environment = GREETING=hello "SPACED=a b" PATH=/usr/bin:/bin
EOF2
)
	run_box "$f" -- /bin/sh -c 'echo "$GREETING|$SPACED|$PATH|$container"'
	[ "$status" -eq 0 ]
	[ "$output" = "hello|a b|/usr/bin:/bin|boxlaunch" ]
}

@test "the host's environment does not leak into the box" {
	f=$(mkbox noleak </dev/null)
	SECRET_HOST_VAR=leak run "$BOXLAUNCH" "$f" -- /usr/bin/env </dev/null
	[ "$status" -eq 0 ]
	grep -q '^container=boxlaunch$' <<<"$output"
	refute grep -q SECRET_HOST_VAR <<<"$output"
}

@test "User=BASE:COUNT writes the uid and gid maps" {
	f=$(mkbox userns <<'EOF2'
[Namespaces]
User = 100000:65536
EOF2
)
	run_box "$f" -- /bin/sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "$(echo ${lines[1]})" = "0 100000 65536" ]
	[ "${lines[2]}" = 0 ]
}

@test "private network: only lo, and it is up" {
	f=$(mkbox net <<'EOF2'
[Namespaces]
Network = private
EOF2
)
	run_box "$f" -- /bin/sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	[ $(( ${lines[1]} & 1 )) -eq 1 ]
}

@test "exit codes: N, 127 not found, 126 not executable" {
	f=$(mkbox codes </dev/null)
	run_box "$f" -- /bin/sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run_box "$f" -- /no/such/command
	[ "$status" -eq 127 ]
	grep -q '/no/such/command: No such file or directory' <<<"$output"
	run_box "$f" -- /etc/passwd
	[ "$status" -eq 126 ]
	run_box "$f" -- nosuchcmd
	[ "$status" -eq 127 ]
}

@test "exit codes: killed by signal S gives 128+S; a command's own 133 becomes 1" {
	f=$(mkbox sig <<'EOF2'
[Exec]
Init = no
EOF2
)
	"$BOXLAUNCH" "$f" -- /bin/sleep 30 </dev/null 3>&- &
	BG_PID=$!
	wait_state sig running
	kill -KILL "$(state_key sig pid)"
	wait_exit "$BG_PID"
	BG_PID=
	[ "$wait_status" -eq 137 ]
	run_box "$f" -- /bin/sh -c 'exit 133'
	[ "$status" -eq 1 ]
}

@test "a missing root directory fails with 125, a clear message, and nothing left behind" {
	f=$(mkbox missing <<'EOF2'
[Box]
Directory = /nonexistent/rootfs
EOF2
)
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q 'root directory /nonexistent/rootfs: No such file or directory' <<<"$output"
	[ ! -e "$STATE_DIR/missing" ]
}

@test "a bad bind source fails with 125 naming the mount section" {
	f=$(mkbox badsrc <<'EOF2'
[Mount data]
Source = /nonexistent/source
Target = /data
EOF2
)
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q 'badsrc.box:[0-9]*: \[Mount data\]: binding /nonexistent/source on /data' <<<"$output"
}

@test "a malformed file fails with 125 and names file and line" {
	f=$(mkbox malformed <<'EOF2'
[Exec]
Command = /bin/true
Comand = /bin/false
EOF2
)
	run_box "$f"
	[ "$status" -eq 125 ]
	grep -q "malformed.box:6: unknown key 'Comand' in \[Exec\]; did you mean 'Command'?" <<<"$output"
}

@test "check validates without running, --show prints the resolved config" {
	f=$(mkbox checkme <<'EOF2'
[Exec]
Command = /bin/echo hi
[Limits]
MemoryMax = 64M
EOF2
)
	run "$BOXLAUNCH" check "$f"
	[ "$status" -eq 0 ]
	run "$BOXLAUNCH" check --show "$f"
	[ "$status" -eq 0 ]
	grep -q '^Name = checkme$' <<<"$output"
	grep -q '^MemoryMax = 67108864$' <<<"$output"
	grep -q '^Command = /bin/echo hi$' <<<"$output"
	printf '[Box]\nDirectory = /x\n[Box]\n' >"$BATS_TEST_TMPDIR/dup.box"
	run "$BOXLAUNCH" check "$BATS_TEST_TMPDIR/dup.box"
	[ "$status" -ne 0 ]
	grep -q 'dup.box:3: section \[Box\] repeated (first at line 1)' <<<"$output"
}

@test "a second start of the same name is refused while the first runs" {
	f=$(mkbox twice </dev/null)
	"$BOXLAUNCH" "$f" -- /bin/sleep 300 </dev/null 3>&- &
	BG_PID=$!
	wait_state twice running
	run_box "$f" -- /bin/true
	[ "$status" -eq 125 ]
	grep -q "box 'twice' is already running" <<<"$output"
	# ... and the first is untouched by the refused start.
	[ "$(state_key twice status)" = running ]
	kill -TERM "$BG_PID"
	wait_exit "$BG_PID"
	BG_PID=
	[ "$wait_status" -eq 143 ]
}

@test "no host file descriptor reaches the box" {
	# With Init=no as well: there no stub init closes them a second time.
	for init in yes no; do
		f=$(printf '[Exec]\nInit = %s\n' "$init" | mkbox fds)
		exec 7</etc/hostname
		run_box "$f" -- /bin/ls /proc/self/fd
		exec 7<&-
		echo "Init=$init: $output"
		[ "$status" -eq 0 ]
		[ "$(echo $output | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
	done
}
