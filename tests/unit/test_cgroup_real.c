/* test_cgroup_real.c - the cgroup module on this machine's real hierarchy (root only): placement,
 * limits read back, attach, freeze, pids, stats, destroy, gc after a crash, enforcement of
 * TasksMax and MemoryMax, and the cgroup2 device BPF program. Every test's teardown kills its
 * processes and removes its groups, whatever the assertions did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test_fork.h"
#include "cgroup_conf.h"
#include "cgroup/devices.h"
#include "util/log.h"
#include "util/util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

struct fixture {
        char name[64];
        struct box_cgroup *cg;
        pid_t child;
        int go[2];   /* parent -> child: "you are attached" */
        int done[2]; /* child -> parent: a status byte */
        char v2dir[128];
        char tmpdir[64];
};

static void limits_init(struct box_limits *l)
{
        *l = (struct box_limits){
                .memory_max = BOX_LIMIT_UNSET,
                .memory_high = BOX_LIMIT_UNSET,
                .memory_swap_max = BOX_LIMIT_UNSET,
                .cpu_quota_ppm = BOX_LIMIT_UNSET,
                .cpu_period_usec = BOX_LIMIT_UNSET,
                .cpu_weight = BOX_LIMIT_UNSET,
                .tasks_max = BOX_LIMIT_UNSET,
                .io_weight = BOX_LIMIT_UNSET,
        };
}

static int setup(void **state)
{
        struct fixture *f = xcalloc(1, sizeof(*f));
        snprintf(f->name, sizeof(f->name), "t-%d", (int)getpid());
        f->child = -1;
        if (pipe2(f->go, O_CLOEXEC) < 0 || pipe2(f->done, O_CLOEXEC) < 0)
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        if (f->child > 0) {
                kill(f->child, SIGKILL);
                waitpid(f->child, NULL, 0);
        }
        cgroup_destroy(f->cg);
        cgroup_gc(CGROUP_ROOT, f->name);
        if (f->v2dir[0]) {
                static const char *const h[] = {"memory",  "pids",   "freezer", "devices",
                                                "cpuacct", "cpu",    "cpuset",  "blkio",
                                                "systemd", "unified"};
                const char *base = strrchr(f->v2dir, '/') + 1;
                for (size_t i = 0; i < ARRAY_SIZE(h); i++) {
                        _cleanup_free_ char *sup =
                                xasprintf(CGROUP_ROOT "/%s/%s/supervisor", h[i], base);
                        _cleanup_free_ char *pay =
                                xasprintf(CGROUP_ROOT "/%s/%s/payload", h[i], base);
                        _cleanup_free_ char *top = xasprintf(CGROUP_ROOT "/%s/%s", h[i], base);
                        rmdir(pay);
                        rmdir(sup);
                        for (int k = 0; k < 500 && rmdir(top) < 0 && errno == EBUSY; k++)
                                usleep(10000);
                }
        }
        if (f->tmpdir[0]) {
                _cleanup_free_ char *p = xasprintf("%s/mem", f->tmpdir);
                unlink(p);
                rmdir(f->tmpdir);
        }
        for (int i = 0; i < 2; i++) {
                close(f->go[i]);
                close(f->done[i]);
        }
        free(f);
        return 0;
}

static void wait_go(struct fixture *f)
{
        char c;
        close(f->go[1]);
        if (read(f->go[0], &c, 1) != 1)
                _exit(100);
}

static void send_go(struct fixture *f)
{
        assert_int_equal(write(f->go[1], "g", 1), 1);
}

static char read_done(struct fixture *f)
{
        char c = 0;
        assert_int_equal(read(f->done[0], &c, 1), 1);
        return c;
}

static char *read_real(const char *hier, const char *name, const char *file)
{
        _cleanup_free_ char *p = xasprintf(CGROUP_ROOT "/%s/boxlaunch/%s.box/%s", hier, name, file);
        char *s = NULL;
        if (read_file_at(AT_FDCWD, p, &s, 1 << 16) < 0)
                return NULL;
        s[strcspn(s, "\n")] = 0;
        return s;
}

#define assert_real(hier, name, file, want)                                                        \
        do {                                                                                       \
                _cleanup_free_ char *_s = read_real(hier, name, file);                             \
                assert_non_null(_s);                                                               \
                assert_string_equal(_s, want);                                                     \
        } while (0)

static bool any_dir_left(const char *name)
{
        static const char *const h[] = {"memory", "pids",   "freezer", "devices", "cpuacct",
                                        "cpu",    "cpuset", "blkio",   "systemd", "unified"};
        for (size_t i = 0; i < ARRAY_SIZE(h); i++) {
                _cleanup_free_ char *p = xasprintf(CGROUP_ROOT "/%s/boxlaunch/%s.box", h[i], name);
                if (access(p, F_OK) == 0)
                        return true;
        }
        return false;
}

/* An application box: groups only for its limits and the device policy; the child joins them
 * itself (tasks fds); pause makes the freezer group on demand and moves the box into it; stats
 * sums CPU time from /proc; destroy removes the late freezer group too. */
static void test_app_box(void **state)
{
        struct fixture *f = *state;
        struct box_limits l;
        limits_init(&l);
        l.tasks_max = 8;
        assert_int_equal(create_for(CGROUP_ROOT, f->name, &l, NULL, 0, 0, &f->cg), 0);
        _cleanup_free_ char *path = xasprintf("boxlaunch/%s.box", f->name);
        assert_true(cgroup_v2_dirfd(f->cg) < 0); /* hybrid: no cgroup2 group for an app box */
        _cleanup_free_ char *frz = xasprintf(CGROUP_ROOT "/freezer/%s", path);
        _cleanup_free_ char *acct = xasprintf(CGROUP_ROOT "/cpuacct/%s", path);
        _cleanup_free_ char *dev = xasprintf(CGROUP_ROOT "/devices/%s", path);
        assert_int_equal(access(frz, F_OK), -1);
        assert_int_equal(access(acct, F_OK), -1);
        assert_int_equal(access(dev, F_OK), 0);

        int join[CGROUP_JOIN_MAX];
        int n_join = cgroup_join_fds(f->cg, false, join);
        assert_int_equal(n_join, 3); /* memory, pids, devices */
        f->child = test_fork();
        assert_true(f->child >= 0);
        if (f->child == 0) {
                if (cgroup_join_self(join, n_join) < 0)
                        _exit(101);
                if (write(f->done[1], "j", 1) != 1)
                        _exit(102);
                for (volatile unsigned long i = 0; i < 200000000UL; i++)
                        ; /* some CPU time for stats */
                for (;;)
                        pause();
        }
        close_many(join, n_join);
        assert_int_equal(read_done(f), 'j');
        _cleanup_free_ char *cgfile = xasprintf("/proc/%d/cgroup", (int)f->child);
        _cleanup_free_ char *cgs = NULL;
        assert_int_equal(read_file_at(AT_FDCWD, cgfile, &cgs, 1 << 16), 0);
        _cleanup_free_ char *want_pids = xasprintf(":pids:/%s\n", path);
        _cleanup_free_ char *want_dev = xasprintf(":devices:/%s\n", path);
        assert_non_null(strstr(cgs, want_pids));
        assert_non_null(strstr(cgs, want_dev));
        /* No freezer group without pause: the child stays in ours (the runner's, which need
         * not be the root). */
        _cleanup_free_ char *mine = NULL;
        assert_int_equal(read_file_at(AT_FDCWD, "/proc/self/cgroup", &mine, 1 << 16), 0);
        const char *frz_line = strstr(mine, ":freezer:");
        assert_non_null(frz_line);
        _cleanup_free_ char *want_frz = xstrndup(frz_line, strcspn(frz_line, "\n") + 1);
        assert_non_null(strstr(cgs, want_frz));

        assert_int_equal(cgroup_freeze(CGROUP_ROOT, path, true), 0);
        assert_real("freezer", f->name, "freezer.state", "FROZEN");
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", frz);
        _cleanup_free_ char *in = NULL;
        assert_int_equal(read_file_at(AT_FDCWD, procs, &in, 4096), 0);
        assert_int_equal(atoi(in), f->child);
        assert_int_equal(cgroup_freeze(CGROUP_ROOT, path, false), 0);
        assert_real("freezer", f->name, "freezer.state", "THAWED");

        usleep(300000);
        struct box_cgroup_stats st;
        assert_int_equal(cgroup_stats(CGROUP_ROOT, path, &st), 0);
        assert_true(st.cpu_usage_usec > 0);
        assert_int_equal(st.pids_current, 1);

        kill(f->child, SIGKILL);
        waitpid(f->child, NULL, 0);
        f->child = -1;
        cgroup_destroy(TAKE_PTR(f->cg));
        assert_false(any_dir_left(f->name));
}

static void test_lifecycle(void **state)
{
        struct fixture *f = *state;
        struct box_limits l;
        limits_init(&l);
        l.memory_max = 32 << 20;
        l.tasks_max = 16;
        l.cpu_quota_ppm = 500000; /* 50% */

        enum cgroup_layout layout;
        assert_int_equal(cgroup_detect(CGROUP_ROOT, &layout), 0);
        assert_int_equal(layout, CGROUP_LAYOUT_HYBRID);

        assert_int_equal(create(CGROUP_ROOT, f->name, &l, NULL, 0, &f->cg), 0);
        _cleanup_free_ char *path = xasprintf("boxlaunch/%s.box", f->name);
        assert_string_equal(cgroup_path(f->cg), path);
        assert_true(cgroup_v2_dirfd(f->cg) >= 0);

        f->child = test_fork();
        assert_true(f->child >= 0);
        if (f->child == 0) {
                wait_go(f);
                /* Charge some memory to the new group, and try the device policy. */
                size_t n = 4 << 20;
                char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (m == MAP_FAILED)
                        _exit(101);
                memset(m, 1, n);
                int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                int kmsg_fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
                char c = null_fd >= 0 && kmsg_fd < 0 && errno == EPERM ? 'o' : 'd';
                if (write(f->done[1], &c, 1) != 1)
                        _exit(102);
                for (;;)
                        pause();
        }
        assert_int_equal(cgroup_attach(f->cg, f->child), 0);
        send_go(f);
        assert_int_equal(read_done(f), 'o');

        /* Placement: boxlaunch/NAME in memory and pids (and everywhere else). */
        _cleanup_free_ char *cgfile = xasprintf("/proc/%d/cgroup", (int)f->child);
        _cleanup_free_ char *cgs = NULL;
        assert_int_equal(read_file_at(AT_FDCWD, cgfile, &cgs, 1 << 16), 0);
        _cleanup_free_ char *want_mem = xasprintf(":memory:/%s\n", path);
        _cleanup_free_ char *want_pids = xasprintf(":pids:/%s\n", path);
        _cleanup_free_ char *want_v2 = xasprintf("0::/%s\n", path);
        assert_non_null(strstr(cgs, want_mem));
        assert_non_null(strstr(cgs, want_pids));
        assert_non_null(strstr(cgs, want_v2));

        assert_real("memory", f->name, "memory.limit_in_bytes", "33554432");
        assert_real("pids", f->name, "pids.max", "16");
        assert_real("cpu", f->name, "cpu.cfs_quota_us", "50000");
        assert_real("cpu", f->name, "cpu.cfs_period_us", "100000");

        assert_int_equal(cgroup_freeze(CGROUP_ROOT, path, true), 0);
        assert_real("freezer", f->name, "freezer.state", "FROZEN");
        assert_int_equal(cgroup_freeze(CGROUP_ROOT, path, false), 0);
        assert_real("freezer", f->name, "freezer.state", "THAWED");

        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_pids(CGROUP_ROOT, path, &pids, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pids[0], f->child);

        struct box_cgroup_stats s;
        assert_int_equal(cgroup_stats(CGROUP_ROOT, path, &s), 0);
        assert_true(s.memory_current >= (4 << 20));
        assert_true(s.memory_peak >= s.memory_current);
        assert_int_equal(s.pids_current, 1);

        cgroup_destroy(TAKE_PTR(f->cg));
        int status;
        assert_int_equal(waitpid(f->child, &status, 0), f->child);
        f->child = -1;
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        assert_false(any_dir_left(f->name));
}

static void test_gc_after_crash(void **state)
{
        struct fixture *f = *state;
        struct box_limits l;
        limits_init(&l);
        l.tasks_max = 8;
        struct box_cgroup *cg = NULL;
        assert_int_equal(create(CGROUP_ROOT, f->name, &l, NULL, 0, &cg), 0);
        f->child = test_fork();
        assert_true(f->child >= 0);
        if (f->child == 0) {
                wait_go(f);
                /* A straggler that forked: both must go. */
                if (test_fork() == 0)
                        for (;;)
                                pause();
                if (write(f->done[1], "o", 1) != 1)
                        _exit(102);
                for (;;)
                        pause();
        }
        assert_int_equal(cgroup_attach(cg, f->child), 0);
        send_go(f);
        assert_int_equal(read_done(f), 'o');
        /* The supervisor "crashes": the struct is forgotten, the groups stay. */
        struct box_cgroup *forgotten = TAKE_PTR(cg);
        assert_true(any_dir_left(f->name));

        assert_int_equal(cgroup_gc(CGROUP_ROOT, f->name), 0);
        cgroup_destroy(forgotten); /* only frees: its groups are gone */
        int status;
        assert_int_equal(waitpid(f->child, &status, 0), f->child);
        f->child = -1;
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        assert_false(any_dir_left(f->name));
}

static void test_tasks_max(void **state)
{
        struct fixture *f = *state;
        struct box_limits l;
        limits_init(&l);
        l.tasks_max = 16;
        assert_int_equal(create(CGROUP_ROOT, f->name, &l, NULL, 0, &f->cg), 0);
        f->child = test_fork();
        assert_true(f->child >= 0);
        if (f->child == 0) {
                wait_go(f);
                int forks = 0;
                for (; forks < 64; forks++) {
                        pid_t p = test_fork();
                        if (p == 0)
                                for (;;)
                                        pause();
                        if (p < 0)
                                _exit(errno == EAGAIN ? forks : 200);
                }
                _exit(201);
        }
        assert_int_equal(cgroup_attach(f->cg, f->child), 0);
        send_go(f);
        int status;
        assert_int_equal(waitpid(f->child, &status, 0), f->child);
        f->child = -1;
        assert_true(WIFEXITED(status));
        /* The child itself is task 1: its 16th fork (the 17th task) or earlier fails. */
        assert_true(WEXITSTATUS(status) <= 15);
        assert_true(WEXITSTATUS(status) >= 1);
        cgroup_destroy(TAKE_PTR(f->cg)); /* kills the sleeping grandchildren */
        assert_false(any_dir_left(f->name));
}

static void test_memory_max(void **state)
{
        struct fixture *f = *state;
        struct box_limits l;
        limits_init(&l);
        l.memory_max = 32 << 20;
        if (access(CGROUP_ROOT "/memory/memory.memsw.limit_in_bytes", F_OK) == 0)
                l.memory_swap_max = 0; /* no escape into swap */
        assert_int_equal(create(CGROUP_ROOT, f->name, &l, NULL, 0, &f->cg), 0);
        if (l.memory_swap_max == 0)
                assert_real("memory", f->name, "memory.memsw.limit_in_bytes", "33554432");
        f->child = test_fork();
        assert_true(f->child >= 0);
        if (f->child == 0) {
                wait_go(f);
                size_t n = 64 << 20;
                char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (m == MAP_FAILED)
                        _exit(101);
                for (size_t i = 0; i < n; i += 4096)
                        m[i] = 1;
                _exit(0);
        }
        assert_int_equal(cgroup_attach(f->cg, f->child), 0);
        send_go(f);
        int status;
        assert_int_equal(waitpid(f->child, &status, 0), f->child);
        f->child = -1;
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGKILL);
        cgroup_destroy(TAKE_PTR(f->cg));
        assert_false(any_dir_left(f->name));
}

/* The cgroup2 device program on a real cgroup2 group (this host's v2 half has no controllers,
 * but BPF device programs need none). */
static void test_v2_device_bpf(void **state)
{
        struct fixture *f = *state;
        snprintf(f->v2dir, sizeof(f->v2dir), CGROUP_ROOT "/unified/boxlaunch-test-%d",
                 (int)getpid());
        assert_int_equal(mkdir(f->v2dir, 0755), 0);
        _cleanup_close_ int fd = open(f->v2dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        /* Extra rule: /dev/kmsg write-only. */
        struct box_device kmsg = {
                .name = "kmsg", .type = 'c', .major = 1, .minor = 11, .access = "w"};
        assert_int_equal(devices_attach_bpf(fd, &kmsg, 1), 0);

        strcpy(f->tmpdir, "/tmp/test_cgroup_real.XXXXXX");
        assert_non_null(mkdtemp(f->tmpdir));
        _cleanup_free_ char *mem = xasprintf("%s/mem", f->tmpdir);

        f->child = test_fork();
        assert_true(f->child >= 0);
        if (f->child == 0) {
                wait_go(f);
                int bits = 0;
                if (open("/dev/null", O_RDWR | O_CLOEXEC) >= 0)
                        bits |= 1; /* default allow-list */
                if (open("/dev/kmsg", O_RDONLY | O_CLOEXEC) < 0 && errno == EPERM)
                        bits |= 2; /* read not granted */
                if (open("/dev/kmsg", O_WRONLY | O_CLOEXEC) >= 0)
                        bits |= 4; /* write granted */
                if (mknod(mem, S_IFCHR | 0600, makedev(1, 1)) < 0 && errno == EPERM)
                        bits |= 8; /* mknod of a device not allowed is denied... */
                if (open(mem, O_RDONLY | O_CLOEXEC) < 0 && errno == ENOENT)
                        bits |= 16; /* ...so there is nothing to open */
                _exit(bits);
        }
        char pid[32];
        snprintf(pid, sizeof(pid), "%d", (int)f->child);
        assert_int_equal(write_file_at(fd, "cgroup.procs", pid), 0);
        send_go(f);
        int status;
        assert_int_equal(waitpid(f->child, &status, 0), f->child);
        f->child = -1;
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 31);
}

/* A whole disk of this machine (blk-throttle wants disks, not partitions). */
static bool find_disk(unsigned *maj, unsigned *min)
{
        _cleanup_dir_ DIR *d = opendir("/sys/block");
        struct dirent *de;
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.' || strncmp(de->d_name, "loop", 4) == 0 ||
                    strncmp(de->d_name, "zram", 4) == 0 || strncmp(de->d_name, "ram", 3) == 0)
                        continue;
                _cleanup_free_ char *p = xasprintf("/sys/block/%s/dev", de->d_name);
                _cleanup_free_ char *s = NULL;
                if (read_file_at(AT_FDCWD, p, &s, 64) == 0 && sscanf(s, "%u:%u", maj, min) == 2)
                        return true;
        }
        return false;
}

/* What was logged while capture_sink was the sink. */
static char logs[4096];
static void capture_sink(enum log_level lvl, const char *line, void *userdata)
{
        size_t n = strlen(logs);
        snprintf(logs + n, sizeof(logs) - n, "%s: %s\n",
                 lvl == LOG_LVL_ERROR     ? "error"
                 : lvl == LOG_LVL_WARNING ? "warning"
                                          : "info",
                 line);
}

static void test_io_and_errors(void **state)
{
        struct fixture *f = *state;
        struct box_limits l;

        /* IOWeight needs a weight file (BFQ's blkio.bfq.weight, or CFQ's blkio.weight), which
         * only non-root groups show: either it is written converted to 10..1000, or (a relative
         * weight) it is ignored with a warning naming the key and why; the box is made. */
        limits_init(&l);
        l.io_weight = 100;
        logs[0] = 0;
        log_set_sink(capture_sink, NULL);
        int r = create(CGROUP_ROOT, f->name, &l, NULL, 0, &f->cg);
        log_set_sink(NULL, NULL);
        assert_int_equal(r, 0);
        _cleanup_free_ char *w = read_real("blkio", f->name, "blkio.bfq.weight");
        if (!w)
                w = read_real("blkio", f->name, "blkio.weight");
        if (w)
                assert_non_null(strstr(w, "500"));
        else
                assert_non_null(strstr(logs, "warning: [Limits] IOWeight: ignored: no blkio.weight "
                                             "or blkio.bfq.weight here"));
        cgroup_destroy(TAKE_PTR(f->cg));
        assert_null(f->cg);
        assert_false(any_dir_left(f->name));

        /* A value the kernel rejects names its key and unwinds. */
        limits_init(&l);
        l.cpuset_cpus = "4095";
        assert_true(create(CGROUP_ROOT, f->name, &l, NULL, 0, &f->cg) < 0);
        assert_null(f->cg);
        assert_false(any_dir_left(f->name));

        unsigned maj, min;
        if (!find_disk(&maj, &min))
                skip();
        struct box_io_limit io = {.major = maj, .minor = min, .rbps = 1048576, .wiops = 200};
        limits_init(&l);
        l.io = &io;
        l.n_io = 1;
        l.cpuset_cpus = "0";
        assert_int_equal(create(CGROUP_ROOT, f->name, &l, NULL, 0, &f->cg), 0);
        char want[64];
        snprintf(want, sizeof(want), "%u:%u 1048576", maj, min);
        assert_real("blkio", f->name, "blkio.throttle.read_bps_device", want);
        snprintf(want, sizeof(want), "%u:%u 200", maj, min);
        assert_real("blkio", f->name, "blkio.throttle.write_iops_device", want);
        assert_real("cpuset", f->name, "cpuset.cpus", "0");
        {
                _cleanup_free_ char *mems = read_real("cpuset", f->name, "cpuset.mems");
                assert_non_null(mems);
                assert_true(mems[0] != 0); /* seeded from the parent */
        }

        /* Stale leftover of the same name: killed and replaced by the next create. */
        struct box_cgroup *forgotten = TAKE_PTR(f->cg);
        f->child = test_fork();
        assert_true(f->child >= 0);
        if (f->child == 0)
                for (;;)
                        pause();
        assert_int_equal(cgroup_attach(forgotten, f->child), 0);
        /* The child joined the seeded cpuset: the group took a task. */
        limits_init(&l);
        l.tasks_max = 3;
        assert_int_equal(create(CGROUP_ROOT, f->name, &l, NULL, 0, &f->cg), 0);
        int status;
        assert_int_equal(waitpid(f->child, &status, 0), f->child);
        f->child = -1;
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        cgroup_destroy(forgotten);
        assert_real("pids", f->name, "pids.max", "3");
        {
                _cleanup_free_ char *p = xasprintf(CGROUP_ROOT "/blkio/boxlaunch/%s.box", f->name);
                assert_int_equal(access(p, F_OK), -1); /* no io limit this time */
        }
        cgroup_destroy(TAKE_PTR(f->cg));
        assert_false(any_dir_left(f->name));
}

/* Run by systemd with Delegate=yes (simulated: INVOCATION_ID set, the process in its own
 * writable cgroup2 group; systemd made the unit's group in the pids hierarchy too, as it does for
 * the v1 controllers it delegates): the box gets <own>/payload, the supervisor moves to
 * <own>/supervisor. The box uses exactly that subtree: pids.max lands in pids/<own>/payload, and
 * nothing is made in a hierarchy where the unit has no group. Done in a child so the test process
 * keeps its own cgroups. */
static int delegated_child(const char *unit, const char *v2unit)
{
        char pid[32];
        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", v2unit);
        if (write_file_at(AT_FDCWD, procs, pid) < 0)
                return 10;
        setenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef", 1);
        struct box_limits l;
        limits_init(&l);
        l.tasks_max = 4;
        struct box_cgroup *cg = NULL;
        if (create(CGROUP_ROOT, "ignored", &l, NULL, 0, &cg) < 0)
                return 11;
        _cleanup_free_ char *want = xasprintf("%s/payload", unit);
        int rc = 0;
        if (!streq(cgroup_path(cg), want))
                rc = 12;
        _cleanup_free_ char *self = NULL, *line = xasprintf("0::/%s/supervisor\n", unit);
        if (!rc && (read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, 1 << 16) < 0 ||
                    !strstr(self, line)))
                rc = 13;
        _cleanup_free_ char *pids_max = xasprintf(CGROUP_ROOT "/pids/%s/payload/pids.max", unit);
        _cleanup_free_ char *v = NULL;
        if (!rc && (read_file_at(AT_FDCWD, pids_max, &v, 64) < 0 || !streq(v, "4\n")))
                rc = 14;
        cgroup_destroy(cg);
        /* Back to the root so the test can remove the unit's groups. */
        (void)write_file_at(AT_FDCWD, CGROUP_ROOT "/unified/cgroup.procs", pid);
        return rc;
}

static void test_delegated(void **state)
{
        struct fixture *f = *state;
        snprintf(f->v2dir, sizeof(f->v2dir), CGROUP_ROOT "/unified/boxlaunch-deleg-%d",
                 (int)getpid());
        assert_int_equal(mkdir(f->v2dir, 0755), 0);
        const char *unit = strrchr(f->v2dir, '/') + 1;
        _cleanup_free_ char *pids_unit = xasprintf(CGROUP_ROOT "/pids/%s", unit);
        assert_int_equal(mkdir(pids_unit, 0755), 0);

        f->child = test_fork();
        assert_true(f->child >= 0);
        if (f->child == 0)
                _exit(delegated_child(unit, f->v2dir));
        int status;
        assert_int_equal(waitpid(f->child, &status, 0), f->child);
        f->child = -1;
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);

        /* payload is gone everywhere, and nothing was made where the unit has no group; the
         * unit's own groups are the caller's to remove. */
        static const char *const h[] = {"memory",  "pids",    "freezer", "devices",
                                        "cpuacct", "systemd", "unified"};
        for (size_t i = 0; i < ARRAY_SIZE(h); i++) {
                _cleanup_free_ char *p = xasprintf(CGROUP_ROOT "/%s/%s/payload", h[i], unit);
                assert_int_equal(access(p, F_OK), -1);
                _cleanup_free_ char *u = xasprintf(CGROUP_ROOT "/%s/%s", h[i], unit);
                if (!streq(h[i], "pids") && !streq(h[i], "unified"))
                        assert_int_equal(access(u, F_OK), -1);
        }
}

int main(void)
{
        if (geteuid() != 0) {
                fprintf(stderr, "test_cgroup_real: needs root, skipped\n");
                return 0;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
                cmocka_unit_test_setup_teardown(test_app_box, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gc_after_crash, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tasks_max, setup, teardown),
                cmocka_unit_test_setup_teardown(test_memory_max, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v2_device_bpf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_io_and_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delegated, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
