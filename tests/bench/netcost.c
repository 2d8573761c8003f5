/* netcost.c - what boxlaunch's network layer (launcher/net/) costs per box, in scratch network
 * namespaces (root; the host's links and ruleset are never touched). Linked like boxlaunch
 * (static by default), so it costs what it costs the supervisor.
 *
 *   make build/netcost && build/netcost [ITERATIONS=100]
 *
 * Per iteration: a new namespace for the box and a netlink socket inside it; then the box's
 * link, timed as one block: veth ve-bN <-> host0 with the peer created in the box's namespace,
 * MACs, host end up, 10.80.x.1/30 and .2/30, lo and host0 up, default route in the box (the
 * research's veth_mnl "direct" job, networking.md §3); the same with nspawn's altname and the
 * gc alias. Teardown by closing the namespace (the kernel deletes the pair later, off the
 * clock). Then the per-box nft table: first use (socket + first table), and add /
 * delete on one long-lived context. Prints median, p90 and max in microseconds. */
#include "util/log.h"
#include "net/netlink.h"
#include "net/nft.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>

static double now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
        qsort(v, (size_t)n, sizeof(*v), cmp);
        printf("%-52s median %8.1f  p90 %8.1f  max %8.1f us\n", what, v[n / 2], v[n * 9 / 10],
               v[n - 1]);
}

#define DIE(...)                                                                                   \
        do {                                                                                       \
                fprintf(stderr, __VA_ARGS__);                                                      \
                exit(1);                                                                           \
        } while (0)

static struct net_prefix P(const char *s) {
        struct net_prefix p;
        if (net_prefix_parse(s, &p) < 0)
                DIE("bad prefix %s\n", s);
        return p;
}

static int
new_netns(int self)
{
        if (unshare(CLONE_NEWNET) < 0)
                DIE("unshare: %m\n");
        int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(self, CLONE_NEWNET) < 0)
                DIE("netns: %m\n");
        return fd;
}

/* One box's link, as the supervisor would set it up. */
static void box_link(struct rtn_ctx *h, struct rtn_ctx *b, int box, int i, bool names)
{
        static const uint8_t mac_h[6] = {0x02, 0, 0, 0, 0, 1}, mac_b[6] = {0x02, 0, 0, 0, 0, 2};
        char name[IFNAMSIZ], alt[64], alias[64], a[32], c[32], g[32];
        snprintf(name, sizeof(name), "ve-b%d", i);
        snprintf(alt, sizeof(alt), "ve-bench-box-with-a-long-name-%d", i);
        snprintf(alias, sizeof(alias), "boxlaunch:bench%d", i);
        struct rtn_veth v = {.name = name,
                             .mac = mac_h,
                             .altname = names ? alt : NULL,
                             .alias = names ? alias : NULL,
                             .up = true,
                             .peer_name = "host0",
                             .peer_mac = mac_b,
                             .peer_netns_fd = box};
        int hi = rtn_veth_add(h, &v);
        if (hi < 0)
                DIE("veth: %s (%s)\n", strerror(-hi), rtn_error_text(h));
        int bi = rtn_link_index(b, "host0");
        snprintf(a, sizeof(a), "10.80.%d.%d/30", i / 64, (i % 64) * 4 + 1);
        snprintf(c, sizeof(c), "10.80.%d.%d/30", i / 64, (i % 64) * 4 + 2);
        snprintf(g, sizeof(g), "10.80.%d.%d", i / 64, (i % 64) * 4 + 1);
        struct net_prefix ha = P(a), ba = P(c), gw = P(g);
        if (bi < 0 || rtn_addr_add(h, hi, &ha) < 0 || rtn_addr_add(b, bi, &ba) < 0 ||
            rtn_link_set_up(b, 1, true) < 0 || rtn_link_set_up(b, bi, true) < 0 ||
            rtn_route_add(b, bi, NULL, &gw) < 0)
                DIE("set-up of %s failed: %s\n", name, rtn_error_text(b));
}

int main(int argc, char **argv)
{
        int n = argc > 1 ? atoi(argv[1]) : 100;
        if (n < 2 || n > 4000)
                DIE("iterations: 2..4000\n");
        if (unshare(CLONE_NEWNET) < 0) /* the host stand-in */
                DIE("unshare (needs root): %m\n");
        int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        struct rtn_ctx *h = NULL;
        if (self < 0 || rtn_open(&h) < 0)
                DIE("netlink: %m\n");
        double *t_ns = calloc((size_t)n, sizeof(double)),
               *t_link = calloc((size_t)n, sizeof(double)),
               *t_names = calloc((size_t)n, sizeof(double)),
               *t_close = calloc((size_t)n, sizeof(double));

        for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < n; i++) {
                        double t0 = now_us();
                        int box = new_netns(self);
                        struct rtn_ctx *b = NULL;
                        if (rtn_open_in_netns(box, &b) < 0)
                                DIE("netlink in box: %m\n");
                        double t1 = now_us();
                        box_link(h, b, box, pass * n + i, pass == 1);
                        double t2 = now_us();
                        rtn_close(b);
                        close(box); /* the kernel deletes the pair asynchronously */
                        double t3 = now_us();
                        if (pass == 0) {
                                t_ns[i] = t1 - t0;
                                t_link[i] = t2 - t1;
                                t_close[i] = t3 - t2;
                        } else {
                                t_names[i] = t2 - t1;
                        }
                }
        }
        printf("boxlaunch launcher/net, %d iterations, scratch namespaces\n", n);
        report("new netns + netlink socket inside", t_ns, n);
        report("veth (peer in netns) + addrs + up + route", t_link, n);
        report("  same + altname + alias (2 more requests)", t_names, n);
        report("teardown: close the netns (no RTM_DELLINK)", t_close, n);

        /* nft: the first table in a namespace. */
        static const struct nft_port port = {IPPROTO_TCP, {0}, 18080, 80};
        struct nft_box nb = {.name = "bench",
                             .link = "ve-b0",
                             .subnet4 = P("10.80.0.0/30"),
                             .box4 = P("10.80.0.2"),
                             .masquerade = true,
                             .localhost = true,
                             .ports = &port,
                             .n_ports = 1};
        double t0 = now_us();
        struct nft_handle *nft = NULL;
        if (nft_handle_new(&nft) < 0)
                return 1;
        double t1 = now_us();
        if (nft_box_apply(nft, &nb) < 0)
                return 1;
        double t2 = now_us();
        if (nft_box_remove(nft, "bench") < 0)
                return 1;
        double t3 = now_us();
        printf("%-52s %8.1f us\n", "nft first use: netlink socket", t1 - t0);
        printf("%-52s %8.1f us\n", "nft first table (guard + 3 NAT chains, 7 rules)", t2 - t1);
        printf("%-52s %8.1f us\n", "nft first delete", t3 - t2);
        double *t_add = calloc((size_t)n, sizeof(double)),
               *t_del = calloc((size_t)n, sizeof(double));
        for (int i = 0; i < n; i++) {
                double a = now_us();
                if (nft_box_apply(nft, &nb) < 0)
                        return 1;
                double b = now_us();
                if (nft_box_remove(nft, "bench") < 0)
                        return 1;
                t_add[i] = b - a;
                t_del[i] = now_us() - b;
        }
        report("nft table add, long-lived socket", t_add, n);
        report("nft table delete, long-lived socket", t_del, n);
        t0 = now_us();
        nft_handle_free(nft);
        printf("%-52s %8.1f us\n", "nft socket close after deletes", now_us() - t0);
        /* A second box's supervisor: library loaded, kernel NAT hooks already in use. */
        t0 = now_us();
        if (nft_handle_new(&nft) < 0)
                return 1;
        t1 = now_us();
        if (nft_box_apply(nft, &nb) < 0 || nft_box_remove(nft, "bench") < 0)
                return 1;
        t2 = now_us();
        printf("%-52s %8.1f us\n", "nft new socket", t1 - t0);
        printf("%-52s %8.1f us\n", "nft first table add + delete on it", t2 - t1);
        nft_handle_free(nft);
        rtn_close(h);
        return 0;
}
