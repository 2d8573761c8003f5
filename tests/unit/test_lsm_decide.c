/* test_lsm_decide.c - the AppArmor decision against a fake /sys (this kernel has no AppArmor):
 * module/apparmor/parameters/enabled and kernel/security/apparmor/profiles in a temporary tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "launch/lsm.h"

static char root[] = "/tmp/boxlaunch-test-lsm-XXXXXX";
static int rootfd = -1;

static void write_at(const char *path, const char *text)
{
        char dir[256];
        snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash) {
                *slash = 0;
                assert_int_equal(mkdir_p_at(rootfd, dir, 0755), 0);
        }
        int fd = openat(rootfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, text, strlen(text)), 0);
        close(fd);
}

static void clear_tree(void)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/module' '%s/kernel'", root, root);
        assert_int_equal(system(cmd), 0);
}

/* A host with AppArmor enabled, securityfs mounted and these profiles loaded. */
static void fake_apparmor(const char *enabled, const char *profiles)
{
        clear_tree();
        if (enabled)
                write_at("module/apparmor/parameters/enabled", enabled);
        if (profiles)
                write_at("kernel/security/apparmor/profiles", profiles);
}

/* Decides with stderr captured into buf. */
static int decide(const struct box_config *c, bool *apply, char *buf, size_t size)
{
        int mfd = memfd_create("stderr", MFD_CLOEXEC);
        assert_true(mfd >= 0);
        int saved = dup(STDERR_FILENO);
        assert_true(saved >= 0);
        assert_int_equal(dup2(mfd, STDERR_FILENO), STDERR_FILENO);
        *apply = true; /* must be reset by every path */
        int r = lsm_decide_at(c, rootfd, apply);
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        ssize_t n = pread(mfd, buf, size - 1, 0);
        assert_true(n >= 0);
        buf[n] = 0;
        close(mfd);
        return r;
}

static const char loaded[] = "docker-default (enforce)\n"
                             "boxlaunch-web (enforce)\n"
                             "/usr/sbin/cupsd (complain)\n"
                             "boxlaunch-web//hat (enforce)\n";

static struct box_config profile(const char *name, bool optional)
{
        struct box_config c;
        memset(&c, 0, sizeof(c));
        c.apparmor_profile = (char *)name;
        c.apparmor_optional = optional;
        return c;
}

static void test_loaded_profile_is_applied(void **state)
{
        char buf[512];
        bool apply;
        fake_apparmor("Y\n", loaded);
        struct box_config c = profile("boxlaunch-web", false);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), 0);
        assert_true(apply);
        assert_string_equal(buf, "");
        c = profile("/usr/sbin/cupsd", false);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), 0);
        assert_true(apply);
}

static void test_profile_not_loaded(void **state)
{
        char buf[512];
        bool apply;
        fake_apparmor("Y\n", loaded);
        /* A prefix of a loaded name is not that profile. */
        struct box_config c = profile("boxlaunch", false);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), -EOPNOTSUPP);
        assert_false(apply);
        assert_non_null(strstr(buf, "\"boxlaunch\""));
        assert_non_null(strstr(buf, "the profile is not loaded"));

        c = profile("boxlaunch", true);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), 0);
        assert_false(apply);
        assert_non_null(strstr(buf, "warning"));
        assert_non_null(strstr(buf, "the profile is not loaded"));
}

static void test_apparmor_disabled(void **state)
{
        char buf[512];
        bool apply;
        fake_apparmor("N\n", loaded);
        struct box_config c = profile("boxlaunch-web", false);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), -EOPNOTSUPP);
        assert_false(apply);
        assert_non_null(strstr(buf, "AppArmor is disabled at boot"));
        c = profile("boxlaunch-web", true);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), 0);
        assert_false(apply);
}

static void test_apparmor_not_built_in(void **state)
{
        char buf[512];
        bool apply;
        fake_apparmor(NULL, NULL);
        struct box_config c = profile("boxlaunch-web", false);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), -EOPNOTSUPP);
        assert_false(apply);
        assert_non_null(strstr(buf, "AppArmor is not available on this system"));
}

/* The box's view: AppArmor enabled, but no securityfs (what libapparmor sees after
 * pivot_root). Deciding there would be wrong; here it fails closed. */
static void test_securityfs_missing(void **state)
{
        char buf[512];
        bool apply;
        fake_apparmor("Y\n", NULL);
        struct box_config c = profile("boxlaunch-web", false);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), -EOPNOTSUPP);
        assert_false(apply);
        assert_non_null(strstr(buf, "securityfs is not mounted"));
}

static void test_nothing_requested(void **state)
{
        char buf[512];
        bool apply;
        fake_apparmor(NULL, NULL); /* not even AppArmor */
        struct box_config c = profile(NULL, false);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), 0);
        assert_false(apply);
        c = profile("", false);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), 0);
        assert_false(apply);
        c = profile("unconfined", false);
        assert_int_equal(decide(&c, &apply, buf, sizeof(buf)), 0);
        assert_false(apply);
        assert_string_equal(buf, "");
        /* And nothing to do in the box for any of them. */
        assert_int_equal(lsm_apply(&c, false), 0);
}

/* SELinux, the real host's (selinuxfs mounted or not: both answers are checked). A mount label
 * alone never fails the start: applied where SELinux runs, ignored where it does not (as crun);
 * a process label where SELinux does not run is an error naming the field. */
static void test_selinux_labels(void **state)
{
        bool on = access("/sys/fs/selinux/enforce", F_OK) == 0, apply;
        assert_int_equal(lsm_selinux_enabled(), on);
        struct box_config c = profile(NULL, false);
        c.mount_label = (char *)"system_u:object_r:container_file_t:s0:c1,c2";
        int mfd = memfd_create("stderr", MFD_CLOEXEC), saved = dup(STDERR_FILENO);
        assert_true(mfd >= 0 && saved >= 0);
        assert_int_equal(dup2(mfd, STDERR_FILENO), STDERR_FILENO);
        int r1 = lsm_decide(&c, &apply);
        c.selinux_label = (char *)"system_u:system_r:container_t:s0:c1,c2";
        int r2 = lsm_decide(&c, &apply);
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        char buf[512];
        ssize_t n = pread(mfd, buf, sizeof(buf) - 1, 0);
        close(mfd);
        assert_true(n >= 0);
        buf[n] = 0;
        assert_int_equal(r1, 0);
        assert_int_equal(r2, on ? 0 : -EOPNOTSUPP);
        if (!on)
                assert_non_null(strstr(buf, "SELinux is not enabled on this host; the label"));
}

static int setup(void **state)
{
        if (!mkdtemp(root))
                return -1;
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        char cmd[128];
        close(rootfd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_loaded_profile_is_applied),
                cmocka_unit_test(test_profile_not_loaded),
                cmocka_unit_test(test_apparmor_disabled),
                cmocka_unit_test(test_apparmor_not_built_in),
                cmocka_unit_test(test_securityfs_missing),
                cmocka_unit_test(test_nothing_requested),
                cmocka_unit_test(test_selinux_labels),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
