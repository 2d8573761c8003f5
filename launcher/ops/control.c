/* control.c - stop, kill, pause/resume, the data of status/ps/stats, and gc of one box. */
#include "launch/net.h"
#include "ops/control.h"

#include "core/state.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

/* For best-effort reads whose failure is shown as "-" or 0 instead. */
static void quiet_sink(enum log_level l, const char *line, void *userdata)
{
}

/* ---- stop / kill / freeze ----------------------------------------------------------------- */

bool box_wait_gone_fd(const char *name, int pidfd, uint64_t ms)
{
        uint64_t end = now_usec() + ms * 1000;
        long step = 500 * 1000; /* ns; polling backs off to 20 ms */
        for (;;) {
                if (!state_is_running(name))
                        return true;
                uint64_t now = now_usec();
                if (now >= end)
                        return false;
                /* A process that holds the lock, or whose end comes first: its exit wakes us
                 * instead of a poll tick (one stop took 20 ms of sleep before). */
                if (pidfd >= 0) {
                        struct pollfd p = {.fd = pidfd, .events = POLLIN};
                        int r = poll(&p, 1, (int)((end - now + 999) / 1000));
                        if (r != 0 && !(r < 0 && errno == EINTR))
                                pidfd = -1; /* gone (or unpollable): poll the lock from here */
                        continue;
                }
                struct timespec ts = {0, step};
                nanosleep(&ts, NULL);
                step = step * 2 > 20 * 1000 * 1000 ? 20 * 1000 * 1000 : step * 2;
        }
}

bool box_wait_gone(const char *name, uint64_t ms)
{
        return box_wait_gone_fd(name, -1, ms);
}

/* A pidfd for the supervisor, if it is still the process that started PID 1: it must have
 * started no later than PID 1 (a reused pid would be younger). -1 if not. */
static int open_supervisor(const struct box_ref *b)
{
        if (b->supervisor <= 0)
                return -1;
        _cleanup_close_ int fd = sys_pidfd_open(b->supervisor, 0);
        unsigned long long sup_start, pid1_start;
        if (fd < 0 || proc_starttime(b->supervisor, &sup_start) < 0 ||
            proc_starttime(b->pid, &pid1_start) < 0 || sup_start > pid1_start)
                return -1;
        return TAKE_FD(fd);
}

/* One box being stopped: what its end is waited on with. */
struct stopping {
        const struct box_ref *b;
        int sup;    /* the supervisor's pidfd, -1 without one */
        int waitfd; /* what wakes us: sup, else PID 1's pidfd; -1 once it fired (lock polls) */
        bool gone, failed;
};

/* Waits up to ms for the boxes to go: all pidfds in one poll, the lock checked only for the
 * boxes whose pidfd fired (or that have none, backing off from 0.5 ms to 20 ms), so waiting on
 * a thousand boxes costs no more than waiting on one each. Returns how many are left. */
static size_t wait_gone_many(struct stopping *s, size_t n, uint64_t ms)
{
        uint64_t end = now_usec() + ms * 1000;
        _cleanup_free_ struct pollfd *p = xcalloc(n ? n : 1, sizeof(*p));
        _cleanup_free_ size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
        int step = 1; /* ms; 0.5 ms would need ppoll: 1 is close enough */
        size_t left = 0;
        bool first = true;
        for (;;) {
                size_t np = 0;
                bool lockpoll = false;
                left = 0;
                for (size_t i = 0; i < n; i++) {
                        if (s[i].gone || s[i].failed)
                                continue;
                        /* The lock of boxes whose fd fired (or that have none), and of all of
                         * them once, before the first wait. */
                        if ((first || s[i].waitfd < 0) && !state_is_running(s[i].b->name)) {
                                s[i].gone = true;
                                log_info("box '%s' stopped", s[i].b->name);
                                continue;
                        }
                        left++;
                        if (s[i].waitfd >= 0) {
                                p[np] = (struct pollfd){.fd = s[i].waitfd, .events = POLLIN};
                                idx[np++] = i;
                        } else
                                lockpoll = true;
                }
                first = false;
                uint64_t now = now_usec();
                if (!left || now >= end)
                        return left;
                int wait = (int)((end - now + 999) / 1000);
                if (lockpoll && step < wait)
                        wait = step;
                int r = poll(p, np, wait);
                if (r < 0 && errno != EINTR)
                        r = 0;
                for (size_t k = 0; r > 0 && k < np; k++)
                        if (p[k].revents)
                                s[idx[k]].waitfd = -1; /* gone (or unpollable): check the lock */
                if (lockpoll)
                        step = step * 2 > 20 ? 20 : step * 2;
        }
}

int box_stop_many(const struct box_ref *boxes, size_t n, unsigned timeout_sec)
{
        _cleanup_free_ struct stopping *s = xcalloc(n ? n : 1, sizeof(*s));
        int ret = 0;
        /* Signal every box first, then wait for all of them: their supervisors tear down in
         * parallel (stopping a thousand boxes one after another took 10-13 ms each). */
        for (size_t i = 0; i < n; i++) {
                const struct box_ref *b = &boxes[i];
                s[i] = (struct stopping){.b = b, .sup = -1, .waitfd = -1};
                /* A frozen v1 cgroup holds even SIGKILL until it is thawed. */
                if (streq(b->status, "paused") && b->cgroup) {
                        log_info("box '%s' is paused; resuming it so it can stop", b->name);
                        if (cgroup_freeze(CGROUP_ROOT, b->cgroup, false) == 0)
                                (void)state_set_status_of(b->name, "running");
                }
                s[i].sup = open_supervisor(b);
                /* Without a supervisor to run the protocol, PID 1 is asked directly. */
                if (sys_pidfd_send_signal(s[i].sup >= 0 ? s[i].sup : b->pidfd, SIGTERM, NULL, 0) <
                            0 &&
                    errno != ESRCH) {
                        ret = log_error_errno(-errno, "stop: signalling box '%s'", b->name);
                        s[i].failed = true;
                        continue;
                }
                /* The supervisor drops the lock as it exits; without one, PID 1's exit comes
                 * first. */
                s[i].waitfd = s[i].sup >= 0 ? s[i].sup : b->pidfd;
        }
        if (wait_gone_many(s, n, (uint64_t)timeout_sec * 1000) > 0) {
                for (size_t i = 0; i < n; i++) {
                        const struct box_ref *b = s[i].b;
                        if (s[i].gone || s[i].failed)
                                continue;
                        log_warn("box '%s' did not stop within %us; killing PID 1 (pid %d)",
                                 b->name, timeout_sec, (int)b->pid);
                        if (sys_pidfd_send_signal(b->pidfd, SIGKILL, NULL, 0) < 0 &&
                            errno != ESRCH) {
                                ret = log_error_errno(-errno, "stop: killing PID 1 of box '%s'",
                                                      b->name);
                                s[i].failed = true;
                                continue;
                        }
                        s[i].waitfd = s[i].sup;
                }
                wait_gone_many(s, n, 10000);
                for (size_t i = 0; i < n; i++) {
                        const char *name = s[i].b->name;
                        if (s[i].failed)
                                continue;
                        if (!s[i].gone) {
                                log_error("box '%s': PID 1 was killed but the supervisor did not "
                                          "clean up; try 'boxlaunch gc %s'",
                                          name, name);
                                ret = -ETIMEDOUT;
                        }
                }
        }
        for (size_t i = 0; i < n; i++)
                if (s[i].sup >= 0)
                        close(s[i].sup);
        return ret;
}

int box_stop(const struct box_ref *b, unsigned timeout_sec)
{
        return box_stop_many(b, 1, timeout_sec);
}

int box_kill(const struct box_ref *b, int sig)
{
        if (sys_pidfd_send_signal(b->pidfd, sig, NULL, 0) < 0)
                return log_error_errno(-errno, "kill: signalling PID 1 (pid %d) of box '%s'",
                                       (int)b->pid, b->name);
        return 0;
}

int box_freeze(const struct box_ref *b, bool freeze, const char *verb)
{
        if (!b->cgroup) {
                log_error("%s: box '%s' has no cgroup recorded", verb, b->name);
                return -ENOENT;
        }
        int r = cgroup_freeze(CGROUP_ROOT, b->cgroup, freeze);
        if (r < 0)
                return r; /* logged */
        r = state_set_status_of(b->name, freeze ? "paused" : "running");
        if (r < 0)
                log_warn_errno(r, "%s: updating the status of '%s'", verb, b->name);
        return 0;
}

/* ---- status / ps / stats ------------------------------------------------------------------ */

size_t box_count_procs(const char *cgroup)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (!cgroup)
                return 0;
        log_set_sink(quiet_sink, NULL);
        int r = cgroup_pids(CGROUP_ROOT, cgroup, &pids, &n);
        log_set_sink(NULL, NULL);
        return r < 0 ? 0 : n;
}

/* The command line, else [comm], else "?". */
static void proc_cmdline(pid_t pid, struct box_proc *p)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        char *buf = NULL;
        size_t len = 0;
        if (fd >= 0 && read_fd_all(fd, &buf, &len, 1 << 16) == 0 && len > 0) {
                while (len && buf[len - 1] == 0)
                        len--;
                for (size_t i = 0; i < len; i++)
                        if (buf[i] == 0)
                                buf[i] = ' ';
                buf[len] = 0;
                p->cmd = buf;
                p->cmd_len = len;
                return;
        }
        free(buf);
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        _cleanup_free_ char *comm = NULL;
        if (read_file_at(AT_FDCWD, path, &comm, 256) == 0) {
                comm[strcspn(comm, "\n")] = 0;
                p->cmd = xasprintf("[%s]", comm);
        } else
                p->cmd = xstrdup("?");
        p->cmd_len = strlen(p->cmd);
}

static void proc_read(pid_t pid, struct box_proc *p)
{
        char path[64];
        *p = (struct box_proc){.pid = pid, .nspid = 0, .uid = -1};
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        _cleanup_free_ char *status = NULL;
        if (read_file_at(AT_FDCWD, path, &status, 1 << 16) == 0) {
                char *save = NULL;
                for (char *line = strtok_r(status, "\n", &save); line;
                     line = strtok_r(NULL, "\n", &save)) {
                        if (strncmp(line, "NSpid:", 6) == 0) {
                                char *last = strrchr(line, '\t');
                                last = last ? last + 1 : line + 6;
                                p->nspid = (pid_t)atoi(last);
                        } else if (strncmp(line, "Uid:", 4) == 0)
                                p->uid = atoll(line + 4);
                }
        }
        proc_cmdline(pid, p);
}

int box_procs(const struct box_ref *b, struct box_proc **ret, size_t *n)
{
        _cleanup_free_ pid_t *pids = NULL;
        if (!b->cgroup)
                return -ENOENT;
        int r = cgroup_pids(CGROUP_ROOT, b->cgroup, &pids, n);
        if (r < 0)
                return r;
        struct box_proc *p = xcalloc(*n ? *n : 1, sizeof(*p));
        for (size_t i = 0; i < *n; i++)
                proc_read(pids[i], &p[i]);
        *ret = p;
        return 0;
}

void box_procs_free(struct box_proc *p, size_t n)
{
        for (size_t i = 0; p && i < n; i++)
                free(p[i].cmd);
        free(p);
}

/* Sums /proc/PID/net/dev over every interface but lo. */
static int read_net_dev(pid_t pid, struct box_stats *ret)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char line[512];
        while (fgets(line, sizeof(line), f)) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue; /* the two header lines */
                *colon = 0;
                char *ifname = line + strspn(line, " ");
                if (streq(ifname, "lo"))
                        continue;
                unsigned long long v[10];
                if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                           &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) != 10)
                        continue;
                ret->rx_bytes += v[0];
                ret->rx_packets += v[1];
                ret->tx_bytes += v[8];
                ret->tx_packets += v[9];
        }
        return 0;
}

int box_stats(const struct box_ref *b, struct box_stats *ret)
{
        *ret = (struct box_stats){0};
        if (!b->cgroup)
                return -ENOENT;
        int r = cgroup_stats(CGROUP_ROOT, b->cgroup, &ret->cg);
        if (r < 0)
                return r;
        r = read_net_dev(b->pid, ret);
        if (r < 0) {
                ret->rx_bytes = ret->rx_packets = ret->tx_bytes = ret->tx_packets = 0;
                log_warn_errno(r, "stats: reading the network counters of '%s'", b->name);
        }
        return 0;
}

/* ---- gc ----------------------------------------------------------------------------------- */

/* Does `path` exist as a group in any hierarchy under CGROUP_ROOT? */
static bool cgroup_exists(const char *path)
{
        struct stat st;
        _cleanup_free_ char *top = xasprintf("%s/%s", CGROUP_ROOT, path);
        if (stat(top, &st) == 0 && S_ISDIR(st.st_mode))
                return true;
        _cleanup_dir_ DIR *d = opendir(CGROUP_ROOT);
        struct dirent *de;
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = xasprintf("%s/%s/%s", CGROUP_ROOT, de->d_name, path);
                if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
                        return true;
        }
        return false;
}

/* Removes the cgroup `path` if it exists; counts it in *removed. */
static int gc_cgroup(const char *path, FILE *out, unsigned *removed)
{
        if (!cgroup_exists(path))
                return 0;
        /* Thaw first: a frozen v1 group holds even SIGKILL. */
        log_set_sink(quiet_sink, NULL);
        (void)cgroup_freeze(CGROUP_ROOT, path, false);
        log_set_sink(NULL, NULL);
        size_t n = box_count_procs(path);
        int r = cgroup_gc(CGROUP_ROOT, path);
        if (r < 0)
                return log_error_errno(r, "gc: removing cgroup %s", path);
        if (n)
                fprintf(out, "killed %zu leftover process%s in %s\n", n, n == 1 ? "" : "es", path);
        fprintf(out, "removed cgroup %s\n", path);
        (*removed)++;
        return 0;
}

static bool proc_is_zombie(pid_t pid)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (read_file_at(AT_FDCWD, path, &buf, 1 << 16) < 0)
                return true;
        const char *p = strrchr(buf, ')');
        return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

/* PID 1 outside any recorded cgroup (the supervisor died before writing it), if it is still the
 * process the state file recorded. */
static void gc_pid1(const char *name, const struct state_record *rec, FILE *out)
{
        unsigned long long now_start;
        if (rec->pid <= 0)
                return;
        _cleanup_close_ int fd = sys_pidfd_open(rec->pid, 0);
        if (fd >= 0 && proc_starttime(rec->pid, &now_start) == 0 && now_start == rec->pidstart &&
            !proc_is_zombie(rec->pid) && sys_pidfd_send_signal(fd, SIGKILL, NULL, 0) == 0)
                fprintf(out, "killed PID 1 (pid %d) of box '%s'\n", (int)rec->pid, name);
}

/* Kills what is left of the box and removes its groups; the state file is locked by now. */
static int gc_leftovers(const char *name, const struct state_record *rec, FILE *out,
                        unsigned *removed)
{
        int ret = 0;
        gc_pid1(name, rec, out);
        if (rec->cgroup && gc_cgroup(rec->cgroup, out, removed) < 0)
                ret = -EIO;
        /* The group the box has without Parent= (cgroup.c names it NAME.box). */
        _cleanup_free_ char *auto_path = cgroup_auto_path(name);
        if (!auto_path)
                ret = -EINVAL;
        else if ((!rec->cgroup || !streq(rec->cgroup, auto_path)) &&
                 gc_cgroup(auto_path, out, removed) < 0)
                ret = -EIO;
        /* Its network once its processes are gone: links, leases, firewall, empty zone. */
        if (net_gc_box(name, out, removed) < 0)
                ret = -EIO;
        return ret;
}

int box_gc(const char *name, FILE *out, unsigned *removed)
{
        _cleanup_free_ char *file = state_path(name);
        struct stat st;
        if (lstat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
                struct state_record none = {0};
                return gc_leftovers(name, &none, out, removed);
        }
        /* Read before the lock: taking a dead supervisor's file over empties it. */
        struct state_record rec = {0};
        (void)state_read(name, &rec); /* what is not written yet stays 0 */

        /* Lock the state file first: a box of this name starting now wins, and we skip it. */
        struct box_state s = {.fd = -1};
        int r = state_acquire(name, &s);
        if (r == -EBUSY)
                log_info("gc: box '%s' is running; skipped", name);
        else if (r < 0)
                log_error_errno(r, "gc: locking %s", file);
        else {
                r = gc_leftovers(name, &rec, out, removed);
                state_release(&s);
                fprintf(out, "removed state file %s\n", file);
                (*removed)++;
        }
        state_record_done(&rec);
        return r == -EBUSY ? 0 : r;
}
