/* net/netlink.h - rtnetlink operations for boxes: links, addresses, routes.
 *
 * A struct rtn_ctx is one NETLINK_ROUTE socket; it works on the network namespace it was opened
 * in, whichever namespace the caller is in later. The supervisor keeps one for the host and
 * opens a second inside the box's namespace with rtn_open_in_netns(). Every request waits for the
 * kernel's acknowledgement; on failure the functions return a negative errno and the kernel's
 * extended-ack text (e.g. "Unknown device type") is kept for rtn_error_text(). They log nothing
 * above debug level: the caller logs once, with its context.
 *
 * Built on libnl-3's core (message and attribute framing, socket, ACK loop) only: Debian ships it
 * as a static archive (libnl-3.a), unlike libmnl, and boxlaunch is linked static-pie. */
#pragma once

#include "net/addr.h"

#include <net/if.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

struct rtn_ctx;
struct nlmsghdr;

/* Asks the kernel for its error text in errors (NETLINK_EXT_ACK) and for no copy of the
 * refused request in them (NETLINK_CAP_ACK). */
void nl_want_error_text(int fd);
/* The kernel's extended ack text (NLMSGERR_ATTR_MSG) of an NLMSG_ERROR message h, or "". Asked
 * for with NETLINK_EXT_ACK; rtnetlink and nf_tables both send it. */
void nl_extack_text(const struct nlmsghdr *h, char *buf, size_t len);

/* A socket in the caller's current network namespace. */
int rtn_open(struct rtn_ctx **ret);
/* A socket in the namespace netns_fd refers to: setns() there, open, setns() back. Only for a
 * single-threaded caller (setns changes the calling thread). The original namespace is always
 * restored; failing that, the process aborts rather than go on in the wrong namespace. */
int rtn_open_in_netns(int netns_fd, struct rtn_ctx **ret);
void rtn_close(struct rtn_ctx *ctx);
static inline void rtn_closep(struct rtn_ctx **ctx)
{
        if (*ctx)
                rtn_close(*ctx);
}
#define _cleanup_rtn_ _cleanup_(rtn_closep)

/* The kernel's message for the last failed request of ctx, "" if it gave none. */
const char *rtn_error_text(const struct rtn_ctx *ctx);

/* Index of the link called name (or with that altname); -ENODEV if there is none. */
int rtn_link_index(struct rtn_ctx *ctx, const char *name);

struct rtn_veth {
        const char *name;      /* host end, in ctx's namespace */
        const uint8_t *mac;    /* 6 bytes or NULL (random) */
        const char *altname;   /* NULL or "" for none (set with RTM_NEWLINKPROP) */
        const char *alias;     /* IFLA_IFALIAS, e.g. "boxlaunch:NAME", to find it again in gc */
        bool up;               /* create it UP */
        const char *peer_name; /* the box's end, created down: set it up from its namespace */
        const uint8_t *peer_mac;
        int peer_netns_fd; /* namespace the peer is created in; -1: ctx's own */
};
/* One RTM_NEWLINK: both ends, the peer created directly in its namespace (moving a link costs
 * ~30 ms, creating it in place does not); then the alias and the altname if asked (one request
 * each: RTM_NEWLINK ignores them at creation). Returns the host end's index, -EEXIST when a
 * name is taken. */
int rtn_veth_add(struct rtn_ctx *ctx, const struct rtn_veth *veth);

/* Adds an alternative name (RTM_NEWLINKPROP / IFLA_ALT_IFNAME). */
int rtn_link_altname_add(struct rtn_ctx *ctx, int ifindex, const char *altname);
int rtn_link_altname_del(struct rtn_ctx *ctx, int ifindex, const char *altname);
int rtn_link_set_up(struct rtn_ctx *ctx, int ifindex, bool up);
/* Enslaves ifindex to the bridge master_index (0: release it). */
int rtn_link_set_master(struct rtn_ctx *ctx, int ifindex, int master_index);
/* Moves ifindex into netns_fd, renamed to new_name there unless NULL (one request). */
/* Renames a link (a few hundred µs, where deleting one waits ~30 ms for the kernel). */
int rtn_link_rename(struct rtn_ctx *ctx, int ifindex, const char *new_name);
int rtn_link_move(struct rtn_ctx *ctx, int ifindex, int netns_fd, const char *new_name);
int rtn_link_del(struct rtn_ctx *ctx, int ifindex);
/* 0 also when there is no such link. */
int rtn_link_del_by_name(struct rtn_ctx *ctx, const char *name);

/* A bridge, created UP (nspawn leaves zone bridges down and relies on networkd) and without
 * multicast snooping (netlink.c says why). Returns its index. */
int rtn_bridge_add(struct rtn_ctx *ctx, const char *name, const uint8_t *mac, const char *alias);

enum rtn_sublink_kind { RTN_SUB_MACVLAN, RTN_SUB_IPVLAN };
struct rtn_sublink {
        enum rtn_sublink_kind kind; /* macvlan mode bridge, ipvlan mode L2 */
        int parent_index;           /* in ctx's namespace */
        const char *name;           /* the new link's name in the target namespace */
        const uint8_t *mac;         /* macvlan only; NULL: random */
        int netns_fd;               /* created directly there; -1: ctx's own */
        bool up;
};
/* -EOPNOTSUPP when the kernel lacks the link type ("Unknown device type"). */
int rtn_sublink_add(struct rtn_ctx *ctx, const struct rtn_sublink *s);

/* Adds addr (its plen included) to ifindex; IPv6 addresses with IFA_F_NODAD, usable at once.
 * An address already there is fine (NLM_F_REPLACE). */
int rtn_addr_add(struct rtn_ctx *ctx, int ifindex, const struct net_prefix *addr);
/* A route to dst (NULL: the default route) via gateway (NULL: on-link) out of ifindex, in the
 * main table; replaces an existing one. */
int rtn_route_add(struct rtn_ctx *ctx, int ifindex, const struct net_prefix *dst,
                  const struct net_prefix *gateway);

/* Every address of the namespace (family AF_UNSPEC: both). */
typedef int (*rtn_addr_cb)(int ifindex, const struct net_prefix *addr, void *userdata);
int rtn_addr_dump(struct rtn_ctx *ctx, int family, rtn_addr_cb cb, void *userdata);

struct rtn_link_info {
        int index;
        const char *name;
        const char *kind;  /* "veth", "bridge", ... or "" */
        const char *alias; /* IFLA_IFALIAS or "" */
        int master;        /* 0 if none */
        unsigned flags;    /* IFF_* */
        uint8_t mac[6];
};
typedef int (*rtn_link_cb)(const struct rtn_link_info *link, void *userdata);
int rtn_link_dump(struct rtn_ctx *ctx, rtn_link_cb cb, void *userdata);
/* Deletes the links whose alias is alias_prefix + NAME (e.g. "boxlaunch:" + a box name) for
 * which running(NAME) is false: veths left by a killed supervisor while a box process kept the
 * namespace alive, zone bridges without their boxes. Returns the number deleted. */
int rtn_gc_links(struct rtn_ctx *ctx, const char *alias_prefix,
                 bool (*running)(const char *name, void *userdata), void *userdata);

/* The link's details (name or altname). */
int rtn_link_get(struct rtn_ctx *ctx, const char *name, rtn_link_cb cb, void *userdata);
