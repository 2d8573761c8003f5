/* remove.c - killing the processes left in a box's groups and removing the groups: the fast
 * path (one rmdir each, the usual end of a box) and the long way (freeze, kill through pidfds,
 * wait, rmdir depth-first). */
#include "cgroup/remove.h"
#include "cgroup/layout.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

/* The box's processes as sorted, unique pids: every hierarchy, nested groups included. */
static size_t member_pids(const struct box_cgroup *cg, pid_t **v)
{
        size_t n = 0;
        for (size_t h = 0; h < _CG_HIER_MAX; h++)
                if (cg->dirs[h].fd >= 0 && cg->dirs[h].alias_of < 0)
                        (void)cg_collect_pids(cg->dirs[h].fd, v, &n);
        return cg_sort_unique(*v, n);
}

/* SIGKILL, through pidfds, to the processes of v still in the box's groups (see
 * cg_open_pidfds()). */
static void kill_members(const struct box_cgroup *cg, const pid_t *v, size_t n)
{
        int *fds = cg_open_pidfds(v, n);
        _cleanup_free_ pid_t *now = NULL;
        size_t m = member_pids(cg, &now);
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0 && cg_pid_listed(now, m, v[i]))
                        (void)sys_pidfd_send_signal(fds[i], SIGKILL, NULL, 0);
        cg_close_pidfds(fds, n);
}

/* A fake tree's cgroup.procs lists no real processes of ours: never kill from it. */
int cg_kill(struct box_cgroup *cg)
{
        if (cg->fake)
                return 0;
        int v2 = cg->dirs[CG_V2].fd, frz = cg->dirs[CG_FREEZER].fd;

        /* Usually the box's pid namespace is gone and took every process with it: then there
         * is nothing to freeze or kill, and the teardown costs no freezer round trips. */
        {
                _cleanup_free_ pid_t *v = NULL;
                size_t n = 0;
                for (size_t h = 0; h < _CG_HIER_MAX; h++)
                        if (cg->dirs[h].fd >= 0 && cg->dirs[h].alias_of < 0)
                                (void)cg_collect_pids(cg->dirs[h].fd, &v, &n);
                if (n == 0)
                        return 0;
        }
        if (v2 >= 0)
                (void)cg_write(cg, v2, "cgroup.kill", "1", false); /* since 5.14 */
        /* v1: freeze first so nothing forks while we kill; the kill lands on thaw. */
        bool frozen = frz >= 0 && cg_write(cg, frz, "freezer.state", "FROZEN", false) == 0;

        int r = -ETIMEDOUT;
        for (unsigned step = 0; step < CG_WAIT_STEPS; step++) {
                _cleanup_free_ pid_t *v = NULL;
                size_t n = member_pids(cg, &v);
                if (n == 0) {
                        r = 0;
                        break;
                }
                kill_members(cg, v, n);
                if (frozen) {
                        (void)cg_write(cg, frz, "freezer.state", "THAWED", false);
                        frozen = false;
                }
                cg_sleep_step();
        }
        if (frozen)
                (void)cg_write(cg, frz, "freezer.state", "THAWED", false);
        if (r < 0)
                log_error("Processes in cgroup %s survive SIGKILL", cg->path);
        return r;
}

/* rmdir depth-first. Real cgroup directories go with their interface files; in a fake tree we
 * unlink the files ourselves. */
static int rm_tree_at(int parentfd, const char *path, bool fake)
{
        _cleanup_dir_ DIR *d = cg_opendir_at(parentfd, path, O_NOFOLLOW);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                int k = 0;
                if (cg_is_dir_entry(dirfd(d), de))
                        k = rm_tree_at(dirfd(d), de->d_name, fake);
                else if (fake && unlinkat(dirfd(d), de->d_name, 0) < 0)
                        k = -errno;
                if (k < 0 && r == 0)
                        r = k;
        }
        /* A killed task may take a moment to leave: EBUSY is worth a retry. */
        for (unsigned step = 0; step < CG_WAIT_STEPS; step++) {
                if (unlinkat(parentfd, path, AT_REMOVEDIR) == 0 || errno == ENOENT)
                        return r;
                if (errno != EBUSY)
                        break;
                cg_sleep_step();
        }
        return -errno;
}

/* Removes the automatic parent of the group at path once no box uses it (another boxlaunch may,
 * concurrently). */
static void rmdir_if_unused(int rootfd, const char *path, bool fake)
{
        _cleanup_free_ char *dir = xstrndup(path, strcspn(path, "/"));
        if (fake) {
                _cleanup_dir_ DIR *d = cg_opendir_at(rootfd, dir, O_NOFOLLOW);
                if (!d)
                        return;
                struct dirent *de;
                while ((de = readdir(d)))
                        if (!streq(de->d_name, ".") && !streq(de->d_name, "..") &&
                            cg_is_dir_entry(dirfd(d), de))
                                return;
                (void)rm_tree_at(rootfd, dir, true);
                return;
        }
        (void)unlinkat(rootfd, dir, AT_REMOVEDIR); /* EBUSY/ENOTEMPTY: still in use */
}

/* Is the group at cg->path still the one d->fd opened, not a newer one that took the path since
 * (a stale struct destroyed after its groups were collected and re-created)? */
static bool still_ours(const struct box_cgroup *cg, const struct cg_dir *d)
{
        struct stat ours, now;
        return fstat(d->fd, &ours) == 0 &&
               fstatat(d->rootfd, cg->path, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
               ours.st_dev == now.st_dev && ours.st_ino == now.st_ino;
}

int cg_remove(struct box_cgroup *cg)
{
        int r = 0;
        for (enum cg_hier h = 0; h < _CG_HIER_MAX; h++) {
                struct cg_dir *d = &cg->dirs[h];
                if (d->fd < 0)
                        continue;
                bool same = still_ours(cg, d);
                closep(&d->fd);
                d->fd = -1;
                if (d->alias_of >= 0 || !same || d->reused)
                        continue;
                int k = rm_tree_at(d->rootfd, cg->path, cg->fake);
                if (k < 0) {
                        log_error_errno(k, "Cannot remove cgroup %s in %s", cg->path,
                                        cg_hier_name(h));
                        if (r == 0)
                                r = k;
                }
                if (cg->auto_parent)
                        rmdir_if_unused(d->rootfd, cg->path, cg->fake);
        }
        return r;
}

/* The common end of a box: its pid namespace took every process with it, and each group goes
 * with one rmdir. A group that cannot (a process left, a nested group) stays open for the long
 * way. The freezer group, which `pause` makes only when needed, goes too if it exists. */
static int remove_fast(struct box_cgroup *cg)
{
        int busy = 0;
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                struct cg_dir *d = &cg->dirs[h];
                if (d->rootfd < 0 || d->alias_of >= 0)
                        continue;
                if (d->fd < 0) {
                        if (h != CG_FREEZER || cg->fake)
                                continue;
                        if (unlinkat(d->rootfd, cg->path, AT_REMOVEDIR) == 0) {
                                if (cg->auto_parent)
                                        rmdir_if_unused(d->rootfd, cg->path, false);
                                continue;
                        }
                        if (errno == ENOENT)
                                continue;
                        d->fd = openat(d->rootfd, cg->path,
                                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        busy += d->fd >= 0;
                        continue;
                }
                if (d->reused) {
                        /* A failed start: the group stays as it was, but not with a process
                         * of the box left in it (the long way kills it first). */
                        _cleanup_free_ pid_t *v = NULL;
                        size_t np = 0;
                        if (!cg->fake && cg_collect_pids(d->fd, &v, &np) == 0 && np > 0) {
                                busy++;
                                continue;
                        }
                        closep(&d->fd);
                        d->fd = -1;
                        continue;
                }
                if (cg->fake || !still_ours(cg, d) ||
                    unlinkat(d->rootfd, cg->path, AT_REMOVEDIR) < 0) {
                        busy++;
                        continue;
                }
                closep(&d->fd);
                d->fd = -1;
                if (cg->auto_parent)
                        rmdir_if_unused(d->rootfd, cg->path, false);
        }
        return busy ? -EBUSY : 0;
}

void cgroup_destroy(struct box_cgroup *cg)
{
        if (!cg)
                return;
        if (remove_fast(cg) < 0) {
                (void)cg_kill(cg);
                (void)cg_remove(cg);
        }
        cg_free(cg);
}

static void add_step(struct cgroup_end_step **s, size_t *n, enum cgroup_end_what what, char *path)
{
        *s = xrealloc(*s, (*n + 1) * sizeof(**s));
        (*s)[(*n)++] = (struct cgroup_end_step){.what = what, .path = path};
}

int cgroup_end_plan(const struct box_cgroup *cg, struct cgroup_end_step **ret, size_t *n)
{
        struct cgroup_end_step *s = NULL;
        size_t k = 0;
        *ret = NULL;
        *n = 0;
        if (!cg)
                return -EINVAL;
        _cleanup_free_ char *parent = xstrndup(cg->path, strcspn(cg->path, "/"));
        if (cg->dirs[CG_V2].fd >= 0)
                add_step(&s, &k, CGROUP_END_OOM_V2,
                         xasprintf("%s/%s/%s/memory.events", cg->root,
                                   cg->layout == CGROUP_LAYOUT_V2 ? "." : "unified", cg->path));
        if (cg->dirs[CG_MEMORY].fd >= 0)
                add_step(&s, &k, CGROUP_END_OOM_V1,
                         xasprintf("%s/%s/%s/memory.oom_control", cg->root, cg_hier_dir(CG_MEMORY),
                                   cg->path));
        /* As remove_fast(): every hierarchy's group, the freezer's made on demand. */
        for (enum cg_hier h = 0; h < _CG_HIER_MAX; h++) {
                const struct cg_dir *d = &cg->dirs[h];
                if (d->rootfd < 0 || d->alias_of >= 0 || (d->fd < 0 && h != CG_FREEZER))
                        continue;
                if (d->reused) {
                        cgroup_end_plan_free(s, k);
                        return -ENOTSUP;
                }
                const char *dir = h != CG_V2                       ? cg_hier_dir(h)
                                  : cg->layout == CGROUP_LAYOUT_V2 ? "."
                                                                   : "unified";
                add_step(&s, &k, CGROUP_END_RMDIR, xasprintf("%s/%s/%s", cg->root, dir, cg->path));
                if (cg->auto_parent)
                        add_step(&s, &k, CGROUP_END_RMDIR_IDLE,
                                 xasprintf("%s/%s/%s", cg->root, dir, parent));
        }
        *ret = s;
        *n = k;
        return 0;
}

void cgroup_end_plan_free(struct cgroup_end_step *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(s[i].path);
        free(s);
}
