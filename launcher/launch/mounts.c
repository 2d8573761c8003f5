/* mounts.c - [Mount] sections, and the root's private overlay. */
#include "launch/mounts.h"

#include "launch/lsm.h"
#include "launch/mountfd.h"
#include "launch/rootfs.h"
#include "util/log.h"

/* "FILE:LINE: [Mount NAME]", as the front-end names the mount. */
#define MOUNT_WHERE(c, m) BOX_WHERE(c, BOX_F_MOUNT, (m)->name, (m)->origin.line)

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* A [Mount] target missing from an image that must not be written to. */
static int no_target(const struct box_config *c, const struct box_mount *m)
{
        log_error("%s: %s does not exist in the image, and the image is read-only: boxlaunch "
                  "creates nothing in a read-only image",
                  MOUNT_WHERE(c, m), m->target);
        return -ENOENT;
}

/* tmpcopyup: what the image has under a tmpfs target is copied onto the new tmpfs (owners,
 * modes, symlinks as they are). Both sides are walked by descriptor, nothing followed. */
static int copy_tree(int from, int to, unsigned depth)
{
        if (depth > 64)
                return -ELOOP;
        int dfd = fcntl(from, F_DUPFD_CLOEXEC, 3);
        if (dfd < 0)
                return -errno;
        _cleanup_dir_ DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                struct stat st;
                if (fstatat(from, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (S_ISDIR(st.st_mode)) {
                        if (mkdirat(to, de->d_name, st.st_mode & 07777) < 0 && errno != EEXIST)
                                return -errno;
                        _cleanup_close_ int a = openat(
                                from, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int b = openat(
                                to, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (a < 0 || b < 0)
                                return -errno;
                        int r = copy_tree(a, b, depth + 1);
                        if (r < 0)
                                return r;
                        (void)fchown(b, st.st_uid, st.st_gid);
                        (void)fchmod(b, st.st_mode & 07777);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t n = readlinkat(from, de->d_name, target, sizeof(target) - 1);
                        if (n < 0)
                                return -errno;
                        target[n] = 0;
                        if (symlinkat(target, to, de->d_name) < 0)
                                return -errno;
                        (void)fchownat(to, de->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
                } else if (S_ISREG(st.st_mode)) {
                        _cleanup_close_ int a =
                                openat(from, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int b =
                                openat(to, de->d_name,
                                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                       st.st_mode & 07777);
                        if (a < 0 || b < 0)
                                return -errno;
                        char buf[65536];
                        ssize_t k;
                        while ((k = read(a, buf, sizeof(buf))) > 0)
                                if (write_all(b, buf, (size_t)k) < 0)
                                        return -errno;
                        if (k < 0)
                                return -errno;
                        (void)fchown(b, st.st_uid, st.st_gid);
                        (void)fchmod(b, st.st_mode & 07777);
                } else if (S_ISFIFO(st.st_mode)) {
                        if (mknodat(to, de->d_name, st.st_mode, 0) < 0)
                                return -errno;
                }
                /* Device nodes and sockets of the image are not copied up. */
        }
        return 0;
}

/* Attributes of OCI mounts beyond the plain flags: the recursive ones (rro, rnosuid...) and
 * the propagation, on the attached mount. */
static int set_attrs(int t, const struct box_mount *m)
{
        struct mount_attr a = {.attr_set = m->rec_attr_set, .attr_clr = m->rec_attr_clr};
        if ((a.attr_set || a.attr_clr) &&
            mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                return -errno;
        return 0;
}

/* Any other file system (OCI mounts: proc, sysfs, devpts, mqueue, tmpfs...), made with
 * fsopen() and attached on its target inside the root; "cgroup" is the box's own groups. */
static int attach_fs(const struct box_config *c, int rootfd, const struct box_mount *m, bool create,
                     const char *cgpath)
{
        _cleanup_close_ int t = root_open_path(rootfd, m->target, create, false);
        if (t == -ENOENT && !create)
                return no_target(c, m);
        if (t < 0)
                return log_error_errno(t, "%s: creating %s", MOUNT_WHERE(c, m), m->target);
        int r;
        if (streq(m->fstype, "cgroup")) {
                r = rootfs_mount_cgroups(rootfd, m->target, cgpath, !(m->flags & MS_RDONLY));
                return r < 0 ? r : 0; /* logged */
        }
        _cleanup_free_ char *data = NULL;
        bool labelled = c->mount_label && lsm_selinux_enabled() && !streq(m->fstype, "proc") &&
                        !streq(m->fstype, "sysfs") && !streq(m->fstype, "cgroup2");
        if (labelled)
                data = m->data ? xasprintf("%s,context=\"%s\"", m->data, c->mount_label)
                               : xasprintf("context=\"%s\"", c->mount_label);
        else if (m->data)
                data = xstrdup(m->data);
        uint64_t attrs = attr_from_flags(box_mount_flags(m));
        _cleanup_close_ int fs = new_fs(m->fstype, m->source ? m->source : m->fstype, data, attrs);
        if (fs == -EPERM && streq(m->fstype, "sysfs")) {
                /* A user namespace that does not own the network namespace may not mount
                 * sysfs: the host's, read-only, as for a .box. */
                fs = open_tree(AT_FDCWD, "/sys",
                               OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
                struct mount_attr a = {.attr_set = attrs | MOUNT_ATTR_RDONLY};
                if (fs < 0 ||
                    mount_setattr(fs, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                        fs = -errno;
        }
        if (fs < 0)
                return log_error_errno(fs, "%s: mounting %s on %s%s%s", MOUNT_WHERE(c, m),
                                       m->fstype, m->target, data ? " with " : "",
                                       data ? data : "");
        if (m->tmpcopyup) {
                _cleanup_close_ int under =
                        openat(t, ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (under < 0 || (r = copy_tree(under, fs, 0)) < 0)
                        return log_error_errno(under < 0 ? -errno : r, "%s: copying %s up",
                                               MOUNT_WHERE(c, m), m->target);
        }
        r = attach(fs, t);
        if (r >= 0)
                r = set_attrs(fs, m);
        if (r >= 0 && m->propagation) {
                struct mount_attr a = {.propagation = m->propagation & ~MS_REC};
                if (mount_setattr(fs, "",
                                  AT_EMPTY_PATH | (m->propagation & MS_REC ? AT_RECURSIVE : 0), &a,
                                  sizeof(a)) < 0)
                        r = -errno;
        }
        if (r < 0)
                return log_error_errno(r, "%s: attaching %s on %s", MOUNT_WHERE(c, m), m->fstype,
                                       m->target);
        return 0;
}

static int attach_one(const struct box_config *c, int rootfd, const struct box_mount *m, int pre,
                      bool create, const char *cgpath)
{
        int r;
        switch (m->type) {
        case BOX_MOUNT_FS:
                return attach_fs(c, rootfd, m, create, cgpath);
        case BOX_MOUNT_BIND:
                if (pre < 0 && access(m->source, F_OK) < 0 && m->optional)
                        return 0;
                r = bind_at_pre(rootfd, pre, m->source, m->target, m->recursive, box_mount_flags(m),
                                m->propagation, create);
                if (r >= 0 && (m->rec_attr_set || m->rec_attr_clr || m->n_uid_map)) {
                        _cleanup_close_ int t = in_root(rootfd, m->target, O_PATH);
                        r = t < 0 ? t : set_attrs(t, m);
                }
                if (r == -ENOENT && !create && access(m->source, F_OK) == 0)
                        return no_target(c, m);
                if (r < 0)
                        return log_error_errno(r, "%s: binding %s on %s", MOUNT_WHERE(c, m),
                                               m->source, m->target);
                return 0;
        case BOX_MOUNT_TMPFS: {
                _cleanup_close_ int t = root_open_path(rootfd, m->target, create, false);
                if (t == -ENOENT && !create)
                        return no_target(c, m);
                if (t < 0)
                        return log_error_errno(t, "%s: creating %s", MOUNT_WHERE(c, m), m->target);
                _cleanup_close_ int fs = new_fs("tmpfs", "tmpfs", m->data,
                                                attr_from_flags(m->flags | MS_NODEV | MS_NOSUID));
                if (fs < 0)
                        return log_error_errno(fs, "%s: tmpfs on %s", MOUNT_WHERE(c, m), m->target);
                r = attach(fs, t);
                if (r < 0)
                        return log_error_errno(r, "%s: attaching tmpfs on %s", MOUNT_WHERE(c, m),
                                               m->target);
                return 0;
        }
        case BOX_MOUNT_OVERLAY: {
                _cleanup_close_ int t = root_open_path(rootfd, m->target, create, false);
                if (t == -ENOENT && !create)
                        return no_target(c, m);
                if (t < 0)
                        return log_error_errno(t, "%s: creating %s", MOUNT_WHERE(c, m), m->target);
                _cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
                if (fs < 0)
                        return log_error_errno(-errno, "%s: overlay", MOUNT_WHERE(c, m));
                _cleanup_free_ char *lower = NULL;
                for (char **l = m->lower; *l; l++) {
                        char *old = lower;
                        lower = old ? xasprintf("%s:%s", old, *l) : xstrdup(*l);
                        free(old);
                }
                if (fsconfig(fs, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0 ||
                    fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
                    (m->upper && fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", m->upper, 0) < 0) ||
                    (m->work && fsconfig(fs, FSCONFIG_SET_STRING, "workdir", m->work, 0) < 0) ||
                    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                        return log_error_errno(-errno, "%s: configuring overlay on %s",
                                               MOUNT_WHERE(c, m), m->target);
                _cleanup_close_ int mnt =
                        fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attr_from_flags(box_mount_flags(m)));
                if (mnt < 0)
                        return log_error_errno(-errno, "%s: overlay on %s", MOUNT_WHERE(c, m),
                                               m->target);
                r = attach(mnt, t);
                if (r < 0)
                        return log_error_errno(r, "%s: attaching overlay on %s", MOUNT_WHERE(c, m),
                                               m->target);
                return 0;
        }
        }
        return 0;
}

/* An overlay over the root mount *m (the lower layer, through its fd), its upper and work layers
 * on a tmpfs that exists only in this process: Ephemeral=yes, where every write vanishes with the
 * box, and a read-only root that needs mount points the image lacks (see mounts_need_layer()). The
 * layers have no name on the host, so no other user can claim or swap them first. Kernels since
 * 6.13 take them as descriptors; older ones by path, and the path is /proc/self/fd of the tmpfs
 * attached, in this private mount namespace only, over the root directory (which the box's root
 * covers next). On success *m is replaced by the overlay. */
static int overlay_by_fd(int lower, int upper, int work)
{
        _cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, lower) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FD, "upperdir", NULL, upper) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FD, "workdir", NULL, work) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        int ov = fsmount(fs, FSMOUNT_CLOEXEC, 0);
        return ov < 0 ? -errno : ov;
}

static int overlay_by_path(int root_dir, int tmp, int *lower, int upper, int work)
{
        if (move_mount(tmp, "", root_dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
            0)
                return -errno;
        /* From here on the tmpfs is attached: detach it again whatever happens (the overlay
         * keeps private copies of its layers). */
        char tpath[64];
        snprintf(tpath, sizeof(tpath), "/proc/self/fd/%d", tmp);
        int r = 0;
        _cleanup_close_ int l = -EBADF;
        if (mkdirat(tmp, "lower", 0755) < 0 ||
            (l = openat(tmp, "lower", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
            move_mount(*lower, "", l, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                r = -errno;
        char lp[64], up[64], wp[64];
        snprintf(lp, sizeof(lp), "/proc/self/fd/%d", *lower);
        snprintf(up, sizeof(up), "/proc/self/fd/%d", upper);
        snprintf(wp, sizeof(wp), "/proc/self/fd/%d", work);
        _cleanup_close_ int fs = r < 0 ? -EBADF : fsopen("overlay", FSOPEN_CLOEXEC);
        if (r == 0 && (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0 ||
                       fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lp, 0) < 0 ||
                       fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", up, 0) < 0 ||
                       fsconfig(fs, FSCONFIG_SET_STRING, "workdir", wp, 0) < 0 ||
                       fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0))
                r = -errno;
        int ov = r < 0 ? r : fsmount(fs, FSMOUNT_CLOEXEC, 0);
        if (r == 0 && ov < 0)
                r = -errno;
        umount2(tpath, MNT_DETACH);
        return r < 0 ? r : ov;
}

int mounts_overlay_root(int root_dir, int *m)
{
        _cleanup_close_ int tmp = new_fs("tmpfs", "tmpfs", "mode=0755", 0);
        if (tmp < 0)
                return tmp;
        if (mkdirat(tmp, "upper", 0755) < 0 || mkdirat(tmp, "work", 0755) < 0)
                return -errno;
        _cleanup_close_ int upper =
                openat(tmp, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int work =
                openat(tmp, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (upper < 0 || work < 0)
                return -errno;
        int ov = overlay_by_fd(*m, upper, work);
        if (ov < 0)
                ov = overlay_by_path(root_dir, tmp, m, upper, work);
        if (ov < 0)
                return ov;
        close(*m);
        *m = ov;
        return 0;
}

bool mounts_need_layer(const struct box_mount *const *m, size_t n, bool machine, int rootfd)
{
        for (size_t i = 0; i < n; i++) {
                const char *t = m[i]->target;
                while (*t == '/')
                        t++;
                size_t len = strcspn(t, "/");
                static const char *const api[] = {"dev", "proc", "sys", "run", "tmp"};
                bool ours = false;
                for (size_t k = 0; k < ARRAY_SIZE(api) - (machine ? 0 : 2); k++)
                        ours = ours || (strlen(api[k]) == len && strncmp(t, api[k], len) == 0);
                if (ours)
                        continue;
                _cleanup_close_ int fd = in_root(rootfd, t, O_PATH);
                if (fd == -ENOENT)
                        return true;
        }
        return false;
}

/* Is dir (normalised, absolute) a proper prefix directory of path? */
static bool under(const char *dir, const char *path)
{
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        return strncmp(dir, path, n) == 0 && (n == 1 || path[n] == '/') && path[n + (n > 1)];
}

bool mounts_need_layer_listed(const struct box_mount *const *m, size_t n, int rootfd)
{
        for (size_t i = 0; i < n; i++) {
                bool fresh = false;
                /* Below an earlier file system of the list (/dev/pts on the /dev tmpfs): made
                 * there, not in the image. */
                for (size_t j = 0; j < i && !fresh; j++)
                        fresh = m[j]->type != BOX_MOUNT_BIND && under(m[j]->target, m[i]->target);
                if (fresh)
                        continue;
                _cleanup_close_ int fd = in_root(rootfd, m[i]->target, O_PATH);
                if (fd == -ENOENT)
                        return true;
        }
        return false;
}

int mounts_clone_shared(const struct box_config *c, const struct box_mount *const *m, size_t n,
                        struct mount_sources *ret)
{
        *ret = (struct mount_sources){.fd = xcalloc(n + 1, sizeof(int)), .n = n};
        for (size_t i = 0; i < n; i++) {
                const struct box_mount *bm = m[i];
                ret->fd[i] = -1;
                if (bm->type != BOX_MOUNT_BIND || !(bm->propagation & (MS_SLAVE | MS_SHARED)))
                        continue;
                ret->fd[i] = clone_source(bm->source, bm->recursive);
                if (ret->fd[i] < 0 && !(ret->fd[i] == -ENOENT && bm->optional))
                        return log_error_errno(ret->fd[i], "%s: binding %s on %s",
                                               MOUNT_WHERE(c, bm), bm->source, bm->target);
        }
        return 0;
}

void mount_sources_done(struct mount_sources *s)
{
        for (size_t i = 0; s->fd && i < s->n; i++)
                closep(&s->fd[i]);
        free(s->fd);
        s->fd = NULL;
}

int mounts_attach(const struct box_config *c, int rootfd, const struct box_mount *const *m,
                  size_t n, struct mount_sources *src, bool create, const char *cgpath)
{
        for (size_t i = 0; i < n; i++) {
                int r = attach_one(c, rootfd, m[i], src->fd[i], create, cgpath);
                src->fd[i] = -1; /* consumed */
                if (r < 0)
                        return r;
        }
        return 0;
}
