/* mounts.c - [Mount] sections, and the root's private overlay. */
#include "launch/mounts.h"

#include "launch/mountfd.h"
#include "util/log.h"

/* "FILE:LINE: [Mount NAME]", as the front-end names the mount. */
#define MOUNT_WHERE(c, m) BOX_WHERE(c, BOX_F_MOUNT, (m)->name, (m)->origin.line)

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

static int attach_one(const struct box_config *c, int rootfd, const struct box_mount *m, int pre,
                      bool create)
{
        int r;
        switch (m->type) {
        case BOX_MOUNT_BIND:
                if (pre < 0 && access(m->source, F_OK) < 0 && m->optional)
                        return 0;
                r = bind_at_pre(rootfd, pre, m->source, m->target, m->recursive, box_mount_flags(m),
                                m->propagation, create);
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
                  size_t n, struct mount_sources *src, bool create)
{
        for (size_t i = 0; i < n; i++) {
                int r = attach_one(c, rootfd, m[i], src->fd[i], create);
                src->fd[i] = -1; /* consumed */
                if (r < 0)
                        return r;
        }
        return 0;
}
