/* launch/net_internal.h - what net.c and net_gc.c share: the lease pools, the zone lock and the
 * names that mark a box's links and files. Not part of net.h. */
#pragma once
#include "launch/net.h"
#include "net/ipam.h"

#define LINK_ALIAS "boxlaunch:"
#define ZONE_ALIAS "boxlaunch-zone:"

/* The directory of the files boxes bind: below /run/boxlaunch (0711) whatever the runtime
 * directory, since a box root in a user namespace must be able to walk to them (a test's
 * runtime directory may sit below a 0700 one). Names carry the supervisor's pid. */
#define NET_FILES_DIR "/run/boxlaunch/.netfiles"

/* $STATE_ROOT/.net/SUB. */
char *net_dir(const char *sub);
/* The veth boxes' pool: a /28 each. */
void box_pool(struct ipam_pool *pool, char **dir);
/* The zones' pool: a /24 each, owned by the zone's name. */
void zone_pool(struct ipam_pool *pool, char **dir);
/* A zone's members: single addresses of its /24, from .2 (.1 is the bridge) to .254. */
void member_pool(const char *zone, const struct net_prefix *zslot, struct ipam_pool *pool,
                 char **dir);
/* A flock on .net/zone-Z.lock: the zone's bridge is made, joined and removed under it. An fd or
 * a negative errno. */
int zone_lock(const char *zone);
/* The NAME of an alias's rest "NAME ROOT" whose ROOT is ours, in buf; NULL if not ours. */
const char *our_name(const char *rest, char *buf, size_t n);
/* Whether a box of that name runs (or is not ours to judge); userdata: the box being started,
 * or NULL. */
bool box_running(const char *rest, void *userdata);
