/* join.c - getting processes into a box's groups: moving a pid there (cgroup_attach), the fds a
 * new process joins through itself (cgroup_join_fds/cgroup_join_self), joining an existing box
 * by its path (exec), and handing the groups a booted init manages to the box's root. */
#include "cgroup/layout.h"
#include "util/log.h"

#include <fcntl.h>

int cgroup_attach(struct box_cgroup *cg, pid_t pid)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        for (enum cg_hier h = 0; h < _CG_HIER_MAX; h++) {
                struct cg_dir *d = &cg->dirs[h];
                if (d->fd < 0 || d->alias_of >= 0)
                        continue;
                int r = cg_write(cg, d->fd, "cgroup.procs", buf, cg->fake);
                if (r < 0)
                        return log_error_errno(r, "Cannot move %s into cgroup %s (%s)", buf,
                                               cg->path, cg_hier_name(h));
        }
        return 0;
}

int cgroup_join_fds(const struct box_cgroup *cg, bool with_v2, int fds[static CGROUP_JOIN_MAX])
{
        int n = 0;
        for (enum cg_hier h = 0; h < _CG_HIER_MAX; h++) {
                const struct cg_dir *d = &cg->dirs[h];
                if (d->fd < 0 || d->alias_of >= 0 || (h == CG_V2 && !with_v2))
                        continue;
                /* A fake tree has no interface files: the write just lands in a new file. */
                fds[n] = openat(d->fd, h == CG_V2 ? "cgroup.procs" : "tasks",
                                O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (cg->fake ? O_CREAT : 0), 0644);
                if (fds[n] < 0) {
                        int r = negative_errno();
                        close_many(fds, n);
                        return log_error_errno(r, "Cannot open the %s file of cgroup %s (%s)",
                                               h == CG_V2 ? "cgroup.procs" : "tasks", cg->path,
                                               cg_hier_name(h));
                }
                n++;
        }
        return n;
}

int cgroup_join_self(const int *fds, int n)
{
        for (int i = 0; i < n; i++)
                if (write(fds[i], "0", 1) != 1)
                        return negative_errno();
        return 0;
}

int cgroup_join_path(const char *root, const char *path)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = cg_open_group(root, path, &cg);
        if (r < 0)
                return r; /* -ENOENT not logged: the caller names the box */
        int fds[CGROUP_JOIN_MAX];
        int n = cgroup_join_fds(cg, true, fds);
        if (n < 0)
                return n; /* logged */
        r = cgroup_join_self(fds, n);
        close_many(fds, n);
        if (r < 0)
                return log_error_errno(r, "Cannot join cgroup %s", path);
        return 0;
}

int cgroup_chown(const struct box_cgroup *cg, uid_t uid, gid_t gid)
{
        /* Only the hierarchies a booted init manages itself: name=systemd and cgroup2. */
        static const enum cg_hier owned[] = {CG_SYSTEMD, CG_V2};
        for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
                int fd = cg->dirs[owned[i]].fd;
                if (fd < 0 || cg->dirs[owned[i]].alias_of >= 0)
                        continue;
                if (fchown(fd, uid, gid) < 0)
                        return -errno;
                _cleanup_dir_ DIR *d = cg_opendir_at(fd, ".", 0);
                if (!d)
                        return -errno;
                struct dirent *de;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' &&
                            fchownat(fd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                                return -errno;
        }
        return 0;
}
