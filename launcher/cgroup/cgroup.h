/* cgroup.h - the box's control groups, the public API of cgroup/: layout detection, creation
 * (placement, limits, device policy), joining, freeze, pids, stats, clean-up and gc, on cgroup
 * v1, hybrid (v1 + cgroup2 at unified/) and v2. Used by launch/, ops/ and cli/.
 * The modules behind it: internal.h. */
#pragma once
#include "core/config.h"

enum cgroup_layout { CGROUP_LAYOUT_V1, CGROUP_LAYOUT_HYBRID, CGROUP_LAYOUT_V2 };

#define CGROUP_ROOT "/sys/fs/cgroup"

/* root is normally CGROUP_ROOT. statfs: cgroup2 at root -> V2; tmpfs with cgroup2 at root/unified
 * -> HYBRID; cgroup v1 mounts below root -> V1. A plain directory (a fake tree for tests) needs
 * BOXLAUNCH_CGROUP_LAYOUT=v1|hybrid|v2; then every write creates the file it writes. */
int cgroup_detect(const char *root, enum cgroup_layout *ret);
const char *cgroup_layout_to_string(enum cgroup_layout l);

struct box_cgroup;

/* Creates the group of box c->name in every hierarchy it needs and writes every limit of
 * c->limits and the device policy (default allow-list plus c->devices). Placement:
 * "<c->limits.parent>/<name>.box" if a parent is set; else "<own>/payload" when run delegated
 * by systemd (INVOCATION_ID set, own cgroup writable and not the root; we move ourselves to
 * "<own>/supervisor"); else "<auto parent>/<name>.box". Unset limits are BOX_LIMIT_UNSET / NULL,
 * not 0. A leftover group of the same path is killed and removed first. Logs (naming the config
 * field, with box_config_where()) and returns a negative errno on failure, after removing
 * everything it created. c is only read during the call. */
int cgroup_create(const char *root, const struct box_config *c, struct box_cgroup **ret);
/* cgroup_create() for one kind of box: CGROUP_MACHINE adds the name=systemd group and, on a hybrid
 * host, the cgroup2 group, which a booted systemd manages (cgroup_create() always adds them). */
enum { CGROUP_MACHINE = 1 << 0 };
int cgroup_create_for(const char *root, const struct box_config *c, unsigned flags,
                      struct box_cgroup **ret);

/* Moves pid into the box's group in every hierarchy. */
int cgroup_attach(struct box_cgroup *cg, pid_t pid);
/* Joining from inside: the box's first process moves itself, through fds opened here before it
 * is cloned. On v1, "0" (the writer itself) written to a group's "tasks" file skips the
 * system-wide lock that a cgroup.procs write by another process takes, whose first writer after
 * an idle moment waits out an RCU grace period (10-20 ms here). The cgroup2 group is joined by
 * clone3(CLONE_INTO_CGROUP) instead (cgroup_v2_dirfd()), unless with_v2 asks for its
 * cgroup.procs too (a process cloned before its groups existed; that write takes the lock).
 * Fills fds (close them with close_many()) and returns how many, or a negative errno (logged). */
#define CGROUP_JOIN_MAX 10
int cgroup_join_fds(const struct box_cgroup *cg, bool with_v2, int fds[static CGROUP_JOIN_MAX]);
/* In the new process, single-threaded: joins through those fds. Async-signal-safe. Returns 0 or
 * a negative errno. */
int cgroup_join_self(const int *fds, int n);
/* Moves the calling process into the running box's existing group `path` (relative to each
 * hierarchy root) in every hierarchy where it exists, as cgroup_join_fds() and
 * cgroup_join_self() do (exec). -ENOENT, not logged, if the group exists nowhere; other errors
 * are logged. */
int cgroup_join_path(const char *root, const char *path);
/* O_DIRECTORY fd of the cgroup2 group (for clone3(CLONE_INTO_CGROUP)), or -1. Owned by cg. On
 * hybrid this is the group under unified/: the v1 groups still need cgroup_attach(). */
int cgroup_v2_dirfd(const struct box_cgroup *cg);
/* Path relative to each hierarchy root, e.g. "boxlaunch/web.box". */
const char *cgroup_path(const struct box_cgroup *cg);
enum cgroup_layout cgroup_layout(const struct box_cgroup *cg);
/* Kills every process left, removes every group created (and groups nested in them), frees cg.
 * Safe with NULL. */
void cgroup_destroy(struct box_cgroup *cg);
static inline void cgroup_destroyp(struct box_cgroup **cg)
{
        cgroup_destroy(*cg);
}
#define _cleanup_cgroup_ _cleanup_(cgroup_destroyp)

/* Hands the box's name=systemd and cgroup2 groups (directory and files) to uid:gid, so that a
 * booted init in a user namespace can manage its own subtree there, as nspawn does. */
int cgroup_chown(const struct box_cgroup *cg, uid_t uid, gid_t gid);

/* How many processes of the group the OOM killer killed so far. */
int cgroup_oom_kills(const struct box_cgroup *cg, uint64_t *ret);

/* The automatic parent of boxes without a configured parent: $BOXLAUNCH_CGROUP_PARENT if set
 * (one path component, a valid box name), else "boxlaunch". Box names are unique within one
 * runtime directory (state.h) only: boxlaunch instances with different BOXLAUNCH_RUNTIME_DIRs
 * must use different parents. NULL (logged) if the variable is invalid. */
const char *cgroup_auto_parent(void);
/* "<auto parent>/NAME.box", the group of box NAME without a configured parent; NULL if the
 * parent is invalid. */
char *cgroup_auto_path(const char *name);

/* For the verbs, which run in another boxlaunch process. `name_or_path` without a '/' means
 * cgroup_auto_path(NAME); with a '/', it is the path relative to each hierarchy root. */
int cgroup_gc(const char *root, const char *name_or_path);
/* freezer.state FROZEN/THAWED (v1) or cgroup.freeze (v2), and waits until done. */
int cgroup_freeze(const char *root, const char *path, bool freeze);
/* Every pid in the group and its descendants, sorted; *ret is malloc'd. */
int cgroup_pids(const char *root, const char *path, pid_t **ret, size_t *n);

struct box_cgroup_stats {
        uint64_t cpu_usage_usec, memory_current, memory_peak, pids_current, io_read_bytes,
                io_write_bytes;
};
/* Fields a hierarchy does not provide stay 0; -ENOENT if the group exists nowhere. */
int cgroup_stats(const char *root, const char *path, struct box_cgroup_stats *ret);

/* For the OCI runtime, whose groups outlive the process that made them: frees cg and leaves
 * its groups and their processes as they are (`delete` removes them with cgroup_gc()). */
void cgroup_release(struct box_cgroup *cg);
/* The box started: a configured group it reused (it existed, empty, see cgroupsPath) is its own
 * from now on and goes at its end, as runc removes it; before this a failed start leaves it. */
void cgroup_adopt(struct box_cgroup *cg);
/* Writes the limits of c->limits to the existing group `path` (relative to each hierarchy
 * root), as cgroup_create() writes them on a new one: `update --resources`. Logs failures. */
int cgroup_update(const char *root, const char *path, const struct box_config *c);
/* The end of a box's groups as steps on absolute paths, for a process that holds no struct
 * box_cgroup (the slim supervisor, launch/slim.c): the files that count OOM kills, then for
 * each hierarchy the group (and the freezer group `pause` may make later) and, with the
 * automatic parent, that parent if no other box uses it. What cgroup_destroy() does when every
 * process of the box is gone; where a step fails (a process left, a fake tree's files), the
 * long way of cgroup_destroy() is the way. -ENOTSUP for a reused group, whose end is not this. */
enum cgroup_end_what {
        CGROUP_END_OOM_V2,     /* memory.events: a non-zero "oom_kill" */
        CGROUP_END_OOM_V1,     /* memory.oom_control: the same key */
        CGROUP_END_RMDIR,      /* must go (or be gone already) */
        CGROUP_END_RMDIR_IDLE, /* goes if unused (another box may use it) */
};
struct cgroup_end_step {
        enum cgroup_end_what what;
        char *path;
};
int cgroup_end_plan(const struct box_cgroup *cg, struct cgroup_end_step **ret, size_t *n);
void cgroup_end_plan_free(struct cgroup_end_step *s, size_t n);
/* The existing groups of a running box at `path` (relative to each hierarchy root), as
 * cgroup_create() would have made them: for the clean-up after a slimmed supervisor
 * (launch/slim.c), which then reads cgroup_oom_kills() and calls cgroup_destroy(). -ENOENT if
 * the group exists nowhere (not logged). */
int cgroup_open_box(const char *root, const char *path, struct box_cgroup **ret);
/* cgroup_gc() of exactly this path (relative to each hierarchy root), even a single name. */
int cgroup_gc_path(const char *root, const char *path);
