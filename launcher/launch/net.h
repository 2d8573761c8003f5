/* launch/net.h - a box's links beside loopback: the launch's network phases over net/.
 *
 * net_prepare() runs before clone (the supervisor, host namespace): interface names, the box's
 * resolv.conf and, for a machine, the networkd file for host0, both as host files in the state
 * directory that the child binds read-only (the image is never written). For a veth box a thread
 * it starts then does what needs no box namespace while the launch goes on: the addresses (IPAM
 * leases named after the box), the files' text, a link the box's last run left, the box's
 * nftables table, the host-wide forwarding switch. net_setup() runs once the child exists and
 * before it may execute anything: the veth with its box end made straight in the box's
 * namespace, the zone's bridge, addresses and routes on both ends, moved and macvlan links and
 * the per-link sysctls. net_stop() deletes the table and renames the link at the box's end;
 * net_release() undoes all of it on every path; what a killed supervisor left is removed by the
 * next start of the box or by net_gc_box() (`gc`).
 *
 * One owner, one undo (and what a dead supervisor leaves):
 *   lease .net/boxes/ADDR, .net/zone-Z/ADDR  released here   next start reuses it; gc removes
 *   zone lease .net/zones/ADDR, bridge vz-Z  with the zone's last box (under the zone lock)
 *   veth ve-NAME / vb-NAME, host0            dies with the box's network namespace; gc deletes
 *                                            one whose box is not running (alias boxlaunch:NAME)
 *                                            (renamed vg-INDEX at stop, or by the next start)
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
struct net_early;

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
        /* The files, created before clone (the child binds them), open for their text until it
         * is written (by the early thread where it needs the addresses). */
        int resolv_fd, network_fd;
        char *resolv_host;     /* the host's resolv.conf */
        bool resolv_bind_host; /* ResolvConf=bind-host: the box gets it as it is */
        char *resolv_src, *network_src;
        struct box_mount resolv_mount, network_mount;
        struct rtn_ctx *host;
        struct nft_handle *nft;
        bool table;
        bool route_localnet, forwarding; /* the box link's sysctls the table asks for */
        int netns;               /* kept for Interface= links and the hooks anchor (net_setup()) */
        char **moved;            /* their names */
        struct net_early *early; /* net_prepare()'s thread, until net_early_join() */
        int ifindex;             /* the host end's, once made */
};

/* A zeroed struct with its fds at -1. */
void net_init(struct launch_net *n);
/* Before clone; adds its mounts to rt->mounts (room for two). Logged. */
int net_prepare(const struct box_config *c, struct launch_net *n, struct box_runtime *rt);
/* Waits for the work net_prepare() left to a thread (net.c: early_main()) and returns its result
 * (logged); 0 when there was none. Before a clone that copies our memory (a thread in a lock
 * would leave the copy's lock held); net_setup() and net_release() wait for it too. */
int net_early_join(struct launch_net *n);
/* After clone, before the child goes on. Logged, but for -ESRCH: the child died before its
 * network namespace could be reached (its own error tells why). */
int net_setup(const struct box_config *c, struct launch_net *n, pid_t pid);
/* Undoes what the two did, in reverse; safe on a struct they never touched. */
void net_release(const struct box_config *c, struct launch_net *n);
/* Whether net_release() would undo anything (a link, a lease, a table, a file): a box without
 * may leave its end to the clean-up after a slimmed supervisor (launch/slim.c). */
bool net_needs_release(const struct launch_net *n);
/* First thing at stop: deletes the box's table (the kernel frees its chains after an RCU grace
 * period, and closing the socket waits for that; net_release() closes it last, by when the rest
 * of the teardown has let the grace period pass), and renames the box's link out of the way of
 * its next run (net.c, retire_link()). */
void net_stop(const struct box_config *c, struct launch_net *n);

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
