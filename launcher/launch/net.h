/* launch/net.h - a box's links beside loopback: the launch's network phases over net/.
 *
 * net_prepare() runs before clone (the supervisor, host namespace): interface names, the
 * addresses (IPAM leases named after the box), the box's resolv.conf and, for a machine, the
 * networkd file for host0, both as host files in the state directory that the child binds
 * read-only (the image is never written). net_setup() runs once the child exists and before it
 * may execute anything: the veth with its box end made straight in the box's namespace, the
 * zone's bridge, addresses and routes on both ends, moved and macvlan links, the box's nftables
 * table and the per-link sysctls. net_release() undoes all of it on every path; what a killed
 * supervisor left is removed by the next start of the box or by net_gc_box() (`gc`).
 *
 * One owner, one undo (and what a dead supervisor leaves):
 *   lease .net/boxes/ADDR, .net/zone-Z/ADDR  released here   next start reuses it; gc removes
 *   zone lease .net/zones/ADDR, bridge vz-Z  with the zone's last box (under the zone lock)
 *   veth ve-NAME / vb-NAME, host0            dies with the box's network namespace; gc deletes
 *                                            one whose box is not running (alias boxlaunch:NAME)
 *                                            (a restart renames a dying one vg-INDEX)
 *   nft table inet boxlaunch-NAME            deleted here; replaced atomically at the next start
 *   conf.LINK.forwarding, .route_localnet    go with their link
 *   net.ipv4.ip_forward                      turned on for Masquerade= or ports, never off
 *   Interface= links                         moved back before the namespace dies
 *   .NAME.resolv.conf, .NAME.host0.network   unlinked here (state_release removes them too) */
#pragma once
#include "core/config.h"
#include "launch/runtime.h"
#include "net/addr.h"
#include "net/names.h"

#include <stdio.h>

struct rtn_ctx;
struct nft_handle;

struct launch_net {
        bool veth;
        char ifname[IFNAMSIZ]; /* host end: ve-NAME or vb-NAME */
        char altname[NET_ALTNAME_MAX];
        char zone_if[IFNAMSIZ]; /* vz-ZONE */
        int zone_lock;          /* held from the zone's claim until the veth is in the bridge */
        bool leased, zone_member;
        struct net_prefix subnet4, host4, box4, subnet6, host6, box6;
        struct net_prefix dns_resolver; /* the host's loopback resolver the gateway forwards to */
        char *resolv_path, *network_path;
        /* The files as the child reaches them: O_PATH fds it inherits (/proc/self/fd/N), since
         * a box root in a user namespace may not walk the state directory's parents. */
        int resolv_fd, network_fd;
        char *resolv_src, *network_src;
        struct box_mount resolv_mount, network_mount;
        struct rtn_ctx *host;
        struct nft_handle *nft;
        bool table;
        int netns;    /* kept for Interface= links and the hooks anchor (net_setup()) */
        char **moved; /* their names */
        pid_t pid;
};

/* A zeroed struct with its fds at -1. */
void net_init(struct launch_net *n);
/* Before clone; adds its mounts to rt->mounts (room for two). Logged. */
int net_prepare(const struct box_config *c, struct launch_net *n, struct box_runtime *rt);
/* After clone, before the child goes on. Logged, but for -ESRCH: the child died before its
 * network namespace could be reached (its own error tells why). */
int net_setup(const struct box_config *c, struct launch_net *n, pid_t pid);
/* Undoes what the two did, in reverse; safe on a struct they never touched. */
void net_release(const struct box_config *c, struct launch_net *n);
/* Whether net_release() would undo anything (a link, a lease, a table, a file): a box without
 * may leave its end to the clean-up after a slimmed supervisor (launch/slim.c). */
bool net_needs_release(const struct launch_net *n);
/* Deletes the box's table, first thing at stop: the kernel frees its chains after an RCU grace
 * period, and closing the socket waits for that; net_release() closes it last, by when the rest
 * of the teardown has let the grace period pass. */
void net_drop_firewall(const struct box_config *c, struct launch_net *n);

/* gc of one box whose supervisor is gone (its state lock held by the caller): its table, its
 * leases, its links, its zone's bridge if the zone is now empty. Prints what it removed. */
int net_gc_box(const char *name, FILE *out, unsigned *removed);
/* gc of what belongs to no running box at all (tables, leases, links, empty zones). */
int net_gc_all(FILE *out, unsigned *removed);

/* For status and list: the box's host-side link, addresses and ports as a JSON-ready text
 * description; ifname "" when the box has no veth. */
struct net_status {
        char ifname[IFNAMSIZ];
        char box4[NET_PREFIX_STRLEN], host4[NET_PREFIX_STRLEN];
        char box6[NET_PREFIX_STRLEN];
};
int net_status(const struct box_config *c, struct net_status *ret);
/* The same, of the box being launched, from what the launch claimed (no lease lookups). */
void net_launched_status(const struct launch_net *n, struct net_status *ret);
