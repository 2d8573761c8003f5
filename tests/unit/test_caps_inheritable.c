/* test_caps_inheritable.c - the box's inheritable set holds only what Ambient= asks for
 * (CVE-2022-24769: a full inheritable set hands every capability to files with inheritable
 * file capabilities). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/wait.h>

#include "launch/caps.h"

#define BIT(c) (UINT64_C(1) << (c))

/* The hex mask after `key` in /proc/self/status text. */
static uint64_t status_mask(const char *status, const char *key)
{
        const char *p = strstr(status, key);
        assert_non_null(p);
        return strtoull(p + strlen(key), NULL, 16);
}

/* caps_apply() in a child; its /proc/self/status comes back in buf. */
static void apply_in_child(uint64_t keep, uint64_t ambient, uid_t uid, char *buf, size_t size)
{
        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                gid_t groups[] = {uid == 0 ? 0 : 65534};
                if (caps_apply(keep, ambient, uid, groups[0], groups, 1) < 0)
                        _exit(2);
                int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
                char s[4096];
                ssize_t n = fd < 0 ? -1 : read(fd, s, sizeof(s));
                if (n <= 0 || write(fds[1], s, (size_t)n) != n)
                        _exit(3);
                _exit(0);
        }
        close(fds[1]);
        ssize_t n = read(fds[0], buf, size - 1);
        close(fds[0]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_true(n > 0);
        buf[n] = 0;
}

static void test_root_keeps_no_inheritable(void **state)
{
        char buf[4096];
        apply_in_child(caps_default_app(), 0, 0, buf, sizeof(buf));
        assert_int_equal(status_mask(buf, "CapEff:"), caps_default_app());
        assert_int_equal(status_mask(buf, "CapPrm:"), caps_default_app());
        assert_int_equal(status_mask(buf, "CapInh:"), 0);
        assert_int_equal(status_mask(buf, "CapAmb:"), 0);
}

static void test_ambient_is_inheritable(void **state)
{
        char buf[4096];
        uint64_t keep = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW) | BIT(CAP_KILL);
        apply_in_child(keep, BIT(CAP_NET_BIND_SERVICE), 65534, buf, sizeof(buf));
        assert_int_equal(status_mask(buf, "CapInh:"), BIT(CAP_NET_BIND_SERVICE));
        assert_int_equal(status_mask(buf, "CapAmb:"), BIT(CAP_NET_BIND_SERVICE));
        assert_int_equal(status_mask(buf, "CapEff:"), BIT(CAP_NET_BIND_SERVICE));
        /* Root with Ambient=: everything effective, only the ambient ones inheritable. */
        apply_in_child(keep, BIT(CAP_NET_RAW), 0, buf, sizeof(buf));
        assert_int_equal(status_mask(buf, "CapEff:"), keep);
        assert_int_equal(status_mask(buf, "CapInh:"), BIT(CAP_NET_RAW));
        assert_int_equal(status_mask(buf, "CapAmb:"), BIT(CAP_NET_RAW));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_root_keeps_no_inheritable),
                cmocka_unit_test(test_ambient_is_inheritable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
