/* test_net_nft.c - the per-box nftables table: its text from plain parameters, and (as root, in
 * a scratch network namespace) loaded as a netlink batch, listed back by nft(8) (which must print
 * exactly that text: the bytecode means what the text says), replaced, deleted and
 * garbage-collected on one long-lived socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "net/nft.h"
#include "netns_helpers.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

static struct net_prefix P(const char *s) {
        struct net_prefix p = {0};
        if (net_prefix_parse(s, &p) < 0)
                abort();
        return p;
}

static const struct nft_port web_ports[] = {
        {IPPROTO_TCP, {0}, 28080, 80},
        {IPPROTO_UDP, {AF_INET, .addr.v4.s_addr = 0x0100630a /* 10.99.0.1 */, 32}, 25353, 53},
};

static struct nft_box web_box(void)
{
        return (struct nft_box){
                .name = "web",
                .link = "ve-web",
                .subnet4 = P("10.77.0.16/28"),
                .box4 = P("10.77.0.18"),
                .subnet6 = P("fd77:a4d:10::/64"),
                .box6 = P("fd77:a4d:10::2"),
                .masquerade = true,
                .localhost = true,
                .ports = web_ports,
                .n_ports = ARRAY_SIZE(web_ports),
                .dns_gateway = P("10.77.0.17"),
                .dns_resolver = P("127.0.0.53"),
        };
}

static const char web_expected[] =
        "table inet boxlaunch-web {\n"
        "\tchain guard {\n"
        "\t\ttype filter hook prerouting priority raw; policy accept;\n"
        "\t\tiifname \"ve-web\" ip daddr 127.0.0.0/8 drop\n"
        "\t\tiifname \"ve-web\" ip6 daddr ::1 drop\n"
        "\t}\n"
        "\n"
        "\tchain prerouting {\n"
        "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
        "\t\tfib daddr type local tcp dport 28080 dnat ip to 10.77.0.18:80\n"
        "\t\tfib daddr type local tcp dport 28080 dnat ip6 to [fd77:a4d:10::2]:80\n"
        "\t\tip daddr 10.99.0.1 udp dport 25353 dnat ip to 10.77.0.18:53\n"
        "\t\tiifname \"ve-web\" ip daddr 10.77.0.17 tcp dport 53 dnat ip to 127.0.0.53:53\n"
        "\t\tiifname \"ve-web\" ip daddr 10.77.0.17 udp dport 53 dnat ip to 127.0.0.53:53\n"
        "\t}\n"
        "\n"
        "\tchain output {\n"
        "\t\ttype nat hook output priority -100; policy accept;\n"
        "\t\tfib daddr type local tcp dport 28080 dnat ip to 10.77.0.18:80\n"
        "\t\tfib daddr type local ip6 daddr != ::1 tcp dport 28080 dnat ip6 to "
        "[fd77:a4d:10::2]:80\n"
        "\t\tip daddr 10.99.0.1 udp dport 25353 dnat ip to 10.77.0.18:53\n"
        "\t}\n"
        "\n"
        "\tchain postrouting {\n"
        "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
        "\t\toifname \"ve-web\" ip saddr 127.0.0.0/8 masquerade\n"
        "\t\toifname \"ve-web\" ct status dnat ip saddr 10.77.0.16/28 masquerade\n"
        "\t\toifname != \"ve-web\" ip saddr 10.77.0.16/28 masquerade\n"
        "\t\toifname \"ve-web\" ct status dnat ip6 saddr fd77:a4d:10::/64 masquerade\n"
        "\t\toifname != \"ve-web\" ip6 saddr fd77:a4d:10::/64 masquerade\n"
        "\t}\n"
        "}\n";

static void test_ruleset_full(void **state)
{
        struct nft_box b = web_box();
        _cleanup_free_ char *text = NULL;
        assert_int_equal(nft_box_ruleset(&b, &text), 0);
        assert_string_equal(text, web_expected);
        assert_true(nft_box_needs_route_localnet(&b));
}

static void test_ruleset_minimal(void **state)
{
        /* A box with a link but nothing published: only the guard. */
        struct nft_box b = {.name = "m", .link = "ve-m"};
        _cleanup_free_ char *text = NULL;
        assert_int_equal(nft_box_ruleset(&b, &text), 0);
        assert_string_equal(text, "table inet boxlaunch-m {\n"
                                  "\tchain guard {\n"
                                  "\t\ttype filter hook prerouting priority raw; policy accept;\n"
                                  "\t\tiifname \"ve-m\" ip daddr 127.0.0.0/8 drop\n"
                                  "\t\tiifname \"ve-m\" ip6 daddr ::1 drop\n"
                                  "\t}\n"
                                  "}\n");
        assert_false(nft_box_needs_route_localnet(&b));

        /* Masquerade only: no hairpin, no localhost rule. */
        b.subnet4 = P("10.77.0.32/28");
        b.masquerade = true;
        free(text);
        text = NULL;
        assert_int_equal(nft_box_ruleset(&b, &text), 0);
        assert_non_null(
                strstr(text, "\t\toifname != \"ve-m\" ip saddr 10.77.0.32/28 masquerade\n"));
        assert_null(strstr(text, "ct status dnat"));
        assert_null(strstr(text, "127.0.0.0/8 masquerade"));
        assert_null(strstr(text, "chain output"));
}

static void test_ruleset_no_localhost(void **state)
{
        struct nft_port tcp = {IPPROTO_TCP, {0}, 8080, 80};
        struct nft_box b = {.name = "a",
                            .link = "ve-a",
                            .subnet4 = P("10.77.0.48/28"),
                            .box4 = P("10.77.0.50"),
                            .ports = &tcp,
                            .n_ports = 1};
        _cleanup_free_ char *text = NULL;
        assert_int_equal(nft_box_ruleset(&b, &text), 0);
        /* From the host itself, 127/8 is excluded and not masqueraded toward the box. */
        assert_non_null(strstr(text, "\t\tfib daddr type local ip daddr != 127.0.0.0/8 tcp dport "
                                     "8080 dnat ip to 10.77.0.50:80\n"));
        assert_null(strstr(text, "127.0.0.0/8 masquerade"));
        assert_false(nft_box_needs_route_localnet(&b));
        /* Publishing on 127.0.0.1 explicitly implies localhost forwarding. */
        tcp.host = P("127.0.0.1");
        free(text);
        text = NULL;
        assert_int_equal(nft_box_ruleset(&b, &text), 0);
        assert_non_null(strstr(text, "\t\tip daddr 127.0.0.1 tcp dport 8080 dnat ip to "
                                     "10.77.0.50:80\n"));
        assert_non_null(strstr(text, "oifname \"ve-a\" ip saddr 127.0.0.0/8 masquerade"));
        assert_true(nft_box_needs_route_localnet(&b));
}

static void test_ruleset_bridge_port(void **state)
{
        /* A zone's box: the guard also on its port (br_netfilter shows the port), and the
         * zone's own traffic is not masqueraded. */
        struct nft_box b = {.name = "z",
                            .link = "vz-lab",
                            .port = "vb-z",
                            .subnet4 = P("10.77.128.0/24"),
                            .masquerade = true};
        _cleanup_free_ char *text = NULL;
        assert_int_equal(nft_box_ruleset(&b, &text), 0);
        assert_non_null(strstr(text, "\t\tiifname \"vz-lab\" ip daddr 127.0.0.0/8 drop\n"));
        assert_non_null(strstr(text, "\t\tiifname \"vb-z\" ip daddr 127.0.0.0/8 drop\n"));
        assert_non_null(strstr(text, "\t\toifname != \"vz-lab\" oifname != \"vb-z\" ip saddr "
                                     "10.77.128.0/24 ip daddr != 10.77.128.0/24 masquerade\n"));
        b.port = "bad\"port";
        free(text);
        text = NULL;
        assert_int_equal(nft_box_ruleset(&b, &text), -EINVAL);
}

static void test_ruleset_invalid(void **state)
{
        _cleanup_free_ char *text = NULL;
        struct nft_box b = web_box();
        b.name = "a b";
        assert_int_equal(nft_box_ruleset(&b, &text), -EINVAL);
        b = web_box();
        b.link = "ve-\"x";
        assert_int_equal(nft_box_ruleset(&b, &text), -EINVAL);
        b.link = "ve-much-too-long-name";
        assert_int_equal(nft_box_ruleset(&b, &text), -EINVAL);
        b = web_box();
        b.box4 = P("fd77::2");
        assert_int_equal(nft_box_ruleset(&b, &text), -EINVAL);
        b = web_box();
        b.dns_resolver = (struct net_prefix){0};
        assert_int_equal(nft_box_ruleset(&b, &text), -EINVAL);
        struct nft_port zero = {IPPROTO_TCP, {0}, 0, 80}, sctp = {IPPROTO_SCTP, {0}, 1, 1};
        struct nft_port v6host = {IPPROTO_TCP, P("2001:db8::1"), 80, 80};
        b = web_box();
        b.ports = &zero;
        b.n_ports = 1;
        assert_int_equal(nft_box_ruleset(&b, &text), -EINVAL);
        b.ports = &sctp;
        assert_int_equal(nft_box_ruleset(&b, &text), -EINVAL);
        b.box6 = (struct net_prefix){0};
        b.ports = &v6host;
        assert_int_equal(nft_box_ruleset(&b, &text), -EINVAL);
        assert_null(text);
}

/* ---- root: the netlink batch in a scratch namespace, read back by nft(8) ---------------- */

static bool only_keep(const char *name, void *userdata)
{
        return streq(name, (const char *)userdata);
}

/* nft(8)'s listing of one table, or of all tables ("list tables"). */
static char *nft_list(const char *what)
{
        _cleanup_free_ char *cmd = xasprintf("nft %s 2>&1", what);
        FILE *p = popen(cmd, "r");
        if (!p)
                return NULL;
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        char buf[4096];
        for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;)
                fwrite(buf, 1, n, m);
        fclose(m);
        pclose(p);
        return out;
}

/* Loads the box's table and checks that nft lists exactly the text boxlaunch prints for it. */
static int loads_as_printed(struct nft_handle *h, const struct nft_box *b)
{
        _cleanup_free_ char *text = NULL, *listing = NULL;
        _cleanup_free_ char *what = xasprintf("list table inet boxlaunch-%s", b->name);
        CHECK_OK(nft_box_ruleset(b, &text));
        CHECK_OK(nft_box_apply(h, b));
        CHECK((listing = nft_list(what)));
        if (!streq(listing, text)) {
                fprintf(stderr, "nft lists:\n%s\nboxlaunch prints:\n%s\n", listing, text);
                return 1;
        }
        CHECK(nft_table_exists(h, b->name) == 1);
        return 0;
}

/* A table inet NAME owned by a socket of its own (NFT_TABLE_F_OWNER): nobody else may change
 * it while that socket is open. Returns the socket, or -1. */
static int owned_table(const char *name)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        if (fd < 0)
                return -1;
        struct {
                struct nlmsghdr h;
                struct nfgenmsg g;
        } __attribute__((packed))
        begin = {{sizeof(begin), NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, 1, 0},
                 {AF_UNSPEC, NFNETLINK_V0, htons(NFNL_SUBSYS_NFTABLES)}},
        end = {{sizeof(end), NFNL_MSG_BATCH_END, NLM_F_REQUEST, 3, 0},
               {AF_UNSPEC, NFNETLINK_V0, htons(NFNL_SUBSYS_NFTABLES)}};
        char table[256] __attribute__((aligned(4))) = {0};
        struct nlmsghdr *h = (struct nlmsghdr *)table;
        *h = (struct nlmsghdr){0, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE,
                               NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK, 2, 0};
        struct nfgenmsg *g = NLMSG_DATA(h);
        *g = (struct nfgenmsg){NFPROTO_INET, NFNETLINK_V0, 0};
        size_t len = NLMSG_LENGTH(sizeof(*g));
        struct nlattr *a = (struct nlattr *)(table + NLMSG_ALIGN(len));
        a->nla_type = NFTA_TABLE_NAME;
        a->nla_len = (uint16_t)(NLA_HDRLEN + strlen(name) + 1);
        memcpy((char *)a + NLA_HDRLEN, name, strlen(name) + 1);
        len = NLMSG_ALIGN(len) + NLA_ALIGN(a->nla_len);
        a = (struct nlattr *)(table + len);
        a->nla_type = NFTA_TABLE_FLAGS;
        a->nla_len = NLA_HDRLEN + 4;
        uint32_t owner = htonl(NFT_TABLE_F_OWNER);
        memcpy((char *)a + NLA_HDRLEN, &owner, 4);
        h->nlmsg_len = (uint32_t)(len + NLA_ALIGN(a->nla_len));
        char batch[512];
        size_t n = 0;
        memcpy(batch + n, &begin, sizeof(begin));
        n += NLMSG_ALIGN(sizeof(begin));
        memcpy(batch + n, table, h->nlmsg_len);
        n += NLMSG_ALIGN(h->nlmsg_len);
        memcpy(batch + n, &end, sizeof(end));
        n += NLMSG_ALIGN(sizeof(end));
        struct sockaddr_nl k = {.nl_family = AF_NETLINK};
        char ack[512];
        if (sendto(fd, batch, n, 0, (struct sockaddr *)&k, sizeof(k)) < 0 ||
            recv(fd, ack, sizeof(ack), 0) <= 0 ||
            ((struct nlmsgerr *)NLMSG_DATA((struct nlmsghdr *)ack))->error != 0) {
                close(fd);
                return -1;
        }
        return fd;
}

static int apply_list_delete(void *arg)
{
        _cleanup_nft_ struct nft_handle *h = NULL;
        CHECK_OK(nft_handle_new(&h));
        struct nft_box b = web_box();
        CHECK(loads_as_printed(h, &b) == 0);

        /* Every shape of rule: a box with only its guard, masquerade alone, ports without
         * localhost forwarding, a port on 127.0.0.1, a zone's box (link and port). */
        struct nft_box m = {.name = "m", .link = "ve-m"};
        CHECK(loads_as_printed(h, &m) == 0);
        m.subnet4 = P("10.77.0.32/28");
        m.masquerade = true;
        CHECK(loads_as_printed(h, &m) == 0);
        struct nft_port tcp = {IPPROTO_TCP, {0}, 8080, 80};
        struct nft_box a = {.name = "a",
                            .link = "ve-a",
                            .subnet4 = P("10.77.0.48/28"),
                            .box4 = P("10.77.0.50"),
                            .ports = &tcp,
                            .n_ports = 1};
        CHECK(loads_as_printed(h, &a) == 0);
        tcp.host = P("127.0.0.1");
        CHECK(loads_as_printed(h, &a) == 0);
        struct nft_box z = {.name = "z",
                            .link = "vz-lab",
                            .port = "vb-z",
                            .subnet4 = P("10.77.128.0/24"),
                            .subnet6 = P("fd77:a4d:80::/64"),
                            .masquerade = true};
        CHECK(loads_as_printed(h, &z) == 0);

        /* Many ports: hundreds of messages in one batch (the kernel's answers must not
         * overflow the socket). */
        struct nft_port many[300];
        for (size_t i = 0; i < ARRAY_SIZE(many); i++)
                many[i] = (struct nft_port){IPPROTO_TCP, {0}, (uint16_t)(20000 + i), 80};
        struct nft_box lots = web_box();
        lots.name = "lots";
        lots.ports = many;
        lots.n_ports = ARRAY_SIZE(many);
        CHECK_OK(nft_box_apply(h, &lots));
        CHECK(nft_table_exists(h, "lots") == 1);
        CHECK_OK(nft_box_remove(h, "lots"));

        /* A table the kernel refuses to replace (another socket owns it): the error is the
         * kernel's, and boxlaunch does not take the table as loaded. */
        _cleanup_close_ int owner = owned_table("boxlaunch-owned");
        CHECK(owner >= 0);
        struct nft_box owned = {.name = "owned", .link = "ve-owned"};
        CHECK(nft_box_apply(h, &owned) == -EPERM);
        CHECK(nft_box_remove(h, "owned") == -EPERM);
        closep(&owner); /* the kernel drops an owned table with its socket */
        owner = -1;
        CHECK(nft_table_exists(h, "owned") == 0);

        /* Applying again replaces the table in one transaction (a restart after a SIGKILL). */
        struct nft_port one = {IPPROTO_TCP, {0}, 18080, 8080};
        b.ports = &one;
        b.n_ports = 1;
        CHECK(loads_as_printed(h, &b) == 0);
        _cleanup_free_ char *listing = nft_list("list table inet boxlaunch-web");
        CHECK(listing && strstr(listing, "tcp dport 18080 dnat ip to 10.77.0.18:8080"));
        CHECK(!strstr(listing, "28080"));

        /* gc: tables of boxes that are not running go, others and foreign tables stay. */
        CHECK(system("nft add table inet someone-else") == 0);
        CHECK(nft_gc(h, only_keep, (void *)"web") == 3); /* m, a and z */
        free(listing);
        CHECK((listing = nft_list("list tables")));
        CHECK(strstr(listing, "table inet boxlaunch-web\n"));
        CHECK(!strstr(listing, "boxlaunch-m\n") && !strstr(listing, "boxlaunch-z\n"));
        CHECK(strstr(listing, "table inet someone-else\n"));
        CHECK(nft_table_exists(h, "m") == 0);

        /* Removal, twice: the second finds nothing and is fine. */
        CHECK_OK(nft_box_remove(h, "web"));
        CHECK_OK(nft_box_remove(h, "web"));
        free(listing);
        CHECK((listing = nft_list("list tables")));
        CHECK(!strstr(listing, "boxlaunch-"));
        return 0;
}

static void test_apply_list_delete(void **state)
{
        if (geteuid() != 0)
                skip();
        in_scratch_netns(apply_list_delete, NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ruleset_full),
                cmocka_unit_test(test_ruleset_minimal),
                cmocka_unit_test(test_ruleset_no_localhost),
                cmocka_unit_test(test_ruleset_invalid),
                cmocka_unit_test(test_ruleset_bridge_port),
                cmocka_unit_test(test_apply_list_delete),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
