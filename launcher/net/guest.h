/* net/guest.h - configuration files a booted guest finds in its /run. */
#pragma once

#include "net/addr.h"

/* /run/systemd/network/10-boxlaunch-host0.network for a guest whose host0 boxlaunch addressed
 * before its init started (research networking.md §5, case C3: 3 of 3 boots "configured", the
 * address and route survive `networkctl reconfigure` and a networkd restart). It sorts before
 * the stock 80-container-host0.network, so no DHCP client or IPv4LL runs. It deliberately holds
 * no Address=/Gateway= for IPv4: with them, networkd's first configure failed in 2 of 3 boots
 * ("Numerical result out of range"); KeepConfiguration=yes keeps what is there. ipv6: IPv6
 * link-local addressing on when the box has IPv6. dns: the DNS= for guests running resolved
 * (family 0: none). */
char *guest_host0_network(bool ipv6, const struct net_prefix *dns);
