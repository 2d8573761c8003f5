/* launch/launch_internal.h - struct launch and its undo registry, shared by launch.c and the
 * phases before clone (prepare.c). Not part of the public API (launch.h). */
#pragma once
#include "launch/launch.h"

#include "cgroup/cgroup.h"
#include "core/state.h"
#include "launch/child.h"
#include "launch/hooks.h"
#include "launch/net.h"
#include "launch/runtime.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>

struct launch;
typedef void (*launch_undo_t)(struct launch *l);
#define LAUNCH_UNDO_MAX 24

struct launch {
        const struct box_config *c;
        struct box_runtime rt;        /* what this start decided beside the config */
        bool late;                    /* the child joins its cgroups late (top of launch.c) */
        int code;                     /* the exit code so far */
        int detach_fd;                /* --detach: where to report the start */
        const struct launch_oci *oci; /* the OCI runtime's create or run (launch.h), or NULL */
        bool keep;            /* OCI create succeeded: the init, its groups and hooks outlive us */
        struct hook_state hs; /* what the hooks are told */
        char *bundle;         /* hs.bundle of an OCI bundle (on the heap: launch_box()'s
                                * frame stays under the supervisor's loop for the box's life) */

        /* What the phases acquired, each released by the undo its phase registered. */
        struct box_state state;
        int root_dir;
        struct privs sec; /* decided before clone; the child only applies it */
        int idmap_lock;
        int log_fd; /* --detach: the console log, a side file of the state (state.h) */
        int notify_fd;
        char *notify_path;
        int stub;
        sigset_t oldmask;
        struct box_cgroup *cg;
        int join[CGROUP_JOIN_MAX]; /* the child joins its v1 groups through these */
        int n_join;
        int sock;
        pid_t pid;
        unsigned long long pid_start; /* its start time (/proc/PID/stat) */
        int pidfd;
        int root_mount;
        int pty_master;
        bool started; /* the payload ran: poststop hooks are due */
        struct launch_net net;

        launch_undo_t undo[LAUNCH_UNDO_MAX];
        size_t n_undo;
};

static inline void on_cleanup(struct launch *l, launch_undo_t undo)
{
        /* A fixed sequence of phases registers a fixed number of undos. */
        if (l->n_undo == LAUNCH_UNDO_MAX)
                abort();
        l->undo[l->n_undo++] = undo;
}

/* Logs that the OOM killer killed `ooms` processes of the box, naming MemoryMax='s origin. */
void launch_report_oom(const struct box_config *c, uint64_t ooms);

/* Slimming (launch/slim.c): whether the supervisor may hand the running box to the slim
 * supervisor (its end is its groups and its state file, nothing more), and the hand-over, for
 * supervise(): returns only if it could not. */
bool launch_can_slim(const struct launch *l);
void launch_slim(void *userdata);

/* The phases before clone (prepare.c), in launch_box()'s order; each registers its undo. */
int acquire_state(struct launch *l);
int prepare_security(struct launch *l);
int prepare_ids(struct launch *l);
int prepare_console(struct launch *l);
int prepare_mounts(struct launch *l);
int prepare_stub(struct launch *l);
int block_signals(struct launch *l);
int prepare_hooks(struct launch *l);
/* The id range's lock, let go once the maps are written (write_maps() in launch.c). */
void release_idmap_lock(struct launch *l);
