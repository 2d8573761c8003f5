/* procfs.c - writes to /proc through descriptors proven to be on procfs (see procfs.h). */
#include "util/procfs.h"

#include "util/syscalls.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

/* The inode number of every procfs instance's root directory (fs/proc/root.c). */
#define PROC_ROOT_INO 1

static int on_procfs(int fd)
{
        struct statfs sf;
        if (fstatfs(fd, &sf) < 0)
                return -errno;
        return (unsigned long)sf.f_type == PROC_SUPER_MAGIC ? 0 : -EXDEV;
}

int procfs_open_root(const char *path)
{
        /* O_NOFOLLOW|O_PATH on a symlink opens the link itself: caught by S_ISDIR below. */
        _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        int r = on_procfs(fd);
        if (r < 0)
                return r;
        /* A subdirectory of procfs (or a bind of one) is not a root to resolve pids from. */
        if (st.st_ino != PROC_ROOT_INO)
                return -EXDEV;
        return TAKE_FD(fd);
}

int procfs_open(int procfd, const char *rel, int flags)
{
        /* openat2() refuses O_PATH with any flag but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC. */
        if (!(flags & O_PATH))
                flags |= O_NOCTTY;
        _cleanup_close_ int fd = sys_openat2(procfd, rel, (uint64_t)flags,
                                             RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
                                                     RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
        if (fd < 0)
                return -errno;
        /* RESOLVE_NO_XDEV kept us on procfd's mount; say so once more on what we got. */
        int r = on_procfs(fd);
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}

int procfs_write(int procfd, const char *rel, const char *data)
{
        _cleanup_close_ int fd = procfs_open(procfd, rel, O_WRONLY);
        if (fd < 0)
                return fd;
        size_t n = strlen(data);
        ssize_t k = RETRY_EINTR(write(fd, data, n));
        if (k < 0)
                return -errno;
        return (size_t)k == n ? 0 : -EIO;
}

int procfs_write_at(const char *root, const char *rel, const char *data)
{
        _cleanup_close_ int procfd = procfs_open_root(root);
        if (procfd < 0)
                return procfd;
        return procfs_write(procfd, rel, data);
}

int procfs_write_self_attr(const char *lsm, const char *name, const char *value)
{
        _cleanup_close_ int procfd = procfs_open_root("/proc");
        if (procfd < 0)
                return procfd;
        /* The calling thread's own attributes: LSM attributes are per task. */
        char rel[128];
        snprintf(rel, sizeof(rel), "%d/task/%d/attr/%s/%s", (int)getpid(), (int)gettid(), lsm,
                 name);
        int r = procfs_write(procfd, rel, value);
        if (r != -ENOENT)
                return r;
        /* Kernels before LSM stacking have only the shared attr/NAME file. */
        snprintf(rel, sizeof(rel), "%d/task/%d/attr/%s", (int)getpid(), (int)gettid(), name);
        return procfs_write(procfd, rel, value);
}
