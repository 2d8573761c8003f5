/* verbs.c - list, status, stop, kill, pause, resume, ps, stats, gc (exec and shell are in
 * exec.c). Every verb finds the box through /run/boxlaunch/NAME/ (state.h). Processes are only
 * signalled through a pidfd opened after checking the start time recorded at launch, so a pid
 * reused by an unrelated process is never hit. */
#include "cli/verbs.h"
#include "util/syscalls.h"

#include "frontend/box/box.h"
#include "cgroup/cgroup.h"
#include "core/config.h"
#include "util/log.h"
#include "util/signals.h"
#include "ops/state.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

/* Exit code of a verb whose own operation failed (as opposed to usage / no such box). */
#define EXIT_VERB_FAILED 3

/* ---- helpers shared with exec.c ----------------------------------------------------------- */

void json_write_string(FILE *f, const char *s)
{
        if (!s) {
                fputs("null", f);
                return;
        }
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\r':
                        fputs("\\r", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                case '\b':
                        fputs("\\b", f);
                        break;
                case '\f':
                        fputs("\\f", f);
                        break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                fprintf(f, "\\u%04x", *p);
                        else
                                fputc(*p, f);
                }
        }
        fputc('"', f);
}

static bool parse_ll(const char *s, long long *ret)
{
        if (!s || !*s)
                return false;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end)
                return false;
        *ret = v;
        return true;
}

void box_ref_done(struct box_ref *b)
{
        free(b->name);
        free(b->cgroup);
        free(b->status);
        if (b->pidfd >= 0)
                close(b->pidfd);
        *b = (struct box_ref){.pidfd = -1};
}

static void box_ref_donep(struct box_ref *b)
{
        box_ref_done(b);
}
#define _cleanup_box_ref_ _cleanup_(box_ref_donep)

static int ref_load(const char *name, struct box_ref *b, bool quiet)
{
        *b = (struct box_ref){.pidfd = -1};
        if (!box_name_valid(name)) {
                if (!quiet)
                        log_error("invalid box name '%s'", name);
                return -EINVAL;
        }
        if (!state_is_running(name)) {
                if (!quiet)
                        log_error("no box '%s' is running (no locked %s/%s)", name, state_root(),
                                  name);
                return -ENOENT;
        }
        b->name = xstrdup(name);
        _cleanup_free_ char *pid = state_get(name, "pid");
        _cleanup_free_ char *start = state_get(name, "pidstart");
        _cleanup_free_ char *sup = state_get(name, "supervisor");
        _cleanup_free_ char *created = state_get(name, "created");
        b->cgroup = state_get(name, "cgroup");
        b->status = state_get(name, "status");
        long long v, st;
        if (!parse_ll(pid, &v) || v <= 0 || !parse_ll(start, &st)) {
                if (!quiet)
                        log_error("box '%s' is still starting (no PID 1 recorded yet)", name);
                box_ref_done(b);
                return -EAGAIN;
        }
        b->pid = (pid_t)v;
        if (parse_ll(sup, &v) && v > 0)
                b->supervisor = (pid_t)v;
        if (parse_ll(created, &v))
                b->created = v;
        if (!b->status)
                b->status = xstrdup("unknown");

        /* Open first, then check: the pidfd pins the process the start time was read from. */
        b->pidfd = sys_pidfd_open(b->pid, 0);
        unsigned long long now_start = 0;
        if (b->pidfd < 0 || proc_starttime(b->pid, &now_start) < 0 ||
            now_start != (unsigned long long)st) {
                if (!quiet)
                        log_error("PID 1 of box '%s' (pid %d) has exited; the box is stopping",
                                  name, (int)b->pid);
                box_ref_done(b);
                return -ESRCH;
        }
        return 0;
}

int box_ref_open(const char *name, struct box_ref *ret)
{
        return ref_load(name, ret, false);
}

/* For best-effort reads whose failure is shown as "-" instead. */
static void quiet_sink(enum log_level l, const char *line, void *userdata)
{
}

/* "12s", "5m", "3h", "2d". */
static void format_age(long long created, char buf[static 32])
{
        long long d = (long long)time(NULL) - created;
        if (created <= 0 || d < 0)
                snprintf(buf, 32, "-");
        else if (d < 120)
                snprintf(buf, 32, "%llds", d);
        else if (d < 7200)
                snprintf(buf, 32, "%lldm", d / 60);
        else if (d < 2 * 86400)
                snprintf(buf, 32, "%lldh", d / 3600);
        else
                snprintf(buf, 32, "%lldd", d / 86400);
}

/* The root directory from the resolved config (NULL if unreadable). */
static char *box_root(const char *name)
{
        _cleanup_free_ char *path = state_path(name), *text = NULL;
        _cleanup_(box_config_freep) struct box_config *c = xcalloc(1, sizeof(*c));
        size_t len;
        if (state_config(name, &text, &len) < 0)
                return NULL;
        box_config_init(c);
        log_set_sink(quiet_sink, NULL);
        int r = box_file_load_buffer(path, text, len, c);
        log_set_sink(NULL, NULL);
        return r < 0 || !c->root ? NULL : xstrdup(c->root);
}

/* Names of the state directories, sorted. */
static int list_names(char ***ret)
{
        _cleanup_dir_ DIR *d = opendir(state_root());
        char **v = NULL;
        if (!d) {
                *ret = NULL;
                return errno == ENOENT ? 0 : -errno;
        }
        struct dirent *de;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && box_name_valid(de->d_name) &&
                    (de->d_type == DT_REG || de->d_type == DT_UNKNOWN))
                        strv_push(&v, xstrdup(de->d_name));
        size_t n = strv_length(v);
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
                        char *t = v[j];
                        v[j] = v[j - 1];
                        v[j - 1] = t;
                }
        *ret = v;
        return 0;
}

static bool want_help(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--"))
                        break;
                if (streq(argv[i], "-h") || streq(argv[i], "--help"))
                        return true;
        }
        return false;
}

/* Parses "[--json] NAME" or "[--json]" (need_name false); returns 0 or 1 (usage logged). */
static int parse_simple(int argc, char **argv, bool need_name, bool allow_json, bool *json,
                        const char **name)
{
        *name = NULL;
        for (int i = 1; i < argc; i++) {
                if (allow_json && streq(argv[i], "--json"))
                        *json = true;
                else if (argv[i][0] == '-' && argv[i][1]) {
                        log_error("%s: unknown option %s (see --help)", argv[0], argv[i]);
                        return 1;
                } else if (need_name && !*name)
                        *name = argv[i];
                else {
                        log_error("%s: unexpected argument '%s' (see --help)", argv[0], argv[i]);
                        return 1;
                }
        }
        if (need_name && !*name) {
                log_error("%s: missing box NAME (see --help)", argv[0]);
                return 1;
        }
        return 0;
}

/* ---- list / status ---------------------------------------------------------------------- */

static size_t count_procs(const char *cgroup)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (!cgroup)
                return 0;
        log_set_sink(quiet_sink, NULL);
        int r = cgroup_pids(CGROUP_ROOT, cgroup, &pids, &n);
        log_set_sink(NULL, NULL);
        return r < 0 ? 0 : n;
}

static void json_box(FILE *f, const struct box_ref *b, const char *root, const char *state,
                     bool detail)
{
        fputs("{\"name\":", f);
        json_write_string(f, b->name);
        fprintf(f, ",\"pid\":%d,\"supervisor\":%d,\"status\":", (int)b->pid, (int)b->supervisor);
        json_write_string(f, b->status);
        fprintf(f, ",\"created\":%lld,\"cgroup\":", b->created);
        json_write_string(f, b->cgroup);
        fputs(",\"root\":", f);
        json_write_string(f, root);
        if (detail) {
                fputs(",\"state\":", f);
                json_write_string(f, state);
                fprintf(f, ",\"processes\":%zu", count_procs(b->cgroup));
        }
        fputc('}', f);
}

static int verb_list(int argc, char **argv)
{
        if (want_help(argc, argv)) {
                puts("Usage: boxlaunch list [--json]\n\n"
                     "Lists the running boxes: NAME, PID (PID 1, host view), STATUS, CREATED "
                     "(age)\n"
                     "and CGROUP. --json prints an array of objects with name, pid, supervisor,\n"
                     "status, created (unix time), cgroup and root.\n"
                     "Exit status: 0; 1 on a usage error; 3 if the state directory is unreadable.");
                return 0;
        }
        bool json = false;
        const char *unused;
        if (parse_simple(argc, argv, false, true, &json, &unused))
                return 1;
        _cleanup_strv_ char **names = NULL;
        int r = list_names(&names);
        if (r < 0) {
                log_error_errno(r, "reading %s", state_root());
                return EXIT_VERB_FAILED;
        }
        if (json)
                fputc('[', stdout);
        else
                printf("%-20s %8s %-9s %8s %s\n", "NAME", "PID", "STATUS", "CREATED", "CGROUP");
        bool first = true;
        for (char **n = names; n && *n; n++) {
                _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
                if (ref_load(*n, &b, true) < 0)
                        continue;
                if (json) {
                        _cleanup_free_ char *root = box_root(*n);
                        if (!first)
                                fputc(',', stdout);
                        json_box(stdout, &b, root, NULL, false);
                } else {
                        char age[32];
                        format_age(b.created, age);
                        printf("%-20s %8d %-9s %8s %s\n", b.name, (int)b.pid, b.status, age,
                               b.cgroup ? b.cgroup : "-");
                }
                first = false;
        }
        if (json)
                fputs("]\n", stdout);
        return 0;
}

static int verb_status(int argc, char **argv)
{
        if (want_help(argc, argv)) {
                puts("Usage: boxlaunch status NAME [--json]\n\n"
                     "Shows one running box: PID 1, supervisor, status, creation time, cgroup,\n"
                     "root directory, state file (with the resolved configuration) and process\n"
                     "count.\n"
                     "Exit status: 0; 1 if no such box is running or on a usage error.");
                return 0;
        }
        bool json = false;
        const char *name;
        if (parse_simple(argc, argv, true, true, &json, &name))
                return 1;
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        if (box_ref_open(name, &b) < 0)
                return 1;
        _cleanup_free_ char *state = state_path(name);
        _cleanup_free_ char *root = box_root(name);
        if (json) {
                json_box(stdout, &b, root, state, true);
                fputc('\n', stdout);
                return 0;
        }
        char age[32], when[64] = "-";
        format_age(b.created, age);
        time_t t = (time_t)b.created;
        struct tm tm;
        if (b.created > 0 && localtime_r(&t, &tm))
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
               b.name, b.status, (int)b.pid, (int)b.supervisor, when, age,
               b.cgroup ? b.cgroup : "-", root ? root : "-", state, count_procs(b.cgroup));
        return 0;
}

/* ---- stop / kill ------------------------------------------------------------------------ */

/* Waits until the box's lock is free (the supervisor removes the directory before dropping
 * it); true if it went away within ms. */
static bool wait_gone(const char *name, uint64_t ms)
{
        uint64_t end = now_usec() + ms * 1000;
        for (;;) {
                if (!state_is_running(name))
                        return true;
                if (now_usec() >= end)
                        return false;
                struct timespec ts = {0, 20 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
}

/* A pidfd for the supervisor, if it is still the process that started PID 1: it must have
 * started no later than PID 1 (a reused pid would be younger). -1 if not. */
static int open_supervisor(const struct box_ref *b)
{
        if (b->supervisor <= 0)
                return -1;
        _cleanup_close_ int fd = sys_pidfd_open(b->supervisor, 0);
        unsigned long long sup_start, pid1_start;
        if (fd < 0 || proc_starttime(b->supervisor, &sup_start) < 0 ||
            proc_starttime(b->pid, &pid1_start) < 0 || sup_start > pid1_start)
                return -1;
        return TAKE_FD(fd);
}

static int verb_stop(int argc, char **argv)
{
        static const struct option opts[] = {
                {"timeout", required_argument, NULL, 't'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        long timeout = 30;
        int ch;
        optind = 1;
        while ((ch = getopt_long(argc, argv, "t:h", opts, NULL)) >= 0) {
                switch (ch) {
                case 't': {
                        char *end;
                        errno = 0;
                        timeout = strtol(optarg, &end, 10);
                        if (errno || *end || timeout < 0 || timeout > 86400) {
                                log_error("stop: --timeout=%s: not a number of seconds", optarg);
                                return 1;
                        }
                        break;
                }
                case 'h':
                        puts("Usage: boxlaunch stop NAME [--timeout SECS]\n\n"
                             "Asks the box's supervisor to stop it (SIGTERM: the supervisor sends\n"
                             "the box's kill signal to PID 1, then SIGKILL after StopTimeout) and\n"
                             "waits until the box is gone. After SECS (default 30) PID 1 is\n"
                             "SIGKILLed and the supervisor is given 10 more seconds to clean up.\n"
                             "Exit status: 0 once stopped; 1 if no such box is running or on a\n"
                             "usage error; 3 if the box could not be stopped.");
                        return 0;
                default:
                        return 1;
                }
        }
        if (argc - optind != 1) {
                log_error("stop: expected exactly one box NAME (see --help)");
                return 1;
        }
        const char *name = argv[optind];
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        int r = box_ref_open(name, &b);
        if (r == -ESRCH) /* PID 1 is gone already: just wait for the supervisor. */
                return wait_gone(name, (uint64_t)timeout * 1000 + 10000) ? 0 : EXIT_VERB_FAILED;
        if (r < 0)
                return 1;

        /* A frozen v1 cgroup holds even SIGKILL until it is thawed. */
        if (streq(b.status, "paused") && b.cgroup) {
                log_info("box '%s' is paused; resuming it so it can stop", name);
                if (cgroup_freeze(CGROUP_ROOT, b.cgroup, false) == 0)
                        (void)state_set_status_of(name, "running");
        }
        _cleanup_close_ int sup = open_supervisor(&b);
        if (sup >= 0)
                r = sys_pidfd_send_signal(sup, SIGTERM, NULL, 0);
        else /* no supervisor to run the protocol: ask PID 1 directly */
                r = sys_pidfd_send_signal(b.pidfd, SIGTERM, NULL, 0);
        if (r < 0 && errno != ESRCH) {
                log_error_errno(-errno, "stop: signalling box '%s'", name);
                return EXIT_VERB_FAILED;
        }
        if (wait_gone(name, (uint64_t)timeout * 1000)) {
                log_info("box '%s' stopped", name);
                return 0;
        }
        log_warn("box '%s' did not stop within %lds; killing PID 1 (pid %d)", name, timeout,
                 (int)b.pid);
        if (sys_pidfd_send_signal(b.pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH) {
                log_error_errno(-errno, "stop: killing PID 1 of box '%s'", name);
                return EXIT_VERB_FAILED;
        }
        if (!wait_gone(name, 10000)) {
                log_error("box '%s': PID 1 was killed but the supervisor did not clean up; "
                          "try 'boxlaunch gc %s'",
                          name, name);
                return EXIT_VERB_FAILED;
        }
        log_info("box '%s' killed after the %lds timeout", name, timeout);
        return 0;
}

static int verb_kill(int argc, char **argv)
{
        if (want_help(argc, argv)) {
                puts("Usage: boxlaunch kill NAME [SIGNAL]\n\n"
                     "Sends SIGNAL (default SIGTERM) to the box's PID 1. SIGNAL is a name (TERM,\n"
                     "SIGUSR1), a number, or SIGRTMIN+N / RTMAX-N. The stub init forwards it to\n"
                     "the payload.\n"
                     "Exit status: 0; 1 if no such box is running, on a bad signal or a usage\n"
                     "error; 3 if the signal could not be sent.");
                return 0;
        }
        if (argc < 2 || argc > 3) {
                log_error("kill: usage: boxlaunch kill NAME [SIGNAL]");
                return 1;
        }
        int sig = SIGTERM;
        if (argc == 3) {
                sig = signal_from_string(argv[2]);
                if (sig < 0) {
                        log_error("kill: '%s' is not a signal name or number", argv[2]);
                        return 1;
                }
        }
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        if (box_ref_open(argv[1], &b) < 0)
                return 1;
        if (sys_pidfd_send_signal(b.pidfd, sig, NULL, 0) < 0) {
                log_error_errno(-errno, "kill: signalling PID 1 (pid %d) of box '%s'", (int)b.pid,
                                argv[1]);
                return EXIT_VERB_FAILED;
        }
        char buf[16];
        log_debug("sent %s to box '%s'", signal_to_string(sig, buf), argv[1]);
        return 0;
}

/* ---- pause / resume --------------------------------------------------------------------- */

static int do_freeze(int argc, char **argv, bool freeze)
{
        if (want_help(argc, argv)) {
                printf("Usage: boxlaunch %s NAME\n\n"
                       "%s every process of the box (cgroup freezer) and sets its status to %s.\n"
                       "Exit status: 0; 1 if no such box is running or on a usage error; 3 if\n"
                       "the freezer failed.\n",
                       argv[0], freeze ? "Freezes" : "Thaws", freeze ? "paused" : "running");
                return 0;
        }
        bool json = false;
        const char *name;
        if (parse_simple(argc, argv, true, false, &json, &name))
                return 1;
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        if (box_ref_open(name, &b) < 0)
                return 1;
        if (!b.cgroup) {
                log_error("%s: box '%s' has no cgroup recorded", argv[0], name);
                return EXIT_VERB_FAILED;
        }
        if (cgroup_freeze(CGROUP_ROOT, b.cgroup, freeze) < 0)
                return EXIT_VERB_FAILED;
        int r = state_set_status_of(name, freeze ? "paused" : "running");
        if (r < 0)
                log_warn_errno(r, "%s: updating the status of '%s'", argv[0], name);
        return 0;
}

static int verb_pause(int argc, char **argv)
{
        return do_freeze(argc, argv, true);
}

static int verb_resume(int argc, char **argv)
{
        return do_freeze(argc, argv, false);
}

/* ---- ps --------------------------------------------------------------------------------- */

/* Length of the UTF-8 sequence at p (at most n bytes) if it is a valid, printable one: not
 * overlong, no surrogate, not a C1 control (U+0080..U+009F, which some terminals obey like
 * ESC [). 0 otherwise. */
static size_t utf8_printable(const unsigned char *p, size_t n)
{
        size_t len;
        uint32_t cp;
        if (p[0] >= 0xc2 && p[0] <= 0xdf)
                len = 2, cp = p[0] & 0x1f;
        else if (p[0] >= 0xe0 && p[0] <= 0xef)
                len = 3, cp = p[0] & 0x0f;
        else if (p[0] >= 0xf0 && p[0] <= 0xf4)
                len = 4, cp = p[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
                return 0;
        return len;
}

char *cescape_bytes(const char *s, size_t n)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                abort();
        const unsigned char *p = (const unsigned char *)s;
        for (size_t i = 0; i < n;) {
                size_t k;
                if (p[i] >= 0x20 && p[i] < 0x7f) {
                        if (p[i] == '\\')
                                fputc('\\', f);
                        fputc(p[i++], f);
                } else if (p[i] >= 0x80 && (k = utf8_printable(p + i, n - i)) > 0) {
                        fwrite(p + i, 1, k, f);
                        i += k;
                } else {
                        /* The C escapes where there is one. */
                        static const char letters[] = "abtnvfr";
                        if (p[i] >= '\a' && p[i] <= '\r')
                                fprintf(f, "\\%c", letters[p[i] - '\a']);
                        else
                                fprintf(f, "\\x%02x", p[i]);
                        i++;
                }
        }
        if (fclose(f) != 0)
                abort();
        return out;
}

struct proc_info {
        pid_t pid, nspid;
        long long uid;
        char *cmd; /* as the box set it: any bytes */
        size_t cmd_len;
};

static void proc_info_read(pid_t pid, struct proc_info *p)
{
        char path[64];
        *p = (struct proc_info){.pid = pid, .nspid = 0, .uid = -1};
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        _cleanup_free_ char *status = NULL;
        if (read_file_at(AT_FDCWD, path, &status, 1 << 16) == 0) {
                for (char *line = strtok(status, "\n"); line; line = strtok(NULL, "\n")) {
                        if (strncmp(line, "NSpid:", 6) == 0) {
                                char *last = strrchr(line, '\t');
                                last = last ? last + 1 : line + 6;
                                p->nspid = (pid_t)atoi(last);
                        } else if (strncmp(line, "Uid:", 4) == 0)
                                p->uid = atoll(line + 4);
                }
        }
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        char *buf = NULL;
        size_t len = 0;
        if (fd >= 0 && read_fd_all(fd, &buf, &len, 1 << 16) == 0 && len > 0) {
                while (len && buf[len - 1] == 0)
                        len--;
                for (size_t i = 0; i < len; i++)
                        if (buf[i] == 0)
                                buf[i] = ' ';
                buf[len] = 0;
                p->cmd = buf;
                p->cmd_len = len;
                return;
        }
        free(buf);
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        _cleanup_free_ char *comm = NULL;
        if (read_file_at(AT_FDCWD, path, &comm, 256) == 0) {
                comm[strcspn(comm, "\n")] = 0;
                p->cmd = xasprintf("[%s]", comm);
        } else
                p->cmd = xstrdup("?");
        p->cmd_len = strlen(p->cmd);
}

static int verb_ps(int argc, char **argv)
{
        if (want_help(argc, argv)) {
                puts("Usage: boxlaunch ps NAME [--json]\n\n"
                     "Lists every process in the box's cgroup: PID (host), BOXPID (inside the\n"
                     "box's pid namespace), UID (host view) and the command line.\n"
                     "Exit status: 0; 1 if no such box is running or on a usage error; 3 if the\n"
                     "cgroup cannot be read.");
                return 0;
        }
        bool json = false;
        const char *name;
        if (parse_simple(argc, argv, true, true, &json, &name))
                return 1;
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        if (box_ref_open(name, &b) < 0)
                return 1;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (!b.cgroup || cgroup_pids(CGROUP_ROOT, b.cgroup, &pids, &n) < 0) {
                log_error("ps: cannot read the processes of box '%s'", name);
                return EXIT_VERB_FAILED;
        }
        if (json)
                fputc('[', stdout);
        else
                printf("%8s %8s %8s %s\n", "PID", "BOXPID", "UID", "COMMAND");
        for (size_t i = 0; i < n; i++) {
                struct proc_info p;
                proc_info_read(pids[i], &p);
                if (json) {
                        printf("%s{\"pid\":%d,\"box_pid\":%d,\"uid\":%lld,\"command\":",
                               i ? "," : "", (int)p.pid, (int)p.nspid, p.uid);
                        json_write_string(stdout, p.cmd);
                        fputc('}', stdout);
                } else {
                        /* The box writes its command lines: no escape sequence of its may
                         * reach the admin's terminal. */
                        _cleanup_free_ char *cmd = cescape_bytes(p.cmd, p.cmd_len);
                        printf("%8d %8d %8lld %s\n", (int)p.pid, (int)p.nspid, p.uid, cmd);
                }
                free(p.cmd);
        }
        if (json)
                fputs("]\n", stdout);
        return 0;
}

/* ---- stats ------------------------------------------------------------------------------ */

struct net_stats {
        uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
};

/* Sums /proc/PID/net/dev over every interface but lo. */
static int read_net_dev(pid_t pid, struct net_stats *ret)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char line[512];
        *ret = (struct net_stats){0};
        while (fgets(line, sizeof(line), f)) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue; /* the two header lines */
                *colon = 0;
                char *ifname = line + strspn(line, " ");
                if (streq(ifname, "lo"))
                        continue;
                unsigned long long v[10];
                if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                           &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) != 10)
                        continue;
                ret->rx_bytes += v[0];
                ret->rx_packets += v[1];
                ret->tx_bytes += v[8];
                ret->tx_packets += v[9];
        }
        return 0;
}

static int verb_stats(int argc, char **argv)
{
        if (want_help(argc, argv)) {
                puts("Usage: boxlaunch stats NAME [--json]\n\n"
                     "Resource usage of the box: CPU time (usec), memory current and peak\n"
                     "(bytes), number of tasks, block I/O read/written (bytes) from its cgroup,\n"
                     "and network bytes/packets received and sent on every interface but lo of\n"
                     "PID 1's network namespace.\n"
                     "Exit status: 0; 1 if no such box is running or on a usage error; 3 if the\n"
                     "cgroup cannot be read.");
                return 0;
        }
        bool json = false;
        const char *name;
        if (parse_simple(argc, argv, true, true, &json, &name))
                return 1;
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        if (box_ref_open(name, &b) < 0)
                return 1;
        struct box_cgroup_stats s;
        if (!b.cgroup || cgroup_stats(CGROUP_ROOT, b.cgroup, &s) < 0) {
                log_error("stats: cannot read the cgroup of box '%s'", name);
                return EXIT_VERB_FAILED;
        }
        struct net_stats ns = {0};
        int r = read_net_dev(b.pid, &ns);
        if (r < 0)
                log_warn_errno(r, "stats: reading the network counters of '%s'", name);
        if (json) {
                fputs("{\"name\":", stdout);
                json_write_string(stdout, name);
                printf(",\"cpu_usage_usec\":%" PRIu64 ",\"memory_current_bytes\":%" PRIu64
                       ",\"memory_peak_bytes\":%" PRIu64 ",\"pids\":%" PRIu64
                       ",\"io_read_bytes\":%" PRIu64 ",\"io_write_bytes\":%" PRIu64
                       ",\"net_rx_bytes\":%" PRIu64 ",\"net_rx_packets\":%" PRIu64
                       ",\"net_tx_bytes\":%" PRIu64 ",\"net_tx_packets\":%" PRIu64 "}\n",
                       s.cpu_usage_usec, s.memory_current, s.memory_peak, s.pids_current,
                       s.io_read_bytes, s.io_write_bytes, ns.rx_bytes, ns.rx_packets, ns.tx_bytes,
                       ns.tx_packets);
                return 0;
        }
        printf("CPU usage:      %" PRIu64 " usec\n"
               "Memory:         %" PRIu64 " bytes (peak %" PRIu64 ")\n"
               "Tasks:          %" PRIu64 "\n"
               "Block I/O:      %" PRIu64 " bytes read, %" PRIu64 " bytes written\n"
               "Network rx:     %" PRIu64 " bytes, %" PRIu64 " packets\n"
               "Network tx:     %" PRIu64 " bytes, %" PRIu64 " packets\n",
               s.cpu_usage_usec, s.memory_current, s.memory_peak, s.pids_current, s.io_read_bytes,
               s.io_write_bytes, ns.rx_bytes, ns.rx_packets, ns.tx_bytes, ns.tx_packets);
        return 0;
}

/* ---- gc --------------------------------------------------------------------------------- */

/* Does `path` exist as a group in any hierarchy under CGROUP_ROOT? */
static bool cgroup_exists(const char *path)
{
        struct stat st;
        _cleanup_free_ char *top = xasprintf("%s/%s", CGROUP_ROOT, path);
        if (stat(top, &st) == 0 && S_ISDIR(st.st_mode))
                return true;
        _cleanup_dir_ DIR *d = opendir(CGROUP_ROOT);
        struct dirent *de;
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = xasprintf("%s/%s/%s", CGROUP_ROOT, de->d_name, path);
                if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
                        return true;
        }
        return false;
}

/* Removes the cgroup `path` if it exists; counts it in *removed. */
static int gc_cgroup(const char *path, unsigned *removed)
{
        if (!cgroup_exists(path))
                return 0;
        /* Thaw first: a frozen v1 group holds even SIGKILL. */
        log_set_sink(quiet_sink, NULL);
        (void)cgroup_freeze(CGROUP_ROOT, path, false);
        log_set_sink(NULL, NULL);
        size_t n = count_procs(path);
        int r = cgroup_gc(CGROUP_ROOT, path);
        if (r < 0)
                return log_error_errno(r, "gc: removing cgroup %s", path);
        if (n)
                printf("killed %zu leftover process%s in %s\n", n, n == 1 ? "" : "es", path);
        printf("removed cgroup %s\n", path);
        (*removed)++;
        return 0;
}

static bool proc_is_zombie(pid_t pid)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (read_file_at(AT_FDCWD, path, &buf, 1 << 16) < 0)
                return true;
        const char *p = strrchr(buf, ')');
        return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

/* One box whose supervisor is gone (or, without a state file, its automatic groups). */
static int gc_one(const char *name, unsigned *removed)
{
        _cleanup_free_ char *file = state_path(name);
        struct stat st;
        bool have_file = lstat(file, &st) == 0 && S_ISREG(st.st_mode);
        _cleanup_free_ char *cgroup = have_file ? state_get(name, "cgroup") : NULL;
        _cleanup_free_ char *pid = have_file ? state_get(name, "pid") : NULL;
        _cleanup_free_ char *start = have_file ? state_get(name, "pidstart") : NULL;
        int ret = 0;

        /* Lock the state file first: a box of this name starting now wins, and we skip it. */
        struct box_state s = {.fd = -1};
        if (have_file) {
                int r = state_acquire(name, &s);
                if (r == -EBUSY) {
                        log_info("gc: box '%s' is running; skipped", name);
                        return 0;
                }
                if (r < 0)
                        return log_error_errno(r, "gc: locking %s", file);
        }
        /* PID 1 outside any recorded cgroup (the supervisor died before writing it). */
        long long p, stv;
        unsigned long long now_start;
        if (parse_ll(pid, &p) && p > 0 && parse_ll(start, &stv)) {
                _cleanup_close_ int fd = sys_pidfd_open((pid_t)p, 0);
                if (fd >= 0 && proc_starttime((pid_t)p, &now_start) == 0 &&
                    now_start == (unsigned long long)stv && !proc_is_zombie((pid_t)p) &&
                    sys_pidfd_send_signal(fd, SIGKILL, NULL, 0) == 0)
                        printf("killed PID 1 (pid %lld) of box '%s'\n", p, name);
        }
        if (cgroup && gc_cgroup(cgroup, removed) < 0)
                ret = -EIO;
        /* The group the box has without Parent= (cgroup.c names it NAME.box). */
        _cleanup_free_ char *auto_path = cgroup_auto_path(name);
        if (!auto_path)
                ret = -EINVAL;
        else if ((!cgroup || !streq(cgroup, auto_path)) && gc_cgroup(auto_path, removed) < 0)
                ret = -EIO;
        if (have_file) {
                state_release(&s);
                printf("removed state file %s\n", file);
                (*removed)++;
        }
        return ret;
}

static int verb_gc(int argc, char **argv)
{
        if (want_help(argc, argv)) {
                puts("Usage: boxlaunch gc [NAME]\n\n"
                     "Cleans up after boxes whose supervisor died (e.g. was SIGKILLed): for every\n"
                     "state file whose lock is free, kills what is left in the box's cgroup,\n"
                     "removes the cgroups and the state file. With NAME, only that box, and\n"
                     "its boxlaunch/NAME.box cgroup leftovers are removed even without a state\n"
                     "file.\n"
                     "Running boxes are never touched. Prints what was removed.\n"
                     "Exit status: 0; 1 if NAME is running, invalid, or on a usage error; 3 if\n"
                     "something could not be removed.");
                return 0;
        }
        bool json = false;
        const char *name = NULL;
        if (argc > 2) {
                log_error("gc: at most one box NAME (see --help)");
                return 1;
        }
        if (argc == 2 && parse_simple(argc, argv, true, false, &json, &name))
                return 1;
        unsigned removed = 0;
        int failed = 0;
        if (name) {
                if (!box_name_valid(name)) {
                        log_error("gc: invalid box name '%s'", name);
                        return 1;
                }
                if (state_is_running(name)) {
                        log_error("gc: box '%s' is running; stop it first", name);
                        return 1;
                }
                failed = gc_one(name, &removed) < 0;
        } else {
                _cleanup_strv_ char **names = NULL;
                int r = list_names(&names);
                if (r < 0) {
                        log_error_errno(r, "gc: reading %s", state_root());
                        return EXIT_VERB_FAILED;
                }
                for (char **n = names; n && *n; n++)
                        if (!state_is_running(*n) && gc_one(*n, &removed) < 0)
                                failed = 1;
        }
        if (!removed && !failed)
                printf("nothing to clean up\n");
        return failed ? EXIT_VERB_FAILED : 0;
}

/* ---- dispatch --------------------------------------------------------------------------- */

static const struct verb verbs[] = {
        {"list", verb_list, "list running boxes"},
        {"status", verb_status, "show one running box"},
        {"stop", verb_stop, "stop a box (supervisor stop protocol, then SIGKILL)"},
        {"kill", verb_kill, "send a signal to a box's PID 1"},
        {"exec", verb_exec, "run a command in a running box"},
        {"shell", verb_shell, "open a login shell in a running box"},
        {"pause", verb_pause, "freeze every process of a box"},
        {"resume", verb_resume, "thaw a paused box"},
        {"ps", verb_ps, "list the processes of a box"},
        {"stats", verb_stats, "resource usage of a box"},
        {"gc", verb_gc, "clean up after boxes whose supervisor died"},
};

const struct verb *verb_find(const char *name)
{
        if (!name)
                return NULL;
        for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}
