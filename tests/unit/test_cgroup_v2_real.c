/* test_cgroup_v2_real.c - the cgroup v2 code on a real cgroup2 file system.
 *
 * This machine is hybrid, but its cgroup2 mount at /sys/fs/cgroup/unified is a real v2
 * hierarchy (with no controllers but hugetlb): used as a root of its own it exercises every
 * controller-independent part of the v2 path for real: cgroup.procs, cgroup.events,
 * cgroup.freeze, cgroup.kill, cgroup.subtree_control, the device BPF program, and removal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_fork.h"
#include "cgroup_conf.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#define V2 "/sys/fs/cgroup/unified"

static char name[32];
static pid_t child = -1;

static char *read_v2(const char *file)
{
        _cleanup_free_ char *p = xasprintf(V2 "/boxlaunch/%s.box/%s", name, file);
        char *s = NULL;
        return read_file_at(AT_FDCWD, p, &s, 1 << 16) < 0 ? NULL : s;
}

static int teardown(void **state)
{
        if (child > 0) {
                kill(child, SIGKILL);
                waitpid(child, NULL, 0);
                child = -1;
        }
        cgroup_gc(V2, name);
        return 0;
}

static void test_v2_lifecycle(void **state)
{
        enum cgroup_layout layout;
        assert_int_equal(cgroup_detect(V2, &layout), 0);
        assert_int_equal(layout, CGROUP_LAYOUT_V2);

        struct box_cgroup *cg = NULL;
        assert_int_equal(create(V2, name, NULL, NULL, 0, &cg), 0);
        _cleanup_free_ char *path = xasprintf("boxlaunch/%s.box", name);
        assert_string_equal(cgroup_path(cg), path);
        assert_true(cgroup_v2_dirfd(cg) >= 0);

        child = test_fork();
        if (child == 0) {
                for (;;)
                        pause();
        }
        assert_int_equal(cgroup_attach(cg, child), 0);

        _cleanup_free_ char *procs = read_v2("cgroup.procs");
        assert_non_null(procs);
        assert_int_equal(atoi(procs), child);
        _cleanup_free_ char *events = read_v2("cgroup.events");
        assert_non_null(strstr(events, "populated 1"));

        /* The parent's subtree_control is a real interface file we can read. */
        _cleanup_free_ char *stc = NULL;
        assert_int_equal(read_file_at(AT_FDCWD, V2 "/boxlaunch/cgroup.subtree_control", &stc, 4096),
                         0);

        pid_t *pids = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_pids(V2, path, &pids, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pids[0], child);
        free(pids);

        /* cgroup.freeze: the process stops without being told, and goes on after. */
        assert_int_equal(cgroup_freeze(V2, path, true), 0);
        _cleanup_free_ char *frozen = read_v2("cgroup.events");
        assert_non_null(strstr(frozen, "frozen 1"));
        assert_int_equal(cgroup_freeze(V2, path, false), 0);
        _cleanup_free_ char *thawed = read_v2("cgroup.events");
        assert_non_null(strstr(thawed, "frozen 0"));

        /* Destroy: cgroup.kill ends what is left, then the directory goes. */
        cgroup_destroy(cg);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        child = -1;
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGKILL);
        _cleanup_free_ char *dir = xasprintf(V2 "/boxlaunch/%s.box", name);
        assert_int_equal(access(dir, F_OK), -1);
}

int main(void)
{
        snprintf(name, sizeof(name), "v2t-%d", (int)getpid());
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_v2_lifecycle, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
