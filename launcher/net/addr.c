/* net/addr.c - prefix parsing, formatting and arithmetic. */
#include "net/addr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

size_t net_prefix_addr_len(const struct net_prefix *p)
{
        return p->family == AF_INET ? 4 : p->family == AF_INET6 ? 16 : 0;
}

int net_prefix_parse(const char *s, struct net_prefix *ret)
{
        char buf[INET6_ADDRSTRLEN + 8];
        const char *slash = strchr(s, '/');
        size_t alen = slash ? (size_t)(slash - s) : strlen(s);
        if (alen == 0 || alen >= INET6_ADDRSTRLEN)
                return -EINVAL;
        memcpy(buf, s, alen);
        buf[alen] = 0;

        struct net_prefix p = {0};
        if (inet_pton(AF_INET, buf, &p.addr.v4) == 1)
                p.family = AF_INET;
        else if (inet_pton(AF_INET6, buf, &p.addr.v6) == 1)
                p.family = AF_INET6;
        else
                return -EINVAL;
        unsigned max = p.family == AF_INET ? 32 : 128;
        p.plen = max;
        if (slash) {
                const char *d = slash + 1;
                if (!*d || strlen(d) > 3 || strspn(d, "0123456789") != strlen(d))
                        return -EINVAL;
                unsigned long v = strtoul(d, NULL, 10);
                if (v > max)
                        return -EINVAL;
                p.plen = (unsigned char)v;
        }
        *ret = p;
        return 0;
}

const char *net_prefix_format(const struct net_prefix *p, bool with_plen, char *buf, size_t len)
{
        char a[INET6_ADDRSTRLEN];
        if (!p->family || !inet_ntop(p->family, &p->addr, a, sizeof(a)))
                snprintf(buf, len, "none");
        else if (with_plen)
                snprintf(buf, len, "%s/%u", a, p->plen);
        else
                snprintf(buf, len, "%s", a);
        return buf;
}

void net_prefix_mask(struct net_prefix *p)
{
        size_t n = net_prefix_addr_len(p);
        for (size_t i = 0; i < n; i++) {
                unsigned bit = (unsigned)i * 8;
                if (bit >= p->plen)
                        p->addr.bytes[i] = 0;
                else if (p->plen - bit < 8)
                        p->addr.bytes[i] &= (uint8_t)(0xff << (8 - (p->plen - bit)));
        }
}

bool net_prefix_contains(const struct net_prefix *outer, const struct net_prefix *inner)
{
        if (outer->family != inner->family || !outer->family || inner->plen < outer->plen)
                return false;
        struct net_prefix a = *outer, b = *inner;
        b.plen = a.plen;
        net_prefix_mask(&a);
        net_prefix_mask(&b);
        return memcmp(a.addr.bytes, b.addr.bytes, net_prefix_addr_len(&a)) == 0;
}

bool net_prefix_overlaps(const struct net_prefix *a, const struct net_prefix *b)
{
        return net_prefix_contains(a, b) || net_prefix_contains(b, a);
}

bool net_addr_is_loopback(const struct net_prefix *p)
{
        if (p->family == AF_INET)
                return p->addr.bytes[0] == 127;
        return p->family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&p->addr.v6);
}

bool net_addr_is_link_local(const struct net_prefix *p)
{
        if (p->family == AF_INET)
                return p->addr.bytes[0] == 169 && p->addr.bytes[1] == 254;
        return p->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&p->addr.v6);
}

void net_prefix_add(struct net_prefix *p, uint64_t n)
{
        for (size_t i = net_prefix_addr_len(p); i > 0 && n; i--) {
                uint64_t v = p->addr.bytes[i - 1] + (n & 0xff);
                p->addr.bytes[i - 1] = (uint8_t)v;
                n = (n >> 8) + (v >> 8);
        }
}
