/* util.c - allocation, string-vector, file and fd helpers. */
#include "util/util.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                abort();
        return p;
}

void *xcalloc(size_t n, size_t m)
{
        void *p = calloc(n ? n : 1, m ? m : 1);
        if (!p)
                abort();
        return p;
}

void *xrealloc(void *p, size_t n)
{
        p = realloc(p, n ? n : 1);
        if (!p)
                abort();
        return p;
}

void strbuf_add(struct strbuf *b, const char *s, size_t n)
{
        if (b->len + n + 1 > b->cap) {
                b->cap = b->cap * 2 > b->len + n + 1 ? b->cap * 2 : b->len + n + 1;
                b->s = xrealloc(b->s, b->cap);
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = 0;
}

char *xstrdup(const char *s)
{
        char *p = strdup(s);
        if (!p)
                abort();
        return p;
}

char *xstrndup(const char *s, size_t n)
{
        char *p = strndup(s, n);
        if (!p)
                abort();
        return p;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *p;

        va_start(ap, fmt);
        if (vasprintf(&p, fmt, ap) < 0)
                abort();
        va_end(ap);
        return p;
}

size_t strv_length(char *const *v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

void strv_push(char ***v, char *s)
{
        size_t n = strv_length(*v);
        *v = xrealloc(*v, (n + 2) * sizeof(char *));
        (*v)[n] = s;
        (*v)[n + 1] = NULL;
}

char **strv_copy(char *const *v)
{
        size_t n = strv_length(v);
        char **r = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                r[i] = xstrdup(v[i]);
        return r;
}

bool strv_contains(char *const *v, const char *s)
{
        for (size_t i = 0; v && v[i]; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

int write_all(int fd, const void *buf, size_t n)
{
        const char *p = buf;
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

int read_all(int fd, void *buf, size_t n)
{
        char *p = buf;
        while (n > 0) {
                ssize_t k = read(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EPIPE;
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

int write_file_at(int dirfd, const char *path, const char *data)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        /* Kernel interface files want the value in one write. */
        size_t n = strlen(data);
        ssize_t k = RETRY_EINTR(write(fd, data, n));
        if (k < 0)
                return -errno;
        return (size_t)k == n ? 0 : -EIO;
}

int read_file_at(int dirfd, const char *path, char **ret, size_t max)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_fd_all(fd, ret, NULL, max);
}

int read_fd_all(int fd, char **ret, size_t *ret_len, size_t max)
{
        return read_fd_until(fd, ret, ret_len, max, NULL);
}

int read_fd_until(int fd, char **ret, size_t *ret_len, size_t max,
                  bool (*done)(const char *text, size_t len))
{
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = xmalloc(cap + 1);
        for (;;) {
                if (len == cap) {
                        if (cap >= max)
                                return -EFBIG;
                        cap *= 2;
                        buf = xrealloc(buf, cap + 1);
                }
                ssize_t k = RETRY_EINTR(read(fd, buf + len, cap - len));
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                len += (size_t)k;
                buf[len] = 0;
                if (done && done(buf, len))
                        break;
        }
        buf[len] = 0;
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int cmp_int(const void *a, const void *b)
{
        return *(const int *)a - *(const int *)b;
}

int close_fds_from(int lowfd, const int *keep, size_t nkeep)
{
        int sorted[64];
        if (nkeep > ARRAY_SIZE(sorted))
                return -E2BIG;
        memcpy(sorted, keep, nkeep * sizeof(int));
        qsort(sorted, nkeep, sizeof(int), cmp_int);

        int from = lowfd;
        bool ok = true;
        for (size_t i = 0; i <= nkeep && ok; i++) {
                int to = i < nkeep ? sorted[i] - 1 : INT32_MAX;
                if (i < nkeep && sorted[i] < lowfd)
                        continue;
                if (to >= from && syscall(SYS_close_range, (unsigned)from, (unsigned)to, 0) < 0)
                        ok = false;
                if (i < nkeep)
                        from = sorted[i] + 1;
        }
        if (ok)
                return 0;

        /* close_range(2) missing (kernel < 5.9): walk /proc/self/fd. */
        _cleanup_dir_ DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);
                if (de->d_name[0] == '.' || fd < lowfd || fd == dirfd(d))
                        continue;
                if (!bsearch(&fd, sorted, nkeep, sizeof(int), cmp_int))
                        close(fd);
        }
        return 0;
}

int mkdir_p_at(int dirfd, const char *path, mode_t mode)
{
        _cleanup_free_ char *p = xstrdup(path);
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* A /proc stat line in one read (procfs produces it whole, far below the buffer, and `list`
 * reads one for every box): its third field, past the comm field (which may contain spaces
 * and parentheses: the last ')' ends it), or NULL with a negative errno in *ret_err. */
static const char *read_stat(const char *path, char *buf, size_t size, int *ret_err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        ssize_t k = fd >= 0 ? RETRY_EINTR(read(fd, buf, size - 1)) : -1;
        *ret_err = k < 0 ? -errno : -EIO;
        if (k <= 0)
                return NULL;
        buf[k] = 0;
        const char *p = strrchr(buf, ')');
        return p && p[1] == ' ' ? p + 2 : NULL;
}

/* The field n places after field f of a stat line; NULL past its end (a truncated line). */
static const char *skip_fields(const char *f, int n)
{
        while (f && n-- > 0) {
                f = strchr(f, ' ');
                if (f)
                        f++;
        }
        return f;
}

int proc_stat(pid_t pid, struct proc_stat *ret)
{
        char path[64], buf[2048];
        int err;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        const char *state = read_stat(path, buf, sizeof(buf), &err); /* field 3 */
        const char *start = skip_fields(state, 22 - 3), *cpu = skip_fields(start, 39 - 22);
        if (!cpu)
                return state ? -EIO : err;
        ret->state = *state;
        ret->starttime = strtoull(start, NULL, 10);
        ret->processor = atoi(cpu);
        return 0;
}

int proc_starttime(pid_t pid, unsigned long long *ret)
{
        struct proc_stat st;
        int r = proc_stat(pid, &st);
        if (r < 0)
                return r;
        *ret = st.starttime;
        return 0;
}

int proc_self_args(uintptr_t *ret_start, uintptr_t *ret_end)
{
        char buf[2048];
        int err;
        const char *state = read_stat("/proc/self/stat", buf, sizeof(buf), &err);
        const char *start = skip_fields(state, 48 - 3), *end = skip_fields(start, 1);
        if (!end)
                return state ? -EIO : err;
        unsigned long long a = strtoull(start, NULL, 10), b = strtoull(end, NULL, 10);
        if (!a || b <= a)
                return -EIO;
        *ret_start = (uintptr_t)a;
        *ret_end = (uintptr_t)b;
        return 0;
}

uint64_t now_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
