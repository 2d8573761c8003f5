/* masks.c - masked and read-only paths. */
#include "launch/masks.h"

#include "launch/mountfd.h"
#include "util/log.h"
#include "util/procfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* Masks are read-only binds of an empty file or directory (mode 0000) on a private tmpfs, like
 * systemd's "inaccessible" nodes: reads find nothing, writes fail with EROFS, and nothing of the
 * host's systemd is needed. The tmpfs is made read-only once, so every bind inherits it; it
 * stays detached and is dropped once at the end (each detached tree dropped costs an RCU grace
 * period in the kernel). It is the one under /dev/shm (dev.c) when the launch made that one,
 * else a tiny one of its own. */
static int given_nodes = -1;

void masks_use_nodes(int fd)
{
        closep(&given_nodes);
        given_nodes = fd;
}

int masks_nodes_ready(int m)
{
        struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                           MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
        return mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0 ? -errno : 0;
}

static int inaccessible_open(void)
{
        if (given_nodes >= 0)
                return TAKE_FD(given_nodes);
        _cleanup_close_ int m = new_fs("tmpfs", "tmpfs", "size=4k,mode=0755", 0);
        if (m < 0)
                return m;
        /* Not opened: a file open for writing would keep the mount from going read-only. */
        if (mknodat(m, "reg", S_IFREG, 0) < 0 || mkdirat(m, "dir", 0) < 0)
                return -errno;
        int r = masks_nodes_ready(m);
        return r < 0 ? r : TAKE_FD(m);
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

int masks_apply(const struct box_config *c)
{
        _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int netfd = -EBADF;
        int r;

        if (rootfd < 0)
                return log_error_errno(-errno, "opening /");
        /* A private network may tune itself: keep a handle on a writable /proc/sys/net. */
        if (c->net == BOX_NET_PRIVATE && !c->api_listed) {
                _cleanup_close_ int proc = procfs_open_root("/proc");
                if (proc < 0)
                        return log_error_errno(proc, "opening the box's /proc");
                _cleanup_close_ int net = procfs_open(proc, "sys/net", O_PATH | O_DIRECTORY);
                netfd = net < 0 ? net
                                : open_tree(net, "",
                                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                                    AT_RECURSIVE);
                if (netfd < 0)
                        return log_error_errno(net < 0 ? net : -errno, "cloning /proc/sys/net");
        }
        _cleanup_close_ int in = inaccessible_open();
        if (in < 0)
                return log_error_errno(in, "creating the nodes that mask paths");
        for (const char *const *p = box_masked_paths_default; !c->api_listed && *p; p++)
                if ((r = mask_path(rootfd, in, *p)) < 0)
                        return log_error_errno(r, "masking %s", *p);
        for (char **p = c->mask_paths; p && *p; p++)
                if ((r = mask_path(rootfd, in, *p)) < 0)
                        return log_error_errno(r, "%s: %s", BOX_WHERE(c, BOX_F_MASK_PATHS, NULL, 0),
                                               *p);
        for (const char *const *p = box_read_only_paths_default; !c->api_listed && *p; p++)
                if ((r = read_only_path(rootfd, *p)) < 0)
                        return log_error_errno(r, "making %s read-only", *p);
        if (netfd >= 0) {
                _cleanup_close_ int t = in_root(rootfd, "/proc/sys/net", O_PATH | O_NOFOLLOW);
                if (t < 0 || (r = attach(netfd, t)) < 0)
                        return log_error_errno(t < 0 ? t : r, "keeping /proc/sys/net writable");
        }
        for (char **p = c->read_only_paths; p && *p; p++)
                if ((r = read_only_path(rootfd, *p)) < 0)
                        return log_error_errno(r, "%s: %s",
                                               BOX_WHERE(c, BOX_F_READ_ONLY_PATHS, NULL, 0), *p);
        return 0;
}
