/* mountfd.c - fd-based mount primitives, resolved inside the box's root. */
#include "launch/mountfd.h"
#include "util/syscalls.h"

#include "util/log.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

int openat2_fd(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
        int fd = sys_openat2(dirfd, path, flags, resolve);
        return fd < 0 ? -errno : fd;
}

int in_root(int rootfd, const char *path, uint64_t flags)
{
        while (*path == '/')
                path++;
        if (!*path)
                return openat2_fd(rootfd, ".", flags, RESOLVE_IN_ROOT);
        return openat2_fd(rootfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

const char *file_kind(mode_t mode)
{
        switch (mode & S_IFMT) {
        case S_IFLNK:
                return "a symbolic link";
        case S_IFREG:
                return "a regular file";
        case S_IFDIR:
                return "a directory";
        case S_IFIFO:
                return "a FIFO";
        case S_IFSOCK:
                return "a socket";
        case S_IFCHR:
                return "a character device";
        case S_IFBLK:
                return "a block device";
        default:
                return "an unknown kind of file";
        }
}

/* A symlink at an API mount point would carry the mount (and every mask and write meant for it)
 * somewhere else, so it is an error, as is anything but a directory; nothing is created in the
 * image either. */
int api_dir(int rootfd, const char *name, const char *what)
{
        int fd = openat2_fd(rootfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW,
                            RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (fd >= 0)
                return fd;
        if (fd == -ENOENT) {
                log_error("the image has no directory /%s for %s (boxlaunch does not create it "
                          "in the image: mkdir it there)",
                          name, what);
                return fd;
        }
        struct stat st;
        /* One component below rootfd: nothing on the way to follow. */
        if ((fd == -ELOOP || fd == -ENOTDIR) &&
            fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                log_error("/%s in the image is %s, not a directory: refusing to mount %s there",
                          name, file_kind(st.st_mode), what);
                return -ENOTDIR;
        }
        return log_error_errno(fd, "opening /%s in the image for %s", name, what);
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

int attach(int mntfd, int targetfd)
{
        if (move_mount(mntfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
            0)
                return -errno;
        return 0;
}

uint64_t attr_from_flags(unsigned long f)
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

int new_fs(const char *type, const char *source, const char *data, uint64_t attrs)
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

int mount_new_fs_on(int targetfd, const char *type, const char *data, uint64_t attrs, int *ret_mnt)
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

int mount_new_fs_at(int rootfd, const char *target, const char *type, const char *data,
                    uint64_t attrs)
{
        _cleanup_close_ int t = in_root(rootfd, target, O_PATH | O_DIRECTORY);
        if (t < 0)
                return t;
        return mount_new_fs_on(t, type, data, attrs, NULL);
}

int mount_new_fs_in(int dirfd, const char *name, mode_t mode, const char *type, const char *data,
                    uint64_t attrs)
{
        if (mkdirat(dirfd, name, mode) < 0)
                return -errno;
        _cleanup_close_ int t = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (t < 0)
                return -errno;
        return mount_new_fs_on(t, type, data, attrs, NULL);
}

/* Taken before / is made private, a copy of a shared mount stays in the host's peer group, so
 * that slave and shared propagation can mean something. */
int clone_source(const char *source, bool recursive)
{
        int m = open_tree(AT_FDCWD, source,
                          OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        return m < 0 ? -errno : m;
}

/* Flags become mount attributes on the new mount only: attributes the source already carries
 * (nosuid, nodev...) stay, which a classic MS_REMOUNT|MS_BIND would have to recompute (and fails
 * on in a user namespace). */
int bind_at_pre(int rootfd, int pre, const char *source, const char *target, bool recursive,
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
        if (pre >= 0) {
                /* The copy taken early has an early mount id, and /proc/self/mountinfo lists by
                 * id: a fresh copy of it (same peer group or master) keeps the config's order. An
                 * older kernel that cannot clone a detached mount keeps the early one. */
                int again = open_tree(m, "",
                                      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                              (recursive ? AT_RECURSIVE : 0));
                if (again >= 0) {
                        close(m);
                        m = again;
                }
        }
        struct mount_attr a = {.attr_set = attr_from_flags(flags),
                               .propagation = propagation & ~MS_REC};
        /* An atime mode is one field: setting one must clear the whole (else EINVAL). */
        if (a.attr_set & MOUNT_ATTR__ATIME)
                a.attr_clr |= MOUNT_ATTR__ATIME;
        if ((a.attr_set || a.propagation) &&
            mount_setattr(m, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0)
                return -errno;
        return attach(m, t);
}

int bind_at(int rootfd, const char *source, const char *target, bool recursive, unsigned long flags,
            unsigned long propagation)
{
        return bind_at_pre(rootfd, -1, source, target, recursive, flags, propagation, true);
}

int read_only_path(int rootfd, const char *path)
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
