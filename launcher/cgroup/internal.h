/* internal.h - the types every module of cgroup/ shares: the hierarchies a box can have a group
 * in, the cgroup2 controller bits and struct box_cgroup itself. Functions are declared in the
 * header of the module that defines them; each module calls only those below it:
 *
 *   create.c  cgroup_create_for(): check, place, plan, make, configure
 *               -> place, gc, remove, limits (v1.c, v2.c), devices, layout
 *   gc.c      stale groups (cgroup_gc, the leftover create finds)  -> place, remove, layout
 *   join.c    attach, join fds, join by path (exec), chown          -> layout
 *   freeze.c  pause/resume (v1 freezer made on demand, v2 cgroup.freeze) -> layout
 *   stats.c   pids, usage, OOM kills                                 -> layout
 *   remove.c  kill through pidfds, rmdir, cgroup_destroy             -> layout (cg_free)
 *   place.c   the group's path (configured parent, delegation, auto parent)
 *   v1.c, v2.c (limits.h)  limit writers      devices.c (devices.h)  device policy
 *   layout.c  detection, struct box_cgroup, opening a group by path
 *   cgutil.c  the bottom layer: hierarchy table, interface files (and the fake tree), the "where"
 *             of config fields in messages, process lists. Every module uses it; it uses none. */
#pragma once
#include "cgroup/cgroup.h"

/* The hierarchies a box can have a group in. On v1 one per controller mount (plus name=systemd);
 * CG_V2 is the cgroup2 hierarchy: root itself on v2, root/unified on hybrid. */
enum cg_hier {
        CG_MEMORY,
        CG_PIDS,
        CG_FREEZER,
        CG_DEVICES,
        CG_CPUACCT,
        CG_CPU,
        CG_CPUSET,
        CG_BLKIO,
        CG_SYSTEMD,
        CG_V2,
        _CG_HIER_MAX,
};

/* cgroup2 controllers, as bits. */
enum {
        CG2_CPUSET = 1u << 0,
        CG2_CPU = 1u << 1,
        CG2_IO = 1u << 2,
        CG2_MEMORY = 1u << 3,
        CG2_PIDS = 1u << 4,
        CG2_HUGETLB = 1u << 5, /* OCI hugepageLimits */
};

struct cg_dir {
        int rootfd;   /* the hierarchy's root directory, -1 if absent */
        int fd;       /* the box's group, -1 if none */
        int alias_of; /* earlier entry of the same mount ("cpu,cpuacct" mounted once), or -1 */
        int denied;   /* why the box can get no group here (-EROFS: a read-only mount, as inside
                       * a container; -EACCES), with rootfd closed; 0 if it can */
        bool reused;  /* an existing empty group the config named: a failed start leaves it */
};

struct box_cgroup {
        enum cgroup_layout layout;
        bool fake; /* a plain-directory tree: writes create files, nothing is killed */
        char *root;
        char *path;       /* relative to each hierarchy root */
        bool auto_parent; /* path is <auto parent>/NAME.box: drop the parent once empty */
        bool delegated;   /* path is <own>/payload in the subtree systemd delegated to us */
        /* During cgroup_create_for() only (borrowed): where each limit was set, for messages. */
        const struct box_config *config;
        unsigned v2_ctrls; /* CG2_* limits written through the cgroup2 group */
        bool reuse;        /* the configured group exists without processes: joined, as runc does */
        struct cg_dir dirs[_CG_HIER_MAX];
};
