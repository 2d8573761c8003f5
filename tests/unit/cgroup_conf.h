/* cgroup_conf.h - for the cgroup tests: the struct box_config that cgroup_create() takes, built
 * from the limits and devices a test writes, with a front-end that spells the limits as .box
 * files do and the lines set_origin() recorded, so that messages say where a limit was set. */
#pragma once
#include "cgroup/cgroup.h"

static struct {
        const char *file;
        unsigned line[_BOX_F_MAX];
} test_origins;

/* Field f was set on line `line` of `file` (one file per test). */
static inline void set_origin(enum box_field f, const char *file, unsigned line)
{
        test_origins.file = file;
        test_origins.line[f] = line;
}

/* No limit set from a file. */
static inline void clear_origins(void)
{
        memset(&test_origins, 0, sizeof(test_origins));
}

static inline const char *test_field_name(enum box_field f, const char *item, char *buf, size_t n)
{
        static const char *const keys[_BOX_F_MAX] = {
                [BOX_F_MEMORY_MAX] = "MemoryMax",
                [BOX_F_MEMORY_HIGH] = "MemoryHigh",
                [BOX_F_MEMORY_SWAP_MAX] = "MemorySwapMax",
                [BOX_F_CPU_QUOTA] = "CPUQuota",
                [BOX_F_CPU_PERIOD] = "CPUQuotaPeriodSec",
                [BOX_F_CPU_WEIGHT] = "CPUWeight",
                [BOX_F_CPUSET_CPUS] = "AllowedCPUs",
                [BOX_F_CPUSET_MEMS] = "AllowedMemoryNodes",
                [BOX_F_TASKS_MAX] = "TasksMax",
                [BOX_F_IO_WEIGHT] = "IOWeight",
                [BOX_F_IO_READ_BPS] = "IOReadBandwidthMax",
                [BOX_F_IO_WRITE_BPS] = "IOWriteBandwidthMax",
                [BOX_F_IO_READ_IOPS] = "IOReadIOPSMax",
                [BOX_F_IO_WRITE_IOPS] = "IOWriteIOPSMax",
        };
        if (keys[f])
                snprintf(buf, n, "[Limits] %s", keys[f]);
        else if (item)
                snprintf(buf, n, "%s[%s]", box_field_generic_name(f), item);
        else
                snprintf(buf, n, "%s", box_field_generic_name(f));
        return buf;
}

/* The config of box `name` with limits l (NULL: none) and devices devs. Its strings are
 * borrowed: do not free it. */
static inline void test_config(struct box_config *c, const char *name, const struct box_limits *l,
                               const struct box_device *devs, size_t n_devs)
{
        static const struct box_frontend fe = {.kind = "test", .field_name = test_field_name};
        box_config_init(c);
        c->name = (char *)name;
        if (l)
                c->limits = *l;
        c->devices = (struct box_device *)devs;
        c->n_devices = n_devs;
        c->frontend = &fe;
        c->source_file = (char *)test_origins.file;
        memcpy(c->field_line, test_origins.line, sizeof(c->field_line));
}

static inline int create_for(const char *root, const char *name, const struct box_limits *l,
                             const struct box_device *devs, size_t n_devs, unsigned flags,
                             struct box_cgroup **ret)
{
        struct box_config c;
        test_config(&c, name, l, devs, n_devs);
        return cgroup_create_for(root, &c, flags, ret);
}

static inline int create(const char *root, const char *name, const struct box_limits *l,
                         const struct box_device *devs, size_t n_devs, struct box_cgroup **ret)
{
        struct box_config c;
        test_config(&c, name, l, devs, n_devs);
        return cgroup_create(root, &c, ret);
}
