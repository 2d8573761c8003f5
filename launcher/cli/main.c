/* main.c - the boxlaunch command line: verbs, options, box lookup. */
#include "frontend/box/box_file.h"
#include "core/config.h"
#include "core/exitcodes.h"
#include "launch/launch.h"
#include "util/log.h"
#include "cli/verbs.h"

#include <getopt.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef BOXLAUNCH_VERSION
#define BOXLAUNCH_VERSION "unknown"
#endif
#ifndef BOXLAUNCH_SYSCONFDIR
#define BOXLAUNCH_SYSCONFDIR "/etc"
#endif

/* Where `boxlaunch NAME` looks for NAME.box, in order. */
static const char *const search_dirs[] = {BOXLAUNCH_SYSCONFDIR "/boxlaunch", "/run/boxlaunch.d",
                                          "/usr/local/lib/boxlaunch", "/usr/lib/boxlaunch"};

struct cli {
        const char *name;
        const char *console;
        bool show;
        bool detach;
        char **cmd; /* after "--" */
};

static void usage(FILE *f)
{
        fputs("Usage: boxlaunch [OPTIONS] BOX [-- COMMAND [ARG...]]\n"
              "       boxlaunch run [OPTIONS] BOX [-- COMMAND [ARG...]]\n"
              "       boxlaunch check [--show] BOX\n"
              "       boxlaunch list|status|stop|kill|exec|shell|pause|resume|ps|stats|gc ...\n"
              "                 (see boxlaunch VERB --help)\n"
              "\n"
              "BOX is a path to a .box file, or a NAME looked up as NAME.box in\n"
              "/etc/boxlaunch, /run/boxlaunch.d, /usr/local/lib/boxlaunch, /usr/lib/boxlaunch.\n"
              "\n"
              "Options:\n"
              "  -n, --name=NAME        run under this name instead of the file's\n"
              "      --console=MODE     interactive, read-only, pipe or autopipe\n"
              "  -d, --detach           return once the box runs; it keeps running in the\n"
              "                         background (manage it with list, stop, exec...)\n"
              "      --show             (check) print the resolved configuration\n"
              "  -v, --verbose          log debug messages\n"
              "  -q, --quiet            log errors only\n"
              "  -h, --help             show this help\n"
              "      --version          show the version\n"
              "\n"
              "Exit status: the command's own status; 128+N if it was killed by signal N;\n"
              "125 if boxlaunch failed; 126 if the command could not be executed; 127 if it\n"
              "was not found. See boxlaunch(1) and boxlaunch.box(5).\n",
              f);
}

/* A BOX argument with a '/' or a .box suffix is a path; otherwise a name to look up. */
static char *find_box(const char *arg)
{
        size_t n = strlen(arg);
        if (strchr(arg, '/') || (n > 4 && streq(arg + n - 4, ".box")))
                return xstrdup(arg);
        const char *env = getenv("BOXLAUNCH_PATH");
        if (env && *env) {
                _cleanup_free_ char *copy = xstrdup(env);
                char *save = NULL;
                for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                        char *p = xasprintf("%s/%s.box", d, arg);
                        if (access(p, F_OK) == 0)
                                return p;
                        free(p);
                }
        }
        for (size_t i = 0; i < ARRAY_SIZE(search_dirs); i++) {
                char *p = xasprintf("%s/%s.box", search_dirs[i], arg);
                if (access(p, F_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

static int load_box(const char *arg, const struct cli *o, struct box_config *c)
{
        _cleanup_free_ char *path = find_box(arg);
        if (!path) {
                log_error("no box '%s': no %s.box in %s, /run/boxlaunch.d, "
                          "/usr/local/lib/boxlaunch or /usr/lib/boxlaunch",
                          arg, arg, search_dirs[0]);
                return -ENOENT;
        }
        box_config_init(c);
        int r = box_file_load(path, c);
        if (r < 0)
                return r;
        if (o->name) {
                free(c->name);
                c->name = xstrdup(o->name);
        }
        if (o->cmd && o->cmd[0]) {
                strv_free(c->argv);
                c->argv = strv_copy(o->cmd);
        }
        if (o->console) {
                static const char *const modes[] = {"autopipe", "interactive", "read-only", "pipe"};
                bool ok = false;
                for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
                        if (streq(o->console, modes[i])) {
                                c->console = (enum box_console_mode)i;
                                ok = true;
                        }
                if (!ok) {
                        log_error("--console=%s: not one of interactive, read-only, pipe, "
                                  "autopipe",
                                  o->console);
                        return -EINVAL;
                }
        }
        return box_config_validate(c);
}

static int verb_check(int argc, char **argv, struct cli *o)
{
        if (argc != 1) {
                log_error("check takes exactly one BOX argument");
                return 2;
        }
        _cleanup_(box_config_freep) struct box_config *c = xcalloc(1, sizeof(*c));
        if (load_box(argv[0], o, c) < 0)
                return 1;
        if (o->show)
                box_config_show(c, stdout);
        else
                log_info("%s: OK", c->source_file);
        return 0;
}

static int verb_run(int argc, char **argv, struct cli *o)
{
        if (argc != 1) {
                log_error(argc ? "too many arguments; put the command after '--'"
                               : "missing BOX argument");
                return EXIT_SETUP_FAILED;
        }
        if (geteuid() != 0) {
                log_error("boxlaunch must run as root");
                return EXIT_SETUP_FAILED;
        }
        _cleanup_(box_config_freep) struct box_config *c = xcalloc(1, sizeof(*c));
        if (load_box(argv[0], o, c) < 0)
                return EXIT_SETUP_FAILED;
        if (!o->detach)
                return launch_box(c, &(struct launch_opts){.detach_fd = -1});

        /* --detach: the supervisor is a child in its own session; we wait for its word that the
         * box runs (or why it does not) and return. */
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                log_error_errno(-errno, "pipe");
                return EXIT_SETUP_FAILED;
        }
        pid_t pid = fork();
        if (pid < 0) {
                log_error_errno(-errno, "fork");
                return EXIT_SETUP_FAILED;
        }
        if (pid == 0) {
                close(p[0]);
                /* The caller waits for its descriptors to close (a shell's $(...), bats' fd 3):
                 * a supervisor living on must hold none of them beyond 0-2 (handed to
                 * the console log once the box runs). */
                int keep[] = {p[1]};
                (void)close_fds_from(3, keep, 1);
                setsid();
                _exit(launch_box(c, &(struct launch_opts){.detach_fd = p[1]}) & 0xff);
        }
        close(p[1]);
        int code = EXIT_SETUP_FAILED;
        if (read_all(p[0], &code, sizeof(code)) < 0)
                code = EXIT_SETUP_FAILED;
        close(p[0]);
        if (code != 0) {
                (void)waitpid(pid, NULL, 0);
                return code;
        }
        printf("%s\n", c->name);
        return 0;
}

int main(int argc, char **argv)
{
        enum { OPT_VERSION = 256, OPT_CONSOLE, OPT_SHOW };
        static const struct option opts[] = {
                {"name", required_argument, NULL, 'n'},
                {"console", required_argument, NULL, OPT_CONSOLE},
                {"detach", no_argument, NULL, 'd'},
                {"show", no_argument, NULL, OPT_SHOW},
                {"verbose", no_argument, NULL, 'v'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, OPT_VERSION},
                {0},
        };
        struct cli o = {0};
        const char *verb = "run";

        /* Verbs acting on running boxes parse their own arguments (verbs.h). */
        const struct verb *v = argc > 1 ? verb_find(argv[1]) : NULL;
        if (v)
                return v->fn(argc - 1, argv + 1);

        /* Split off "-- COMMAND..." first so getopt never sees the command's options. */
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--")) {
                        o.cmd = argv + i + 1;
                        argv[i] = NULL;
                        argc = i;
                        break;
                }
        if (argc > 1 && argv[1][0] != '-' && (streq(argv[1], "run") || streq(argv[1], "check"))) {
                verb = argv[1];
                argv++;
                argc--;
        }
        int ch;
        while ((ch = getopt_long(argc, argv, "+n:dvqh", opts, NULL)) >= 0) {
                switch (ch) {
                case 'n':
                        if (!box_name_valid(optarg)) {
                                log_error("--name=%s: use letters, digits, '_', '-', '.'", optarg);
                                return EXIT_SETUP_FAILED;
                        }
                        o.name = optarg;
                        break;
                case OPT_CONSOLE:
                        o.console = optarg;
                        break;
                case 'd':
                        o.detach = true;
                        break;
                case OPT_SHOW:
                        o.show = true;
                        break;
                case 'v':
                        log_set_level(LOG_LVL_DEBUG);
                        break;
                case 'q':
                        log_set_level(LOG_LVL_ERROR);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case OPT_VERSION:
                        printf("boxlaunch %s\n", BOXLAUNCH_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return EXIT_SETUP_FAILED;
                }
        }
        argc -= optind;
        argv += optind;
        if (streq(verb, "check"))
                return verb_check(argc, argv, &o);
        return verb_run(argc, argv, &o);
}
