/* procfs.h - writes to /proc through descriptors proven to be on procfs.
 *
 * A path like /proc/sys/kernel/x is only as trustworthy as every mount on the way: an image's
 * /proc may be a symlink, and anything may be mounted over a procfs directory. Every /proc write
 * boxlaunch makes (sysctls, oom_score_adj, id maps, LSM attributes) opens the root of a procfs
 * mount, checks it (fstatfs PROC_SUPER_MAGIC, the procfs root inode), and resolves the file
 * beneath it with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_XDEV): no symlink ("self" included: callers name the pid), no mount crossed, so the
 * file is on that same procfs instance, which is checked once more on the opened descriptor. */
#pragma once
#include "util/util.h"

/* Opens `path` (e.g. "/proc"), which must itself be the root of a procfs mount (not a symlink to
 * one). Returns an O_PATH directory fd, -ENOTDIR, -ELOOP for a symlink, or -EXDEV when it is not
 * the root of a procfs instance. */
int procfs_open_root(const char *path);

/* Opens `rel` (e.g. "sys/kernel/shmmni", "1/oom_score_adj") beneath the procfs root `procfd`
 * with open(2) `flags` (O_CLOEXEC is added). -EXDEV when the file lies under another mount or is
 * not on procfs, -ELOOP when the path has a symlink. */
int procfs_open(int procfd, const char *rel, int flags);

/* Writes `data` to `rel` beneath `procfd` in one write(2), as kernel interface files want it. */
int procfs_write(int procfd, const char *rel, const char *data);

/* procfs_open_root(root) and procfs_write() in one go. */
int procfs_write_at(const char *root, const char *rel, const char *data);

/* Writes the calling thread's LSM attribute /proc/PID/task/TID/attr/LSM/NAME (attr/NAME on
 * kernels without per-LSM directories), e.g. ("apparmor", "exec", "exec PROFILE"), as
 * libapparmor's aa_change_onexec() would, but through a checked procfs. */
int procfs_write_self_attr(const char *lsm, const char *name, const char *value);
