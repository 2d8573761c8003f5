/* net/dns.c - resolv.conf for boxes with a private network. */
#include "net/dns.h"

#include <sys/socket.h>

/* The address of a "nameserver ADDR" line (ADDR may carry a %scope), or false. */
static bool nameserver_line(const char *line, size_t n, struct net_prefix *ret)
{
        char buf[256];
        if (n >= sizeof(buf))
                return false;
        memcpy(buf, line, n);
        buf[n] = 0;
        char *save = NULL, *key = strtok_r(buf, " \t", &save);
        if (!key || !streq(key, "nameserver"))
                return false;
        char *addr = strtok_r(NULL, " \t", &save);
        if (!addr)
                return false;
        addr[strcspn(addr, "%")] = 0;
        if (net_prefix_parse(addr, ret) < 0 || strchr(addr, '/'))
                ret->family = 0; /* unparsable: kept verbatim */
        return true;
}

int dns_box_resolv_conf(const char *host_text, const struct net_prefix *gateway, char **ret,
                        struct net_prefix *ret_resolver)
{
        if (gateway && gateway->family != AF_INET && gateway->family != AF_INET6)
                return -EINVAL;
        struct strbuf out = {0};
        strbuf_add(&out, "", 0);
        bool gw_done = false;
        struct net_prefix resolver = {0};
        for (const char *p = host_text; *p;) {
                size_t n = strcspn(p, "\n");
                struct net_prefix ns;
                if (nameserver_line(p, n, &ns) && ns.family) {
                        if (net_addr_is_loopback(&ns)) {
                                if (ns.family == AF_INET && !resolver.family)
                                        resolver = ns;
                                if (gateway && !gw_done) {
                                        char a[NET_PREFIX_STRLEN];
                                        net_prefix_format(gateway, false, a, sizeof(a));
                                        _cleanup_free_ char *l = xasprintf("nameserver %s\n", a);
                                        strbuf_add(&out, l, strlen(l));
                                        gw_done = true;
                                }
                                goto next;
                        }
                        if (net_addr_is_link_local(&ns))
                                goto next;
                }
                strbuf_add(&out, p, n);
                strbuf_add(&out, "\n", 1);
        next:
                p += n;
                if (*p == '\n')
                        p++;
        }
        *ret = out.s;
        if (ret_resolver)
                *ret_resolver = resolver;
        return 0;
}

unsigned dns_count_nameservers(const char *text)
{
        unsigned c = 0;
        for (const char *p = text; *p;) {
                size_t n = strcspn(p, "\n");
                struct net_prefix ns;
                if (nameserver_line(p, n, &ns))
                        c++;
                p += n;
                if (*p == '\n')
                        p++;
        }
        return c;
}
