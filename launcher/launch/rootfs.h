/* rootfs.h - the box's file system view, built inside the box's mount namespace: the root, the
 * API file systems (/proc, /sys, /dev: dev.h), a machine's /run, /tmp and cgroup subtree, the
 * mounts (mounts.h), then pivot_root. The masks come after (masks.h). Every mount is made
 * through file descriptors resolved inside the root (mountfd.h). */
#pragma once
#include "core/config.h"
#include "launch/runtime.h"

/* Before pivot_root: makes / rprivate, bind-mounts the root, mounts /proc, /sys, /dev (nodes,
 * devpts, shm, mqueue), a machine's file systems (Boot=yes: the box's cgroup subtree from
 * rt->cgroup_path) and rt->mounts. In a user namespace (rt->userns) device nodes are
 * bind-mounted from the host because mknod is not allowed. `root_dir` is the root directory,
 * opened by the supervisor (a user namespace's root may not be able to look the path up);
 * `root_mount_fd` >= 0 is a detached mount to use as the root (an idmapped clone made by the
 * supervisor), consumed. *ret_rootfd: the root of the box's tree, for rootfs_enter(). Logs what
 * failed; returns 0 or a negative errno. */
int rootfs_prepare(const struct box_config *c, const struct box_runtime *rt, int root_dir,
                   int root_mount_fd, int *ret_rootfd);

/* pivot_root into the prepared root, detach the old root, make / read-only if asked. */
int rootfs_enter(const struct box_config *c, int rootfd);

/* The box's own cgroup groups on target (inside rootfd): on cgroup2 a bind of its group, on v1
 * and hybrid hosts a tmpfs with a bind per hierarchy. rw: every hierarchy writable (else only
 * name=systemd and the unified one). Logs what failed. */
int rootfs_mount_cgroups(int rootfd, const char *target, const char *cgpath, bool rw);
