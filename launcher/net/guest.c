/* net/guest.c - files for booted guests. */
#include "net/guest.h"

char *guest_host0_network(bool ipv6, const struct net_prefix *dns)
{
        char a[NET_PREFIX_STRLEN] = "";
        if (dns && dns->family)
                net_prefix_format(dns, false, a, sizeof(a));
        return xasprintf("# Written by boxlaunch: host0 was configured before this guest started.\n"
                         "[Match]\n"
                         "Name=host0\n"
                         "\n"
                         "[Network]\n"
                         "DHCP=no\n"
                         "LinkLocalAddressing=%s\n"
                         "IPv6AcceptRA=no\n"
                         "KeepConfiguration=yes\n"
                         "%s%s%s",
                         ipv6 ? "ipv6" : "no", *a ? "DNS=" : "", a, *a ? "\n" : "");
}
