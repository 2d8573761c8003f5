#!/usr/bin/env bats
# The example boxes and the scripts that make their root filesystems (examples/).
# Every root filesystem lives in this file's temporary directory; the boxes run under names of
# their own (ex60-*), and nothing is left in the run's state directory. The Debian machine box is booted by
# 70-boot.bats; the Ubuntu, Fedora, Arch and Alpine ones cannot be built here and are only
# checked.
load helpers

EX=$ROOT_DIR/examples

setup_file() {
	export BB_ROOT=$BATS_FILE_TMPDIR/busybox-root
	export WEB_ROOT=$BATS_FILE_TMPDIR/webapp-root
	"$EX/mkrootfs-busybox.sh" "$BB_ROOT" >/dev/null
	"$EX/mkrootfs-webapp.sh" "$WEB_ROOT" >/dev/null
}

setup() { MY_BOXES=; }

# Whatever a failed test left running is stopped; then nothing of ours may remain. Every check
# counts (bats looks only at teardown's status, so they are collected).
teardown() {
	local n rc=0
	for n in $MY_BOXES; do
		if [ -f "$STATE_DIR/$n" ]; then
			kill -KILL "$(state_key "$n" supervisor)" 2>/dev/null || true
			wait_gone "$n" || true
		fi
	done
	for n in $MY_BOXES; do
		[ ! -e "$STATE_DIR/$n" ] || { echo "state file of $n left"; rc=1; }
		if find /sys/fs/cgroup -maxdepth 4 -type d -path "*/$CG_PARENT/$n.box*" 2>/dev/null | grep .; then
			echo "cgroups of $n left"
			rc=1
		fi
	done
	if grep -F "$BATS_FILE_TMPDIR" /proc/self/mountinfo; then
		echo "mounts left"
		rc=1
	fi
	if pgrep -af "$BATS_FILE_TMPDIR"; then
		echo "processes left"
		rc=1
	fi
	return $rc
}

wait_gone() { # NAME: wait for the box's state file to disappear
	local i
	for i in $(seq $((WAIT_SECS * 10))); do
		[ -e "$STATE_DIR/$1" ] || return 0
		sleep 0.1
	done
	return 1
}

# example FILE [SED-EXPR...]: copy examples/FILE to the test's directory with its Directory=
# pointing at the matching temporary root filesystem, plus further sed expressions.
example() {
	local src=$EX/$1 dst=$BATS_TEST_TMPDIR/$1 root
	shift
	case $src in
	*/webapp.box) root=$WEB_ROOT ;;
	*) root=$BB_ROOT ;;
	esac
	sed -e "s|^Directory = .*|Directory = $root|" "$@" "$src" >"$dst"
	echo "$dst"
}

@test "every example box passes boxlaunch check and says what it is" {
	n=0
	for f in "$EX"/*.box; do
		run "$BOXLAUNCH" check "$f"
		echo "$f: $output"
		[ "$status" -eq 0 ]
		# The header: "# NAME.box - what it is", and how to make its root filesystem.
		head -n 1 "$f" | grep -q "^# $(basename "$f") - "
		grep -q '^#.*\(mkrootfs-\|import-rootfs\.sh\)' "$f"
		n=$((n + 1))
	done
	[ "$n" -ge 7 ]
}

@test "the machine boxes boot with the machine defaults, and the app box keeps its limits" {
	for m in debian ubuntu fedora archlinux alpine; do
		run "$BOXLAUNCH" check --show "$EX/$m.box"
		[ "$status" -eq 0 ]
		grep -qx 'Boot = yes' <<<"$output"
		grep -qx "Directory = /var/lib/machines/$m" <<<"$output"
		grep -qx 'User = pick' <<<"$output"
		grep -qx 'TasksMax = 4096' <<<"$output"
		grep -qx 'MemoryMax = 2147483648' <<<"$output"
	done
	run "$BOXLAUNCH" check --show "$EX/webapp.box"
	[ "$status" -eq 0 ]
	grep -qx 'ReadOnly = yes' <<<"$output"
	grep -qx 'User = app' <<<"$output"
	grep -qx 'Network = private' <<<"$output"
	grep -qx 'VirtualEthernet = yes' <<<"$output"
	grep -qx 'HostPort = 8080' <<<"$output"
	grep -qx 'MemoryMax = 67108864' <<<"$output"
	grep -qx 'TasksMax = 64' <<<"$output"
	grep -qx 'CPUQuota = 50%' <<<"$output"
}

@test "the example scripts are POSIX sh, say how to use them, and fail with a message" {
	for s in "$EX"/*.sh; do
		sh -n "$s"
		grep -q '^set -eu' "$s"
		if command -v shellcheck >/dev/null; then shellcheck -s sh -S warning "$s"; fi
	done
	run "$EX/mkrootfs-webapp.sh"
	[ "$status" -ne 0 ]
	grep -q 'usage: mkrootfs-webapp.sh DIR' <<<"$output"
	run "$EX/import-rootfs.sh" /nonexistent.tar "$BATS_TEST_TMPDIR/x"
	[ "$status" -ne 0 ]
	grep -q '^import-rootfs.sh: error: /nonexistent.tar is not a readable file' <<<"$output"
	run "$EX/mkrootfs-debian.sh" "$BATS_TEST_TMPDIR/deb" 'no such suite'
	[ "$status" -ne 0 ]
	grep -q '^mkrootfs-debian.sh: error: ' <<<"$output"
	[ ! -e "$BATS_TEST_TMPDIR/deb" ]
	# An existing tree is left alone without --force (and needs no network).
	mkdir -p "$BATS_TEST_TMPDIR/deb2/etc"
	echo 'PRETTY_NAME="Test tree"' >"$BATS_TEST_TMPDIR/deb2/etc/os-release"
	run "$EX/mkrootfs-debian.sh" "$BATS_TEST_TMPDIR/deb2"
	[ "$status" -eq 0 ]
	grep -q 'already holds a root filesystem (Test tree)' <<<"$output"
}

@test "hello.box runs and greets from its own namespaces" {
	MY_BOXES=ex60-hello
	f=$(example hello.box)
	run_box -n ex60-hello "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^Hello\ from\ hello:\ pid\ [0-9]+,\ user\ root,\ [0-9]+\ processes\ in\ sight$ ]]
}

@test "webapp.box serves its page as the app user, without capabilities, from a read-only root" {
	MY_BOXES=ex60-webapp
	# Point the optional bind at a path that does not exist: the page in the image is served.
	f=$(example webapp.box -e "s|^Source = .*|Source = $BATS_TEST_TMPDIR/no-such-dir|")
	run_box -n ex60-webapp "$f" -- /bin/sh -c 'httpd -p 8080 -h /srv/www && wget -qO- http://127.0.0.1:8080/ && id -un && grep ^CapEff /proc/self/status && { touch /srv/www/x 2>/dev/null || echo ro; } && touch /tmp/ok && echo tmp-rw'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '<h1>Hello from the webapp box</h1>' <<<"$output"
	grep -qx app <<<"$output"
	grep -qx 'CapEff:	0000000000000000' <<<"$output"
	grep -qx ro <<<"$output"
	grep -qx tmp-rw <<<"$output"
}

@test "webapp.box serves a host directory bound read-only over /srv/www" {
	MY_BOXES=ex60-webapp
	site=$BATS_TEST_TMPDIR/site
	mkdir -p "$site"
	echo '<p>site from the host</p>' >"$site/index.html"
	chmod -R a+rX "$site"
	f=$(example webapp.box -e "s|^Source = .*|Source = $site|")
	run_box -n ex60-webapp "$f" -- /bin/sh -c 'httpd -p 8080 -h /srv/www && wget -qO- http://127.0.0.1:8080/; echo x >/srv/www/index.html 2>/dev/null || echo ro'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx '<p>site from the host</p>' <<<"$output"
	grep -qx ro <<<"$output"
	[ "$(cat "$site/index.html")" = '<p>site from the host</p>' ]
}

@test "webapp.box runs detached: it reaches running, answers on its published port, and stops on SIGTERM" {
	MY_BOXES=ex60-webapp
	port=$(free_port)
	f=$(example webapp.box -e "s|^Source = .*|Source = $BATS_TEST_TMPDIR/no-such-dir|" \
		-e "s|^HostPort = .*|HostPort = $port|")
	# Not through `run`, and without bats' fd 3: the detached supervisor keeps descriptors it
	# inherited, and bats would wait for them to close, that is for the box to end.
	"$BOXLAUNCH" -d -n ex60-webapp "$f" </dev/null >"$BATS_TEST_TMPDIR/detach.out" 2>&1 3>&-
	[ "$(state_key ex60-webapp status)" = running ]
	pid=$(state_key ex60-webapp pid)
	# The page, from inside the box's network namespace (with the host's static busybox:
	# nothing else of the host's enters the box) and on the host's own 127.0.0.1:PORT.
	page=
	for _ in $(seq $((WAIT_SECS * 10))); do
		page=$(nsenter -t "$pid" -n busybox wget -qO- http://127.0.0.1:8080/ 2>/dev/null) && break
		sleep 0.1
	done
	grep -q '<h1>Hello from the webapp box</h1>' <<<"$page"
	curl -sS -m 10 "http://127.0.0.1:$port/" | grep -q '<h1>Hello from the webapp box</h1>'
	# ... and only on the published port, not on the host's 8080 too.
	[ "$port" = 8080 ] || refute curl -sS -m 2 http://127.0.0.1:8080/ 2>/dev/null
	"$BOXLAUNCH" list --json | grep -q "\"interface\":\"ve-ex60-webapp\""
	# httpd runs as uid 1000 (app), a child of the box's init.
	httpd=$(pgrep -P "$pid" -x httpd)
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$httpd/status")" = 1000 ]
	kill -TERM "$(state_key ex60-webapp supervisor)"
	wait_gone ex60-webapp
	refute kill -0 "$pid" 2>/dev/null
	refute nft list table inet boxlaunch-ex60-webapp
}

@test "mkrootfs-webapp.sh is idempotent and keeps an edited page" {
	root=$BATS_TEST_TMPDIR/web
	"$EX/mkrootfs-webapp.sh" "$root"
	grep -q 'Hello from the webapp box' "$root/srv/www/index.html"
	echo edited >"$root/srv/www/index.html"
	"$EX/mkrootfs-webapp.sh" "$root"
	[ "$(cat "$root/srv/www/index.html")" = edited ]
	[ "$(stat -c %a "$root/srv/www")" = 755 ]
}

@test "import-rootfs.sh unpacks a tarball, strips its top-level directory, and the box runs" {
	MY_BOXES=ex60-import
	t=$BATS_TEST_TMPDIR
	mkdir "$t/pack"
	cp -a "$BB_ROOT" "$t/pack/root.x86_64"
	tar --numeric-owner --xattrs -C "$t/pack" -czf "$t/rootfs.tar.gz" root.x86_64
	run "$EX/import-rootfs.sh" "$t/rootfs.tar.gz" "$t/imported"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q 'without its top-level directory root.x86_64/' <<<"$output"
	grep -q 'is ready: BusyBox root filesystem (boxlaunch)' <<<"$output"
	[ ! -e "$t/imported/root.x86_64" ]
	[ -x "$t/imported/usr/bin/busybox" ]
	[ "$(stat -c %u:%g:%a "$t/imported/home/app")" = "1000:1000:755" ]
	[ "$(stat -c %a "$t/imported/tmp")" = 1777 ]
	grep -q "^imported from rootfs.tar.gz (sha256 $(sha256sum "$t/rootfs.tar.gz" | cut -d' ' -f1))" \
		"$t/imported/.boxlaunch-rootfs"
	printf '[Box]\nDirectory = %s\n[Exec]\nUser = app\nCommand = "/bin/sh -c '"'id -un; cat /etc/os-release'"'"\n' \
		"$t/imported" >"$t/imported.box"
	run_box -n ex60-import "$t/imported.box"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = app ]
	grep -q '^ID=busybox' <<<"$output"

	# A flat tarball (./bin, ./etc, ...) is unpacked as it is.
	tar --numeric-owner -C "$BB_ROOT" -cf "$t/flat.tar" .
	run "$EX/import-rootfs.sh" "$t/flat.tar" "$t/flat"
	[ "$status" -eq 0 ]
	[ -x "$t/flat/usr/bin/busybox" ]
}

@test "import-rootfs.sh refuses a non-empty directory, unsafe names and non-trees, and cleans up" {
	t=$BATS_TEST_TMPDIR
	tar --numeric-owner -C "$BB_ROOT" -cf "$t/flat.tar" .
	mkdir "$t/full"
	touch "$t/full/keep"
	run "$EX/import-rootfs.sh" "$t/flat.tar" "$t/full"
	[ "$status" -ne 0 ]
	grep -q 'exists and is not empty' <<<"$output"
	[ "$(ls -A "$t/full")" = keep ]

	echo x >"$t/evil"
	tar -C / -cPf "$t/abs.tar" "$t/evil"
	run "$EX/import-rootfs.sh" "$t/abs.tar" "$t/abs"
	[ "$status" -ne 0 ]
	grep -q 'unsafe member name' <<<"$output"
	[ ! -e "$t/abs" ]

	# tar itself will not write a '..' name; python's tarfile will.
	python3 -c 'import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("../a/f"); i.size = 2; t.addfile(i, io.BytesIO(b"x\n"))' "$t/dotdot.tar"
	run "$EX/import-rootfs.sh" "$t/dotdot.tar" "$t/dotdot"
	[ "$status" -ne 0 ]
	grep -q "unsafe member name '../a/f'" <<<"$output"

	# Not a root filesystem: what was unpacked into an existing empty directory is removed.
	mkdir "$t/data" "$t/empty"
	echo x >"$t/data/file"
	tar -C "$t/data" -cf "$t/data.tar" file
	run "$EX/import-rootfs.sh" "$t/data.tar" "$t/empty"
	[ "$status" -ne 0 ]
	grep -q 'does not hold a root filesystem' <<<"$output"
	[ -d "$t/empty" ]
	[ -z "$(ls -A "$t/empty")" ]
}
