/* state.c - the state file of a box and its lock. */
#include "ops/state.h"

#include "util/log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

/* Offset of the status value: after "status=". */
#define STATUS_OFFSET 7

const char *state_root(void)
{
        const char *e = getenv("BOXLAUNCH_RUNTIME_DIR");
        return e && *e ? e : "/run/boxlaunch";
}

char *state_path(const char *name)
{
        return xasprintf("%s/%s", state_root(), name);
}

char *state_side_path(const char *name, const char *suffix)
{
        return xasprintf("%s/.%s.%s", state_root(), name, suffix);
}

/* The console log, and the notify socket in its own directory (notify.h). */
static void remove_sides(const char *name)
{
        _cleanup_free_ char *log = state_side_path(name, "log");
        _cleanup_free_ char *dir = state_side_path(name, "notify");
        _cleanup_free_ char *sock = xasprintf("%s/notify", dir);
        (void)unlink(log);
        (void)unlink(sock);
        (void)rmdir(dir);
}

int state_acquire(const char *name, struct box_state *ret)
{
        if (mkdir(state_root(), 0711) < 0 && errno != EEXIST)
                return -errno;
        _cleanup_free_ char *path = state_path(name);

        for (int attempt = 0; attempt < 10; attempt++) {
                bool fresh = true;
                _cleanup_close_ int fd =
                        open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0 && errno == EEXIST) {
                        fresh = false;
                        fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                        if (fd < 0 && errno == ENOENT)
                                continue;
                }
                if (fd < 0)
                        return -errno;
                if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                        return errno == EWOULDBLOCK ? -EBUSY : -errno;
                /* The previous owner may have removed the file between our open and flock:
                 * make sure we locked the one that is still there. */
                struct stat a, b;
                if (fstat(fd, &a) < 0)
                        return -errno;
                if (!S_ISREG(a.st_mode))
                        return -EEXIST;
                if (stat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                        continue;
                if (!fresh) {
                        /* Left-overs of a supervisor that died: start clean. */
                        if (ftruncate(fd, 0) < 0)
                                return -errno;
                        remove_sides(name);
                }
                ret->name = xstrdup(name);
                ret->fd = TAKE_FD(fd);
                return 0;
        }
        return -EAGAIN;
}

int state_publish(struct box_state *s, const char *status, const char *header, const char *config)
{
        _cleanup_free_ char *text = xasprintf("status=%-*s\n%sconfig=%zu\n\n%s", STATE_STATUS_WIDTH,
                                              status, header, strlen(config), config);
        return write_all(s->fd, text, strlen(text));
}

static int set_status_fd(int fd, const char *status)
{
        char v[STATE_STATUS_WIDTH + 1];
        if (strlen(status) > STATE_STATUS_WIDTH)
                return -EINVAL;
        snprintf(v, sizeof(v), "%-*s", STATE_STATUS_WIDTH, status);
        ssize_t n = pwrite(fd, v, STATE_STATUS_WIDTH, STATUS_OFFSET);
        if (n < 0)
                return -errno;
        return n == STATE_STATUS_WIDTH ? 0 : -EIO;
}

int state_set_status(struct box_state *s, const char *status)
{
        return set_status_fd(s->fd, status);
}

int state_set_status_of(const char *name, const char *status)
{
        _cleanup_free_ char *path = state_path(name);
        _cleanup_close_ int fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* Only into a written file: a write at the offset of an empty one would make a hole. */
        char head[STATUS_OFFSET];
        if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
            memcmp(head, "status=", STATUS_OFFSET) != 0)
                return -EAGAIN;
        return set_status_fd(fd, status);
}

void state_release(struct box_state *s)
{
        if (!s->name)
                return;
        remove_sides(s->name);
        _cleanup_free_ char *path = state_path(s->name);
        if (unlink(path) < 0 && errno != ENOENT)
                log_warn_errno(-errno, "removing %s", path);
        close(s->fd);
        free(s->name);
        *s = (struct box_state){.fd = -1};
}

/* The text of a completely written state file, and the length of its header. */
static int state_load(const char *name, char **ret, size_t *ret_header)
{
        _cleanup_free_ char *path = state_path(name);
        _cleanup_free_ char *s = NULL;
        size_t len;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = read_fd_all(fd, &s, &len, 1 << 20);
        if (r < 0)
                return r;
        char *end = strstr(s, "\n\n");
        if (!end || strncmp(s, "status=", STATUS_OFFSET) != 0)
                return -EAGAIN;
        size_t header = (size_t)(end - s) + 2;
        char *c = strstr(s, "\nconfig=");
        unsigned long long n;
        if (!c || c > end || sscanf(c + 8, "%llu", &n) != 1 || len - header != n)
                return -EAGAIN;
        *ret = TAKE_PTR(s);
        *ret_header = header;
        return 0;
}

char *state_get(const char *name, const char *key)
{
        _cleanup_free_ char *s = NULL;
        size_t header, k = strlen(key);
        if (state_load(name, &s, &header) < 0)
                return NULL;
        for (char *line = s; line < s + header; line = strchr(line, '\n') + 1)
                if (strncmp(line, key, k) == 0 && line[k] == '=') {
                        const char *v = line + k + 1;
                        size_t n = strcspn(v, "\n");
                        while (n > 0 && v[n - 1] == ' ')
                                n--;
                        return xstrndup(v, n);
                }
        return NULL;
}

int state_config(const char *name, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *s = NULL;
        size_t header;
        int r = state_load(name, &s, &header);
        if (r < 0)
                return r;
        *ret_len = strlen(s + header);
        *ret = xstrdup(s + header);
        return 0;
}

bool state_is_running(const char *name)
{
        _cleanup_free_ char *path = state_path(name);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return false;
        if (flock(fd, LOCK_SH | LOCK_NB) == 0)
                return false;
        return errno == EWOULDBLOCK;
}
