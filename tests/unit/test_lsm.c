/* test_lsm.c - AppArmor checks; this kernel has no AppArmor (aa_is_enabled() fails ENOSYS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/apparmor.h>
#include <sys/mman.h>

#include "launch/lsm.h"

/* The host's decision, as the supervisor takes it; *apply is what the child gets. */
static bool apply;

static int lsm_check(const struct box_config *c)
{
        return lsm_decide(c, &apply);
}

/* Runs lsm_check() with stderr captured into buf. */
static int check_captured(const struct box_config *c, char *buf, size_t size)
{
        int mfd = memfd_create("stderr", MFD_CLOEXEC);
        assert_true(mfd >= 0);
        int saved = dup(STDERR_FILENO);
        assert_true(saved >= 0);
        assert_int_equal(dup2(mfd, STDERR_FILENO), STDERR_FILENO);
        int r = lsm_check(c);
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        ssize_t n = pread(mfd, buf, size - 1, 0);
        assert_true(n >= 0);
        buf[n] = 0;
        close(mfd);
        return r;
}

static void test_no_profile(void **state)
{
        struct box_config c;
        memset(&c, 0, sizeof(c));
        assert_int_equal(lsm_check(&c), 0);
        assert_int_equal(lsm_apply(&c, apply), 0);
        c.apparmor_profile = "";
        assert_int_equal(lsm_check(&c), 0);
}

static void test_unconfined(void **state)
{
        struct box_config c;
        char buf[1024];
        memset(&c, 0, sizeof(c));
        c.apparmor_profile = "unconfined";
        assert_int_equal(check_captured(&c, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        assert_int_equal(lsm_apply(&c, apply), 0);
}

static void test_missing_apparmor(void **state)
{
        struct box_config c;
        char buf[1024];

        errno = 0;
        if (aa_is_enabled())
                skip();
        int why = errno;
        memset(&c, 0, sizeof(c));
        c.apparmor_profile = "boxlaunch-default";
        assert_int_equal(check_captured(&c, buf, sizeof(buf)), -EOPNOTSUPP);
        assert_non_null(strstr(buf, "error"));
        assert_non_null(strstr(buf, "\"boxlaunch-default\""));
        if (why == ENOSYS)
                assert_non_null(strstr(buf, "AppArmor is not available on this system"));
        /* Nothing to apply in the child: the supervisor already refused. */
        assert_int_equal(lsm_apply(&c, apply), 0);
}

static void test_optional(void **state)
{
        struct box_config c;
        char buf[1024];

        if (aa_is_enabled())
                skip();
        memset(&c, 0, sizeof(c));
        c.apparmor_profile = "boxlaunch-default";
        c.apparmor_optional = true;
        assert_int_equal(check_captured(&c, buf, sizeof(buf)), 0);
        assert_non_null(strstr(buf, "warning"));
        assert_non_null(strstr(buf, "\"boxlaunch-default\""));
        assert_int_equal(lsm_apply(&c, apply), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_profile),
                cmocka_unit_test(test_unconfined),
                cmocka_unit_test(test_missing_apparmor),
                cmocka_unit_test(test_optional),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
