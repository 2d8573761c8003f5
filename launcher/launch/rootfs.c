/* rootfs.c - root filesystem, API filesystems, /dev and [Mount] sections inside the box. */
#include "launch/rootfs.h"
#include "util/syscalls.h"

#include "util/log.h"
#include "util/procfs.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

static int _printf_(3, 4) fail(struct rootfs_error *e, int r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < sizeof(e->msg))
                snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(-r));
        return r;
}

/* openat2() returning the fd or -errno. */
static int openat2_fd(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
        int fd = sys_openat2(dirfd, path, flags, resolve);
        return fd < 0 ? -errno : fd;
}

static int in_root(int rootfd, const char *path, uint64_t flags)
{
        while (*path == '/')
                path++;
        if (!*path)
                return openat2_fd(rootfd, ".", flags, RESOLVE_IN_ROOT);
        return openat2_fd(rootfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* Like fail(), without an errno text: the message says it all. */
static int _printf_(3, 4) failx(struct rootfs_error *e, int r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        return r;
}

static const char *file_kind(mode_t mode)
{
        switch (mode & S_IFMT) {
        case S_IFLNK:
                return "a symbolic link";
        case S_IFREG:
                return "a regular file";
        case S_IFIFO:
                return "a FIFO";
        case S_IFSOCK:
                return "a socket";
        case S_IFCHR:
                return "a character device";
        case S_IFBLK:
                return "a block device";
        default:
                return "not a directory";
        }
}

/* The mount point of an API file system (/proc, /sys, /dev; /run and /tmp of a machine): a
 * directory of the image itself, directly below its root. A symlink there would carry the mount
 * (and every mask and write meant for it) somewhere else, so it is an error, as is anything but a
 * directory; nothing is created in the image either. `name` is one component. Returns an O_PATH
 * fd of the directory. */
static int api_dir(int rootfd, const char *name, const char *what, struct rootfs_error *e)
{
        int fd = openat2_fd(rootfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW,
                            RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (fd >= 0)
                return fd;
        if (fd == -ENOENT)
                return failx(e, fd,
                             "the image has no directory /%s for %s (boxlaunch does not create "
                             "it in the image: mkdir it there)",
                             name, what);
        struct stat st;
        /* One component below rootfd: nothing on the way to follow. */
        if ((fd == -ELOOP || fd == -ENOTDIR) &&
            fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return failx(e, -ENOTDIR,
                             "/%s in the image is %s, not a directory: refusing to mount %s "
                             "there",
                             name, file_kind(st.st_mode), what);
        return fail(e, fd, "opening /%s in the image for %s", name, what);
}

static int open_path_depth(int rootfd, const char *path, bool create, bool as_file, int depth);

/* A dangling symlink on the way: continue with its target, resolved inside the root like
 * RESOLVE_IN_ROOT would (absolute targets start at the root, ".." stops there). */
static int follow_dangling(int rootfd, int pfd, const char *parent, const char *name,
                           const char *rest, bool create, bool as_file, int depth)
{
        char target[4096];
        ssize_t n = readlinkat(pfd, name, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = 0;
        _cleanup_free_ char *next =
                target[0] == '/'
                        ? xasprintf("%s%s%s", target, rest ? "/" : "", rest ? rest : "")
                        : xasprintf("%s/%s%s%s", parent, target, rest ? "/" : "", rest ? rest : "");
        return open_path_depth(rootfd, next, create, as_file, depth + 1);
}

static int open_path_depth(int rootfd, const char *path, bool create, bool as_file, int depth)
{
        if (depth > 40)
                return -ELOOP;
        int fd = in_root(rootfd, path, O_PATH);
        if (fd >= 0 || fd != -ENOENT || !create)
                return fd;

        /* Walk down, creating what is missing. Each step is resolved from the root again, so a
         * symlink planted between two steps still cannot lead outside. */
        _cleanup_free_ char *p = xstrdup(path);
        char *s = p;
        while (*s == '/')
                s++;
        for (;;) {
                char *slash = strchr(s, '/');
                bool last = !slash;
                if (slash)
                        *slash = 0;
                _cleanup_close_ int cur = in_root(rootfd, p, O_PATH);
                if (cur == -ENOENT) {
                        char *base = strrchr(p, '/');
                        _cleanup_free_ char *parent =
                                base && base != p ? xstrndup(p, (size_t)(base - p)) : xstrdup("/");
                        const char *name = base ? base + 1 : p;
                        _cleanup_close_ int pfd = in_root(rootfd, parent, O_RDONLY | O_DIRECTORY);
                        if (pfd < 0)
                                return pfd;
                        struct stat st;
                        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                            S_ISLNK(st.st_mode))
                                return follow_dangling(rootfd, pfd, parent, name,
                                                       last ? NULL : slash + 1, create, as_file,
                                                       depth);
                        if (last && as_file) {
                                int f = openat(pfd, name,
                                               O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                                               0644);
                                if (f < 0 && errno != EEXIST)
                                        return -errno;
                                if (f >= 0)
                                        close(f);
                        } else if (mkdirat(pfd, name, 0755) < 0 && errno != EEXIST) {
                                return -errno;
                        }
                } else if (cur < 0) {
                        return cur;
                }
                if (last)
                        break;
                *slash = '/';
                s = slash + 1;
        }
        return in_root(rootfd, path, O_PATH);
}

int root_open_path(int rootfd, const char *path, bool create, bool as_file)
{
        return open_path_depth(rootfd, path, create, as_file, 0);
}

/* Attach a detached mount (from open_tree or fsmount) at fd-resolved target. */
static int attach(int mntfd, int targetfd)
{
        if (move_mount(mntfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
            0)
                return -errno;
        return 0;
}

static uint64_t attr_from_flags(unsigned long f)
{
        uint64_t a = 0;
        if (f & MS_RDONLY)
                a |= MOUNT_ATTR_RDONLY;
        if (f & MS_NOSUID)
                a |= MOUNT_ATTR_NOSUID;
        if (f & MS_NODEV)
                a |= MOUNT_ATTR_NODEV;
        if (f & MS_NOEXEC)
                a |= MOUNT_ATTR_NOEXEC;
        if (f & MS_NOATIME)
                a |= MOUNT_ATTR_NOATIME;
        if (f & MS_STRICTATIME)
                a |= MOUNT_ATTR_STRICTATIME;
        if (f & MS_NODIRATIME)
                a |= MOUNT_ATTR_NODIRATIME;
        if (f & MS_NOSYMFOLLOW)
                a |= MOUNT_ATTR_NOSYMFOLLOW;
        return a;
}

/* A new filesystem instance through fsopen/fsconfig/fsmount. `data` is "k=v,k2=v2" or NULL;
 * `flag_opts` are bare flags like "newinstance". */
static int new_fs(const char *type, const char *source, const char *data, uint64_t attrs)
{
        _cleanup_close_ int fs = fsopen(type, FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        if (source && fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
                return -errno;
        if (data) {
                _cleanup_free_ char *d = xstrdup(data);
                char *save = NULL;
                for (char *w = strtok_r(d, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                        char *eq = strchr(w, '=');
                        int r;
                        if (eq) {
                                *eq = 0;
                                r = fsconfig(fs, FSCONFIG_SET_STRING, w, eq + 1, 0);
                        } else {
                                r = fsconfig(fs, FSCONFIG_SET_FLAG, w, NULL, 0);
                        }
                        if (r < 0)
                                return -errno;
                }
        }
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        int m = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs);
        return m < 0 ? -errno : m;
}

/* A new `type` instance attached on the directory `targetfd`. With ret_mnt, the mount's fd (its
 * root, attached now) is returned there: *at() calls relative to it stay on the new instance. */
static int mount_new_fs_on(int targetfd, const char *type, const char *data, uint64_t attrs,
                           int *ret_mnt)
{
        _cleanup_close_ int m = new_fs(type, type, data, attrs);
        if (m < 0)
                return m;
        int r = attach(m, targetfd);
        if (r < 0)
                return r;
        if (ret_mnt)
                *ret_mnt = TAKE_FD(m);
        return 0;
}

/* Mounts on an existing directory, reached inside the root; nothing is created. */
static int mount_new_fs_at(int rootfd, const char *target, const char *type, const char *data,
                           uint64_t attrs)
{
        _cleanup_close_ int t = in_root(rootfd, target, O_PATH | O_DIRECTORY);
        if (t < 0)
                return t;
        return mount_new_fs_on(t, type, data, attrs, NULL);
}

/* A directory made in a file system of boxlaunch's own (the /dev tmpfs), mounted on. */
static int mount_new_fs_in(int dirfd, const char *name, mode_t mode, const char *type,
                           const char *data, uint64_t attrs)
{
        if (mkdirat(dirfd, name, mode) < 0)
                return -errno;
        _cleanup_close_ int t = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (t < 0)
                return -errno;
        return mount_new_fs_on(t, type, data, attrs, NULL);
}

/* Bind host path `source` at `target` inside the root. Flags become mount attributes on the new
 * mount only: attributes the source already carries (nosuid, nodev...) stay, which a classic
 * MS_REMOUNT|MS_BIND would have to recompute (and fails on in a user namespace). */
/* A detached copy of a bind source. Taken before / is made private, a copy of a shared mount
 * stays in the host's peer group, so that slave and shared propagation can mean something. */
static int clone_source(const char *source, bool recursive)
{
        int m = open_tree(AT_FDCWD, source,
                          OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        return m < 0 ? -errno : m;
}

/* Bind `source` (or its copy `pre`, consumed, from clone_source()) at `target`, created when
 * missing if `create` (else -ENOENT). */
static int bind_at_pre(int rootfd, int pre, const char *source, const char *target, bool recursive,
                       unsigned long flags, unsigned long propagation, bool create)
{
        _cleanup_close_ int m = pre;
        struct stat st;
        if (m >= 0 ? fstat(m, &st) < 0 : stat(source, &st) < 0)
                return -errno;
        _cleanup_close_ int t = root_open_path(rootfd, target, create, !S_ISDIR(st.st_mode));
        if (t < 0)
                return t;
        if (m < 0 && (m = clone_source(source, recursive)) < 0)
                return m;
        struct mount_attr a = {.attr_set = attr_from_flags(flags),
                               .propagation = propagation & ~MS_REC};
        if ((a.attr_set || a.propagation) &&
            mount_setattr(m, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0)
                return -errno;
        return attach(m, t);
}

/* For targets inside boxlaunch's own file systems (/dev, /sys/fs/cgroup), where creating a
 * mount point touches nothing of the image. */
static int bind_at(int rootfd, const char *source, const char *target, bool recursive,
                   unsigned long flags, unsigned long propagation)
{
        return bind_at_pre(rootfd, -1, source, target, recursive, flags, propagation, true);
}

static int setup_dev(int rootfd, const struct box_config *c, bool in_userns, struct rootfs_error *e)
{
        static const struct {
                const char *name;
                unsigned ma, mi;
        } nodes[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                     {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
        _cleanup_close_ int devdir = api_dir(rootfd, "dev", "the box's /dev", e);
        if (devdir < 0)
                return devdir;
        _cleanup_close_ int dev = -EBADF;
        int r = mount_new_fs_on(devdir, "tmpfs", "mode=0755,size=4m",
                                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, &dev);
        if (r < 0)
                return fail(e, r, "mounting tmpfs on /dev");
        /* `dev` is the fresh tmpfs itself: plain *at() calls relative to it cannot escape. */
        for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
                if (!in_userns && mknodat(dev, nodes[i].name, S_IFCHR | 0666,
                                          makedev(nodes[i].ma, nodes[i].mi)) == 0) {
                        fchmodat(dev, nodes[i].name, 0666, 0);
                        continue;
                }
                /* mknod is not allowed in a user namespace: bind the host's node instead. */
                _cleanup_free_ char *src = xasprintf("/dev/%s", nodes[i].name);
                _cleanup_free_ char *dst = xasprintf("/dev/%s", nodes[i].name);
                r = bind_at(rootfd, src, dst, false, 0, 0);
                if (r < 0)
                        return fail(e, r, "creating /dev/%s", nodes[i].name);
        }
        for (size_t i = 0; i < c->n_devices; i++) {
                const struct box_device *d = &c->devices[i];
                const char *rel = d->path + 5;
                const char *slash = strrchr(rel, '/');
                if (slash) {
                        _cleanup_free_ char *dir = xstrndup(d->path, (size_t)(slash - d->path + 5));
                        _cleanup_close_ int t = root_open_path(rootfd, dir, true, false);
                        if (t < 0)
                                return fail(e, t, "[Device %s] creating %s", d->name, dir);
                }
                if (in_userns) {
                        char src[64];
                        snprintf(src, sizeof(src), "/dev/%s/%u:%u",
                                 d->type == 'b' ? "block" : "char", d->major, d->minor);
                        r = bind_at(rootfd, src, d->path, false, 0, 0);
                        if (r < 0)
                                return fail(e, r, "[Device %s] binding %s", d->name, src);
                        continue;
                }
                if (mknodat(dev, rel, (d->type == 'b' ? S_IFBLK : S_IFCHR) | d->mode,
                            makedev(d->major, d->minor)) < 0)
                        return fail(e, -errno, "[Device %s] mknod %s", d->name, d->path);
                fchmodat(dev, rel, d->mode, 0);
        }
        static const struct {
                const char *target, *link;
        } links[] = {{"fd", "/proc/self/fd"},
                     {"stdin", "/proc/self/fd/0"},
                     {"stdout", "/proc/self/fd/1"},
                     {"stderr", "/proc/self/fd/2"},
                     {"ptmx", "pts/ptmx"}};
        for (size_t i = 0; i < ARRAY_SIZE(links); i++)
                if (symlinkat(links[i].link, dev, links[i].target) < 0)
                        return fail(e, -errno, "creating /dev/%s", links[i].target);
        /* A private devpts instance: the box's ptys are its own, numbered from 0. gid=5 (tty)
         * only when that gid exists in the box's id space. */
        r = mount_new_fs_in(dev, "pts", 0755, "devpts",
                            in_userns ? "newinstance,ptmxmode=0666,mode=0620"
                                      : "newinstance,ptmxmode=0666,mode=0620,gid=5",
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
        if (r < 0)
                return fail(e, r, "mounting devpts on /dev/pts");
        r = mount_new_fs_in(dev, "shm", 01777, "tmpfs", "mode=1777,size=64m",
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (r < 0)
                return fail(e, r, "mounting tmpfs on /dev/shm");
        if (mkdirat(dev, "mqueue", 0755) < 0)
                return fail(e, -errno, "creating /dev/mqueue");
        if (c->ns_ipc) {
                _cleanup_close_ int mq =
                        openat(dev, "mqueue", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r = mq < 0 ? -errno
                           : mount_new_fs_on(mq, "mqueue", NULL,
                                             MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                     MOUNT_ATTR_NOEXEC,
                                             NULL);
                if (r < 0)
                        return fail(e, r, "mounting mqueue on /dev/mqueue");
        }
        return 0;
}

/* A [Mount] target missing from an image that must not be written to. */
static int no_target(const struct box_mount *m, struct rootfs_error *e)
{
        return failx(e, -ENOENT,
                     "[Mount %s] %s does not exist in the image, and ReadOnly=yes: boxlaunch "
                     "creates nothing in a read-only image",
                     m->name, m->target);
}

/* `create`: a missing target (and directories on the way) may be made, in the image or in the
 * private layer over it. */
static int setup_mount(int rootfd, const struct box_mount *m, int pre, bool create,
                       struct rootfs_error *e)
{
        int r;
        switch (m->type) {
        case BOX_MOUNT_BIND:
                if (pre < 0 && access(m->source, F_OK) < 0 && m->optional)
                        return 0;
                r = bind_at_pre(rootfd, pre, m->source, m->target, m->recursive, box_mount_flags(m),
                                m->propagation, create);
                if (r == -ENOENT && !create && access(m->source, F_OK) == 0)
                        return no_target(m, e);
                if (r < 0)
                        return fail(e, r, "[Mount %s] binding %s on %s", m->name, m->source,
                                    m->target);
                return 0;
        case BOX_MOUNT_TMPFS: {
                _cleanup_close_ int t = root_open_path(rootfd, m->target, create, false);
                if (t == -ENOENT && !create)
                        return no_target(m, e);
                if (t < 0)
                        return fail(e, t, "[Mount %s] creating %s", m->name, m->target);
                _cleanup_close_ int fs = new_fs("tmpfs", "tmpfs", m->data,
                                                attr_from_flags(m->flags | MS_NODEV | MS_NOSUID));
                if (fs < 0)
                        return fail(e, fs, "[Mount %s] tmpfs on %s", m->name, m->target);
                r = attach(fs, t);
                if (r < 0)
                        return fail(e, r, "[Mount %s] attaching tmpfs on %s", m->name, m->target);
                return 0;
        }
        case BOX_MOUNT_OVERLAY: {
                _cleanup_close_ int t = root_open_path(rootfd, m->target, create, false);
                if (t == -ENOENT && !create)
                        return no_target(m, e);
                if (t < 0)
                        return fail(e, t, "[Mount %s] creating %s", m->name, m->target);
                _cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
                if (fs < 0)
                        return fail(e, -errno, "[Mount %s] overlay", m->name);
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
                        return fail(e, -errno, "[Mount %s] configuring overlay on %s", m->name,
                                    m->target);
                _cleanup_close_ int mnt =
                        fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attr_from_flags(box_mount_flags(m)));
                if (mnt < 0)
                        return fail(e, -errno, "[Mount %s] overlay on %s", m->name, m->target);
                r = attach(mnt, t);
                if (r < 0)
                        return fail(e, r, "[Mount %s] attaching overlay on %s", m->name, m->target);
                return 0;
        }
        }
        return 0;
}

/* An overlay over the root mount *m (the lower layer, through its fd), its upper and work layers
 * on a tmpfs that exists only in this process: Ephemeral=yes, where every write vanishes with the
 * box, and a read-only root that needs mount points the image lacks (see needs_layer()). The
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

static int overlay_root(int root_dir, int *m)
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

/* Would a [Mount] target have to be created in the image? Targets inside boxlaunch's own file
 * systems (/dev, /proc, /sys; /run and /tmp of a machine) do not count. */
static bool needs_layer(const struct box_config *c, int rootfd)
{
        for (size_t i = 0; i < c->n_mounts; i++) {
                const char *t = c->mounts[i].target;
                while (*t == '/')
                        t++;
                size_t n = strcspn(t, "/");
                static const char *const api[] = {"dev", "proc", "sys", "run", "tmp"};
                bool ours = false;
                for (size_t k = 0; k < ARRAY_SIZE(api) - (c->boot ? 0 : 2); k++)
                        ours = ours || (strlen(api[k]) == n && strncmp(t, api[k], n) == 0);
                if (ours)
                        continue;
                _cleanup_close_ int fd = in_root(rootfd, t, O_PATH);
                if (fd == -ENOENT)
                        return true;
        }
        return false;
}

static int read_only_path(int rootfd, const char *path);
static int read_only_tree(int rootfd, const char *path)
{
        return read_only_path(rootfd, path);
}

/* The box's own cgroup subtree at /sys/fs/cgroup, as a booted systemd expects it (the
 * Container Interface): a tmpfs holding one bind mount per hierarchy of the box's group — the
 * cgroup namespace makes that group look like the root. Controllers are read-only; name=systemd
 * and cgroup2, where systemd keeps its own tree, are writable. Binds work in a user namespace,
 * where mounting a v1 hierarchy would not. */
static int mount_cgroups(int rootfd, const char *cgpath, struct rootfs_error *e)
{
        static const char *const hiers[] = {"memory", "pids",    "cpu",     "cpuacct", "cpuset",
                                            "blkio",  "freezer", "devices", "systemd", "unified"};
        struct statfs sf;
        if (statfs("/sys/fs/cgroup", &sf) < 0)
                return fail(e, -errno, "inspecting /sys/fs/cgroup");
        int r;
        if ((long)sf.f_type == CGROUP2_SUPER_MAGIC) {
                _cleanup_free_ char *src = xasprintf("/sys/fs/cgroup/%s", cgpath);
                r = bind_at(rootfd, src, "/sys/fs/cgroup", false, MS_NOSUID | MS_NODEV | MS_NOEXEC,
                            0);
                return r < 0 ? fail(e, r, "binding the box's cgroup %s", src) : 0;
        }
        r = mount_new_fs_at(rootfd, "/sys/fs/cgroup", "tmpfs", "mode=0755",
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (r < 0)
                return fail(e, r, "mounting tmpfs on /sys/fs/cgroup");
        for (size_t i = 0; i < ARRAY_SIZE(hiers); i++) {
                _cleanup_free_ char *src = xasprintf("/sys/fs/cgroup/%s/%s", hiers[i], cgpath);
                _cleanup_free_ char *dst = xasprintf("/sys/fs/cgroup/%s", hiers[i]);
                struct stat st;
                if (stat(src, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue; /* the box has no group in this hierarchy */
                bool writable = streq(hiers[i], "systemd") || streq(hiers[i], "unified");
                r = bind_at(rootfd, src, dst, false,
                            MS_NOSUID | MS_NODEV | MS_NOEXEC | (writable ? 0 : MS_RDONLY), 0);
                if (r < 0)
                        return fail(e, r, "binding the box's cgroup %s", src);
        }
        /* Nothing else may be created next to the hierarchies. */
        _cleanup_close_ int t = in_root(rootfd, "/sys/fs/cgroup", O_PATH | O_NOFOLLOW);
        struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
        if (t < 0 || mount_setattr(t, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
                return fail(e, t < 0 ? t : -errno, "making /sys/fs/cgroup read-only");
        return 0;
}

/* The host's time zone, as systemd-nspawn's Timezone=auto does for a writable root: when the host's
 * /etc/localtime names a zone the image also has, the image's /etc/localtime is pointed at it (a
 * relative symlink, as the Container Interface asks). The one change Boot=yes makes to a writable
 * image, and only where /etc is a real directory and /etc/localtime a symlink or absent: nothing is
 * followed, and no file of the image's is replaced. A read-only root keeps its own. */
static void setup_timezone(int rootfd, const struct box_config *c)
{
        char target[PATH_MAX];
        ssize_t n = readlink("/etc/localtime", target, sizeof(target) - 1);
        if (c->read_only || n <= 0)
                return;
        target[n] = 0;
        const char *zone = strstr(target, "zoneinfo/");
        if (!zone)
                return;
        zone += strlen("zoneinfo/");
        _cleanup_free_ char *inside = xasprintf("/usr/share/zoneinfo/%s", zone);
        _cleanup_free_ char *link = xasprintf("../usr/share/zoneinfo/%s", zone);
        _cleanup_close_ int z = in_root(rootfd, inside, O_PATH);
        _cleanup_close_ int etc =
                openat2_fd(rootfd, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
                           RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (z < 0 || etc < 0)
                return;
        struct stat st;
        if (fstatat(etc, "localtime", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode))
                return;
        char cur[PATH_MAX];
        ssize_t k = readlinkat(etc, "localtime", cur, sizeof(cur) - 1);
        if (k > 0 && (size_t)k == strlen(link) && memcmp(cur, link, (size_t)k) == 0)
                return;
        if (unlinkat(etc, "localtime", 0) < 0 && errno != ENOENT)
                return;
        (void)symlinkat(link, etc, "localtime");
}

/* With the host's network, the host's resolv.conf over the image's, read-only (nspawn's
 * bind-host) — only when the image has a regular file there: nothing is created, and a symlink
 * (to a file of the image's or one of systemd's in /run) is the image's choice, left alone. */
static int bind_resolv_conf(int rootfd, struct rootfs_error *e)
{
        _cleanup_close_ int t = in_root(rootfd, "/etc/resolv.conf", O_PATH | O_NOFOLLOW);
        struct stat st;
        if (t < 0 || fstat(t, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        _cleanup_close_ int m = clone_source("/etc/resolv.conf", false);
        struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                           MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
        int r = m < 0 ? m : mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0 ? -errno : 0;
        if (r == 0)
                r = attach(m, t);
        return r < 0 ? fail(e, r, "binding the host's /etc/resolv.conf") : 0;
}

/* What a booted init expects of its container manager (systemd's Container Interface): /run and
 * /tmp as tmpfs, /run/host with the host's os-release and the manager's name, the box's cgroup
 * subtree, and with the host's network the host's resolv.conf (read-only, as nspawn's
 * bind-host). */
static int setup_machine(int rootfd, const struct box_config *c, const char *cgpath,
                         struct rootfs_error *e)
{
        _cleanup_close_ int rundir = api_dir(rootfd, "run", "the machine's /run", e);
        if (rundir < 0)
                return rundir;
        _cleanup_close_ int tmpdir = api_dir(rootfd, "tmp", "the machine's /tmp", e);
        if (tmpdir < 0)
                return tmpdir;
        _cleanup_close_ int run = -EBADF;
        int r = mount_new_fs_on(rundir, "tmpfs", "mode=0755,size=20%",
                                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &run);
        if (r < 0)
                return fail(e, r, "mounting tmpfs on /run");
        r = mount_new_fs_on(tmpdir, "tmpfs", "mode=1777,size=20%",
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, NULL);
        if (r < 0)
                return fail(e, r, "mounting tmpfs on /tmp");
        /* `run` is the new tmpfs itself. */
        if (mkdirat(run, "host", 0755) < 0)
                return fail(e, -errno, "creating /run/host");
        _cleanup_close_ int host =
                openat(run, "host", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_free_ char *osr = NULL;
        if (host < 0)
                return fail(e, -errno, "opening /run/host");
        if (read_file_at(AT_FDCWD, "/etc/os-release", &osr, 1 << 16) < 0 &&
            read_file_at(AT_FDCWD, "/usr/lib/os-release", &osr, 1 << 16) < 0)
                osr = xstrdup("");
        _cleanup_close_ int f1 = openat(host, "os-release", O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
        _cleanup_close_ int f2 =
                openat(host, "container-manager", O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
        if (f1 < 0 || f2 < 0 || write_all(f1, osr, strlen(osr)) < 0 ||
            write_all(f2, "boxlaunch\n", 10) < 0)
                return fail(e, -EIO, "writing /run/host");
        r = read_only_tree(rootfd, "/run/host");
        if (r < 0)
                return fail(e, r, "making /run/host read-only");
        r = mount_cgroups(rootfd, cgpath, e);
        if (r < 0)
                return r;
        setup_timezone(rootfd, c);
        if (c->net == BOX_NET_HOST && (r = bind_resolv_conf(rootfd, e)) < 0)
                return r;
        return 0;
}

struct pre_fds {
        int *fd;
        size_t n;
};

static void pre_fds_free(struct pre_fds *p)
{
        for (size_t i = 0; p->fd && i < p->n; i++)
                closep(&p->fd[i]);
        free(p->fd);
}

int rootfs_prepare(const struct box_config *c, bool in_userns, int root_dir, int root_mount_fd,
                   const char *cgpath, int *ret_rootfd, struct rootfs_error *e)
{
        _cleanup_close_ int m = root_mount_fd;
        int r;

        /* Bind sources that ask for slave or shared propagation are copied while they still
         * share the host's peer groups; everything else is copied later, from a private tree. */
        _cleanup_(pre_fds_free) struct pre_fds pre = {.n = c->n_mounts};
        pre.fd = xcalloc(c->n_mounts + 1, sizeof(int));
        for (size_t i = 0; i < c->n_mounts; i++) {
                const struct box_mount *bm = &c->mounts[i];
                pre.fd[i] = -1;
                if (bm->type != BOX_MOUNT_BIND || !(bm->propagation & (MS_SLAVE | MS_SHARED)))
                        continue;
                pre.fd[i] = clone_source(bm->source, bm->recursive);
                if (pre.fd[i] < 0 && !(pre.fd[i] == -ENOENT && bm->optional))
                        return fail(e, pre.fd[i], "[Mount %s] binding %s on %s", bm->name,
                                    bm->source, bm->target);
        }

        /* Nothing mounted from here on may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return fail(e, -errno, "making / private");

        /* The root becomes a mount point of its own (pivot_root needs one), attached through
         * the directory fd: no path lookup, so nothing can be swapped in between. */
        if (m < 0)
                m = open_tree(root_dir, "",
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (m < 0)
                return fail(e, -errno, "cloning root directory %s", c->root);
        /* A read-only image is never written to: mount points it lacks are made in a private
         * layer over it (the box sees the image read-only all the same). */
        bool layered = c->ephemeral || (c->read_only && needs_layer(c, m));
        if (layered && (r = overlay_root(root_dir, &m)) < 0)
                return fail(e, r, "overlaying root directory %s%s", c->root,
                            c->ephemeral ? " for Ephemeral=yes" : " for missing mount points");
        if (move_mount(m, "", root_dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return fail(e, -errno, "mounting root directory %s", c->root);
        /* The detached-mount fd now names the root of the attached tree. */
        int rootfd = m;

        _cleanup_close_ int procdir = api_dir(rootfd, "proc", "the box's /proc", e);
        if (procdir < 0)
                return procdir;
        _cleanup_close_ int sysdir = api_dir(rootfd, "sys", "the box's /sys", e);
        if (sysdir < 0)
                return sysdir;
        r = mount_new_fs_on(procdir, "proc", NULL,
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, NULL);
        if (r < 0)
                return fail(e, r, "mounting /proc");

        r = mount_new_fs_on(
                sysdir, "sysfs", NULL,
                MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, NULL);
        if (r == -EPERM) {
                /* A user namespace that does not own the network namespace may not mount
                 * sysfs: show the host's, read-only. */
                _cleanup_close_ int sysm = open_tree(
                        AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
                struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                                   MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
                if (sysm < 0 ||
                    mount_setattr(sysm, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                        return fail(e, -errno, "binding /sys");
                r = attach(sysm, sysdir);
        }
        if (r < 0)
                return fail(e, r, "mounting /sys");

        r = setup_dev(rootfd, c, in_userns, e);
        if (r < 0)
                return r;

        if (c->boot && (r = setup_machine(rootfd, c, cgpath, e)) < 0)
                return r;
        for (size_t i = 0; i < c->n_mounts; i++) {
                r = setup_mount(rootfd, &c->mounts[i], pre.fd[i], layered || !c->read_only, e);
                pre.fd[i] = -1; /* consumed */
                if (r < 0)
                        return r;
        }
        *ret_rootfd = TAKE_FD(m);
        return 0;
}

int rootfs_enter(const struct box_config *c, int rootfd, struct rootfs_error *e)
{
        if (fchdir(rootfd) < 0)
                return fail(e, -errno, "chdir %s", c->root);
        /* pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only
         * the box's tree, without needing a directory for the old root inside the image. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return fail(e, -errno, "pivot_root into %s", c->root);
        if (umount2(".", MNT_DETACH) < 0)
                return fail(e, -errno, "detaching the old root");
        if (chdir("/") < 0)
                return fail(e, -errno, "chdir /");

        if (c->read_only) {
                struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
                if (mount_setattr(AT_FDCWD, "/", 0, &a, sizeof(a)) < 0)
                        return fail(e, -errno, "making the root read-only");
        }
        return 0;
}

/* Paths whose contents describe or steer the host, hidden as Docker, runc and systemd-nspawn
 * hide them: reading finds nothing, writing fails with EROFS (see mask_path()). */
static const char *const masked_default[] = {
        "/proc/kcore",         "/proc/keys",
        "/proc/kallsyms",      "/proc/sysrq-trigger",
        "/proc/timer_list",    "/proc/timer_stats",
        "/proc/latency_stats", "/proc/sched_debug",
        "/proc/acpi",          "/proc/scsi",
        "/proc/asound",        "/proc/kmsg",
        "/sys/firmware",       "/sys/devices/virtual/powercap",
        "/sys/kernel/debug",   "/sys/kernel/security",
};
static const char *const read_only_default[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys"};

/* Masks are read-only binds of an empty file or directory (mode 0000) on a tiny private tmpfs,
 * like systemd's "inaccessible" nodes: reads find nothing, writes fail with EROFS, and nothing
 * of the host's systemd is needed. The tmpfs is made read-only once, so every bind inherits it;
 * it stays detached and is dropped once at the end (each detached tree dropped costs an RCU
 * grace period in the kernel). */
static int inaccessible_open(void)
{
        _cleanup_close_ int m = new_fs("tmpfs", "tmpfs", "size=4k,mode=0755", 0);
        if (m < 0)
                return m;
        /* Not opened: a file open for writing would keep the mount from going read-only. */
        if (mknodat(m, "reg", S_IFREG, 0) < 0 || mkdirat(m, "dir", 0) < 0)
                return -errno;
        struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                           MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
        if (mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
                return -errno;
        return TAKE_FD(m);
}

static int mask_path(int rootfd, int in, const char *path)
{
        _cleanup_close_ int t = in_root(rootfd, path, O_PATH | O_NOFOLLOW);
        if (t == -ENOENT)
                return 0;
        if (t < 0)
                return t;
        struct stat st;
        if (fstat(t, &st) < 0)
                return -errno;
        _cleanup_close_ int m = open_tree(in, S_ISDIR(st.st_mode) ? "dir" : "reg",
                                          OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (m < 0)
                return -errno;
        return attach(m, t);
}

static int read_only_path(int rootfd, const char *path)
{
        _cleanup_close_ int t = in_root(rootfd, path, O_PATH | O_NOFOLLOW);
        if (t == -ENOENT)
                return 0;
        if (t < 0)
                return t;
        _cleanup_close_ int m = open_tree(
                t, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (m < 0)
                return -errno;
        struct mount_attr a = {.attr_set =
                                       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
        if (mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                return -errno;
        return attach(m, t);
}

int rootfs_protect(const struct box_config *c, struct rootfs_error *e)
{
        _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int netfd = -EBADF;
        int r;

        if (rootfd < 0)
                return fail(e, -errno, "opening /");
        /* A private network may tune itself: keep a handle on a writable /proc/sys/net. */
        if (c->net == BOX_NET_PRIVATE) {
                _cleanup_close_ int proc = procfs_open_root("/proc");
                if (proc < 0)
                        return fail(e, proc, "opening the box's /proc");
                _cleanup_close_ int net = procfs_open(proc, "sys/net", O_PATH | O_DIRECTORY);
                netfd = net < 0 ? net
                                : open_tree(net, "",
                                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                                    AT_RECURSIVE);
                if (netfd < 0)
                        return fail(e, net < 0 ? net : -errno, "cloning /proc/sys/net");
        }
        _cleanup_close_ int in = inaccessible_open();
        if (in < 0)
                return fail(e, in, "creating the nodes that mask paths");
        for (size_t i = 0; i < ARRAY_SIZE(masked_default); i++)
                if ((r = mask_path(rootfd, in, masked_default[i])) < 0)
                        return fail(e, r, "masking %s", masked_default[i]);
        for (char **p = c->mask_paths; p && *p; p++)
                if ((r = mask_path(rootfd, in, *p)) < 0)
                        return fail(e, r, "MaskPaths=%s", *p);
        for (size_t i = 0; i < ARRAY_SIZE(read_only_default); i++)
                if ((r = read_only_path(rootfd, read_only_default[i])) < 0)
                        return fail(e, r, "making %s read-only", read_only_default[i]);
        if (netfd >= 0) {
                _cleanup_close_ int t = in_root(rootfd, "/proc/sys/net", O_PATH | O_NOFOLLOW);
                if (t < 0 || (r = attach(netfd, t)) < 0)
                        return fail(e, t < 0 ? t : r, "keeping /proc/sys/net writable");
        }
        for (char **p = c->read_only_paths; p && *p; p++)
                if ((r = read_only_path(rootfd, *p)) < 0)
                        return fail(e, r, "ReadOnlyPaths=%s", *p);
        return 0;
}
