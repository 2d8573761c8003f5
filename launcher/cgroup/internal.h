/* cgroup_internal.h - shared by cgroup.c, cgroup_v1.c, cgroup_v2.c and devices.c only. */
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
        const struct box_limits *limits; /* during cgroup_create(): where each key was set */
        unsigned v2_ctrls;               /* CG2_* limits written through the cgroup2 group */
        struct cg_dir dirs[_CG_HIER_MAX];
};

const char *cg_hier_name(enum cg_hier h);

/* Writes value to the interface file `file` of the group dirfd; in fake mode the file is created
 * (appended to when `append`, as the kernel accumulates rules in devices.allow and io.max). */
int cg_write(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
             bool append);
/* Same, but logs a failure naming the configuration key (with file and line when known). */
int cg_write_key(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
                 bool append, const char *key);
/* A relative weight (CPUWeight=, IOWeight=): the host may be unable to apply it (no such file,
 * no such controller, no weight-aware I/O scheduler). That is a warning naming the key and the
 * reason, and the box starts, as systemd does with unit files; always returns 0. */
int cg_write_weight(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
                    const char *key);
void cg_weight_ignored(const struct box_cgroup *cg, const char *key, const char *why);
/* "FILE:LINE: [Limits] KEY" where the key was set, else just KEY: the start of a message. A
 * key of several names ("A/B") takes the place of the first one that was set. */
const char *cg_key_where(const struct box_cgroup *cg, const char *key, char *buf, size_t size);
int cg_read_u64(int dirfd, const char *file, uint64_t *ret);
/* cg_write_key() of a decimal number. */
int cg_write_u64(const struct box_cgroup *cg, int dirfd, const char *file, uint64_t v,
                 const char *key);

/* AllowedCPUs= and AllowedMemoryNodes=: cpuset.cpus and cpuset.mems, same names on v1 and v2. */
int cg_write_cpuset(const struct box_cgroup *cg, int fd, const struct box_limits *l);

/* The CFS period when CPUQuotaPeriodSec= is not set, in microseconds. */
#define PERIOD_DEFAULT_USEC 100000

/* Limit writers. v1 writes the limits whose controller has a v1 group; v2 those in v2_ctrls. */
int cg_v1_write_limits(const struct box_cgroup *cg, const struct box_limits *l);
int cg_v2_write_limits(const struct box_cgroup *cg, const struct box_limits *l);
/* Checks ranges before anything is created; logs the offending key. */
int cg_check_limits(const struct box_limits *l);

/* devices.c */
int devices_apply_v1(const struct box_cgroup *cg, int dirfd, const struct box_device *devs,
                     size_t n_devs);
int devices_check(const struct box_device *devs, size_t n_devs);
