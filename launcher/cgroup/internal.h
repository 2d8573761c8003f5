/* internal.h - the types every module of cgroup/ shares: the hierarchies a box can have a group
 * in, the cgroup2 controller bits and struct box_cgroup itself. Functions live in the headers of
 * the modules that define them (cgutil.h is the bottom layer; see cgroup.h for the map). */
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
};

struct cg_dir {
        int rootfd;   /* the hierarchy's root directory, -1 if absent */
        int fd;       /* the box's group, -1 if none */
        int alias_of; /* earlier entry of the same mount ("cpu,cpuacct" mounted once), or -1 */
};

struct box_cgroup {
        enum cgroup_layout layout;
        bool fake; /* a plain-directory tree: writes create files, nothing is killed */
        char *root;
        char *path;       /* relative to each hierarchy root */
        bool auto_parent; /* path is <auto parent>/NAME.box: drop the parent once empty */
        /* During cgroup_create_for() only (borrowed): where each limit was set, for messages. */
        const struct box_config *config;
        unsigned v2_ctrls; /* CG2_* limits written through the cgroup2 group */
        struct cg_dir dirs[_CG_HIER_MAX];
};
