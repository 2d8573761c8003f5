/* net/names.c - nspawn-compatible interface names and MAC addresses.
 *
 * The hash keys are systemd's fixed constants (nspawn-network.c, netif-util.c): reusing them is
 * what makes "ve-" names and MACs identical to the ones nspawn gives the same machine name. */
#include "net/names.h"

#include "net/siphash24.h"

#include <fcntl.h>

static const uint8_t shorten_key[16] = {0xe1, 0x90, 0xa4, 0x04, 0xa8, 0xef, 0x4b, 0x51,
                                        0x8c, 0xcc, 0xc3, 0x3a, 0x9f, 0x11, 0xfc, 0xa2};
static const uint8_t host_key[16] = {0x1a, 0x37, 0x6f, 0xc7, 0x46, 0xec, 0x45, 0x0b,
                                     0xad, 0xa3, 0xd5, 0x31, 0x06, 0x60, 0x5d, 0xb1};
static const uint8_t box_key[16] = {0xc3, 0xc4, 0xf9, 0x19, 0xb5, 0x57, 0xb2, 0x1c,
                                    0xe6, 0xcf, 0x14, 0x27, 0x03, 0x9c, 0xee, 0xa2};
static const uint8_t macvlan_key[16] = {0x00, 0x13, 0x6d, 0xbc, 0x66, 0x83, 0x44, 0x81,
                                        0xbb, 0x0c, 0xf9, 0x51, 0x1f, 0x24, 0xa6, 0x6f};

static bool name_chars_valid(const char *n)
{
        if (!*n || streq(n, ".") || streq(n, ".."))
                return false;
        for (const char *p = n; *p; p++)
                if (*p == '/' || *p == ':' || (unsigned char)*p <= ' ' || *p == 0x7f)
                        return false;
        return true;
}

bool net_ifname_valid(const char *name)
{
        return strlen(name) < IFNAMSIZ && name_chars_valid(name);
}

static char urlsafe_base64(uint64_t v)
{
        static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return t[v & 63];
}

int net_ifname(const char *prefix, const char *name, char ifname[IFNAMSIZ],
               char altname[NET_ALTNAME_MAX])
{
        char full[NET_ALTNAME_MAX];
        if ((size_t)snprintf(full, sizeof(full), "%s%s", prefix, name) >= sizeof(full) ||
            !name_chars_valid(full))
                return -EINVAL;
        altname[0] = 0;
        size_t n = strlen(full);
        if (n < IFNAMSIZ) {
                memcpy(ifname, full, n + 1);
                return 0;
        }
        uint64_t h = siphash24(full, n, shorten_key);
        memcpy(ifname, full, IFNAMSIZ - 5);
        ifname[IFNAMSIZ - 5] = urlsafe_base64(h >> 18);
        ifname[IFNAMSIZ - 4] = urlsafe_base64(h >> 12);
        ifname[IFNAMSIZ - 3] = urlsafe_base64(h >> 6);
        ifname[IFNAMSIZ - 2] = urlsafe_base64(h);
        ifname[IFNAMSIZ - 1] = 0;
        memcpy(altname, full, n + 1);
        return 1;
}

int net_zone_ifname(const char *zone, char ifname[IFNAMSIZ])
{
        char alt[NET_ALTNAME_MAX];
        int r = net_ifname(NET_PREFIX_ZONE, zone, ifname, alt);
        if (r < 0)
                return r;
        return r > 0 ? -ENAMETOOLONG : 0;
}

static int unhex(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int net_machine_id(uint8_t ret[16])
{
        _cleanup_free_ char *s = NULL;
        int r = read_file_at(AT_FDCWD, "/etc/machine-id", &s, 64);
        if (r < 0)
                return r;
        if (strlen(s) < 32 || (s[32] && s[32] != '\n'))
                return -EBADMSG;
        for (int i = 0; i < 16; i++) {
                int hi = unhex(s[2 * i]), lo = unhex(s[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EBADMSG;
                ret[i] = (uint8_t)(hi << 4 | lo);
        }
        return 0;
}

void net_mac(const uint8_t machine_id[16], const char *box_name, enum net_mac_kind kind,
             uint64_t idx, uint8_t mac[6])
{
        size_t l = strlen(box_name);
        _cleanup_free_ uint8_t *v = xmalloc(16 + l + 8);
        size_t sz = 16 + l;
        memcpy(v, machine_id, 16);
        memcpy(v + 16, box_name, l);
        if (idx > 0) {
                for (int i = 0; i < 8; i++)
                        v[sz + i] = (uint8_t)(idx >> (8 * i));
                sz += 8;
        }
        const uint8_t *key = kind == NET_MAC_HOST  ? host_key
                             : kind == NET_MAC_BOX ? box_key
                                                   : macvlan_key;
        uint64_t h = siphash24(v, sz, key);
        for (int i = 0; i < 6; i++)
                mac[i] = (uint8_t)(h >> (8 * i));
        mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}
