/* boxverbs.c - the command lines and output of list, status, stop, kill, pause, resume, ps,
 * stats and gc; the operations are ops/control.c's. Every --json output is built with json-c. */
#include "cli/output.h"
#include "cli/verbs.h"

#include "core/config_json.h"
#include "core/names.h"
#include "launch/net.h"
#include "launch/netsum.h"
#include "ops/control.h"
#include "core/state.h"
#include "util/json.h"
#include "util/log.h"
#include "util/signals.h"

#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

/* ---- list / status ------------------------------------------------------------------------ */

/* Status's lines for the network, if the box has links beside loopback. */
static void print_net(const struct box_config *c)
{
        struct net_status ns;
        if (!c || net_status(c, &ns) < 0)
                return;
        const struct box_net *n = &c->netcfg;
        if (ns.ifname[0]) {
                printf("Network:    %s", ns.ifname);
                if (n->zone || n->bridge)
                        printf(" (%s %s)", n->zone ? "zone" : "bridge",
                               n->zone ? n->zone : n->bridge);
                if (ns.box4[0])
                        printf(" %s", ns.box4);
                if (ns.host4[0])
                        printf(" via %s", ns.host4);
                if (ns.box6[0])
                        printf(" %s", ns.box6);
                putchar('\n');
        }
        for (char **i = n->interfaces; i && *i; i++)
                printf("Interface:  %s\n", *i);
        for (size_t i = 0; i < n->n_ports; i++) {
                const struct box_port *p = &n->ports[i];
                printf("Port:       %s %s %s:%u -> %u\n", p->name, box_net_proto_names[p->protocol],
                       p->host_address ? p->host_address : "*", (unsigned)p->host_port,
                       (unsigned)(p->box_port ? p->box_port : p->host_port));
        }
}

/* The fields list and status --json show, in their order; detail: status's. */
static struct json_object *box_json(struct box_ref *b, bool detail)
{
        /* list takes the root and the network summary from the state file's header: parsing
         * every box's configuration was most of `list --json`'s time with many boxes. */
        struct json_object *net = NULL;
        bool from_header = !detail && b->root && b->network &&
                           (streq(b->network, "null") || (net = json_tokener_parse(b->network)));
        const struct box_config *c = from_header ? NULL : box_ref_config(b, true);
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(b->name));
        json_object_object_add(o, "pid", json_object_new_int(b->pid));
        json_object_object_add(o, "supervisor", json_object_new_int(b->supervisor));
        json_object_object_add(o, "status", json_object_new_string(b->status));
        json_object_object_add(o, "created", json_object_new_int64(b->created));
        json_object_object_add(o, "cgroup", json_string_or_null(b->cgroup));
        json_object_object_add(o, "root", json_string_or_null(c ? c->root : b->root));
        json_object_object_add(o, "network", from_header ? net : net_summary_json(c));
        if (detail) {
                _cleanup_free_ char *state = state_path(b->name);
                json_object_object_add(o, "state", json_object_new_string(state));
                json_object_object_add(o, "processes",
                                       json_object_new_uint64(box_count_procs(b->cgroup)));
                json_object_object_add(o, "config", c ? box_config_to_json(c) : NULL);
        }
        return o;
}

int verb_list(struct verb_call *call)
{
        _cleanup_strv_ char **names = NULL;
        int r = box_names(&names);
        if (r < 0) {
                log_error_errno(r, "reading %s", state_root());
                return EXIT_VERB_FAILED;
        }
        struct json_stream js;
        if (call->json)
                json_stream_begin(&js, stdout);
        else
                printf("%-20s %8s %-9s %8s %s\n", "NAME", "PID", "STATUS", "CREATED", "CGROUP");
        for (char **n = names; n && *n; n++) {
                _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
                if (box_ref_peek(*n, &b) < 0)
                        continue;
                if (call->json) {
                        json_stream_add(&js, box_json(&b, false));
                        continue;
                }
                char age[32];
                format_age(b.created, age);
                printf("%-20s %8d %-9s %8s %s\n", b.name, (int)b.pid, b.status, age,
                       b.cgroup ? b.cgroup : "-");
        }
        if (call->json)
                json_stream_end(&js);
        return 0;
}

int verb_status(struct verb_call *call)
{
        struct box_ref *b = &call->box;
        if (call->json) {
                json_print(stdout, box_json(b, true));
                return 0;
        }
        const struct box_config *c = box_ref_config(b, true);
        _cleanup_free_ char *state = state_path(b->name);
        char age[32], when[64] = "-";
        format_age(b->created, age);
        time_t t = (time_t)b->created;
        struct tm tm;
        if (b->created > 0 && localtime_r(&t, &tm))
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
        printf("Name:       %s\n"
               "Status:     %s\n"
               "PID:        %d\n"
               "Supervisor: %d\n"
               "Created:    %s (%s ago)\n"
               "Cgroup:     %s\n"
               "Root:       %s\n"
               "State:      %s\n"
               "Processes:  %zu\n",
               b->name, b->status, (int)b->pid, (int)b->supervisor, when, age,
               b->cgroup ? b->cgroup : "-", c && c->root ? c->root : "-", state,
               box_count_procs(b->cgroup));
        print_net(c);
        return 0;
}

/* ---- stop / kill / pause / resume --------------------------------------------------------- */

/* At most this many boxes are held open at once (two fds each: PID 1's and the supervisor's
 * pidfds), within the open-file limit raised to its hard limit. */
static size_t stop_batch(void)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return 64;
        if (rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl); /* the hard limit needs no privilege */
                (void)getrlimit(RLIMIT_NOFILE, &rl);
        }
        rlim_t n = rl.rlim_cur == RLIM_INFINITY ? 1 << 20 : rl.rlim_cur;
        return n > 160 ? (size_t)(n - 32) / 2 : 64;
}

/* Stops several boxes together (--all: every running one). 1 if a named box is not running
 * (the others are stopped all the same), 3 if one could not be stopped. */
static int stop_many(char **names, bool all, long timeout)
{
        size_t batch = stop_batch(), n = strv_length(names);
        if (batch > n)
                batch = n ? n : 1; /* the hard limit may allow a million */
        _cleanup_free_ struct box_ref *b = xcalloc(batch, sizeof(*b));
        int code = 0;
        for (size_t i = 0; i < n;) {
                size_t k = 0;
                for (; i < n && k < batch; i++) {
                        b[k] = (struct box_ref){.pidfd = -1};
                        int r = box_ref_open(names[i], all, &b[k]);
                        if (r == -ESRCH) { /* PID 1 is gone already: wait for the supervisor */
                                if (!box_wait_gone(names[i], (uint64_t)timeout * 1000 + 10000))
                                        code = EXIT_VERB_FAILED;
                                continue;
                        }
                        if (r < 0) {
                                /* --all: a box that just went, or that is still starting */
                                if (!all && !code)
                                        code = 1;
                                continue;
                        }
                        k++;
                }
                if (box_stop_many(b, k, (unsigned)timeout) < 0)
                        code = EXIT_VERB_FAILED;
                for (size_t j = 0; j < k; j++)
                        box_ref_done(&b[j]);
        }
        return code;
}

int verb_stop(struct verb_call *call)
{
        static const struct option opts[] = {
                {"timeout", required_argument, NULL, 't'},
                {"all", no_argument, NULL, 'a'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        long timeout = 30;
        bool all = false;
        int ch;
        optind = 1;
        while ((ch = getopt_long(call->argc, call->argv, "t:ah", opts, NULL)) >= 0) {
                if (ch == 'a') {
                        all = true;
                        continue;
                }
                if (ch != 't')
                        return 1; /* getopt said why (-h was the prologue's) */
                char *end;
                errno = 0;
                timeout = strtol(optarg, &end, 10);
                if (errno || *end || timeout < 0 || timeout > 86400) {
                        log_error("stop: --timeout=%s: not a number of seconds", optarg);
                        return 1;
                }
        }
        int nargs = call->argc - optind;
        if (all ? nargs != 0 : nargs < 1) {
                log_error(all ? "stop: --all takes no box NAME (see --help)"
                              : "stop: expected a box NAME (see --help)");
                return 1;
        }
        if (all) {
                _cleanup_strv_ char **names = NULL;
                int r = box_names(&names);
                if (r < 0) {
                        log_error_errno(r, "stop: reading %s", state_root());
                        return EXIT_VERB_FAILED;
                }
                return stop_many(names, true, timeout);
        }
        if (nargs > 1) {
                for (int i = optind; i < call->argc; i++)
                        if (!box_name_valid(call->argv[i])) {
                                log_error("stop: invalid box name '%s'", call->argv[i]);
                                return 1;
                        }
                return stop_many(call->argv + optind, false, timeout);
        }
        const char *name = call->argv[optind];
        int r = verb_open(call, name);
        if (r == -ESRCH) /* PID 1 is gone already: just wait for the supervisor. */
                return box_wait_gone(name, (uint64_t)timeout * 1000 + 10000) ? 0 : EXIT_VERB_FAILED;
        if (r < 0)
                return 1;
        return box_stop(&call->box, (unsigned)timeout) < 0 ? EXIT_VERB_FAILED : 0;
}

int verb_kill(struct verb_call *call)
{
        if (call->argc < 2 || call->argc > 3) {
                log_error("kill: usage: boxlaunch kill NAME [SIGNAL]");
                return 1;
        }
        int sig = SIGTERM;
        if (call->argc == 3) {
                sig = signal_from_string(call->argv[2]);
                if (sig < 0) {
                        log_error("kill: '%s' is not a signal name or number", call->argv[2]);
                        return 1;
                }
        }
        if (verb_open(call, call->argv[1]) < 0)
                return 1;
        if (box_kill(&call->box, sig) < 0)
                return EXIT_VERB_FAILED;
        char buf[16];
        log_debug("sent %s to box '%s'", signal_to_string(sig, buf), call->name);
        return 0;
}

int verb_pause(struct verb_call *call)
{
        return box_freeze(&call->box, true, "pause") < 0 ? EXIT_VERB_FAILED : 0;
}

int verb_resume(struct verb_call *call)
{
        return box_freeze(&call->box, false, "resume") < 0 ? EXIT_VERB_FAILED : 0;
}

/* ---- ps / stats --------------------------------------------------------------------------- */

int verb_ps(struct verb_call *call)
{
        struct box_proc *procs = NULL;
        size_t n = 0;
        if (box_procs(&call->box, &procs, &n) < 0) {
                log_error("ps: cannot read the processes of box '%s'", call->name);
                return EXIT_VERB_FAILED;
        }
        struct json_stream js;
        if (call->json)
                json_stream_begin(&js, stdout);
        else
                printf("%8s %8s %8s %s\n", "PID", "BOXPID", "UID", "COMMAND");
        for (size_t i = 0; i < n; i++) {
                const struct box_proc *p = &procs[i];
                if (call->json) {
                        struct json_object *o = json_object_new_object();
                        json_object_object_add(o, "pid", json_object_new_int(p->pid));
                        json_object_object_add(o, "box_pid", json_object_new_int(p->nspid));
                        json_object_object_add(o, "uid", json_object_new_int64(p->uid));
                        json_object_object_add(o, "command", json_object_new_string(p->cmd));
                        json_stream_add(&js, o);
                        continue;
                }
                /* The box writes its command lines: no escape sequence of its may reach the
                 * admin's terminal. */
                _cleanup_free_ char *cmd = cescape_bytes(p->cmd, p->cmd_len);
                printf("%8d %8d %8lld %s\n", (int)p->pid, (int)p->nspid, p->uid, cmd);
        }
        if (call->json)
                json_stream_end(&js);
        box_procs_free(procs, n);
        return 0;
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
        json_object_object_add(o, key, json_object_new_uint64(v));
}

int verb_stats(struct verb_call *call)
{
        struct box_stats s;
        if (box_stats(&call->box, &s) < 0) {
                log_error("stats: cannot read the cgroup of box '%s'", call->name);
                return EXIT_VERB_FAILED;
        }
        if (call->json) {
                struct json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(call->name));
                add_u64(o, "cpu_usage_usec", s.cg.cpu_usage_usec);
                add_u64(o, "memory_current_bytes", s.cg.memory_current);
                add_u64(o, "memory_peak_bytes", s.cg.memory_peak);
                add_u64(o, "pids", s.cg.pids_current);
                add_u64(o, "io_read_bytes", s.cg.io_read_bytes);
                add_u64(o, "io_write_bytes", s.cg.io_write_bytes);
                add_u64(o, "net_rx_bytes", s.rx_bytes);
                add_u64(o, "net_rx_packets", s.rx_packets);
                add_u64(o, "net_tx_bytes", s.tx_bytes);
                add_u64(o, "net_tx_packets", s.tx_packets);
                json_object_object_add(o, "network",
                                       net_summary_json(box_ref_config(&call->box, true)));
                json_print(stdout, o);
                return 0;
        }
        printf("CPU usage:      %" PRIu64 " usec\n"
               "Memory:         %" PRIu64 " bytes (peak %" PRIu64 ")\n"
               "Tasks:          %" PRIu64 "\n"
               "Block I/O:      %" PRIu64 " bytes read, %" PRIu64 " bytes written\n"
               "Network rx:     %" PRIu64 " bytes, %" PRIu64 " packets\n"
               "Network tx:     %" PRIu64 " bytes, %" PRIu64 " packets\n",
               s.cg.cpu_usage_usec, s.cg.memory_current, s.cg.memory_peak, s.cg.pids_current,
               s.cg.io_read_bytes, s.cg.io_write_bytes, s.rx_bytes, s.rx_packets, s.tx_bytes,
               s.tx_packets);
        print_net(box_ref_config(&call->box, true));
        return 0;
}

/* ---- gc ----------------------------------------------------------------------------------- */

int verb_gc(struct verb_call *call)
{
        if (call->argc > 2) {
                log_error("gc: at most one box NAME (see --help)");
                return 1;
        }
        if (call->argc == 2 && verb_parse_args(call, true, false))
                return 1;
        unsigned removed = 0;
        int failed = 0;
        if (call->name) {
                if (!box_name_valid(call->name)) {
                        log_error("gc: invalid box name '%s'", call->name);
                        return 1;
                }
                if (state_is_running(call->name)) {
                        log_error("gc: box '%s' is running; stop it first", call->name);
                        return 1;
                }
                failed = box_gc(call->name, stdout, &removed) < 0;
        } else {
                _cleanup_strv_ char **names = NULL;
                int r = box_names(&names);
                if (r < 0) {
                        log_error_errno(r, "gc: reading %s", state_root());
                        return EXIT_VERB_FAILED;
                }
                for (char **n = names; n && *n; n++)
                        if (!state_is_running(*n) && box_gc(*n, stdout, &removed) < 0)
                                failed = 1;
                /* Network leftovers of boxes without a state file any more. */
                if (net_gc_all(stdout, &removed) < 0)
                        failed = 1;
        }
        if (!removed && !failed)
                printf("nothing to clean up\n");
        return failed ? EXIT_VERB_FAILED : 0;
}
