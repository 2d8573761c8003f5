/* run.c - run and check: a .box file found by path or name, loaded through the .box
 * front-end, or an OCI bundle directory (its config.json, through the OCI front-end),
 * overridden by the command line (name, command, console) and validated; run launches it (in
 * the foreground, or --detach'ed). */
#include "cli/verbs.h"

#include "core/config.h"
#include "core/names.h"
#include "frontend/box/box.h"
#include "frontend/oci/oci.h"
#include "core/exitcodes.h"
#include "launch/launch.h"
#include "util/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef BOXLAUNCH_SYSCONFDIR
#define BOXLAUNCH_SYSCONFDIR "/etc"
#endif

/* Where `boxlaunch NAME` looks for NAME.box, in order. */
static const char *const search_dirs[] = {BOXLAUNCH_SYSCONFDIR "/boxlaunch", "/run/boxlaunch.d",
                                          "/usr/local/lib/boxlaunch", "/usr/lib/boxlaunch"};

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

/* A directory with a config.json: an OCI bundle (as systemd-nspawn --oci-bundle). */
static bool is_bundle(const char *arg)
{
        struct stat st;
        _cleanup_free_ char *cfg = xasprintf("%s/config.json", arg);
        return stat(arg, &st) == 0 && S_ISDIR(st.st_mode) && access(cfg, F_OK) == 0;
}

static int load_box(const char *arg, const struct run_opts *o, struct box_config *c)
{
        _cleanup_free_ char *path = is_bundle(arg) ? NULL : find_box(arg);
        if (!path && is_bundle(arg)) {
                box_config_init(c);
                int r = oci_bundle_load(arg, c);
                if (r < 0)
                        return r;
        } else if (!path) {
                log_error("no box '%s': no %s.box in %s, /run/boxlaunch.d, "
                          "/usr/local/lib/boxlaunch or /usr/lib/boxlaunch",
                          arg, arg, search_dirs[0]);
                return -ENOENT;
        } else {
                box_config_init(c);
                int r = box_file_load(path, c);
                if (r < 0)
                        return r;
        }
        if (o->name) {
                free(c->name);
                c->name = xstrdup(o->name);
        }
        if (o->cmd && o->cmd[0]) {
                strv_free(c->argv);
                c->argv = strv_copy(o->cmd);
        }
        if (o->console) {
                int m = box_console_mode_from_string(o->console);
                if (m < 0) {
                        log_error("--console=%s: not one of interactive, read-only, pipe, "
                                  "autopipe",
                                  o->console);
                        return -EINVAL;
                }
                c->console = (enum box_console_mode)m;
        }
        return box_config_validate(c);
}

int verb_check(struct verb_call *call)
{
        int argc = call->argc;
        char **argv = call->argv;
        const struct run_opts *o = call->run;
        if (argc != 1) {
                log_error("check takes exactly one BOX argument");
                return 2;
        }
        _cleanup_(box_config_freep) struct box_config *c = xcalloc(1, sizeof(*c));
        if (load_box(argv[0], o, c) < 0)
                return 1;
        if (o->oci)
                return oci_export(c, stdout) < 0 ? 1 : 0;
        if (o->show)
                box_file_show(c, stdout);
        else
                log_info("%s: OK", c->source_file);
        return 0;
}

int verb_run(struct verb_call *call)
{
        int argc = call->argc;
        char **argv = call->argv;
        const struct run_opts *o = call->run;
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
