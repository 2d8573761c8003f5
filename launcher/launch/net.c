/* launch/net.c - the launch's network phases (net.h) over net/: names, leases, links, the
 * firewall and the files a box with its own links finds. Their undo and gc: net_gc.c. */
#include "launch/net_internal.h"

#include "core/state.h"
#include "launch/mountfd.h"
#include "net/dns.h"
#include "net/guest.h"
#include "net/ipam.h"
#include "net/netlink.h"
#include "net/nft.h"
#include "net/sysctl.h"
#include "util/log.h"

#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define GUEST_NETWORK   "/run/systemd/network/10-boxlaunch-host0.network"
#define RESOLV_CONF_MAX (1 << 16)

/* ---- pools ---------------------------------------------------------------------------------- */

char *net_dir(const char *sub)
{
        return xasprintf("%s/.net/%s", state_root(), sub);
}

static void prefix_or_die(const char *s, struct net_prefix *p)
{
        if (net_prefix_parse(s, p) < 0)
                abort(); /* constants */
}

/* The veth boxes' pool: a /28 each. */
void box_pool(struct ipam_pool *pool, char **dir)
{
        *dir = net_dir("boxes");
        *pool = (struct ipam_pool){.dir = *dir, .slot_plen = IPAM_BOX_PLEN};
        prefix_or_die(IPAM_BOX_RANGE, &pool->range);
}

/* The zones' pool: a /24 each, owned by the zone's name. */
void zone_pool(struct ipam_pool *pool, char **dir)
{
        *dir = net_dir("zones");
        *pool = (struct ipam_pool){.dir = *dir, .slot_plen = IPAM_ZONE_PLEN};
        prefix_or_die(IPAM_ZONE_RANGE, &pool->range);
}

/* A zone's members: single addresses of its /24, from .2 (.1 is the bridge) to .254. */
void member_pool(const char *zone, const struct net_prefix *zslot, struct ipam_pool *pool,
                 char **dir)
{
        _cleanup_free_ char *sub = xasprintf("zone-%s", zone);
        *dir = net_dir(sub);
        *pool = (struct ipam_pool){
                .dir = *dir, .range = *zslot, .slot_plen = 32, .skip_first = 2, .skip_last = 1};
}

/* A flock on .net/zone-Z.lock: the zone's bridge is made, joined and removed under it. */
int zone_lock(const char *zone)
{
        _cleanup_free_ char *dir = net_dir("");
        (void)mkdir_p_at(AT_FDCWD, dir, 0755);
        _cleanup_free_ char *path = xasprintf("%szone-%s.lock", dir, zone);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        return fd;
}

static int collect_addr(int ifindex, const struct net_prefix *addr, void *userdata)
{
        struct {
                struct net_prefix *v;
                size_t n;
        } *in_use = userdata;
        in_use->v = xrealloc(in_use->v, (in_use->n + 1) * sizeof(*in_use->v));
        in_use->v[in_use->n++] = *addr;
        return 0;
}

/* A link's alias names its box and the runtime directory of the boxlaunch that made it
 * ("boxlaunch:NAME /run/boxlaunch"), so that a gc with another runtime directory (a test run's)
 * never takes another's links for its own. */
static char *link_alias(const char *prefix, const char *name)
{
        return xasprintf("%s%s %s", prefix, name, state_root());
}

/* The NAME of an alias's rest "NAME ROOT" whose ROOT is ours, in buf; NULL if not ours. A lease
 * owner (no ROOT) is ours: the lease directories are. */
const char *our_name(const char *rest, char *buf, size_t n)
{
        const char *sp = strchr(rest, ' ');
        if (!sp)
                return rest;
        if (!streq(sp + 1, state_root()) || (size_t)(sp - rest) >= n)
                return NULL;
        memcpy(buf, rest, (size_t)(sp - rest));
        buf[sp - rest] = 0;
        return buf;
}

/* Whether a box of that name runs (or is not ours to judge); `self` (userdata, or NULL) is the
 * box being started, whose lock the caller holds: what carries its name is from its last run. */
bool box_running(const char *rest, void *userdata)
{
        const char *self = userdata;
        char buf[256];
        const char *name = our_name(rest, buf, sizeof(buf));
        if (!name)
                return true;
        return !(self && streq(name, self)) && box_name_valid(name) && state_is_running(name);
}

/* ---- before clone --------------------------------------------------------------------------- */

void net_init(struct launch_net *n)
{
        *n = (struct launch_net){.zone_lock = -1, .netns = -1, .resolv_fd = -1, .network_fd = -1};
}

/* The box end's and the host end's addresses of a static Address=: the host end takes the
 * first address of the prefix that is not the box's. */
static void static_pair(const char *s, struct net_prefix *box, struct net_prefix *host,
                        struct net_prefix *subnet)
{
        prefix_or_die(s, box);
        *subnet = *box;
        net_prefix_mask(subnet);
        *host = *subnet;
        net_prefix_add(host, 1);
        if (memcmp(host->addr.bytes, box->addr.bytes, net_prefix_addr_len(box)) == 0)
                net_prefix_add(host, 1);
}

/* A zone's IPv6 where the host has it (else all left zero): its /64 from the zone's /24
 * (IPAM_ULA_PREFIX), the bridge's ::1 and, for a member address .N, ::N. */
static void zone_v6(const struct net_prefix *zslot, const struct net_prefix *member,
                    struct net_prefix *subnet6, struct net_prefix *host6, struct net_prefix *box6)
{
        struct net_prefix ula;
        prefix_or_die(IPAM_ULA_PREFIX, &ula);
        if (!net_ipv6_available() || ipam_v6_prefix(&ula, zslot, subnet6) < 0)
                return;
        ipam_slot_host(subnet6, 1, host6);
        if (member)
                ipam_slot_host(subnet6, member->addr.bytes[3], box6);
}

static int claim_addresses(const struct box_config *c, struct launch_net *n)
{
        const struct box_net *nc = &c->netcfg;
        int r;

        for (char **a = nc->addresses; a && *a; a++) {
                bool v6 = strchr(*a, ':');
                static_pair(*a, v6 ? &n->box6 : &n->box4, v6 ? &n->host6 : &n->host4,
                            v6 ? &n->subnet6 : &n->subnet4);
        }
        if (nc->addresses || nc->bridge)
                return 0; /* static, or the bridge's network decides */

        struct {
                struct net_prefix *v;
                size_t n;
        } in_use = {0};
        r = rtn_addr_dump(n->host, AF_INET, collect_addr, &in_use);
        if (r < 0) {
                free(in_use.v);
                return log_error_errno(r, "network: listing the host's addresses");
        }
        _cleanup_free_ struct net_prefix *used = in_use.v;
        _cleanup_free_ char *dir = NULL, *mdir = NULL;
        struct ipam_pool pool, members;
        if (nc->zone) {
                n->zone_lock = zone_lock(nc->zone);
                if (n->zone_lock < 0)
                        return log_error_errno(n->zone_lock, "network: locking zone %s", nc->zone);
                struct net_prefix zslot, slot;
                zone_pool(&pool, &dir);
                /* The zone's /24 once it has one: its bridge's .1 is on the host by then, which
                 * a fresh claim would take for a clash and move the box to another /24. */
                r = ipam_lookup(&pool, nc->zone, &zslot);
                if (r < 0)
                        r = ipam_claim(&pool, nc->zone, used, in_use.n, &zslot);
                if (r < 0)
                        return log_error_errno(r, "%s: no free /%d for the zone in %s",
                                               BOX_WHERE(c, BOX_F_NET_ZONE, NULL, 0),
                                               IPAM_ZONE_PLEN, IPAM_ZONE_RANGE);
                member_pool(nc->zone, &zslot, &members, &mdir);
                r = ipam_claim(&members, c->name, NULL, 0, &slot);
                if (r < 0)
                        return log_error_errno(r, "%s: no free address in zone %s",
                                               BOX_WHERE(c, BOX_F_NET_ZONE, NULL, 0), nc->zone);
                n->zone_member = true;
                n->subnet4 = zslot;
                ipam_slot_host(&zslot, 1, &n->host4);
                n->box4 = slot;
                n->box4.plen = zslot.plen;
                /* The zone's ULA /64 beside its /24: the bridge ::1, a box ::N for its .N. */
                zone_v6(&zslot, &slot, &n->subnet6, &n->host6, &n->box6);
                return 0;
        }
        box_pool(&pool, &dir);
        r = ipam_claim(&pool, c->name, used, in_use.n, &n->subnet4);
        if (r < 0)
                return log_error_errno(r, "network: no free /%d for box %s in %s", IPAM_BOX_PLEN,
                                       c->name, IPAM_BOX_RANGE);
        n->leased = true;
        ipam_slot_host(&n->subnet4, 1, &n->host4);
        ipam_slot_host(&n->subnet4, 2, &n->box4);
        if (net_ipv6_available()) {
                struct net_prefix ula;
                prefix_or_die(IPAM_ULA_PREFIX, &ula);
                if (ipam_v6_prefix(&ula, &n->subnet4, &n->subnet6) == 0) {
                        ipam_slot_host(&n->subnet6, 1, &n->host6);
                        ipam_slot_host(&n->subnet6, 2, &n->box6);
                }
        }
        return 0;
}

/* A host file bound read-only in the box, created now (the child binds it before clone returns);
 * its text is written through *ret_fd (file_text()), by the early thread for a veth box, whose
 * text needs its addresses. */
static int add_file_mount(struct box_runtime *rt, struct box_mount *m, char **path, int *ret_fd,
                          char **src, const char *name, const char *suffix, const char *target)
{
        (void)mkdir("/run/boxlaunch", 0711);
        (void)mkdir(NET_FILES_DIR, 0711);
        *path = xasprintf(NET_FILES_DIR "/%s.%d.%s", name, (int)getpid(), suffix);
        *ret_fd = open(*path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (*ret_fd < 0)
                return log_error_errno(-errno, "network: creating %s", *path);
        *src = xstrdup(*path);
        *m = (struct box_mount){
                .name = (char *)suffix,
                .type = BOX_MOUNT_BIND,
                .source = *src,
                .target = (char *)target,
                .flags = MS_RDONLY,
        };
        rt->mounts[rt->n_mounts++] = m;
        return 0;
}

static int file_text(int *fd, const char *path, const char *text)
{
        int r = write_all(*fd, text, strlen(text));
        closep(fd);
        *fd = -1;
        return r < 0 ? log_error_errno(r, "network: writing %s", path) : 0;
}

/* ResolvConf=: auto is the box's own file behind a veth, the image's with loopback only (or
 * links the box configures itself), and with the host's network what it was (a machine binds
 * the host's, rootfs.c). The host's file is read now, and with it the loopback resolver the
 * box's table forwards to; the box's text follows (resolv_conf_text()). */
static int prepare_resolv_conf(const struct box_config *c, struct launch_net *n,
                               struct box_runtime *rt)
{
        enum box_resolv_conf mode = c->netcfg.resolv_conf;
        if (mode == BOX_RESOLV_AUTO)
                mode = n->veth ? BOX_RESOLV_BIND_BOX : BOX_RESOLV_OFF;
        if (mode == BOX_RESOLV_OFF ||
            (mode == BOX_RESOLV_BIND_HOST && c->boot && c->net == BOX_NET_HOST))
                return 0;
        /* Only over a regular file the image has (as for the host network's bind, rootfs.c):
         * nothing is created in the image, and a symlink there is the image's choice. */
        _cleanup_close_ int root = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int t =
                root < 0 ? -1 : in_root(root, "/etc/resolv.conf", O_PATH | O_NOFOLLOW);
        struct stat st;
        if (t < 0 || fstat(t, &st) < 0 || !S_ISREG(st.st_mode)) {
                log_debug("network: the image has no regular /etc/resolv.conf; left alone");
                return 0;
        }
        if (read_file_at(AT_FDCWD, "/etc/resolv.conf", &n->resolv_host, RESOLV_CONF_MAX) < 0)
                n->resolv_host = xstrdup("");
        n->resolv_bind_host = mode == BOX_RESOLV_BIND_HOST;
        if (!n->resolv_bind_host) {
                _cleanup_free_ char *text = NULL;
                int r = dns_box_resolv_conf(n->resolv_host, NULL, &text, &n->dns_resolver);
                if (r < 0)
                        return log_error_errno(r, "network: the box's resolv.conf");
                /* The gateway forwards to a loopback resolver only through the firewall. */
                if (c->netcfg.masquerade != BOX_YES && !c->netcfg.n_ports && !c->netcfg.zone)
                        n->dns_resolver = (struct net_prefix){0};
        }
        return add_file_mount(rt, &n->resolv_mount, &n->resolv_path, &n->resolv_fd, &n->resolv_src,
                              c->name, "resolv.conf", "/etc/resolv.conf");
}

/* The box's resolv.conf: the host's, or the host's with the gateway for a loopback resolver. */
static int resolv_conf_text(const struct box_config *c, struct launch_net *n)
{
        if (n->resolv_fd < 0)
                return 0;
        _cleanup_free_ char *text = NULL;
        if (n->resolv_bind_host)
                text = xstrdup(n->resolv_host);
        else {
                int r = dns_box_resolv_conf(n->resolv_host, n->host4.family ? &n->host4 : NULL,
                                            &text, NULL);
                if (r < 0)
                        return log_error_errno(r, "network: the box's resolv.conf");
                if (!dns_count_nameservers(text))
                        log_warn("%s: the box gets no nameserver the host has that it can reach",
                                 BOX_WHERE(c, BOX_F_NET_RESOLV_CONF, NULL, 0));
        }
        return file_text(&n->resolv_fd, n->resolv_path, text);
}

/* What the box's files say once its addresses are known: the resolv.conf, a machine's networkd
 * file for host0. */
static int files_text(const struct box_config *c, struct launch_net *n)
{
        int r = resolv_conf_text(c, n);
        if (r < 0 || n->network_fd < 0)
                return r;
        _cleanup_free_ char *text = guest_host0_network(n->box6.family != 0, &n->host4);
        return file_text(&n->network_fd, n->network_path, text);
}

/* Whether the box has an IPv4 subnet, known before its addresses are claimed: a static IPv4
 * Address=, else a lease (the pool's /28, its zone's /24); none behind a Bridge= without
 * Address=. */
static bool has_subnet4(const struct box_config *c)
{
        const struct box_net *nc = &c->netcfg;
        if (!nc->addresses)
                return !nc->bridge;
        for (char **a = nc->addresses; *a; a++)
                if (!strchr(*a, ':'))
                        return true;
        return false;
}

static bool masquerades(const struct box_config *c)
{
        return c->netcfg.masquerade == BOX_YES && has_subnet4(c) && !c->netcfg.bridge;
}

/* Whether the box gets a table on the host (known before clone, for the child's anchor). */
static bool has_firewall(const struct box_config *c, const struct launch_net *n)
{
        const struct box_net *nc = &c->netcfg;
        return n->veth && (masquerades(c) || nc->n_ports || n->dns_resolver.family || nc->zone);
}

static int early_start(const struct box_config *c, struct launch_net *n);

int net_prepare(const struct box_config *c, struct launch_net *n, struct box_runtime *rt)
{
        const struct box_net *nc = &c->netcfg;
        int r;
        n->veth = box_config_veth(c);
        if (n->veth) {
                r = net_ifname(nc->bridge || nc->zone ? NET_PREFIX_BRIDGED : NET_PREFIX_VETH,
                               c->name, n->ifname, n->altname);
                if (r < 0)
                        return log_error_errno(r, "network: no interface name for box %s", c->name);
                if (r > 0)
                        log_info("network: the box's link is %s (altname %s)", n->ifname,
                                 n->altname);
                if (nc->zone && (r = net_zone_ifname(nc->zone, n->zone_if)) < 0)
                        return log_error_errno(r, "%s: not a usable zone name",
                                               BOX_WHERE(c, BOX_F_NET_ZONE, NULL, 0));
                if (c->boot && (r = add_file_mount(rt, &n->network_mount, &n->network_path,
                                                   &n->network_fd, &n->network_src, c->name,
                                                   "host0.network", GUEST_NETWORK)) < 0)
                        return r;
        } else if ((nc->interfaces || nc->macvlan || nc->ipvlan) && (r = rtn_open(&n->host)) < 0)
                return log_error_errno(r, "network: opening rtnetlink");
        if ((r = prepare_resolv_conf(c, n, rt)) < 0)
                return r;
        rt->nft_anchor = has_firewall(c, n);
        /* A veth box's addresses, its files' text, its table: the early thread's (below). */
        return n->veth ? early_start(c, n) : resolv_conf_text(c, n);
}

/* ---- after clone ---------------------------------------------------------------------------- */

static int rtn_fail(struct rtn_ctx *ctx, int r, const char *what, const char *name)
{
        const char *why = rtn_error_text(ctx);
        log_error("network: %s %s: %s%s%s", what, name, strerror(-r), *why ? ": " : "", why);
        return r;
}

struct stale {
        int index, master;
        char alias[512];
};

static int get_stale(const struct rtn_link_info *l, void *userdata)
{
        struct stale *s = userdata;
        s->index = l->index;
        s->master = l->master;
        snprintf(s->alias, sizeof(s->alias), "%s", l->alias);
        return 0;
}

/* A box's host end out of the way of its next run: its namespace is dismantled by the kernel
 * ~40 ms after the box's end, and deleting the link would wait ~30 ms. Renamed instead (vg-INDEX,
 * without the altname a long box name gives it: the new link takes that too), it goes with its
 * namespace; its alias still names the box, for gc should anything hold that namespace. Taken
 * down first (each step waits for an RCU grace period) only where it could still carry the new
 * box's traffic: in a bridge, or holding a static Address= the new link takes too (a leased
 * subnet is never one the host has on a link, claim_addresses()), or where the kernel renames
 * no link that is up (before 6.2). */
static int retire_link(const struct box_config *c, struct launch_net *n, int index, bool master)
{
        char name[IFNAMSIZ];
        snprintf(name, sizeof(name), NET_PREFIX_RETIRED "%d", index);
        int r = -EBUSY;
        if (!master && !c->netcfg.addresses)
                r = rtn_link_rename(n->host, index, name);
        if (r == -EBUSY) {
                r = rtn_link_set_up(n->host, index, false);
                if (r >= 0 && master)
                        r = rtn_link_set_master(n->host, index, 0);
                if (r >= 0)
                        r = rtn_link_rename(n->host, index, name);
        }
        if (r >= 0 && *n->altname)
                (void)rtn_link_altname_del(n->host, index, n->altname); /* else: the slow way */
        if (r >= 0)
                log_debug("network: %s is now %s", n->ifname, name);
        return r == -ENODEV ? 0 : r; /* gone meanwhile */
}

/* The link of a box that is not running, left by this box's last run where that could not retire
 * it (its supervisor killed), or by another's. 0 once the name is free. */
static int retire_stale(const struct box_config *c, struct launch_net *n)
{
        struct stale s = {0};
        if (rtn_link_get(n->host, n->ifname, get_stale, &s) < 0 || s.index <= 0)
                return -ENOENT;
        if (strncmp(s.alias, LINK_ALIAS, strlen(LINK_ALIAS)) != 0 ||
            box_running(s.alias + strlen(LINK_ALIAS), (void *)c->name))
                return -EEXIST;
        return retire_link(c, n, s.index, s.master > 0);
}

static int add_veth(const struct box_config *c, struct launch_net *n, int netns)
{
        uint8_t id[16], mac[6], peer_mac[6];
        bool have_id = net_machine_id(id) == 0;
        if (have_id) {
                net_mac(id, c->name, NET_MAC_HOST, 0, mac);
                net_mac(id, c->name, NET_MAC_BOX, 0, peer_mac);
        }
        _cleanup_free_ char *alias = link_alias(LINK_ALIAS, c->name);
        struct rtn_veth v = {
                .name = n->ifname,
                .mac = have_id ? mac : NULL,
                .altname = n->altname,
                .alias = alias,
                .up = true,
                .peer_name = "host0",
                .peer_mac = have_id ? peer_mac : NULL,
                .peer_netns_fd = netns,
        };
        int r = rtn_veth_add(n->host, &v);
        if (r == -EEXIST && retire_stale(c, n) == 0)
                r = rtn_veth_add(n->host, &v);
        if (r == -EEXIST) {
                /* Left by a box that is not running: this box's last run (its namespace still
                 * dying, or its supervisor killed; we hold the name now), or another's. Delete
                 * it and try once more. */
                (void)rtn_gc_links(n->host, LINK_ALIAS, box_running, (void *)c->name);
                r = rtn_veth_add(n->host, &v);
        }
        if (r < 0)
                return rtn_fail(n->host, r, "creating the veth", n->ifname);
        n->ifindex = r;
        return r;
}

/* The zone's bridge, made on demand with the zone's .1 (under the zone lock). */
static int zone_bridge(const struct box_config *c, struct launch_net *n)
{
        int idx = rtn_link_index(n->host, n->zone_if);
        if (idx != -ENODEV)
                return idx < 0 ? rtn_fail(n->host, idx, "looking up", n->zone_if) : idx;
        _cleanup_free_ char *alias = link_alias(ZONE_ALIAS, c->netcfg.zone);
        idx = rtn_bridge_add(n->host, n->zone_if, NULL, alias);
        if (idx < 0)
                return rtn_fail(n->host, idx, "creating the bridge", n->zone_if);
        int r = rtn_addr_add(n->host, idx, &n->host4);
        if (r >= 0 && n->host6.family)
                r = rtn_addr_add(n->host, idx, &n->host6);
        if (r < 0)
                return rtn_fail(n->host, r, "addressing", n->zone_if);
        return idx;
}

static int host_end(const struct box_config *c, struct launch_net *n, int idx)
{
        const struct box_net *nc = &c->netcfg;
        int r;
        if (nc->zone || nc->bridge) {
                int br = nc->zone ? zone_bridge(c, n) : rtn_link_index(n->host, nc->bridge);
                if (br < 0)
                        return nc->zone
                                       ? br
                                       : rtn_fail(n->host, br, "looking up the bridge", nc->bridge);
                r = rtn_link_set_master(n->host, idx, br);
                if (r < 0)
                        return rtn_fail(n->host, r, "adding to its bridge", n->ifname);
                return 0;
        }
        if (n->host4.family && (r = rtn_addr_add(n->host, idx, &n->host4)) < 0)
                return rtn_fail(n->host, r, "addressing", n->ifname);
        if (n->host6.family && (r = rtn_addr_add(n->host, idx, &n->host6)) < 0)
                return rtn_fail(n->host, r, "addressing", n->ifname);
        return 0;
}

/* host0 inside: addresses, up, default routes through the host end. */
static int box_end(struct launch_net *n, struct rtn_ctx *box)
{
        int idx = rtn_link_index(box, "host0");
        if (idx < 0)
                return rtn_fail(box, idx, "finding", "host0");
        int r = 0;
        if (n->box4.family && (r = rtn_addr_add(box, idx, &n->box4)) < 0)
                return rtn_fail(box, r, "addressing", "host0");
        if (n->box6.family && (r = rtn_addr_add(box, idx, &n->box6)) < 0)
                return rtn_fail(box, r, "addressing", "host0");
        if ((r = rtn_link_set_up(box, idx, true)) < 0)
                return rtn_fail(box, r, "bringing up", "host0");
        struct net_prefix gw4 = n->host4, gw6 = n->host6;
        gw4.plen = 32;
        gw6.plen = 128;
        if (n->host4.family && (r = rtn_route_add(box, idx, NULL, &gw4)) < 0)
                return rtn_fail(box, r, "adding the default route of", "host0");
        if (n->host6.family && (r = rtn_route_add(box, idx, NULL, &gw6)) < 0)
                return rtn_fail(box, r, "adding the IPv6 default route of", "host0");
        return 0;
}

/* Interface= moved in (recorded, to be moved back), MACVLAN=/IPVLAN= made inside. */
static int other_links(const struct box_config *c, struct launch_net *n, int netns)
{
        const struct box_net *nc = &c->netcfg;
        for (char **i = nc->interfaces; i && *i; i++) {
                int idx = rtn_link_index(n->host, *i);
                if (idx < 0)
                        return rtn_fail(n->host, idx, "finding Interface=", *i);
                int r = rtn_link_move(n->host, idx, netns, NULL);
                if (r < 0)
                        return rtn_fail(n->host, r, "moving in", *i);
                strv_push(&n->moved, xstrdup(*i));
        }
        uint8_t id[16];
        bool have_id = net_machine_id(id) == 0;
        for (int kind = 0; kind < 2; kind++) {
                char **list = kind == 0 ? nc->macvlan : nc->ipvlan;
                uint64_t k = 0;
                for (char **i = list; i && *i; i++, k++) {
                        char name[IFNAMSIZ], alt[NET_ALTNAME_MAX];
                        uint8_t mac[6];
                        int parent = rtn_link_index(n->host, *i);
                        if (parent < 0)
                                return rtn_fail(n->host, parent, "finding the parent", *i);
                        if (net_ifname(kind == 0 ? NET_PREFIX_MACVLAN : NET_PREFIX_IPVLAN, *i, name,
                                       alt) < 0)
                                return log_error_errno(-EINVAL, "network: no name for %s", *i);
                        if (have_id)
                                net_mac(id, c->name, NET_MAC_MACVLAN, k, mac);
                        struct rtn_sublink s = {
                                .kind = kind == 0 ? RTN_SUB_MACVLAN : RTN_SUB_IPVLAN,
                                .parent_index = parent,
                                .name = name,
                                .mac = kind == 0 && have_id ? mac : NULL,
                                .netns_fd = netns,
                        };
                        int r = rtn_sublink_add(n->host, &s);
                        if (r == -EOPNOTSUPP) {
                                log_error(
                                        "%s: this kernel has no %s links",
                                        BOX_WHERE(c,
                                                  kind == 0 ? BOX_F_NET_MACVLAN : BOX_F_NET_IPVLAN,
                                                  NULL, 0),
                                        kind == 0 ? "macvlan" : "ipvlan");
                                return r;
                        }
                        if (r < 0)
                                return rtn_fail(n->host, r, "creating", name);
                }
        }
        return 0;
}

/* The box's table on the host and the host-wide forwarding switch. Its rules name the links,
 * so it needs none of them yet: the early thread makes it. */
static int firewall_table(const struct box_config *c, struct launch_net *n)
{
        const struct box_net *nc = &c->netcfg;
        bool masq = masquerades(c);
        if (!has_firewall(c, n))
                return 0;
        if (!n->box4.family && nc->n_ports) {
                log_error("%s: a published port needs the box's address (Address=)",
                          BOX_WHERE(c, BOX_F_PORT, nc->ports[0].name, nc->ports[0].origin.line));
                return -EINVAL;
        }
        _cleanup_free_ struct nft_port *ports = xcalloc(nc->n_ports + 1, sizeof(*ports));
        size_t np = 0;
        for (size_t i = 0; i < nc->n_ports; i++) {
                const struct box_port *p = &nc->ports[i];
                struct nft_port *q = &ports[np];
                *q = (struct nft_port){
                        .proto = p->protocol == BOX_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP,
                        .host_port = (uint16_t)p->host_port,
                        .box_port = (uint16_t)(p->box_port ? p->box_port : p->host_port),
                };
                if (p->host_address && net_prefix_parse(p->host_address, &q->host) < 0)
                        return -EINVAL; /* checked by the front-end */
                if (q->host.family == AF_INET6 && !n->box6.family) {
                        log_error("%s: the box has no IPv6 address to forward %s to",
                                  BOX_WHERE(c, BOX_F_PORT_HOST_ADDRESS, p->name, p->origin.line),
                                  p->host_address);
                        return -EINVAL;
                }
                np++;
        }
        struct nft_box b = {
                .name = c->name,
                .link = nc->zone ? n->zone_if : n->ifname,
                .port = nc->zone ? n->ifname : NULL,
                .subnet4 = n->subnet4,
                .subnet6 = n->box6.family ? n->subnet6 : (struct net_prefix){0},
                .box4 = n->box4,
                .box6 = n->box6,
                .masquerade = masq,
                .localhost = nc->localhost,
                .ports = ports,
                .n_ports = np,
        };
        if (n->dns_resolver.family) {
                b.dns_gateway = n->host4;
                b.dns_gateway.plen = 32;
                b.dns_resolver = n->dns_resolver;
        }
        int r = nft_handle_new(&n->nft);
        if (r < 0)
                return r; /* logged */
        n->table = true;
        r = nft_box_apply(n->nft, &b);
        if (r < 0)
                return log_error_errno(r, "network: the firewall of box %s", c->name);
        n->route_localnet = nft_box_needs_route_localnet(&b);
        /* Forwarding to the outside needs it on the box link and the uplink: the host-wide
         * switch, as networkd and docker turn it on (never off). */
        n->forwarding = masq || np;
        if (n->forwarding && (r = net_forwarding_enable(AF_INET)) < 0)
                return log_error_errno(r, "network: turning on net.ipv4.ip_forward");
        return 0;
}

/* The sysctls of the box's link, once it exists (route_localnet only behind the table's
 * guard). */
static int firewall_link(const struct box_config *c, struct launch_net *n)
{
        const char *link = c->netcfg.zone ? n->zone_if : n->ifname;
        int r;
        if (n->route_localnet && (r = net_link_sysctl(AF_INET, link, "route_localnet", "1")) < 0)
                return log_error_errno(r, "network: route_localnet on %s", link);
        if (n->forwarding && (r = net_link_sysctl(AF_INET, link, "forwarding", "1")) < 0)
                return log_error_errno(r, "network: forwarding on %s", link);
        return 0;
}

/* ---- early: a thread from net_prepare() on ------------------------------------------------- */

/* What needs no process in the box is done beside the rest of the launch (the clone, the box's
 * own set-up), not on the way from the clone to the go: the addresses (leases), the text of the
 * box's files, renaming a link a killed supervisor left (retire_stale()), the box's table with
 * its switches (where no netfilter hook is on yet, the kernel patches its code for the first:
 * 2-4 ms on a VM). Joined before the state is published (it names the addresses), and before a
 * clone that copies our memory. */
struct net_early {
        pthread_t thread;
        const struct box_config *c;
        struct launch_net *n;
        log_sink_t sink;
        void *sink_data;
        cpu_set_t cpus; /* ours, which it takes back once it runs */
        bool pinned;
        int result;
};

/* Its stack: one launch per process, and no mapping to make for it. */
#define EARLY_STACK (256 * 1024)
static char early_stack[EARLY_STACK] __attribute__((aligned(4096)));

static void *early_main(void *userdata)
{
        struct net_early *e = userdata;
        const struct box_config *c = e->c;
        struct launch_net *n = e->n;
        log_set_sink(e->sink, e->sink_data);
        if (e->pinned)
                (void)sched_setaffinity(0, sizeof(e->cpus), &e->cpus);
        int r = rtn_open(&n->host);
        if (r < 0) {
                e->result = log_error_errno(r, "network: opening rtnetlink");
                return NULL;
        }
        if ((r = claim_addresses(c, n)) >= 0 && (r = files_text(c, n)) >= 0) {
                (void)retire_stale(c, n); /* else none, or a running box's: add_veth() says */
                r = firewall_table(c, n);
        }
        e->result = r;
        return NULL;
}

static int early_start(const struct box_config *c, struct launch_net *n)
{
        struct net_early *e = xmalloc(sizeof(*e));
        *e = (struct net_early){.c = c, .n = n};
        e->sink = log_get_sink(&e->sink_data);
        /* Signals are the launching thread's to take (launch.c blocks and reads them). */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        mallopt(M_ARENA_MAX, 1); /* the thread allocates from our arena (a second costs 64 MiB) */
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstack(&attr, early_stack, sizeof(early_stack));
        /* Started on another CPU than ours: the kernel would queue it behind us, on the way to
         * the clone, while another CPU idles. */
        int self = sched_getcpu();
        if (self >= 0 && sched_getaffinity(0, sizeof(e->cpus), &e->cpus) == 0 &&
            CPU_COUNT(&e->cpus) > 1) {
                cpu_set_t others = e->cpus;
                CPU_CLR(self, &others);
                e->pinned = pthread_attr_setaffinity_np(&attr, sizeof(others), &others) == 0;
        }
        int r = pthread_create(&e->thread, &attr, early_main, e);
        pthread_attr_destroy(&attr);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r == 0) {
                n->early = e;
                return 0;
        }
        e->pinned = false;
        early_main(e); /* here, then */
        r = e->result;
        free(e);
        return r;
}

int net_early_join(struct launch_net *n)
{
        struct net_early *e = n->early;
        if (!e)
                return 0;
        pthread_join(e->thread, NULL);
        int r = e->result;
        free(e);
        n->early = NULL;
        return r;
}

int net_setup(const struct box_config *c, struct launch_net *n, pid_t pid)
{
        const struct box_net *nc = &c->netcfg;
        int r = net_early_join(n);
        if (r < 0 || (!n->veth && !nc->interfaces && !nc->macvlan && !nc->ipvlan))
                return r;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
        _cleanup_close_ int netns = open(path, O_RDONLY | O_CLOEXEC);
        if (netns < 0 && (errno == ENOENT || errno == ESRCH))
                return -ESRCH; /* the child is gone: its own error says why (not logged here) */
        if (netns < 0)
                return log_error_errno(-errno, "network: opening %s", path);
        if (n->veth) {
                _cleanup_rtn_ struct rtn_ctx *box = NULL;
                r = rtn_open_in_netns(netns, &box);
                if (r < 0)
                        return log_error_errno(r, "network: rtnetlink in the box");
                int idx = add_veth(c, n, netns);
                if (idx < 0)
                        return idx;
                r = host_end(c, n, idx);
                if (n->zone_lock >= 0) {
                        closep(&n->zone_lock);
                        n->zone_lock = -1;
                }
                if (r < 0 || (r = box_end(n, box)) < 0)
                        return r;
        }
        if ((r = other_links(c, n, netns)) < 0)
                return r;
        /* Kept while links are to be moved back, and while the box has a table on the host: the
         * namespace's hooks anchor (nft.h) must outlive the table's removal. */
        if (n->moved || has_firewall(c, n))
                n->netns = TAKE_FD(netns);
        return n->veth ? firewall_link(c, n) : 0;
}

void net_stop(const struct box_config *c, struct launch_net *n)
{
        if (n->nft && n->table)
                (void)nft_box_remove(n->nft, c->name);
        n->table = false;
        /* Renamed now, while the host has little else to do, rather than by a restart in the
         * middle of its own set-up (it found the old name taken by a link still dying). */
        if (n->ifindex > 0 && n->host)
                (void)retire_link(c, n, n->ifindex, c->netcfg.bridge || c->netcfg.zone);
        n->ifindex = 0;
}

/* ---- status --------------------------------------------------------------------------------- */

static void status_addresses(const struct net_prefix *box4, const struct net_prefix *host4,
                             const struct net_prefix *box6, struct net_status *ret)
{
        if (box4->family)
                net_prefix_format(box4, true, ret->box4, sizeof(ret->box4));
        if (host4->family)
                net_prefix_format(host4, false, ret->host4, sizeof(ret->host4));
        if (box6->family)
                net_prefix_format(box6, true, ret->box6, sizeof(ret->box6));
}

int net_status(const struct box_config *c, struct net_status *ret)
{
        *ret = (struct net_status){0};
        if (!box_config_veth(c))
                return 0;
        char alt[NET_ALTNAME_MAX];
        const struct box_net *nc = &c->netcfg;
        if (net_ifname(nc->bridge || nc->zone ? NET_PREFIX_BRIDGED : NET_PREFIX_VETH, c->name,
                       ret->ifname, alt) < 0)
                return -EINVAL;
        struct net_prefix box4 = {0}, host4 = {0}, box6 = {0}, subnet;
        _cleanup_free_ char *dir = NULL, *mdir = NULL;
        struct ipam_pool pool, members;
        if (nc->addresses) {
                for (char **a = nc->addresses; *a; a++) {
                        struct net_prefix b, h;
                        static_pair(*a, &b, &h, &subnet);
                        if (b.family == AF_INET) {
                                box4 = b;
                                host4 = h;
                        } else
                                box6 = b;
                }
        } else if (nc->zone) {
                zone_pool(&pool, &dir);
                if (ipam_lookup(&pool, nc->zone, &subnet) == 0) {
                        member_pool(nc->zone, &subnet, &members, &mdir);
                        if (ipam_lookup(&members, c->name, &box4) == 0) {
                                box4.plen = subnet.plen;
                                struct net_prefix s6, h6;
                                zone_v6(&subnet, &box4, &s6, &h6, &box6);
                        }
                        ipam_slot_host(&subnet, 1, &host4);
                }
        } else if (!nc->bridge) {
                box_pool(&pool, &dir);
                if (ipam_lookup(&pool, c->name, &subnet) == 0) {
                        ipam_slot_host(&subnet, 1, &host4);
                        ipam_slot_host(&subnet, 2, &box4);
                        struct net_prefix ula, s6;
                        prefix_or_die(IPAM_ULA_PREFIX, &ula);
                        if (net_ipv6_available() && ipam_v6_prefix(&ula, &subnet, &s6) == 0)
                                ipam_slot_host(&s6, 2, &box6);
                }
        }
        status_addresses(&box4, &host4, &box6, ret);
        return 0;
}

void net_launched_status(const struct launch_net *n, struct net_status *ret)
{
        *ret = (struct net_status){0};
        if (!n->veth)
                return;
        snprintf(ret->ifname, sizeof(ret->ifname), "%s", n->ifname);
        status_addresses(&n->box4, &n->host4, &n->box6, ret);
}
