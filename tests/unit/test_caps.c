/* test_caps.c - capability parsing, resolution and applying them in a child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "test_fork.h"
#include "launch/caps.h"
#include "util/capnames.h"
#include "util/parse.h"

#define BIT(c) (UINT64_C(1) << (c))

/* The token caps_parse() refuses, as a front-end finds it to name it: the first one
 * caps_add_name() refuses (malloc'd), or NULL. */
static char *first_bad(const char *text)
{
        _cleanup_strv_ char **t = split_tokens(text);
        uint64_t m = 0;
        for (char **p = t; *p; p++)
                if (caps_add_name(&m, *p) < 0)
                        return xstrdup(*p);
        return NULL;
}

static void test_parse_good(void **state)
{
        uint64_t m = 0;
        char *bad = NULL;

        assert_int_equal(caps_parse("CAP_CHOWN cap_net_raw,Cap_Kill", &m), 0);
        assert_null(bad = first_bad("CAP_CHOWN cap_net_raw,Cap_Kill"));
        assert_int_equal(m, BIT(CAP_CHOWN) | BIT(CAP_NET_RAW) | BIT(CAP_KILL));

        assert_int_equal(caps_parse("", &m), 0);
        assert_int_equal(m, 0);
}

static void test_parse_all(void **state)
{
        uint64_t m = 0;
        /* "all" is every capability this kernel knows: 0 up to the last one it reports. */
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        assert_non_null(f);
        unsigned last = 0;
        assert_int_equal(fscanf(f, "%u", &last), 1);
        fclose(f);
        assert_true(last >= CAP_AUDIT_READ && last < 64);
        uint64_t want = 0;
        for (unsigned c = 0; c <= last; c++)
                want |= BIT(c);

        assert_int_equal(caps_parse("all", &m), 0);
        assert_int_equal(m, want);
        assert_int_equal(caps_parse("cap_chown, ALL", &m), 0);
        assert_true(m & BIT(CAP_SYS_ADMIN));
}

static void test_parse_bad(void **state)
{
        uint64_t m = 42;
        char *bad = NULL;

        assert_int_equal(caps_parse("cap_chown cap_bogus", &m), -EINVAL);
        assert_string_equal(bad = first_bad("cap_chown cap_bogus"), "cap_bogus");
        assert_int_equal(m, 42);
        free(bad);
        bad = NULL;

        /* libcap takes numbers and unprefixed names never. */
        assert_int_equal(caps_parse("21", &m), -EINVAL);
        assert_string_equal(bad = first_bad("21"), "21");
        free(bad);
        bad = NULL;
        assert_int_equal(caps_parse("sys_admin", &m), -EINVAL);
        assert_string_equal(bad = first_bad("sys_admin"), "sys_admin");
        free(bad);
}

static void test_to_string(void **state)
{
        char *s = caps_to_string(0);
        assert_string_equal(s, "");
        free(s);
        s = caps_to_string(BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_RAW));
        assert_string_equal(s, "cap_chown cap_kill cap_net_raw");
        free(s);

        /* Round trip. */
        uint64_t m;
        s = caps_to_string(caps_default_machine(true));
        assert_int_equal(caps_parse(s, &m), 0);
        assert_int_equal(m, caps_default_machine(true));
        free(s);
}

static void test_defaults(void **state)
{
        uint64_t app = caps_default_app();
        assert_int_equal(__builtin_popcountll(app), 14);
        assert_true(app & BIT(CAP_AUDIT_WRITE));
        assert_false(app & BIT(CAP_SYS_ADMIN));

        uint64_t m = caps_default_machine(false);
        assert_true(m & BIT(CAP_SYS_ADMIN));
        assert_true(m & BIT(CAP_SYS_RESOURCE));
        assert_false(m & BIT(CAP_NET_ADMIN));
        assert_false(m & BIT(CAP_SYS_MODULE));
        assert_int_equal(caps_default_machine(true), m | BIT(CAP_NET_ADMIN));
}

static void test_host_bounding(void **state)
{
        uint64_t b = caps_host_bounding();
        for (unsigned i = 0; i < (unsigned)cap_max_bits(); i++)
                assert_int_equal(!!(b & BIT(i)), prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1);
        assert_int_equal(b >> cap_max_bits(), 0);
}

static void test_resolve(void **state)
{
        struct box_config c;
        uint64_t host = caps_host_bounding();

        memset(&c, 0, sizeof(c));
        assert_int_equal(caps_resolve(&c), caps_default_app() & host);

        c.boot = true;
        assert_int_equal(caps_resolve(&c), caps_default_machine(false) & host);
        c.net = BOX_NET_PRIVATE;
        assert_int_equal(caps_resolve(&c), caps_default_machine(true) & host);
        /* This host's bounding set lacks CAP_SYS_RESOURCE: it is dropped, not an error. */
        if (!(host & BIT(CAP_SYS_RESOURCE)))
                assert_false(caps_resolve(&c) & BIT(CAP_SYS_RESOURCE));

        memset(&c, 0, sizeof(c));
        c.caps.add = BIT(CAP_SYS_ADMIN) | BIT(CAP_SYS_RESOURCE);
        c.caps.drop = BIT(CAP_NET_RAW) | BIT(CAP_SYS_ADMIN);
        uint64_t m = caps_resolve(&c);
        assert_false(m & BIT(CAP_NET_RAW));
        assert_false(m & BIT(CAP_SYS_ADMIN)); /* drop wins over add */
        assert_true(m & BIT(CAP_CHOWN));
        assert_int_equal(!!(m & BIT(CAP_SYS_RESOURCE)), !!(host & BIT(CAP_SYS_RESOURCE)));

        memset(&c, 0, sizeof(c));
        c.caps.set_given = true;
        c.caps.set = BIT(CAP_KILL) | BIT(CAP_SYS_RESOURCE);
        c.caps.add = BIT(CAP_CHOWN);
        assert_int_equal(caps_resolve(&c),
                         (BIT(CAP_KILL) | BIT(CAP_SYS_RESOURCE) | BIT(CAP_CHOWN)) & host);

        c.caps.set = 0; /* Set= empty: nothing but Add= */
        c.caps.add = 0;
        assert_int_equal(caps_resolve(&c), 0);
}

static uint64_t status_mask(const char *status, const char *key)
{
        const char *p = strstr(status, key);
        if (!p)
                return UINT64_MAX;
        return strtoull(p + strlen(key), NULL, 16);
}

/* Runs caps_apply() in a child and returns its /proc/self/status through a pipe. */
static int apply_in_child(uint64_t keep, uint64_t ambient, uid_t uid, char *buf, size_t size)
{
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                gid_t groups[] = {65534};
                int r = caps_apply(keep, ambient, uid, uid == 0 ? 0 : 65534, groups, 1);
                if (r < 0) {
                        dprintf(p[1], "error %d", r);
                        _exit(1);
                }
                char st[8192];
                int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
                ssize_t n = fd >= 0 ? read(fd, st, sizeof(st) - 1) : -1;
                if (n > 0)
                        (void)!write(p[1], st, (size_t)n);
                _exit(n > 0 ? 0 : 2);
        }
        close(p[1]);
        size_t len = 0;
        ssize_t n;
        while ((n = read(p[0], buf + len, size - 1 - len)) > 0)
                len += (size_t)n;
        buf[len] = 0;
        close(p[0]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void test_apply_nonroot_ambient(void **state)
{
        char buf[8192];

        if (geteuid() != 0)
                skip();
        uint64_t keep = BIT(CAP_NET_RAW) | BIT(CAP_CHOWN) | BIT(CAP_KILL);
        int rc = apply_in_child(keep, BIT(CAP_NET_RAW), 65534, buf, sizeof(buf));
        if (rc != 0)
                fail_msg("child failed: %s", buf);
        assert_int_equal(status_mask(buf, "CapAmb:"), BIT(CAP_NET_RAW));
        assert_int_equal(status_mask(buf, "CapEff:"), BIT(CAP_NET_RAW));
        assert_int_equal(status_mask(buf, "CapPrm:"), BIT(CAP_NET_RAW));
        assert_int_equal(status_mask(buf, "CapInh:"), BIT(CAP_NET_RAW));
        assert_int_equal(status_mask(buf, "CapBnd:"), keep & caps_host_bounding());
        assert_non_null(strstr(buf, "Uid:\t65534\t65534\t65534\t65534"));
        assert_non_null(strstr(buf, "Gid:\t65534\t65534\t65534\t65534"));
        assert_non_null(strstr(buf, "Groups:\t65534"));
}

static void test_apply_root(void **state)
{
        char buf[8192];

        if (geteuid() != 0)
                skip();
        uint64_t keep = BIT(CAP_CHOWN) | BIT(CAP_SETUID) | BIT(CAP_SYS_ADMIN);
        int rc = apply_in_child(keep, 0, 0, buf, sizeof(buf));
        if (rc != 0)
                fail_msg("child failed: %s", buf);
        assert_int_equal(status_mask(buf, "CapEff:"), keep);
        assert_int_equal(status_mask(buf, "CapPrm:"), keep);
        /* Nothing inheritable without Ambient= (CVE-2022-24769). */
        assert_int_equal(status_mask(buf, "CapInh:"), 0);
        assert_int_equal(status_mask(buf, "CapBnd:"), keep);
        assert_int_equal(status_mask(buf, "CapAmb:"), 0);
}

static void test_apply_nonroot_no_ambient(void **state)
{
        char buf[8192];

        if (geteuid() != 0)
                skip();
        int rc = apply_in_child(caps_default_app(), 0, 65534, buf, sizeof(buf));
        if (rc != 0)
                fail_msg("child failed: %s", buf);
        assert_int_equal(status_mask(buf, "CapEff:"), 0);
        assert_int_equal(status_mask(buf, "CapPrm:"), 0);
        assert_int_equal(status_mask(buf, "CapAmb:"), 0);
        assert_int_equal(status_mask(buf, "CapBnd:"), caps_default_app() & caps_host_bounding());
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_good),
                cmocka_unit_test(test_parse_all),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_to_string),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_host_bounding),
                cmocka_unit_test(test_resolve),
                cmocka_unit_test(test_apply_root),
                cmocka_unit_test(test_apply_nonroot_ambient),
                cmocka_unit_test(test_apply_nonroot_no_ambient),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
