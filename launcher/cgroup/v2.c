/* v2.c - limit writers for the cgroup2 controllers. */
#include "cgroup/limits.h"
#include "util/log.h"

#include <fcntl.h>
#include <inttypes.h>

static int v2_memory(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        int r;
        if (l->memory_max != BOX_LIMIT_UNSET) {
                r = cg_write_u64(cg, fd, "memory.max", l->memory_max, BOX_F_MEMORY_MAX);
                if (r < 0)
                        return r;
        }
        if (l->memory_high != BOX_LIMIT_UNSET) {
                r = cg_write_u64(cg, fd, "memory.high", l->memory_high, BOX_F_MEMORY_HIGH);
                if (r < 0)
                        return r;
        }
        if (l->memory_swap_max != BOX_LIMIT_UNSET) {
                /* v2 limits swap alone, not memory+swap. */
                r = cg_write_u64(cg, fd, "memory.swap.max", l->memory_swap_max,
                                 BOX_F_MEMORY_SWAP_MAX);
                if (r < 0)
                        return r;
        }
        char w[PATH_MAX + 128];
        /* Deprecated by the spec, and cgroup2 has no such limit: runc ignores it too. */
        if (l->memory_kmem_tcp1)
                log_warn("%s: ignored: cgroup2 has no TCP memory limit",
                         cg_where(cg->config, BOX_F_MEMORY_KMEM_TCP, w, sizeof(w)));
        if (l->memory_swappiness1 || l->oom_kill_disable) {
                enum box_field f =
                        l->oom_kill_disable ? BOX_F_OOM_KILL_DISABLE : BOX_F_MEMORY_SWAPPINESS;
                log_error("%s: cgroup2 has no such setting", cg_where(cg->config, f, w, sizeof(w)));
                return -EOPNOTSUPP;
        }
        return 0;
}

static int v2_cpu(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        int r;
        bool period_set = l->cpu_period_usec != BOX_LIMIT_UNSET && l->cpu_period_usec != 0;
        uint64_t period = period_set ? l->cpu_period_usec : PERIOD_DEFAULT_USEC;

        if (period_set || l->cpu_quota_ppm != BOX_LIMIT_UNSET) {
                char buf[64];
                if (l->cpu_quota_ppm != BOX_LIMIT_UNSET)
                        snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRIu64,
                                 l->cpu_quota_ppm * period / 1000000, period);
                else
                        snprintf(buf, sizeof(buf), "max %" PRIu64, period);
                r = cg_write_field(cg, fd, "cpu.max", buf, false,
                                   l->cpu_quota_ppm != BOX_LIMIT_UNSET ? BOX_F_CPU_QUOTA
                                                                       : BOX_F_CPU_PERIOD);
                if (r < 0)
                        return r;
        }
        if (l->cpu_weight != BOX_LIMIT_UNSET) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%" PRIu64, l->cpu_weight);
                (void)cg_write_weight(cg, fd, "cpu.weight", buf, BOX_F_CPU_WEIGHT);
        }
        /* OCI shares on the v2 scale (runc's conversion). */
        if (l->cpu_shares &&
            (r = cg_write_u64(cg, fd, "cpu.weight", 1 + ((l->cpu_shares - 2) * 9999) / 262142,
                              BOX_F_CPU_SHARES)) < 0)
                return r;
        if (l->cpu_burst_usec &&
            (r = cg_write_u64(cg, fd, "cpu.max.burst", l->cpu_burst_usec, BOX_F_CPU_BURST)) < 0)
                return r;
        if (l->cpu_idle &&
            (r = cg_write_u64(cg, fd, "cpu.idle", (uint64_t)l->cpu_idle, BOX_F_CPU_IDLE)) < 0)
                return r;
        if (l->cpu_rt_runtime1 || l->cpu_rt_period_usec) {
                char w[PATH_MAX + 128];
                log_error("%s: cgroup2 has no real-time budget",
                          cg_where(cg->config, BOX_F_CPU_RT_RUNTIME, w, sizeof(w)));
                return -EOPNOTSUPP;
        }
        return 0;
}

static void append_field(char *buf, size_t size, const char *name, uint64_t v)
{
        if (v == 0)
                return;
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, " %s=%" PRIu64, name, v);
}

static int v2_io(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        int r;
        if (l->io_weight != BOX_LIMIT_UNSET) {
                /* io.weight comes with the iocost controller, io.bfq.weight (1..1000) with BFQ;
                 * a fake tree takes the first. */
                char buf[32];
                if (cg->fake || faccessat(fd, "io.weight", F_OK, 0) == 0) {
                        snprintf(buf, sizeof(buf), "default %" PRIu64, l->io_weight);
                        (void)cg_write_weight(cg, fd, "io.weight", buf, BOX_F_IO_WEIGHT);
                } else if (faccessat(fd, "io.bfq.weight", F_OK, 0) == 0) {
                        snprintf(buf, sizeof(buf), "default %" PRIu64,
                                 l->io_weight > 1000 ? 1000 : l->io_weight);
                        (void)cg_write_weight(cg, fd, "io.bfq.weight", buf, BOX_F_IO_WEIGHT);
                } else
                        cg_weight_ignored(cg, BOX_F_IO_WEIGHT,
                                          "no io.weight or io.bfq.weight here (neither the "
                                          "iocost controller nor the BFQ I/O scheduler)");
        }
        /* OCI weightDevice: io.bfq.weight (1..1000) or io.weight (iocost) per device. */
        for (size_t i = 0; i < l->n_io_weights; i++) {
                const char *file = cg->fake || faccessat(fd, "io.bfq.weight", F_OK, 0) == 0
                                           ? "io.bfq.weight"
                                   : faccessat(fd, "io.weight", F_OK, 0) == 0 ? "io.weight"
                                                                              : NULL;
                char buf[64], w[PATH_MAX + 128];
                if (!file) {
                        log_error("%s: not supported here (neither io.bfq.weight nor io.weight)",
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
        for (size_t i = 0; i < l->n_io; i++) {
                const struct box_io_limit *io = &l->io[i];
                enum box_field f = cg_io_field(io);
                if (f == BOX_F_NONE)
                        continue;
                char buf[160];
                snprintf(buf, sizeof(buf), "%u:%u", io->major, io->minor);
                append_field(buf, sizeof(buf), "rbps", io->rbps);
                append_field(buf, sizeof(buf), "wbps", io->wbps);
                append_field(buf, sizeof(buf), "riops", io->riops);
                append_field(buf, sizeof(buf), "wiops", io->wiops);
                /* The kernel cannot say which field it rejected: the message shows the whole
                 * line and names the first field it sets. */
                r = cg_write_field(cg, fd, "io.max", buf, true, f);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int v2_pids(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        if (l->tasks_max == BOX_LIMIT_UNSET)
                return 0;
        return cg_write_u64(cg, fd, "pids.max", l->tasks_max, BOX_F_TASKS_MAX);
}

/* OCI hugepageLimits: hugetlb.<size>.max ("2MB"), for sizes the kernel has. */
static int v2_hugetlb(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        for (size_t i = 0; i < l->n_hugepages; i++) {
                char file[64], w[PATH_MAX + 128];
                snprintf(file, sizeof(file), "hugetlb.%s.max", l->hugepages[i].page_size);
                if (!cg->fake && faccessat(fd, file, F_OK, 0) < 0) {
                        log_error("%s: no huge pages of %s here (no %s)",
                                  cg_where(cg->config, BOX_F_HUGEPAGES, w, sizeof(w)),
                                  l->hugepages[i].page_size, file);
                        return -EOPNOTSUPP;
                }
                int r = cg_write_u64(cg, fd, file, l->hugepages[i].limit, BOX_F_HUGEPAGES);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cg_v2_write_limits(const struct box_cgroup *cg, const struct box_limits *l)
{
        int fd = cg->dirs[CG_V2].fd, r;
        if (fd < 0 || !cg->v2_ctrls)
                return 0;

        if (cg->v2_ctrls & CG2_MEMORY) {
                r = v2_memory(cg, fd, l);
                if (r < 0)
                        return r;
        }
        if (cg->v2_ctrls & CG2_CPU) {
                r = v2_cpu(cg, fd, l);
                if (r < 0)
                        return r;
        }
        if (cg->v2_ctrls & CG2_CPUSET) {
                r = cg_write_cpuset(cg, fd, l);
                if (r < 0)
                        return r;
        }
        if (cg->v2_ctrls & CG2_IO) {
                r = v2_io(cg, fd, l);
                if (r < 0)
                        return r;
        }
        if (cg->v2_ctrls & CG2_HUGETLB) {
                r = v2_hugetlb(cg, fd, l);
                if (r < 0)
                        return r;
        }
        if (cg->v2_ctrls & CG2_PIDS) {
                r = v2_pids(cg, fd, l);
                if (r < 0)
                        return r;
        }
        /* OCI unified last: it may override what the fields above wrote (as runc). */
        for (char **u = l->unified; u && *u; u++) {
                _cleanup_free_ char *file = xstrndup(*u, strcspn(*u, "="));
                const char *v = *u + strlen(file) + ((*u)[strlen(file)] == '=');
                r = cg_write_field(cg, fd, file, v, false, BOX_F_UNIFIED);
                if (r < 0)
                        return r;
        }
        return 0;
}
