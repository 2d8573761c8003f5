/* state.c - the state file of a box: its lock, writing it once, reading it once. */
#include "core/state.h"

#include "core/config_json.h"
#include "util/log.h"
#include "util/parse.h"

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
        /* The network's files for the box (launch/net.c). */
        for (const char *const *s = (const char *const[]){"resolv.conf", "host0.network", NULL}; *s;
             s++) {
                _cleanup_free_ char *p = state_side_path(name, *s);
                (void)unlink(p);
        }
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

/* The header's length (through its blank line) and the config length it announces; false
 * while the header is incomplete. */
static bool state_header_length(const char *s, size_t *ret_header, unsigned long long *ret_n)
{
        const char *end = strstr(s, "\n\n");
        if (!end || strncmp(s, "status=", STATUS_OFFSET) != 0)
                return false;
        const char *c = strstr(s, "\nconfig=");
        if (!c || c > end || sscanf(c + 8, "%llu", ret_n) != 1)
                return false;
        *ret_header = (size_t)(end - s) + 2;
        return true;
}

/* Whether the text holds all its header announces (`list` reads each box's file: no read for
 * the EOF). */
static bool state_text_complete(const char *text, size_t len)
{
        size_t header;
        unsigned long long n;
        return state_header_length(text, &header, &n) && len >= header + n;
}

/* The text of a completely written state file, and the length of its header; running: only if
 * its lock is held (-ENOENT if not). It is read into buf (`list` reads a thousand files: no
 * allocation each), or into *heap when it is larger. */
static int state_load(const char *name, bool running, char *buf, size_t size, char **heap,
                      const char **ret, size_t *ret_header)
{
        _cleanup_free_ char *path = state_path(name);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (running && (flock(fd, LOCK_SH | LOCK_NB) == 0 || errno != EWOULDBLOCK))
                return -ENOENT;
        /* One read: a regular file gives all it has up to the size asked for. */
        ssize_t k = RETRY_EINTR(read(fd, buf, size - 1));
        if (k < 0)
                return -errno;
        const char *s = buf;
        size_t len = (size_t)k;
        buf[len] = 0;
        if (len == size - 1) {
                /* Larger than buf: all of it from the start, on the heap. */
                int r = lseek(fd, 0, SEEK_SET) < 0
                                ? -errno
                                : read_fd_until(fd, heap, &len, 1 << 20, state_text_complete);
                if (r < 0)
                        return r;
                s = *heap;
        }
        size_t header;
        unsigned long long n;
        if (!state_header_length(s, &header, &n) || len - header != n)
                return -EAGAIN;
        *ret = s;
        *ret_header = header;
        return 0;
}

/* A number of the header; 0 where it is missing or not a number (a reader tells). */
static uint64_t header_number(const char *v)
{
        uint64_t n = 0;
        return v && parse_uint64(v, INT64_MAX, &n) == 0 ? n : 0;
}

static int state_read_full(const char *name, bool running, bool config, struct state_record *ret)
{
        char buf[8192];
        _cleanup_free_ char *heap = NULL;
        const char *text = NULL;
        size_t header = 0;
        int r = state_load(name, running, buf, sizeof(buf), &heap, &text, &header);
        if (r < 0)
                return r;
        struct state_record rec = {.config = config ? xstrdup(text + header) : NULL};
        char *s = (char *)text; /* ours: buf or heap */
        s[header - 1] = 0;
        char *save = NULL;
        for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *v = strchr(line, '=');
                if (!v)
                        continue;
                *v++ = 0;
                size_t n = strlen(v);
                while (n > 0 && v[n - 1] == ' ')
                        v[--n] = 0;
                if (streq(line, "status") && !rec.status)
                        rec.status = xstrdup(v);
                else if (streq(line, "pid"))
                        rec.pid = (pid_t)header_number(v);
                else if (streq(line, "pidstart"))
                        rec.pidstart = header_number(v);
                else if (streq(line, "supervisor"))
                        rec.supervisor = (pid_t)header_number(v);
                else if (streq(line, "created"))
                        rec.created = (long long)header_number(v);
                else if (streq(line, "cgroup") && !rec.cgroup)
                        rec.cgroup = xstrdup(v);
                else if (streq(line, "root") && !rec.root)
                        rec.root = xstrdup(v);
                else if (streq(line, "network") && !rec.network)
                        rec.network = xstrdup(v);
        }
        *ret = rec;
        return 0;
}

int state_read(const char *name, struct state_record *ret)
{
        return state_read_full(name, false, true, ret);
}

int state_read_running(const char *name, bool config, struct state_record *ret)
{
        return state_read_full(name, true, config, ret);
}

void state_record_done(struct state_record *r)
{
        free(r->status);
        free(r->cgroup);
        free(r->root);
        free(r->network);
        free(r->config);
        *r = (struct state_record){0};
}

static void drop_line(enum log_level l, const char *line, void *userdata)
{
}

int state_parse_config(const char *name, const char *json, bool quiet, struct box_config *c)
{
        _cleanup_free_ char *what =
                xasprintf("the configuration in the state file %s/%s", state_root(), name);
        box_config_init(c);
        /* The reader logs what it cannot read; a quiet caller (list) skips such a box. */
        if (quiet)
                log_set_sink(drop_line, NULL);
        int k = box_config_from_json_string(json ? json : "", what, c);
        if (quiet)
                log_set_sink(NULL, NULL);
        return k < 0 ? -EINVAL : 0;
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
