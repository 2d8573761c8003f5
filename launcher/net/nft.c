/* net/nft.c - per-box nftables tables: generator and libnftables (dlopen) runner. */
#include "net/nft.h"

#include "util/log.h"
#include "net/names.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* ---- the generator ------------------------------------------------------------------------ */

struct buf {
        char *s;
        size_t len;
};

static void _printf_(2, 3) bprintf(struct buf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *piece = NULL;
        if (vasprintf(&piece, fmt, ap) < 0)
                abort();
        va_end(ap);
        size_t n = strlen(piece);
        b->s = xrealloc(b->s, b->len + n + 1);
        memcpy(b->s + b->len, piece, n + 1);
        b->len += n;
}

static bool table_name_valid(const char *n)
{
        return *n && strlen(n) <= 64 &&
               strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                       strlen(n);
}

static const char *addr_str(const struct net_prefix *p, char *buf, size_t len)
{
        return net_prefix_format(p, false, buf, len);
}

static const char *subnet_str(const struct net_prefix *p, char *buf, size_t len)
{
        struct net_prefix m = *p;
        net_prefix_mask(&m);
        return net_prefix_format(&m, true, buf, len);
}

static bool localhost_forwarding(const struct nft_box *box)
{
        if (!box->n_ports)
                return false;
        if (box->localhost)
                return true;
        for (size_t i = 0; i < box->n_ports; i++)
                if (net_addr_is_loopback(&box->ports[i].host))
                        return true;
        return false;
}

/* "dnat ip to 10.0.0.2:80" / "dnat ip6 to [fd77::2]:80" */
static void dnat_to(struct buf *b, const struct net_prefix *box, uint16_t port)
{
        char a[NET_PREFIX_STRLEN];
        if (box->family == AF_INET)
                bprintf(b, "dnat ip to %s:%u\n", addr_str(box, a, sizeof(a)), port);
        else
                bprintf(b, "dnat ip6 to [%s]:%u\n", addr_str(box, a, sizeof(a)), port);
}

/* The forwarding rules of one chain: prerouting (output false) or output. */
static void port_rules(struct buf *b, const struct nft_box *box, bool output)
{
        for (size_t i = 0; i < box->n_ports; i++) {
                const struct nft_port *p = &box->ports[i];
                const char *proto = p->proto == IPPROTO_UDP ? "udp" : "tcp";
                const struct net_prefix *targets[] = {&box->box4, &box->box6};
                for (size_t t = 0; t < ARRAY_SIZE(targets); t++) {
                        const struct net_prefix *to = targets[t];
                        if (!to->family || (p->host.family && p->host.family != to->family))
                                continue;
                        const char *ipf = to->family == AF_INET ? "ip" : "ip6";
                        char a[NET_PREFIX_STRLEN];
                        bprintf(b, "\t\t");
                        if (p->host.family)
                                bprintf(b, "%s daddr %s ", ipf, addr_str(&p->host, a, sizeof(a)));
                        else
                                bprintf(b, "fib daddr type local ");
                        /* From the host itself: 127/8 only with localhost forwarding, never ::1
                         * (it cannot leave lo). */
                        if (output && to->family == AF_INET && !localhost_forwarding(box) &&
                            !p->host.family)
                                bprintf(b, "ip daddr != 127.0.0.0/8 ");
                        if (output && to->family == AF_INET6)
                                bprintf(b, "ip6 daddr != ::1 ");
                        bprintf(b, "%s dport %u ", proto, p->host_port);
                        dnat_to(b, to, p->box_port);
                }
        }
}

bool nft_box_needs_route_localnet(const struct nft_box *box)
{
        return localhost_forwarding(box) || box->dns_gateway.family;
}

int nft_box_ruleset(const struct nft_box *box, char **ret)
{
        if (!box->name || !table_name_valid(box->name) || !box->link ||
            !net_ifname_valid(box->link) || strpbrk(box->link, "\"\\"))
                return -EINVAL;
        if ((box->subnet4.family && box->subnet4.family != AF_INET) ||
            (box->box4.family && box->box4.family != AF_INET) ||
            (box->subnet6.family && box->subnet6.family != AF_INET6) ||
            (box->box6.family && box->box6.family != AF_INET6))
                return -EINVAL;
        for (size_t i = 0; i < box->n_ports; i++) {
                const struct nft_port *p = &box->ports[i];
                if ((p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) || !p->host_port ||
                    !p->box_port)
                        return -EINVAL;
                if (p->host.family &&
                    !(p->host.family == AF_INET ? box->box4.family : box->box6.family))
                        return -EINVAL; /* a host address of a family the box has no address of */
        }
        bool dns = box->dns_gateway.family == AF_INET && box->dns_resolver.family == AF_INET;
        if ((box->dns_gateway.family || box->dns_resolver.family) && !dns)
                return -EINVAL;

        if (box->port && (!net_ifname_valid(box->port) || strpbrk(box->port, "\"\\")))
                return -EINVAL;
        /* The link, or the bridge and the box's port of it, as nft matches them. */
        char L[2 * IFNAMSIZ + 16];
        if (box->port)
                snprintf(L, sizeof(L), "{ \"%s\", \"%s\" }", box->link, box->port);
        else
                snprintf(L, sizeof(L), "\"%s\"", box->link);
        char a[NET_PREFIX_STRLEN], c[NET_PREFIX_STRLEN];
        struct buf b = {0};
        bprintf(&b, "table inet " NFT_TABLE_PREFIX "%s {\n", box->name);

        bprintf(&b, "\tchain guard {\n"
                    "\t\ttype filter hook prerouting priority raw; policy accept;\n");
        bprintf(&b, "\t\tiifname %s ip daddr 127.0.0.0/8 drop\n", L);
        bprintf(&b, "\t\tiifname %s ip6 daddr ::1 drop\n", L);
        bprintf(&b, "\t}\n");

        if (box->n_ports || dns) {
                bprintf(&b, "\tchain prerouting {\n"
                            "\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
                port_rules(&b, box, false);
                if (dns)
                        bprintf(&b,
                                "\t\tiifname %s ip daddr %s meta l4proto { tcp, udp } th dport "
                                "53 dnat ip to %s:53\n",
                                L, addr_str(&box->dns_gateway, a, sizeof(a)),
                                addr_str(&box->dns_resolver, c, sizeof(c)));
                bprintf(&b, "\t}\n");
        }
        if (box->n_ports) {
                /* nft 1.0.6 refuses "priority dstnat" on the output hook: -100 is its value. */
                bprintf(&b, "\tchain output {\n"
                            "\t\ttype nat hook output priority -100; policy accept;\n");
                port_rules(&b, box, true);
                bprintf(&b, "\t}\n");
        }

        bool localhost = localhost_forwarding(box);
        if (localhost || box->n_ports || box->masquerade) {
                bprintf(&b, "\tchain postrouting {\n"
                            "\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
                if (localhost)
                        bprintf(&b, "\t\toifname %s ip saddr 127.0.0.0/8 masquerade\n", L);
                const struct net_prefix *subnets[] = {&box->subnet4, &box->subnet6};
                for (size_t i = 0; i < ARRAY_SIZE(subnets); i++) {
                        const struct net_prefix *s = subnets[i];
                        if (!s->family)
                                continue;
                        const char *ipf = s->family == AF_INET ? "ip" : "ip6";
                        subnet_str(s, a, sizeof(a));
                        if (box->n_ports)
                                bprintf(&b,
                                        "\t\toifname %s ct status dnat %s saddr %s "
                                        "masquerade\n",
                                        L, ipf, a);
                        if (box->masquerade && !box->port)
                                bprintf(&b, "\t\toifname != %s %s saddr %s masquerade\n", L, ipf,
                                        a);
                        else if (box->masquerade)
                                bprintf(&b,
                                        "\t\toifname != %s %s saddr %s %s daddr != %s "
                                        "masquerade\n",
                                        L, ipf, a, ipf, a);
                }
                bprintf(&b, "\t}\n");
        }
        bprintf(&b, "}\n");
        *ret = b.s;
        return 0;
}

/* ---- libnftables through dlopen ----------------------------------------------------------- */

/* The few entry points of <nftables/libnftables.h>, declared here so the build needs only the
 * runtime library (and its header is not needed for a static binary either). */
struct nft_ctx;
static struct {
        bool tried;
        struct nft_ctx *(*ctx_new)(uint32_t flags);
        void (*ctx_free)(struct nft_ctx *ctx);
        int (*buffer_output)(struct nft_ctx *ctx);
        int (*buffer_error)(struct nft_ctx *ctx);
        const char *(*get_output)(struct nft_ctx *ctx);
        const char *(*get_error)(struct nft_ctx *ctx);
        int (*run)(struct nft_ctx *ctx, const char *buf);
} lib;

#define NFT_LIBRARY "libnftables.so.1"

static int load(void)
{
        if (!lib.tried) {
                lib.tried = true;
                void *h = dlopen(NFT_LIBRARY, RTLD_NOW | RTLD_LOCAL);
                if (!h) {
                        log_error("network: cannot load %s (Debian package libnftables1): %s",
                                  NFT_LIBRARY, dlerror());
                        return -ELIBACC;
                }
#define SYM(field, name) *(void **)&lib.field = dlsym(h, name)
                SYM(ctx_new, "nft_ctx_new");
                SYM(ctx_free, "nft_ctx_free");
                SYM(buffer_output, "nft_ctx_buffer_output");
                SYM(buffer_error, "nft_ctx_buffer_error");
                SYM(get_output, "nft_ctx_get_output_buffer");
                SYM(get_error, "nft_ctx_get_error_buffer");
                SYM(run, "nft_run_cmd_from_buffer");
#undef SYM
                if (!lib.ctx_new || !lib.ctx_free || !lib.buffer_output || !lib.buffer_error ||
                    !lib.get_output || !lib.get_error || !lib.run) {
                        log_error("network: %s lacks the functions boxlaunch uses", NFT_LIBRARY);
                        lib.ctx_new = NULL;
                }
        }
        return lib.ctx_new ? 0 : -ELIBACC;
}

struct nft_handle {
        struct nft_ctx *ctx;
};

int nft_handle_new(struct nft_handle **ret)
{
        int r = load();
        if (r < 0)
                return r;
        struct nft_ctx *ctx = lib.ctx_new(0 /* NFT_CTX_DEFAULT */);
        if (!ctx)
                return log_error_errno(-ENOMEM, "network: nft_ctx_new failed");
        if (lib.buffer_output(ctx) < 0 || lib.buffer_error(ctx) < 0) {
                lib.ctx_free(ctx);
                return log_error_errno(-ENOMEM, "network: cannot buffer nft's output");
        }
        struct nft_handle *h = xcalloc(1, sizeof(*h));
        h->ctx = ctx;
        *ret = h;
        return 0;
}

void nft_handle_free(struct nft_handle *h)
{
        if (!h)
                return;
        lib.ctx_free(h->ctx);
        free(h);
}

int nft_run_output(struct nft_handle *h, const char *cmds, char **ret)
{
        int r = lib.run(h->ctx, cmds);
        /* The buffers are reset by the next command: read both now. */
        const char *out = lib.get_output(h->ctx), *err = lib.get_error(h->ctx);
        if (r != 0) {
                _cleanup_free_ char *e = xstrdup(err && *err ? err : "unknown error\n");
                size_t n = strlen(e);
                while (n && e[n - 1] == '\n')
                        e[--n] = 0;
                log_error("network: nftables refused the rules: %s", e);
                return -EIO;
        }
        if (ret)
                *ret = xstrdup(out ? out : "");
        return 0;
}

int nft_run(struct nft_handle *h, const char *cmds)
{
        return nft_run_output(h, cmds, NULL);
}

int nft_box_apply(struct nft_handle *h, const struct nft_box *box)
{
        _cleanup_free_ char *rules = NULL;
        int r = nft_box_ruleset(box, &rules);
        if (r < 0)
                return log_error_errno(r, "network: invalid firewall parameters for box %s",
                                       box->name ? box->name : "?");
        /* "add" then "delete" makes the delete succeed whether or not a stale table exists;
         * the whole buffer is one transaction, so the box is never without its guard. */
        _cleanup_free_ char *cmds = xasprintf("add table inet " NFT_TABLE_PREFIX "%s\n"
                                              "delete table inet " NFT_TABLE_PREFIX "%s\n%s",
                                              box->name, box->name, rules);
        return nft_run(h, cmds);
}

int nft_box_remove(struct nft_handle *h, const char *name)
{
        if (!table_name_valid(name))
                return -EINVAL;
        _cleanup_free_ char *cmds = xasprintf("add table inet " NFT_TABLE_PREFIX "%s\n"
                                              "delete table inet " NFT_TABLE_PREFIX "%s\n",
                                              name, name);
        return nft_run(h, cmds);
}

int nft_gc(struct nft_handle *h, nft_running_t running, void *userdata)
{
        _cleanup_free_ char *out = NULL;
        int r = nft_run_output(h, "list tables inet", &out);
        if (r < 0)
                return r;
        int removed = 0;
        static const char head[] = "table inet " NFT_TABLE_PREFIX;
        for (char *line = out; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = 0;
                if (strncmp(line, head, strlen(head)) == 0) {
                        const char *name = line + strlen(head);
                        if (table_name_valid(name) && !running(name, userdata)) {
                                r = nft_box_remove(h, name);
                                if (r < 0)
                                        return r;
                                log_debug("network: removed the firewall table of %s", name);
                                removed++;
                        }
                }
                line = nl ? nl + 1 : NULL;
        }
        return removed;
}
