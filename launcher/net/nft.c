/* net/nft.c - per-box nftables tables: the rules as data, their text, and the nf_tables
 * netlink batch that loads them (messages built with libnl-3, which boxlaunch links). */
#include "net/nft.h"

#include "util/log.h"
#include "net/names.h"
#include "net/netlink.h"

#include <arpa/inet.h>
#include <assert.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdarg.h>
#include <sys/socket.h>

/* ---- the rules as data -------------------------------------------------------------------- */

enum key {
        K_IIF,       /* iifname "X" */
        K_OIF,       /* oifname "X" */
        K_DADDR,     /* ip/ip6 daddr PREFIX */
        K_SADDR,     /* ip/ip6 saddr PREFIX */
        K_FIB_LOCAL, /* fib daddr type local */
        K_DPORT,     /* tcp/udp dport N */
        K_CT_DNAT,   /* ct status dnat */
};

struct match {
        enum key key;
        bool neg;
        const char *ifname;
        struct net_prefix addr;
        int proto;
        uint16_t port;
};

enum verdict { V_DROP, V_DNAT, V_MASQ };

#define MAX_MATCHES 6
struct rule {
        struct match m[MAX_MATCHES];
        unsigned n;
        enum verdict verdict;
        struct net_prefix to; /* V_DNAT */
        uint16_t to_port;
};

struct chain {
        const char *name, *type, *prio_text;
        uint32_t hook;
        int32_t prio;
        struct rule *rules;
        size_t n;
};

struct table {
        struct chain chains[4];
        size_t n;
};

static void table_free(struct table *t)
{
        for (size_t i = 0; i < t->n; i++)
                free(t->chains[i].rules);
}
#define _cleanup_table_ _cleanup_(table_free)

static struct chain *chain_add(struct table *t, const char *name, const char *type, uint32_t hook,
                               int32_t prio, const char *prio_text)
{
        struct chain *c = &t->chains[t->n++];
        *c = (struct chain){
                .name = name, .type = type, .hook = hook, .prio = prio, .prio_text = prio_text};
        return c;
}

static struct rule *rule_add(struct chain *c)
{
        c->rules = xrealloc(c->rules, (c->n + 1) * sizeof(*c->rules));
        struct rule *r = &c->rules[c->n++];
        *r = (struct rule){0};
        return r;
}

static void match_add(struct rule *r, struct match m)
{
        assert(r->n < MAX_MATCHES);
        r->m[r->n++] = m;
}

static struct match ifmatch(enum key k, const char *name, bool neg)
{
        return (struct match){.key = k, .ifname = name, .neg = neg};
}

static struct match addrmatch(enum key k, const struct net_prefix *p, bool neg)
{
        struct match m = {.key = k, .addr = *p, .neg = neg};
        net_prefix_mask(&m.addr);
        return m;
}

static struct net_prefix prefix(const char *s)
{
        struct net_prefix p = {0};
        (void)net_prefix_parse(s, &p);
        return p;
}

static bool table_name_valid(const char *n)
{
        return *n && strlen(n) <= 64 &&
               strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                       strlen(n);
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

bool nft_box_needs_route_localnet(const struct nft_box *box)
{
        return localhost_forwarding(box) || box->dns_gateway.family;
}

static int box_check(const struct nft_box *box)
{
        if (!box->name || !table_name_valid(box->name) || !box->link ||
            !net_ifname_valid(box->link) || strpbrk(box->link, "\"\\"))
                return -EINVAL;
        if (box->port && (!net_ifname_valid(box->port) || strpbrk(box->port, "\"\\")))
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
        return 0;
}

/* The forwarding rules of one chain: prerouting (output false) or output. */
static void port_rules(struct chain *c, const struct nft_box *box, bool output)
{
        for (size_t i = 0; i < box->n_ports; i++) {
                const struct nft_port *p = &box->ports[i];
                const struct net_prefix *targets[] = {&box->box4, &box->box6};
                for (size_t t = 0; t < ARRAY_SIZE(targets); t++) {
                        const struct net_prefix *to = targets[t];
                        if (!to->family || (p->host.family && p->host.family != to->family))
                                continue;
                        struct rule *r = rule_add(c);
                        if (p->host.family)
                                match_add(r, addrmatch(K_DADDR, &p->host, false));
                        else
                                match_add(r, (struct match){.key = K_FIB_LOCAL});
                        /* From the host itself: 127/8 only with localhost forwarding, never ::1
                         * (it cannot leave lo). */
                        if (output && to->family == AF_INET && !localhost_forwarding(box) &&
                            !p->host.family) {
                                struct net_prefix lo = prefix("127.0.0.0/8");
                                match_add(r, addrmatch(K_DADDR, &lo, true));
                        }
                        if (output && to->family == AF_INET6) {
                                struct net_prefix lo = prefix("::1");
                                match_add(r, addrmatch(K_DADDR, &lo, true));
                        }
                        match_add(r, (struct match){.key = K_DPORT,
                                                    .proto = p->proto,
                                                    .port = p->host_port});
                        r->verdict = V_DNAT;
                        r->to = *to;
                        r->to_port = p->box_port;
                }
        }
}

/* The box's table (research networking.md §4; nft.h says what each chain is for). Sets are
 * spelled out as one rule per member: "iifname { A, B }" is two rules, "!= { A, B }" two
 * matches, so that the table is rules only. */
static int box_table(const struct nft_box *box, struct table *t)
{
        int r = box_check(box);
        if (r < 0)
                return r;
        const char *links[2] = {box->link, box->port};
        size_t n_links = box->port ? 2 : 1;
        bool dns = box->dns_gateway.family;
        *t = (struct table){0};

        struct chain *c = chain_add(t, "guard", "filter", NF_INET_PRE_ROUTING, -300, "raw");
        static const char *const loopbacks[] = {"127.0.0.0/8", "::1"};
        for (size_t l = 0; l < n_links; l++)
                for (size_t i = 0; i < ARRAY_SIZE(loopbacks); i++) {
                        struct rule *g = rule_add(c);
                        struct net_prefix lo = prefix(loopbacks[i]);
                        match_add(g, ifmatch(K_IIF, links[l], false));
                        match_add(g, addrmatch(K_DADDR, &lo, false));
                        g->verdict = V_DROP;
                }

        if (box->n_ports || dns) {
                c = chain_add(t, "prerouting", "nat", NF_INET_PRE_ROUTING, -100, "dstnat");
                port_rules(c, box, false);
                static const int protos[] = {IPPROTO_TCP, IPPROTO_UDP};
                for (size_t l = 0; dns && l < n_links; l++)
                        for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
                                struct rule *d = rule_add(c);
                                struct net_prefix gw = box->dns_gateway;
                                gw.plen = 32;
                                match_add(d, ifmatch(K_IIF, links[l], false));
                                match_add(d, addrmatch(K_DADDR, &gw, false));
                                match_add(d, (struct match){.key = K_DPORT,
                                                            .proto = protos[i],
                                                            .port = 53});
                                d->verdict = V_DNAT;
                                d->to = box->dns_resolver;
                                d->to_port = 53;
                        }
        }
        if (box->n_ports) {
                /* nft 1.0.6 refuses "priority dstnat" on the output hook: -100 is its value. */
                c = chain_add(t, "output", "nat", NF_INET_LOCAL_OUT, -100, "-100");
                port_rules(c, box, true);
        }

        bool localhost = localhost_forwarding(box);
        if (localhost || box->n_ports || box->masquerade) {
                c = chain_add(t, "postrouting", "nat", NF_INET_POST_ROUTING, 100, "srcnat");
                for (size_t l = 0; localhost && l < n_links; l++) {
                        struct rule *m = rule_add(c);
                        struct net_prefix lo = prefix("127.0.0.0/8");
                        match_add(m, ifmatch(K_OIF, links[l], false));
                        match_add(m, addrmatch(K_SADDR, &lo, false));
                        m->verdict = V_MASQ;
                }
                const struct net_prefix *subnets[] = {&box->subnet4, &box->subnet6};
                for (size_t i = 0; i < ARRAY_SIZE(subnets); i++) {
                        const struct net_prefix *s = subnets[i];
                        if (!s->family)
                                continue;
                        /* Hairpin: a box reaching a published port through a host address. */
                        for (size_t l = 0; box->n_ports && l < n_links; l++) {
                                struct rule *m = rule_add(c);
                                match_add(m, ifmatch(K_OIF, links[l], false));
                                match_add(m, (struct match){.key = K_CT_DNAT});
                                match_add(m, addrmatch(K_SADDR, s, false));
                                m->verdict = V_MASQ;
                        }
                        if (!box->masquerade)
                                continue;
                        /* To the outside: not toward the box's link (or bridge and port), and
                         * never between the boxes of one bridge. */
                        struct rule *m = rule_add(c);
                        for (size_t l = 0; l < n_links; l++)
                                match_add(m, ifmatch(K_OIF, links[l], true));
                        match_add(m, addrmatch(K_SADDR, s, false));
                        if (box->port)
                                match_add(m, addrmatch(K_DADDR, s, true));
                        m->verdict = V_MASQ;
                }
        }
        return 0;
}

/* ---- its text, as `nft list table` prints it ---------------------------------------------- */

static void _printf_(2, 3) bprintf(struct strbuf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *piece = NULL;
        if (vasprintf(&piece, fmt, ap) < 0)
                abort();
        va_end(ap);
        strbuf_add(b, piece, strlen(piece));
}

static void print_match(struct strbuf *b, const struct match *m)
{
        const char *op = m->neg ? "!= " : "";
        char a[NET_PREFIX_STRLEN];
        switch (m->key) {
        case K_IIF:
        case K_OIF:
                bprintf(b, "%s %s\"%s\" ", m->key == K_IIF ? "iifname" : "oifname", op, m->ifname);
                break;
        case K_DADDR:
        case K_SADDR: {
                bool full = m->addr.plen == 8 * net_prefix_addr_len(&m->addr);
                bprintf(b, "%s %s %s%s ", m->addr.family == AF_INET ? "ip" : "ip6",
                        m->key == K_DADDR ? "daddr" : "saddr", op,
                        net_prefix_format(&m->addr, !full, a, sizeof(a)));
                break;
        }
        case K_FIB_LOCAL:
                bprintf(b, "fib daddr type local ");
                break;
        case K_DPORT:
                bprintf(b, "%s dport %s%u ", m->proto == IPPROTO_UDP ? "udp" : "tcp", op, m->port);
                break;
        case K_CT_DNAT:
                bprintf(b, "ct status dnat ");
                break;
        }
}

int nft_box_ruleset(const struct nft_box *box, char **ret)
{
        _cleanup_table_ struct table t = {0};
        int r = box_table(box, &t);
        if (r < 0)
                return r;
        struct strbuf b = {0};
        bprintf(&b, "table inet " NFT_TABLE_PREFIX "%s {\n", box->name);
        for (size_t i = 0; i < t.n; i++) {
                const struct chain *c = &t.chains[i];
                bprintf(&b, "%s\tchain %s {\n\t\ttype %s hook %s priority %s; policy accept;\n",
                        i ? "\n" : "", c->name, c->type,
                        c->hook == NF_INET_PRE_ROUTING ? "prerouting"
                        : c->hook == NF_INET_LOCAL_OUT ? "output"
                                                       : "postrouting",
                        c->prio_text);
                for (size_t j = 0; j < c->n; j++) {
                        const struct rule *ru = &c->rules[j];
                        bprintf(&b, "\t\t");
                        for (unsigned k = 0; k < ru->n; k++)
                                print_match(&b, &ru->m[k]);
                        char a[NET_PREFIX_STRLEN];
                        if (ru->verdict == V_DROP)
                                bprintf(&b, "drop\n");
                        else if (ru->verdict == V_MASQ)
                                bprintf(&b, "masquerade\n");
                        else if (ru->to.family == AF_INET)
                                bprintf(&b, "dnat ip to %s:%u\n",
                                        net_prefix_format(&ru->to, false, a, sizeof(a)),
                                        ru->to_port);
                        else
                                bprintf(&b, "dnat ip6 to [%s]:%u\n",
                                        net_prefix_format(&ru->to, false, a, sizeof(a)),
                                        ru->to_port);
                }
                bprintf(&b, "\t}\n");
        }
        bprintf(&b, "}\n");
        *ret = b.s;
        return 0;
}

/* ---- the netlink batch -------------------------------------------------------------------- */

struct nft_handle {
        struct nl_sock *sk;
        uint32_t seq;
        char err[256];
};

int nft_handle_new(struct nft_handle **ret)
{
        struct nl_sock *sk = nl_socket_alloc();
        if (!sk)
                return log_error_errno(-ENOMEM, "network: cannot allocate a netlink socket");
        int r = nl_connect(sk, NETLINK_NETFILTER); /* sets FD_CLOEXEC */
        if (r < 0) {
                nl_socket_free(sk);
                r = r == -NLE_PERM ? -EPERM : -EPROTONOSUPPORT;
                return log_error_errno(r, "network: cannot open an nftables netlink socket");
        }
        nl_want_error_text(nl_socket_get_fd(sk));
        struct nft_handle *h = xcalloc(1, sizeof(*h));
        h->sk = sk;
        *ret = h;
        return 0;
}

void nft_handle_free(struct nft_handle *h)
{
        if (!h)
                return;
        nl_socket_free(h->sk); /* closes the socket */
        free(h);
}

/* A batch: the messages of one transaction, back to back. */
struct batch {
        struct strbuf b;       /* the messages, each padded to NLMSG_ALIGNTO */
        unsigned n;            /* messages between begin and end */
        const char *what[128]; /* per message: what it adds, for the error text */
        uint32_t first_seq;
};

/* libnl fails these only when a message is full; ours are far below a page. */
#define PUT(call)                                                                                  \
        do {                                                                                       \
                if ((call) < 0)                                                                    \
                        abort();                                                                   \
        } while (0)

static struct nl_msg *msg_new(int type, int flags, int family, uint16_t res_id)
{
        struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_REQUEST | flags);
        if (!m)
                abort();
        struct nfgenmsg g = {
                .nfgen_family = (uint8_t)family, .version = NFNETLINK_V0, .res_id = htons(res_id)};
        PUT(nlmsg_append(m, &g, sizeof(g), NLMSG_ALIGNTO));
        return m;
}

static void batch_put(struct nft_handle *h, struct batch *bt, struct nl_msg *m, const char *what)
{
        struct nlmsghdr *n = nlmsg_hdr(m);
        n->nlmsg_seq = ++h->seq;
        static const char pad[NLMSG_ALIGNTO];
        strbuf_add(&bt->b, (const char *)n, n->nlmsg_len);
        strbuf_add(&bt->b, pad, NLMSG_ALIGN(n->nlmsg_len) - n->nlmsg_len);
        if (what) {
                if (!bt->n)
                        bt->first_seq = h->seq;
                if (bt->n < ARRAY_SIZE(bt->what))
                        bt->what[bt->n] = what;
                bt->n++;
        }
        nlmsg_free(m);
}

static struct nl_msg *table_msg(int type, int flags, const char *table)
{
        struct nl_msg *m = msg_new(NFNL_SUBSYS_NFTABLES << 8 | type, flags, NFPROTO_INET, 0);
        PUT(nla_put_string(m, NFTA_TABLE_NAME, table));
        return m;
}

static void put_be32(struct nl_msg *m, int attr, uint32_t v)
{
        PUT(nla_put_u32(m, attr, htonl(v)));
}

/* One expression: NFTA_LIST_ELEM { NAME, DATA { ... } }; the caller fills DATA and ends both
 * with expr_end(). */
static struct nlattr *expr_begin(struct nl_msg *m, const char *name, struct nlattr **data)
{
        struct nlattr *elem = nla_nest_start(m, NFTA_LIST_ELEM);
        PUT(elem ? 0 : -1);
        PUT(nla_put_string(m, NFTA_EXPR_NAME, name));
        *data = nla_nest_start(m, NFTA_EXPR_DATA);
        PUT(*data ? 0 : -1);
        return elem;
}

static void expr_end(struct nl_msg *m, struct nlattr *elem, struct nlattr *data)
{
        nla_nest_end(m, data);
        nla_nest_end(m, elem);
}

static void put_data(struct nl_msg *m, int attr, const void *v, size_t len)
{
        struct nlattr *d = nla_nest_start(m, attr);
        PUT(d ? 0 : -1);
        PUT(nla_put(m, NFTA_DATA_VALUE, (int)len, v));
        nla_nest_end(m, d);
}

static void e_meta(struct nl_msg *m, uint32_t key)
{
        struct nlattr *d, *e = expr_begin(m, "meta", &d);
        put_be32(m, NFTA_META_DREG, NFT_REG_1);
        put_be32(m, NFTA_META_KEY, key);
        expr_end(m, e, d);
}

static void e_cmp(struct nl_msg *m, bool neg, const void *v, size_t len)
{
        struct nlattr *d, *e = expr_begin(m, "cmp", &d);
        put_be32(m, NFTA_CMP_SREG, NFT_REG_1);
        put_be32(m, NFTA_CMP_OP, neg ? NFT_CMP_NEQ : NFT_CMP_EQ);
        put_data(m, NFTA_CMP_DATA, v, len);
        expr_end(m, e, d);
}

static void e_payload(struct nl_msg *m, uint32_t base, uint32_t offset, uint32_t len)
{
        struct nlattr *d, *e = expr_begin(m, "payload", &d);
        put_be32(m, NFTA_PAYLOAD_DREG, NFT_REG_1);
        put_be32(m, NFTA_PAYLOAD_BASE, base);
        put_be32(m, NFTA_PAYLOAD_OFFSET, offset);
        put_be32(m, NFTA_PAYLOAD_LEN, len);
        expr_end(m, e, d);
}

static void e_bitwise(struct nl_msg *m, const void *mask, size_t len)
{
        static const uint8_t zero[16];
        struct nlattr *d, *e = expr_begin(m, "bitwise", &d);
        put_be32(m, NFTA_BITWISE_SREG, NFT_REG_1);
        put_be32(m, NFTA_BITWISE_DREG, NFT_REG_1);
        put_be32(m, NFTA_BITWISE_LEN, (uint32_t)len);
        put_data(m, NFTA_BITWISE_MASK, mask, len);
        put_data(m, NFTA_BITWISE_XOR, zero, len);
        expr_end(m, e, d);
}

static void e_immediate(struct nl_msg *m, uint32_t reg, const void *v, size_t len)
{
        struct nlattr *d, *e = expr_begin(m, "immediate", &d);
        put_be32(m, NFTA_IMMEDIATE_DREG, reg);
        put_data(m, NFTA_IMMEDIATE_DATA, v, len);
        expr_end(m, e, d);
}

static void e_verdict(struct nl_msg *m, uint32_t code)
{
        struct nlattr *d, *e = expr_begin(m, "immediate", &d);
        put_be32(m, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
        struct nlattr *data = nla_nest_start(m, NFTA_IMMEDIATE_DATA);
        struct nlattr *verdict = nla_nest_start(m, NFTA_DATA_VERDICT);
        PUT(data && verdict ? 0 : -1);
        put_be32(m, NFTA_VERDICT_CODE, code);
        nla_nest_end(m, verdict);
        nla_nest_end(m, data);
        expr_end(m, e, d);
}

/* The packet is of this family (the dependency nft adds before an ip/ip6 match in an inet
 * table); once per rule. */
static void need_family(struct nl_msg *m, int family, int *have)
{
        if (*have == family)
                return;
        uint8_t proto = family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
        e_meta(m, NFT_META_NFPROTO);
        e_cmp(m, false, &proto, 1);
        *have = family;
}

static void encode_match(struct nl_msg *m, const struct match *x, int *family)
{
        switch (x->key) {
        case K_IIF:
        case K_OIF: {
                char name[IFNAMSIZ] = {0};
                snprintf(name, sizeof(name), "%s", x->ifname);
                e_meta(m, x->key == K_IIF ? NFT_META_IIFNAME : NFT_META_OIFNAME);
                e_cmp(m, x->neg, name, sizeof(name));
                break;
        }
        case K_DADDR:
        case K_SADDR: {
                bool v4 = x->addr.family == AF_INET;
                need_family(m, x->addr.family, family);
                size_t full = v4 ? 4 : 16, bytes = (x->addr.plen + 7) / 8;
                uint32_t off = v4 ? (x->key == K_DADDR ? 16 : 12) : (x->key == K_DADDR ? 24 : 8);
                /* Whole bytes are compared as such; a partial last byte through a mask. */
                e_payload(m, NFT_PAYLOAD_NETWORK_HEADER, off, x->addr.plen % 8 ? full : bytes);
                if (x->addr.plen % 8) {
                        uint8_t mask[16] = {0};
                        memset(mask, 0xff, x->addr.plen / 8);
                        mask[x->addr.plen / 8] = (uint8_t)(0xff << (8 - x->addr.plen % 8));
                        e_bitwise(m, mask, full);
                        bytes = full;
                }
                e_cmp(m, x->neg, x->addr.addr.bytes, bytes);
                break;
        }
        case K_FIB_LOCAL: {
                struct nlattr *d, *e = expr_begin(m, "fib", &d);
                put_be32(m, NFTA_FIB_DREG, NFT_REG_1);
                put_be32(m, NFTA_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
                put_be32(m, NFTA_FIB_FLAGS, NFTA_FIB_F_DADDR);
                expr_end(m, e, d);
                uint32_t local = RTN_LOCAL; /* host byte order, as the kernel stores it */
                e_cmp(m, false, &local, sizeof(local));
                break;
        }
        case K_DPORT: {
                uint8_t proto = (uint8_t)x->proto;
                uint16_t port = htons(x->port);
                e_meta(m, NFT_META_L4PROTO);
                e_cmp(m, false, &proto, 1);
                e_payload(m, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
                e_cmp(m, x->neg, &port, sizeof(port));
                break;
        }
        case K_CT_DNAT: {
                struct nlattr *d, *e = expr_begin(m, "ct", &d);
                put_be32(m, NFTA_CT_DREG, NFT_REG_1);
                put_be32(m, NFTA_CT_KEY, NFT_CT_STATUS);
                expr_end(m, e, d);
                uint32_t bit = IPS_DST_NAT, zero = 0;
                e_bitwise(m, &bit, sizeof(bit));
                e_cmp(m, true, &zero, sizeof(zero));
                break;
        }
        }
}

static void encode_rule(struct nl_msg *m, const struct rule *r)
{
        struct nlattr *exprs = nla_nest_start(m, NFTA_RULE_EXPRESSIONS);
        PUT(exprs ? 0 : -1);
        int family = 0;
        for (unsigned k = 0; k < r->n; k++)
                encode_match(m, &r->m[k], &family);
        if (r->verdict == V_DROP) {
                e_verdict(m, NF_DROP);
        } else if (r->verdict == V_MASQ) {
                struct nlattr *d, *e = expr_begin(m, "masq", &d);
                expr_end(m, e, d);
        } else {
                uint16_t port = htons(r->to_port);
                e_immediate(m, NFT_REG_1, r->to.addr.bytes, net_prefix_addr_len(&r->to));
                e_immediate(m, NFT_REG_2, &port, sizeof(port));
                struct nlattr *d, *e = expr_begin(m, "nat", &d);
                put_be32(m, NFTA_NAT_TYPE, NFT_NAT_DNAT);
                put_be32(m, NFTA_NAT_FAMILY, r->to.family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
                put_be32(m, NFTA_NAT_REG_ADDR_MIN, NFT_REG_1);
                put_be32(m, NFTA_NAT_REG_PROTO_MIN, NFT_REG_2);
                put_be32(m, NFTA_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
                expr_end(m, e, d);
        }
        nla_nest_end(m, exprs);
}

/* "add table; delete table": removes a table whether or not it exists, in the same batch. */
static void put_delete(struct nft_handle *h, struct batch *bt, const char *table)
{
        batch_put(h, bt, table_msg(NFT_MSG_NEWTABLE, NLM_F_CREATE, table), "table");
        batch_put(h, bt, table_msg(NFT_MSG_DELTABLE, 0, table), "table");
}

static void put_table(struct nft_handle *h, struct batch *bt, const char *table,
                      const struct table *t)
{
        struct nl_msg *m = table_msg(NFT_MSG_NEWTABLE, NLM_F_CREATE, table);
        put_be32(m, NFTA_TABLE_FLAGS, 0);
        batch_put(h, bt, m, "table");
        for (size_t i = 0; i < t->n; i++) {
                const struct chain *c = &t->chains[i];
                m = msg_new(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN, NLM_F_CREATE,
                            NFPROTO_INET, 0);
                PUT(nla_put_string(m, NFTA_CHAIN_TABLE, table));
                PUT(nla_put_string(m, NFTA_CHAIN_NAME, c->name));
                struct nlattr *hook = nla_nest_start(m, NFTA_CHAIN_HOOK);
                PUT(hook ? 0 : -1);
                put_be32(m, NFTA_HOOK_HOOKNUM, c->hook);
                put_be32(m, NFTA_HOOK_PRIORITY, (uint32_t)c->prio);
                nla_nest_end(m, hook);
                put_be32(m, NFTA_CHAIN_POLICY, NF_ACCEPT);
                PUT(nla_put_string(m, NFTA_CHAIN_TYPE, c->type));
                batch_put(h, bt, m, c->name);
                for (size_t j = 0; j < c->n; j++) {
                        m = msg_new(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE,
                                    NLM_F_CREATE | NLM_F_APPEND, NFPROTO_INET, 0);
                        PUT(nla_put_string(m, NFTA_RULE_TABLE, table));
                        PUT(nla_put_string(m, NFTA_RULE_CHAIN, c->name));
                        encode_rule(m, &c->rules[j]);
                        batch_put(h, bt, m, c->name);
                }
        }
}

/* One datagram to the kernel, one from it (EINTR retried); -errno on failure. */
static int send_nl(int fd, const void *buf, size_t len)
{
        struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
        return sendto(fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0
                       ? negative_errno()
                       : 0;
}

static ssize_t recv_nl(int fd, void *buf, size_t len, int flags)
{
        for (;;) {
                ssize_t n = recv(fd, buf, len, flags);
                if (n >= 0 || errno != EINTR)
                        return n < 0 ? negative_errno() : n;
        }
}

/* Sends the batch as one transaction. nfnetlink handles a batch inside sendmsg() and queues
 * its answers before it returns, so they are read without waiting: an error for each message
 * it refused, and the ACK the last message asks for (one per message would fill the receive
 * buffer of a box with hundreds of rules). Returns the first error (its message named in
 * h->err). */
static int batch_send(struct nft_handle *h, struct batch *bt)
{
        _cleanup_free_ char *b = bt->b.s;
        size_t len = bt->b.len;
        bt->b = (struct strbuf){0};
        struct nlmsghdr *last = NULL;
        size_t left = len;
        for (struct nlmsghdr *m = (struct nlmsghdr *)b; NLMSG_OK(m, left); m = NLMSG_NEXT(m, left))
                last = m;
        if (!last)
                return -EINVAL;
        last->nlmsg_flags |= NLM_F_ACK;
        uint32_t last_seq = last->nlmsg_seq;
        struct batch frame = {0};
        batch_put(h, &frame, msg_new(NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES),
                  NULL);
        strbuf_add(&frame.b, b, len);
        batch_put(h, &frame, msg_new(NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES), NULL);
        _cleanup_free_ char *all = frame.b.s;
        h->err[0] = 0;
        int fd = nl_socket_get_fd(h->sk);
        /* The whole batch is one datagram: room for it (nft(8) does the same). */
        int room = (int)frame.b.len + 4096;
        if (frame.b.len > 64 * 1024 &&
            setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &room, sizeof(room)) < 0)
                (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &room, sizeof(room));
        int r = send_nl(fd, all, frame.b.len);
        if (r < 0)
                return r;
        int first = 0;
        bool acked = false;
        for (;;) {
                char rx[8192] __attribute__((aligned(4)));
                ssize_t n = recv_nl(fd, rx, sizeof(rx), MSG_DONTWAIT);
                if (n == -EAGAIN)
                        break;
                if (n < 0)
                        return (int)n;
                for (struct nlmsghdr *m = (struct nlmsghdr *)rx; NLMSG_OK(m, (size_t)n);
                     m = NLMSG_NEXT(m, n)) {
                        if (m->nlmsg_type != NLMSG_ERROR)
                                continue;
                        const struct nlmsgerr *e = NLMSG_DATA(m);
                        if (!e->error) {
                                acked |= m->nlmsg_seq == last_seq;
                                continue;
                        }
                        if (first)
                                continue;
                        first = e->error;
                        uint32_t i = m->nlmsg_seq - bt->first_seq;
                        char why[200];
                        nl_extack_text(m, why, sizeof(why));
                        snprintf(h->err, sizeof(h->err), "in %s%s%s",
                                 i < ARRAY_SIZE(bt->what) && i < bt->n ? bt->what[i] : "the batch",
                                 *why ? ": " : "", why);
                }
        }
        if (!first && !acked)
                return -EPROTO; /* no answer: never take the table as loaded */
        return first;
}

int nft_box_apply(struct nft_handle *h, const struct nft_box *box)
{
        _cleanup_table_ struct table t = {0};
        int r = box_table(box, &t);
        if (r < 0)
                return log_error_errno(r, "network: invalid firewall parameters for box %s",
                                       box->name ? box->name : "?");
        _cleanup_free_ char *table = xasprintf(NFT_TABLE_PREFIX "%s", box->name);
        /* One transaction: a stale table is replaced, and the box is never without its guard. */
        struct batch bt = {0};
        put_delete(h, &bt, table);
        put_table(h, &bt, table, &t);
        r = batch_send(h, &bt);
        if (r < 0)
                return log_error_errno(r, "network: nftables refused table inet %s (%s)", table,
                                       h->err);
        return 0;
}

int nft_hooks_anchor(struct nft_handle *h)
{
        _cleanup_table_ struct table t = {0};
        chain_add(&t, "prerouting", "filter", NF_INET_PRE_ROUTING, 0, "filter");
        chain_add(&t, "input", "filter", NF_INET_LOCAL_IN, 0, "filter");
        chain_add(&t, "output", "filter", NF_INET_LOCAL_OUT, 0, "filter");
        chain_add(&t, "postrouting", "filter", NF_INET_POST_ROUTING, 0, "filter");
        struct batch bt = {0};
        put_table(h, &bt, NFT_ANCHOR_TABLE, &t);
        int r = batch_send(h, &bt);
        if (r < 0)
                return log_error_errno(r, "network: nftables refused table inet %s (%s)",
                                       NFT_ANCHOR_TABLE, h->err);
        return 0;
}

int nft_box_remove(struct nft_handle *h, const char *name)
{
        if (!table_name_valid(name))
                return -EINVAL;
        _cleanup_free_ char *table = xasprintf(NFT_TABLE_PREFIX "%s", name);
        struct batch bt = {0};
        put_delete(h, &bt, table);
        int r = batch_send(h, &bt);
        if (r < 0)
                return log_error_errno(r, "network: deleting table inet %s (%s)", table, h->err);
        return 0;
}

/* The names of the inet tables, through a dump. */
static int list_tables(struct nft_handle *h, char ***ret)
{
        struct nl_msg *m =
                msg_new(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE, NLM_F_DUMP, NFPROTO_INET, 0);
        struct nlmsghdr *q = nlmsg_hdr(m);
        q->nlmsg_seq = ++h->seq;
        int fd = nl_socket_get_fd(h->sk);
        int r = send_nl(fd, q, q->nlmsg_len);
        uint32_t seq = q->nlmsg_seq;
        nlmsg_free(m);
        if (r < 0)
                return r;
        _cleanup_strv_ char **names = NULL;
        for (;;) {
                char rx[16384] __attribute__((aligned(4)));
                ssize_t n = recv_nl(fd, rx, sizeof(rx), 0);
                if (n < 0)
                        return (int)n;
                for (struct nlmsghdr *a = (struct nlmsghdr *)rx; NLMSG_OK(a, (size_t)n);
                     a = NLMSG_NEXT(a, n)) {
                        if (a->nlmsg_seq != seq)
                                continue;
                        if (a->nlmsg_type == NLMSG_DONE) {
                                *ret = TAKE_PTR(names);
                                return 0;
                        }
                        if (a->nlmsg_type == NLMSG_ERROR) {
                                int e = ((struct nlmsgerr *)NLMSG_DATA(a))->error;
                                return e ? e : -EPROTO;
                        }
                        struct nlattr *name =
                                nlmsg_find_attr(a, sizeof(struct nfgenmsg), NFTA_TABLE_NAME);
                        if (name && nla_len(name) > 0)
                                strv_push(&names, xstrndup(nla_data(name), (size_t)nla_len(name)));
                }
        }
}

int nft_table_exists(struct nft_handle *h, const char *name)
{
        _cleanup_strv_ char **names = NULL;
        int r = list_tables(h, &names);
        if (r < 0)
                return r;
        _cleanup_free_ char *table = xasprintf(NFT_TABLE_PREFIX "%s", name);
        return strv_contains(names, table);
}

int nft_gc(struct nft_handle *h, nft_running_t running, void *userdata)
{
        _cleanup_strv_ char **names = NULL;
        int r = list_tables(h, &names);
        if (r < 0)
                return log_error_errno(r, "network: listing the nftables tables");
        int removed = 0;
        for (char **n = names; n && *n; n++) {
                if (strncmp(*n, NFT_TABLE_PREFIX, strlen(NFT_TABLE_PREFIX)) != 0)
                        continue;
                const char *name = *n + strlen(NFT_TABLE_PREFIX);
                if (!table_name_valid(name) || running(name, userdata))
                        continue;
                r = nft_box_remove(h, name);
                if (r < 0)
                        return r;
                log_debug("network: removed the firewall table of %s", name);
                removed++;
        }
        return removed;
}
