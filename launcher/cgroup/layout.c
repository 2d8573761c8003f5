/* layout.c - layout detection (v1, hybrid, v2, or a fake tree that says which it imitates), the
 * struct box_cgroup with the roots of the hierarchies present, and opening a group by path. */
#include "cgroup/layout.h"
#include "util/log.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

static int detect(const char *root, enum cgroup_layout *ret, bool *ret_fake)
{
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        *ret_fake = false;
        if (cg_fs_type_at(fd, ".", CGROUP2_SUPER_MAGIC)) {
                *ret = CGROUP_LAYOUT_V2;
                return 0;
        }
        if (cg_fs_type_at(fd, "unified", CGROUP2_SUPER_MAGIC)) {
                *ret = CGROUP_LAYOUT_HYBRID;
                return 0;
        }
        for (enum cg_hier h = 0; h < CG_V2; h++)
                if (cg_fs_type_at(fd, cg_hier_dir(h), CGROUP_SUPER_MAGIC)) {
                        *ret = CGROUP_LAYOUT_V1;
                        return 0;
                }

        /* No cgroup file system at all: a fake tree, which must say what it imitates. */
        const char *e = getenv("BOXLAUNCH_CGROUP_LAYOUT");
        if (!e)
                return -ENOMEDIUM;
        if (streq(e, "v1"))
                *ret = CGROUP_LAYOUT_V1;
        else if (streq(e, "hybrid"))
                *ret = CGROUP_LAYOUT_HYBRID;
        else if (streq(e, "v2"))
                *ret = CGROUP_LAYOUT_V2;
        else
                return -EINVAL;
        *ret_fake = true;
        return 0;
}

int cgroup_detect(const char *root, enum cgroup_layout *ret)
{
        bool fake;
        return detect(root, ret, &fake);
}

const char *cgroup_layout_to_string(enum cgroup_layout l)
{
        switch (l) {
        case CGROUP_LAYOUT_V1:
                return "v1";
        case CGROUP_LAYOUT_HYBRID:
                return "hybrid";
        case CGROUP_LAYOUT_V2:
                return "v2";
        }
        return "?";
}

void cg_free(struct box_cgroup *cg)
{
        if (!cg)
                return;
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                closep(&cg->dirs[h].fd);
                closep(&cg->dirs[h].rootfd);
        }
        free(cg->root);
        free(cg->path);
        free(cg);
}

int cg_new(const char *root, struct box_cgroup **ret)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = xcalloc(1, sizeof(*cg));
        struct stat st[_CG_HIER_MAX];

        for (size_t h = 0; h < _CG_HIER_MAX; h++)
                cg->dirs[h].rootfd = cg->dirs[h].fd = cg->dirs[h].alias_of = -1;
        cg->root = xstrdup(root);
        int r = detect(root, &cg->layout, &cg->fake);
        if (r == -ENOMEDIUM)
                return log_error_errno(r, "No cgroup file system at %s", root);
        if (r < 0)
                return log_error_errno(r, "Cannot detect the cgroup layout of %s", root);

        _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return log_error_errno(negative_errno(), "Cannot open %s", root);

        for (enum cg_hier h = 0; h < _CG_HIER_MAX; h++) {
                const char *dir = cg_hier_dir(h);
                long magic = CGROUP_SUPER_MAGIC;
                if (h == CG_V2) {
                        if (cg->layout == CGROUP_LAYOUT_V1)
                                continue;
                        dir = cg->layout == CGROUP_LAYOUT_V2 ? "." : "unified";
                        magic = CGROUP2_SUPER_MAGIC;
                } else if (cg->layout == CGROUP_LAYOUT_V2)
                        continue;
                /* One open per hierarchy, its type checked on the descriptor kept. */
                _cleanup_close_ int fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct statfs sfs;
                if (fd < 0 || (!cg->fake && (fstatfs(fd, &sfs) < 0 || (long)sfs.f_type != magic)))
                        continue;
                cg->dirs[h].rootfd = TAKE_FD(fd);
                /* "cpu" and "cpuacct" are often one mount with two names: use it once. */
                if (fstat(cg->dirs[h].rootfd, &st[h]) < 0)
                        return log_error_errno(negative_errno(), "Cannot stat %s/%s", root, dir);
                for (size_t o = 0; o < h; o++)
                        if (cg->dirs[o].rootfd >= 0 && st[o].st_dev == st[h].st_dev &&
                            st[o].st_ino == st[h].st_ino) {
                                cg->dirs[h].alias_of = (int)o;
                                break;
                        }
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

int cg_writable(const struct box_cgroup *cg, enum cg_hier h, const char *path, bool exact)
{
        int rootfd = cg->dirs[h].rootfd;
        if (rootfd < 0)
                return -ENOENT;
        _cleanup_free_ char *p = xstrdup(path);
        for (bool parent = true;; parent = false) {
                char *slash = strrchr(p, '/');
                if (slash)
                        *slash = 0;
                else if (*p)
                        *p = 0;
                else if (!parent)
                        return -ENOENT;
                /* AT_EACCESS: root passes mode bits but not a read-only mount (EROFS). */
                const char *dir = *p ? p : ".";
                if (faccessat(rootfd, dir, W_OK, AT_EACCESS) == 0)
                        return 0;
                int r = -errno;
                if (r == -ENOENT && !exact)
                        continue;
                /* In a user namespace the owner check fails first: say if the mount is
                 * read-only anyway, the usual reason inside a container. */
                struct statvfs sv;
                _cleanup_close_ int fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (r != -ENOENT && fd >= 0 && fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
                        return -EROFS;
                return r;
        }
}

void cg_drop_unwritable(struct box_cgroup *cg)
{
        for (enum cg_hier h = 0; h < _CG_HIER_MAX; h++) {
                struct cg_dir *d = &cg->dirs[h];
                if (d->rootfd < 0)
                        continue;
                int r = d->alias_of >= 0 ? cg->dirs[d->alias_of].denied
                                         : cg_writable(cg, h, cg->path, cg->delegated);
                if (r == 0)
                        continue;
                log_debug("cgroup: no group in the %s hierarchy, where %s cannot be made: %s",
                          cg_hier_name(h), cg->path, strerror(-r));
                d->denied = r;
                closep(&d->rootfd);
                d->rootfd = -1;
        }
}

int cg_open_existing(struct box_cgroup *cg)
{
        int n = 0;
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                struct cg_dir *d = &cg->dirs[h];
                if (d->rootfd < 0)
                        continue;
                d->fd = openat(d->rootfd, cg->path,
                               O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (d->fd >= 0)
                        n++;
        }
        return n;
}

int cg_open_group(const char *root, const char *path, struct box_cgroup **ret)
{
        if (!cg_path_ok(path))
                return log_error_errno(-EINVAL, "Invalid cgroup path \"%s\"", path);
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = cg_new(root, &cg);
        if (r < 0)
                return r;
        cg->path = xstrdup(path);
        if (cg_open_existing(cg) == 0)
                return -ENOENT;
        *ret = TAKE_PTR(cg);
        return 0;
}

int cg_open_path(const char *root, const char *path, struct box_cgroup **ret)
{
        int r = cg_open_group(root, path, ret);
        if (r == -ENOENT)
                return log_error_errno(r, "No cgroup %s under %s", path, root);
        return r;
}

enum cgroup_layout cgroup_layout(const struct box_cgroup *cg)
{
        return cg->layout;
}

const char *cgroup_path(const struct box_cgroup *cg)
{
        return cg->path;
}

int cgroup_v2_dirfd(const struct box_cgroup *cg)
{
        return cg ? cg->dirs[CG_V2].fd : -1;
}
