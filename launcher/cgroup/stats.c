/* stats.c - what the verbs read from a box's groups: its processes, its resource usage, and how
 * many of its processes the OOM killer killed. */
#include "cgroup/layout.h"
#include "util/log.h"

#include <fcntl.h>

int cgroup_pids(const char *root, const char *path, pid_t **ret, size_t *n)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = cg_open_path(root, path, &cg);
        if (r < 0)
                return r;
        /* Any hierarchy holds every process of the box; prefer the ones always created. */
        static const enum cg_hier order[] = {CG_V2,      CG_PIDS,    CG_FREEZER, CG_MEMORY,
                                             CG_DEVICES, CG_SYSTEMD, CG_CPUACCT};
        for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
                int fd = cg->dirs[order[i]].fd;
                if (fd < 0)
                        continue;
                _cleanup_free_ pid_t *v = NULL;
                size_t k = 0;
                r = cg_collect_pids(fd, &v, &k);
                if (r < 0)
                        return log_error_errno(r, "Cannot read the processes of %s", path);
                *n = cg_sort_unique(v, k);
                *ret = TAKE_PTR(v);
                return 0;
        }
        return -ENOENT;
}

/* blkio.throttle.io_service_bytes_recursive ("MAJ:MIN Read N") or io.stat ("MAJ:MIN rbytes=N
 * wbytes=N ..."): totals over every device. */
static void sum_io(int dirfd, const char *file, bool v2, uint64_t *rd, uint64_t *wr)
{
        _cleanup_free_ char *s = NULL;
        if (read_file_at(dirfd, file, &s, 1 << 20) < 0)
                return;
        char *save_line = NULL;
        for (char *line = strtok_r(s, "\n", &save_line); line;
             line = strtok_r(NULL, "\n", &save_line)) {
                if (v2) {
                        char *p = strstr(line, "rbytes=");
                        if (p)
                                *rd += strtoull(p + 7, NULL, 10);
                        p = strstr(line, "wbytes=");
                        if (p)
                                *wr += strtoull(p + 7, NULL, 10);
                        continue;
                }
                char op[16];
                unsigned long long v;
                if (sscanf(line, "%*s %15s %llu", op, &v) != 2)
                        continue;
                if (streq(op, "Read"))
                        *rd += v;
                else if (streq(op, "Write"))
                        *wr += v;
        }
}

/* CPU time of the box without a cpuacct group (v1 application boxes): user and system time of
 * its processes and of the children they reaped, from /proc. PID 1 reaps every orphan, so only
 * processes whose parent ignores SIGCHLD are missed. */
static uint64_t procs_cpu_usec(const struct box_cgroup *cg)
{
        _cleanup_free_ pid_t *v = NULL;
        size_t n = 0;
        int ref = cg_member_fd(cg);
        if (ref >= 0)
                (void)cg_collect_pids(ref, &v, &n);
        n = cg_sort_unique(v, n);
        long tck = sysconf(_SC_CLK_TCK);
        uint64_t ticks = 0;
        for (size_t i = 0; i < n; i++) {
                char path[64];
                _cleanup_free_ char *st = NULL;
                snprintf(path, sizeof(path), "/proc/%d/stat", (int)v[i]);
                if (read_file_at(AT_FDCWD, path, &st, 4096) < 0)
                        continue;
                const char *p = strrchr(st, ')'); /* comm may hold anything */
                unsigned long long ut, stt, cut, cst;
                /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime... */
                if (p && sscanf(p + 1,
                                " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
                                &ut, &stt, &cut, &cst) == 4)
                        ticks += ut + stt + cut + cst;
        }
        return tck > 0 ? ticks * 1000000 / (uint64_t)tck : 0;
}

int cgroup_stats(const char *root, const char *path, struct box_cgroup_stats *ret)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = cg_open_path(root, path, &cg);
        if (r < 0)
                return r;
        struct box_cgroup_stats s = {0};
        const struct cg_dir *d = cg->dirs;
        int v2 = d[CG_V2].fd;

        if (d[CG_CPUACCT].fd >= 0) {
                uint64_t ns;
                if (cg_read_u64(d[CG_CPUACCT].fd, "cpuacct.usage", &ns) == 0)
                        s.cpu_usage_usec = ns / 1000;
        } else if (v2 >= 0)
                (void)cg_read_keyed(v2, "cpu.stat", "usage_usec", &s.cpu_usage_usec);
        else
                s.cpu_usage_usec = procs_cpu_usec(cg);

        if (d[CG_MEMORY].fd >= 0) {
                (void)cg_read_u64(d[CG_MEMORY].fd, "memory.usage_in_bytes", &s.memory_current);
                (void)cg_read_u64(d[CG_MEMORY].fd, "memory.max_usage_in_bytes", &s.memory_peak);
        } else if (v2 >= 0) {
                (void)cg_read_u64(v2, "memory.current", &s.memory_current);
                (void)cg_read_u64(v2, "memory.peak", &s.memory_peak);
        }

        if (d[CG_PIDS].fd >= 0)
                (void)cg_read_u64(d[CG_PIDS].fd, "pids.current", &s.pids_current);
        else if (v2 < 0 || cg_read_u64(v2, "pids.current", &s.pids_current) < 0) {
                /* No pids controller (inside a container): count them. */
                _cleanup_free_ pid_t *v = NULL;
                size_t n = 0;
                int ref = cg_member_fd(cg);
                if (ref >= 0 && cg_collect_pids(ref, &v, &n) >= 0)
                        s.pids_current = cg_sort_unique(v, n);
        }

        if (d[CG_BLKIO].fd >= 0)
                sum_io(d[CG_BLKIO].fd, "blkio.throttle.io_service_bytes_recursive", false,
                       &s.io_read_bytes, &s.io_write_bytes);
        else if (v2 >= 0)
                sum_io(v2, "io.stat", true, &s.io_read_bytes, &s.io_write_bytes);

        *ret = s;
        return 0;
}

int cgroup_oom_kills(const struct box_cgroup *cg, uint64_t *ret)
{
        *ret = 0;
        if (!cg)
                return -EINVAL;
        /* v2: memory.events (when the memory controller is on the cgroup2 group); v1:
         * memory.oom_control. Both count kills by the OOM killer inside the group. */
        if (cg->dirs[CG_V2].fd >= 0 &&
            cg_read_keyed(cg->dirs[CG_V2].fd, "memory.events", "oom_kill", ret) == 0 && *ret)
                return 0;
        if (cg->dirs[CG_MEMORY].fd >= 0)
                return cg_read_keyed(cg->dirs[CG_MEMORY].fd, "memory.oom_control", "oom_kill", ret);
        return -ENOENT;
}
