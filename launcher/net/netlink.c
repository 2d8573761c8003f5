/* net/netlink.c - rtnetlink requests on libnl-3's core; see netlink.h. */
#include "net/netlink.h"

#include "util/log.h"

#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sched.h>
#include <sys/socket.h>

#ifndef IFLA_PROP_LIST
#define IFLA_PROP_LIST  52
#define IFLA_ALT_IFNAME 53
#endif
#ifndef RTM_NEWLINKPROP
#define RTM_NEWLINKPROP 108
#define RTM_DELLINKPROP 109
#endif

struct rtn_ctx {
        struct nl_sock *sk;
        struct nl_cb *cb;
        char err[256];
};

/* State of one request: its replies go to parse, its end is an ACK, an error or a DONE. */
struct request {
        struct rtn_ctx *ctx;
        int (*parse)(struct nlmsghdr *h, void *data);
        void *data;
        int error;
        bool done;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
        struct request *rq = arg;
        if (rq->parse && !rq->error) {
                int r = rq->parse(nlmsg_hdr(msg), rq->data);
                if (r < 0)
                        rq->error = r; /* keep reading up to the end of the reply */
        }
        return NL_OK;
}

static int on_done(struct nl_msg *msg, void *arg)
{
        ((struct request *)arg)->done = true;
        return NL_STOP;
}

void nl_want_error_text(int fd)
{
        int one = 1;
        (void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
        (void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

void nl_extack_text(const struct nlmsghdr *h, char *buf, size_t len)
{
        const struct nlmsgerr *e = NLMSG_DATA(h);
        buf[0] = 0;
        if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
                return;
        size_t payload = sizeof(*e);
        if (!(h->nlmsg_flags & NLM_F_CAPPED))
                payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
        size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(payload);
        if (off >= h->nlmsg_len)
                return;
        struct nlattr *a = nla_find((struct nlattr *)((char *)h + off), (int)(h->nlmsg_len - off),
                                    NLMSGERR_ATTR_MSG);
        if (a && nla_len(a) > 0)
                snprintf(buf, len, "%.*s", nla_len(a), (const char *)nla_data(a));
        size_t n = strlen(buf);
        while (n && buf[n - 1] == '\n')
                buf[--n] = 0;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
        struct request *rq = arg;
        rq->error = e->error < 0 ? e->error : -EPROTO;
        nl_extack_text((struct nlmsghdr *)((char *)e - NLMSG_HDRLEN), rq->ctx->err,
                       sizeof(rq->ctx->err));
        rq->done = true;
        return NL_STOP;
}

/* Sends msg (consumed) and reads until its ACK, error or DONE. */
static int transact(struct rtn_ctx *ctx, struct nl_msg *msg,
                    int (*parse)(struct nlmsghdr *h, void *data), void *data)
{
        struct request rq = {.ctx = ctx, .parse = parse, .data = data};
        ctx->err[0] = 0;
        nl_cb_set(ctx->cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &rq);
        nl_cb_set(ctx->cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &rq);
        nl_cb_set(ctx->cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &rq);
        nl_cb_err(ctx->cb, NL_CB_CUSTOM, on_error, &rq);
        int r = nl_send_auto(ctx->sk, msg);
        nlmsg_free(msg);
        if (r < 0)
                return -EIO;
        while (!rq.done) {
                r = nl_recvmsgs(ctx->sk, ctx->cb);
                if (rq.done)
                        break;
                if (r < 0) {
                        snprintf(ctx->err, sizeof(ctx->err), "%s", nl_geterror(r));
                        return r == -NLE_NOMEM ? -ENOMEM : -EIO;
                }
        }
        return rq.error;
}

int rtn_open(struct rtn_ctx **ret)
{
        struct rtn_ctx *ctx = xcalloc(1, sizeof(*ctx));
        ctx->sk = nl_socket_alloc();
        ctx->cb = nl_cb_alloc(NL_CB_DEFAULT);
        if (!ctx->sk || !ctx->cb) {
                rtn_close(ctx);
                return -ENOMEM;
        }
        int r = nl_connect(ctx->sk, NETLINK_ROUTE);
        if (r < 0) {
                rtn_close(ctx);
                return r == -NLE_PERM ? -EPERM : -EIO;
        }
        int fd = nl_socket_get_fd(ctx->sk);
        /* nl_connect() already set FD_CLOEXEC. */
        nl_want_error_text(fd);
        nl_socket_enable_msg_peek(ctx->sk);
        *ret = ctx;
        return 0;
}

int rtn_open_in_netns(int netns_fd, struct rtn_ctx **ret)
{
        _cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return negative_errno();
        if (setns(netns_fd, CLONE_NEWNET) < 0)
                return negative_errno();
        int r = rtn_open(ret);
        if (setns(self, CLONE_NEWNET) < 0) {
                log_error("network: cannot return to the original network namespace: %m");
                abort();
        }
        return r;
}

void rtn_close(struct rtn_ctx *ctx)
{
        if (!ctx)
                return;
        if (ctx->cb)
                nl_cb_put(ctx->cb);
        if (ctx->sk)
                nl_socket_free(ctx->sk); /* closes the socket */
        free(ctx);
}

const char *rtn_error_text(const struct rtn_ctx *ctx)
{
        return ctx->err;
}

/* ---- building requests -------------------------------------------------------------------- */

static struct nl_msg *link_msg(int type, int flags, int ifindex)
{
        struct nl_msg *msg = nlmsg_alloc_simple(type, flags);
        if (!msg)
                abort();
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
        if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
                abort();
        return msg;
}

/* Sets IFF_UP in the ifinfomsg of a link request (at creation: the link starts up). */
static void msg_set_up(struct nl_msg *msg, bool up)
{
        struct ifinfomsg *ifi = nlmsg_data(nlmsg_hdr(msg));
        ifi->ifi_change |= IFF_UP;
        ifi->ifi_flags = up ? ifi->ifi_flags | IFF_UP : ifi->ifi_flags & ~IFF_UP;
}

/* libnl only fails these when the message is full; ours are far below a page. */
#define PUT(call)                                                                                  \
        do {                                                                                       \
                if ((call) < 0)                                                                    \
                        abort();                                                                   \
        } while (0)

static bool name_ok(const char *name)
{
        return name && *name && strlen(name) < IFNAMSIZ;
}

static int parse_index(struct nlmsghdr *h, void *data)
{
        if (h->nlmsg_type != RTM_NEWLINK)
                return 0;
        struct ifinfomsg *ifi = nlmsg_data(h);
        *(int *)data = ifi->ifi_index;
        return 0;
}

int rtn_link_index(struct rtn_ctx *ctx, const char *name)
{
        size_t n = name ? strlen(name) : 0;
        if (n == 0 || n >= 128)
                return -EINVAL;
        struct nl_msg *msg = link_msg(RTM_GETLINK, 0, 0);
        PUT(nla_put_string(msg, n < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME, name));
        int index = 0;
        int r = transact(ctx, msg, parse_index, &index);
        if (r < 0)
                return r;
        return index > 0 ? index : -ENODEV;
}

struct created {
        const char *name;
        int index;
};

/* The kernel echoes a created link (NLM_F_ECHO, since Linux 6.1): its index, without asking. */
static int parse_created(struct nlmsghdr *h, void *data)
{
        struct created *c = data;
        struct nlattr *tb[IFLA_MAX + 1];
        if (h->nlmsg_type != RTM_NEWLINK ||
            nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
                return 0;
        if (streq(nla_get_string(tb[IFLA_IFNAME]), c->name))
                c->index = ((struct ifinfomsg *)nlmsg_data(h))->ifi_index;
        return 0;
}

/* Sends a link creation; then the alias and altname, which RTM_NEWLINK ignores at creation.
 * Returns the new link's index. */
static int create_link(struct rtn_ctx *ctx, struct nl_msg *msg, const char *name,
                       const char *altname, const char *alias)
{
        struct created c = {.name = name};
        int r = transact(ctx, msg, parse_created, &c);
        if (r < 0)
                return r;
        if (c.index <= 0 && (c.index = rtn_link_index(ctx, name)) < 0)
                return c.index;
        if (alias && *alias) {
                struct nl_msg *m = link_msg(RTM_NEWLINK, 0, c.index);
                PUT(nla_put_string(m, IFLA_IFALIAS, alias));
                if ((r = transact(ctx, m, NULL, NULL)) < 0)
                        return r;
        }
        if (altname && *altname && (r = rtn_link_altname_add(ctx, c.index, altname)) < 0)
                return r;
        return c.index;
}

/* A veth end made without a queue count gets one per CPU, and the kernel then cuts the active
 * ones to one on the registered device: synchronize_net() with the rtnl lock held, an expedited
 * RCU grace period for each end (drivers/net/veth.c, veth_init_queues()). Asked for the one
 * queue a veth uses anyway, it skips both: build/netcost's veth step 0.61 -> 0.38 ms here. */
static void put_one_queue(struct nl_msg *msg)
{
        PUT(nla_put_u32(msg, IFLA_NUM_TX_QUEUES, 1));
        PUT(nla_put_u32(msg, IFLA_NUM_RX_QUEUES, 1));
}

int rtn_veth_add(struct rtn_ctx *ctx, const struct rtn_veth *v)
{
        if (!name_ok(v->name) || !name_ok(v->peer_name))
                return -EINVAL;
        struct nl_msg *msg = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, 0);
        if (v->up)
                msg_set_up(msg, true);
        PUT(nla_put_string(msg, IFLA_IFNAME, v->name));
        if (v->mac)
                PUT(nla_put(msg, IFLA_ADDRESS, 6, v->mac));
        put_one_queue(msg);
        struct nlattr *info = nla_nest_start(msg, IFLA_LINKINFO);
        PUT(nla_put_string(msg, IFLA_INFO_KIND, "veth"));
        struct nlattr *data = nla_nest_start(msg, IFLA_INFO_DATA);
        struct nlattr *peer = nla_nest_start(msg, VETH_INFO_PEER);
        if (!info || !data || !peer)
                abort();
        /* The peer's attributes start with its own ifinfomsg. (IFF_UP there fails with
         * ENOTCONN: the kernel configures the peer before pairing the two ends.) */
        struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC};
        PUT(nlmsg_append(msg, &pifi, sizeof(pifi), NLMSG_ALIGNTO));
        PUT(nla_put_string(msg, IFLA_IFNAME, v->peer_name));
        if (v->peer_mac)
                PUT(nla_put(msg, IFLA_ADDRESS, 6, v->peer_mac));
        put_one_queue(msg);
        if (v->peer_netns_fd >= 0)
                PUT(nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)v->peer_netns_fd));
        nla_nest_end(msg, peer);
        nla_nest_end(msg, data);
        nla_nest_end(msg, info);
        return create_link(ctx, msg, v->name, v->altname, v->alias);
}

static int altname_op(struct rtn_ctx *ctx, int type, int flags, int ifindex, const char *altname)
{
        if (!altname || !*altname || strlen(altname) >= 128)
                return -EINVAL;
        struct nl_msg *msg = link_msg(type, flags, ifindex);
        struct nlattr *list = nla_nest_start(msg, IFLA_PROP_LIST | NLA_F_NESTED);
        if (!list)
                abort();
        PUT(nla_put_string(msg, IFLA_ALT_IFNAME, altname));
        nla_nest_end(msg, list);
        return transact(ctx, msg, NULL, NULL);
}

int rtn_link_altname_add(struct rtn_ctx *ctx, int ifindex, const char *altname)
{
        return altname_op(ctx, RTM_NEWLINKPROP, NLM_F_CREATE | NLM_F_EXCL, ifindex, altname);
}

int rtn_link_altname_del(struct rtn_ctx *ctx, int ifindex, const char *altname)
{
        return altname_op(ctx, RTM_DELLINKPROP, 0, ifindex, altname);
}

int rtn_link_set_up(struct rtn_ctx *ctx, int ifindex, bool up)
{
        struct nl_msg *msg = link_msg(RTM_NEWLINK, 0, ifindex);
        msg_set_up(msg, up);
        return transact(ctx, msg, NULL, NULL);
}

int rtn_link_set_master(struct rtn_ctx *ctx, int ifindex, int master_index)
{
        struct nl_msg *msg = link_msg(RTM_NEWLINK, 0, ifindex);
        PUT(nla_put_u32(msg, IFLA_MASTER, (uint32_t)master_index));
        return transact(ctx, msg, NULL, NULL);
}

int rtn_link_rename(struct rtn_ctx *ctx, int ifindex, const char *new_name)
{
        if (!name_ok(new_name))
                return -EINVAL;
        struct nl_msg *msg = link_msg(RTM_NEWLINK, 0, ifindex);
        PUT(nla_put_string(msg, IFLA_IFNAME, new_name));
        return transact(ctx, msg, NULL, NULL);
}

int rtn_link_move(struct rtn_ctx *ctx, int ifindex, int netns_fd, const char *new_name)
{
        if (new_name && !name_ok(new_name))
                return -EINVAL;
        struct nl_msg *msg = link_msg(RTM_NEWLINK, 0, ifindex);
        PUT(nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)netns_fd));
        if (new_name)
                PUT(nla_put_string(msg, IFLA_IFNAME, new_name));
        return transact(ctx, msg, NULL, NULL);
}

int rtn_link_del(struct rtn_ctx *ctx, int ifindex)
{
        return transact(ctx, link_msg(RTM_DELLINK, 0, ifindex), NULL, NULL);
}

int rtn_link_del_by_name(struct rtn_ctx *ctx, const char *name)
{
        int index = rtn_link_index(ctx, name);
        if (index == -ENODEV)
                return 0;
        if (index < 0)
                return index;
        int r = rtn_link_del(ctx, index);
        return r == -ENODEV ? 0 : r;
}

int rtn_bridge_add(struct rtn_ctx *ctx, const char *name, const uint8_t *mac, const char *alias)
{
        if (!name_ok(name))
                return -EINVAL;
        struct nl_msg *msg = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, 0);
        msg_set_up(msg, true);
        PUT(nla_put_string(msg, IFLA_IFNAME, name));
        if (mac)
                PUT(nla_put(msg, IFLA_ADDRESS, 6, mac));
        struct nlattr *info = nla_nest_start(msg, IFLA_LINKINFO);
        if (!info)
                abort();
        PUT(nla_put_string(msg, IFLA_INFO_KIND, "bridge"));
        /* No multicast snooping: a zone has no querier to keep its table, and for it the bridge
         * joins the all-snoopers group (224.0.0.106), whose IGMP report the host's conntrack
         * then tracks for 10 minutes after the zone is gone, making every later box's table
         * and end walk the whole conntrack table. Multicast is flooded, as on a hub. */
        struct nlattr *data = nla_nest_start(msg, IFLA_INFO_DATA);
        if (!data)
                abort();
        PUT(nla_put_u8(msg, IFLA_BR_MCAST_SNOOPING, 0));
        nla_nest_end(msg, data);
        nla_nest_end(msg, info);
        return create_link(ctx, msg, name, NULL, alias);
}

int rtn_sublink_add(struct rtn_ctx *ctx, const struct rtn_sublink *s)
{
        if (!name_ok(s->name) || s->parent_index <= 0)
                return -EINVAL;
        struct nl_msg *msg = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        if (s->up)
                msg_set_up(msg, true);
        PUT(nla_put_string(msg, IFLA_IFNAME, s->name));
        PUT(nla_put_u32(msg, IFLA_LINK, (uint32_t)s->parent_index));
        if (s->netns_fd >= 0)
                PUT(nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)s->netns_fd));
        if (s->mac && s->kind == RTN_SUB_MACVLAN)
                PUT(nla_put(msg, IFLA_ADDRESS, 6, s->mac));
        struct nlattr *info = nla_nest_start(msg, IFLA_LINKINFO);
        if (!info)
                abort();
        PUT(nla_put_string(msg, IFLA_INFO_KIND, s->kind == RTN_SUB_MACVLAN ? "macvlan" : "ipvlan"));
        struct nlattr *data = nla_nest_start(msg, IFLA_INFO_DATA);
        if (!data)
                abort();
        if (s->kind == RTN_SUB_MACVLAN)
                PUT(nla_put_u32(msg, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE));
        else
                PUT(nla_put_u16(msg, IFLA_IPVLAN_MODE, IPVLAN_MODE_L2));
        nla_nest_end(msg, data);
        nla_nest_end(msg, info);
        return transact(ctx, msg, NULL, NULL);
}

int rtn_addr_add(struct rtn_ctx *ctx, int ifindex, const struct net_prefix *addr)
{
        size_t len = net_prefix_addr_len(addr);
        if (!len || ifindex <= 0)
                return -EINVAL;
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
        if (!msg)
                abort();
        struct ifaddrmsg ifa = {
                .ifa_family = (unsigned char)addr->family,
                .ifa_prefixlen = addr->plen,
                .ifa_scope = RT_SCOPE_UNIVERSE,
                .ifa_index = (unsigned)ifindex,
        };
        /* Without duplicate address detection the address is usable at once (no "tentative"
         * phase in which bind() fails); the link is ours, there is nobody to collide with. */
        if (addr->family == AF_INET6)
                ifa.ifa_flags = IFA_F_NODAD;
        PUT(nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO));
        PUT(nla_put(msg, IFA_LOCAL, (int)len, &addr->addr));
        PUT(nla_put(msg, IFA_ADDRESS, (int)len, &addr->addr));
        return transact(ctx, msg, NULL, NULL);
}

int rtn_route_add(struct rtn_ctx *ctx, int ifindex, const struct net_prefix *dst,
                  const struct net_prefix *gateway)
{
        int family = dst ? dst->family : gateway ? gateway->family : 0;
        if (!family || (dst && gateway && dst->family != gateway->family))
                return -EINVAL;
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
        if (!msg)
                abort();
        struct rtmsg rtm = {
                .rtm_family = (unsigned char)family,
                .rtm_dst_len = dst ? dst->plen : 0,
                .rtm_table = RT_TABLE_MAIN,
                .rtm_protocol = RTPROT_STATIC,
                .rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
                .rtm_type = RTN_UNICAST,
        };
        PUT(nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO));
        if (dst && dst->plen) {
                struct net_prefix d = *dst;
                net_prefix_mask(&d);
                PUT(nla_put(msg, RTA_DST, (int)net_prefix_addr_len(&d), &d.addr));
        }
        if (gateway)
                PUT(nla_put(msg, RTA_GATEWAY, (int)net_prefix_addr_len(gateway), &gateway->addr));
        PUT(nla_put_u32(msg, RTA_OIF, (uint32_t)ifindex));
        return transact(ctx, msg, NULL, NULL);
}

/* ---- dumps -------------------------------------------------------------------------------- */

struct addr_dump {
        rtn_addr_cb cb;
        void *userdata;
};

static int parse_addr(struct nlmsghdr *h, void *data)
{
        struct addr_dump *d = data;
        if (h->nlmsg_type != RTM_NEWADDR)
                return 0;
        struct ifaddrmsg *ifa = nlmsg_data(h);
        struct nlattr *tb[IFA_MAX + 1];
        if (nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
                return 0;
        /* IFA_LOCAL is the address on point-to-point links, IFA_ADDRESS the peer there. */
        struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
        struct net_prefix p = {.family = ifa->ifa_family, .plen = ifa->ifa_prefixlen};
        size_t len = net_prefix_addr_len(&p);
        if (!a || !len || (size_t)nla_len(a) != len)
                return 0;
        memcpy(&p.addr, nla_data(a), len);
        return d->cb((int)ifa->ifa_index, &p, d->userdata);
}

int rtn_addr_dump(struct rtn_ctx *ctx, int family, rtn_addr_cb cb, void *userdata)
{
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
        if (!msg)
                abort();
        struct ifaddrmsg ifa = {.ifa_family = (unsigned char)family};
        PUT(nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO));
        struct addr_dump d = {cb, userdata};
        return transact(ctx, msg, parse_addr, &d);
}

struct link_dump {
        rtn_link_cb cb;
        void *userdata;
};

static int parse_link(struct nlmsghdr *h, void *data)
{
        struct link_dump *d = data;
        if (h->nlmsg_type != RTM_NEWLINK)
                return 0;
        struct ifinfomsg *ifi = nlmsg_data(h);
        struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
        if (nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
                return 0;
        struct rtn_link_info info = {
                .index = ifi->ifi_index,
                .name = nla_get_string(tb[IFLA_IFNAME]),
                .kind = "",
                .alias = tb[IFLA_IFALIAS] ? nla_get_string(tb[IFLA_IFALIAS]) : "",
                .master = tb[IFLA_MASTER] ? (int)nla_get_u32(tb[IFLA_MASTER]) : 0,
                .flags = ifi->ifi_flags,
        };
        if (tb[IFLA_LINKINFO] &&
            nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 && li[IFLA_INFO_KIND])
                info.kind = nla_get_string(li[IFLA_INFO_KIND]);
        if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6)
                memcpy(info.mac, nla_data(tb[IFLA_ADDRESS]), 6);
        return d->cb(&info, d->userdata);
}

int rtn_link_dump(struct rtn_ctx *ctx, rtn_link_cb cb, void *userdata)
{
        struct link_dump d = {cb, userdata};
        return transact(ctx, link_msg(RTM_GETLINK, NLM_F_DUMP, 0), parse_link, &d);
}

int rtn_link_get(struct rtn_ctx *ctx, const char *name, rtn_link_cb cb, void *userdata)
{
        size_t n = name ? strlen(name) : 0;
        if (n == 0 || n >= 128)
                return -EINVAL;
        struct nl_msg *msg = link_msg(RTM_GETLINK, 0, 0);
        PUT(nla_put_string(msg, n < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME, name));
        struct link_dump d = {cb, userdata};
        return transact(ctx, msg, parse_link, &d);
}

struct gc_links {
        const char *prefix;
        bool (*running)(const char *name, void *userdata);
        void *userdata;
        int *doomed;
        size_t n, cap;
};

static int collect_stale(const struct rtn_link_info *l, void *userdata)
{
        struct gc_links *g = userdata;
        size_t n = strlen(g->prefix);
        if (strncmp(l->alias, g->prefix, n) != 0 || !l->alias[n] ||
            g->running(l->alias + n, g->userdata))
                return 0;
        if (g->n == g->cap) {
                g->cap = g->cap ? 2 * g->cap : 8;
                g->doomed = xrealloc(g->doomed, g->cap * sizeof(*g->doomed));
        }
        g->doomed[g->n++] = l->index;
        return 0;
}

int rtn_gc_links(struct rtn_ctx *ctx, const char *alias_prefix,
                 bool (*running)(const char *name, void *userdata), void *userdata)
{
        if (!alias_prefix || !*alias_prefix)
                return -EINVAL;
        /* Collect first: deleting during the dump would disturb it. */
        struct gc_links g = {.prefix = alias_prefix, .running = running, .userdata = userdata};
        int r = rtn_link_dump(ctx, collect_stale, &g);
        int deleted = 0;
        for (size_t i = 0; r >= 0 && i < g.n; i++) {
                int k = rtn_link_del(ctx, g.doomed[i]);
                if (k == 0)
                        deleted++;
                else if (k != -ENODEV) /* a veth's peer may have gone with its pair */
                        r = k;
        }
        free(g.doomed);
        return r < 0 ? r : deleted;
}
