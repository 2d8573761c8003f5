/* rootfs.h - the box's file system view, built inside the box's mount namespace.
 *
 * Every mount target is resolved inside the root with openat2(RESOLVE_IN_ROOT) and every mount
 * is attached through file descriptors (open_tree/fsmount + move_mount), so a symlink or ".." in
 * a hostile root filesystem cannot redirect a mount onto the host. */
#pragma once
#include "core/config.h"

struct rootfs_error {
        char msg[512];
};

/* Before pivot_root: makes / rprivate, bind-mounts the root, mounts /proc, /sys, /dev (nodes,
 * devpts, shm, mqueue) and the [Mount] sections. `in_userns`: device nodes are bind-mounted from
 * the host because mknod is not allowed. `root_dir` is the root directory, opened by the
 * supervisor (a user namespace's root may not be able to look the path up); `root_mount_fd` >= 0
 * is a detached mount to use as the root (an idmapped clone made by the supervisor), consumed.
 * `cgroup_path` is the box's group (relative to each hierarchy), shown at /sys/fs/cgroup with
 * Boot=yes. *ret_rootfd: the root of the box's tree, for rootfs_enter(). On failure fills err and returns
 * a negative errno. */
int rootfs_prepare(const struct box_config *c, bool in_userns, int root_dir, int root_mount_fd,
                   const char *cgroup_path, int *ret_rootfd, struct rootfs_error *err);

/* pivot_root into the prepared root, detach the old root, make / read-only if asked. */
int rootfs_enter(const struct box_config *c, int rootfd, struct rootfs_error *err);

/* After pivot_root (and after sysctls were written): masks /proc and /sys files that leak host
 * information or control the host, makes /proc/sys (but /proc/sys/net with a private network),
 * /proc/bus, /proc/fs, /proc/irq read-only, then MaskPaths= and ReadOnlyPaths=. */
int rootfs_protect(const struct box_config *c, struct rootfs_error *err);

/* Open PATH inside the root directory fd without leaving it (RESOLVE_IN_ROOT); creates missing
 * parent directories (and the last component as a directory, or as an empty file when
 * `as_file`) when `create`. Returns an O_PATH fd or a negative errno. */
int root_open_path(int rootfd, const char *path, bool create, bool as_file);
