/* mountfd.h - the mount primitives the box's file system view is built with (rootfs, dev,
 * mounts, masks): every target is resolved inside the root with openat2(RESOLVE_IN_ROOT) and
 * every mount is attached through file descriptors (open_tree/fsmount + move_mount), so a
 * symlink or ".." in a hostile root file system cannot redirect a mount onto the host. Each
 * returns 0 (or an fd) or a negative errno and logs nothing, unless it says otherwise. */
#pragma once
#include "util/util.h"

/* openat2() returning the fd or -errno. */
int openat2_fd(int dirfd, const char *path, uint64_t flags, uint64_t resolve);
/* PATH opened inside the root directory rootfd (RESOLVE_IN_ROOT, no magic links). */
int in_root(int rootfd, const char *path, uint64_t flags);

/* "a symbolic link", "a FIFO", ... for a message about what a path in the image is. */
const char *file_kind(mode_t mode);

/* Open PATH inside the root directory fd without leaving it (RESOLVE_IN_ROOT); creates missing
 * parent directories (and the last component as a directory, or as an empty file when
 * `as_file`) when `create`. Returns an O_PATH fd or a negative errno. */
int root_open_path(int rootfd, const char *path, bool create, bool as_file);

/* The mount point of an API file system (/proc, /sys, /dev; /run and /tmp of a machine): a
 * directory of the image itself, directly below its root, opened O_PATH. Anything else is an
 * error, logged naming `what` ("the box's /proc"). `name` is one component. */
int api_dir(int rootfd, const char *name, const char *what);

/* Attach a detached mount (from open_tree or fsmount) at fd-resolved target. */
int attach(int mntfd, int targetfd);
/* MS_RDONLY, MS_NOSUID, ... as MOUNT_ATTR_* bits. */
uint64_t attr_from_flags(unsigned long f);

/* A new, detached file system instance (fsopen/fsconfig/fsmount). `data` is "k=v,flag,..." or
 * NULL. Returns the mount's fd. */
int new_fs(const char *type, const char *source, const char *data, uint64_t attrs);
/* A new `type` instance attached on the directory `targetfd`. With ret_mnt, the mount's fd (its
 * root, attached now) is returned there: *at() calls relative to it stay on the new instance. */
int mount_new_fs_on(int targetfd, const char *type, const char *data, uint64_t attrs, int *ret_mnt);
/* The same on an existing directory, reached inside the root; nothing is created. */
int mount_new_fs_at(int rootfd, const char *target, const char *type, const char *data,
                    uint64_t attrs);
/* The same on a directory `name` made (mode) in a file system of boxlaunch's own (the /dev
 * tmpfs). */
int mount_new_fs_in(int dirfd, const char *name, mode_t mode, const char *type, const char *data,
                    uint64_t attrs);

/* A detached copy of the host path `source` (open_tree OPEN_TREE_CLONE). */
int clone_source(const char *source, bool recursive);
/* Bind `source` (or its copy `pre`, consumed, from clone_source()) at `target`, created when
 * missing if `create` (else -ENOENT). Flags become mount attributes of the new mount only. */
int bind_at_pre(int rootfd, int pre, const char *source, const char *target, bool recursive,
                unsigned long flags, unsigned long propagation, bool create);
/* For targets inside boxlaunch's own file systems (/dev, /sys/fs/cgroup), where creating a
 * mount point touches nothing of the image. */
int bind_at(int rootfd, const char *source, const char *target, bool recursive, unsigned long flags,
            unsigned long propagation);

/* A read-only (nosuid, nodev) recursive bind of PATH inside the root over itself; a missing
 * PATH is left alone. */
int read_only_path(int rootfd, const char *path);
