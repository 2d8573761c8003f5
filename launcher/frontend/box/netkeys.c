/* netkeys.c - the setters of [Network] and [Port NAME]: interface names, zones, addresses and
 * ports, checked here so that a bad value is reported with its file and line. */
#include "frontend/box/keys.h"

#include <arpa/inet.h>
#include <net/if.h>

/* What the kernel takes as an interface name: 1..15 bytes, not "." or "..", no '/', ':' or
 * blank. */
static bool ifname_ok(const char *v)
{
        size_t n = strlen(v);
        if (n == 0 || n >= IFNAMSIZ || streq(v, ".") || streq(v, ".."))
                return false;
        for (const char *p = v; *p; p++)
                if (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f)
                        return false;
        return true;
}

static bool ifname_word_ok(struct fill *f, const char *w)
{
        if (ifname_ok(w))
                return true;
        fill_error(f, "'%s' is not an interface name (1 to 15 bytes, no '/', ':' or blanks)", w);
        return false;
}

int set_ifname(struct fill *f, void *dst, const char *v)
{
        if (!ifname_word_ok(f, v))
                return -EINVAL;
        return set_string(f, dst, v);
}

int set_ifname_list(struct fill *f, void *dst, const char *v)
{
        char ***list = dst, **words;
        int r = fill_words(f, v, ifname_word_ok, &words);
        if (r < 0)
                return r;
        for (char **w = words; *w; w++)
                strv_push(list, xstrdup(*w));
        strv_free(words);
        return 0;
}

/* The zone's bridge is "vz-ZONE": nspawn refuses zone names that do not fit 15 bytes. */
int set_zone(struct fill *f, void *dst, const char *v)
{
        if (!ifname_ok(v) || strlen(v) > IFNAMSIZ - 1 - 3)
                return fill_error(f,
                                  "'%s' is not a zone name: at most %d bytes, no '/', ':' or "
                                  "blanks (its bridge is vz-NAME)",
                                  v, IFNAMSIZ - 1 - 3);
        return set_string(f, dst, v);
}

/* ADDR/PLEN with a usable prefix length for its family. */
static bool address_ok(struct fill *f, const char *w)
{
        const char *slash = strchr(w, '/');
        unsigned char buf[16];
        if (slash && slash - w < INET6_ADDRSTRLEN) {
                _cleanup_free_ char *a = xstrndup(w, (size_t)(slash - w));
                int family = strchr(a, ':') ? AF_INET6 : AF_INET;
                char *end;
                errno = 0;
                unsigned long plen = strtoul(slash + 1, &end, 10);
                if (inet_pton(family, a, buf) == 1 && slash[1] && !*end && !errno && plen >= 1 &&
                    plen <= (family == AF_INET ? 30UL : 126UL))
                        return true;
        }
        fill_error(f, "'%s' is not ADDRESS/PREFIXLENGTH (e.g. 10.0.3.2/24, fd00:3::2/64) or 'auto'",
                   w);
        return false;
}

/* "auto" (the pool) or static ADDR/PLEN words, at most one per family. */
int set_net_addresses(struct fill *f, void *dst, const char *v)
{
        char ***list = dst, **words;
        if (streq(v, "auto")) {
                strv_free(*list);
                *list = NULL;
                return 0;
        }
        int r = fill_words(f, v, address_ok, &words);
        if (r < 0)
                return r;
        unsigned v4 = 0, v6 = 0;
        for (char **w = words; *w; w++)
                *(strchr(*w, ':') ? &v6 : &v4) += 1;
        if (v4 > 1 || v6 > 1) {
                strv_free(words);
                return fill_error(f, "at most one IPv4 and one IPv6 address");
        }
        strv_free(*list);
        *list = words;
        return 0;
}

int set_port_number(struct fill *f, void *dst, const char *v)
{
        char *end;
        errno = 0;
        unsigned long n = strtoul(v, &end, 10);
        if (!*v || *end || errno || n < 1 || n > 65535 || v[0] == '-' || v[0] == '+')
                return fill_error(f, "'%s' is not a port number (1 to 65535)", v);
        *(uint32_t *)dst = (uint32_t)n;
        return 0;
}

int set_ip_address(struct fill *f, void *dst, const char *v)
{
        unsigned char buf[16];
        if (inet_pton(strchr(v, ':') ? AF_INET6 : AF_INET, v, buf) != 1)
                return fill_error(f, "'%s' is not an IPv4 or IPv6 address", v);
        return set_string(f, dst, v);
}
