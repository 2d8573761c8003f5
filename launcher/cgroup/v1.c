/* v1.c - limit writers for the v1 controllers, translating the v2-style values of struct
 * box_limits (the conversions crun documents for cgroup v2 -> v1). */
#include "cgroup/limits.h"
#include "util/log.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

/* systemd's conversions: the default weight (100) maps to each v1 default (1024 shares, blkio
 * 500), so a box with the default weight competes as an equal with everything else on the host;
 * a linear stretch of 1..10000 would give it 2597 shares (or 19 blkio) instead. */
uint64_t cgroup_weight_to_shares(uint64_t weight)
{
        uint64_t s = weight * 1024 / 100;
        return s < 2 ? 2 : s > 262144 ? 262144 : s;
}

uint64_t cgroup_weight_to_blkio(uint64_t weight)
{
        uint64_t b = weight * 500 / 100;
        return b < 10 ? 10 : b > 1000 ? 1000 : b;
}

static bool has_file(const struct box_cgroup *cg, int dirfd, const char *file)
{
        /* A fake tree has no kernel files: everything "exists" there. */
        return cg->fake || faccessat(dirfd, file, F_OK, 0) == 0;
}

/* memory.memsw.limit_in_bytes: memory + swap, for a swap limit. */
static int v1_memsw(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        char w[PATH_MAX + 128];
        const char *where = cg_where(cg->config, BOX_F_MEMORY_SWAP_MAX, w, sizeof(w));
        if (l->memory_max == BOX_LIMIT_UNSET) {
                log_error("%s: cgroup v1 limits memory+swap together, so it needs a memory limit "
                          "too",
                          where);
                return -EINVAL;
        }
        if (!has_file(cg, fd, "memory.memsw.limit_in_bytes")) {
                log_error("%s: not supported here (no memory.memsw.limit_in_bytes: kernel without "
                          "swap accounting)",
                          where);
                return -EOPNOTSUPP;
        }
        if (l->memory_swap_max > UINT64_MAX - l->memory_max) {
                log_error("%s: memory limit + swap limit overflows", where);
                return -EINVAL;
        }
        return cg_write_u64(cg, fd, "memory.memsw.limit_in_bytes",
                            l->memory_max + l->memory_swap_max, BOX_F_MEMORY_SWAP_MAX);
}

static int v1_memory(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        int r;
        bool swap = l->memory_swap_max != BOX_LIMIT_UNSET;
        /* The kernel keeps memsw >= memory at every write: raising both (an update, as a CRI
         * UpdateContainerResources does) writes memsw first, lowering writes memory first; a
         * fresh group has both unlimited. */
        uint64_t cur = 0;
        bool swap_first = swap && l->memory_max != BOX_LIMIT_UNSET && !cg->fake &&
                          cg_read_u64(fd, "memory.limit_in_bytes", &cur) == 0 &&
                          l->memory_max > cur;

        if (swap_first && (r = v1_memsw(cg, fd, l)) < 0)
                return r;
        if (l->memory_max != BOX_LIMIT_UNSET) {
                r = cg_write_u64(cg, fd, "memory.limit_in_bytes", l->memory_max, BOX_F_MEMORY_MAX);
                if (r < 0)
                        return r;
        }
        if (l->memory_high != BOX_LIMIT_UNSET) {
                r = cg_write_u64(cg, fd, "memory.soft_limit_in_bytes", l->memory_high,
                                 BOX_F_MEMORY_HIGH);
                if (r < 0)
                        return r;
        }
        if (swap && !swap_first && (r = v1_memsw(cg, fd, l)) < 0)
                return r;
        if (l->memory_swappiness1 &&
            (r = cg_write_u64(cg, fd, "memory.swappiness", l->memory_swappiness1 - 1,
                              BOX_F_MEMORY_SWAPPINESS)) < 0)
                return r;
        if (l->oom_kill_disable && (r = cg_write_field(cg, fd, "memory.oom_control", "1", false,
                                                       BOX_F_OOM_KILL_DISABLE)) < 0)
                return r;
        /* TCP buffer accounting outlived the other kernel memory limits in v1. */
        if (l->memory_kmem_tcp1) {
                if (!has_file(cg, fd, "memory.kmem.tcp.limit_in_bytes")) {
                        char w[PATH_MAX + 128];
                        log_warn("%s: ignored: this kernel has no memory.kmem.tcp.limit_in_bytes",
                                 cg_where(cg->config, BOX_F_MEMORY_KMEM_TCP, w, sizeof(w)));
                } else if ((r = cg_write_u64(cg, fd, "memory.kmem.tcp.limit_in_bytes",
                                             l->memory_kmem_tcp1 - 1, BOX_F_MEMORY_KMEM_TCP)) < 0)
                        return r;
        }
        return 0;
}

/* A file of the cpu controller that only some kernels have (burst, RT group scheduling). */
static int v1_cpu_optional(const struct box_cgroup *cg, int fd, const char *file, uint64_t v,
                           enum box_field f, uint64_t bias)
{
        /* 0: not set; the value is v - bias. */
        if (v == 0)
                return 0;
        if (!has_file(cg, fd, file)) {
                char w[PATH_MAX + 128];
                log_error("%s: not supported here (no %s in the cpu controller)",
                          cg_where(cg->config, f, w, sizeof(w)), file);
                return -EOPNOTSUPP;
        }
        return cg_write_u64(cg, fd, file, v - bias, f);
}

static int v1_cpu(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        int r;
        bool period_set = l->cpu_period_usec != BOX_LIMIT_UNSET && l->cpu_period_usec != 0;
        uint64_t period = period_set ? l->cpu_period_usec : PERIOD_DEFAULT_USEC;

        if (period_set || l->cpu_quota_ppm != BOX_LIMIT_UNSET) {
                r = cg_write_u64(cg, fd, "cpu.cfs_period_us", period, BOX_F_CPU_PERIOD);
                if (r < 0)
                        return r;
        }
        if (l->cpu_quota_ppm != BOX_LIMIT_UNSET) {
                r = cg_write_u64(cg, fd, "cpu.cfs_quota_us", l->cpu_quota_ppm * period / 1000000,
                                 BOX_F_CPU_QUOTA);
                if (r < 0)
                        return r;
        }
        if (l->cpu_weight != BOX_LIMIT_UNSET) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%" PRIu64, cgroup_weight_to_shares(l->cpu_weight));
                (void)cg_write_weight(cg, fd, "cpu.shares", buf, BOX_F_CPU_WEIGHT);
        }
        /* OCI: shares as given, the RT budget (period first: the runtime must fit in it). */
        if (l->cpu_shares &&
            (r = cg_write_u64(cg, fd, "cpu.shares", l->cpu_shares, BOX_F_CPU_SHARES)) < 0)
                return r;
        if ((r = v1_cpu_optional(cg, fd, "cpu.cfs_burst_us", l->cpu_burst_usec, BOX_F_CPU_BURST,
                                 0)) < 0 ||
            (r = v1_cpu_optional(cg, fd, "cpu.rt_period_us", l->cpu_rt_period_usec,
                                 BOX_F_CPU_RT_PERIOD, 0)) < 0 ||
            (r = v1_cpu_optional(cg, fd, "cpu.rt_runtime_us", l->cpu_rt_runtime1,
                                 BOX_F_CPU_RT_RUNTIME, 1)) < 0)
                return r;
        if (l->cpu_idle) {
                char w[PATH_MAX + 128];
                log_error("%s: cpu.idle needs the cgroup2 cpu controller; the cpu controller is "
                          "v1 here",
                          cg_where(cg->config, BOX_F_CPU_IDLE, w, sizeof(w)));
                return -EOPNOTSUPP;
        }
        return 0;
}

static int v1_blkio(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        int r;
        if (l->io_weight != BOX_LIMIT_UNSET) {
                /* Only the BFQ (or old CFQ) scheduler provides a weight file. */
                const char *file = NULL;
                if (has_file(cg, fd, "blkio.weight"))
                        file = "blkio.weight";
                else if (has_file(cg, fd, "blkio.bfq.weight"))
                        file = "blkio.bfq.weight";
                if (!file)
                        cg_weight_ignored(cg, BOX_F_IO_WEIGHT,
                                          "no blkio.weight or blkio.bfq.weight here (the BFQ I/O "
                                          "scheduler is not available)");
                else {
                        char buf[32];
                        snprintf(buf, sizeof(buf), "%" PRIu64,
                                 cgroup_weight_to_blkio(l->io_weight));
                        (void)cg_write_weight(cg, fd, file, buf, BOX_F_IO_WEIGHT);
                }
        }

        /* OCI weightDevice: a weight per device, where BFQ (or CFQ) provides the file. */
        for (size_t i = 0; i < l->n_io_weights; i++) {
                const char *file = has_file(cg, fd, "blkio.bfq.weight_device")
                                           ? "blkio.bfq.weight_device"
                                   : has_file(cg, fd, "blkio.weight_device") ? "blkio.weight_device"
                                                                             : NULL;
                char buf[64], w[PATH_MAX + 128];
                if (!file) {
                        log_error("%s: not supported here (no blkio.bfq.weight_device: the BFQ I/O "
                                  "scheduler is not available)",
                                  cg_where(cg->config, BOX_F_IO_WEIGHT_DEVICE, w, sizeof(w)));
                        return -EOPNOTSUPP;
                }
                if (!l->io_weights[i].weight)
                        continue;
                snprintf(buf, sizeof(buf), "%u:%u %" PRIu64, l->io_weights[i].major,
                         l->io_weights[i].minor, l->io_weights[i].weight);
                r = cg_write_field(cg, fd, file, buf, true, BOX_F_IO_WEIGHT_DEVICE);
                if (r < 0)
                        return r;
        }

        static const struct {
                const char *file;
                enum box_field field;
                size_t off;
        } throttle[] = {
                {"blkio.throttle.read_bps_device", BOX_F_IO_READ_BPS,
                 offsetof(struct box_io_limit, rbps)},
                {"blkio.throttle.write_bps_device", BOX_F_IO_WRITE_BPS,
                 offsetof(struct box_io_limit, wbps)},
                {"blkio.throttle.read_iops_device", BOX_F_IO_READ_IOPS,
                 offsetof(struct box_io_limit, riops)},
                {"blkio.throttle.write_iops_device", BOX_F_IO_WRITE_IOPS,
                 offsetof(struct box_io_limit, wiops)},
        };
        for (size_t i = 0; i < l->n_io; i++)
                for (size_t t = 0; t < ARRAY_SIZE(throttle); t++) {
                        uint64_t v = *(const uint64_t *)((const char *)&l->io[i] + throttle[t].off);
                        if (v == 0)
                                continue;
                        char buf[64];
                        snprintf(buf, sizeof(buf), "%u:%u %" PRIu64, l->io[i].major, l->io[i].minor,
                                 v);
                        /* One rule per write; the kernel keeps a line per device. */
                        r = cg_write_field(cg, fd, throttle[t].file, buf, true, throttle[t].field);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int v1_pids(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        if (l->tasks_max == BOX_LIMIT_UNSET)
                return 0;
        return cg_write_u64(cg, fd, "pids.max", l->tasks_max, BOX_F_TASKS_MAX);
}

int cg_v1_write_limits(const struct box_cgroup *cg, const struct box_limits *l)
{
        int r;
        const struct cg_dir *d = cg->dirs;

        if (d[CG_MEMORY].fd >= 0 && !(cg->v2_ctrls & CG2_MEMORY)) {
                r = v1_memory(cg, d[CG_MEMORY].fd, l);
                if (r < 0)
                        return r;
        }
        if (d[CG_CPU].fd >= 0 && !(cg->v2_ctrls & CG2_CPU)) {
                r = v1_cpu(cg, d[CG_CPU].fd, l);
                if (r < 0)
                        return r;
        }
        if (d[CG_CPUSET].fd >= 0 && !(cg->v2_ctrls & CG2_CPUSET)) {
                r = cg_write_cpuset(cg, d[CG_CPUSET].fd, l);
                if (r < 0)
                        return r;
        }
        if (d[CG_BLKIO].fd >= 0 && !(cg->v2_ctrls & CG2_IO)) {
                r = v1_blkio(cg, d[CG_BLKIO].fd, l);
                if (r < 0)
                        return r;
        }
        if (d[CG_PIDS].fd >= 0 && !(cg->v2_ctrls & CG2_PIDS)) {
                r = v1_pids(cg, d[CG_PIDS].fd, l);
                if (r < 0)
                        return r;
        }
        return 0;
}
