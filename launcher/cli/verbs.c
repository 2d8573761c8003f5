/* verbs.c - the verb table (names, handlers, flags, usage texts) and the shared prologue. */
#include "cli/verbs.h"

#include "util/log.h"

static const struct verb verbs[] = {
        {"run", verb_run, VERB_RUN, NULL},
        {"check", verb_check, VERB_RUN, NULL},
        {"list", verb_list, VERB_JSON,
         "Usage: boxlaunch list [--json]\n\n"
         "Lists the running boxes: NAME, PID (PID 1, host view), STATUS, CREATED (age)\n"
         "and CGROUP. --json prints an array of objects with name, pid, supervisor,\n"
         "status, created (unix time), cgroup and root.\n"
         "Exit status: 0; 1 on a usage error; 3 if the directory of state files is\n"
         "unreadable."},
        {"status", verb_status, VERB_NAME | VERB_JSON | VERB_OPEN,
         "Usage: boxlaunch status NAME [--json]\n\n"
         "Shows one running box: PID 1, supervisor, status, creation time, cgroup,\n"
         "root directory, state file (with the resolved configuration) and process\n"
         "count. --json adds the resolved configuration itself (config).\n"
         "Exit status: 0; 1 if no such box is running or on a usage error."},
        {"stop", verb_stop, VERB_OWN_ARGS,
         "Usage: boxlaunch stop [--timeout SECS] NAME... | --all\n\n"
         "Asks the box's supervisor to stop it (SIGTERM: the supervisor sends\n"
         "the box's kill signal to PID 1, then SIGKILL after StopTimeout) and\n"
         "waits until the box is gone. After SECS (default 30) PID 1 is\n"
         "SIGKILLed and the supervisor is given 10 more seconds to clean up.\n"
         "Several NAMEs, or --all (every running box): all are signalled first,\n"
         "then waited for together.\n"
         "Exit status: 0 once stopped; 1 if a named box is not running (the\n"
         "others are stopped) or on a usage error; 3 if a box could not be stopped."},
        {"kill", verb_kill, VERB_OWN_ARGS,
         "Usage: boxlaunch kill NAME [SIGNAL]\n\n"
         "Sends SIGNAL (default SIGTERM) to the box's PID 1. SIGNAL is a name (TERM,\n"
         "SIGUSR1), a number, or SIGRTMIN+N / RTMAX-N. The stub init forwards it to\n"
         "the payload.\n"
         "Exit status: 0; 1 if no such box is running, on a bad signal or a usage\n"
         "error; 3 if the signal could not be sent."},
        {"exec", verb_exec, VERB_OWN_ARGS,
         "Usage: boxlaunch exec NAME [OPTIONS] -- COMMAND [ARG...]\n\n"
         "Runs COMMAND in the running box NAME: in its namespaces (pid included) and\n"
         "cgroup, with its capabilities, no_new_privs, seccomp filter, AppArmor\n"
         "profile, resource limits and personality, looked up in the box's PATH.\n\n"
         "  -t, --tty            allocate a pty in the box and relay it (without it,\n"
         "                       COMMAND gets boxlaunch's stdio, in a session of\n"
         "                       its own)\n"
         "  -u, --user=USER      run as USER (name or number, from the box's\n"
         "                       /etc/passwd) instead of the box's User=\n"
         "  -e, --env=K=V        set an environment variable (repeatable)\n"
         "  -w, --workdir=DIR    working directory (default: the box's)\n\n"
         "Exit status: the command's; 128+N if it was killed by signal N; 1 if no\n"
         "such box is running (or it is not running yet) or on a usage error; 125\n"
         "if entering the box failed; 126 if COMMAND could not be executed; 127 if\n"
         "it was not found."},
        {"shell", verb_shell, VERB_OWN_ARGS,
         "Usage: boxlaunch shell NAME [-u|--user USER]\n\n"
         "Opens a login shell in the running box NAME on a new pty: the user's shell\n"
         "from the box's /etc/passwd (else /bin/sh), run with -l, as root unless -u is\n"
         "given. Same environment, capabilities and restrictions as exec.\n"
         "Exit status: the shell's; 1 if no such box is running or on a usage error;\n"
         "125 if entering the box failed."},
        {"pause", verb_pause, VERB_NAME | VERB_OPEN,
         "Usage: boxlaunch pause NAME\n\n"
         "Freezes every process of the box (cgroup freezer) and sets its status to paused.\n"
         "Exit status: 0; 1 if no such box is running or on a usage error; 3 if\n"
         "the freezer failed."},
        {"resume", verb_resume, VERB_NAME | VERB_OPEN,
         "Usage: boxlaunch resume NAME\n\n"
         "Thaws every process of the box (cgroup freezer) and sets its status to running.\n"
         "Exit status: 0; 1 if no such box is running or on a usage error; 3 if\n"
         "the freezer failed."},
        {"ps", verb_ps, VERB_NAME | VERB_JSON | VERB_OPEN,
         "Usage: boxlaunch ps NAME [--json]\n\n"
         "Lists every process in the box's cgroup: PID (host), BOXPID (inside the\n"
         "box's pid namespace), UID (host view) and the command line.\n"
         "Exit status: 0; 1 if no such box is running or on a usage error; 3 if the\n"
         "cgroup cannot be read."},
        {"stats", verb_stats, VERB_NAME | VERB_JSON | VERB_OPEN,
         "Usage: boxlaunch stats NAME [--json]\n\n"
         "Resource usage of the box: CPU time (usec), memory current and peak\n"
         "(bytes), number of tasks, block I/O read/written (bytes) from its cgroup,\n"
         "and network bytes/packets received and sent on every interface but lo of\n"
         "PID 1's network namespace.\n"
         "Exit status: 0; 1 if no such box is running or on a usage error; 3 if the\n"
         "cgroup cannot be read."},
        {"gc", verb_gc, VERB_OWN_ARGS,
         "Usage: boxlaunch gc [NAME]\n\n"
         "Cleans up after boxes whose supervisor died (e.g. was SIGKILLed): for every\n"
         "state file whose lock is free, kills what is left in the box's cgroup,\n"
         "removes the cgroups and the state file. With NAME, only that box, and\n"
         "its boxlaunch/NAME.box cgroup leftovers are removed even without a state\n"
         "file.\n"
         "Running boxes are never touched. Prints what was removed.\n"
         "Exit status: 0; 1 if NAME is running, invalid, or on a usage error; 3 if\n"
         "something could not be removed."},
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

const struct verb *verb_table(size_t *n)
{
        *n = ARRAY_SIZE(verbs);
        return verbs;
}

/* -h or --help anywhere before "--". */
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

int verb_parse_args(struct verb_call *call, bool need_name, bool json)
{
        const char *verb = call->argv[0];
        call->name = NULL;
        for (int i = 1; i < call->argc; i++) {
                const char *a = call->argv[i];
                if (json && streq(a, "--json"))
                        call->json = true;
                else if (a[0] == '-' && a[1]) {
                        log_error("%s: unknown option %s (see --help)", verb, a);
                        return 1;
                } else if (need_name && !call->name)
                        call->name = a;
                else {
                        log_error("%s: unexpected argument '%s' (see --help)", verb, a);
                        return 1;
                }
        }
        if (need_name && !call->name) {
                log_error("%s: missing box NAME (see --help)", verb);
                return 1;
        }
        return 0;
}

int verb_open(struct verb_call *call, const char *name)
{
        call->name = name;
        return box_ref_open(name, false, &call->box);
}

static void verb_call_done(struct verb_call *call)
{
        box_ref_done(&call->box);
}

int verb_call(const struct verb *v, int argc, char **argv)
{
        _cleanup_(verb_call_done) struct verb_call call = {
                .argc = argc, .argv = argv, .box = {.pidfd = -1}};
        if (want_help(argc, argv)) {
                puts(v->usage);
                return 0;
        }
        if (!(v->flags & VERB_OWN_ARGS) &&
            verb_parse_args(&call, v->flags & VERB_NAME, v->flags & VERB_JSON))
                return 1;
        if ((v->flags & VERB_OPEN) && verb_open(&call, call.name) < 0)
                return 1;
        return v->fn(&call);
}
