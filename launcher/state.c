/* state.c - the state directory and its lock. */
#include "state.h"

#include "log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

const char *state_root(void)
{
        const char *e = getenv("BOXLAUNCH_RUNTIME_DIR");
        return e && *e ? e : "/run/boxlaunch";
}

int state_acquire(const char *name, struct box_state *ret)
{
        const char *root = state_root();
        if (mkdir(root, 0711) < 0 && errno != EEXIST)
                return -errno;
        _cleanup_free_ char *dir = xasprintf("%s/%s", root, name);

        for (int attempt = 0; attempt < 10; attempt++) {
                if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                        return -errno;
                _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                        return errno == EWOULDBLOCK ? -EBUSY : -errno;
                /* The previous owner may have removed the directory between our mkdir and
                 * flock: make sure we locked the one that is still there. */
                struct stat a, b;
                if (fstat(fd, &a) < 0)
                        return -errno;
                if (stat(dir, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                        continue;
                /* Left-overs of a supervisor that died: start clean. */
                _cleanup_dir_ DIR *d = fdopendir(dup(fd));
                struct dirent *de;
                /* A dup shares the directory offset: start from the top. */
                if (d)
                        rewinddir(d);
                while (d && (de = readdir(d)))
                        if (de->d_name[0] != '.')
                                unlinkat(fd, de->d_name, 0);
                ret->dir = TAKE_PTR(dir);
                ret->dirfd = TAKE_FD(fd);
                return 0;
        }
        return -EAGAIN;
}

int state_write_new(struct box_state *s, const char *file, const char *content)
{
        _cleanup_close_ int fd =
                openat(s->dirfd, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        return write_all(fd, content, strlen(content));
}

int state_write(struct box_state *s, const char *file, const char *content)
{
        _cleanup_free_ char *tmp = xasprintf(".%s.tmp", file);
        _cleanup_close_ int fd =
                openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, content, strlen(content));
        if (r < 0)
                return r;
        if (renameat(s->dirfd, tmp, s->dirfd, file) < 0)
                return -errno;
        return 0;
}

void state_release(struct box_state *s)
{
        if (!s->dir)
                return;
        _cleanup_dir_ DIR *d = fdopendir(dup(s->dirfd));
        struct dirent *de;
        if (d)
                rewinddir(d);
        while (d && (de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        unlinkat(s->dirfd, de->d_name, 0);
        if (rmdir(s->dir) < 0 && errno != ENOENT)
                log_warn_errno(-errno, "removing %s", s->dir);
        close(s->dirfd);
        free(s->dir);
        *s = (struct box_state){.dirfd = -1};
}

int state_read(const char *name, const char *file, char **ret)
{
        _cleanup_free_ char *p = xasprintf("%s/%s/%s", state_root(), name, file);
        return read_file_at(AT_FDCWD, p, ret, 1 << 20);
}

bool state_is_running(const char *name)
{
        _cleanup_free_ char *dir = xasprintf("%s/%s", state_root(), name);
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return false;
        if (flock(fd, LOCK_SH | LOCK_NB) == 0)
                return false;
        return errno == EWOULDBLOCK;
}
