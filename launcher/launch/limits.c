/* limits.c - rlimits, oom_score_adj, personality and CPU affinity of a process in the box. */
#include "launch/limits.h"

#include "util/log.h"
#include "util/procfs.h"

#include <sched.h>
#include <sys/personality.h>

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

static int apply_cpu_affinity(const struct box_config *c)
{
        if (!c->cpu_affinity)
                return 0;
        cpu_set_t set;
        CPU_ZERO(&set);
        _cleanup_free_ char *l = xstrdup(c->cpu_affinity);
        char *save = NULL;
        for (char *w = strtok_r(l, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                unsigned a, b;
                if (sscanf(w, "%u-%u", &a, &b) != 2)
                        b = a = (unsigned)atoi(w);
                for (unsigned x = a; x <= b && x < CPU_SETSIZE; x++)
                        CPU_SET(x, &set);
        }
        if (sched_setaffinity(0, sizeof(set), &set) < 0)
                return log_error_errno(-errno, "%s: setting %s",
                                       BOX_WHERE(c, BOX_F_CPU_AFFINITY, NULL, 0), c->cpu_affinity);
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
        return apply_cpu_affinity(c);
}
