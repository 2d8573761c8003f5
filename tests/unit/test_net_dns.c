/* test_net_dns.c - the resolv.conf a box behind a veth gets from the host's, and the
 * networkd file a booted guest finds for its pre-configured host0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "net/dns.h"
#include "net/guest.h"

#include <sys/socket.h>

static struct net_prefix gw(void)
{
        struct net_prefix p;
        assert_int_equal(net_prefix_parse("10.77.0.17", &p), 0);
        return p;
}

static void test_upstreams_copied(void **state)
{
        const char *host = "# generated\nsearch example.test\nnameserver 10.255.255.53\n"
                           "nameserver 2001:db8::53\noptions edns0 trust-ad\n";
        struct net_prefix g = gw(), res;
        _cleanup_free_ char *out = NULL;
        assert_int_equal(dns_box_resolv_conf(host, &g, &out, &res), 0);
        assert_string_equal(out, host);
        assert_int_equal(res.family, 0);
        assert_int_equal(dns_count_nameservers(out), 2);
}

static void test_loopback_becomes_gateway(void **state)
{
        /* systemd-resolved's stub file. */
        const char *host = "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n";
        struct net_prefix g = gw(), res;
        _cleanup_free_ char *out = NULL;
        assert_int_equal(dns_box_resolv_conf(host, &g, &out, &res), 0);
        assert_string_equal(out, "nameserver 10.77.0.17\noptions edns0 trust-ad\nsearch .\n");
        char a[NET_PREFIX_STRLEN];
        assert_string_equal(net_prefix_format(&res, false, a, sizeof(a)), "127.0.0.53");
}

static void test_mixed(void **state)
{
        /* dnsmasq on 127.0.0.1 and ::1 first, a real upstream, a link-local one with a scope:
         * one gateway line where the first loopback was, the upstream kept, the rest gone. */
        const char *host = "nameserver 127.0.0.1\nnameserver ::1\nnameserver 10.1.2.3\n"
                           "nameserver fe80::1%eth0\nnameserver 127.0.0.53 # second\n";
        struct net_prefix g = gw(), res;
        _cleanup_free_ char *out = NULL;
        assert_int_equal(dns_box_resolv_conf(host, &g, &out, &res), 0);
        assert_string_equal(out, "nameserver 10.77.0.17\nnameserver 10.1.2.3\n");
        char a[NET_PREFIX_STRLEN];
        assert_string_equal(net_prefix_format(&res, false, a, sizeof(a)), "127.0.0.1");
}

static void test_no_gateway(void **state)
{
        /* Without a gateway serving DNS, loopback servers are dropped; ::1 alone gives no
         * resolver to forward to. */
        const char *host = "nameserver ::1\nsearch lan\n";
        struct net_prefix res;
        _cleanup_free_ char *out = NULL;
        assert_int_equal(dns_box_resolv_conf(host, NULL, &out, &res), 0);
        assert_string_equal(out, "search lan\n");
        assert_int_equal(res.family, 0);
        assert_int_equal(dns_count_nameservers(out), 0);
        /* No trailing newline in the input: the line still ends with one. */
        free(out);
        out = NULL;
        assert_int_equal(dns_box_resolv_conf("nameserver 10.0.0.1", NULL, &out, NULL), 0);
        assert_string_equal(out, "nameserver 10.0.0.1\n");
        struct net_prefix bad = {0};
        assert_int_equal(dns_box_resolv_conf("", &bad, &out, NULL), -EINVAL);
}

static void test_guest_network(void **state)
{
        struct net_prefix g = gw();
        _cleanup_free_ char *v4 = guest_host0_network(false, &g);
        assert_string_equal(v4, "# Written by boxlaunch: host0 was configured before this guest "
                                "started.\n"
                                "[Match]\n"
                                "Name=host0\n"
                                "\n"
                                "[Network]\n"
                                "DHCP=no\n"
                                "LinkLocalAddressing=no\n"
                                "IPv6AcceptRA=no\n"
                                "KeepConfiguration=yes\n"
                                "DNS=10.77.0.17\n");
        _cleanup_free_ char *v6 = guest_host0_network(true, NULL);
        assert_non_null(strstr(v6, "LinkLocalAddressing=ipv6\n"));
        assert_null(strstr(v6, "DNS="));
        /* No Address=/Gateway=: with them networkd failed 2 boots of 3 (research §5, case C). */
        assert_null(strstr(v4, "Address="));
        assert_null(strstr(v4, "Gateway="));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_upstreams_copied),
                cmocka_unit_test(test_loopback_becomes_gateway),
                cmocka_unit_test(test_mixed),
                cmocka_unit_test(test_no_gateway),
                cmocka_unit_test(test_guest_network),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
