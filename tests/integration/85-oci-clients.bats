#!/usr/bin/env bats
# 85-oci-clients.bats - real OCI clients driving boxlaunch-runc: podman (through conmon) and
# containerd's runc shim (through ctr), offline, each with private storage, configuration and
# daemon under this file's temporary directory; an image made from the test rootfs (podman
# import, podman save, ctr image import). Nothing of the machine's podman or containerd set-up
# is used or changed, and every host path the clients create on first use is removed again.

bats_require_minimum_version 1.5.0
load helpers

# Host paths podman and containerd create on first use (podman makes /run/netns a bind mount of
# itself): those absent before this file are removed after it.
CLIENT_PATHS="/run/netns /run/containers /var/lib/containers /run/libpod /run/containerd /var/lib/containerd /run/runc"

setup_file() {
	ensure_rootfs
	export RUNC_BIN
	RUNC_BIN=$(readlink -f "$(dirname "$BOXLAUNCH")")/boxlaunch-runc
	export CLIENT_BEFORE=""
	local p
	for p in $CLIENT_PATHS; do [ -e "$p" ] && CLIENT_BEFORE="$CLIENT_BEFORE $p"; done
	export P=$BATS_FILE_TMPDIR/podman
	mkdir -p "$P/tmp"
	# vfs: plain directories, no overlay mounts to leak. default_ulimits: podman's defaults
	# exceed this host's hard limit (no CAP_SYS_RESOURCE in the bounding set).
	cat >"$P/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$P/events.log"
		tmp_dir = "$P/tmp"
		[network]
		network_config_dir = "$P/networks"
	EOF
	cat >"$P/storage.conf" <<-EOF
		[storage]
		driver = "vfs"
		graphroot = "$P/root"
		runroot = "$P/run"
	EOF
	: >"$P/registries.conf"
	export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf
	export CONTAINERS_REGISTRIES_CONF=$P/registries.conf
	tar -C "$ROOTFS" -c . | podman import --change 'CMD ["/bin/sh"]' - localhost/hello >/dev/null
	podman save --format oci-archive -o "$BATS_FILE_TMPDIR/hello.tar" localhost/hello >/dev/null
}

teardown_file() {
	podman rm -a -f -t 0 >/dev/null 2>&1 || true
	podman image rm -a -f >/dev/null 2>&1 || true
	local p m
	for m in $(awk -v t="$BATS_FILE_TMPDIR/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	for p in $CLIENT_PATHS; do
		[ -e "$p" ] || continue
		[[ " $CLIENT_BEFORE " == *" $p "* ]] && continue
		if [ "$p" = /run/netns ]; then
			[ -z "$(ls -A /run/netns)" ] || continue
			mountpoint -q /run/netns && umount /run/netns
			rmdir /run/netns
		else
			rm -rf "$p"
		fi
	done
}

setup() {
	T=$BATS_TEST_TMPDIR
	snapshot_before
}

teardown() {
	podman rm -a -f -t 0 >/dev/null 2>&1 || true
	ctrd_stop
}

pm() {
	podman --runtime "$RUNC_BIN" "$@" 3>&-
}

# under_pty CMD: CMD with a terminal (podman -t and ctr -t need one), sized.
under_pty() {
	in_pty "stty cols 100 rows 30; $*" </dev/null 3>&-
}

@test "podman run --rm: output, exit codes, a missing command is 127" {
	run pm run --rm --network none localhost/hello echo hello-from-box
	[ "$status" -eq 0 ]
	[[ "$output" == *hello-from-box* ]]
	run pm run --rm --network none localhost/hello sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run -127 pm run --rm --network none localhost/hello /nonexistent
	[ "$status" -eq 127 ]
	run pm run --rm --network none localhost/hello cat /proc/1/cmdline
	[[ "$output" == cat* ]]
	run under_pty podman --runtime "$RUNC_BIN" run -t --rm --network none localhost/hello sh -c "'tty; stty size'"
	[ "$status" -eq 0 ]
	[[ "$output" == */dev/pts/* ]]
	[[ "$output" == *"30 100"* ]]
	[ -z "$(podman ps -a -q)" ]
	assert_host_unchanged
}

@test "podman run -d, exec, exec -t, pause/unpause, top, stop, rm" {
	pm run -d --name c1 --network none localhost/hello sleep 600
	[ "$(podman inspect -f '{{.OCIRuntime}} {{.State.Status}}' c1)" = "$RUNC_BIN running" ]
	run pm exec c1 echo hello-from-exec
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-exec ]
	run pm exec c1 sh -c 'exit 5'
	[ "$status" -eq 5 ]
	run under_pty podman --runtime "$RUNC_BIN" exec -t c1 tty
	[[ "$output" == */dev/pts/* ]]
	pm pause c1
	[ "$(podman inspect -f '{{.State.Status}}' c1)" = paused ]
	pm unpause c1
	[ "$(podman inspect -f '{{.State.Status}}' c1)" = running ]
	run pm top c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 600"* ]]
	pm stop -t 2 c1
	pm rm c1
	[ -z "$(podman ps -a -q)" ]
	assert_host_unchanged
}

# ---- containerd: its own daemon, root, state and sockets under the test's directory -------

ctrd_start() {
	D=$BATS_TEST_TMPDIR/ctrd
	mkdir -p "$D"
	export CONTAINERD_ADDRESS=$D/containerd.sock CONTAINERD_NAMESPACE=default
	cat >"$D/config.toml" <<-EOF
		version = 2
		root = "$D/root"
		state = "$D/state"
		[grpc]
		  address = "$D/containerd.sock"
		[ttrpc]
		  address = "$D/containerd.sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$D/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "localhost/hello:latest"
		  restrict_oom_score_adj = true
		  stream_server_address = "127.0.0.1"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    conf_dir = "$D/cni"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    default_runtime_name = "boxlaunch"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.boxlaunch]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.boxlaunch.options]
		        BinaryName = "$RUNC_BIN"
		        Root = "$D/boxlaunch-root"
	EOF
	setsid containerd --config "$D/config.toml" >"$D/containerd.log" 2>&1 </dev/null 3>&- &
	CTRD_PID=$!
	local i
	for i in $(seq $((WAIT_SECS * 10))); do
		ctr version >/dev/null 2>&1 && break
		sleep 0.1
	done
	ctr version >/dev/null
	CTR_RUN=(ctr run --runc-binary "$RUNC_BIN" --runc-root "$D/runc-root" --fifo-dir "$D/fifo")
}

ctrd_stop() {
	[ -n "${CTRD_PID:-}" ] || return 0
	local c p
	for c in $(ctr task ls -q 2>/dev/null); do ctr task kill -s SIGKILL "$c" >/dev/null 2>&1; done
	sleep 0.3
	for c in $(ctr task ls -q 2>/dev/null); do ctr task delete -f "$c" >/dev/null 2>&1; done
	for c in $(ctr container ls -q 2>/dev/null); do ctr container delete "$c" >/dev/null 2>&1; done
	kill "$CTRD_PID" 2>/dev/null
	wait_exit "$CTRD_PID" || kill -9 "$CTRD_PID"
	for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $D/containerd.sock"); do
		kill "$p"
	done
	local m
	for m in $(awk -v t="$D/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	CTRD_PID=
}

wait_task() { # ID STATUS
	local i
	for i in $(seq $((WAIT_SECS * 10))); do
		ctr task ls | awk -v id="$1" '$1 == id { print $3 }' | grep -qx "$2" && return 0
		sleep 0.1
	done
	ctr task ls
	return 1
}

@test "containerd: a runtime whose BinaryName is boxlaunch-runc loads (ctr plugins ls)" {
	ctrd_start
	run ctr plugins ls
	[ "$status" -eq 0 ]
	grep -qE 'io\.containerd\.grpc\.v1\s+cri\s+.*\sok' <<<"$output"
	run containerd --config "$D/config.toml" config dump
	[[ "$output" == *"BinaryName = \"$RUNC_BIN\""* ]]
}

@test "ctr run --runc-binary: --rm, a missing command, -d + task exec (-t) + ps + pause + kill + delete" {
	ctrd_start
	ctr image import "$BATS_FILE_TMPDIR/hello.tar" >/dev/null
	run "${CTR_RUN[@]}" --rm localhost/hello:latest t1 echo hello-from-ctr
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *hello-from-ctr* ]]
	# containerd shows only what the runtime wrote to --log.
	run "${CTR_RUN[@]}" --rm localhost/hello:latest t-bad /nonexistent
	[ "$status" -ne 0 ]
	[[ "$output" == *"OCI runtime create failed"*"No such file or directory"* ]]
	ctr container delete t-bad >/dev/null 2>&1 || true
	"${CTR_RUN[@]}" -d localhost/hello:latest t2 sleep 600 3>&-
	wait_task t2 RUNNING
	run ctr task exec --exec-id e1 t2 echo hello-from-exec
	[ "$status" -eq 0 ]
	[[ "$output" == *hello-from-exec* ]]
	run ctr task exec --exec-id e2 t2 sh -c 'exit 5'
	[ "$status" -eq 5 ]
	run under_pty ctr task exec -t --exec-id e3 t2 tty
	[[ "$output" == */dev/pts/* ]]
	run ctr task ps t2
	[ "$status" -eq 0 ]
	ctr task pause t2
	wait_task t2 PAUSED
	ctr task resume t2
	wait_task t2 RUNNING
	ctr task kill -s SIGKILL t2
	wait_task t2 STOPPED
	ctr task delete t2
	ctr container delete t2
	[ -z "$(ctr task ls -q)$(ctr container ls -q)" ]
	ctrd_stop
	assert_host_unchanged
}
