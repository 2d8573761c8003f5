/* exec.c - a new process in a running container: `exec [OPTIONS] ID [COMMAND...]` or
 * `exec --process FILE ID` (a complete OCI process object, what conmon and containerd's shim
 * pass), run by ops/exec.c with the container's namespaces, cgroup and confinement. With
 * --detach it returns once the process runs (the caller, a subreaper, inherits it) and
 * --pid-file has its host pid; else it waits and exits with the process's code. */
#include "cli/runc/runc.h"

#include "ops/boxref.h"
#include "ops/exec.h"
#include "util/log.h"

#include <fcntl.h>
#include <getopt.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>

static void set_str(char **dst, const char *v)
{
        free(*dst);
        *dst = v ? xstrdup(v) : NULL;
}

/* The container's config.json (as created) with its process replaced by the object in path
 * (- = stdin), through the OCI front-end: every process field as the spec says. */
static int process_config(const struct runc_ct *ct, const char *path, struct box_config *c)
{
        _cleanup_free_ char *text = NULL, *orig = NULL;
        int r = streq(path, "-") ? read_fd_all(STDIN_FILENO, &text, NULL, 16 << 20)
                                 : read_file_at(AT_FDCWD, path, &text, 16 << 20);
        if (r < 0)
                return log_error_errno(r, "exec: reading the process %s", path);
        r = read_file_at(ct->dirfd, "config.json", &orig, 64 << 20);
        if (r < 0)
                return log_error_errno(r, "exec: reading %s/config.json", ct->dir);
        struct json_object *p = json_tokener_parse(text), *cfg = json_tokener_parse(orig);
        if (!p || !json_object_is_type(p, json_type_object) || !cfg) {
                log_error("exec: %s: not a JSON object", path);
                json_object_put(p);
                json_object_put(cfg);
                return -EINVAL;
        }
        json_object_object_add(cfg, "process", p);
        r = runc_load_config_text(json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN), path,
                                  ct->bundle, ct->id, c);
        json_object_put(cfg);
        return r;
}

static int connect_socket(const char *path)
{
        int fd = runc_connect_console(path);
        if (fd < 0)
                return fd; /* logged */
        /* Above the caller's fds, so that --preserve-fds never covers it. */
        int hi = fcntl(fd, F_DUPFD_CLOEXEC, 100);
        close(fd);
        return hi >= 0 ? hi : log_error_errno(-errno, "console socket");
}

/* Long: runc's exec flags one by one, then the one call to box_exec(). */
int runc_exec(const struct runc_globals *g, int argc, char **argv)
{
        enum { O_PRESERVE = 256, O_NNP, O_IGNORED };
        static const struct option opts[] = {
                {"process", required_argument, NULL, 'p'},
                {"tty", no_argument, NULL, 't'},
                {"console-socket", required_argument, NULL, 'c'},
                {"pid-file", required_argument, NULL, 'P'},
                {"detach", no_argument, NULL, 'd'},
                {"preserve-fds", required_argument, NULL, O_PRESERVE},
                {"cwd", required_argument, NULL, 'w'},
                {"env", required_argument, NULL, 'e'},
                {"user", required_argument, NULL, 'u'},
                {"additional-gids", required_argument, NULL, 'g'},
                {"no-new-privs", no_argument, NULL, O_NNP},
                {"apparmor", required_argument, NULL, O_IGNORED},
                {"process-label", required_argument, NULL, O_IGNORED},
                {"cap", required_argument, NULL, O_IGNORED},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *process = NULL, *console = NULL, *pid_file = NULL, *cwd = NULL, *user = NULL;
        _cleanup_strv_ char **env = NULL, **gids = NULL;
        bool tty = false, detach = false, nnp = false;
        unsigned preserve = 0;
        int ch;
        optind = 1;
        while ((ch = getopt_long(argc, argv, "+p:tc:dw:e:u:g:h", opts, NULL)) >= 0) {
                switch (ch) {
                case 'p':
                        process = optarg;
                        break;
                case 't':
                        tty = true;
                        break;
                case 'c':
                        console = optarg;
                        break;
                case 'P':
                        pid_file = optarg;
                        break;
                case 'd':
                        detach = true;
                        break;
                case O_PRESERVE:
                        preserve = (unsigned)strtoul(optarg, NULL, 10);
                        break;
                case 'w':
                        cwd = optarg;
                        break;
                case 'e':
                        strv_push(&env, xstrdup(optarg));
                        break;
                case 'u':
                        user = optarg;
                        break;
                case 'g':
                        strv_push(&gids, xstrdup(optarg));
                        break;
                case O_NNP:
                        nnp = true;
                        break;
                case O_IGNORED:
                        break;
                case 'h':
                        printf("Usage: %s exec [OPTIONS] ID COMMAND [ARG...]\n"
                               "       %s exec [OPTIONS] --process FILE ID\n\n"
                               "  -p, --process FILE       the process (OCI process object; - = "
                               "stdin)\n"
                               "  -t, --tty                a terminal\n"
                               "      --console-socket P   send the terminal's master to P\n"
                               "  -d, --detach             return once the process runs\n"
                               "      --pid-file FILE      write its host pid to FILE\n"
                               "      --preserve-fds N     pass fds 3..2+N\n"
                               "  -w, --cwd DIR            working directory\n"
                               "  -e, --env K=V            add to the environment\n"
                               "  -u, --user UID[:GID]     run as this user\n"
                               "  -g, --additional-gids G  supplementary group\n",
                               RUNC_NAME, RUNC_NAME);
                        return 0;
                default:
                        return 1;
                }
        }
        if (optind >= argc) {
                log_error("exec: missing container ID");
                return 1;
        }
        const char *id = argv[optind];
        char **cmd = argv + optind + 1;
        if (!process && !cmd[0]) {
                log_error("exec: no command: give COMMAND or --process FILE");
                return 1;
        }

        _cleanup_runc_ct_ struct runc_ct ct = {.dirfd = -1, .pidfd = -1};
        if (runc_ct_open(g, id, false, &ct) < 0)
                return 1;
        if (ct.status == RUNC_STOPPED || ct.status == RUNC_CREATING) {
                log_error("cannot exec in a stopped container");
                return 1;
        }
        if (ct.status == RUNC_PAUSED) {
                log_error("cannot exec in a paused container: %s is paused", ct.id);
                return 1;
        }
        _cleanup_(box_config_freep) struct box_config *c = xcalloc(1, sizeof(*c));
        if (process) {
                if (process_config(&ct, process, c) < 0)
                        return 1;
                tty = tty || c->console == BOX_CONSOLE_INTERACTIVE;
        } else if (runc_ct_config(&ct, c) < 0)
                return 1;
        if (!process) {
                strv_free(c->argv);
                c->argv = strv_copy(cmd);
        }
        if (cwd)
                set_str(&c->cwd, cwd);
        for (char **e = env; e && *e; e++)
                strv_push(&c->env, xstrdup(*e));
        if (user) {
                _cleanup_free_ char *u = xstrdup(user);
                char *colon = strchr(u, ':');
                if (colon)
                        *colon++ = 0;
                set_str(&c->user, u);
                set_str(&c->group, colon ?: "0");
        }
        if (gids) {
                strv_free(c->supplementary_groups);
                c->supplementary_groups = strv_copy(gids);
        }
        if (nnp)
                c->no_new_privileges = BOX_YES;
        if (tty && !console && detach) {
                log_error("cannot allocate tty if runc will detach without setting console "
                          "socket");
                return 1;
        }
        _cleanup_close_ int sock = -EBADF;
        if (console && tty && (sock = connect_socket(console)) < 0)
                return 1;

        /* The exec must not hold the container's lock while it runs. */
        struct box_ref ref = {
                .name = ct.id,
                .pid = ct.pid,
                .pidfd = ct.pidfd,
                .cgroup = ct.cgroup,
                .status = (char *)"running",
        };
        (void)flock(ct.dirfd, LOCK_UN);
        struct exec_opts o = {
                .name = ct.id,
                .tty = tty,
                .cmd = c->argv,
                .oci = true,
                .ref = &ref,
                .config = c,
                .detach = detach,
                .pid_file = pid_file,
                .console_sock = sock,
                .preserve_fds = preserve,
        };
        return box_exec(&o);
}
