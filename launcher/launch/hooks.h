/* hooks.h - OCI lifecycle hooks: run every [Hook] of a stage with the box's state on stdin.
 *
 * Where each stage runs (OCI runtime spec, "POSIX-platform Hooks"):
 *   prestart, createRuntime  runtime (host) namespaces, after the box's namespaces exist, before
 *                            pivot_root                                  -> nsenter_pid = 0
 *   createContainer          the box's namespaces, before pivot_root     -> nsenter_pid = PID 1
 *   startContainer           the box's namespaces, just before the payload's execve, with the
 *                            box's cgroups, capabilities, no_new_privs, LSM and seccomp
 *                            (hooks_run_confined()); OCI create: after start, in the init
 *                            (child.c), with the payload's identity
 *   poststart                runtime namespaces, after the payload started (non-fatal)
 *   poststop                 runtime namespaces, after the box is gone (non-fatal) */
#pragma once
#include "core/config.h"

struct hook_state {
        const char *id;           /* the box name */
        const char *status;       /* "creating", "created", "running" or "stopped" */
        pid_t pid;                /* host pid of the box's PID 1; <= 0 leaves "pid" out */
        const char *bundle;       /* absolute directory; NULL is written as "" */
        char *const *annotations; /* "key=value" (the config's), or NULL: {} */
};

/* The OCI state JSON of s, NUL-terminated, malloc'd. Strings are escaped per RFC 8259. */
char *hook_state_json(const struct hook_state *s);

/* Runs every hook of `stage` in file order, each with the state JSON on stdin, exactly
 * hook->env as its environment, stdout/stderr inherited and no other fd, in a session of its
 * own (never the caller's, whose terminal stdout may be). With nsenter_pid > 0
 * the hook runs in every namespace of that process that differs from ours (a pid namespace is
 * entered with one more fork). A hook that outlives hook->timeout_usec is SIGKILLed with its
 * process group. Each failure is logged here, naming the hook and the stage.
 *
 * fatal: stop at the first failure and return it: -ETIMEDOUT (timeout), -ECHILD (non-zero exit
 * or killed by a signal), the exec's or set-up's -errno otherwise. Not fatal (poststart,
 * poststop): failures are warnings, every hook runs, 0 is returned. */
int hooks_run(const struct box_config *c, enum box_hook_stage stage, const struct hook_state *st,
              pid_t nsenter_pid, bool fatal);

struct privs;

/* What a hook that runs a program of the box's gets of the box's confinement. */
struct hook_confine {
        const struct box_config *c;
        const struct privs *privs; /* capabilities, filter, AppArmor decision */
        const int *cgroup_fds;     /* the box's groups' tasks/cgroup.procs (cgroup_join_fds()) */
        int n_cgroup_fds;
};

/* hooks_run() with the box's restrictions on every hook (conf NULL: none): each joins the box's
 * cgroups, enters its namespaces and, as root in the box, takes its capability set,
 * no_new_privs, AppArmor profile and seccomp filter before execve, as the box's own processes
 * do. For startContainer hooks, whose program comes from the image. */
int hooks_run_confined(const struct box_config *c, enum box_hook_stage stage,
                       const struct hook_state *st, pid_t nsenter_pid, bool fatal,
                       const struct hook_confine *conf);
