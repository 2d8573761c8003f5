# boxlaunch-oci: boxlaunch as an OCI runtime, `boxlaunch-runc run --bundle` (the link next to
# the boxlaunch binary), on the very bundle crun runs (oci_bundle from `crun spec`): the OCI
# row of issue 15. Its state goes to $WORK/boxlaunch-runc.
KIND_boxlaunch_oci=runtime

boxlaunch_runc_bin() { echo "$(dirname "$(boxlaunch_bin)")/boxlaunch-runc"; }
avail_boxlaunch_oci() {
	avail_boxlaunch || return 1
	[ -x "$(boxlaunch_runc_bin)" ] || { echo "no boxlaunch-runc next to $(boxlaunch_bin)"; return 1; }
	command -v crun >/dev/null || { echo "crun not installed (its spec makes the bundle)"; return 1; }
}
prep_boxlaunch_oci() { oci_bundle crun "$1" "$2" "$3" >/dev/null; }
run_boxlaunch_oci() {
	echo "$(boxlaunch_runc_bin) --root $WORK/boxlaunch-runc run --bundle $WORK/bundles/crun/$3-$1-u$2 $3"
}
notes_boxlaunch_oci() {
	echo "- **boxlaunch-oci**: \`boxlaunch-runc run --bundle\` on crun's bundle (same config.json); the launch is the .box one, in its OCI mode. Against the boxlaunch (.box) row it has no seccomp filter and no stub init (crun's spec has neither), but /sys, /sys/fs/cgroup (the box's groups, bound read-only), /dev/mqueue, /dev/pts and /dev/shm mounts, crun's masked and read-only paths, no cgroup namespace, and its state directory (state.json, config.json) under \`--root $WORK/boxlaunch-runc\`; the groups are made before the clone (the cgroup mount needs them), not while the child mounts its root."
	ratio_note "  - latency (median) against crun" boxlaunch-oci crun
	ratio_note "  - latency (median) against the .box path" boxlaunch-oci boxlaunch
}
