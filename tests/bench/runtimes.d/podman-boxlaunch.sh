# podman-boxlaunch: `podman run --rm --runtime boxlaunch-runc`, beside podman-crun (whose file
# has the shared helpers and the notes of both rows).
KIND_podman_boxlaunch=runtime

avail_podman_boxlaunch() { podman_avail && avail_boxlaunch_oci; }
run_podman_boxlaunch() { podman_cmd "$(boxlaunch_runc_bin)" "$@"; }
clean_podman_boxlaunch() { podman_clean; }
notes_podman_boxlaunch() { ratio_note "- **podman-boxlaunch** against podman-crun (latency, median)" podman-boxlaunch podman-crun; }
