/* net/addr.h - IPv4/IPv6 addresses and prefixes as the network modules pass them around. */
#pragma once

#include "util/util.h"

#include <netinet/in.h>

/* An address with a prefix length; family 0 means "none". */
struct net_prefix {
        int family; /* AF_INET, AF_INET6 or 0 */
        union {
                struct in_addr v4;
                struct in6_addr v6;
                uint8_t bytes[16];
        } addr;
        unsigned char plen;
};

/* Longest text net_prefix_format() writes, with the terminator. */
#define NET_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

/* Parses "10.0.0.2/24", "fd77::2/64" or a bare address (plen 32 or 128). */
int net_prefix_parse(const char *s, struct net_prefix *ret);
/* "10.0.0.2/24"; with_plen false: the address alone. Returns buf. */
const char *net_prefix_format(const struct net_prefix *p, bool with_plen, char *buf, size_t len);
/* Address bytes of the family: 4 or 16 (0 for none). */
size_t net_prefix_addr_len(const struct net_prefix *p);
/* Clears the host bits: 10.0.0.2/24 -> 10.0.0.0/24. */
void net_prefix_mask(struct net_prefix *p);
/* True when the two prefixes share an address (same family). */
bool net_prefix_overlaps(const struct net_prefix *a, const struct net_prefix *b);
bool net_prefix_contains(const struct net_prefix *outer, const struct net_prefix *inner);
/* Loopback (127.0.0.0/8, ::1), link-local (169.254/16, fe80::/10) and the like: addresses a
 * box behind a veth cannot reach on the host. */
bool net_addr_is_loopback(const struct net_prefix *p);
bool net_addr_is_link_local(const struct net_prefix *p);
/* Address + n within the same family (carries across bytes); the prefix length stays. */
void net_prefix_add(struct net_prefix *p, uint64_t n);
