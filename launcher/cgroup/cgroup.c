/* cgroup.c - layout detection, placement and life cycle of a box's cgroups, and the by-path
 * operations the verbs use (gc, freeze, pids, stats). Limits: cgroup_v1.c, cgroup_v2.c; device
 * policy: devices.c. */
#include "cgroup/internal.h"
#include "util/syscalls.h"
#include "util/log.h"

#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>

#define AUTO_PARENT "boxlaunch"
/* A box's group is NAME.box: a bare NAME could collide with a v1 interface file ("tasks",
 * "notify_on_release", "cgroup.procs"); no interface file ends in ".box". */
#define BOX_SUFFIX ".box"
/* How long kill, rmdir and freeze wait for the kernel, in 10 ms steps. */
#define WAIT_STEPS 1000

static const char *const hier_dirs[_CG_HIER_MAX] = {
        [CG_MEMORY] = "memory",   [CG_PIDS] = "pids",       [CG_FREEZER] = "freezer",
        [CG_DEVICES] = "devices", [CG_CPUACCT] = "cpuacct", [CG_CPU] = "cpu",
        [CG_CPUSET] = "cpuset",   [CG_BLKIO] = "blkio",     [CG_SYSTEMD] = "systemd",
        [CG_V2] = "unified",
};

const char *cg_hier_name(enum cg_hier h)
{
        return h == CG_V2 ? "cgroup2" : hier_dirs[h];
}

const char *cgroup_layout_to_string(enum cgroup_layout l)
{
        switch (l) {
        case CGROUP_LAYOUT_V1:
                return "v1";
        case CGROUP_LAYOUT_HYBRID:
                return "hybrid";
        case CGROUP_LAYOUT_V2:
                return "v2";
        }
        return "?";
}

const char *cgroup_auto_parent(void)
{
        const char *e = getenv("BOXLAUNCH_CGROUP_PARENT");
        if (!e || !*e)
                return AUTO_PARENT;
        /* One component: the parent is dropped with a single rmdir once no box uses it. */
        if (!box_name_valid(e)) {
                log_error("BOXLAUNCH_CGROUP_PARENT=%s: not a valid cgroup name (letters, digits, "
                          "'_', '-' and '.', not starting with '.')",
                          e);
                return NULL;
        }
        return e;
}

char *cgroup_auto_path(const char *name)
{
        const char *parent = cgroup_auto_parent();
        return parent ? xasprintf("%s/%s" BOX_SUFFIX, parent, name) : NULL;
}

static void sleep_10ms(void)
{
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
}

static bool fs_type_at(int dirfd, const char *path, long magic)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct statfs s;
        return fd >= 0 && fstatfs(fd, &s) == 0 && (long)s.f_type == magic;
}

static int detect(const char *root, enum cgroup_layout *ret, bool *ret_fake)
{
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        if (fs_type_at(fd, ".", CGROUP2_SUPER_MAGIC)) {
                *ret = CGROUP_LAYOUT_V2;
                *ret_fake = false;
                return 0;
        }
        if (fs_type_at(fd, "unified", CGROUP2_SUPER_MAGIC)) {
                *ret = CGROUP_LAYOUT_HYBRID;
                *ret_fake = false;
                return 0;
        }
        for (size_t h = 0; h < CG_V2; h++)
                if (fs_type_at(fd, hier_dirs[h], CGROUP_SUPER_MAGIC)) {
                        *ret = CGROUP_LAYOUT_V1;
                        *ret_fake = false;
                        return 0;
                }

        /* No cgroup file system at all: a fake tree, which must say what it imitates. */
        const char *e = getenv("BOXLAUNCH_CGROUP_LAYOUT");
        if (!e)
                return -ENOMEDIUM;
        if (streq(e, "v1"))
                *ret = CGROUP_LAYOUT_V1;
        else if (streq(e, "hybrid"))
                *ret = CGROUP_LAYOUT_HYBRID;
        else if (streq(e, "v2"))
                *ret = CGROUP_LAYOUT_V2;
        else
                return -EINVAL;
        *ret_fake = true;
        return 0;
}

int cgroup_detect(const char *root, enum cgroup_layout *ret)
{
        bool fake;
        return detect(root, ret, &fake);
}

/* --- small file helpers ------------------------------------------------------------------ */

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
        /* Kernel interface files take one value per write(). */
        size_t n = strlen(value);
        ssize_t k = RETRY_EINTR(write(fd, value, n));
        if (k < 0)
                return -errno;
        return (size_t)k == n ? 0 : -EIO;
}

const char *cg_key_where(const struct box_cgroup *cg, const char *key, char *buf, size_t size)
{
        /* The callers' key names, until they pass field ids. */
        static const struct {
                const char *key;
                enum box_field f;
        } fields[] = {
                {"MemoryMax", BOX_F_MEMORY_MAX},
                {"MemoryHigh", BOX_F_MEMORY_HIGH},
                {"MemorySwapMax", BOX_F_MEMORY_SWAP_MAX},
                {"CPUQuota", BOX_F_CPU_QUOTA},
                {"CPUQuotaPeriodSec", BOX_F_CPU_PERIOD},
                {"CPUWeight", BOX_F_CPU_WEIGHT},
                {"AllowedCPUs", BOX_F_CPUSET_CPUS},
                {"AllowedMemoryNodes", BOX_F_CPUSET_MEMS},
                {"TasksMax", BOX_F_TASKS_MAX},
                {"IOWeight", BOX_F_IO_WEIGHT},
                {"IOReadBandwidthMax", BOX_F_IO_READ_BPS},
                {"IOWriteBandwidthMax", BOX_F_IO_WRITE_BPS},
                {"IOReadIOPSMax", BOX_F_IO_READ_IOPS},
                {"IOWriteIOPSMax", BOX_F_IO_WRITE_IOPS},
        };
        const struct box_config *c = cg->limits ? cg->limits->owner : NULL;
        /* "A/B/C": the first of the keys that a line of the file set. */
        for (const char *k = key; c && *k;) {
                size_t len = strcspn(k, "/");
                for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
                        if (strlen(fields[i].key) == len && strncmp(k, fields[i].key, len) == 0 &&
                            c->field_line[fields[i].f])
                                return box_config_where(c, fields[i].f, NULL, 0, buf, size);
                k += len + (k[len] == '/');
        }
        snprintf(buf, size, "%s", key);
        return buf;
}

int cg_write_key(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
                 bool append, const char *key)
{
        char w[PATH_MAX + 128];
        int r = cg_write(cg, dirfd, file, value, append);
        if (r == -ENOENT)
                return log_error_errno(-EOPNOTSUPP, "%s: not supported by this kernel (no %s)",
                                       cg_key_where(cg, key, w, sizeof(w)), file);
        if (r < 0)
                return log_error_errno(r, "%s: cannot write \"%s\" to %s",
                                       cg_key_where(cg, key, w, sizeof(w)), value, file);
        return 0;
}

void cg_weight_ignored(const struct box_cgroup *cg, const char *key, const char *why)
{
        char w[PATH_MAX + 128];
        log_warn("%s: ignored: %s; the box starts without this weight",
                 cg_key_where(cg, key, w, sizeof(w)), why);
}

int cg_write_weight(const struct box_cgroup *cg, int dirfd, const char *file, const char *value,
                    const char *key)
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
        cg_weight_ignored(cg, key, why);
        return 0;
}

int cg_write_u64(const struct box_cgroup *cg, int dirfd, const char *file, uint64_t v,
                 const char *key)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return cg_write_key(cg, dirfd, file, buf, false, key);
}

int cg_write_cpuset(const struct box_cgroup *cg, int fd, const struct box_limits *l)
{
        int r;
        if (l->cpuset_cpus) {
                r = cg_write_key(cg, fd, "cpuset.cpus", l->cpuset_cpus, false, "AllowedCPUs");
                if (r < 0)
                        return r;
        }
        if (l->cpuset_mems) {
                r = cg_write_key(cg, fd, "cpuset.mems", l->cpuset_mems, false,
                                 "AllowedMemoryNodes");
                if (r < 0)
                        return r;
        }
        return 0;
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

/* "KEY VALUE" lines (cpu.stat, cgroup.events): the value of key, or -ENOENT. */
static int read_keyed(int dirfd, const char *file, const char *key, uint64_t *ret)
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

/* --- the object -------------------------------------------------------------------------- */

static void cg_free(struct box_cgroup *cg)
{
        if (!cg)
                return;
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                closep(&cg->dirs[h].fd);
                closep(&cg->dirs[h].rootfd);
        }
        free(cg->root);
        free(cg->path);
        free(cg);
}

static void cg_freep(struct box_cgroup **cg)
{
        cg_free(*cg);
}

/* Detects the layout and opens the root of every hierarchy present. */
static int cg_new(const char *root, struct box_cgroup **ret)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = xcalloc(1, sizeof(*cg));
        struct stat st[_CG_HIER_MAX];

        for (size_t h = 0; h < _CG_HIER_MAX; h++)
                cg->dirs[h].rootfd = cg->dirs[h].fd = cg->dirs[h].alias_of = -1;
        cg->root = xstrdup(root);
        int r = detect(root, &cg->layout, &cg->fake);
        if (r == -ENOMEDIUM)
                return log_error_errno(r, "No cgroup file system at %s", root);
        if (r < 0)
                return log_error_errno(r, "Cannot detect the cgroup layout of %s", root);

        _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return log_error_errno(negative_errno(), "Cannot open %s", root);

        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                const char *dir = hier_dirs[h];
                long magic = CGROUP_SUPER_MAGIC;
                if (h == CG_V2) {
                        if (cg->layout == CGROUP_LAYOUT_V1)
                                continue;
                        dir = cg->layout == CGROUP_LAYOUT_V2 ? "." : "unified";
                        magic = CGROUP2_SUPER_MAGIC;
                } else if (cg->layout == CGROUP_LAYOUT_V2)
                        continue;
                if (!cg->fake && !fs_type_at(rootfd, dir, magic))
                        continue;
                int fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                cg->dirs[h].rootfd = fd;
                /* "cpu" and "cpuacct" are often one mount with two names: use it once. */
                if (fstat(fd, &st[h]) < 0)
                        return log_error_errno(negative_errno(), "Cannot stat %s/%s", root, dir);
                for (size_t o = 0; o < h; o++)
                        if (cg->dirs[o].rootfd >= 0 && st[o].st_dev == st[h].st_dev &&
                            st[o].st_ino == st[h].st_ino) {
                                cg->dirs[h].alias_of = (int)o;
                                break;
                        }
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

enum cgroup_layout cgroup_layout(const struct box_cgroup *cg)
{
        return cg->layout;
}

const char *cgroup_path(const struct box_cgroup *cg)
{
        return cg->path;
}

int cgroup_v2_dirfd(const struct box_cgroup *cg)
{
        return cg ? cg->dirs[CG_V2].fd : -1;
}

/* A DIR stream for path below dirfd; the fd is owned by the stream. */
static DIR *opendir_at(int dirfd, const char *path, int flags)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
        if (fd < 0)
                return NULL;
        DIR *d = fdopendir(fd);
        if (d)
                TAKE_FD(fd);
        return d;
}

/* --- processes --------------------------------------------------------------------------- */

static void pids_push(pid_t **v, size_t *n, pid_t p)
{
        *v = xrealloc(*v, (*n + 1) * sizeof(pid_t));
        (*v)[(*n)++] = p;
}

/* The pids in dirfd's cgroup.procs and in every group below it. */
static int collect_pids(int gfd, pid_t **v, size_t *n)
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

        _cleanup_dir_ DIR *d = opendir_at(gfd, ".", 0);
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
                r = collect_pids(sub, v, n);
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

static size_t sort_unique(pid_t *v, size_t n)
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

/* The box's processes as sorted, unique pids: every hierarchy, nested groups included. */
static size_t member_pids(const struct box_cgroup *cg, pid_t **v)
{
        size_t n = 0;
        for (size_t h = 0; h < _CG_HIER_MAX; h++)
                if (cg->dirs[h].fd >= 0 && cg->dirs[h].alias_of < 0)
                        (void)collect_pids(cg->dirs[h].fd, v, &n);
        return sort_unique(*v, n);
}

static bool pid_listed(const pid_t *sorted, size_t n, pid_t pid)
{
        return n > 0 && bsearch(&pid, sorted, n, sizeof(pid_t), cmp_pid) != NULL;
}

/* A pid read from cgroup.procs may be reused by a process of the host before we act on it. So:
 * a pidfd first, then the group read again. A process that holds its pid cannot lose it, so if
 * the pidfd's process is still alive when the signal is sent, it is the one the second read
 * found in the group. -1 for pids that are gone or not to be touched. */
static int *open_pidfds(const pid_t *v, size_t n)
{
        int *fds = xmalloc((n ? n : 1) * sizeof(int));
        for (size_t i = 0; i < n; i++)
                fds[i] = v[i] > 1 && v[i] != getpid() ? sys_pidfd_open(v[i], 0) : -1;
        return fds;
}

static void close_pidfds(int *fds, size_t n)
{
        close_many(fds, (int)n);
        free(fds);
}

/* SIGKILL, through pidfds, to the processes of v still in the box's groups. */
static void kill_members(const struct box_cgroup *cg, const pid_t *v, size_t n)
{
        int *fds = open_pidfds(v, n);
        _cleanup_free_ pid_t *now = NULL;
        size_t m = member_pids(cg, &now);
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0 && pid_listed(now, m, v[i]))
                        (void)sys_pidfd_send_signal(fds[i], SIGKILL, NULL, 0);
        close_pidfds(fds, n);
}

/* Kills everything in the box's groups (and groups nested in them) and waits until they are
 * empty. A fake tree's cgroup.procs lists no real processes of ours: never kill from it. */
static int cg_kill(struct box_cgroup *cg)
{
        if (cg->fake)
                return 0;
        int v2 = cg->dirs[CG_V2].fd, frz = cg->dirs[CG_FREEZER].fd;

        /* Usually the box's pid namespace is gone and took every process with it: then there
         * is nothing to freeze or kill, and the teardown costs no freezer round trips. */
        {
                _cleanup_free_ pid_t *v = NULL;
                size_t n = 0;
                for (size_t h = 0; h < _CG_HIER_MAX; h++)
                        if (cg->dirs[h].fd >= 0 && cg->dirs[h].alias_of < 0)
                                (void)collect_pids(cg->dirs[h].fd, &v, &n);
                if (n == 0)
                        return 0;
        }
        if (v2 >= 0)
                (void)cg_write(cg, v2, "cgroup.kill", "1", false); /* since 5.14 */
        /* v1: freeze first so nothing forks while we kill; the kill lands on thaw. */
        bool frozen = frz >= 0 && cg_write(cg, frz, "freezer.state", "FROZEN", false) == 0;

        int r = -ETIMEDOUT;
        for (unsigned step = 0; step < WAIT_STEPS; step++) {
                _cleanup_free_ pid_t *v = NULL;
                size_t n = member_pids(cg, &v);
                if (n == 0) {
                        r = 0;
                        break;
                }
                kill_members(cg, v, n);
                if (frozen) {
                        (void)cg_write(cg, frz, "freezer.state", "THAWED", false);
                        frozen = false;
                }
                sleep_10ms();
        }
        if (frozen)
                (void)cg_write(cg, frz, "freezer.state", "THAWED", false);
        if (r < 0)
                log_error("Processes in cgroup %s survive SIGKILL", cg->path);
        return r;
}

static bool is_dir_entry(int dirfd, const struct dirent *de)
{
        if (de->d_type != DT_UNKNOWN)
                return de->d_type == DT_DIR;
        struct stat st;
        return fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* rmdir depth-first. Real cgroup directories go with their interface files; in a fake tree we
 * unlink the files ourselves. */
static int rm_tree_at(int parentfd, const char *path, bool fake)
{
        _cleanup_dir_ DIR *d = opendir_at(parentfd, path, O_NOFOLLOW);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                int k = 0;
                if (is_dir_entry(dirfd(d), de))
                        k = rm_tree_at(dirfd(d), de->d_name, fake);
                else if (fake && unlinkat(dirfd(d), de->d_name, 0) < 0)
                        k = -errno;
                if (k < 0 && r == 0)
                        r = k;
        }
        /* A killed task may take a moment to leave: EBUSY is worth a retry. */
        for (unsigned step = 0; step < WAIT_STEPS; step++) {
                if (unlinkat(parentfd, path, AT_REMOVEDIR) == 0 || errno == ENOENT)
                        return r;
                if (errno != EBUSY)
                        break;
                sleep_10ms();
        }
        return -errno;
}

/* Removes the automatic parent of the group at path once no box uses it (another boxlaunch may,
 * concurrently). */
static void rmdir_if_unused(int rootfd, const char *path, bool fake)
{
        _cleanup_free_ char *dir = xstrndup(path, strcspn(path, "/"));
        if (fake) {
                _cleanup_dir_ DIR *d = opendir_at(rootfd, dir, O_NOFOLLOW);
                if (!d)
                        return;
                struct dirent *de;
                while ((de = readdir(d)))
                        if (!streq(de->d_name, ".") && !streq(de->d_name, "..") &&
                            is_dir_entry(dirfd(d), de))
                                return;
                (void)rm_tree_at(rootfd, dir, true);
                return;
        }
        (void)unlinkat(rootfd, dir, AT_REMOVEDIR); /* EBUSY/ENOTEMPTY: still in use */
}

/* Is the group at cg->path still the one d->fd opened, not a newer one that took the path since
 * (a stale struct destroyed after its groups were collected and re-created)? */
static bool still_ours(const struct box_cgroup *cg, const struct cg_dir *d)
{
        struct stat ours, now;
        return fstat(d->fd, &ours) == 0 &&
               fstatat(d->rootfd, cg->path, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
               ours.st_dev == now.st_dev && ours.st_ino == now.st_ino;
}

static int cg_remove(struct box_cgroup *cg)
{
        int r = 0;
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                struct cg_dir *d = &cg->dirs[h];
                if (d->fd < 0)
                        continue;
                bool same = still_ours(cg, d);
                closep(&d->fd);
                d->fd = -1;
                if (d->alias_of >= 0 || !same)
                        continue;
                int k = rm_tree_at(d->rootfd, cg->path, cg->fake);
                if (k < 0) {
                        log_error_errno(k, "Cannot remove cgroup %s in %s", cg->path,
                                        cg_hier_name(h));
                        if (r == 0)
                                r = k;
                }
                if (cg->auto_parent)
                        rmdir_if_unused(d->rootfd, cg->path, cg->fake);
        }
        return r;
}

/* The common end of a box: its pid namespace took every process with it, and each group goes
 * with one rmdir. A group that cannot (a process left, a nested group) stays open for the long
 * way. The freezer group, which `pause` makes only when needed, goes too if it exists. */
static int cg_remove_fast(struct box_cgroup *cg)
{
        int busy = 0;
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                struct cg_dir *d = &cg->dirs[h];
                if (d->rootfd < 0 || d->alias_of >= 0)
                        continue;
                if (d->fd < 0) {
                        if (h != CG_FREEZER || cg->fake)
                                continue;
                        if (unlinkat(d->rootfd, cg->path, AT_REMOVEDIR) == 0) {
                                if (cg->auto_parent)
                                        rmdir_if_unused(d->rootfd, cg->path, false);
                                continue;
                        }
                        if (errno == ENOENT)
                                continue;
                        d->fd = openat(d->rootfd, cg->path,
                                       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        busy += d->fd >= 0;
                        continue;
                }
                if (cg->fake || !still_ours(cg, d) ||
                    unlinkat(d->rootfd, cg->path, AT_REMOVEDIR) < 0) {
                        busy++;
                        continue;
                }
                closep(&d->fd);
                d->fd = -1;
                if (cg->auto_parent)
                        rmdir_if_unused(d->rootfd, cg->path, false);
        }
        return busy ? -EBUSY : 0;
}

void cgroup_destroy(struct box_cgroup *cg)
{
        if (!cg)
                return;
        if (cg_remove_fast(cg) < 0) {
                (void)cg_kill(cg);
                (void)cg_remove(cg);
        }
        cg_free(cg);
}

/* Opens the existing group `path` in every hierarchy; returns how many exist. */
static int cg_open_existing(struct box_cgroup *cg)
{
        int n = 0;
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                struct cg_dir *d = &cg->dirs[h];
                if (d->rootfd < 0)
                        continue;
                d->fd = openat(d->rootfd, cg->path,
                               O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (d->fd >= 0)
                        n++;
        }
        return n;
}

static bool path_ok(const char *p)
{
        /* Relative, no empty, "." or ".." components: it must stay below each root. */
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

static char *gc_path(const char *name_or_path)
{
        if (strchr(name_or_path, '/'))
                return xstrdup(name_or_path);
        return cgroup_auto_path(name_or_path);
}

static bool is_auto_path(const char *path)
{
        const char *parent = cgroup_auto_parent();
        size_t n = parent ? strlen(parent) : 0;
        return parent && strncmp(path, parent, n) == 0 && path[n] == '/' &&
               !strchr(path + n + 1, '/');
}

static int gc_at(const char *root, const char *path)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = cg_new(root, &cg);
        if (r < 0)
                return r;
        cg->path = xstrdup(path);
        cg->auto_parent = is_auto_path(path);
        if (cg_open_existing(cg) == 0)
                return 0;
        r = cg_kill(cg);
        int k = cg_remove(cg);
        return r < 0 ? r : k;
}

int cgroup_gc(const char *root, const char *name_or_path)
{
        _cleanup_free_ char *path = gc_path(name_or_path);
        if (!path)
                return -EINVAL; /* logged */
        if (!path_ok(path))
                return log_error_errno(-EINVAL, "Invalid cgroup path \"%s\"", path);
        return gc_at(root, path);
}

/* --- creation ---------------------------------------------------------------------------- */

static bool set(uint64_t v)
{
        return v != BOX_LIMIT_UNSET;
}

int cg_check_limits(const struct box_limits *l)
{
        if (set(l->cpu_weight) && (l->cpu_weight < 1 || l->cpu_weight > 10000))
                return log_error_errno(-EINVAL, "CPUWeight=%" PRIu64 ": must be 1..10000",
                                       l->cpu_weight);
        if (set(l->io_weight) && (l->io_weight < 1 || l->io_weight > 10000))
                return log_error_errno(-EINVAL, "IOWeight=%" PRIu64 ": must be 1..10000",
                                       l->io_weight);
        uint64_t period = 100000;
        if (set(l->cpu_period_usec) && l->cpu_period_usec != 0) {
                /* The kernel's CFS bandwidth bounds: 1 ms .. 1 s. */
                if (l->cpu_period_usec < 1000 || l->cpu_period_usec > 1000000)
                        return log_error_errno(-EINVAL,
                                               "CPUQuotaPeriodSec=%" PRIu64 "us: must be 1ms..1s",
                                               l->cpu_period_usec);
                period = l->cpu_period_usec;
        }
        if (set(l->cpu_quota_ppm)) {
                if (l->cpu_quota_ppm > UINT64_MAX / period ||
                    l->cpu_quota_ppm * period / 1000000 < 1000)
                        return log_error_errno(-EINVAL,
                                               "CPUQuota: %" PRIu64
                                               " ppm gives less than 1ms per %" PRIu64
                                               "us period, or overflows",
                                               l->cpu_quota_ppm, period);
        }
        return 0;
}

static bool io_max_set(const struct box_limits *l)
{
        for (size_t i = 0; i < l->n_io; i++)
                if (l->io[i].rbps || l->io[i].wbps || l->io[i].riops || l->io[i].wiops)
                        return true;
        return false;
}

/* cgroup2 controller names, indexed by CG2_* bit number. */
static const char *const v2_names[] = {"cpuset", "cpu", "io", "memory", "pids"};

static const char *v2_name(unsigned bit)
{
        for (size_t i = 0; i < ARRAY_SIZE(v2_names); i++)
                if (bit == 1u << i)
                        return v2_names[i];
        return "?";
}

/* The CG2_* bits named in a cgroup.controllers or cgroup.subtree_control file. */
static unsigned v2_mask_at(int dirfd, const char *file)
{
        _cleanup_free_ char *s = NULL;
        unsigned m = 0;
        if (read_file_at(dirfd, file, &s, 4096) < 0)
                return 0;
        char *save = NULL;
        for (char *tok = strtok_r(s, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
                for (size_t i = 0; i < ARRAY_SIZE(v2_names); i++)
                        if (streq(tok + (*tok == '+'), v2_names[i]))
                                m |= 1u << i;
        return m;
}

static unsigned v2_available(const struct box_cgroup *cg)
{
        int fd = cg->dirs[CG_V2].rootfd;
        return fd < 0 ? 0 : v2_mask_at(fd, "cgroup.controllers");
}

/* Decides which hierarchies get a group: need[] for v1, cg->v2_ctrls for cgroup2. */
static int plan(struct box_cgroup *cg, const struct box_limits *l, unsigned flags,
                bool need[_CG_HIER_MAX])
{
        /* A hard limit (hard_key) without its controller fails the start; a relative weight
         * alone (weight_key) is a warning, and the box goes without the group. */
        const struct {
                enum cg_hier v1;
                unsigned v2;
                bool always;
                const char *hard_key, *weight_key;
        } wants[] = {
                {CG_MEMORY, CG2_MEMORY, true,
                 set(l->memory_max)        ? "MemoryMax"
                 : set(l->memory_high)     ? "MemoryHigh"
                 : set(l->memory_swap_max) ? "MemorySwapMax"
                                           : NULL,
                 NULL},
                {CG_PIDS, CG2_PIDS, true, set(l->tasks_max) ? "TasksMax" : NULL, NULL},
                {CG_CPU, CG2_CPU, false,
                 set(l->cpu_quota_ppm)                               ? "CPUQuota"
                 : set(l->cpu_period_usec) && l->cpu_period_usec > 0 ? "CPUQuotaPeriodSec"
                                                                     : NULL,
                 set(l->cpu_weight) ? "CPUWeight" : NULL},
                {CG_CPUSET, CG2_CPUSET, false,
                 l->cpuset_cpus   ? "AllowedCPUs"
                 : l->cpuset_mems ? "AllowedMemoryNodes"
                                  : NULL,
                 NULL},
                {CG_BLKIO, CG2_IO, false,
                 io_max_set(l) ? "IOReadBandwidthMax/IOWriteBandwidthMax/IOReadIOPSMax/"
                                 "IOWriteIOPSMax"
                               : NULL,
                 set(l->io_weight) ? "IOWeight" : NULL},
        };
        unsigned avail = v2_available(cg);

        for (size_t i = 0; i < ARRAY_SIZE(wants); i++) {
                if (!wants[i].hard_key && !wants[i].weight_key && !wants[i].always)
                        continue;
                const char *ctrl = cg->layout == CGROUP_LAYOUT_V2 ? v2_name(wants[i].v2)
                                                                  : cg_hier_name(wants[i].v1);
                char w[PATH_MAX + 128], why[64];
                if (cg->dirs[wants[i].v1].rootfd >= 0)
                        need[wants[i].v1] = true;
                else if (avail & wants[i].v2)
                        cg->v2_ctrls |= wants[i].v2;
                else if (wants[i].hard_key)
                        return log_error_errno(
                                -EOPNOTSUPP, "%s: the %s controller is not available here",
                                cg_key_where(cg, wants[i].hard_key, w, sizeof(w)), ctrl);
                else if (wants[i].weight_key) {
                        snprintf(why, sizeof(why), "the %s controller is not available here", ctrl);
                        cg_weight_ignored(cg, wants[i].weight_key, why);
                }
        }
        /* Every group costs a mkdir, a join and an rmdir at each start: an application box
         * gets, besides its limits, only devices (the device policy); `pause` makes its freezer
         * group when asked, and `stats` sums CPU time from /proc without cpuacct. A machine box
         * also gets cpuacct and freezer, and name=systemd and (on a hybrid host) the cgroup2
         * group, which its systemd manages. */
        bool machine = flags & CGROUP_MACHINE;
        static const enum cg_hier extra[] = {CG_DEVICES, CG_CPUACCT, CG_FREEZER};
        for (size_t i = 0; i < (machine ? ARRAY_SIZE(extra) : 1); i++)
                if (cg->dirs[extra[i]].rootfd >= 0)
                        need[extra[i]] = true;
        if (machine && cg->dirs[CG_SYSTEMD].rootfd >= 0)
                need[CG_SYSTEMD] = true;
        if (cg->dirs[CG_V2].rootfd >= 0 &&
            (machine || cg->layout == CGROUP_LAYOUT_V2 || cg->v2_ctrls))
                need[CG_V2] = true;
        /* An alias (cpu,cpuacct mounted once) shares the group of the first name. */
        for (size_t h = 0; h < _CG_HIER_MAX; h++)
                if (cg->dirs[h].alias_of >= 0) {
                        if (need[h])
                                need[cg->dirs[h].alias_of] = true;
                        need[h] = false;
                }
        return 0;
}

/* The own cgroup in the hierarchy whose /proc/self/cgroup entry has `ctrls` ("" = cgroup2). */
static int own_cgroup(const char *ctrls, char **ret)
{
        _cleanup_free_ char *s = NULL;
        int r = read_file_at(AT_FDCWD, "/proc/self/cgroup", &s, 1 << 16);
        if (r < 0)
                return r;
        char *save_line = NULL;
        for (char *line = strtok_r(s, "\n", &save_line); line;
             line = strtok_r(NULL, "\n", &save_line)) {
                char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
                if (!b)
                        continue;
                if ((size_t)(b - a - 1) == strlen(ctrls) && strncmp(a + 1, ctrls, b - a - 1) == 0) {
                        *ret = xstrdup(b + 1);
                        return 0;
                }
        }
        return -ENOENT;
}

/* Running delegated: systemd started us (INVOCATION_ID) and our own cgroup in the primary
 * hierarchy is below the root and writable. Then we move to <own>/supervisor and the box gets
 * <own>/payload, as nspawn does: cgroup2 allows no processes in inner groups. */
static int delegated_path(struct box_cgroup *cg, char **ret)
{
        enum cg_hier h = cg->layout == CGROUP_LAYOUT_V1 ? CG_SYSTEMD : CG_V2;
        _cleanup_free_ char *own = NULL;

        if (cg->fake || !getenv("INVOCATION_ID") || cg->dirs[h].rootfd < 0 ||
            own_cgroup(h == CG_V2 ? "" : "name=systemd", &own) < 0 || streq(own, "/"))
                return 0;
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", own + 1);
        if (faccessat(cg->dirs[h].rootfd, procs, W_OK, 0) < 0)
                return 0;

        _cleanup_free_ char *sup = xasprintf("%s/supervisor", own + 1);
        if (mkdirat(cg->dirs[h].rootfd, sup, 0755) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "Cannot create cgroup %s", sup);
        _cleanup_close_ int fd =
                openat(cg->dirs[h].rootfd, sup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char pid[32];
        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        int r = fd < 0 ? negative_errno() : cg_write(cg, fd, "cgroup.procs", pid, false);
        if (r < 0)
                return log_error_errno(r, "Cannot move ourselves to cgroup %s", sup);
        *ret = xasprintf("%s/payload", own + 1);
        return 1;
}

/* A new v1 cpuset group starts with empty cpus/mems and cannot take tasks: copy the parent's
 * into each component of path that is still empty. */
static int seed_cpuset(const struct box_cgroup *cg, int rootfd, const char *path)
{
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        _cleanup_free_ char *p = xstrdup(path);
        _cleanup_close_ int parent = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0)
                return -errno;
        char *save_comp = NULL;
        for (char *comp = strtok_r(p, "/", &save_comp); comp;
             comp = strtok_r(NULL, "/", &save_comp)) {
                _cleanup_close_ int fd = openat(parent, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                        _cleanup_free_ char *cur = NULL, *up = NULL;
                        if (read_file_at(fd, files[i], &cur, 4096) == 0 &&
                            cur[strspn(cur, " \n")] != 0)
                                continue;
                        int r = read_file_at(parent, files[i], &up, 4096);
                        if (r < 0)
                                return log_error_errno(r, "Cannot read the parent's %s", files[i]);
                        up[strcspn(up, "\n")] = 0;
                        r = cg_write(cg, fd, files[i], up, false);
                        if (r < 0)
                                return log_error_errno(r, "Cannot seed %s of %s", files[i], comp);
                }
                closep(&parent);
                parent = TAKE_FD(fd);
        }
        return 0;
}

/* cgroup2 hands a controller to a group only if every ancestor enables it for its children.
 * Only missing ones are written: ancestors above a delegated group belong to systemd. */
static int enable_v2_controllers(const struct box_cgroup *cg)
{
        if (!cg->v2_ctrls)
                return 0;
        _cleanup_free_ char *p = xstrdup(cg->path);
        size_t len = strlen(p);
        /* Every proper prefix of the path, from the hierarchy root (".") down to the parent. */
        for (size_t end = 0; end < len; end++) {
                if (end != 0 && p[end] != '/')
                        continue;
                char saved = p[end];
                p[end] = 0;
                const char *dir = end == 0 ? "." : p;
                _cleanup_close_ int fd =
                        openat(cg->dirs[CG_V2].rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int r = fd < 0 ? negative_errno() : 0;
                char buf[64] = "";
                unsigned missing =
                        fd < 0 ? 0 : cg->v2_ctrls & ~v2_mask_at(fd, "cgroup.subtree_control");
                for (size_t i = 0; i < ARRAY_SIZE(v2_names); i++)
                        if (missing & (1u << i)) {
                                size_t n = strlen(buf);
                                snprintf(buf + n, sizeof(buf) - n, "%s+%s", n ? " " : "",
                                         v2_names[i]);
                        }
                if (r == 0 && buf[0])
                        r = cg_write(cg, fd, "cgroup.subtree_control", buf, false);
                if (r < 0)
                        log_error_errno(r, "Cannot enable controllers \"%s\" in %s", buf,
                                        end == 0 ? "the cgroup2 root" : dir);
                p[end] = saved;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int make_dir(struct box_cgroup *cg, enum cg_hier h)
{
        struct cg_dir *d = &cg->dirs[h];
        _cleanup_free_ char *parent = xstrdup(cg->path);
        char *slash = strrchr(parent, '/');
        int r;

        /* Retry: a concurrent boxlaunch may drop an empty boxlaunch/ between our two mkdirs. */
        for (int attempt = 0;; attempt++) {
                if (slash) {
                        *slash = 0;
                        r = mkdir_p_at(d->rootfd, parent, 0755);
                        *slash = '/';
                        if (r < 0)
                                return log_error_errno(r, "Cannot create cgroup %s in %s", parent,
                                                       cg_hier_name(h));
                }
                if (mkdirat(d->rootfd, cg->path, 0755) == 0)
                        break;
                r = -errno;
                if (r == -ENOENT && attempt < 3)
                        continue;
                if (r == -EEXIST)
                        return log_error_errno(r, "cgroup %s exists already in %s", cg->path,
                                               cg_hier_name(h));
                return log_error_errno(r, "Cannot create cgroup %s in %s", cg->path,
                                       cg_hier_name(h));
        }
        d->fd = openat(d->rootfd, cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (d->fd < 0) {
                r = negative_errno();
                (void)unlinkat(d->rootfd, cg->path, AT_REMOVEDIR);
                return log_error_errno(r, "Cannot open cgroup %s", cg->path);
        }
        return 0;
}

int cgroup_create(const char *root, const char *name, const struct box_limits *l,
                  const struct box_device *devs, size_t n_devs, struct box_cgroup **ret)
{
        return cgroup_create_for(root, name, l, devs, n_devs, CGROUP_MACHINE, ret);
}

int cgroup_create_for(const char *root, const char *name, const struct box_limits *l,
                      const struct box_device *devs, size_t n_devs, unsigned flags,
                      struct box_cgroup **ret)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        bool need[_CG_HIER_MAX] = {false};
        static const struct box_limits no_limits = {
                .memory_max = BOX_LIMIT_UNSET,
                .memory_high = BOX_LIMIT_UNSET,
                .memory_swap_max = BOX_LIMIT_UNSET,
                .cpu_quota_ppm = BOX_LIMIT_UNSET,
                .cpu_period_usec = BOX_LIMIT_UNSET,
                .cpu_weight = BOX_LIMIT_UNSET,
                .tasks_max = BOX_LIMIT_UNSET,
                .io_weight = BOX_LIMIT_UNSET,
        };
        int r;

        if (!l)
                l = &no_limits;

        if (!name || !*name || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return log_error_errno(-EINVAL, "Invalid box name for a cgroup: \"%s\"",
                                       name ? name : "");
        r = cg_check_limits(l);
        if (r < 0)
                return r;
        r = devices_check(devs, n_devs);
        if (r < 0)
                return r;
        r = cg_new(root, &cg);
        if (r < 0)
                return r;
        cg->limits = l;

        if (l->parent) {
                /* Slice-like parent: the box's own group goes below it. */
                const char *p = l->parent + strspn(l->parent, "/");
                size_t len = strlen(p);
                while (len > 0 && p[len - 1] == '/')
                        len--;
                cg->path = len ? xasprintf("%.*s/%s" BOX_SUFFIX, (int)len, p, name)
                               : xasprintf("%s" BOX_SUFFIX, name);
        } else {
                r = delegated_path(cg, &cg->path);
                if (r < 0)
                        return r;
                if (r == 0) {
                        cg->path = cgroup_auto_path(name);
                        if (!cg->path)
                                return -EINVAL; /* logged */
                        cg->auto_parent = true;
                }
        }
        if (!path_ok(cg->path))
                return log_error_errno(-EINVAL, "Invalid cgroup path \"%s\"", cg->path);

        r = plan(cg, l, flags, need);
        if (r < 0)
                return r;
        if (cg->layout == CGROUP_LAYOUT_V1 && !need[CG_DEVICES])
                return log_error_errno(-EOPNOTSUPP,
                                       "No devices controller: cannot enforce the device policy");

        /* Same path there already: the leftover of a box whose supervisor died (the state lock
         * makes sure no live box has this name). */
        for (size_t h = 0; h < _CG_HIER_MAX; h++)
                if (cg->dirs[h].rootfd >= 0 && cg->dirs[h].alias_of < 0 &&
                    faccessat(cg->dirs[h].rootfd, cg->path, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
                        log_warn("Removing the stale cgroup %s left by an earlier run", cg->path);
                        r = gc_at(root, cg->path);
                        if (r < 0)
                                return log_error_errno(r, "Cannot remove the stale cgroup %s",
                                                       cg->path);
                        break;
                }

        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                if (!need[h])
                        continue;
                r = make_dir(cg, h);
                if (r < 0)
                        goto fail;
                if (h == CG_CPUSET) {
                        r = seed_cpuset(cg, cg->dirs[h].rootfd, cg->path);
                        if (r < 0)
                                goto fail;
                }
        }
        /* An alias hierarchy shares the group made under its first name. */
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                int o = cg->dirs[h].alias_of;
                if (o >= 0 && cg->dirs[o].fd >= 0) {
                        cg->dirs[h].fd = fcntl(cg->dirs[o].fd, F_DUPFD_CLOEXEC, 3);
                        if (cg->dirs[h].fd < 0) {
                                r = negative_errno();
                                goto fail;
                        }
                }
        }

        if (cg->dirs[CG_V2].fd >= 0) {
                r = enable_v2_controllers(cg);
                if (r < 0)
                        goto fail;
        }

        r = cg_v1_write_limits(cg, l);
        if (r < 0)
                goto fail;
        r = cg_v2_write_limits(cg, l);
        if (r < 0)
                goto fail;

        if (cg->dirs[CG_DEVICES].fd >= 0)
                r = devices_apply_v1(cg, cg->dirs[CG_DEVICES].fd, devs, n_devs);
        else if (cg->dirs[CG_V2].fd >= 0 && cg->fake) {
                /* No kernel to attach to: still build the program, to catch bad rules. */
                _cleanup_free_ struct bpf_insn *prog = NULL;
                size_t len;
                r = devices_build_bpf(devs, n_devs, &prog, &len);
        } else if (cg->dirs[CG_V2].fd >= 0)
                r = devices_attach_bpf(cg->dirs[CG_V2].fd, devs, n_devs);
        if (r < 0)
                goto fail;

        log_debug("cgroup %s created (%s)", cg->path, cgroup_layout_to_string(cg->layout));
        cg->limits = NULL; /* borrowed for the messages above only */
        *ret = TAKE_PTR(cg);
        return 0;

fail:
        cgroup_destroy(TAKE_PTR(cg));
        return r;
}

int cgroup_attach(struct box_cgroup *cg, pid_t pid)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                struct cg_dir *d = &cg->dirs[h];
                if (d->fd < 0 || d->alias_of >= 0)
                        continue;
                int r = cg_write(cg, d->fd, "cgroup.procs", buf, cg->fake);
                if (r < 0)
                        return log_error_errno(r, "Cannot move %s into cgroup %s (%s)", buf,
                                               cg->path, cg_hier_name(h));
        }
        return 0;
}

int cgroup_join_fds(const struct box_cgroup *cg, bool with_v2, int fds[static CGROUP_JOIN_MAX])
{
        int n = 0;
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                const struct cg_dir *d = &cg->dirs[h];
                if (d->fd < 0 || d->alias_of >= 0 || (h == CG_V2 && !with_v2))
                        continue;
                /* A fake tree has no interface files: the write just lands in a new file. */
                fds[n] = openat(d->fd, h == CG_V2 ? "cgroup.procs" : "tasks",
                                O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (cg->fake ? O_CREAT : 0), 0644);
                if (fds[n] < 0) {
                        int r = negative_errno();
                        close_many(fds, n);
                        return log_error_errno(r, "Cannot open the %s file of cgroup %s (%s)",
                                               h == CG_V2 ? "cgroup.procs" : "tasks", cg->path,
                                               cg_hier_name(h));
                }
                n++;
        }
        return n;
}

int cgroup_join_self(const int *fds, int n)
{
        for (int i = 0; i < n; i++)
                if (write(fds[i], "0", 1) != 1)
                        return negative_errno();
        return 0;
}

/* --- by-path operations for the verbs ---------------------------------------------------- */

static int open_path(const char *root, const char *path, struct box_cgroup **ret)
{
        if (!path_ok(path))
                return log_error_errno(-EINVAL, "Invalid cgroup path \"%s\"", path);
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = cg_new(root, &cg);
        if (r < 0)
                return r;
        cg->path = xstrdup(path);
        if (cg_open_existing(cg) == 0)
                return log_error_errno(-ENOENT, "No cgroup %s under %s", path, root);
        *ret = TAKE_PTR(cg);
        return 0;
}

static int wait_for(int dirfd, const char *file, const char *key, const char *want)
{
        for (unsigned step = 0; step < WAIT_STEPS; step++) {
                _cleanup_free_ char *s = NULL;
                int r = read_file_at(dirfd, file, &s, 1 << 16);
                if (r < 0)
                        return r;
                if (key) {
                        uint64_t v;
                        if (read_keyed(dirfd, file, key, &v) == 0 && v == strtoull(want, NULL, 10))
                                return 0;
                } else {
                        s[strcspn(s, "\n")] = 0;
                        if (streq(s, want))
                                return 0;
                }
                sleep_10ms();
        }
        return -ETIMEDOUT;
}

/* A group of the box that holds every one of its processes (an application box on v1 has no
 * freezer or cpuacct group), or -1. */
static int member_fd(const struct box_cgroup *cg)
{
        static const enum cg_hier members[] = {CG_PIDS, CG_MEMORY, CG_DEVICES};
        for (size_t i = 0; i < ARRAY_SIZE(members); i++)
                if (cg->dirs[members[i]].fd >= 0)
                        return cg->dirs[members[i]].fd;
        return -1;
}

/* Moves the process pidfd stands for, pid, into the box's new freezer group. Only a number can
 * be written; the pidfd says afterwards whether it still named our process. If the process died
 * in between, the number may have gone to a process of the host: one that is not in the box's
 * group `ref` is put back into the freezer hierarchy's root, where the host's processes are. */
static int move_checked(struct box_cgroup *cg, int pidfd, pid_t pid, int ref)
{
        struct cg_dir *f = &cg->dirs[CG_FREEZER];
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        int r = cg_write(cg, f->fd, "cgroup.procs", buf, false);
        if (sys_pidfd_send_signal(pidfd, 0, NULL, 0) == 0)
                return r; /* still alive: it was ours */
        if (r < 0)
                return -ESRCH;
        _cleanup_free_ pid_t *members = NULL;
        size_t n = 0;
        (void)collect_pids(ref, &members, &n);
        n = sort_unique(members, n);
        if (!pid_listed(members, n, pid) &&
            cg_write(cg, f->rootfd, "cgroup.procs", buf, false) == 0)
                log_warn("pid %s was reused while the box was being paused; moved it back", buf);
        return -ESRCH;
}

/* pause on a v1 box without a freezer group: make it and move every process of the box into
 * it, again until a pass finds none left outside (a process forked meanwhile by one not yet
 * moved shows up in the next pass; one forked by a moved one is born inside). */
static int freezer_join_all(struct box_cgroup *cg)
{
        struct cg_dir *f = &cg->dirs[CG_FREEZER];
        _cleanup_free_ char *parent = xstrdup(cg->path);
        char *slash = strrchr(parent, '/');
        if (slash) {
                *slash = 0;
                int r = mkdir_p_at(f->rootfd, parent, 0755);
                if (r < 0)
                        return r;
        }
        if (mkdirat(f->rootfd, cg->path, 0755) < 0 && errno != EEXIST)
                return -errno;
        f->fd = openat(f->rootfd, cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (f->fd < 0)
                return -errno;
        int ref = member_fd(cg);
        if (ref < 0)
                return -ENOENT;
        for (unsigned pass = 0; pass < WAIT_STEPS; pass++) {
                _cleanup_free_ pid_t *all = NULL, *in = NULL, *now = NULL;
                size_t n_all = 0, n_in = 0, n_now = 0, moved = 0;
                int r = collect_pids(ref, &all, &n_all);
                if (r < 0 || (r = collect_pids(f->fd, &in, &n_in)) < 0)
                        return r;
                n_all = sort_unique(all, n_all);
                n_in = sort_unique(in, n_in);
                /* Pidfds, then the box's group read again (see open_pidfds()). */
                int *fds = open_pidfds(all, n_all);
                r = collect_pids(ref, &now, &n_now);
                n_now = sort_unique(now, n_now);
                for (size_t i = 0; r >= 0 && i < n_all; i++) {
                        if (fds[i] < 0 || pid_listed(in, n_in, all[i]) ||
                            !pid_listed(now, n_now, all[i]))
                                continue;
                        r = move_checked(cg, fds[i], all[i], ref);
                        if (r == -ESRCH)
                                r = 0; /* gone meanwhile */
                        else if (r >= 0)
                                moved++;
                }
                close_pidfds(fds, n_all);
                if (r < 0)
                        return r;
                if (moved == 0)
                        return 0;
        }
        return -ETIMEDOUT;
}

int cgroup_freeze(const char *root, const char *path, bool freeze)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = open_path(root, path, &cg);
        if (r < 0)
                return r;

        if (cg->dirs[CG_FREEZER].fd < 0 && cg->dirs[CG_FREEZER].rootfd >= 0 && !cg->fake) {
                if (!freeze)
                        return 0; /* never frozen */
                r = freezer_join_all(cg);
                if (r < 0)
                        return log_error_errno(r,
                                               "Cannot move the processes of %s into a freezer "
                                               "group",
                                               path);
        }
        int fd = cg->dirs[CG_FREEZER].fd;
        if (fd >= 0) {
                const char *state = freeze ? "FROZEN" : "THAWED";
                r = cg_write(cg, fd, "freezer.state", state, false);
                if (r >= 0 && !cg->fake)
                        r = wait_for(fd, "freezer.state", NULL, state);
        } else if ((fd = cg->dirs[CG_V2].fd) >= 0) {
                r = cg_write(cg, fd, "cgroup.freeze", freeze ? "1" : "0", false);
                if (r >= 0 && !cg->fake)
                        r = wait_for(fd, "cgroup.events", "frozen", freeze ? "1" : "0");
        } else
                r = -EOPNOTSUPP;
        if (r < 0)
                return log_error_errno(r, "Cannot %s cgroup %s", freeze ? "freeze" : "thaw", path);
        return 0;
}

int cgroup_pids(const char *root, const char *path, pid_t **ret, size_t *n)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = open_path(root, path, &cg);
        if (r < 0)
                return r;
        /* Any hierarchy holds every process of the box; prefer the ones always created. */
        static const enum cg_hier order[] = {CG_V2,      CG_PIDS,    CG_FREEZER, CG_MEMORY,
                                             CG_DEVICES, CG_SYSTEMD, CG_CPUACCT};
        for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
                int fd = cg->dirs[order[i]].fd;
                if (fd < 0)
                        continue;
                _cleanup_free_ pid_t *v = NULL;
                size_t k = 0;
                r = collect_pids(fd, &v, &k);
                if (r < 0)
                        return log_error_errno(r, "Cannot read the processes of %s", path);
                *n = sort_unique(v, k);
                *ret = TAKE_PTR(v);
                return 0;
        }
        return -ENOENT;
}

/* blkio.throttle.io_service_bytes_recursive ("MAJ:MIN Read N") or io.stat ("MAJ:MIN rbytes=N
 * wbytes=N ..."): totals over every device. */
static void sum_io(int dirfd, const char *file, bool v2, uint64_t *rd, uint64_t *wr)
{
        _cleanup_free_ char *s = NULL;
        if (read_file_at(dirfd, file, &s, 1 << 20) < 0)
                return;
        char *save_line = NULL;
        for (char *line = strtok_r(s, "\n", &save_line); line;
             line = strtok_r(NULL, "\n", &save_line)) {
                if (v2) {
                        char *p = strstr(line, "rbytes=");
                        if (p)
                                *rd += strtoull(p + 7, NULL, 10);
                        p = strstr(line, "wbytes=");
                        if (p)
                                *wr += strtoull(p + 7, NULL, 10);
                        continue;
                }
                char op[16];
                unsigned long long v;
                if (sscanf(line, "%*s %15s %llu", op, &v) != 2)
                        continue;
                if (streq(op, "Read"))
                        *rd += v;
                else if (streq(op, "Write"))
                        *wr += v;
        }
}

/* CPU time of the box without a cpuacct group (v1 application boxes): user and system time of
 * its processes and of the children they reaped, from /proc. PID 1 reaps every orphan, so only
 * processes whose parent ignores SIGCHLD are missed. */
static uint64_t procs_cpu_usec(const struct box_cgroup *cg)
{
        _cleanup_free_ pid_t *v = NULL;
        size_t n = 0;
        int ref = member_fd(cg);
        if (ref >= 0)
                (void)collect_pids(ref, &v, &n);
        n = sort_unique(v, n);
        long tck = sysconf(_SC_CLK_TCK);
        uint64_t ticks = 0;
        for (size_t i = 0; i < n; i++) {
                char path[64];
                _cleanup_free_ char *st = NULL;
                snprintf(path, sizeof(path), "/proc/%d/stat", (int)v[i]);
                if (read_file_at(AT_FDCWD, path, &st, 4096) < 0)
                        continue;
                const char *p = strrchr(st, ')'); /* comm may hold anything */
                unsigned long long ut, stt, cut, cst;
                /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime... */
                if (p && sscanf(p + 1,
                                " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
                                &ut, &stt, &cut, &cst) == 4)
                        ticks += ut + stt + cut + cst;
        }
        return tck > 0 ? ticks * 1000000 / (uint64_t)tck : 0;
}

int cgroup_stats(const char *root, const char *path, struct box_cgroup_stats *ret)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = open_path(root, path, &cg);
        if (r < 0)
                return r;
        struct box_cgroup_stats s = {0};
        const struct cg_dir *d = cg->dirs;
        int v2 = d[CG_V2].fd;

        if (d[CG_CPUACCT].fd >= 0) {
                uint64_t ns;
                if (cg_read_u64(d[CG_CPUACCT].fd, "cpuacct.usage", &ns) == 0)
                        s.cpu_usage_usec = ns / 1000;
        } else if (v2 >= 0)
                (void)read_keyed(v2, "cpu.stat", "usage_usec", &s.cpu_usage_usec);
        else
                s.cpu_usage_usec = procs_cpu_usec(cg);

        if (d[CG_MEMORY].fd >= 0) {
                (void)cg_read_u64(d[CG_MEMORY].fd, "memory.usage_in_bytes", &s.memory_current);
                (void)cg_read_u64(d[CG_MEMORY].fd, "memory.max_usage_in_bytes", &s.memory_peak);
        } else if (v2 >= 0) {
                (void)cg_read_u64(v2, "memory.current", &s.memory_current);
                (void)cg_read_u64(v2, "memory.peak", &s.memory_peak);
        }

        if (d[CG_PIDS].fd >= 0)
                (void)cg_read_u64(d[CG_PIDS].fd, "pids.current", &s.pids_current);
        else if (v2 >= 0)
                (void)cg_read_u64(v2, "pids.current", &s.pids_current);

        if (d[CG_BLKIO].fd >= 0)
                sum_io(d[CG_BLKIO].fd, "blkio.throttle.io_service_bytes_recursive", false,
                       &s.io_read_bytes, &s.io_write_bytes);
        else if (v2 >= 0)
                sum_io(v2, "io.stat", true, &s.io_read_bytes, &s.io_write_bytes);

        *ret = s;
        return 0;
}

int cgroup_oom_kills(const struct box_cgroup *cg, uint64_t *ret)
{
        *ret = 0;
        if (!cg)
                return -EINVAL;
        /* v2: memory.events (when the memory controller is on the cgroup2 group); v1:
         * memory.oom_control. Both count kills by the OOM killer inside the group. */
        if (cg->dirs[CG_V2].fd >= 0 &&
            read_keyed(cg->dirs[CG_V2].fd, "memory.events", "oom_kill", ret) == 0 && *ret)
                return 0;
        if (cg->dirs[CG_MEMORY].fd >= 0)
                return read_keyed(cg->dirs[CG_MEMORY].fd, "memory.oom_control", "oom_kill", ret);
        return -ENOENT;
}

int cgroup_chown(const struct box_cgroup *cg, uid_t uid, gid_t gid)
{
        /* Only the hierarchies a booted init manages itself: name=systemd and cgroup2. */
        static const enum cg_hier owned[] = {CG_SYSTEMD, CG_V2};
        for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
                int fd = cg->dirs[owned[i]].fd;
                if (fd < 0 || cg->dirs[owned[i]].alias_of >= 0)
                        continue;
                if (fchown(fd, uid, gid) < 0)
                        return -errno;
                _cleanup_dir_ DIR *d = fdopendir(dup(fd));
                if (!d)
                        return -errno;
                rewinddir(d);
                struct dirent *de;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' &&
                            fchownat(fd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                                return -errno;
        }
        return 0;
}
