/* net/ipam.h - address allocation without a daemon: lease files claimed with an atomic create.
 *
 * A pool is a range split into slots of one size: the default layout gives every veth box a /28
 * from 10.77.0.0/17 (host end .1, box .2: networkd's size for ve- links, 2048 boxes) and every
 * zone a /24 from 10.77.128.0/17 (bridge .1, members from .2 on, 128 zones); the members of a
 * zone are a pool of /32 slots inside the zone's /24. The first candidate is derived from a hash
 * of the owner's name, so a box gets the same subnet at every start while it is free; taken
 * slots and slots that overlap an address already on the host are skipped (linear probing).
 *
 * A lease is the file DIR/ADDRESS (the slot's network address, e.g. 10.77.0.16) holding the
 * owner's name and a newline. It appears complete or not at all (written in an O_TMPFILE, then
 * linked: EEXIST means taken), lives in /run (gone at reboot), is removed at stop and by
 * ipam_gc() when its owner no longer runs. A lease that already names the owner is its own
 * (left by a killed supervisor) and is reused. Claims and gc of one pool are serialized by a
 * flock on the pool's directory. */
#pragma once

#include "net/addr.h"

struct ipam_pool {
        const char *dir;         /* lease directory, created (0755) with its parents */
        struct net_prefix range; /* e.g. 10.77.0.0/17 */
        unsigned slot_plen;      /* 28: a subnet per box; 24: per zone; 32/128: single hosts */
        unsigned skip_first;     /* slots at the start never handed out (network, gateway) */
        unsigned skip_last;      /* and at the end (broadcast) */
};

/* The defaults described above. The zone member pool is derived from the zone's subnet. */
#define IPAM_BOX_RANGE  "10.77.0.0/17"
#define IPAM_BOX_PLEN   28
#define IPAM_ZONE_RANGE "10.77.128.0/17"
#define IPAM_ZONE_PLEN  24
#define IPAM_ULA_PREFIX "fd77::/16"

/* Number of slots of the pool (capped at 2^32), 0 for an invalid pool. */
uint64_t ipam_slots(const struct ipam_pool *pool);
/* The attempt-th candidate for owner: slot (hash(owner) + attempt) mod usable slots. Pure. */
int ipam_candidate(const struct ipam_pool *pool, const char *owner, uint64_t attempt,
                   struct net_prefix *ret);

/* Claims the first free candidate not overlapping in_use[] (addresses on the host's links;
 * their prefix lengths count). ret: the slot (network address / slot_plen). -EADDRNOTAVAIL when
 * the pool is full. */
int ipam_claim(const struct ipam_pool *pool, const char *owner, const struct net_prefix *in_use,
               size_t n_in_use, struct net_prefix *ret);
/* Claims exactly slot (a static Address=); -EADDRINUSE when another owner holds it. */
int ipam_claim_exact(const struct ipam_pool *pool, const char *owner,
                     const struct net_prefix *slot);
/* Removes the lease of slot if owner holds it (0 also when there was none). */
int ipam_release(const struct ipam_pool *pool, const char *owner, const struct net_prefix *slot);
/* Removes every lease of owner in the pool. */
int ipam_release_owner(const struct ipam_pool *pool, const char *owner);
/* The slot owner holds, -ENOENT if none. */
int ipam_lookup(const struct ipam_pool *pool, const char *owner, struct net_prefix *ret);

typedef bool (*ipam_running_t)(const char *owner, void *userdata);
/* Removes leases whose owner is not running (and unreadable or empty ones). Returns the number
 * removed or a negative errno. The caller's running() must count a box as running from before
 * its claim (its state file exists first), or gc could free a lease being taken. */
int ipam_gc(const struct ipam_pool *pool, ipam_running_t running, void *userdata);

/* Address n of a slot: slot 10.77.0.16/28, n 2 -> 10.77.0.18/28. */
void ipam_slot_host(const struct net_prefix *slot, uint64_t n, struct net_prefix *ret);
/* The IPv6 /64 that goes with an IPv4 slot: ula's first 16 bits (IPAM_ULA_PREFIX, fd77::/16, by
 * default; not this machine's fd00::/64), the slot's 32-bit network address, 16 zero bits:
 * 10.77.0.16/28 -> fd77:a4d:10::/64, box ::2, gateway ::1. One lease covers both families. */
int ipam_v6_prefix(const struct net_prefix *ula, const struct net_prefix *v4slot,
                   struct net_prefix *ret);
