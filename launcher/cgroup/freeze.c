/* freeze.c - pause and resume: freezer.state on v1 (the freezer group of an application box is
 * made on the first pause, and the box's processes moved into it), cgroup.freeze on v2. */
#include "cgroup/layout.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <fcntl.h>
#include <sys/stat.h>

/* Waits until `file` says `want`: the whole first line, or the value of `key` in it. */
static int wait_for(int dirfd, const char *file, const char *key, const char *want)
{
        for (unsigned step = 0; step < CG_WAIT_STEPS; step++) {
                _cleanup_free_ char *s = NULL;
                int r = read_file_at(dirfd, file, &s, 1 << 16);
                if (r < 0)
                        return r;
                if (key) {
                        uint64_t v;
                        if (cg_read_keyed(dirfd, file, key, &v) == 0 &&
                            v == strtoull(want, NULL, 10))
                                return 0;
                } else {
                        s[strcspn(s, "\n")] = 0;
                        if (streq(s, want))
                                return 0;
                }
                cg_sleep_step();
        }
        return -ETIMEDOUT;
}

/* Moves the process pidfd stands for, pid, into the box's new freezer group. Only a number can
 * be written; the pidfd says afterwards whether it still named our process. If the process died
 * in between, the number may have gone to a process of the host: one that is not in the box's
 * group `ref` is put back into the freezer hierarchy's root, where the host's processes are. */
static int move_checked(struct box_cgroup *cg, int pidfd, pid_t pid, int ref)
{
        struct cg_dir *f = &cg->dirs[CG_FREEZER];
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        int r = cg_write(cg, f->fd, "cgroup.procs", buf, false);
        if (sys_pidfd_send_signal(pidfd, 0, NULL, 0) == 0)
                return r; /* still alive: it was ours */
        if (r < 0)
                return -ESRCH;
        _cleanup_free_ pid_t *members = NULL;
        size_t n = 0;
        (void)cg_collect_pids(ref, &members, &n);
        n = cg_sort_unique(members, n);
        if (!cg_pid_listed(members, n, pid) &&
            cg_write(cg, f->rootfd, "cgroup.procs", buf, false) == 0)
                log_warn("pid %s was reused while the box was being paused; moved it back", buf);
        return -ESRCH;
}

/* One pass over the box's processes: moves those not yet in the freezer group; returns how many
 * it moved, or a negative errno. */
static int freezer_move_pass(struct box_cgroup *cg, int ref)
{
        _cleanup_free_ pid_t *all = NULL, *in = NULL, *now = NULL;
        size_t n_all = 0, n_in = 0, n_now = 0;
        int moved = 0;
        int r = cg_collect_pids(ref, &all, &n_all);
        if (r < 0 || (r = cg_collect_pids(cg->dirs[CG_FREEZER].fd, &in, &n_in)) < 0)
                return r;
        n_all = cg_sort_unique(all, n_all);
        n_in = cg_sort_unique(in, n_in);
        /* Pidfds, then the box's group read again (see cg_open_pidfds()). */
        int *fds = cg_open_pidfds(all, n_all);
        r = cg_collect_pids(ref, &now, &n_now);
        n_now = cg_sort_unique(now, n_now);
        for (size_t i = 0; r >= 0 && i < n_all; i++) {
                if (fds[i] < 0 || cg_pid_listed(in, n_in, all[i]) ||
                    !cg_pid_listed(now, n_now, all[i]))
                        continue;
                r = move_checked(cg, fds[i], all[i], ref);
                if (r == -ESRCH)
                        r = 0; /* gone meanwhile */
                else if (r >= 0)
                        moved++;
        }
        cg_close_pidfds(fds, n_all);
        return r < 0 ? r : moved;
}

/* pause on a v1 box without a freezer group: make it and move every process of the box into
 * it, again until a pass finds none left outside (a process forked meanwhile by one not yet
 * moved shows up in the next pass; one forked by a moved one is born inside). */
static int freezer_join_all(struct box_cgroup *cg)
{
        struct cg_dir *f = &cg->dirs[CG_FREEZER];
        _cleanup_free_ char *parent = xstrdup(cg->path);
        char *slash = strrchr(parent, '/');
        if (slash) {
                *slash = 0;
                int r = mkdir_p_at(f->rootfd, parent, 0755);
                if (r < 0)
                        return r;
        }
        if (mkdirat(f->rootfd, cg->path, 0755) < 0 && errno != EEXIST)
                return -errno;
        f->fd = openat(f->rootfd, cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (f->fd < 0)
                return -errno;
        int ref = cg_member_fd(cg);
        if (ref < 0)
                return -ENOENT;
        for (unsigned pass = 0; pass < CG_WAIT_STEPS; pass++) {
                int moved = freezer_move_pass(cg, ref);
                if (moved <= 0)
                        return moved;
        }
        return -ETIMEDOUT;
}

int cgroup_freeze(const char *root, const char *path, bool freeze)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = cg_open_path(root, path, &cg);
        if (r < 0)
                return r;

        /* A read-only freezer hierarchy (inside a container): cgroup.freeze, if the box has a
         * cgroup2 group. */
        if (cg->dirs[CG_FREEZER].fd < 0 && cg->dirs[CG_FREEZER].rootfd >= 0 &&
            (r = cg_writable(cg, CG_FREEZER, path, false)) < 0) {
                if (cg->dirs[CG_V2].fd < 0)
                        return log_error_errno(r,
                                               "Cannot %s %s: the freezer hierarchy is not "
                                               "writable here and the box has no cgroup2 group",
                                               freeze ? "pause" : "resume", path);
                closep(&cg->dirs[CG_FREEZER].rootfd);
                cg->dirs[CG_FREEZER].rootfd = -1;
        }
        if (cg->dirs[CG_FREEZER].fd < 0 && cg->dirs[CG_FREEZER].rootfd >= 0 && !cg->fake) {
                if (!freeze)
                        return 0; /* never frozen */
                r = freezer_join_all(cg);
                if (r < 0)
                        return log_error_errno(r,
                                               "Cannot move the processes of %s into a freezer "
                                               "group",
                                               path);
        }
        int fd = cg->dirs[CG_FREEZER].fd;
        if (fd >= 0) {
                const char *state = freeze ? "FROZEN" : "THAWED";
                r = cg_write(cg, fd, "freezer.state", state, false);
                if (r >= 0 && !cg->fake)
                        r = wait_for(fd, "freezer.state", NULL, state);
        } else if ((fd = cg->dirs[CG_V2].fd) >= 0) {
                r = cg_write(cg, fd, "cgroup.freeze", freeze ? "1" : "0", false);
                if (r >= 0 && !cg->fake)
                        r = wait_for(fd, "cgroup.events", "frozen", freeze ? "1" : "0");
        } else
                return log_error_errno(-EOPNOTSUPP,
                                       "Cannot %s %s: no freezer here (neither the v1 freezer "
                                       "nor a cgroup2 group)",
                                       freeze ? "pause" : "resume", path);
        if (r < 0)
                return log_error_errno(r, "Cannot %s cgroup %s", freeze ? "freeze" : "thaw", path);
        return 0;
}
