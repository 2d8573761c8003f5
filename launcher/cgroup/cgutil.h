/* cgutil.h - the bottom layer of cgroup/, which every other module uses and which uses none of
 * them: the hierarchy table, file-system helpers, reading and writing interface files (and
 * imitating them in a fake tree), the one place a message about a config field gets its "where"
 * text, and the lists of a group's processes. */
#pragma once
#include "cgroup/internal.h"

#include <dirent.h>

/* How long kill, rmdir and freeze wait for the kernel, in steps of cg_sleep_step(). */
#define CG_WAIT_STEPS 1000
void cg_sleep_step(void); /* 10 ms */

/* --- hierarchies and paths --------------------------------------------------------------- */

/* The directory of hierarchy h below the root ("memory", ..., "unified" for CG_V2 on hybrid). */
const char *cg_hier_dir(enum cg_hier h);
/* Its name in messages ("memory", ..., "cgroup2"). */
const char *cg_hier_name(enum cg_hier h);
/* A group path that stays below each root: relative, no empty, "." or ".." components. */
bool cg_path_ok(const char *path);

/* --- files --------------------------------------------------------------------------------- */

bool cg_fs_type_at(int dirfd, const char *path, long magic);
/* A DIR stream for path below dirfd (O_DIRECTORY | flags); the fd is owned by the stream. */
DIR *cg_opendir_at(int dirfd, const char *path, int flags);
bool cg_is_dir_entry(int dirfd, const struct dirent *de);

/* Writes value to the interface file `file` of the group dirfd; in fake mode the file is created
 * (appended to when `append`, as the kernel accumulates rules in devices.allow and io.max). */
int cg_write(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
             bool append);
/* One value in one write() to an interface file already open: a file taking many values (the
 * v1 device rules) is opened once. */
int cg_write_fd(int fd, const char *value);
/* A number, or "max" as UINT64_MAX. */
int cg_read_u64(int dirfd, const char *file, uint64_t *ret);
/* "KEY VALUE" lines (cpu.stat, cgroup.events, memory.events): the value of key, or -ENOENT. */
int cg_read_keyed(int dirfd, const char *file, const char *key, uint64_t *ret);

/* --- limits: writes and messages that name a config field ---------------------------------- */

/* Where field f of c was set, for the start of a message: box_config_where(), e.g.
 * "web.box:12: " followed by the front-end's name of the field; the generic field name when c is
 * NULL. Every message about a limit gets its "where" here. */
const char *cg_where(const struct box_config *c, enum box_field f, char *buf, size_t n);
/* cg_write(), logging a failure that names field f of cg->config. */
int cg_write_field(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
                   bool append, enum box_field f);
/* cg_write_field() of a decimal number. */
int cg_write_u64(const struct box_cgroup *cg, int dirfd, const char *file, uint64_t v,
                 enum box_field f);
/* A relative weight (CPU, I/O): the host may be unable to apply it (no such file, no such
 * controller, no weight-aware I/O scheduler). That is a warning naming the field and the
 * reason, and the box starts, as systemd does with unit files; always returns 0. */
int cg_write_weight(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
                    enum box_field f);
void cg_weight_ignored(const struct box_cgroup *cg, enum box_field f, const char *why);
/* The first I/O field a device's limits set (read/write bandwidth, read/write IOPS), or
 * BOX_F_NONE: an io.max line names it, as does a missing io controller. */
enum box_field cg_io_field(const struct box_io_limit *io);
/* The CPU and memory-node lists: cpuset.cpus and cpuset.mems, same names on v1 and v2. */
int cg_write_cpuset(const struct box_cgroup *cg, int fd, const struct box_limits *l);

/* --- processes ------------------------------------------------------------------------------ */

/* Appends the pids in gfd's cgroup.procs and in every group below it to *v (*n of them). */
int cg_collect_pids(int gfd, pid_t **v, size_t *n);
/* Sorts v and drops repeats; returns the new count. */
size_t cg_sort_unique(pid_t *v, size_t n);
bool cg_pid_listed(const pid_t *sorted, size_t n, pid_t pid);
/* A pid read from cgroup.procs may be reused by a process of the host before we act on it. So:
 * a pidfd first, then the group read again. A process that holds its pid cannot lose it, so if
 * the pidfd's process is still alive when the signal is sent, it is the one the second read
 * found in the group. -1 for pids that are gone or not to be touched (1, ourselves). */
int *cg_open_pidfds(const pid_t *v, size_t n);
void cg_close_pidfds(int *fds, size_t n);
/* A group of the box that holds every one of its processes (an application box on v1 has no
 * freezer or cpuacct group), or -1. */
int cg_member_fd(const struct box_cgroup *cg);
