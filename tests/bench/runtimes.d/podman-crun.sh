# podman-crun: `podman run --rm` with crun (through conmon), the client-side row of issue 15's
# speed comparison; podman-boxlaunch.sh is the same with `--runtime boxlaunch-runc`. Both use
# the helpers here: podman with private configuration and vfs storage under $WORK/podman, an
# image imported offline from the bench's busybox rootfs (as tests/integration/85-oci-clients.bats
# does), the bench's limits on the command line. Only MODE=true without a user namespace, and
# not the parallel measure (20 podman processes at once measure podman's locking).
KIND_podman_crun=runtime

PODMAN_DIR=$WORK/podman
# Host paths podman creates on first use: those absent before the bench are removed after it.
PODMAN_HOST_PATHS="/run/containers /var/lib/containers /run/libpod /run/netns"

podman_env() {
	echo "env CONTAINERS_CONF=$PODMAN_DIR/containers.conf CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf CONTAINERS_REGISTRIES_CONF=$PODMAN_DIR/registries.conf"
}
podman_avail() {
	command -v podman >/dev/null && command -v conmon >/dev/null || { echo "podman or conmon not installed"; return 1; }
}
# podman_setup: configuration and image, once (not timed); prints why it fails
podman_setup() {
	[ -f "$PODMAN_DIR/.stamp" ] && return 0
	local p
	mkdir -p "$PODMAN_DIR/tmp"
	if [ ! -f "$WORK/podman-host-before" ]; then
		for p in $PODMAN_HOST_PATHS; do [ -e "$p" ] && echo "$p"; done >"$WORK/podman-host-before"
	fi
	cat >"$PODMAN_DIR/containers.conf" <<-EOC
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PODMAN_DIR/events.log"
		tmp_dir = "$PODMAN_DIR/tmp"
		[network]
		network_config_dir = "$PODMAN_DIR/networks"
	EOC
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/root"\nrunroot = "%s/run"\n' "$PODMAN_DIR" "$PODMAN_DIR" >"$PODMAN_DIR/storage.conf"
	: >"$PODMAN_DIR/registries.conf"
	tar -C "$ROOTFS" -c . | $(podman_env) podman import - localhost/boxbench >/dev/null 2>"$PODMAN_DIR/import.err" ||
		{ echo "podman import failed: $(head -c 200 "$PODMAN_DIR/import.err")"; return 1; }
	touch "$PODMAN_DIR/.stamp"
}
# podman_cmd RUNTIME MODE USERNS ID: the command line, 3 if unsupported
podman_cmd() {
	[ "$2" = true ] && [ "$3" = 0 ] || return 3
	[[ $4 == *-p[0-9]* ]] && return 3
	podman_setup >&2 || return 1
	# the bench's isolation: ro root, hostname, network namespace with lo only, the three OCI
	# capabilities, no_new_privs, memory and task limits under /$CG_PARENT; podman's own seccomp
	# profile and /run, /tmp tmpfs stay on. The ulimits: podman raises both above this host's
	# hard limit (no CAP_SYS_RESOURCE in the bounding set).
	echo "$(podman_env) podman --runtime $1 run --rm --network none --read-only --hostname bench --cap-drop all --cap-add CAP_AUDIT_WRITE,CAP_KILL,CAP_NET_BIND_SERVICE --security-opt no-new-privileges --memory $MEM_LIMIT --pids-limit $PIDS_LIMIT --cgroup-parent /$CG_PARENT --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 localhost/boxbench /bin/true"
}
podman_clean() {
	[ -d "$PODMAN_DIR" ] || return 0
	$(podman_env) podman rm -a -f -t 0 >/dev/null 2>&1
	$(podman_env) podman image rm -a -f >/dev/null 2>&1
	local p
	for p in $PODMAN_HOST_PATHS; do
		[ -e "$p" ] && ! grep -qx "$p" "$WORK/podman-host-before" 2>/dev/null || continue
		if [ "$p" = /run/netns ]; then
			[ -z "$(ls -A /run/netns)" ] && { mountpoint -q /run/netns && umount /run/netns; rmdir /run/netns; }
		else
			rm -rf "$p"
		fi
	done
	rm -rf "$PODMAN_DIR" "$WORK/podman-host-before"
}
# ratio_note LABEL ROW BASE: "LABEL: median ROW / BASE = R" from the u0 latency, if both ran
ratio_note() {
	local a b
	a=$(med_of "$OUT/raw/lat-u0.tsv" "$2" 2>/dev/null) b=$(med_of "$OUT/raw/lat-u0.tsv" "$3" 2>/dev/null)
	[ -n "$a" ] && [ -n "$b" ] && echo "$1: $a / $b ms = $(ratio "$a" "$b")×"
}

avail_podman_crun() { podman_avail && { command -v crun >/dev/null || { echo "crun not installed"; return 1; }; }; }
run_podman_crun() { podman_cmd "$(command -v crun)" "$@"; }
clean_podman_crun() { podman_clean; }
notes_podman_crun() { echo "- **podman-crun / podman-boxlaunch**: \`podman run --rm\` (podman $(podman --version 2>/dev/null | awk '{print $3}'), conmon) of an image imported from the same busybox rootfs, private configuration and vfs storage in \`$PODMAN_DIR\`, \`--runtime\` crun or boxlaunch-runc; the same config.json for both (podman's: its seccomp profile, /run and /tmp tmpfs, its masked paths; --network none, --read-only, the three capabilities, no-new-privileges, memory and pids limits). Most of the time is podman's own (image and container database, conmon); latency only (no user namespace, no parallel run)."; }
