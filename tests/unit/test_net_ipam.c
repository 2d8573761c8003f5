/* test_net_ipam.c - address pools: stable hash-derived candidates, lease files claimed
 * atomically, reuse after a killed supervisor, host subnets skipped, release, gc, IPv6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "net/ipam.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

static char dir[64];
static char pooldir[128];

static int setup(void **state)
{
        snprintf(dir, sizeof(dir), "/tmp/boxlaunch-ipamtest.XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        snprintf(pooldir, sizeof(pooldir), "%s/net/boxes", dir);
        return 0;
}

static int teardown(void **state)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static struct net_prefix P(const char *s) {
        struct net_prefix p;
        assert_int_equal(net_prefix_parse(s, &p), 0);
        return p;
}

static const char *
S(const struct net_prefix *p)
{
        static char buf[4][NET_PREFIX_STRLEN];
        static int i;
        i = (i + 1) % 4;
        return net_prefix_format(p, true, buf[i], sizeof(buf[i]));
}

static struct ipam_pool box_pool(void)
{
        return (struct ipam_pool){
                .dir = pooldir,
                .range = P(IPAM_BOX_RANGE),
                .slot_plen = IPAM_BOX_PLEN,
        };
}

static void test_prefix_helpers(void **state)
{
        struct net_prefix p = P("10.77.0.18/28");
        net_prefix_mask(&p);
        assert_string_equal(S(&p), "10.77.0.16/28");
        struct net_prefix all = P("10.77.0.0/16");
        assert_true(net_prefix_overlaps(&p, &all));
        struct net_prefix q = P("10.77.0.32/28");
        assert_false(net_prefix_overlaps(&p, &q));
        struct net_prefix r = P("10.77.0.255/32");
        net_prefix_add(&r, 2);
        assert_string_equal(S(&r), "10.77.1.1/32");
        assert_int_equal(net_prefix_parse("10.0.0.1/33", &r), -EINVAL);
        assert_int_equal(net_prefix_parse("10.0.0/8", &r), -EINVAL);
        assert_int_equal(net_prefix_parse("fd77::1/129", &r), -EINVAL);
        assert_int_equal(net_prefix_parse("fd77::1/64", &r), 0);
        assert_int_equal(r.family, AF_INET6);
}

static void test_candidates(void **state)
{
        struct ipam_pool pool = box_pool();
        assert_int_equal(ipam_slots(&pool), 2048);
        struct net_prefix a, b, c;
        /* Stable: the same name gives the same subnet, another name (almost surely) another. */
        assert_int_equal(ipam_candidate(&pool, "web", 0, &a), 0);
        assert_int_equal(ipam_candidate(&pool, "web", 0, &b), 0);
        assert_memory_equal(&a, &b, sizeof(a));
        assert_int_equal(ipam_candidate(&pool, "db", 0, &c), 0);
        assert_memory_not_equal(&a.addr, &c.addr, 4);
        /* In the range, on a slot boundary, and the next attempt is the next slot. */
        assert_true(net_prefix_contains(&pool.range, &a));
        assert_int_equal(a.plen, 28);
        assert_int_equal(a.addr.bytes[3] % 16, 0);
        assert_int_equal(ipam_candidate(&pool, "web", 1, &b), 0);
        struct net_prefix next = a;
        net_prefix_add(&next, 16);
        if (!net_prefix_contains(&pool.range, &next))
                next = P("10.77.0.0/28"); /* wrapped */
        assert_memory_equal(&b.addr, &next.addr, 4);

        /* Skipped slots are never candidates: a /29 of /32 hosts without .0, .1 and .7. */
        struct ipam_pool hosts = {.dir = pooldir,
                                  .range = P("10.77.128.0/29"),
                                  .slot_plen = 32,
                                  .skip_first = 2,
                                  .skip_last = 1};
        for (uint64_t i = 0; i < 20; i++) {
                assert_int_equal(ipam_candidate(&hosts, "x", i, &a), 0);
                assert_in_range(a.addr.bytes[3], 2, 6);
        }
        struct ipam_pool bad = {.dir = pooldir, .range = P("10.0.0.0/24"), .slot_plen = 16};
        assert_int_equal(ipam_candidate(&bad, "x", 0, &a), -EINVAL);
}

static void test_claim_release(void **state)
{
        struct ipam_pool pool = box_pool();
        struct net_prefix a, b, again;
        assert_int_equal(ipam_claim(&pool, "web", NULL, 0, &a), 0);
        struct net_prefix want;
        assert_int_equal(ipam_candidate(&pool, "web", 0, &want), 0);
        assert_memory_equal(&a, &want, sizeof(a));

        /* The lease file is named after the subnet and holds the owner. */
        char name[NET_PREFIX_STRLEN];
        net_prefix_format(&a, false, name, sizeof(name));
        _cleanup_free_ char *path = xasprintf("%s/%s", pooldir, name);
        _cleanup_free_ char *text = NULL;
        assert_int_equal(read_file_at(AT_FDCWD, path, &text, 256), 0);
        assert_string_equal(text, "web\n");

        /* Another box whose first candidate is taken gets the next one. Force the collision by
         * claiming web's slot for "other" via claim_exact first, in a fresh pool. */
        assert_int_equal(ipam_claim_exact(&pool, "other", &a), -EADDRINUSE);
        assert_int_equal(ipam_release(&pool, "web", &a), 0);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(ipam_claim_exact(&pool, "other", &a), 0);
        assert_int_equal(ipam_claim(&pool, "web", NULL, 0, &b), 0);
        struct net_prefix second;
        assert_int_equal(ipam_candidate(&pool, "web", 1, &second), 0);
        assert_memory_equal(&b, &second, sizeof(b));

        /* A restart (its old lease still there after a SIGKILL) gets the same subnet back. */
        assert_int_equal(ipam_claim(&pool, "web", NULL, 0, &again), 0);
        assert_memory_equal(&again, &b, sizeof(b));
        assert_int_equal(ipam_lookup(&pool, "web", &again), 0);
        assert_memory_equal(&again, &b, sizeof(b));

        /* A static address claimed again by its owner (left by a killed supervisor) is fine. */
        struct net_prefix fixed = P("10.77.64.0/28");
        assert_int_equal(ipam_claim_exact(&pool, "static", &fixed), 0);
        assert_int_equal(ipam_claim_exact(&pool, "static", &fixed), 0);
        assert_int_equal(ipam_claim_exact(&pool, "web", &fixed), -EADDRINUSE);
        assert_int_equal(ipam_release_owner(&pool, "static"), 0);

        /* Release only removes the owner's own lease. */
        assert_int_equal(ipam_release(&pool, "web", &a), 0);
        assert_int_equal(ipam_lookup(&pool, "other", &again), 0);
        assert_int_equal(ipam_release_owner(&pool, "web"), 0);
        assert_int_equal(ipam_lookup(&pool, "web", &again), -ENOENT);
        assert_int_equal(ipam_lookup(&pool, "other", &again), 0);
}

static void test_skip_host_subnets(void **state)
{
        struct ipam_pool pool = box_pool();
        struct net_prefix first, got;
        assert_int_equal(ipam_candidate(&pool, "web", 0, &first), 0);
        /* An address on a host link inside web's first candidate (with its /24). */
        struct net_prefix host = first;
        net_prefix_add(&host, 5);
        host.plen = 24;
        assert_int_equal(ipam_claim(&pool, "web", &host, 1, &got), 0);
        assert_false(net_prefix_overlaps(&got, &host));
        assert_true(net_prefix_contains(&pool.range, &got));
}

static void test_exhaustion(void **state)
{
        struct ipam_pool pool = {.dir = pooldir,
                                 .range = P("10.77.128.0/30"),
                                 .slot_plen = 32,
                                 .skip_first = 2,
                                 .skip_last = 1};
        struct net_prefix a;
        assert_int_equal(ipam_claim(&pool, "one", NULL, 0, &a), 0);
        assert_string_equal(S(&a), "10.77.128.2/32");
        assert_int_equal(ipam_claim(&pool, "two", NULL, 0, &a), -EADDRNOTAVAIL);
}

static bool running_web(const char *owner, void *userdata)
{
        (*(int *)userdata)++;
        return streq(owner, "web");
}

static void test_gc(void **state)
{
        struct ipam_pool pool = box_pool();
        struct net_prefix a;
        assert_int_equal(ipam_claim(&pool, "web", NULL, 0, &a), 0);
        assert_int_equal(ipam_claim(&pool, "dead", NULL, 0, &a), 0);
        /* A lease whose writer died mid-way (empty): nobody can claim it back. */
        _cleanup_free_ char *junk = xasprintf("%s/10.77.1.0", pooldir);
        int fd = open(junk, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
        int calls = 0;
        assert_int_equal(ipam_gc(&pool, running_web, &calls), 2);
        assert_int_equal(calls, 2);
        assert_int_equal(ipam_lookup(&pool, "web", &a), 0);
        assert_int_equal(ipam_lookup(&pool, "dead", &a), -ENOENT);
        assert_int_equal(access(junk, F_OK), -1);
        /* gc of a pool never used is a no-op and creates nothing. */
        struct ipam_pool none = pool;
        _cleanup_free_ char *nd = xasprintf("%s/never", dir);
        none.dir = nd;
        assert_int_equal(ipam_gc(&none, running_web, &calls), 0);
        assert_int_equal(access(nd, F_OK), -1);
}

static void test_v6(void **state)
{
        struct net_prefix ula = P(IPAM_ULA_PREFIX), v4 = P("10.77.0.16/28"), v6, host;
        assert_int_equal(ipam_v6_prefix(&ula, &v4, &v6), 0);
        assert_string_equal(S(&v6), "fd77:a4d:10::/64");

        ipam_slot_host(&v6, 2, &host);
        host.plen = 64;
        assert_string_equal(S(&host), "fd77:a4d:10::2/64");
        ipam_slot_host(&v4, 1, &host);
        assert_string_equal(S(&host), "10.77.0.17/28");
        assert_int_equal(ipam_v6_prefix(&v4, &v4, &v6), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_prefix_helpers),
                cmocka_unit_test(test_candidates),
                cmocka_unit_test_setup_teardown(test_claim_release, setup, teardown),
                cmocka_unit_test_setup_teardown(test_skip_host_subnets, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
                cmocka_unit_test(test_v6),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
