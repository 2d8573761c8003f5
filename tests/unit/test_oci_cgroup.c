/* test_oci_cgroup.c - what an OCI config asks of the cgroups, against a fake hybrid tree (plain
 * directories, BOXLAUNCH_CGROUP_LAYOUT=hybrid): cgroupsPath in both forms, an existing group
 * reused or refused, the device rules in order (with runc's mknod rules), raw cpu shares, memory
 * swappiness, hugetlb and unified files on the cgroup2 side, errors naming the JSON path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cgroup/cgroup.h"
#include "frontend/oci/oci.h"
#include "fake_tree.h"
#include "util/log.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

static char logged[4096];

static void capture(enum log_level l, const char *line, void *userdata)
{
        size_t n = strlen(logged);
        if (l == LOG_LVL_ERROR)
                snprintf(logged + n, sizeof(logged) - n, "%s\n", line);
}

static int setup(void **state)
{
        static const char *const v1[] = {"memory", "pids",   "freezer", "devices", "cpuacct",
                                         "cpu",    "cpuset", "blkio",   "systemd"};
        if (fake_tree_new("test_oci_cgroup", "hybrid") < 0)
                return -1;
        for (size_t i = 0; i < ARRAY_SIZE(v1); i++)
                dir(v1[i]);
        put("cpuset/cpuset.cpus", "0-3\n");
        put("cpuset/cpuset.mems", "0\n");
        dir("unified");
        put("unified/cgroup.controllers", "hugetlb\n");
        put("unified/cgroup.subtree_control", "");
        return 0;
}

static int teardown(void **state)
{
        unsetenv("BOXLAUNCH_CGROUP_LAYOUT");
        fake_tree_remove();
        return 0;
}

/* A config.json with these linux members. */
static void load(const char *linux_extra, struct box_config *c)
{
        _cleanup_free_ char *t = xasprintf(
                "{\"ociVersion\":\"1.2.0\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},"
                "\"args\":[\"sh\"],\"cwd\":\"/\"},\"root\":{\"path\":\"/r\"},"
                "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}],%s}}",
                linux_extra);
        box_config_init(c);
        logged[0] = 0;
        assert_int_equal(oci_spec_load_string(t, "config.json", "/b/oci1", c), 0);
}

static void test_slice_path_and_resources(void **state)
{
        struct box_config c;
        struct box_cgroup *cg = NULL;
        load("\"cgroupsPath\":\"machine-box.slice:libpod:abc\","
             "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
             "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":229,\"access\":\"rw\"},"
             "{\"allow\":false,\"type\":\"b\",\"major\":8,\"access\":\"r\"}],"
             "\"memory\":{\"limit\":1048576,\"swappiness\":5,\"kernelTCP\":524288},"
             "\"cpu\":{\"shares\":300},"
             "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
             "\"unified\":{\"hugetlb.2MB.rsvd.max\":\"6291456\"}}",
             &c);
        assert_int_equal(cgroup_create(tree, &c, &cg), 0);
        const char *p = "machine.slice/machine-box.slice/libpod-abc.scope";
        assert_string_equal(cgroup_path(cg), p);
        _cleanup_free_ char *mem = xasprintf("memory/%s/memory.limit_in_bytes", p);
        _cleanup_free_ char *sw = xasprintf("memory/%s/memory.swappiness", p);
        _cleanup_free_ char *sh = xasprintf("cpu/%s/cpu.shares", p);
        _cleanup_free_ char *deny = xasprintf("devices/%s/devices.deny", p);
        _cleanup_free_ char *allow = xasprintf("devices/%s/devices.allow", p);
        _cleanup_free_ char *huge = xasprintf("unified/%s/hugetlb.2MB.max", p);
        _cleanup_free_ char *rsvd = xasprintf("unified/%s/hugetlb.2MB.rsvd.max", p);
        assert_file(mem, "1048576");
        assert_file(sw, "5");
        _cleanup_free_ char *tcp = xasprintf("memory/%s/memory.kmem.tcp.limit_in_bytes", p);
        assert_file(tcp, "524288");
        assert_file(sh, "300");
        /* The rules in order, then the defaults, then runc's mknod rules. */
        /* A fake tree keeps each write: "a" (written), then the appended rule. */
        assert_file(deny, "ab 8:* r");
        assert_file(allow, "c 10:229 rw\nc 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\n"
                           "c 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\nc 136:* rwm\nc *:* m\nb *:* m");
        assert_file(huge, "4194304");
        assert_file(rsvd, "6291456");
        assert_file("unified/machine.slice/cgroup.subtree_control", "+hugetlb");
        cgroup_destroy(cg);
        box_config_free(&c);
}

/* An existing group named by cgroupsPath is joined when no process is in it, as runc and crun
 * do: a start that fails leaves it as it was; one that started (adopted) removes it at its end. A
 * group with processes is another container's: refused. */
static void test_existing_group(void **state)
{
        struct box_config c;
        struct box_cgroup *cg = NULL;
        dir("memory/pods");
        dir("memory/pods/x");
        put("memory/pods/x/cgroup.procs", "");
        load("\"cgroupsPath\":\"/pods/x\",\"resources\":{\"memory\":{\"limit\":1048576}}", &c);
        assert_int_equal(cgroup_create(tree, &c, &cg), 0);
        assert_string_equal(cgroup_path(cg), "pods/x");
        assert_file("memory/pods/x/memory.limit_in_bytes", "1048576");
        cgroup_destroy(cg); /* not started: the reused group stays, the new ones go */
        _cleanup_free_ char *left = get("memory/pods/x/cgroup.procs");
        assert_non_null(left);
        _cleanup_free_ char *gone = get("pids/pods/x/pids.max");
        assert_null(gone);

        cg = NULL;
        assert_int_equal(cgroup_create(tree, &c, &cg), 0);
        cgroup_adopt(cg);
        cgroup_destroy(cg); /* started: the box's own, removed at its end */
        _cleanup_free_ char *after = get("memory/pods/x/cgroup.procs");
        assert_null(after);
        assert_null(logged[0] ? logged : NULL);

        dir("memory/pods/x");
        put("memory/pods/x/cgroup.procs", "4242\n");
        cg = NULL;
        assert_int_equal(cgroup_create(tree, &c, &cg), -EBUSY);
        assert_null(cg);
        assert_non_null(strstr(logged, "config.json: linux.cgroupsPath: the group pods/x exists "
                                       "and has processes (memory, pid 4242)"));
        _cleanup_free_ char *kept = get("memory/pods/x/cgroup.procs");
        assert_string_equal(kept, "4242");
        box_config_free(&c);
}

static void test_unavailable_resources_name_the_field(void **state)
{
        struct box_config c;
        struct box_cgroup *cg = NULL;
        load("\"resources\":{\"unified\":{\"memory.high\":\"1\"}}", &c);
        assert_int_equal(cgroup_create(tree, &c, &cg), -EOPNOTSUPP);
        assert_non_null(strstr(logged, "config.json: linux.resources.unified: memory.high: the "
                                       "memory controller is not on cgroup2 here"));
        box_config_free(&c);
        load("\"resources\":{\"cpu\":{\"idle\":1}}", &c);
        assert_int_equal(cgroup_create(tree, &c, &cg), -EOPNOTSUPP);
        assert_non_null(strstr(logged, "config.json: linux.resources.cpu.idle: cpu.idle needs"));
        box_config_free(&c);
}

int main(void)
{
        log_set_sink(capture, NULL);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_slice_path_and_resources, setup, teardown),
                cmocka_unit_test_setup_teardown(test_existing_group, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unavailable_resources_name_the_field, setup,
                                                teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
