/* net/nft.h - a box's firewall: one nftables table "inet boxlaunch-NAME" per box.
 *
 * The table is built as data from plain parameters; nft_box_ruleset() prints it the way
 * `nft list table` does, and nft_box_apply() loads it as one nf_tables netlink batch (messages
 * built with libnl-3, which boxlaunch links statically). libnftables would parse the same text,
 * but loading it with dlopen() into the static binary costs ~5 ms and its first command ~6 ms
 * more (libnftnl, its expression builder, needs libmnl, of which Debian ships no static
 * library, and dlopen() of it alone costs 1.6 ms): that was most of a veth box's start. The
 * recipe is the one measured in research networking.md §4:
 *
 *   guard (filter, prerouting, priority raw): packets from the box link to 127.0.0.0/8 or ::1
 *       are dropped, before any NAT. Always present, so route_localnet=1 on a link is never
 *       without it (set route_localnet only after the table is in place).
 *   prerouting (nat, dstnat): published ports on the host's local addresses (or the one given),
 *       and the gateway's port 53 to the host's loopback resolver when asked.
 *   output (nat, -100): the same ports for connections made on the host itself, 127.0.0.1
 *       included when localhost forwarding is on (needs route_localnet=1 on the link).
 *   postrouting (nat, srcnat): masquerade of 127.0.0.0/8 toward the link (localhost
 *       forwarding), of the box subnet toward the link for DNATed connections (hairpin: a box
 *       reaching its own published port through a host address), and of the box subnet toward
 *       every other interface (NAT to the outside).
 *
 * ::1 cannot be NATed off lo (IPv6 has no route_localnet): IPv6 ports answer on the host's
 * other addresses only. */
#pragma once

#include "net/addr.h"

struct nft_port {
        int proto;              /* IPPROTO_TCP or IPPROTO_UDP */
        struct net_prefix host; /* host address the port is published on; family 0: any local */
        uint16_t host_port;
        uint16_t box_port;
};

struct nft_box {
        const char *name; /* table boxlaunch-NAME; [A-Za-z0-9_.-] */
        const char *link; /* host-side interface the box is behind (ve-X, vz-Z) */
        /* With link a bridge: the box's own port of it (vb-X), or NULL. Where br_netfilter
         * runs (bridge-nf-call-iptables), bridged packets show the port, not the bridge, as
         * their interface: the guard matches both, and traffic between the bridge's boxes is
         * never masqueraded. */
        const char *port;
        struct net_prefix subnet4, subnet6; /* the box network(s); family 0: none */
        struct net_prefix box4, box6;       /* the box's addresses, targets of the ports */
        bool masquerade;                    /* NAT of the box subnet to the outside */
        bool localhost;                     /* ports also from the host's 127.0.0.0/8 */
        const struct nft_port *ports;
        size_t n_ports;
        struct net_prefix dns_gateway;  /* the box's gateway address serving DNS, family 0: no */
        struct net_prefix dns_resolver; /* the host's loopback resolver, e.g. 127.0.0.53 */
};

#define NFT_TABLE_PREFIX "boxlaunch-"

/* The table's text as `nft list table inet boxlaunch-NAME` prints it once loaded. -EINVAL for a
 * name, link or address that does not fit. */
int nft_box_ruleset(const struct nft_box *box, char **ret);

/* Whether the box link needs net.ipv4.conf.LINK.route_localnet=1 (localhost forwarding or the
 * gateway DNS DNAT): set it after nft_box_apply(), whose guard chain must be in place first. */
bool nft_box_needs_route_localnet(const struct nft_box *box);

/* An nf_tables netlink socket, kept for the box's lifetime (the supervisor deletes the table
 * at stop with it). Open it in the host's network namespace. */
struct nft_handle;

/* Logs and returns a negative errno when the kernel has no nf_tables netlink. */
int nft_handle_new(struct nft_handle **ret);
void nft_handle_free(struct nft_handle *h);
static inline void nft_handle_freep(struct nft_handle **h)
{
        if (*h)
                nft_handle_free(*h);
}
#define _cleanup_nft_ _cleanup_(nft_handle_freep)

/* Creates or atomically replaces the box's table (a stale one left by a killed supervisor
 * included). */
int nft_box_apply(struct nft_handle *h, const struct nft_box *box);
/* Deletes the box's table; 0 when there was none. */
int nft_box_remove(struct nft_handle *h, const char *name);
/* 1 when table inet boxlaunch-NAME exists, 0 when not, or a negative errno. */
int nft_table_exists(struct nft_handle *h, const char *name);

/* Table inet boxlaunch in the box's own network namespace: four empty base chains (policy
 * accept) at the hooks the box's NAT table and connection tracking use on the host. Switching
 * the kernel's netfilter hooks on and off (the first hook of a kind anywhere, the last one gone)
 * patches its code, 1-1.5 ms each way on a VM; these hooks keep them on while the box runs and
 * while its namespace is being dismantled, after the supervisor exited: a box started meanwhile
 * finds them on, and the last box's are switched off by the kernel's namespace clean-up. Open
 * h in the box's namespace. */
#define NFT_ANCHOR_TABLE "boxlaunch"
int nft_hooks_anchor(struct nft_handle *h);

typedef bool (*nft_running_t)(const char *box_name, void *userdata);
/* Deletes every boxlaunch-* table whose box is not running; returns how many. */
int nft_gc(struct nft_handle *h, nft_running_t running, void *userdata);
