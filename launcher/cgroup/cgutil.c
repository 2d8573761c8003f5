/* cgutil.c - the bottom layer of cgroup/: hierarchy table, file helpers, interface files (real
 * or in a fake tree), messages that name a config field, and process lists. */
#include "cgroup/cgutil.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

void cg_sleep_step(void)
{
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
}

/* --- hierarchies and paths --------------------------------------------------------------- */

static const char *const hier_dirs[_CG_HIER_MAX] = {
        [CG_MEMORY] = "memory",   [CG_PIDS] = "pids",       [CG_FREEZER] = "freezer",
        [CG_DEVICES] = "devices", [CG_CPUACCT] = "cpuacct", [CG_CPU] = "cpu",
        [CG_CPUSET] = "cpuset",   [CG_BLKIO] = "blkio",     [CG_SYSTEMD] = "systemd",
        [CG_V2] = "unified",
};

const char *cg_hier_dir(enum cg_hier h)
{
        return hier_dirs[h];
}

const char *cg_hier_name(enum cg_hier h)
{
        return h == CG_V2 ? "cgroup2" : hier_dirs[h];
}

bool cg_path_ok(const char *p)
{
        if (!p || !*p || p[0] == '/')
                return false;
        for (const char *c = p; *c;) {
                size_t len = strcspn(c, "/");
                if (len == 0 || (len == 1 && c[0] == '.') ||
                    (len == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += len;
                if (*c == '/')
                        c++;
                if (*c == 0 && c[-1] == '/')
                        return false;
        }
        return true;
}

/* --- files --------------------------------------------------------------------------------- */

bool cg_fs_type_at(int dirfd, const char *path, long magic)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct statfs s;
        return fd >= 0 && fstatfs(fd, &s) == 0 && (long)s.f_type == magic;
}

DIR *cg_opendir_at(int dirfd, const char *path, int flags)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
        if (fd < 0)
                return NULL;
        DIR *d = fdopendir(fd);
        if (d)
                TAKE_FD(fd);
        return d;
}

bool cg_is_dir_entry(int dirfd, const struct dirent *de)
{
        if (de->d_type != DT_UNKNOWN)
                return de->d_type == DT_DIR;
        struct stat st;
        return fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

int cg_write(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
             bool append)
{
        int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW;
        if (cg->fake)
                flags |= O_CREAT | (append ? O_APPEND : O_TRUNC);
        _cleanup_close_ int fd = openat(dirfd, file, flags, 0644);
        if (fd < 0)
                return -errno;
        if (cg->fake && append) {
                _cleanup_free_ char *line = xasprintf("%s\n", value);
                return write_all(fd, line, strlen(line));
        }
        return cg_write_fd(fd, value);
}

int cg_write_fd(int fd, const char *value)
{
        /* Kernel interface files take one value per write(). */
        size_t n = strlen(value);
        ssize_t k = RETRY_EINTR(write(fd, value, n));
        if (k < 0)
                return -errno;
        return (size_t)k == n ? 0 : -EIO;
}

int cg_read_u64(int dirfd, const char *file, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = read_file_at(dirfd, file, &s, 4096);
        if (r < 0)
                return r;
        if (strncmp(s, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s)
                return -EIO;
        *ret = v;
        return 0;
}

int cg_read_keyed(int dirfd, const char *file, const char *key, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = read_file_at(dirfd, file, &s, 1 << 16);
        if (r < 0)
                return r;
        size_t kl = strlen(key);
        for (char *line = s; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : 0)
                if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
                        *ret = strtoull(line + kl + 1, NULL, 10);
                        return 0;
                }
        return -ENOENT;
}

/* --- limits: writes and messages that name a config field ---------------------------------- */

const char *cg_where(const struct box_config *c, enum box_field f, char *buf, size_t n)
{
        if (c)
                return box_config_where(c, f, NULL, 0, buf, n);
        snprintf(buf, n, "%s", box_field_generic_name(f));
        return buf;
}

int cg_write_field(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
                   bool append, enum box_field f)
{
        char w[PATH_MAX + 128];
        int r = cg_write(cg, dirfd, file, value, append);
        if (r == -ENOENT)
                return log_error_errno(-EOPNOTSUPP, "%s: not supported by this kernel (no %s)",
                                       cg_where(cg->config, f, w, sizeof(w)), file);
        if (r < 0)
                return log_error_errno(r, "%s: cannot write \"%s\" to %s",
                                       cg_where(cg->config, f, w, sizeof(w)), value, file);
        return 0;
}

int cg_write_u64(const struct box_cgroup *cg, int dirfd, const char *file, uint64_t v,
                 enum box_field f)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return cg_write_field(cg, dirfd, file, buf, false, f);
}

void cg_weight_ignored(const struct box_cgroup *cg, enum box_field f, const char *why)
{
        char w[PATH_MAX + 128];
        log_warn("%s: ignored: %s; the box starts without this weight",
                 cg_where(cg->config, f, w, sizeof(w)), why);
}

int cg_write_weight(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
                    enum box_field f)
{
        int r = cg_write(cg, dirfd, file, value, false);
        if (r == 0)
                return 0;
        char why[256];
        if (r == -ENOENT)
                snprintf(why, sizeof(why), "this kernel has no %s", file);
        else
                snprintf(why, sizeof(why), "writing \"%s\" to %s failed: %s", value, file,
                         strerror(-r));
        cg_weight_ignored(cg, f, why);
        return 0;
}

enum box_field cg_io_field(const struct box_io_limit *io)
{
        return io->rbps    ? BOX_F_IO_READ_BPS
               : io->wbps  ? BOX_F_IO_WRITE_BPS
               : io->riops ? BOX_F_IO_READ_IOPS
               : io->wiops ? BOX_F_IO_WRITE_IOPS
                           : BOX_F_NONE;
}

int cg_write_cpuset(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        int r;
        if (l->cpuset_cpus) {
                r = cg_write_field(cg, fd, "cpuset.cpus", l->cpuset_cpus, false, BOX_F_CPUSET_CPUS);
                if (r < 0)
                        return r;
        }
        if (l->cpuset_mems) {
                r = cg_write_field(cg, fd, "cpuset.mems", l->cpuset_mems, false, BOX_F_CPUSET_MEMS);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* --- processes ------------------------------------------------------------------------------ */

static void pids_push(pid_t **v, size_t *n, pid_t p)
{
        *v = xrealloc(*v, (*n + 1) * sizeof(pid_t));
        (*v)[(*n)++] = p;
}

int cg_collect_pids(int gfd, pid_t **v, size_t *n)
{
        _cleanup_free_ char *s = NULL;
        int r = read_file_at(gfd, "cgroup.procs", &s, 1 << 24);
        if (r < 0 && r != -ENOENT)
                return r;
        for (char *p = s; p && *p;) {
                char *end;
                long pid = strtol(p, &end, 10);
                if (end == p)
                        break;
                if (pid > 0)
                        pids_push(v, n, (pid_t)pid);
                p = end + (*end == '\n');
        }

        _cleanup_dir_ DIR *d = cg_opendir_at(gfd, ".", 0);
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                _cleanup_close_ int sub =
                        openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub < 0)
                        continue; /* removed meanwhile */
                r = cg_collect_pids(sub, v, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_pid(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return x < y ? -1 : x > y;
}

size_t cg_sort_unique(pid_t *v, size_t n)
{
        if (n == 0)
                return 0;
        qsort(v, n, sizeof(pid_t), cmp_pid);
        size_t k = 1;
        for (size_t i = 1; i < n; i++)
                if (v[i] != v[k - 1])
                        v[k++] = v[i];
        return k;
}

bool cg_pid_listed(const pid_t *sorted, size_t n, pid_t pid)
{
        return n > 0 && bsearch(&pid, sorted, n, sizeof(pid_t), cmp_pid) != NULL;
}

int *cg_open_pidfds(const pid_t *v, size_t n)
{
        int *fds = xmalloc((n ? n : 1) * sizeof(int));
        for (size_t i = 0; i < n; i++)
                fds[i] = v[i] > 1 && v[i] != getpid() ? sys_pidfd_open(v[i], 0) : -1;
        return fds;
}

void cg_close_pidfds(int *fds, size_t n)
{
        close_many(fds, (int)n);
        free(fds);
}

int cg_member_fd(const struct box_cgroup *cg)
{
        static const enum cg_hier members[] = {CG_PIDS, CG_MEMORY, CG_DEVICES, CG_V2, CG_SYSTEMD};
        for (size_t i = 0; i < ARRAY_SIZE(members); i++)
                if (cg->dirs[members[i]].fd >= 0)
                        return cg->dirs[members[i]].fd;
        return -1;
}
