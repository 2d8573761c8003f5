/* test_cgroup.c - cgroup layout detection, limit translation and life cycle against fake trees
 * (plain directories, BOXLAUNCH_CGROUP_LAYOUT=v1|hybrid|v2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cgroup_conf.h"
#include "fake_tree.h"
#include "cgroup/devices.h"
#include "cgroup/limits.h"
#include "util/log.h"
#include "util/util.h"

#include <fcntl.h>
#include <ftw.h>
#include <linux/bpf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* No limit set, and none from a file. */
static void limits_init(struct box_limits *l)
{
        clear_origins();
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

static const char *const v1_hiers[] = {"memory", "pids",   "freezer", "devices", "cpuacct",
                                       "cpu",    "cpuset", "blkio",   "systemd"};

static int setup_tree(const char *layout)
{
        return fake_tree_new("test_cgroup", layout);
}

static int setup_v2(void **state)
{
        if (setup_tree("v2") < 0)
                return -1;
        put("cgroup.controllers", "cpuset cpu io memory pids\n");
        put("cgroup.subtree_control", "");
        return 0;
}

static void make_v1_dirs(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(v1_hiers); i++)
                dir(v1_hiers[i]);
        put("cpuset/cpuset.cpus", "0-3\n");
        put("cpuset/cpuset.mems", "0\n");
}

static int setup_v1(void **state)
{
        if (setup_tree("v1") < 0)
                return -1;
        make_v1_dirs();
        return 0;
}

static int setup_hybrid(void **state)
{
        if (setup_tree("hybrid") < 0)
                return -1;
        make_v1_dirs();
        dir("unified");
        put("unified/cgroup.controllers", "hugetlb\n");
        return 0;
}

static int teardown_tree(void **state)
{
        unsetenv("BOXLAUNCH_CGROUP_LAYOUT");
        fake_tree_remove();
        return 0;
}

/* --- detection --------------------------------------------------------------------------- */

static void test_detect_real(void **state)
{
        enum cgroup_layout l;
        /* This machine: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified. The override
         * must not win over a real cgroup file system. */
        setenv("BOXLAUNCH_CGROUP_LAYOUT", "v2", 1);
        assert_int_equal(cgroup_detect("/sys/fs/cgroup", &l), 0);
        assert_int_equal(l, CGROUP_LAYOUT_HYBRID);
        assert_int_equal(cgroup_detect("/sys/fs/cgroup/unified", &l), 0);
        assert_int_equal(l, CGROUP_LAYOUT_V2);
        unsetenv("BOXLAUNCH_CGROUP_LAYOUT");
}

static void test_detect_fake(void **state)
{
        enum cgroup_layout l;
        static const struct {
                const char *env;
                enum cgroup_layout want;
        } cases[] = {{"v1", CGROUP_LAYOUT_V1},
                     {"hybrid", CGROUP_LAYOUT_HYBRID},
                     {"v2", CGROUP_LAYOUT_V2}};
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                setenv("BOXLAUNCH_CGROUP_LAYOUT", cases[i].env, 1);
                assert_int_equal(cgroup_detect(tree, &l), 0);
                assert_int_equal(l, cases[i].want);
        }
        setenv("BOXLAUNCH_CGROUP_LAYOUT", "v3", 1);
        assert_int_equal(cgroup_detect(tree, &l), -EINVAL);
        unsetenv("BOXLAUNCH_CGROUP_LAYOUT");
        assert_int_equal(cgroup_detect(tree, &l), -ENOMEDIUM);
        assert_int_equal(cgroup_detect("/nonexistent/cgroup", &l), -ENOENT);
}

/* --- v2 ---------------------------------------------------------------------------------- */

static struct box_io_limit io_sda = {
        .device = NULL, .major = 8, .minor = 0, .rbps = 1048576, .wiops = 100};

static void full_limits(struct box_limits *l)
{
        limits_init(l);
        l->memory_max = 64 << 20;
        l->memory_high = 48 << 20;
        l->memory_swap_max = 16 << 20;
        l->cpu_quota_ppm = 1500000; /* 150% */
        l->cpu_weight = 100;
        l->cpuset_cpus = "0-1";
        l->cpuset_mems = "0";
        l->tasks_max = 16;
        l->io_weight = 300;
        l->io = &io_sda;
        l->n_io = 1;
}

static void test_v2_limits(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        full_limits(&l);

        assert_int_equal(create(tree, "web", &l, NULL, 0, &cg), 0);
        assert_string_equal(cgroup_path(cg), "boxlaunch/web.box");
        assert_int_equal(cgroup_layout(cg), CGROUP_LAYOUT_V2);
        assert_true(cgroup_v2_dirfd(cg) >= 0);

        assert_file("cgroup.subtree_control", "+cpuset +cpu +io +memory +pids");
        assert_file("boxlaunch/cgroup.subtree_control", "+cpuset +cpu +io +memory +pids");
        assert_file("boxlaunch/web.box/memory.max", "67108864");
        assert_file("boxlaunch/web.box/memory.high", "50331648");
        assert_file("boxlaunch/web.box/memory.swap.max", "16777216");
        assert_file("boxlaunch/web.box/cpu.max", "150000 100000");
        assert_file("boxlaunch/web.box/cpu.weight", "100");
        assert_file("boxlaunch/web.box/cpuset.cpus", "0-1");
        assert_file("boxlaunch/web.box/cpuset.mems", "0");
        assert_file("boxlaunch/web.box/pids.max", "16");
        assert_file("boxlaunch/web.box/io.weight", "default 300");
        assert_file("boxlaunch/web.box/io.max", "8:0 rbps=1048576 wiops=100");
        /* v2 has no devices files: the policy is a BPF program (not attached to a fake tree). */
        assert_false(exists("boxlaunch/web.box/devices.allow"));

        assert_int_equal(cgroup_attach(cg, 4242), 0);
        assert_file("boxlaunch/web.box/cgroup.procs", "4242");

        assert_int_equal(cgroup_freeze(tree, "boxlaunch/web.box", true), 0);
        assert_file("boxlaunch/web.box/cgroup.freeze", "1");
        assert_int_equal(cgroup_freeze(tree, "boxlaunch/web.box", false), 0);
        assert_file("boxlaunch/web.box/cgroup.freeze", "0");

        pid_t *pids = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_pids(tree, "boxlaunch/web.box", &pids, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pids[0], 4242);
        free(pids);

        /* A group the box made for itself goes too. */
        dir("boxlaunch/web.box/inner");
        put("boxlaunch/web.box/inner/cgroup.procs", "");

        cgroup_destroy(cg);
        assert_false(exists("boxlaunch"));
        assert_true(exists("cgroup.controllers"));
}

static void test_v2_period_only(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        limits_init(&l);
        l.cpu_period_usec = 50000;
        /* The root enables memory and pids already: only cpu is missing there. */
        put("cgroup.subtree_control", "memory pids\n");
        assert_int_equal(create(tree, "p", &l, NULL, 0, &cg), 0);
        assert_file("cgroup.subtree_control", "+cpu");
        assert_file("boxlaunch/p.box/cpu.max", "max 50000");
        /* Controllers without limits stay off, except memory and pids (stats). */
        assert_file("boxlaunch/cgroup.subtree_control", "+cpu +memory +pids");
        cgroup_destroy(cg);

        limits_init(&l);
        l.cpu_quota_ppm = 250000; /* 25% of a 20ms period */
        l.cpu_period_usec = 20000;
        assert_int_equal(create(tree, "p", &l, NULL, 0, &cg), 0);
        assert_file("boxlaunch/p.box/cpu.max", "5000 20000");
        cgroup_destroy(cg);
        assert_false(exists("boxlaunch"));
}

/* What was logged since logs_capture(), one "LEVEL: line" per line. */
static char logs[8192];
static void capture_sink(enum log_level lvl, const char *line, void *userdata)
{
        size_t n = strlen(logs);
        snprintf(logs + n, sizeof(logs) - n, "%s: %s\n",
                 lvl == LOG_LVL_ERROR     ? "error"
                 : lvl == LOG_LVL_WARNING ? "warning"
                                          : "info",
                 line);
}
static void logs_capture(void)
{
        logs[0] = 0;
        log_set_sink(capture_sink, NULL);
}

/* A relative weight the host cannot apply is a warning naming file, line, key and reason, and
 * the box gets its groups; a limit it cannot honour fails with file, line and key. */
static void test_v2_missing_controller(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        put("cgroup.controllers", "memory pids\n");
        limits_init(&l);
        l.io_weight = 100;
        l.cpu_weight = 50;
        set_origin(BOX_F_IO_WEIGHT, "w.box", 7);
        set_origin(BOX_F_CPU_WEIGHT, "w.box", 6);
        logs_capture();
        assert_int_equal(create(tree, "x", &l, NULL, 0, &cg), 0);
        log_set_sink(NULL, NULL);
        assert_non_null(cg);
        assert_non_null(strstr(logs, "warning: w.box:7: [Limits] IOWeight: ignored: the io "
                                     "controller is not available here"));
        assert_non_null(strstr(logs, "warning: w.box:6: [Limits] CPUWeight: ignored: the cpu "
                                     "controller is not available here"));
        assert_null(strstr(logs, "error"));
        assert_true(exists("boxlaunch/x.box"));
        assert_false(exists("boxlaunch/x.box/io.weight"));
        assert_false(exists("boxlaunch/x.box/cpu.weight"));
        cgroup_destroy(cg);
        cg = NULL;

        struct box_io_limit io = {.major = 8, .minor = 0, .rbps = 1 << 20};
        l.io = &io;
        l.n_io = 1;
        set_origin(BOX_F_IO_READ_BPS, "w.box", 9);
        logs_capture();
        assert_int_equal(create(tree, "x", &l, NULL, 0, &cg), -EOPNOTSUPP);
        log_set_sink(NULL, NULL);
        assert_null(cg);
        assert_non_null(strstr(logs, "error: w.box:9: [Limits] IOReadBandwidthMax: "));
        assert_non_null(strstr(logs, ": the io controller is not available here"));
        assert_false(exists("boxlaunch"));

        /* Without a line (not from a file), the field's name alone. */
        l.io = NULL;
        l.n_io = 0;
        l.io_weight = BOX_LIMIT_UNSET;
        l.cpu_weight = BOX_LIMIT_UNSET;
        l.cpu_quota_ppm = 500000;
        clear_origins();
        logs_capture();
        assert_int_equal(create(tree, "x", &l, NULL, 0, &cg), -EOPNOTSUPP);
        log_set_sink(NULL, NULL);
        assert_non_null(strstr(logs, "error: [Limits] CPUQuota: the cpu controller is not "
                                     "available here"));
}

/* BOXLAUNCH_CGROUP_PARENT: the automatic parent, made and removed as "boxlaunch" is; gc by name
 * looks there; an invalid one is refused. */
static void test_auto_parent_env(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        limits_init(&l);
        l.tasks_max = 5;
        setenv("BOXLAUNCH_CGROUP_PARENT", "run-1.test", 1);
        assert_int_equal(create(tree, "p", &l, NULL, 0, &cg), 0);
        assert_string_equal(cgroup_path(cg), "run-1.test/p.box");
        assert_file("run-1.test/p.box/pids.max", "5");
        assert_false(exists("boxlaunch"));
        cgroup_destroy(cg);
        assert_false(exists("run-1.test"));
        _cleanup_free_ char *auto_path = cgroup_auto_path("p");
        assert_string_equal(auto_path, "run-1.test/p.box");

        /* A leftover under it, collected by name. */
        dir("run-1.test");
        dir("run-1.test/q.box");
        assert_int_equal(cgroup_gc(tree, "q"), 0);
        assert_false(exists("run-1.test"));

        static const char *const bad[] = {".hidden", "a/b", "..", "x y"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                setenv("BOXLAUNCH_CGROUP_PARENT", bad[i], 1);
                logs_capture();
                assert_int_equal(create(tree, "p", &l, NULL, 0, &cg), -EINVAL);
                log_set_sink(NULL, NULL);
                assert_non_null(strstr(logs, "BOXLAUNCH_CGROUP_PARENT="));
                assert_null(cgroup_auto_path("p"));
        }
        unsetenv("BOXLAUNCH_CGROUP_PARENT");
        _cleanup_free_ char *dflt = cgroup_auto_path("p");
        assert_string_equal(dflt, "boxlaunch/p.box");
}

static void test_bad_values(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        const struct {
                size_t off;
                uint64_t v;
        } bad[] = {
                {offsetof(struct box_limits, cpu_weight), 0},
                {offsetof(struct box_limits, cpu_weight), 20000},
                {offsetof(struct box_limits, io_weight), 0},
                {offsetof(struct box_limits, io_weight), 10001},
                {offsetof(struct box_limits, cpu_period_usec), 100},
                {offsetof(struct box_limits, cpu_period_usec), 2000000},
                {offsetof(struct box_limits, cpu_quota_ppm), 5000}, /* 0.5 ms per 100 ms */
                {offsetof(struct box_limits, cpu_quota_ppm), UINT64_MAX / 2},
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                limits_init(&l);
                *(uint64_t *)((char *)&l + bad[i].off) = bad[i].v;
                assert_int_equal(create(tree, "bad", &l, NULL, 0, &cg), -EINVAL);
                assert_null(cg);
                assert_false(exists("boxlaunch"));
        }

        limits_init(&l);
        assert_int_equal(create(tree, "a/b", &l, NULL, 0, &cg), -EINVAL);
        assert_int_equal(create(tree, "..", &l, NULL, 0, &cg), -EINVAL);
        assert_int_equal(create(tree, "", &l, NULL, 0, &cg), -EINVAL);

        struct box_device d = {.name = "bad", .type = 'x', .major = 1, .minor = 1, .access = "rw"};
        assert_int_equal(create(tree, "dev", &l, &d, 1, &cg), -EINVAL);
        d.type = 'c';
        strcpy(d.access, "rq");
        assert_int_equal(create(tree, "dev", &l, &d, 1, &cg), -EINVAL);
        assert_false(exists("boxlaunch"));
}

static void test_parent_and_stale(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        limits_init(&l);
        l.parent = "/machine.slice/";
        assert_int_equal(create(tree, "db", &l, NULL, 0, &cg), 0);
        assert_string_equal(cgroup_path(cg), "machine.slice/db.box");
        assert_true(exists("machine.slice/db.box"));
        cgroup_destroy(cg);
        assert_false(exists("machine.slice/db.box"));
        assert_true(exists("machine.slice")); /* not ours to remove */

        /* A leftover (supervisor "crashed": struct forgotten) is removed on the next create. */
        l.parent = NULL;
        l.tasks_max = 10;
        assert_int_equal(create(tree, "db", &l, NULL, 0, &cg), 0);
        struct box_cgroup *forgotten = cg;
        put("boxlaunch/db.box/leftover-marker", "x");
        l.tasks_max = 20;
        assert_int_equal(create(tree, "db", &l, NULL, 0, &cg), 0);
        assert_false(exists("boxlaunch/db.box/leftover-marker"));
        assert_file("boxlaunch/db.box/pids.max", "20");

        /* gc by name, as a later verb would. */
        assert_int_equal(cgroup_gc(tree, "db"), 0);
        assert_false(exists("boxlaunch"));
        assert_int_equal(cgroup_gc(tree, "db"), 0); /* nothing left: fine */
        assert_int_equal(cgroup_gc(tree, "../x/y"), -EINVAL);
        /* Freeing structs whose groups are gone is harmless. */
        cgroup_destroy(forgotten);
        cgroup_destroy(cg);
        assert_false(exists("boxlaunch"));
}

static void test_bpf_program(void **state)
{
        struct bpf_insn *p = NULL;
        size_t n = 0, n_default;
        assert_int_equal(devices_build_bpf(NULL, 0, &p, &n), 0);
        n_default = n;
        /* Prologue: 6 instructions reading struct bpf_cgroup_dev_ctx. */
        assert_int_equal(p[0].code, BPF_LDX | BPF_MEM | BPF_W);
        assert_int_equal(p[0].src_reg, BPF_REG_1);
        assert_int_equal(p[0].off, 0);
        assert_int_equal(p[4].off, 4);
        assert_int_equal(p[5].off, 8);
        /* Ends with "return 0" (deny). */
        assert_int_equal(p[n - 1].code, BPF_JMP | BPF_EXIT);
        assert_int_equal(p[n - 2].code, BPF_ALU64 | BPF_MOV | BPF_K);
        assert_int_equal(p[n - 2].imm, 0);
        /* Every jump stays inside the program and lands on a rule start or the epilogue. */
        for (size_t i = 0; i < n; i++)
                if (p[i].code == (BPF_JMP | BPF_JNE | BPF_K))
                        assert_true(i + 1 + p[i].off < n);
        free(p);

        struct box_device d = {
                .name = "fuse", .type = 'c', .major = 10, .minor = 229, .access = "r"};
        assert_int_equal(devices_build_bpf(&d, 1, &p, &n), 0);
        /* type + access (3: "r" plus the "m" boxlaunch adds) + major + minor + return 1 = 8
         * more. */
        assert_int_equal(n, n_default + 8);
        bool found = false;
        for (size_t i = 0; i < n; i++)
                if (p[i].code == (BPF_JMP | BPF_JNE | BPF_K) && p[i].dst_reg == BPF_REG_5 &&
                    p[i].imm == 229)
                        found = true;
        assert_true(found);
        free(p);

        d.type = 'q';
        assert_int_equal(devices_build_bpf(&d, 1, &p, &n), -EINVAL);
}

/* --- v1 ---------------------------------------------------------------------------------- */

static void test_weight_conversion(void **state)
{
        assert_int_equal(cgroup_weight_to_shares(1), 10);
        assert_int_equal(cgroup_weight_to_shares(100), 1024); /* the v1 default */
        assert_int_equal(cgroup_weight_to_shares(10000), 102400);
        assert_int_equal(cgroup_weight_to_blkio(1), 10);
        assert_int_equal(cgroup_weight_to_blkio(10000), 1000);
        assert_int_equal(cgroup_weight_to_blkio(100), 500); /* the v1 default */
}

static void test_v1_limits(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        full_limits(&l);
        struct box_device d = {
                .name = "fuse", .type = 'c', .major = 10, .minor = 229, .access = "rwm"};

        assert_int_equal(create(tree, "web", &l, &d, 1, &cg), 0);
        assert_int_equal(cgroup_v2_dirfd(cg), -1);
        assert_file("memory/boxlaunch/web.box/memory.limit_in_bytes", "67108864");
        assert_file("memory/boxlaunch/web.box/memory.soft_limit_in_bytes", "50331648");
        assert_file("memory/boxlaunch/web.box/memory.memsw.limit_in_bytes", "83886080");
        assert_file("cpu/boxlaunch/web.box/cpu.cfs_period_us", "100000");
        assert_file("cpu/boxlaunch/web.box/cpu.cfs_quota_us", "150000");
        assert_file("cpu/boxlaunch/web.box/cpu.shares", "1024");
        assert_file("cpuset/boxlaunch/cpuset.cpus", "0-3"); /* seeded from the root */
        assert_file("cpuset/boxlaunch/cpuset.mems", "0");
        assert_file("cpuset/boxlaunch/web.box/cpuset.cpus", "0-1");
        assert_file("cpuset/boxlaunch/web.box/cpuset.mems", "0");
        assert_file("pids/boxlaunch/web.box/pids.max", "16");
        assert_file("blkio/boxlaunch/web.box/blkio.weight", "1000");
        assert_file("blkio/boxlaunch/web.box/blkio.throttle.read_bps_device", "8:0 1048576");
        assert_file("blkio/boxlaunch/web.box/blkio.throttle.write_iops_device", "8:0 100");
        assert_false(exists("blkio/boxlaunch/web.box/blkio.throttle.write_bps_device"));
        assert_file("devices/boxlaunch/web.box/devices.deny", "a");
        assert_file("devices/boxlaunch/web.box/devices.allow",
                    "c 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\nc 5:0 rwm\n"
                    "c 5:1 rwm\nc 5:2 rwm\nc 136:* rwm\nc 10:229 rwm");
        for (size_t i = 0; i < ARRAY_SIZE(v1_hiers); i++) {
                _cleanup_free_ char *p = xasprintf("%s/boxlaunch/web.box", v1_hiers[i]);
                assert_true(exists(p));
        }

        assert_int_equal(cgroup_attach(cg, 777), 0);
        assert_file("freezer/boxlaunch/web.box/cgroup.procs", "777");
        assert_file("systemd/boxlaunch/web.box/cgroup.procs", "777");
        assert_int_equal(cgroup_freeze(tree, "boxlaunch/web.box", true), 0);
        assert_file("freezer/boxlaunch/web.box/freezer.state", "FROZEN");

        put("memory/boxlaunch/web.box/memory.usage_in_bytes", "4096\n");
        put("memory/boxlaunch/web.box/memory.max_usage_in_bytes", "8192\n");
        put("cpuacct/boxlaunch/web.box/cpuacct.usage", "5000000\n");
        put("pids/boxlaunch/web.box/pids.current", "3\n");
        put("blkio/boxlaunch/web.box/blkio.throttle.io_service_bytes_recursive",
            "8:0 Read 100\n8:0 Write 50\n8:0 Total 150\n8:16 Read 1\nTotal 151\n");
        struct box_cgroup_stats s;
        assert_int_equal(cgroup_stats(tree, "boxlaunch/web.box", &s), 0);
        assert_int_equal(s.memory_current, 4096);
        assert_int_equal(s.memory_peak, 8192);
        assert_int_equal(s.cpu_usage_usec, 5000);
        assert_int_equal(s.pids_current, 3);
        assert_int_equal(s.io_read_bytes, 101);
        assert_int_equal(s.io_write_bytes, 50);

        cgroup_destroy(cg);
        for (size_t i = 0; i < ARRAY_SIZE(v1_hiers); i++) {
                _cleanup_free_ char *p = xasprintf("%s/boxlaunch", v1_hiers[i]);
                assert_false(exists(p));
        }
        assert_int_equal(cgroup_stats(tree, "boxlaunch/web.box", &s), -ENOENT);
}

static void test_v1_app_box(void **state)
{
        struct box_cgroup *cg = NULL;
        assert_int_equal(create_for(tree, "app", NULL, NULL, 0, 0, &cg), 0);
        /* Limits' controllers and the device policy only: no freezer, cpuacct, name=systemd. */
        assert_true(exists("memory/boxlaunch/app.box"));
        assert_true(exists("pids/boxlaunch/app.box"));
        assert_true(exists("devices/boxlaunch/app.box"));
        assert_false(exists("freezer/boxlaunch/app.box"));
        assert_false(exists("cpuacct/boxlaunch/app.box"));
        assert_false(exists("systemd/boxlaunch/app.box"));
        int join[CGROUP_JOIN_MAX];
        int n = cgroup_join_fds(cg, false, join);
        assert_int_equal(n, 3);
        assert_int_equal(cgroup_join_self(join, n), 0);
        close_many(join, n);
        assert_file("devices/boxlaunch/app.box/tasks", "0");
        cgroup_destroy(cg);
        assert_false(exists("memory/boxlaunch"));
}

static void test_v1_minimal(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        limits_init(&l);
        assert_int_equal(create(tree, "min", NULL, NULL, 0, &cg), 0); /* = no limits */
        /* Only controllers with a limit, plus the always-on ones. */
        assert_false(exists("cpu/boxlaunch/min.box"));
        assert_false(exists("cpuset/boxlaunch"));
        assert_false(exists("blkio/boxlaunch/min.box"));
        assert_true(exists("memory/boxlaunch/min.box"));
        assert_true(exists("pids/boxlaunch/min.box"));
        assert_true(exists("freezer/boxlaunch/min.box"));
        assert_true(exists("devices/boxlaunch/min.box"));
        assert_true(exists("cpuacct/boxlaunch/min.box"));
        assert_true(exists("systemd/boxlaunch/min.box"));
        assert_false(exists("memory/boxlaunch/min.box/memory.limit_in_bytes"));
        cgroup_destroy(cg);
        assert_false(exists("memory/boxlaunch"));
}

static void test_v1_swap_needs_max(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        limits_init(&l);
        l.memory_swap_max = 1 << 20;
        assert_int_equal(create(tree, "s", &l, NULL, 0, &cg), -EINVAL);
        assert_false(exists("memory/boxlaunch"));
}

static void test_v1_missing_controller(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        fake_tree_remove();
        assert_int_equal(mkdir(tree, 0700), 0);
        dir("memory");
        dir("pids");
        dir("devices");
        limits_init(&l);
        l.cpu_quota_ppm = 500000;
        set_origin(BOX_F_CPU_QUOTA, "c.box", 3);
        logs_capture();
        assert_int_equal(create(tree, "c", &l, NULL, 0, &cg), -EOPNOTSUPP);
        log_set_sink(NULL, NULL);
        assert_non_null(strstr(logs, "error: c.box:3: [Limits] CPUQuota: the cpu controller is not "
                                     "available here"));
        assert_false(exists("memory/boxlaunch"));

        /* A weight alone: a warning, and the box starts without a cpu group. */
        limits_init(&l);
        l.cpu_weight = 200;
        l.io_weight = 200;
        logs_capture();
        assert_int_equal(create(tree, "c", &l, NULL, 0, &cg), 0);
        log_set_sink(NULL, NULL);
        assert_non_null(strstr(logs, "warning: [Limits] CPUWeight: ignored: the cpu controller"));
        assert_non_null(strstr(logs, "warning: [Limits] IOWeight: ignored: the blkio controller"));
        assert_true(exists("memory/boxlaunch/c.box"));
        cgroup_destroy(cg);
        assert_false(exists("memory/boxlaunch"));
}

static void test_v1_cpu_cpuacct_alias(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        /* Distributions mount cpu,cpuacct once with two symlinks. */
        _cleanup_free_ char *cpu = xasprintf("%s/cpu", tree);
        _cleanup_free_ char *cpuacct = xasprintf("%s/cpuacct", tree);
        assert_int_equal(rmdir(cpu), 0);
        assert_int_equal(rmdir(cpuacct), 0);
        dir("cpu,cpuacct");
        assert_int_equal(symlink("cpu,cpuacct", cpu), 0);
        assert_int_equal(symlink("cpu,cpuacct", cpuacct), 0);
        limits_init(&l);
        l.cpu_weight = 10000;
        assert_int_equal(create(tree, "al", &l, NULL, 0, &cg), 0);
        assert_file("cpu,cpuacct/boxlaunch/al.box/cpu.shares", "102400");
        assert_int_equal(cgroup_attach(cg, 55), 0);
        assert_file("cpu,cpuacct/boxlaunch/al.box/cgroup.procs", "55"); /* written once */
        cgroup_destroy(cg);
        assert_false(exists("cpu,cpuacct/boxlaunch"));
}

/* --- hybrid ------------------------------------------------------------------------------ */

static void test_hybrid(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        full_limits(&l);
        l.io_weight = BOX_LIMIT_UNSET;
        assert_int_equal(create(tree, "h", &l, NULL, 0, &cg), 0);
        assert_int_equal(cgroup_layout(cg), CGROUP_LAYOUT_HYBRID);
        /* Limits go to v1; the cgroup2 group exists (no controllers to enable there). */
        assert_file("memory/boxlaunch/h.box/memory.limit_in_bytes", "67108864");
        assert_file("cpu/boxlaunch/h.box/cpu.cfs_quota_us", "150000");
        assert_true(exists("unified/boxlaunch/h.box"));
        assert_true(cgroup_v2_dirfd(cg) >= 0);
        assert_false(exists("unified/boxlaunch/h.box/memory.max"));
        assert_false(exists("unified/cgroup.subtree_control"));
        assert_int_equal(cgroup_attach(cg, 99), 0);
        assert_file("unified/boxlaunch/h.box/cgroup.procs", "99");
        assert_file("memory/boxlaunch/h.box/cgroup.procs", "99");
        cgroup_destroy(cg);
        assert_false(exists("unified/boxlaunch"));
        assert_false(exists("memory/boxlaunch"));
}

static void test_hybrid_v2_controller(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        /* memory only in the cgroup2 half: its limits go there. */
        _cleanup_free_ char *memory = xasprintf("%s/memory", tree);
        assert_int_equal(rmdir(memory), 0);
        put("unified/cgroup.controllers", "memory hugetlb\n");
        limits_init(&l);
        l.memory_max = 1 << 30;
        l.tasks_max = 5;
        assert_int_equal(create(tree, "h2", &l, NULL, 0, &cg), 0);
        assert_file("unified/cgroup.subtree_control", "+memory");
        assert_file("unified/boxlaunch/cgroup.subtree_control", "+memory");
        assert_file("unified/boxlaunch/h2.box/memory.max", "1073741824");
        assert_file("pids/boxlaunch/h2.box/pids.max", "5");
        /* A process cloned before its groups existed joins the cgroup2 half too. */
        int join[CGROUP_JOIN_MAX];
        int v1 = cgroup_join_fds(cg, false, join);
        assert_true(v1 > 0);
        close_many(join, v1);
        int n = cgroup_join_fds(cg, true, join);
        assert_int_equal(n, v1 + 1);
        assert_int_equal(cgroup_join_self(join, n), 0);
        close_many(join, n);
        assert_file("unified/boxlaunch/h2.box/cgroup.procs", "0");
        assert_file("pids/boxlaunch/h2.box/tasks", "0");
        cgroup_destroy(cg);
        assert_false(exists("unified/boxlaunch"));
}

/* --- the slim supervisor's end of the groups (cgroup_end_plan) ------------------------------- */

static void assert_step(const struct cgroup_end_step *s, enum cgroup_end_what what, const char *rel)
{
        _cleanup_free_ char *want = xasprintf("%s/%s", tree, rel);
        assert_int_equal(s->what, what);
        assert_string_equal(s->path, want);
}

/* Absolute paths, in cgroup_destroy()'s order: the OOM count first (it goes with the group). */
static void test_v2_end_plan(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        struct cgroup_end_step *s = NULL;
        size_t n = 0;
        limits_init(&l);
        l.memory_max = 1 << 30;
        assert_int_equal(create(tree, "e", &l, NULL, 0, &cg), 0);
        assert_int_equal(cgroup_end_plan(cg, &s, &n), 0);
        assert_int_equal(n, 3);
        assert_step(&s[0], CGROUP_END_OOM_V2, "./boxlaunch/e.box/memory.events");
        assert_step(&s[1], CGROUP_END_RMDIR, "./boxlaunch/e.box");
        assert_step(&s[2], CGROUP_END_RMDIR_IDLE, "./boxlaunch");
        cgroup_end_plan_free(s, n);
        cgroup_destroy(cg);
        assert_false(exists("boxlaunch"));

        /* Under a configured parent: the parent is not ours to remove. */
        l.parent = "/machine.slice/";
        assert_int_equal(create(tree, "e", &l, NULL, 0, &cg), 0);
        assert_int_equal(cgroup_end_plan(cg, &s, &n), 0);
        assert_int_equal(n, 2);
        assert_step(&s[1], CGROUP_END_RMDIR, "./machine.slice/e.box");
        cgroup_end_plan_free(s, n);
        cgroup_destroy(cg);
}

/* v1: each group the box has, and the freezer group `pause` may make later. */
static void test_v1_end_plan(void **state)
{
        struct box_cgroup *cg = NULL;
        struct cgroup_end_step *s = NULL;
        size_t n = 0;
        assert_int_equal(create_for(tree, "app", NULL, NULL, 0, 0, &cg), 0);
        assert_int_equal(cgroup_end_plan(cg, &s, &n), 0);
        assert_int_equal(n, 9);
        assert_step(&s[0], CGROUP_END_OOM_V1, "memory/boxlaunch/app.box/memory.oom_control");
        assert_step(&s[1], CGROUP_END_RMDIR, "memory/boxlaunch/app.box");
        assert_step(&s[2], CGROUP_END_RMDIR_IDLE, "memory/boxlaunch");
        assert_step(&s[3], CGROUP_END_RMDIR, "pids/boxlaunch/app.box");
        assert_step(&s[5], CGROUP_END_RMDIR, "freezer/boxlaunch/app.box");
        assert_step(&s[7], CGROUP_END_RMDIR, "devices/boxlaunch/app.box");
        assert_step(&s[8], CGROUP_END_RMDIR_IDLE, "devices/boxlaunch");
        cgroup_end_plan_free(s, n);
        cgroup_destroy(cg);
}

/* exec joins a running box by its path: "0" to tasks in every v1 group the box has, and to
 * cgroup.procs of its cgroup2 group; nothing where it has no group; -ENOENT if it has none. */
static void test_join_path(void **state)
{
        struct box_cgroup *cg = NULL;
        assert_int_equal(create(tree, "j", NULL, NULL, 0, &cg), 0);
        assert_int_equal(cgroup_join_path(tree, "boxlaunch/j.box"), 0);
        assert_file("unified/boxlaunch/j.box/cgroup.procs", "0");
        static const char *const v1[] = {"memory",  "pids",    "freezer",
                                         "devices", "cpuacct", "systemd"};
        for (size_t i = 0; i < ARRAY_SIZE(v1); i++) {
                _cleanup_free_ char *p = xasprintf("%s/boxlaunch/j.box/tasks", v1[i]);
                assert_file(p, "0");
        }
        assert_false(exists("cpu/boxlaunch"));
        assert_int_equal(cgroup_join_path(tree, "boxlaunch/gone.box"), -ENOENT);
        assert_int_equal(cgroup_join_path(tree, "../j.box"), -EINVAL);
        cgroup_destroy(cg);
        assert_false(exists("unified/boxlaunch"));
}

/* --- inside a container: read-only controllers, delegation --------------------------------- */

/* Binds each v1 controller of the fake tree read-only onto itself, as a container manager
 * (nspawn, a boxlaunch machine box, LXC) mounts them: only name=systemd and cgroup2 stay
 * writable. main() made this process a mount namespace of its own. */
static const char *const ro_hiers[] = {"memory",  "pids", "freezer", "devices",
                                       "cpuacct", "cpu",  "cpuset",  "blkio"};
static void mount_controllers_ro(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(ro_hiers); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", tree, ro_hiers[i]);
                assert_int_equal(mount(p, p, NULL, MS_BIND, NULL), 0);
                assert_int_equal(mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL), 0);
        }
}

static int teardown_ro_tree(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(ro_hiers); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", tree, ro_hiers[i]);
                (void)umount2(p, MNT_DETACH);
        }
        return teardown_tree(state);
}

static void test_hybrid_readonly_controllers(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        mount_controllers_ro();
        log_set_level(LOG_LVL_DEBUG);

        /* No key needs a controller: the box gets its cgroup2 group only, which carries the
         * device policy (a BPF program on a real tree); each group left out is said. */
        logs_capture();
        assert_int_equal(create_for(tree, "n", NULL, NULL, 0, 0, &cg), 0);
        log_set_sink(NULL, NULL);
        assert_non_null(strstr(logs, "no group in the memory hierarchy, where boxlaunch/n.box "
                                     "cannot be made: Read-only file system"));
        assert_non_null(strstr(logs, "no memory group: no key needs it, and the controller is "
                                     "read-only here"));
        assert_null(strstr(logs, "error"));
        assert_null(strstr(logs, "warning"));
        assert_true(exists("unified/boxlaunch/n.box"));
        assert_false(exists("systemd/boxlaunch"));
        assert_true(cgroup_v2_dirfd(cg) >= 0);
        /* exec joins it there; pause uses cgroup.freeze, the v1 freezer being read-only. */
        assert_int_equal(cgroup_join_path(tree, "boxlaunch/n.box"), 0);
        assert_file("unified/boxlaunch/n.box/cgroup.procs", "0");
        assert_int_equal(cgroup_freeze(tree, "boxlaunch/n.box", true), 0);
        assert_file("unified/boxlaunch/n.box/cgroup.freeze", "1");
        cgroup_destroy(cg);
        cg = NULL;
        assert_false(exists("unified/boxlaunch"));

        /* A machine box: name=systemd and cgroup2, which its systemd manages. */
        assert_int_equal(create_for(tree, "m", NULL, NULL, 0, CGROUP_MACHINE, &cg), 0);
        assert_true(exists("unified/boxlaunch/m.box"));
        assert_true(exists("systemd/boxlaunch/m.box"));
        cgroup_destroy(cg);
        cg = NULL;

        /* A limit that needs a read-only controller: an error naming the key and why, and
         * nothing made. */
        limits_init(&l);
        l.memory_max = 1 << 26;
        set_origin(BOX_F_MEMORY_MAX, "n.box", 4);
        logs_capture();
        assert_int_equal(create_for(tree, "n", &l, NULL, 0, 0, &cg), -EOPNOTSUPP);
        log_set_sink(NULL, NULL);
        assert_null(cg);
        assert_non_null(strstr(logs, "error: n.box:4: [Limits] MemoryMax: the memory controller "
                                     "is read-only here"));
        assert_false(exists("unified/boxlaunch"));
        /* A weight alone: a warning, and the box starts. */
        limits_init(&l);
        l.cpu_weight = 200;
        set_origin(BOX_F_CPU_WEIGHT, "n.box", 5);
        logs_capture();
        assert_int_equal(create_for(tree, "n", &l, NULL, 0, 0, &cg), 0);
        log_set_sink(NULL, NULL);
        assert_non_null(strstr(logs, "warning: n.box:5: [Limits] CPUWeight: ignored: the cpu "
                                     "controller is read-only here"));
        cgroup_destroy(cg);
        log_set_level(LOG_LVL_INFO);
}

/* v1 without cgroup2, its devices hierarchy read-only: the enclosing container's device policy
 * binds the box, which is said; the box's processes are tracked in name=systemd. Without any
 * devices hierarchy it stays an error. */
static void test_v1_readonly_devices(void **state)
{
        struct box_cgroup *cg = NULL;
        mount_controllers_ro();
        logs_capture();
        assert_int_equal(create_for(tree, "d", NULL, NULL, 0, 0, &cg), 0);
        log_set_sink(NULL, NULL);
        assert_non_null(strstr(logs, "warning: The devices cgroup is read-only here (as inside a "
                                     "container): the box's device access is limited by the "
                                     "enclosing container's device policy"));
        assert_true(exists("systemd/boxlaunch/d.box"));
        cgroup_destroy(cg);
        cg = NULL;
        assert_false(exists("systemd/boxlaunch"));
        _cleanup_free_ char *devices = xasprintf("%s/devices", tree);
        assert_int_equal(umount2(devices, MNT_DETACH), 0);
        assert_int_equal(rmdir(devices), 0);
        assert_int_equal(create_for(tree, "d", NULL, NULL, 0, 0, &cg), -EOPNOTSUPP);
}

/* Started by systemd with Delegate=yes on pure cgroup2: we move to <own>/supervisor, the box
 * goes to <own>/payload with the controllers systemd enabled for our group, enabled in our
 * group's cgroup.subtree_control only; systemd's groups above are not written. */
static void test_v2_delegated(void **state)
{
        struct box_limits l;
        struct box_cgroup *cg = NULL;
        put("cgroup.subtree_control", "cpu memory pids\n");
        dir("system.slice");
        dir("system.slice/b.service");
        put("system.slice/cgroup.subtree_control", "memory pids\n");
        put("system.slice/b.service/cgroup.controllers", "memory pids\n");
        put("system.slice/b.service/cgroup.procs", "");
        put("proc-self-cgroup", "0::/system.slice/b.service\n");
        setenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef", 1);
        limits_init(&l);
        l.memory_max = 1 << 26;
        int r = create_for(tree, "b", &l, NULL, 0, 0, &cg);
        unsetenv("INVOCATION_ID");
        assert_int_equal(r, 0);
        assert_string_equal(cgroup_path(cg), "system.slice/b.service/payload");
        char pid[32];
        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        assert_file("system.slice/b.service/supervisor/cgroup.procs", pid);
        assert_file("system.slice/b.service/cgroup.subtree_control", "+memory +pids");
        assert_file("system.slice/cgroup.subtree_control", "memory pids");
        assert_file("cgroup.subtree_control", "cpu memory pids");
        assert_file("system.slice/b.service/payload/memory.max", "67108864");
        cgroup_destroy(cg);
        cg = NULL;
        assert_false(exists("system.slice/b.service/payload"));

        /* A controller systemd did not delegate (cpu) is refused, though the root has it. */
        limits_init(&l);
        l.cpu_quota_ppm = 500000;
        setenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef", 1);
        r = create_for(tree, "b", &l, NULL, 0, 0, &cg);
        unsetenv("INVOCATION_ID");
        assert_int_equal(r, -EOPNOTSUPP);
        assert_false(exists("system.slice/b.service/payload"));
}

/* Delegated on a hybrid host inside a container: name=systemd and cgroup2 are ours, at the same
 * path; the read-only controllers are left alone. */
static void test_hybrid_delegated_readonly(void **state)
{
        struct box_cgroup *cg = NULL;
        static const char *const halves[] = {"unified", "systemd"};
        for (size_t i = 0; i < ARRAY_SIZE(halves); i++) {
                _cleanup_free_ char *a = xasprintf("%s/boxes.slice", halves[i]);
                _cleanup_free_ char *b = xasprintf("%s/boxes.slice/boxlaunch@h.service", halves[i]);
                _cleanup_free_ char *p = xasprintf("%s/cgroup.procs", b);
                dir(a);
                dir(b);
                put(p, "");
        }
        /* systemd realised the unit in memory too: still read-only, so not used. */
        dir("memory/boxes.slice");
        dir("memory/boxes.slice/boxlaunch@h.service");
        mount_controllers_ro();
        put("proc-self-cgroup", "4:memory:/boxes.slice/boxlaunch@h.service\n"
                                "1:name=systemd:/boxes.slice/boxlaunch@h.service\n"
                                "0::/boxes.slice/boxlaunch@h.service\n");
        setenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef", 1);
        int r = create_for(tree, "h", NULL, NULL, 0, 0, &cg);
        unsetenv("INVOCATION_ID");
        assert_int_equal(r, 0);
        assert_string_equal(cgroup_path(cg), "boxes.slice/boxlaunch@h.service/payload");
        char pid[32];
        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        assert_file("unified/boxes.slice/boxlaunch@h.service/supervisor/cgroup.procs", pid);
        assert_file("systemd/boxes.slice/boxlaunch@h.service/supervisor/cgroup.procs", pid);
        assert_true(exists("unified/boxes.slice/boxlaunch@h.service/payload"));
        assert_true(exists("systemd/boxes.slice/boxlaunch@h.service/payload"));
        assert_false(exists("memory/boxes.slice/boxlaunch@h.service/payload"));
        assert_int_equal(cgroup_attach(cg, 77), 0);
        assert_file("unified/boxes.slice/boxlaunch@h.service/payload/cgroup.procs", "77");
        assert_file("systemd/boxes.slice/boxlaunch@h.service/payload/cgroup.procs", "77");
        cgroup_destroy(cg);
        assert_false(exists("unified/boxes.slice/boxlaunch@h.service/payload"));
        assert_false(exists("systemd/boxes.slice/boxlaunch@h.service/payload"));
        assert_true(exists("unified/boxes.slice/boxlaunch@h.service"));
}

int main(void)
{
        /* The default automatic parent is what these trees are checked for. */
        unsetenv("BOXLAUNCH_CGROUP_PARENT");
        /* Read-only binds (the controllers inside a container) stay in this process. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                perror("test_cgroup: a mount namespace of its own");
                return 1;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_detect_real),
                cmocka_unit_test_setup_teardown(test_detect_fake, setup_v2, teardown_tree),
                cmocka_unit_test(test_weight_conversion),
                cmocka_unit_test(test_bpf_program),
                cmocka_unit_test_setup_teardown(test_v2_limits, setup_v2, teardown_tree),
                cmocka_unit_test_setup_teardown(test_v2_period_only, setup_v2, teardown_tree),
                cmocka_unit_test_setup_teardown(test_v2_missing_controller, setup_v2,
                                                teardown_tree),
                cmocka_unit_test_setup_teardown(test_bad_values, setup_v2, teardown_tree),
                cmocka_unit_test_setup_teardown(test_parent_and_stale, setup_v2, teardown_tree),
                cmocka_unit_test_setup_teardown(test_auto_parent_env, setup_v2, teardown_tree),
                cmocka_unit_test_setup_teardown(test_v1_limits, setup_v1, teardown_tree),
                cmocka_unit_test_setup_teardown(test_v1_minimal, setup_v1, teardown_tree),
                cmocka_unit_test_setup_teardown(test_v1_swap_needs_max, setup_v1, teardown_tree),
                cmocka_unit_test_setup_teardown(test_v1_missing_controller, setup_v1,
                                                teardown_tree),
                cmocka_unit_test_setup_teardown(test_v1_cpu_cpuacct_alias, setup_v1, teardown_tree),
                cmocka_unit_test_setup_teardown(test_v1_app_box, setup_v1, teardown_tree),
                cmocka_unit_test_setup_teardown(test_hybrid, setup_hybrid, teardown_tree),
                cmocka_unit_test_setup_teardown(test_hybrid_v2_controller, setup_hybrid,
                                                teardown_tree),
                cmocka_unit_test_setup_teardown(test_join_path, setup_hybrid, teardown_tree),
                cmocka_unit_test_setup_teardown(test_v2_end_plan, setup_v2, teardown_tree),
                cmocka_unit_test_setup_teardown(test_v1_end_plan, setup_v1, teardown_tree),
                cmocka_unit_test_setup_teardown(test_hybrid_readonly_controllers, setup_hybrid,
                                                teardown_ro_tree),
                cmocka_unit_test_setup_teardown(test_v1_readonly_devices, setup_v1,
                                                teardown_ro_tree),
                cmocka_unit_test_setup_teardown(test_v2_delegated, setup_v2, teardown_tree),
                cmocka_unit_test_setup_teardown(test_hybrid_delegated_readonly, setup_hybrid,
                                                teardown_ro_tree),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
