/* cgverbs.c - the verbs that work on a container's cgroup: ps, pause, resume, update, events. */
#include "cli/runc/runc.h"

#include "cgroup/cgroup.h"
#include "util/log.h"

#include <fcntl.h>
#include <getopt.h>
#include <sys/wait.h>
#include <time.h>

static bool help(int argc, char **argv, const char *usage)
{
        for (int i = 1; i < argc && !streq(argv[i], "--"); i++)
                if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
                        printf("Usage: %s %s\n", RUNC_NAME, usage);
                        return true;
                }
        return false;
}

static bool has_cgroup(const struct runc_ct *ct)
{
        return ct->cgroup && *ct->cgroup;
}

int runc_ps(const struct runc_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {{"format", required_argument, NULL, 'f'}, {0}};
        if (help(argc, argv,
                 "ps [--format table|json] ID [PS OPTIONS]\n\nLists the container's "
                 "processes: json, an array of host pids; table, ps(1)'s\noutput "
                 "for them (default options -ef).\n"))
                return 0;
        const char *format = "table";
        int ch;
        optind = 1;
        while ((ch = getopt_long(argc, argv, "+f:", opts, NULL)) >= 0) {
                if (ch == 'f')
                        format = optarg;
                else
                        return 1;
        }
        if (optind >= argc) {
                log_error("ps: missing container ID");
                return 1;
        }
        if (!streq(format, "table") && !streq(format, "json")) {
                log_error("ps: --format %s: use table or json", format);
                return 1;
        }
        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        if (runc_ct_open(g, argv[optind], false, &ct) < 0)
                return 1;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (ct.status != RUNC_STOPPED && has_cgroup(&ct)) {
                int r = cgroup_pids(CGROUP_ROOT, ct.cgroup, &pids, &n);
                if (r < 0 && r != -ENOENT) {
                        log_error_errno(r, "ps: listing the processes of %s", ct.id);
                        return 1;
                }
        }
        if (streq(format, "json")) {
                struct json_object *a = json_object_new_array();
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(a, json_object_new_int(pids[i]));
                printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
                json_object_put(a);
                return 0;
        }
        /* table: ps(1) itself, restricted to the container's pids. */
        _cleanup_free_ char *list = xstrdup("");
        for (size_t i = 0; i < n; i++) {
                char *l = xasprintf("%s%s%d", list, i ? "," : "", (int)pids[i]);
                free(list);
                list = l;
        }
        if (n == 0) {
                printf("PID CMD\n");
                return 0;
        }
        size_t extra = (size_t)(argc - optind - 1);
        char **args = xcalloc(extra + 5, sizeof(char *));
        size_t k = 0;
        args[k++] = (char *)"ps";
        if (extra == 0)
                args[k++] = (char *)"-f";
        for (int i = optind + 1; i < argc; i++)
                args[k++] = argv[i];
        args[k++] = (char *)"-p";
        args[k++] = list;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                execvp("ps", args);
                _exit(127);
        }
        free(args);
        int st = 0;
        if (pid < 0 || RETRY_EINTR(waitpid(pid, &st, 0)) < 0 || !WIFEXITED(st) ||
            WEXITSTATUS(st) != 0) {
                log_error("ps: running ps(1) failed");
                return 1;
        }
        return 0;
}

static int freeze(const struct runc_globals *g, int argc, char **argv, bool on)
{
        if (help(argc, argv,
                 on ? "pause ID\n\nFreezes every process of the container.\n"
                    : "resume ID\n\nThaws a paused container.\n"))
                return 0;
        if (argc != 2) {
                log_error("%s: usage: %s ID", argv[0], argv[0]);
                return 1;
        }
        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        if (runc_ct_open(g, argv[1], false, &ct) < 0)
                return 1;
        if (on && ct.status != RUNC_RUNNING && ct.status != RUNC_CREATED) {
                log_error("container %s is not running (%s)", ct.id, runc_status_name(ct.status));
                return 1;
        }
        if (!on && ct.status != RUNC_PAUSED) {
                log_error("container %s is not paused (%s)", ct.id, runc_status_name(ct.status));
                return 1;
        }
        if (!has_cgroup(&ct)) {
                log_error("container %s has no cgroup", ct.id);
                return 1;
        }
        int r = cgroup_freeze(CGROUP_ROOT, ct.cgroup, on);
        if (r < 0) {
                log_error_errno(r, "%s: %s the cgroup %s", argv[0], on ? "freezing" : "thawing",
                                ct.cgroup);
                return 1;
        }
        return runc_ct_set_status(&ct, on ? "paused" : "running") < 0 ? 1 : 0;
}

int runc_pause(const struct runc_globals *g, int argc, char **argv)
{
        return freeze(g, argc, argv, true);
}

int runc_resume(const struct runc_globals *g, int argc, char **argv)
{
        return freeze(g, argc, argv, false);
}

static struct json_object *u64(uint64_t v)
{
        return json_object_new_uint64(v);
}

static struct json_object *stats_json(const struct runc_ct *ct, const struct box_cgroup_stats *s)
{
        struct json_object *data = json_object_new_object(), *o, *u;
        o = json_object_new_object();
        u = json_object_new_object();
        json_object_object_add(u, "total", u64(s->cpu_usage_usec * 1000));
        json_object_object_add(o, "usage", u);
        json_object_object_add(data, "cpu", o);
        o = json_object_new_object();
        u = json_object_new_object();
        json_object_object_add(u, "usage", u64(s->memory_current));
        json_object_object_add(u, "max", u64(s->memory_peak));
        json_object_object_add(o, "usage", u);
        json_object_object_add(data, "memory", o);
        o = json_object_new_object();
        json_object_object_add(o, "current", u64(s->pids_current));
        json_object_object_add(data, "pids", o);
        o = json_object_new_object();
        struct json_object *a = json_object_new_array();
        static const char *const ops[] = {"Read", "Write"};
        uint64_t vals[] = {s->io_read_bytes, s->io_write_bytes};
        for (size_t i = 0; i < 2; i++) {
                u = json_object_new_object();
                json_object_object_add(u, "op", json_object_new_string(ops[i]));
                json_object_object_add(u, "value", u64(vals[i]));
                json_object_array_add(a, u);
        }
        json_object_object_add(o, "ioServiceBytesRecursive", a);
        json_object_object_add(data, "blkio", o);
        struct json_object *ev = json_object_new_object();
        json_object_object_add(ev, "type", json_object_new_string("stats"));
        json_object_object_add(ev, "id", json_object_new_string(ct->id));
        json_object_object_add(ev, "data", data);
        return ev;
}

int runc_events(const struct runc_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
                {"stats", no_argument, NULL, 's'}, {"interval", required_argument, NULL, 'i'}, {0}};
        if (help(argc, argv,
                 "events [--stats] [--interval SECONDS] ID\n\nPrints the "
                 "container's resource usage as JSON: once with --stats,\nelse every "
                 "interval (default 5) until it stops.\n"))
                return 0;
        bool once = false;
        unsigned interval = 5;
        int ch;
        optind = 1;
        while ((ch = getopt_long(argc, argv, "+", opts, NULL)) >= 0) {
                if (ch == 's')
                        once = true;
                else if (ch == 'i')
                        interval = (unsigned)strtoul(optarg, NULL, 10) ?: 1;
                else
                        return 1;
        }
        if (optind + 1 != argc) {
                log_error("events: usage: events [--stats] ID");
                return 1;
        }
        for (;;) {
                _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
                if (runc_ct_open(g, argv[optind], false, &ct) < 0)
                        return 1;
                if (ct.status == RUNC_STOPPED) {
                        if (once) {
                                log_error("container %s is not running", ct.id);
                                return 1;
                        }
                        return 0;
                }
                struct box_cgroup_stats s = {0};
                int r = has_cgroup(&ct) ? cgroup_stats(CGROUP_ROOT, ct.cgroup, &s) : -ENOENT;
                if (r < 0) {
                        log_error_errno(r, "events: reading the cgroup of %s", ct.id);
                        return 1;
                }
                struct json_object *ev = stats_json(&ct, &s);
                printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
                fflush(stdout);
                json_object_put(ev);
                if (once)
                        return 0;
                runc_ct_done(&ct);
                sleep(interval);
        }
}

/* update: a linux.resources object, put in the container's config.json as created and read
 * through the OCI front-end (the same checks as at create), written to its cgroup. Only the
 * limits the object sets are written. */
int runc_update(const struct runc_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {{"resources", required_argument, NULL, 'r'}, {0}};
        if (help(argc, argv,
                 "update --resources FILE|- ID\n\nApplies a linux.resources object "
                 "(runtime-spec) to the container's cgroup.\n"))
                return 0;
        const char *res = NULL;
        int ch;
        optind = 1;
        while ((ch = getopt_long(argc, argv, "+r:", opts, NULL)) >= 0) {
                if (ch == 'r')
                        res = optarg;
                else
                        return 1;
        }
        if (optind + 1 != argc) {
                log_error("update: usage: update --resources FILE|- ID");
                return 1;
        }
        if (!res) {
                log_error("update: --resources FILE|- is required (no other flag is supported)");
                return 1;
        }
        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        if (runc_ct_open(g, argv[optind], false, &ct) < 0)
                return 1;
        if (ct.status == RUNC_STOPPED || !has_cgroup(&ct)) {
                log_error("container %s is not running", ct.id);
                return 1;
        }
        _cleanup_free_ char *text = NULL, *orig = NULL;
        int r = streq(res, "-") ? read_fd_all(STDIN_FILENO, &text, NULL, 1 << 20)
                                : read_file_at(AT_FDCWD, res, &text, 1 << 20);
        if (r < 0) {
                log_error_errno(r, "update: reading %s", res);
                return 1;
        }
        r = read_file_at(ct.dirfd, "config.json", &orig, 64 << 20);
        if (r < 0) {
                log_error_errno(r, "update: reading %s/config.json", ct.dir);
                return 1;
        }
        struct json_object *o = json_tokener_parse(text), *cfg = json_tokener_parse(orig), *lx;
        if (!o || !json_object_is_type(o, json_type_object) || !cfg) {
                log_error("update: %s: not a JSON object", res);
                json_object_put(o);
                json_object_put(cfg);
                return 1;
        }
        if (!json_object_object_get_ex(cfg, "linux", &lx)) {
                lx = json_object_new_object();
                json_object_object_add(cfg, "linux", lx);
        }
        json_object_object_add(lx, "resources", o);
        _cleanup_(box_config_freep) struct box_config *c = xcalloc(1, sizeof(*c));
        r = runc_load_config_text(json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN), res,
                                  ct.bundle, ct.id, c);
        json_object_put(cfg);
        if (r < 0)
                return 1;
        r = cgroup_update(CGROUP_ROOT, ct.cgroup, c);
        return r < 0 ? 1 : 0;
}
