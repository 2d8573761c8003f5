/* limits.c - rlimits, oom_score_adj, personality, CPU affinity, scheduling, I/O priority and
 * umask of a process in the box. */
#include "launch/limits.h"

#include "util/log.h"
#include "util/procfs.h"

#include <sched.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static int apply_rlimits(const struct box_config *c)
{
        char w[512];
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (c->rlimits[i].set && setrlimit(i, &c->rlimits[i].value) < 0)
                        return log_error_errno(
                                -errno, "%s: setting the limit",
                                box_config_where(c, BOX_F_RLIMIT + i, NULL, 0, w, sizeof(w)));
        return 0;
}

static int apply_oom_score_adj(const struct box_config *c)
{
        if (!c->oom_score_adj_set)
                return 0;
        char v[16];
        snprintf(v, sizeof(v), "%d", c->oom_score_adj);
        /* Named by pid: procfs_open() follows no symlink, "self" included. */
        char rel[32];
        snprintf(rel, sizeof(rel), "%d/oom_score_adj", (int)getpid());
        _cleanup_close_ int proc = procfs_open_root("/proc");
        if (proc < 0)
                return log_error_errno(proc, "opening the box's /proc");
        int r = procfs_write(proc, rel, v);
        if (r < 0)
                return log_error_errno(r, "%s: setting %d%s",
                                       BOX_WHERE(c, BOX_F_OOM_SCORE_ADJ, NULL, 0), c->oom_score_adj,
                                       r == -EACCES || r == -EPERM
                                               ? " (lowering it needs CAP_SYS_RESOURCE)"
                                       : r == -EXDEV ? " (something is mounted over /proc/PID)"
                                                     : "");
        return 0;
}

int limits_set_affinity(const struct box_config *c, const char *cpus, enum box_field f)
{
        cpu_set_t set;
        CPU_ZERO(&set);
        _cleanup_free_ char *l = xstrdup(cpus);
        char *save = NULL;
        for (char *w = strtok_r(l, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                unsigned a, b;
                if (sscanf(w, "%u-%u", &a, &b) != 2)
                        b = a = (unsigned)atoi(w);
                for (unsigned x = a; x <= b && x < CPU_SETSIZE; x++)
                        CPU_SET(x, &set);
        }
        if (sched_setaffinity(0, sizeof(set), &set) < 0)
                return log_error_errno(-errno, "%s: setting %s", BOX_WHERE(c, f, NULL, 0), cpus);
        return 0;
}

static int apply_cpu_affinity(const struct box_config *c)
{
        return c->cpu_affinity ? limits_set_affinity(c, c->cpu_affinity, BOX_F_CPU_AFFINITY) : 0;
}

/* process.scheduler: sched_setattr(2) (glibc has no wrapper; the kernel's struct sched_attr,
 * whose header clashes with glibc's sched.h). */
struct sched_attr_v1 {
        uint32_t size, sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
};
static int apply_scheduler(const struct box_config *c)
{
        if (!c->sched.set)
                return 0;
        struct sched_attr_v1 a = {
                .size = sizeof(a),
                .sched_policy = (uint32_t)c->sched.policy,
                .sched_flags = c->sched.flags,
                .sched_nice = c->sched.nice,
                .sched_priority = (uint32_t)c->sched.priority,
                .sched_runtime = c->sched.runtime,
                .sched_deadline = c->sched.deadline,
                .sched_period = c->sched.period,
        };
        if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
                return log_error_errno(-errno, "%s: sched_setattr",
                                       BOX_WHERE(c, BOX_F_SCHEDULER, NULL, 0));
        return 0;
}

/* linux.memoryPolicy: set_mempolicy(2), inherited by the payload. */
static int apply_mempolicy(const struct box_config *c)
{
        if (!c->mempolicy_mode1)
                return 0;
        unsigned long mask[1024 / (8 * sizeof(unsigned long))] = {0};
        unsigned long maxnode = 0;
        if (c->mempolicy_nodes) {
                _cleanup_free_ char *l = xstrdup(c->mempolicy_nodes);
                char *save = NULL;
                for (char *w = strtok_r(l, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                        unsigned a, b;
                        if (sscanf(w, "%u-%u", &a, &b) != 2)
                                b = a = (unsigned)atoi(w);
                        for (unsigned x = a; x <= b && x < 8 * sizeof(mask); x++)
                                mask[x / (8 * sizeof(unsigned long))] |=
                                        1UL << (x % (8 * sizeof(unsigned long)));
                }
                maxnode = 8 * sizeof(mask);
        }
        int mode = (c->mempolicy_mode1 - 1) | (int)c->mempolicy_flags;
        if (syscall(SYS_set_mempolicy, mode, maxnode ? mask : NULL, maxnode) < 0)
                return log_error_errno(-errno, "%s: set_mempolicy",
                                       BOX_WHERE(c, BOX_F_MEMORY_POLICY, NULL, 0));
        return 0;
}

/* process.ioPriority: ioprio_set(2) on the process itself. */
static int apply_ioprio(const struct box_config *c)
{
        if (c->ioprio_class < 0)
                return 0;
        int prio = (c->ioprio_class << 13) | c->ioprio_level; /* IOPRIO_PRIO_VALUE */
        if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, prio) < 0)
                return log_error_errno(-errno, "%s: ioprio_set",
                                       BOX_WHERE(c, BOX_F_IO_PRIORITY, NULL, 0));
        return 0;
}

int limits_apply(const struct box_config *c)
{
        int r = apply_rlimits(c);
        if (r < 0)
                return r;
        if ((r = apply_oom_score_adj(c)) < 0)
                return r;
        if (c->personality != 0xffffffffUL && personality(c->personality) < 0)
                return log_error_errno(-errno, "setting the personality");
        if ((r = apply_scheduler(c)) < 0 || (r = apply_ioprio(c)) < 0 ||
            (r = apply_mempolicy(c)) < 0)
                return r;
        if (c->umask >= 0)
                umask((mode_t)c->umask);
        return apply_cpu_affinity(c);
}
