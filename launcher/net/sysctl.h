/* net/sysctl.h - the few /proc/sys/net settings boxlaunch changes, written through a procfs it
 * has checked (fstatfs PROC_SUPER_MAGIC), so a mount over /proc/sys cannot redirect the write.
 *
 * Values are those of the calling thread's network namespace at the time of the call. Per-link
 * settings vanish with their link; the host-wide IPv4/IPv6 forwarding switches are turned on
 * only when a box asks for NAT to the outside, logged once, and never turned off (as networkd
 * and docker do: other software may rely on them by then). */
#pragma once

#include "util/util.h"

/* Writes value to /proc/sys/net/<path> ("ipv4/conf/ve-x/forwarding"). */
int net_sysctl_write(const char *path, const char *value);
/* Reads it, trailing newline stripped, into buf. */
int net_sysctl_read(const char *path, char *buf, size_t len);

/* net.ipv4.conf.IFNAME.KEY = value (family AF_INET) or net.ipv6.conf.IFNAME.KEY (AF_INET6). */
int net_link_sysctl(int family, const char *ifname, const char *key, const char *value);

/* Turns net.ipv4.ip_forward (AF_INET) or net.ipv6.conf.all.forwarding (AF_INET6) on if it is
 * off, logging that once. Returns 1 when it changed it, 0 when it was on already. */
int net_forwarding_enable(int family);

/* Whether this namespace has IPv6 (the ipv6 module is there and not disabled). */
bool net_ipv6_available(void);
