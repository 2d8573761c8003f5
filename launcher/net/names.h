/* net/names.h - interface names and MAC addresses the way systemd-nspawn makes them, so a box
 * moved from nspawn keeps its host-side names, networkd .network matches and MACs. */
#pragma once

#include "util/util.h"

#include <net/if.h>

/* Longest alternative name the kernel takes, with the terminator (ALTIFNAMSIZ). */
#define NET_ALTNAME_MAX 128

/* nspawn's prefixes: host end of a veth (ve-), of a veth in a bridge or zone (vb-), the zone's
 * bridge (vz-), and macvlan/ipvlan links, which nspawn names after the parent interface. */
#define NET_PREFIX_VETH    "ve-"
#define NET_PREFIX_BRIDGED "vb-"
#define NET_PREFIX_ZONE    "vz-"
#define NET_PREFIX_MACVLAN "mv-"
#define NET_PREFIX_IPVLAN  "iv-"
/* A box's old link renamed out of the way while its namespace dies (launch/net.c). */
#define NET_PREFIX_RETIRED "vg-"

/* A valid kernel interface name: 1..15 bytes, not "." or "..", no '/', ':' or whitespace. */
bool net_ifname_valid(const char *name);

/* prefix + name into ifname. A full name longer than 15 bytes is shortened as nspawn does since
 * naming scheme v245: its first 11 bytes and 4 url-safe base64 characters of siphash24(full
 * name) under nspawn's fixed key; altname then receives the full name, else "". Returns 1 when
 * shortened, 0 when not, -EINVAL for a name the kernel would refuse even as an altname. */
int net_ifname(const char *prefix, const char *name, char ifname[IFNAMSIZ],
               char altname[NET_ALTNAME_MAX]);

/* The zone's bridge "vz-ZONE"; nspawn refuses zone names that do not fit (-ENAMETOOLONG). */
int net_zone_ifname(const char *zone, char ifname[IFNAMSIZ]);

/* /etc/machine-id as its 16 bytes (what sd_id128_get_machine() returns). */
int net_machine_id(uint8_t ret[16]);

enum net_mac_kind {
        NET_MAC_HOST,    /* host end of a veth */
        NET_MAC_BOX,     /* the box's end (host0) */
        NET_MAC_MACVLAN, /* a macvlan link; idx tells several apart */
};

/* nspawn's stable MAC: siphash24(machine-id + box name [+ le64 idx when idx > 0]) under the key
 * of kind, first 6 bytes, multicast bit cleared and locally-administered bit set. */
void net_mac(const uint8_t machine_id[16], const char *box_name, enum net_mac_kind kind,
             uint64_t idx, uint8_t mac[6]);
