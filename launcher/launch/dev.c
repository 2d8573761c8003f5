/* dev.c - the box's /dev. */
#include "launch/dev.h"

#include "launch/masks.h"
#include "launch/mountfd.h"
#include "util/log.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The default nodes, the config's devices and the /dev symlinks in the directory dev (the box's
 * /dev). listed: an OCI /dev, which the mounts list made (or the image's own): nodes and links
 * already there are left as they are. */
static int make_nodes(int rootfd, int dev, const struct box_config *c, bool in_userns, bool listed)
{
        static const struct {
                const char *name;
                unsigned ma, mi;
        } nodes[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                     {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
        int r;
        for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
                struct stat st;
                if (listed && fstatat(dev, nodes[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                        continue;
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
                        return log_error_errno(r, "creating /dev/%s", nodes[i].name);
        }
        for (size_t i = 0; i < c->n_devices; i++) {
                const struct box_device *d = &c->devices[i];
                const char *rel = d->path + 5;
                const char *slash = strrchr(rel, '/');
                /* The node's directory, resolved (and made) inside the root: with an OCI /dev
                 * that is the image's own, a symlink on the way must not lead out of it. The
                 * node is then made by its last name in that directory. */
                _cleanup_close_ int pfd = -EBADF;
                const char *base = rel;
                if (slash) {
                        _cleanup_free_ char *dir = xstrndup(d->path, (size_t)(slash - d->path));
                        pfd = root_open_path(rootfd, dir, true, false);
                        if (pfd < 0)
                                return log_error_errno(
                                        pfd, "%s: creating %s",
                                        BOX_WHERE(c, BOX_F_DEVICE, d->name, d->origin.line), dir);
                        base = slash + 1;
                }
                int dirfd = pfd >= 0 ? pfd : dev;
                if (in_userns) {
                        char src[64];
                        snprintf(src, sizeof(src), "/dev/%s/%u:%u",
                                 d->type == 'b' ? "block" : "char", d->major, d->minor);
                        r = bind_at(rootfd, src, d->path, false, 0, 0);
                        if (r < 0)
                                return log_error_errno(
                                        r, "%s: binding %s",
                                        BOX_WHERE(c, BOX_F_DEVICE, d->name, d->origin.line), src);
                        continue;
                }
                mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
                if (listed)
                        (void)unlinkat(dirfd, base, 0); /* the config's node replaces the image's */
                if (mknodat(dirfd, base, type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
                        return log_error_errno(-errno, "%s: mknod %s",
                                               BOX_WHERE(c, BOX_F_DEVICE, d->name, d->origin.line),
                                               d->path);
                /* Just made by us, by its last name: nothing to follow. */
                (void)fchmodat(dirfd, base, d->mode & 07777, 0);
                if ((d->uid || d->gid) &&
                    fchownat(dirfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return log_error_errno(-errno, "%s: chown %s",
                                               BOX_WHERE(c, BOX_F_DEVICE, d->name, d->origin.line),
                                               d->path);
        }
        static const struct {
                const char *target, *link;
        } links[] = {{"fd", "/proc/self/fd"},
                     {"stdin", "/proc/self/fd/0"},
                     {"stdout", "/proc/self/fd/1"},
                     {"stderr", "/proc/self/fd/2"},
                     {"ptmx", "pts/ptmx"}};
        for (size_t i = 0; i < ARRAY_SIZE(links); i++)
                if (symlinkat(links[i].link, dev, links[i].target) < 0 &&
                    !(listed && errno == EEXIST))
                        return log_error_errno(-errno, "creating /dev/%s", links[i].target);
        return 0;
}

int dev_default_nodes(int rootfd, const struct box_config *c, bool in_userns)
{
        /* Nothing on the way may be a symlink: the nodes land in the box's /dev or nowhere. */
        _cleanup_close_ int dev =
                openat2_fd(rootfd, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
                           RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (dev < 0)
                return log_error_errno(dev, "opening the box's /dev for its device nodes");
        return make_nodes(rootfd, dev, c, in_userns, true);
}

/* Directory `name` of the tmpfs `fs`, attached (with attrs) on the directory `target`: the box
 * sees that directory, and nothing beside it, through this mount. The mount's fd, or -errno. */
static int attach_dir_of(int fs, const char *name, uint64_t attrs, int target)
{
        _cleanup_close_ int m = open_tree(fs, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        struct mount_attr a = {.attr_set = attrs};
        if (m < 0 || mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
                return -errno;
        int r = attach(m, target);
        return r < 0 ? r : TAKE_FD(m);
}

/* /dev and /dev/shm are the directories "dev" and "shm" of one tmpfs whose root also holds the
 * empty nodes the masks bind (masks.h): the box sees each directory through its own mount and
 * cannot reach the rest, and has one file system instance for all three (a superblock, its
 * shrinker, its per-memory-cgroup lists: README "Performance"). They share its 64 MiB (device
 * nodes and links take none of it). The root, made read-only, goes to masks_apply(). */
static int mount_dev_tmpfs(int devdir, int *ret_fs, int *ret_dev)
{
        _cleanup_close_ int s = new_fs("tmpfs", "tmpfs", "mode=0755,size=64m", 0);
        if (s < 0)
                return s;
        /* Modes set again: mkdirat() takes the umask off. */
        if (mknodat(s, "reg", S_IFREG, 0) < 0 || mkdirat(s, "dir", 0) < 0 ||
            mkdirat(s, "dev", 0755) < 0 || fchmodat(s, "dev", 0755, 0) < 0 ||
            mkdirat(s, "shm", 01777) < 0 || fchmodat(s, "shm", 01777, 0) < 0)
                return -errno;
        int dev = attach_dir_of(s, "dev", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, devdir);
        if (dev < 0)
                return dev;
        *ret_fs = TAKE_FD(s);
        *ret_dev = dev;
        return 0;
}

/* /dev/shm, then the tmpfs's root goes to the masks (taken from *fs). */
static int mount_shm(int *fs, int dev)
{
        if (mkdirat(dev, "shm", 01777) < 0)
                return -errno;
        _cleanup_close_ int t = openat(dev, "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (t < 0)
                return -errno;
        int m = attach_dir_of(*fs, "shm", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, t);
        if (m < 0)
                return m;
        close(m);
        int r = masks_nodes_ready(*fs);
        if (r < 0)
                return r;
        masks_use_nodes(TAKE_FD(*fs));
        return 0;
}

int dev_populate(int rootfd, const struct box_config *c, bool in_userns)
{
        _cleanup_close_ int devdir = api_dir(rootfd, "dev", "the box's /dev");
        if (devdir < 0)
                return devdir;
        _cleanup_close_ int fs = -EBADF, dev = -EBADF;
        int r = mount_dev_tmpfs(devdir, &fs, &dev);
        if (r < 0)
                return log_error_errno(r, "mounting tmpfs on /dev");
        /* `dev` is the root of the fresh mount: plain *at() calls relative to it cannot escape
         * (".." at a mount's root leads to where it is mounted, not to the tmpfs's root). */
        r = make_nodes(rootfd, dev, c, in_userns, false);
        if (r < 0)
                return r;
        /* A private devpts instance: the box's ptys are its own, numbered from 0. gid=5 (tty)
         * only when that gid exists in the box's id space. */
        r = mount_new_fs_in(dev, "pts", 0755, "devpts",
                            in_userns ? "newinstance,ptmxmode=0666,mode=0620"
                                      : "newinstance,ptmxmode=0666,mode=0620,gid=5",
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
        if (r < 0)
                return log_error_errno(r, "mounting devpts on /dev/pts");
        r = mount_shm(&fs, dev);
        if (r < 0)
                return log_error_errno(r, "mounting tmpfs on /dev/shm");
        if (mkdirat(dev, "mqueue", 0755) < 0)
                return log_error_errno(-errno, "creating /dev/mqueue");
        if (c->ns_ipc) {
                _cleanup_close_ int mq =
                        openat(dev, "mqueue", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r = mq < 0 ? -errno
                           : mount_new_fs_on(mq, "mqueue", NULL,
                                             MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                     MOUNT_ATTR_NOEXEC,
                                             NULL);
                if (r < 0)
                        return log_error_errno(r, "mounting mqueue on /dev/mqueue");
        }
        return 0;
}
