/* netcost.c - what boxlaunch's network layer (launcher/net/) costs per box, in scratch network
 * namespaces (root; the host's links and ruleset are never touched). Linked like boxlaunch
 * (static by default), so it costs what it costs the supervisor.
 *
 *   make build/netcost && build/netcost [ITERATIONS=100]
 *   build/netcost --cycle [ITERATIONS=20 [ROUNDS=10]]   (the kernel's cycle, below)
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
#include <math.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
static int box_link(struct rtn_ctx *h, struct rtn_ctx *b, int box, int i, bool names)
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
        return hi;
}

/* ---- --cycle: the kernel's part of a box's start-to-exit, without boxlaunch ----------------
 * One iteration is what the kernel does for a box from its start to its end, done by one
 * thread, back to back as bench.sh's rows run: a process in a new network namespace brings lo up
 * and waits for a go, then exits; with a veth (the supervisor's requests: the link step above,
 * then at the end the host end renamed out of the way of the next run under the same name); with
 * NAT as well (the box's table loaded through a new nf_tables socket, as a new supervisor does,
 * the hooks anchor made by the box's process, the table deleted at the end). The differences
 * between the three are what the network costs at least, the kernel's own teardown, running
 * into the next iteration, included. */
enum cyc_mode { CYC_PRIVATE, CYC_VETH, CYC_NAT, CYC_MODES };
static const char *const cyc_names[CYC_MODES] = {"private", "veth", "veth+nat"};

struct cyc {
        int ready[2], go[2];
        bool anchor;
};

static int cyc_child(void *arg)
{
        struct cyc *c = arg;
        struct rtn_ctx *r = NULL;
        if (rtn_open(&r) < 0 || rtn_link_set_up(r, 1, true) < 0)
                _exit(1);
        if (c->anchor) {
                struct nft_handle *a = NULL; /* left open: it goes with the process */
                if (nft_handle_new(&a) < 0 || nft_hooks_anchor(a) < 0)
                        _exit(1);
        }
        char x = 1;
        if (write(c->ready[1], &x, 1) != 1 || read(c->go[0], &x, 1) != 1)
                _exit(1);
        _exit(0);
}

static double cyc_once(struct rtn_ctx *h, enum cyc_mode m, const struct nft_box *nb)
{
        static char stack[64 * 1024] __attribute__((aligned(16)));
        struct cyc c = {.anchor = m == CYC_NAT};
        if (pipe2(c.ready, O_CLOEXEC) < 0 || pipe2(c.go, O_CLOEXEC) < 0)
                DIE("pipe: %m\n");
        double t0 = now_us();
        struct nft_handle *nft = NULL;
        if (m == CYC_NAT && (nft_handle_new(&nft) < 0 || nft_box_apply(nft, nb) < 0))
                DIE("nft table\n");
        pid_t pid = clone(cyc_child, stack + sizeof(stack), CLONE_NEWNET | SIGCHLD, &c);
        if (pid < 0)
                DIE("clone: %m\n");
        int box = -1, hi = -1;
        if (m != CYC_PRIVATE) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
                struct rtn_ctx *b = NULL;
                if ((box = open(path, O_RDONLY | O_CLOEXEC)) < 0 || rtn_open_in_netns(box, &b) < 0)
                        DIE("box netns: %m\n");
                hi = box_link(h, b, box, 0, false);
                rtn_close(b);
        }
        char x = 1;
        int st;
        if (read(c.ready[0], &x, 1) != 1 || write(c.go[1], &x, 1) != 1 ||
            waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                DIE("the box's process failed\n");
        if (nft && nft_box_remove(nft, "bench") < 0)
                DIE("nft delete\n");
        if (hi > 0) {
                char name[IFNAMSIZ];
                snprintf(name, sizeof(name), "vg-%d", hi);
                if (rtn_link_rename(h, hi, name) < 0)
                        DIE("rename: %s\n", rtn_error_text(h));
        }
        if (nft)
                nft_handle_free(nft);
        if (box >= 0)
                close(box);
        double t1 = now_us();
        close(c.ready[0]);
        close(c.ready[1]);
        close(c.go[0]);
        close(c.go[1]);
        return t1 - t0;
}

/* Rounds of one block per mode (two warm-ups each), in a rotating order; medians per mode and
 * the paired per-round differences against the private one. */
static int cycle_main(int n, int rounds)
{
        struct rtn_ctx *h = NULL;
        if (rtn_open(&h) < 0)
                DIE("netlink: %m\n");
        /* The bench's veth box: masquerading, no port published. */
        struct nft_box nb = {.name = "bench",
                             .link = "ve-b0",
                             .subnet4 = P("10.80.0.0/30"),
                             .box4 = P("10.80.0.2"),
                             .subnet6 = P("fd80::/64"),
                             .box6 = P("fd80::2"),
                             .masquerade = true};
        double *all[CYC_MODES], *block[CYC_MODES];
        for (int m = 0; m < CYC_MODES; m++) {
                all[m] = calloc((size_t)(n * rounds), sizeof(double));
                block[m] = calloc((size_t)rounds, sizeof(double));
        }
        double *tmp = calloc((size_t)n, sizeof(double));
        for (int r = 0; r < rounds; r++)
                for (int k = 0; k < CYC_MODES; k++) {
                        int m = (k + r) % CYC_MODES;
                        for (int i = 0; i < 2; i++)
                                (void)cyc_once(h, (enum cyc_mode)m, &nb);
                        for (int i = 0; i < n; i++)
                                all[m][r * n + i] = tmp[i] = cyc_once(h, (enum cyc_mode)m, &nb);
                        qsort(tmp, (size_t)n, sizeof(*tmp), cmp);
                        block[m][r] = tmp[n / 2];
                }
        printf("kernel cycle (one thread, back to back), %d rounds x %d\n", rounds, n);
        for (int m = 0; m < CYC_MODES; m++) {
                char what[64];
                snprintf(what, sizeof(what), "cycle %s", cyc_names[m]);
                report(what, all[m], n * rounds);
        }
        for (int m = 1; m < CYC_MODES; m++) {
                double sum = 0, sq = 0;
                for (int r = 0; r < rounds; r++) {
                        double d = block[m][r] - block[CYC_PRIVATE][r];
                        sum += d;
                        sq += d * d;
                }
                double mean = sum / rounds,
                       se = rounds > 1 ? sqrt((sq - rounds * mean * mean) / (rounds - 1) / rounds)
                                       : 0;
                printf("cycle %s over private (paired per round)%*s %+8.1f us (se %.1f)\n",
                       cyc_names[m], (int)(14 - strlen(cyc_names[m])), "", mean, se);
        }
        rtn_close(h);
        return 0;
}

int main(int argc, char **argv)
{
        bool cycle = argc > 1 && strcmp(argv[1], "--cycle") == 0;
        if (cycle) {
                argv++;
                argc--;
        }
        int n = argc > 1 ? atoi(argv[1]) : 100;
        if (n < 2 || n > 4000)
                DIE("iterations: 2..4000\n");
        if (unshare(CLONE_NEWNET) < 0) /* the host stand-in */
                DIE("unshare (needs root): %m\n");
        if (cycle)
                return cycle_main(n, argc > 2 ? atoi(argv[2]) : 10);
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
