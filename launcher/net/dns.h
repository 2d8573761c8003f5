/* net/dns.h - the resolv.conf a box with its own network gets (research networking.md §6). */
#pragma once

#include "net/addr.h"

/* From the host's resolv.conf text: every line kept except nameservers a box behind a veth cannot
 * reach. Loopback nameservers (127.0.0.0/8 as systemd-resolved's 127.0.0.53 or dnsmasq's
 * 127.0.0.1, and ::1) are replaced, at the place of the first one, by "nameserver GATEWAY" when
 * gateway is given (the host serves it by a DNAT to the host resolver, see nft.h); link-local ones
 * are dropped. *ret_resolver receives the IPv4 loopback resolver the gateway must be forwarded to
 * (family 0 when none: ::1 cannot be NATed). Returns 0, or -EINVAL for a gateway without a
 * family. The result may hold no nameserver at all: the caller warns. */
int dns_box_resolv_conf(const char *host_text, const struct net_prefix *gateway, char **ret,
                        struct net_prefix *ret_resolver);

/* The number of "nameserver" lines of a resolv.conf text. */
unsigned dns_count_nameservers(const char *text);
