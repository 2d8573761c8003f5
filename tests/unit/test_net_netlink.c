/* test_net_netlink.c - links, addresses, routes and sysctls for boxes, as root, each test in
 * throw-away network namespaces (netns_helpers.h): a veth whose peer is created directly in a
 * second namespace, names, MACs, altname and alias, addresses and routes on both ends, bridges,
 * moving a link in and back, macvlan (and ipvlan where the kernel has it), the kernel's error
 * text, sysctls; and end to end with the per-box nft table: the host stand-in's 127.0.0.1:PORT,
 * a peer namespace and the box itself reach a listener in the box namespace, the box reaches
 * the peer through masquerade, and the guard keeps the box from a 127.0.0.1-only service of the
 * host even when the box reroutes 127.0.0.1 to it (research networking.md §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "net/names.h"
#include "net/netlink.h"
#include "net/nft.h"
#include "net/sysctl.h"
#include "netns_helpers.h"

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

static struct net_prefix P(const char *s) {
        struct net_prefix p = {0};
        if (net_prefix_parse(s, &p) < 0)
                abort();
        return p;
}

/* ---- link details through rtn_link_get -------------------------------------------------- */

struct linkinfo {
        bool found;
        int index, master;
        unsigned flags;
        uint8_t mac[6];
        char name[IFNAMSIZ], kind[32], alias[64];
};

static int save_link(const struct rtn_link_info *l, void *userdata)
{
        struct linkinfo *i = userdata;
        i->found = true;
        i->index = l->index;
        i->master = l->master;
        i->flags = l->flags;
        memcpy(i->mac, l->mac, 6);
        snprintf(i->name, sizeof(i->name), "%s", l->name);
        snprintf(i->kind, sizeof(i->kind), "%s", l->kind);
        snprintf(i->alias, sizeof(i->alias), "%s", l->alias);
        return 0;
}

static struct linkinfo link_info(struct rtn_ctx *ctx, const char *name)
{
        struct linkinfo i = {0};
        if (rtn_link_get(ctx, name, save_link, &i) < 0)
                i.found = false;
        return i;
}

struct addrsearch {
        struct net_prefix want;
        int ifindex;
        bool found;
};

static int find_addr(int ifindex, const struct net_prefix *a, void *userdata)
{
        struct addrsearch *s = userdata;
        if (a->family == s->want.family && a->plen == s->want.plen &&
            memcmp(&a->addr, &s->want.addr, net_prefix_addr_len(a)) == 0 && ifindex == s->ifindex)
                s->found = true;
        return 0;
}

static bool has_addr(struct rtn_ctx *ctx, int ifindex, const char *addr)
{
        struct addrsearch s = {.want = P(addr), .ifindex = ifindex};
        return rtn_addr_dump(ctx, AF_UNSPEC, find_addr, &s) == 0 && s.found;
}

static const uint8_t mac_a[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

/* The standard set-up: ve-LINK in the current namespace, host0 in box (UP, addressed, with a
 * default route), lo up on both sides. */
static int veth_box(struct rtn_ctx *h, struct rtn_ctx *b, int box, const char *link,
                    const char *hostaddr, const char *boxaddr, const char *gw)
{
        struct rtn_veth v = {.name = link,
                             .mac = mac_a,
                             .up = true,
                             .peer_name = "host0",
                             .peer_mac = mac_b,
                             .peer_netns_fd = box};
        int hi = rtn_veth_add(h, &v), bi = rtn_link_index(b, "host0");
        CHECK(hi > 0 && bi > 0);
        CHECK(hi == rtn_link_index(h, link));
        CHECK_OK(rtn_link_set_up(b, bi, true));
        struct net_prefix ha = P(hostaddr), ba = P(boxaddr), g = P(gw);
        CHECK_OK(rtn_addr_add(h, hi, &ha));
        CHECK_OK(rtn_addr_add(b, bi, &ba));
        CHECK_OK(rtn_link_set_up(b, 1, true));
        CHECK_OK(rtn_route_add(b, bi, NULL, &g));
        return 0;
}

/* ---- veth with the peer created in another namespace ------------------------------------- */

static int veth_in_netns(void *arg)
{
        _cleanup_rtn_ struct rtn_ctx *h = NULL, *b = NULL;
        _cleanup_close_ int box = new_netns();
        CHECK(box >= 0);
        CHECK_OK(rtn_open(&h));
        CHECK_OK(rtn_open_in_netns(box, &b));

        char ifname[IFNAMSIZ], alt[NET_ALTNAME_MAX];
        CHECK(net_ifname(NET_PREFIX_VETH, "nrverylongmachinename", ifname, alt) == 1);
        struct rtn_veth v = {.name = ifname,
                             .mac = mac_a,
                             .altname = alt,
                             .alias = "boxlaunch:nrverylongmachinename",
                             .up = true,
                             .peer_name = "host0",
                             .peer_mac = mac_b,
                             .peer_netns_fd = box};
        int index = rtn_veth_add(h, &v);
        CHECK(index > 0);
        CHECK_OK(rtn_link_set_up(b, rtn_link_index(b, "host0"), true));

        /* Host end: name, altname (found by it too), alias, MAC, UP; no host0 here. */
        struct linkinfo hl = link_info(h, "ve-nrverylojch4");
        CHECK(hl.found && streq(hl.kind, "veth") && (hl.flags & IFF_UP));
        CHECK(memcmp(hl.mac, mac_a, 6) == 0);
        CHECK(streq(hl.alias, "boxlaunch:nrverylongmachinename"));
        CHECK(rtn_link_index(h, "ve-nrverylongmachinename") == hl.index);
        CHECK(index == hl.index);
        CHECK(rtn_link_index(h, "host0") == -ENODEV);
        /* Box end: created in the box's namespace directly, with its MAC, UP. */
        struct linkinfo bl = link_info(b, "host0");
        CHECK(bl.found && streq(bl.kind, "veth") && (bl.flags & IFF_UP));
        CHECK(memcmp(bl.mac, mac_b, 6) == 0);
        CHECK(rtn_link_index(b, ifname) == -ENODEV);

        /* Addresses (IPv6 without DAD) and routes on both sides. */
        struct net_prefix h4 = P("10.77.0.17/28"), b4 = P("10.77.0.18/28"),
                          h6 = P("fd77:a4d:10::1/64"), b6 = P("fd77:a4d:10::2/64"),
                          g4 = P("10.77.0.17"), g6 = P("fd77:a4d:10::1");
        CHECK_OK(rtn_addr_add(h, hl.index, &h4));
        CHECK_OK(rtn_addr_add(h, hl.index, &h4)); /* again: replaced, not an error */
        CHECK_OK(rtn_addr_add(h, hl.index, &h6));
        CHECK_OK(rtn_addr_add(b, bl.index, &b4));
        CHECK_OK(rtn_addr_add(b, bl.index, &b6));
        CHECK_OK(rtn_link_set_up(b, 1, true));
        CHECK_OK(rtn_route_add(b, bl.index, NULL, &g4));
        CHECK_OK(rtn_route_add(b, bl.index, NULL, &g6));
        struct net_prefix other = P("10.78.0.0/24");
        CHECK_OK(rtn_route_add(b, bl.index, &other, &g4));
        CHECK(has_addr(h, hl.index, "10.77.0.17/28"));
        CHECK(has_addr(b, bl.index, "10.77.0.18/28"));
        CHECK(has_addr(b, bl.index, "fd77:a4d:10::2/64"));
        CHECK(!has_addr(h, hl.index, "10.77.0.18/28"));

        /* IPv4 and (no DAD) IPv6 work at once: connect from the box to the host end. */
        const char *targets[] = {"10.77.0.17", "fd77:a4d:10::1"};
        for (size_t t = 0; t < ARRAY_SIZE(targets); t++) {
                bool v6 = strchr(targets[t], ':');
                int af = v6 ? AF_INET6 : AF_INET;
                _cleanup_close_ int l = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
                _cleanup_close_ int c = socket_in(box, af, SOCK_STREAM);
                struct sockaddr_storage ss = {0};
                socklen_t len;
                if (v6) {
                        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
                        s6->sin6_family = AF_INET6;
                        s6->sin6_port = htons(7001);
                        inet_pton(AF_INET6, targets[t], &s6->sin6_addr);
                        len = sizeof(*s6);
                } else {
                        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
                        s4->sin_family = AF_INET;
                        s4->sin_port = htons(7001);
                        inet_pton(AF_INET, targets[t], &s4->sin_addr);
                        len = sizeof(*s4);
                }
                CHECK(l >= 0 && c >= 0);
                CHECK(bind(l, (struct sockaddr *)&ss, len) == 0 && listen(l, 1) == 0);
                CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
        }

        /* Deleting the host end takes the box's end with it. */
        CHECK_OK(rtn_link_del(h, hl.index));
        CHECK(rtn_link_index(b, "host0") == -ENODEV);
        CHECK(rtn_link_index(h, ifname) == -ENODEV);
        CHECK_OK(rtn_link_del_by_name(h, ifname)); /* gone already: fine */
        return 0;
}

static void test_veth_in_netns(void **state)
{
        in_scratch_netns(veth_in_netns, NULL);
}

/* ---- errors carry the kernel's text ----------------------------------------------------- */

static int errors(void *arg)
{
        _cleanup_rtn_ struct rtn_ctx *h = NULL;
        CHECK_OK(rtn_open(&h));
        struct rtn_veth v = {.name = "ve-a", .peer_name = "ve-a-p", .peer_netns_fd = -1};
        CHECK_OK(rtn_veth_add(h, &v));
        CHECK(rtn_veth_add(h, &v) == -EEXIST);
        CHECK(rtn_link_index(h, "nosuchlink") == -ENODEV);
        /* A route via a gateway that is not on-link: the kernel says why. */
        int i = rtn_link_index(h, "ve-a");
        struct net_prefix g = P("10.1.2.3");
        CHECK(rtn_route_add(h, i, NULL, &g) < 0);
        CHECK(*rtn_error_text(h) != 0);
        fprintf(stderr, "# route error text: %s\n", rtn_error_text(h));
        struct rtn_veth bad = {.name = "0123456789abcdef", .peer_name = "x", .peer_netns_fd = -1};
        CHECK(rtn_veth_add(h, &bad) == -EINVAL);
        return 0;
}

static void test_errors(void **state)
{
        in_scratch_netns(errors, NULL);
}

/* ---- rtn_open_in_netns restores the caller's namespace --------------------------------- */

static int open_in_netns(void *arg)
{
        struct stat before, after, boxst;
        _cleanup_close_ int box = new_netns();
        CHECK(box >= 0);
        CHECK(stat("/proc/thread-self/ns/net", &before) == 0);
        _cleanup_rtn_ struct rtn_ctx *b = NULL;
        CHECK_OK(rtn_open_in_netns(box, &b));
        CHECK(stat("/proc/thread-self/ns/net", &after) == 0);
        CHECK(fstat(box, &boxst) == 0);
        CHECK(before.st_ino == after.st_ino && after.st_ino != boxst.st_ino);
        /* The socket works on the box's namespace: only lo there. */
        CHECK(rtn_link_index(b, "lo") == 1);
        struct rtn_veth v = {.name = "ve-b", .peer_name = "peer", .peer_netns_fd = -1};
        CHECK_OK(rtn_veth_add(b, &v));
        _cleanup_rtn_ struct rtn_ctx *h = NULL;
        CHECK_OK(rtn_open(&h));
        CHECK(rtn_link_index(h, "ve-b") == -ENODEV);
        CHECK(rtn_open_in_netns(-1, &h) == -EBADF);
        return 0;
}

static void test_open_in_netns(void **state)
{
        in_scratch_netns(open_in_netns, NULL);
}

/* ---- gc of links left behind ------------------------------------------------------------ */

static bool only_alive(const char *name, void *userdata)
{
        return streq(name, "alive");
}

static int gc_links(void *arg)
{
        _cleanup_rtn_ struct rtn_ctx *h = NULL;
        CHECK_OK(rtn_open(&h));
        const char *names[][2] = {{"ve-alive", "boxlaunch:alive"},
                                  {"ve-dead", "boxlaunch:dead"},
                                  {"ve-other", "someone-else:dead"},
                                  {"ve-plain", NULL}};
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                char peer[IFNAMSIZ];
                snprintf(peer, sizeof(peer), "p%zu", i);
                struct rtn_veth v = {.name = names[i][0],
                                     .alias = names[i][1],
                                     .peer_name = peer,
                                     .peer_netns_fd = -1};
                CHECK(rtn_veth_add(h, &v) > 0);
        }
        CHECK_OK(rtn_bridge_add(h, "vz-gone", NULL, "boxlaunch-zone:gone"));
        CHECK(rtn_gc_links(h, "boxlaunch:", only_alive, NULL) == 1);
        CHECK(rtn_link_index(h, "ve-dead") == -ENODEV);
        CHECK(rtn_link_index(h, "p1") == -ENODEV); /* its peer went with it */
        CHECK(rtn_link_index(h, "ve-alive") > 0);
        CHECK(rtn_link_index(h, "ve-other") > 0);
        CHECK(rtn_link_index(h, "ve-plain") > 0);
        CHECK(rtn_link_index(h, "vz-gone") > 0);
        CHECK(rtn_gc_links(h, "boxlaunch-zone:", only_alive, NULL) == 1);
        CHECK(rtn_link_index(h, "vz-gone") == -ENODEV);
        CHECK(rtn_gc_links(h, "boxlaunch:", only_alive, NULL) == 0);
        return 0;
}

static void test_gc_links(void **state)
{
        in_scratch_netns(gc_links, NULL);
}

/* ---- bridges ----------------------------------------------------------------------------- */

struct count {
        int master, n;
};

static int count_ports(const struct rtn_link_info *l, void *userdata)
{
        struct count *c = userdata;
        if (l->master == c->master)
                c->n++;
        return 0;
}

/* Whether link has joined group (as /proc/net/igmp prints it: hex, little-endian) here. A
 * long name runs into the colon after it. */
static bool igmp_member(const char *link, const char *group)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/thread-self/net/igmp", "re");
        char line[256];
        bool in = false;
        while (f && fgets(line, sizeof(line), f)) {
                char dev[IFNAMSIZ + 1];
                if (line[0] != '\t' && sscanf(line, "%*d %16[^: \t]", dev) == 1)
                        in = streq(dev, link);
                else if (in && strstr(line, group))
                        return true;
        }
        return false;
}

static int bridge(void *arg)
{
        _cleanup_rtn_ struct rtn_ctx *h = NULL;
        CHECK_OK(rtn_open(&h));
        char zone[IFNAMSIZ];
        CHECK_OK(net_zone_ifname("lab", zone));
        int bri = rtn_bridge_add(h, zone, mac_a, "boxlaunch-zone:lab");
        struct linkinfo br = link_info(h, "vz-lab");
        CHECK(bri > 0 && bri == br.index);
        CHECK(br.found && streq(br.kind, "bridge") && (br.flags & IFF_UP));
        CHECK(streq(br.alias, "boxlaunch-zone:lab"));
        CHECK(rtn_bridge_add(h, zone, NULL, NULL) == -EEXIST);
        /* No multicast snooping: the bridge is in all-hosts only, not in all-snoopers
         * (224.0.0.106), whose reports the host's conntrack would keep for 10 minutes. */
        CHECK(igmp_member("vz-lab", "010000E0"));
        CHECK(!igmp_member("vz-lab", "6A0000E0"));

        const char *members[] = {"vb-one", "vb-two"};
        for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
                char peer[IFNAMSIZ];
                snprintf(peer, sizeof(peer), "p%zu", i);
                struct rtn_veth v = {
                        .name = members[i], .up = true, .peer_name = peer, .peer_netns_fd = -1};
                CHECK_OK(rtn_veth_add(h, &v));
                CHECK_OK(rtn_link_set_master(h, rtn_link_index(h, members[i]), br.index));
                CHECK(link_info(h, members[i]).master == br.index);
        }
        struct count c = {.master = br.index};
        CHECK_OK(rtn_link_dump(h, count_ports, &c));
        CHECK(c.n == 2);
        CHECK_OK(rtn_link_set_master(h, rtn_link_index(h, "vb-one"), 0));
        CHECK(link_info(h, "vb-one").master == 0);
        c.n = 0;
        CHECK_OK(rtn_link_dump(h, count_ports, &c));
        CHECK(c.n == 1);
        CHECK_OK(rtn_link_set_up(h, br.index, false));
        CHECK(!(link_info(h, "vz-lab").flags & IFF_UP));
        CHECK_OK(rtn_link_del_by_name(h, "vz-lab"));
        CHECK(!link_info(h, "vz-lab").found);
        CHECK(link_info(h, "vb-two").master == 0); /* released with the bridge */
        return 0;
}

static void test_bridge(void **state)
{
        in_scratch_netns(bridge, NULL);
}

/* ---- Interface=: moving a link in, renamed, and back ------------------------------------- */

static int move_in_and_back(void *arg)
{
        _cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int box = new_netns();
        CHECK(self >= 0 && box >= 0);
        _cleanup_rtn_ struct rtn_ctx *h = NULL, *b = NULL;
        CHECK_OK(rtn_open(&h));
        CHECK_OK(rtn_open_in_netns(box, &b));
        struct rtn_veth v = {
                .name = "nic0", .mac = mac_a, .peer_name = "nic0p", .peer_netns_fd = -1};
        CHECK_OK(rtn_veth_add(h, &v));
        CHECK_OK(rtn_link_move(h, rtn_link_index(h, "nic0"), box, "eth1"));
        CHECK(rtn_link_index(h, "nic0") == -ENODEV);
        struct linkinfo in = link_info(b, "eth1");
        CHECK(in.found && memcmp(in.mac, mac_a, 6) == 0);
        /* Back, from the box's side, under its own name again. */
        CHECK_OK(rtn_link_move(b, in.index, self, "nic0"));
        CHECK(rtn_link_index(b, "eth1") == -ENODEV);
        struct linkinfo back = link_info(h, "nic0");
        CHECK(back.found && memcmp(back.mac, mac_a, 6) == 0);
        return 0;
}

static void test_move_in_and_back(void **state)
{
        in_scratch_netns(move_in_and_back, NULL);
}

/* ---- macvlan / ipvlan on a veth parent, created inside the box --------------------------- */

static int sublinks(void *arg)
{
        _cleanup_close_ int box = new_netns();
        CHECK(box >= 0);
        _cleanup_rtn_ struct rtn_ctx *h = NULL, *b = NULL;
        CHECK_OK(rtn_open(&h));
        CHECK_OK(rtn_open_in_netns(box, &b));
        struct rtn_veth v = {
                .name = "uplink", .up = true, .peer_name = "uplinkp", .peer_netns_fd = -1};
        CHECK_OK(rtn_veth_add(h, &v));
        CHECK_OK(rtn_link_set_up(h, rtn_link_index(h, "uplinkp"), true));
        int parent = rtn_link_index(h, "uplink");
        CHECK(parent > 0);
        char name[IFNAMSIZ], alt[NET_ALTNAME_MAX];
        CHECK(net_ifname(NET_PREFIX_MACVLAN, "uplink", name, alt) == 0);
        struct rtn_sublink mv = {.kind = RTN_SUB_MACVLAN,
                                 .parent_index = parent,
                                 .name = name,
                                 .mac = mac_b,
                                 .netns_fd = box,
                                 .up = true};
        CHECK_OK(rtn_sublink_add(h, &mv));
        struct linkinfo in = link_info(b, "mv-uplink");
        CHECK(in.found && streq(in.kind, "macvlan") && (in.flags & IFF_UP));
        CHECK(memcmp(in.mac, mac_b, 6) == 0);
        CHECK(!link_info(h, "mv-uplink").found);

        struct rtn_sublink iv = {.kind = RTN_SUB_IPVLAN,
                                 .parent_index = parent,
                                 .name = "iv-uplink",
                                 .netns_fd = box,
                                 .up = true};
        int r = rtn_sublink_add(h, &iv);
        if (r == -EOPNOTSUPP) {
                /* This kernel has no ipvlan: the error says so, nothing is left behind. */
                fprintf(stderr,
                        "# ipvlan not in this kernel (\"%s\"): creation checked to fail "
                        "cleanly only\n",
                        rtn_error_text(h));
                CHECK(strstr(rtn_error_text(h), "Unknown device type"));
                CHECK(!link_info(b, "iv-uplink").found);
        } else {
                CHECK_OK(r);
                struct linkinfo il = link_info(b, "iv-uplink");
                CHECK(il.found && streq(il.kind, "ipvlan"));
        }
        return 0;
}

static void test_sublinks(void **state)
{
        in_scratch_netns(sublinks, NULL);
}

/* ---- sysctls ----------------------------------------------------------------------------- */

static int sysctls(void *arg)
{
        _cleanup_rtn_ struct rtn_ctx *h = NULL;
        CHECK_OK(rtn_open(&h));
        struct rtn_veth v = {.name = "ve-s", .peer_name = "ve-sp", .peer_netns_fd = -1};
        CHECK_OK(rtn_veth_add(h, &v));
        char val[16];
        CHECK_OK(net_link_sysctl(AF_INET, "ve-s", "route_localnet", "1"));
        CHECK_OK(net_sysctl_read("ipv4/conf/ve-s/route_localnet", val, sizeof(val)));
        CHECK(streq(val, "1"));
        CHECK_OK(net_sysctl_read("ipv4/conf/ve-sp/route_localnet", val, sizeof(val)));
        CHECK(streq(val, "0"));
        CHECK_OK(net_link_sysctl(AF_INET, "ve-s", "forwarding", "1"));
        /* A fresh namespace starts with forwarding off (devconf_inherit_init_net=0 copies the
         * host's: set it off first to know). */
        CHECK_OK(net_sysctl_write("ipv4/ip_forward", "0"));
        CHECK(net_forwarding_enable(AF_INET) == 1);
        CHECK(net_forwarding_enable(AF_INET) == 0);
        CHECK_OK(net_sysctl_read("ipv4/ip_forward", val, sizeof(val)));
        CHECK(streq(val, "1"));
        /* Names and paths with ".." or absolute ones are refused. (The targets stay inside this
         * scratch namespace's /proc/sys/net, so a broken check cannot change the host.) */
        CHECK(net_link_sysctl(AF_INET, "..", "forwarding", "1") == -EINVAL);
        CHECK(net_link_sysctl(AF_INET, "ve-s", "../../ip_forward", "1") == -EINVAL);
        CHECK(net_sysctl_write("ipv4/../ipv4/ip_forward", "1") == -EINVAL);
        CHECK(net_sysctl_write("/proc/sys/net/ipv4/ip_forward", "1") == -EINVAL);
        CHECK(net_link_sysctl(AF_INET, "nosuch", "forwarding", "1") == -ENOENT);
        return 0;
}

static void test_sysctls(void **state)
{
        in_scratch_netns(sysctls, NULL);
}

/* ---- end to end: port forwarding, localhost, masquerade, the guard ----------------------- */

static struct sockaddr_in sin4(const char *addr, uint16_t port)
{
        struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port)};
        inet_pton(AF_INET, addr, &s.sin_addr);
        return s;
}

static int listen_on(int netns, const char *addr, uint16_t port, int type)
{
        int fd = socket_in(netns, AF_INET, type | SOCK_NONBLOCK);
        struct sockaddr_in s = sin4(addr, port);
        int one = 1;
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(fd, (struct sockaddr *)&s, sizeof(s)) < 0 ||
            (type == SOCK_STREAM && listen(fd, 8) < 0)) {
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

/* Connects from netns to addr:port and waits (up to ms) for the listener to accept: returns
 * the accepted peer's address as text in peer, or "" when nothing arrived. */
static int try_connect(int netns, const char *addr, uint16_t port, int listener, int ms, char *peer,
                       size_t len)
{
        peer[0] = 0;
        _cleanup_close_ int c = socket_in(netns, AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
        if (c < 0)
                return -1;
        struct sockaddr_in s = sin4(addr, port);
        if (connect(c, (struct sockaddr *)&s, sizeof(s)) < 0 && errno != EINPROGRESS)
                return 0; /* refused or unreachable: nothing arrived */
        struct pollfd p = {.fd = listener, .events = POLLIN};
        if (poll(&p, 1, ms) <= 0)
                return 0;
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        _cleanup_close_ int a = accept4(listener, (struct sockaddr *)&from, &fl, SOCK_CLOEXEC);
        if (a < 0)
                return 0;
        inet_ntop(AF_INET, &from.sin_addr, peer, (socklen_t)len);
        return 0;
}

/* A raw rtnetlink request for what the library has no call for (FIB rules, routes in another
 * table): the box's side of the attack, done as a box root could. */
struct rawreq {
        struct nlmsghdr h;
        char buf[256];
};

static void raw_attr(struct nlmsghdr *h, int type, const void *data, int len)
{
        struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
        a->rta_type = (unsigned short)type;
        a->rta_len = (unsigned short)RTA_LENGTH(len);
        memcpy(RTA_DATA(a), data, (size_t)len);
        h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static int raw_talk(int fd, struct nlmsghdr *h)
{
        h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        if (send(fd, h, h->nlmsg_len, 0) < 0)
                return -errno;
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                return -EIO;
        struct nlmsghdr *r = (struct nlmsghdr *)buf;
        if (r->nlmsg_type != NLMSG_ERROR)
                return -EIO;
        return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
}

static int raw_rule(int fd, int type, uint32_t pref, uint8_t table, const char *dst)
{
        struct rawreq q = {.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct fib_rule_hdr)),
                                 .nlmsg_type = (unsigned short)type,
                                 .nlmsg_flags = type == RTM_NEWRULE ? NLM_F_CREATE : 0}};
        struct fib_rule_hdr *f = NLMSG_DATA(&q.h);
        f->family = AF_INET;
        f->table = table;
        f->action = FR_ACT_TO_TBL;
        raw_attr(&q.h, FRA_PRIORITY, &pref, 4);
        if (dst) {
                struct in_addr a;
                inet_pton(AF_INET, dst, &a);
                f->dst_len = 32;
                raw_attr(&q.h, FRA_DST, &a, 4);
        }
        return raw_talk(fd, &q.h);
}

static int raw_route(int fd, const char *dst, const char *gw, const char *src, int oif,
                     uint8_t table)
{
        struct rawreq q = {.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
                                 .nlmsg_type = RTM_NEWROUTE,
                                 .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL}};
        struct rtmsg *r = NLMSG_DATA(&q.h);
        *r = (struct rtmsg){.rtm_family = AF_INET,
                            .rtm_dst_len = 32,
                            .rtm_table = table,
                            .rtm_protocol = RTPROT_STATIC,
                            .rtm_scope = RT_SCOPE_UNIVERSE,
                            .rtm_type = RTN_UNICAST};
        struct in_addr d, g, s;
        inet_pton(AF_INET, dst, &d);
        inet_pton(AF_INET, gw, &g);
        inet_pton(AF_INET, src, &s);
        raw_attr(&q.h, RTA_DST, &d, 4);
        raw_attr(&q.h, RTA_GATEWAY, &g, 4);
        raw_attr(&q.h, RTA_PREFSRC, &s, 4);
        raw_attr(&q.h, RTA_OIF, &oif, 4);
        return raw_talk(fd, &q.h);
}

static int sysctl_in(int netns, const char *path, const char *value)
{
        _cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (self < 0 || setns(netns, CLONE_NEWNET) < 0)
                return -errno;
        int r = net_sysctl_write(path, value);
        if (setns(self, CLONE_NEWNET) < 0)
                abort();
        return r;
}

static int end_to_end(void *arg)
{
        /* The current namespace plays the host; box and peer ("the outside") are new. */
        _cleanup_close_ int host = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int box = new_netns(), peer = new_netns();
        CHECK(host >= 0 && box >= 0 && peer >= 0);
        _cleanup_rtn_ struct rtn_ctx *h = NULL, *b = NULL, *p = NULL;
        CHECK_OK(rtn_open(&h));
        CHECK_OK(rtn_open_in_netns(box, &b));
        CHECK_OK(rtn_open_in_netns(peer, &p));
        CHECK_OK(rtn_link_set_up(h, 1, true));
        CHECK(veth_box(h, b, box, "ve-e2e", "10.77.0.17/28", "10.77.0.18/28", "10.77.0.17") == 0);
        /* The uplink to the peer; the peer has no route back to 10.77.0.0/28. */
        struct rtn_veth up = {
                .name = "uplink", .up = true, .peer_name = "eth0", .peer_netns_fd = peer};
        CHECK_OK(rtn_veth_add(h, &up));
        CHECK_OK(rtn_link_set_up(p, rtn_link_index(p, "eth0"), true));
        struct net_prefix ua = P("10.99.0.1/24"), pa = P("10.99.0.2/24");
        CHECK_OK(rtn_addr_add(h, rtn_link_index(h, "uplink"), &ua));
        CHECK_OK(rtn_addr_add(p, rtn_link_index(p, "eth0"), &pa));
        CHECK_OK(rtn_link_set_up(p, 1, true));
        CHECK_OK(net_sysctl_write("ipv4/ip_forward", "0"));
        CHECK(net_forwarding_enable(AF_INET) == 1);

        struct nft_port ports[] = {{IPPROTO_TCP, {0}, 28080, 80}, {IPPROTO_UDP, {0}, 25353, 53}};
        struct nft_box nb = {.name = "e2e",
                             .link = "ve-e2e",
                             .subnet4 = P("10.77.0.16/28"),
                             .box4 = P("10.77.0.18"),
                             .masquerade = true,
                             .localhost = true,
                             .ports = ports,
                             .n_ports = ARRAY_SIZE(ports)};
        _cleanup_nft_ struct nft_handle *nft = NULL;
        CHECK_OK(nft_handle_new(&nft));
        CHECK_OK(nft_box_apply(nft, &nb));
        CHECK(nft_box_needs_route_localnet(&nb));
        CHECK_OK(net_link_sysctl(AF_INET, "ve-e2e", "route_localnet", "1"));

        char who[INET_ADDRSTRLEN];
        _cleanup_close_ int web = listen_on(box, "0.0.0.0", 80, SOCK_STREAM);
        CHECK(web >= 0);
        /* 1. The host's own 127.0.0.1:28080 reaches the box, which sees the gateway. */
        CHECK(try_connect(host, "127.0.0.1", 28080, web, 3000, who, sizeof(who)) == 0);
        CHECK(streq(who, "10.77.0.17"));
        /* 2. From the outside through the uplink address: the box sees the real client. */
        CHECK(try_connect(peer, "10.99.0.1", 28080, web, 3000, who, sizeof(who)) == 0);
        CHECK(streq(who, "10.99.0.2"));
        /* 3. The box reaches its own published port through a host address (hairpin). */
        CHECK(try_connect(box, "10.99.0.1", 28080, web, 3000, who, sizeof(who)) == 0);
        CHECK(streq(who, "10.77.0.17"));
        /* 4. The box reaches the outside, masqueraded behind the uplink address. */
        _cleanup_close_ int outside = listen_on(peer, "10.99.0.2", 8080, SOCK_STREAM);
        CHECK(outside >= 0);
        CHECK(try_connect(box, "10.99.0.2", 8080, outside, 3000, who, sizeof(who)) == 0);
        CHECK(streq(who, "10.99.0.1"));
        /* 5. UDP from the host's localhost, answered. */
        _cleanup_close_ int dns = listen_on(box, "0.0.0.0", 53, SOCK_DGRAM);
        _cleanup_close_ int q = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        CHECK(dns >= 0 && q >= 0);
        struct sockaddr_in to = sin4("127.0.0.1", 25353), from;
        CHECK(sendto(q, "ping", 4, 0, (struct sockaddr *)&to, sizeof(to)) == 4);
        struct pollfd pf = {.fd = dns, .events = POLLIN};
        CHECK(poll(&pf, 1, 3000) == 1);
        char buf[8];
        socklen_t fl = sizeof(from);
        CHECK(recvfrom(dns, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl) == 4);
        CHECK(sendto(dns, "pong", 4, 0, (struct sockaddr *)&from, fl) == 4);
        pf.fd = q;
        CHECK(poll(&pf, 1, 3000) == 1);
        CHECK(recv(q, buf, sizeof(buf), 0) == 4 && memcmp(buf, "pong", 4) == 0);

        /* 6. The guard. A service of the host bound to 127.0.0.1 only; the box (root in its
         * namespace) turns route_localnet on and routes 127.0.0.1 to the host end, ahead of
         * its local table. */
        _cleanup_close_ int secret = listen_on(host, "127.0.0.1", 9999, SOCK_STREAM);
        CHECK(secret >= 0);
        CHECK_OK(sysctl_in(box, "ipv4/conf/all/route_localnet", "1"));
        CHECK_OK(sysctl_in(box, "ipv4/conf/host0/route_localnet", "1"));
        _cleanup_close_ int raw = socket_in(box, AF_NETLINK, SOCK_RAW);
        CHECK(raw >= 0);
        CHECK(raw_rule(raw, RTM_NEWRULE, 100, RT_TABLE_LOCAL, NULL) == 0);
        CHECK(raw_rule(raw, RTM_DELRULE, 0, RT_TABLE_LOCAL, NULL) == 0);
        CHECK(raw_rule(raw, RTM_NEWRULE, 10, 100, "127.0.0.1") == 0);
        CHECK(raw_route(raw, "127.0.0.1", "10.77.0.17", "10.77.0.18", rtn_link_index(b, "host0"),
                        100) == 0);
        CHECK(try_connect(box, "127.0.0.1", 9999, secret, 1000, who, sizeof(who)) == 0);
        CHECK(streq(who, "")); /* dropped: nothing reached the host's 127.0.0.1 */
        /* Control: without the guard chain the same connection gets through. So the attack
         * is real here and the guard is what stops it. */
        CHECK(system("nft delete chain inet boxlaunch-e2e guard") == 0);
        CHECK(try_connect(box, "127.0.0.1", 9999, secret, 3000, who, sizeof(who)) == 0);
        CHECK(streq(who, "10.77.0.18"));

        CHECK_OK(nft_box_remove(nft, "e2e"));
        /* Without the table, localhost forwarding is gone. */
        CHECK(try_connect(host, "127.0.0.1", 28080, web, 500, who, sizeof(who)) == 0);
        CHECK(streq(who, ""));
        return 0;
}

static void test_end_to_end(void **state)
{
        in_scratch_netns(end_to_end, NULL);
}

int main(void)
{
        if (geteuid() != 0) {
                fprintf(stderr, "test_net_netlink: needs root, skipped\n");
                return 0;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_veth_in_netns),    cmocka_unit_test(test_errors),
                cmocka_unit_test(test_open_in_netns),    cmocka_unit_test(test_bridge),
                cmocka_unit_test(test_move_in_and_back), cmocka_unit_test(test_sublinks),
                cmocka_unit_test(test_sysctls),          cmocka_unit_test(test_end_to_end),
                cmocka_unit_test(test_gc_links),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
