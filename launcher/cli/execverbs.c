/* execverbs.c - the command lines of exec and shell; entering the box is ops/exec.c's. */
#include "cli/verbs.h"

#include "ops/exec.h"
#include "util/log.h"

#include <getopt.h>

/* Parses "NAME [OPTIONS] [--] COMMAND..." (shell: "NAME [-u USER]") into o; --env entries are
 * collected in *env. 0, or 1 after logging the usage error. */
static int parse_exec(int argc, char **argv, bool shell, struct exec_opts *o, char ***env)
{
        static const struct option opts[] = {
                {"tty", no_argument, NULL, 't'},       {"user", required_argument, NULL, 'u'},
                {"env", required_argument, NULL, 'e'}, {"workdir", required_argument, NULL, 'w'},
                {"help", no_argument, NULL, 'h'},      {0},
        };
        /* The command after "--" is never seen by getopt. */
        char **cmd = NULL;
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--")) {
                        cmd = argv + i + 1;
                        argc = i;
                        break;
                }
        int ch;
        optind = 1;
        opterr = 1;
        while ((ch = getopt_long(argc, argv, shell ? "u:h" : "tu:e:w:h", opts, NULL)) >= 0) {
                switch (ch) {
                case 't':
                        o->tty = true;
                        break;
                case 'u':
                        o->user = optarg;
                        break;
                case 'e':
                        if (!strchr(optarg, '=') || optarg[0] == '=') {
                                log_error("%s: --env=%s: expected KEY=VALUE", argv[0], optarg);
                                return 1;
                        }
                        strv_push(env, xstrdup(optarg));
                        break;
                case 'w':
                        if (optarg[0] != '/') {
                                log_error("%s: --workdir=%s: must be an absolute path", argv[0],
                                          optarg);
                                return 1;
                        }
                        o->workdir = optarg;
                        break;
                default: /* getopt said why; -h was the prologue's */
                        return 1;
                }
        }
        if (optind >= argc) {
                log_error("%s: missing box NAME (see --help)", argv[0]);
                return 1;
        }
        o->name = argv[optind++];
        if (shell) {
                if (optind < argc || cmd) {
                        log_error("shell: unexpected arguments; use exec -t to run a command");
                        return 1;
                }
                return 0;
        }
        if (!cmd && optind < argc)
                cmd = argv + optind; /* "exec NAME CMD" without "--" */
        else if (optind < argc) {
                log_error("exec: unexpected argument '%s' before '--'", argv[optind]);
                return 1;
        }
        if (!cmd || !cmd[0]) {
                log_error("exec: missing COMMAND (exec NAME -- COMMAND [ARG...])");
                return 1;
        }
        o->cmd = cmd;
        return 0;
}

int verb_exec(struct verb_call *call)
{
        struct exec_opts o = {0};
        _cleanup_strv_ char **env = NULL;
        if (parse_exec(call->argc, call->argv, false, &o, &env))
                return 1;
        o.env = env;
        return box_exec(&o);
}

int verb_shell(struct verb_call *call)
{
        struct exec_opts o = {.tty = true, .shell = true};
        _cleanup_strv_ char **env = NULL;
        if (parse_exec(call->argc, call->argv, true, &o, &env))
                return 1;
        if (!o.user)
                o.user = "root";
        return box_exec(&o);
}
