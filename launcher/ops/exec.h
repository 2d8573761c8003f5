/* exec.h - entering a running box: a new process in all of its namespaces (its pid namespace
 * included) and its cgroup, with the user, environment, working directory, resource limits,
 * personality, capabilities, no_new_privs, AppArmor profile and seccomp filter of the box's
 * command, as the box's state file records them. The operation behind `exec` and `shell`; their
 * command lines are parsed in cli/execverbs.c. */
#pragma once
#include "util/util.h"

struct exec_opts {
        const char *name;    /* the box */
        bool tty;            /* a pty from the box's devpts, relayed to our terminal */
        bool shell;          /* run the user's login shell from the box's /etc/passwd, with -l */
        const char *user;    /* instead of the box's User= (name or number), NULL for that */
        char **env;          /* KEY=VALUE entries added to the box's environment, borrowed */
        const char *workdir; /* instead of the box's WorkingDirectory=, NULL for that */
        char **cmd;          /* the command (unless shell), borrowed */

        /* The OCI runtime's exec (cli/runc/exec.c). */
        bool oci;                        /* the fields below apply */
        const struct box_ref *ref;       /* the container, found by the caller */
        const struct box_config *config; /* the process to run (argv, env, user, caps...) */
        bool detach;           /* return once the command runs: our caller (a subreaper) gets it */
        const char *pid_file;  /* the command's host pid, decimal, no newline */
        int console_sock;      /* > 2: a tty's master goes there instead of being relayed */
        unsigned preserve_fds; /* fds 3..2+N reach the command */
};

/* Runs the command in the box and waits for it. Returns boxlaunch's exit code: the command's
 * (128+N if a signal N killed it), 1 if no such box is running (or it is paused or still being
 * created), 125 if entering the box failed, 126 if the command could not be executed, 127 if it
 * was not found. Every failure is logged. */
int box_exec(const struct exec_opts *o);
/* OCI: exit codes as runc's exec: 1 when the process could not be started (logged: a missing
 * command says "No such file or directory"); with detach 0 once it runs, else its own code. */
