/* main.c - the OCI runtime's entry: global options (before the command word), the log, the
 * command table.
 *
 * Every message goes to stderr (podman reads it through conmon, and picks its own exit code
 * from the wording) and, with --log FILE, is appended to FILE as one line: JSON
 * {"level","msg","time"} with --log-format json (what containerd's shim reads: it shows the
 * last error's msg), else text. The file is created even when nothing goes wrong. */
#include "cli/runc/runc.h"

#include "util/log.h"

#include <fcntl.h>

#ifndef BOXLAUNCH_VERSION
#define BOXLAUNCH_VERSION "unknown"
#endif

static int log_fd = -1;
static bool log_json;

static void runc_sink(enum log_level l, const char *line, void *userdata)
{
        static const char *const levels[] = {"error", "warning", "info", "debug"};
        char buf[4200];
        int n = l == LOG_LVL_INFO
                        ? snprintf(buf, sizeof(buf), "%s\n", line)
                        : snprintf(buf, sizeof(buf), "%s: %s: %s\n", RUNC_NAME, levels[l], line);
        (void)!write(STDERR_FILENO, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
        if (log_fd < 0)
                return;
        _cleanup_free_ char *ts = runc_now_rfc3339();
        const char *text;
        struct json_object *o = NULL;
        _cleanup_free_ char *owned = NULL;
        if (log_json) {
                o = json_object_new_object();
                json_object_object_add(o, "level", json_object_new_string(levels[l]));
                json_object_object_add(o, "msg", json_object_new_string(line));
                json_object_object_add(o, "time", json_object_new_string(ts));
                text = owned = xasprintf(
                        "%s\n",
                        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(o);
        } else {
                struct json_object *m = json_object_new_string(line);
                text = owned = xasprintf("time=\"%s\" level=%s msg=%s\n", ts, levels[l],
                                         json_object_to_json_string(m));
                json_object_put(m);
        }
        (void)!write(log_fd, text, strlen(text));
}

int runc_log_open(const char *path, bool json)
{
        log_json = json;
        if (path) {
                log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (log_fd < 0)
                        log_warn_errno(-errno, "opening the log file %s", path);
        }
        log_set_sink(runc_sink, NULL);
        return 0;
}

void runc_print_json(struct json_object *o)
{
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                                  JSON_C_TO_STRING_SPACED |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
        printf("%s\n", s);
}

struct runc_cmd {
        const char *name;
        runc_verb_fn fn;
        const char *summary;
};

static const struct runc_cmd cmds[] = {
        {"create", runc_create, "create a container, its init waiting for start"},
        {"start", runc_start, "start a created container's process"},
        {"run", runc_run, "create and start a container"},
        {"state", runc_state, "print a container's state as JSON"},
        {"kill", runc_kill, "send a signal to the container's init (--all: every process)"},
        {"delete", runc_delete, "remove a container's state and cgroups"},
        {"exec", runc_exec, "run a new process in a running container"},
        {"ps", runc_ps, "list the processes of a container"},
        {"pause", runc_pause, "freeze every process of a container"},
        {"resume", runc_resume, "thaw a paused container"},
        {"update", runc_update, "change a container's resource limits"},
        {"events", runc_events, "print a container's resource usage"},
        {"features", runc_features, "print what this runtime supports, as JSON"},
        {"spec", runc_spec, "write a template config.json"},
        {"list", runc_list, "list the containers"},
        {"checkpoint", runc_checkpoint, "(not supported)"},
        {"restore", runc_checkpoint, "(not supported)"},
};

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: %s [GLOBAL OPTIONS] COMMAND [OPTIONS] ID [ARGS]\n"
                "       boxlaunch runc [GLOBAL OPTIONS] COMMAND ...\n\n"
                "boxlaunch as an OCI runtime (runtime-spec %s), runc-compatible.\n\n"
                "Commands:\n",
                RUNC_NAME, RUNC_OCI_VERSION);
        for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
                fprintf(f, "  %-11s %s\n", cmds[i].name, cmds[i].summary);
        fprintf(f, "\nGlobal options:\n"
                   "  --root DIR             container state (default " RUNC_DEFAULT_ROOT ")\n"
                   "  --log FILE             append messages to FILE\n"
                   "  --log-format FORMAT    text (default) or json\n"
                   "  --debug                log debug messages\n"
                   "  --systemd-cgroup       cgroupsPath is slice:prefix:name\n"
                   "  -v, --version          print the version\n"
                   "  -h, --help             show this help\n\n"
                   "See boxlaunch(1), section OCI RUNTIME.\n");
}

static void version(void)
{
        printf("%s version %s\nspec: %s\n+SECCOMP +CAP +SELINUX +APPARMOR\n", RUNC_NAME,
               BOXLAUNCH_VERSION, RUNC_OCI_VERSION);
}

/* "--opt VALUE" or "--opt=VALUE" at argv[*i]: the value, or NULL if argv[*i] is not opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
        size_t n = strlen(opt);
        if (strncmp(argv[*i], opt, n) != 0)
                return NULL;
        if (argv[*i][n] == '=')
                return argv[*i] + n + 1;
        if (argv[*i][n] != 0)
                return NULL;
        if (*i + 1 >= argc) {
                *missing = true;
                return NULL;
        }
        return argv[++*i];
}

int runc_main(int argc, char **argv)
{
        struct runc_globals g = {.root = RUNC_DEFAULT_ROOT};
        const char *log_path = NULL, *log_format = "text";
        int i = 1;
        log_set_prefix(RUNC_NAME);
        for (; i < argc && argv[i][0] == '-'; i++) {
                bool missing = false;
                const char *v;
                const char *a = argv[i];
                if ((v = opt_value(argc, argv, &i, "--root", &missing)))
                        g.root = v;
                else if ((v = opt_value(argc, argv, &i, "--log", &missing)))
                        log_path = v;
                else if ((v = opt_value(argc, argv, &i, "--log-format", &missing)))
                        log_format = v;
                else if ((v = opt_value(argc, argv, &i, "--criu", &missing)) ||
                         (v = opt_value(argc, argv, &i, "--rootless", &missing)))
                        continue; /* accepted, unused */
                else if (missing) {
                        runc_log_open(NULL, false);
                        log_error("option %s needs a value", a);
                        return 1;
                } else if (streq(a, "--debug"))
                        g.debug = true;
                else if (streq(a, "--systemd-cgroup"))
                        g.systemd_cgroup = true;
                else if (streq(a, "--version") || streq(a, "-v")) {
                        version();
                        return 0;
                } else if (streq(a, "--help") || streq(a, "-h")) {
                        usage(stdout);
                        return 0;
                } else {
                        runc_log_open(NULL, false);
                        log_error("unknown global option %s", a);
                        usage(stderr);
                        return 1;
                }
        }
        if (!streq(log_format, "text") && !streq(log_format, "json")) {
                runc_log_open(log_path, false);
                log_error("--log-format %s: use text or json", log_format);
                return 1;
        }
        runc_log_open(log_path, streq(log_format, "json"));
        if (g.debug)
                log_set_level(LOG_LVL_DEBUG);
        if (i >= argc) {
                usage(stderr);
                return 1;
        }
        const char *cmd = argv[i];
        for (size_t k = 0; k < ARRAY_SIZE(cmds); k++)
                if (streq(cmd, cmds[k].name))
                        return cmds[k].fn(&g, argc - i, argv + i);
        log_error("unknown command %s", cmd);
        return 1;
}
