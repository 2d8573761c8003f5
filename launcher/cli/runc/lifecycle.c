/* lifecycle.c - create, start, run, state, kill, delete, list: a container's life as the OCI
 * runtime spec's lifecycle and runc's command line have it.
 *
 *   create   the launch (launch/launch.c) in its OCI mode: the init is our child, set up up to
 *            its payload's execve, blocked on ROOT/ID/exec.fifo; state.json and --pid-file are
 *            written, and we exit. The caller (conmon, containerd's shim: subreapers) inherits
 *            the init. A failed create leaves nothing: no state, cgroup, process or mount.
 *   start    opens the FIFO for reading: the init goes on, executes the payload.
 *   run      create + start; in the foreground the .box supervisor's loop waits for the
 *            container, forwards signals and returns its exit code, then cleans up.
 *   delete   poststop hooks, the cgroups, the state; --force kills a live container first. */
#include "cli/runc/runc.h"

#include "cgroup/cgroup.h"
#include "core/config_json.h"
#include "frontend/oci/oci.h"
#include "launch/hooks.h"
#include "launch/launch.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/syscalls.h"

#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

static bool want_help(int argc, char **argv, const char *usage)
{
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--"))
                        break;
                if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
                        printf("Usage: %s %s\n", RUNC_NAME, usage);
                        return true;
                }
        }
        return false;
}

/* The ID operand (exactly one, after the options). */
static const char *one_id(int argc, char **argv, int first, const char *verb)
{
        if (first >= argc) {
                log_error("%s: missing container ID", verb);
                return NULL;
        }
        if (first + 1 < argc) {
                log_error("%s: too many arguments after the container ID", verb);
                return NULL;
        }
        return argv[first];
}

char *runc_now_rfc3339(void)
{
        struct timespec ts;
        struct tm tm;
        char buf[64];
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t k = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + k, sizeof(buf) - k, ".%09ldZ", ts.tv_nsec);
        return xstrdup(buf);
}

/* ---- create and run ----------------------------------------------------------------------- */

struct create_args {
        const char *id;
        const char *bundle;
        const char *pid_file;
        const char *console_socket;
        unsigned preserve_fds;
        bool detach;
};

static int parse_create(int argc, char **argv, bool run, struct create_args *a)
{
        enum { O_NO_PIVOT = 256, O_NO_KEYRING, O_PRESERVE, O_KEEP, O_NO_SUBREAPER };
        static const struct option opts[] = {
                {"bundle", required_argument, NULL, 'b'},
                {"pid-file", required_argument, NULL, 'p'},
                {"console-socket", required_argument, NULL, 'c'},
                {"preserve-fds", required_argument, NULL, O_PRESERVE},
                {"no-pivot", no_argument, NULL, O_NO_PIVOT},
                {"no-new-keyring", no_argument, NULL, O_NO_KEYRING},
                {"detach", no_argument, NULL, 'd'},
                {"keep", no_argument, NULL, O_KEEP},
                {"no-subreaper", no_argument, NULL, O_NO_SUBREAPER},
                {0},
        };
        int ch;
        optind = 1;
        opterr = 1;
        while ((ch = getopt_long(argc, argv, run ? "+b:p:c:d" : "+b:p:c:", opts, NULL)) >= 0) {
                switch (ch) {
                case 'b':
                        a->bundle = optarg;
                        break;
                case 'p':
                        a->pid_file = optarg;
                        break;
                case 'c':
                        a->console_socket = optarg;
                        break;
                case O_PRESERVE: {
                        char *end;
                        unsigned long n = strtoul(optarg, &end, 10);
                        if (*optarg == 0 || *end || n > 1024) {
                                log_error("--preserve-fds %s: not a number of fds", optarg);
                                return -EINVAL;
                        }
                        a->preserve_fds = (unsigned)n;
                        break;
                }
                case 'd':
                        a->detach = true;
                        break;
                case O_NO_PIVOT: /* pivot_root always works here: nothing to fall back to */
                case O_NO_KEYRING:
                case O_KEEP:
                case O_NO_SUBREAPER:
                        break;
                default:
                        return -EINVAL;
                }
        }
        a->id = one_id(argc, argv, optind, argv[0]);
        return a->id ? 0 : -EINVAL;
}

struct create_ctx {
        struct runc_ct *ct;
        const struct create_args *a;
        const struct box_config *c;
        const char *bundle;
        const char *config_text; /* the bundle's config.json, kept as created */
        bool foreground;
};

/* The pid file as clients parse it: decimal, no newline (containerd rejects one). */
static int write_pid_file(const char *path, pid_t pid)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
        int r = runc_write_file(path, buf, (size_t)n);
        return r < 0 ? log_error_errno(r, "writing the pid file %s", path) : 0;
}

static struct json_object *annotations_json(const struct box_config *c)
{
        struct json_object *o = json_object_new_object();
        for (char **p = c->annotations; p && *p; p++) {
                const char *eq = strchr(*p, '=');
                if (!eq)
                        continue;
                _cleanup_free_ char *k = xstrndup(*p, (size_t)(eq - *p));
                json_object_object_add(o, k, json_object_new_string(eq + 1));
        }
        return o;
}

/* A file new in the container's directory, which only we hold locked until the container is
 * recorded: nobody reads it half-written, so no temporary file and rename. */
static int write_new(const struct runc_ct *ct, const char *name, const char *text)
{
        _cleanup_close_ int fd =
                openat(ct->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        int r = fd < 0 ? -errno : write_all(fd, text, strlen(text));
        return r < 0 ? log_error_errno(r, "writing %s/%s", ct->dir, name) : 0;
}

/* launch_oci.record: the init exists and mounts its root meanwhile; write its state and the
 * bundle's config.json as created. */
static int on_record(void *userdata, pid_t pid, const char *cgroup)
{
        struct create_ctx *x = userdata;
        struct runc_ct *ct = x->ct;
        unsigned long long start = 0;
        (void)proc_starttime(pid, &start);
        _cleanup_free_ char *now = runc_now_rfc3339();
        struct json_object *s = json_object_new_object();
        json_object_object_add(s, "ociVersion", json_object_new_string(RUNC_OCI_VERSION));
        json_object_object_add(s, "id", json_object_new_string(ct->id));
        json_object_object_add(s, "pid", json_object_new_int(pid));
        json_object_object_add(s, "status",
                               json_object_new_string(x->foreground ? "running" : "created"));
        json_object_object_add(s, "bundle", json_object_new_string(x->bundle));
        json_object_object_add(s, "rootfs", json_object_new_string(x->c->root));
        json_object_object_add(s, "created", json_object_new_string(now));
        json_object_object_add(s, "owner", json_object_new_string(""));
        json_object_object_add(s, "annotations", annotations_json(x->c));
        json_object_object_add(s, "pidstart", json_object_new_int64((int64_t)start));
        json_object_object_add(s, "cgroup", json_object_new_string(cgroup ?: ""));
        json_object_object_add(s, "config", box_config_to_json(x->c));
        if (ct->state)
                json_object_put(ct->state);
        ct->state = s;
        int r = write_new(ct, "config.json", x->config_text);
        if (r < 0)
                return r;
        return write_new(ct, "state.json",
                         json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN));
}

/* launch_oci.created: the init is ready (recorded by on_record()). */
static int on_created(void *userdata, pid_t pid, const char *cgroup)
{
        struct create_ctx *x = userdata;
        struct runc_ct *ct = x->ct;
        int r;
        if (x->a->pid_file && (r = write_pid_file(x->a->pid_file, pid)) < 0)
                return r;
        /* run in the foreground: state, kill, exec... may act on it while it runs. */
        if (x->foreground)
                (void)flock(ct->dirfd, LOCK_UN);
        return 0;
}

/* The caller's console socket, connected (its path may be longer than sun_path: go through
 * the directory). */
int runc_connect_console(const char *path)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_free_ char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        const char *base = path;
        _cleanup_close_ int dfd = -EBADF;
        if (strlen(path) >= sizeof(sa.sun_path) && slash) {
                *slash = 0;
                dfd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return log_error_errno(-errno, "console socket %s", path);
                base = slash + 1;
                _cleanup_free_ char *p = xasprintf("/proc/self/fd/%d/%s", dfd, base);
                if (strlen(p) >= sizeof(sa.sun_path))
                        return log_error_errno(-ENAMETOOLONG, "console socket %s", path);
                strcpy(sa.sun_path, p);
        } else {
                if (strlen(path) >= sizeof(sa.sun_path))
                        return log_error_errno(-ENAMETOOLONG, "console socket %s", path);
                strcpy(sa.sun_path, path);
        }
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(-errno, "console socket");
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return log_error_errno(r, "connecting to the console socket %s", path);
        }
        return fd;
}

/* Reads BUNDLE/config.json (once: the text is kept as the container's copy) into c. */
static int load_bundle(const char *bundle, const char *id, struct box_config *c, char **ret_text)
{
        _cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
        _cleanup_free_ char *text = NULL;
        box_config_init(c);
        int r = read_file_at(AT_FDCWD, path, &text, 16 << 20);
        if (r < 0)
                return log_error_errno(r, "reading %s", path);
        if (!*text) {
                log_error("%s: empty", path);
                return -EINVAL;
        }
        r = oci_spec_load_string(text, path, bundle, c);
        if (r < 0)
                return r; /* logged, naming the JSON path */
        free(c->name);
        c->name = xstrdup(id);
        *ret_text = TAKE_PTR(text);
        return box_config_validate(c); /* logged */
}

int runc_load_config_text(const char *text, const char *what, const char *bundle, const char *id,
                          struct box_config *c)
{
        box_config_init(c);
        int r = oci_spec_load_string(text, what, bundle, c);
        if (r < 0)
                return r; /* logged, naming the JSON path */
        free(c->name);
        c->name = xstrdup(id);
        return box_config_validate(c); /* logged */
}

/* create (foreground false) or run (true: supervise until the container exits). Returns the
 * exit code: create 0/1, run the container's. */
static int do_create(const struct runc_globals *g, const struct create_args *a, bool foreground)
{
        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        _cleanup_free_ char *bundle = realpath(a->bundle ? a->bundle : ".", NULL);
        if (!bundle) {
                log_error_errno(-errno, "bundle %s", a->bundle ? a->bundle : ".");
                return 1;
        }
        if (geteuid() != 0) {
                log_error("%s must run as root", RUNC_NAME);
                return 1;
        }
        if (runc_ct_new(g, a->id, &ct) < 0)
                return 1;
        _cleanup_(box_config_freep) struct box_config *c = xcalloc(1, sizeof(*c));
        _cleanup_close_ int fifo = -EBADF, console = -EBADF;
        _cleanup_free_ char *config_text = NULL;
        int code = 1;
        if (load_bundle(bundle, a->id, c, &config_text) < 0)
                goto fail;
        if (!foreground) {
                _cleanup_free_ char *path = xasprintf("%s/exec.fifo", ct.dir);
                /* 0622: an init in a user namespace reopens it for writing. */
                mode_t old = umask(0);
                int r = mkfifo(path, 0622);
                umask(old);
                if (r < 0) {
                        log_error_errno(-errno, "creating %s", path);
                        goto fail;
                }
                fifo = open(path, O_PATH | O_CLOEXEC);
                if (fifo < 0) {
                        log_error_errno(-errno, "opening %s", path);
                        goto fail;
                }
        }
        if (a->console_socket && (console = runc_connect_console(a->console_socket)) < 0)
                goto fail;
        struct create_ctx x = {.ct = &ct,
                               .a = a,
                               .c = c,
                               .bundle = bundle,
                               .config_text = config_text,
                               .foreground = foreground};
        struct launch_oci oci = {
                .bundle = bundle,
                .fifo_fd = fifo,
                .console_sock = console,
                .preserve_fds = a->preserve_fds,
                .foreground = foreground,
                .record = on_record,
                .created = on_created,
                .userdata = &x,
        };
        code = launch_box(c, &(struct launch_opts){.detach_fd = -1, .oci = &oci});
        if (code == 0 && !foreground)
                return 0;
        if (foreground && ct.state) {
                /* The launch removed the groups and ran the poststop hooks. */
                (void)RETRY_EINTR(flock(ct.dirfd, LOCK_EX));
                runc_ct_remove(&ct);
                return code;
        }
fail:
        runc_ct_remove(&ct);
        return foreground && code ? code : 1;
}

int runc_create(const struct runc_globals *g, int argc, char **argv)
{
        static const char usage[] =
                "create [--bundle DIR] [--pid-file FILE] [--console-socket PATH]\n"
                "       [--preserve-fds N] ID\n\n"
                "Sets the container up to its process, which waits for `start`.\n";
        if (want_help(argc, argv, usage))
                return 0;
        struct create_args a = {0};
        if (parse_create(argc, argv, false, &a) < 0)
                return 1;
        return do_create(g, &a, false);
}

static int start_ct(struct runc_ct *ct);

int runc_run(const struct runc_globals *g, int argc, char **argv)
{
        static const char usage[] =
                "run [--bundle DIR] [--pid-file FILE] [--console-socket PATH]\n"
                "       [--preserve-fds N] [--detach] ID\n\n"
                "Creates and starts the container; without --detach waits for it and exits\n"
                "with its exit code.\n";
        if (want_help(argc, argv, usage))
                return 0;
        struct create_args a = {0};
        if (parse_create(argc, argv, true, &a) < 0)
                return 1;
        if (!a.detach)
                return do_create(g, &a, true);
        int code = do_create(g, &a, false);
        if (code)
                return code;
        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        if (runc_ct_open(g, a.id, false, &ct) < 0)
                return 1;
        return start_ct(&ct) < 0 ? 1 : 0;
}

/* ---- start -------------------------------------------------------------------------------- */

static int run_hooks_of(struct runc_ct *ct, enum box_hook_stage stage, const char *status)
{
        _cleanup_(box_config_freep) struct box_config *c = xcalloc(1, sizeof(*c));
        if (runc_ct_config(ct, c) < 0)
                return -EINVAL;
        bool any = false;
        for (size_t i = 0; i < c->n_hooks; i++)
                any = any || c->hooks[i].stage == stage;
        if (!any)
                return 0;
        struct hook_state st = {.id = ct->id,
                                .status = status,
                                .pid = ct->pid,
                                .bundle = ct->bundle,
                                .annotations = c->annotations};
        return hooks_run(c, stage, &st, 0, false);
}

/* Releases the init: it is blocked opening the FIFO for writing until we open it for
 * reading, then writes one byte, and keeps its end open until it executes the payload (or
 * exits): the EOF after the byte is the spec's "after the process is executed", when the
 * poststart hooks may run. Its death meanwhile shows on the pidfd. */
static int release_init(struct runc_ct *ct)
{
        _cleanup_close_ int fd = openat(ct->dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "opening %s/exec.fifo", ct->dir);
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = ct->pidfd, .events = POLLIN}};
        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(-errno, "waiting for the container's init");
                }
                char b;
                if (p[0].revents & POLLIN && read(fd, &b, 1) == 1)
                        break;
                if (p[1].revents) {
                        log_error("container %s: its init exited before start", ct->id);
                        return -ESRCH;
                }
        }
        /* Then the EOF (POLLHUP), or the init's end (the pidfd); either way it is executing or
         * gone, which `state` tells apart. */
        while (!(p[0].revents & POLLHUP) && !p[1].revents)
                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        break;
        (void)unlinkat(ct->dirfd, "exec.fifo", 0);
        return 0;
}

static int start_ct(struct runc_ct *ct)
{
        switch (ct->status) {
        case RUNC_CREATED:
                break;
        case RUNC_STOPPED:
                log_error("cannot start a container that has stopped");
                return -EINVAL;
        case RUNC_CREATING:
                log_error("container %s is still being created", ct->id);
                return -EBUSY;
        default:
                log_error("cannot start an already running container");
                return -EINVAL;
        }
        int r = release_init(ct);
        if (r < 0)
                return r;
        ct->status = RUNC_RUNNING;
        (void)runc_ct_set_status(ct, "running");
        (void)run_hooks_of(ct, BOX_HOOK_POSTSTART, "running");
        return 0;
}

int runc_start(const struct runc_globals *g, int argc, char **argv)
{
        if (want_help(argc, argv, "start ID\n\nLets a created container's process run.\n"))
                return 0;
        const char *id = one_id(argc, argv, 1, "start");
        if (!id)
                return 1;
        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        if (runc_ct_open(g, id, false, &ct) < 0)
                return 1;
        return start_ct(&ct) < 0 ? 1 : 0;
}

/* ---- state, list -------------------------------------------------------------------------- */

int runc_state(const struct runc_globals *g, int argc, char **argv)
{
        if (want_help(argc, argv,
                      "state ID\n\nPrints the container's state (runtime-spec) as "
                      "JSON.\n"))
                return 0;
        const char *id = one_id(argc, argv, 1, "state");
        if (!id)
                return 1;
        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        if (runc_ct_open(g, id, false, &ct) < 0)
                return 1;
        struct json_object *o = runc_ct_oci_state(&ct);
        runc_print_json(o);
        json_object_put(o);
        return 0;
}

int runc_list(const struct runc_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
                {"format", required_argument, NULL, 'f'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *format = "table";
        bool quiet = false;
        int ch;
        optind = 1;
        while ((ch = getopt_long(argc, argv, "+f:qh", opts, NULL)) >= 0) {
                if (ch == 'f')
                        format = optarg;
                else if (ch == 'q')
                        quiet = true;
                else if (ch == 'h') {
                        printf("Usage: %s list [--format table|json] [--quiet]\n", RUNC_NAME);
                        return 0;
                } else
                        return 1;
        }
        if (!streq(format, "table") && !streq(format, "json")) {
                log_error("list: --format %s: use table or json", format);
                return 1;
        }
        _cleanup_strv_ char **ids = NULL;
        runc_ids(g, &ids);
        struct json_object *arr = json_object_new_array();
        if (!quiet && streq(format, "table"))
                printf("%-20s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
                       "CREATED", "OWNER");
        for (char **id = ids; *id; id++) {
                _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
                if (runc_ct_open(g, *id, true, &ct) < 0)
                        continue;
                struct json_object *s = runc_ct_oci_state(&ct), *v;
                const char *created = json_object_object_get_ex(s, "created", &v)
                                              ? json_object_get_string(v)
                                              : "";
                if (quiet)
                        printf("%s\n", ct.id);
                else if (streq(format, "table"))
                        printf("%-20s %-8d %-10s %-40s %-30s %s\n", ct.id, (int)ct.pid,
                               runc_status_name(ct.status), ct.bundle, created, "root");
                json_object_array_add(arr, s);
        }
        if (!quiet && streq(format, "json"))
                runc_print_json(arr);
        json_object_put(arr);
        return 0;
}

/* ---- kill, delete ------------------------------------------------------------------------- */

/* Signals every process of the container's cgroup (through pidfds: a pid is never reused
 * under us). */
static int kill_all(const struct runc_ct *ct, int sig)
{
        if (!ct->cgroup || !*ct->cgroup)
                return 0;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = cgroup_pids(CGROUP_ROOT, ct->cgroup, &pids, &n);
        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "listing the processes of %s", ct->id);
        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int fd = sys_pidfd_open(pids[i], 0);
                if (fd >= 0)
                        (void)sys_pidfd_send_signal(fd, sig, NULL, 0);
        }
        return 0;
}

int runc_kill(const struct runc_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
                {"all", no_argument, NULL, 'a'},
                {0},
        };
        if (want_help(argc, argv,
                      "kill [--all] ID [SIGNAL]\n\nSends SIGNAL (a name or number; "
                      "default TERM) to the container's init, or with --all\nto every "
                      "process of the container.\n"))
                return 0;
        bool all = false;
        int ch;
        optind = 1;
        while ((ch = getopt_long(argc, argv, "+a", opts, NULL)) >= 0) {
                if (ch == 'a')
                        all = true;
                else
                        return 1;
        }
        if (optind >= argc || optind + 2 < argc) {
                log_error("kill: usage: kill [--all] ID [SIGNAL]");
                return 1;
        }
        const char *id = argv[optind];
        int sig = optind + 1 < argc ? signal_from_string(argv[optind + 1]) : SIGTERM;
        if (sig < 0) {
                log_error("kill: invalid signal %s", argv[optind + 1]);
                return 1;
        }
        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        if (runc_ct_open(g, id, false, &ct) < 0)
                return 1;
        if (ct.status == RUNC_STOPPED || ct.status == RUNC_CREATING) {
                if (all)
                        return 0;
                log_error("container not running");
                return 1;
        }
        if (all)
                return kill_all(&ct, sig) < 0 ? 1 : 0;
        if (sys_pidfd_send_signal(ct.pidfd, sig, NULL, 0) < 0) {
                log_error_errno(-errno, "kill: signalling the container's init");
                return 1;
        }
        return 0;
}

/* Kills whatever is alive and waits for the init to be gone. */
static void kill_container(struct runc_ct *ct)
{
        if (ct->status == RUNC_PAUSED && ct->cgroup)
                (void)cgroup_freeze(CGROUP_ROOT, ct->cgroup, false);
        if (ct->pidfd >= 0)
                (void)sys_pidfd_send_signal(ct->pidfd, SIGKILL, NULL, 0);
        (void)kill_all(ct, SIGKILL);
        if (ct->pidfd >= 0) {
                struct pollfd p = {.fd = ct->pidfd, .events = POLLIN};
                (void)RETRY_EINTR(poll(&p, 1, 10000));
        }
}

int runc_delete(const struct runc_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
                {"force", no_argument, NULL, 'f'},
                {0},
        };
        if (want_help(argc, argv,
                      "delete [--force] ID\n\nRemoves a stopped (or created) "
                      "container: poststop hooks, cgroups, state.\n--force kills a "
                      "running one first.\n"))
                return 0;
        bool force = false;
        int ch;
        optind = 1;
        while ((ch = getopt_long(argc, argv, "+f", opts, NULL)) >= 0) {
                if (ch == 'f')
                        force = true;
                else
                        return 1;
        }
        const char *id = one_id(argc, argv, optind, "delete");
        if (!id)
                return 1;
        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        int r = runc_ct_open(g, id, force, &ct);
        if (r == -ENOENT && force)
                return 0;
        if (r < 0)
                return 1;
        if ((ct.status == RUNC_RUNNING || ct.status == RUNC_PAUSED) && !force) {
                log_error("cannot delete container %s that is not stopped: %s", id,
                          runc_status_name(ct.status));
                return 1;
        }
        kill_container(&ct);
        if (ct.status != RUNC_CREATING) {
                /* As runc: poststop runs on every delete, before it returns. */
                ct.status = RUNC_STOPPED;
                ct.pid = 0;
                (void)run_hooks_of(&ct, BOX_HOOK_POSTSTOP, "stopped");
        }
        if (ct.cgroup && *ct.cgroup && (r = cgroup_gc_path(CGROUP_ROOT, ct.cgroup)) < 0)
                log_warn_errno(r, "removing the cgroup %s", ct.cgroup);
        runc_ct_remove(&ct);
        return 0;
}
