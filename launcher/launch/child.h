/* child.h - the box's set-up child: PID 1 of the new pid namespace from clone3() until it
 * executes the payload (or the stub init). It sets up everything inside the box, in the order of
 * launch.c's sequence, talking to the supervisor over the sync socket (sync.h). */
#pragma once
#include "core/config.h"
#include "launch/privs.h"
#include "launch/runtime.h"

#include <signal.h>

struct hook_state;

struct child_args {
        const struct box_config *c;
        const struct box_runtime *rt;
        const struct privs *privs; /* decided on the host; the child only applies it */
        int sock;                  /* the child's end of the sync socket */
        int stub;                  /* the stub init's memfd (stubimage.h), or -1 */
        int log_fd;                /* --detach: the console log for stdout/stderr, or -1 */
        const sigset_t *oldmask;   /* the signal mask the payload starts with */
        /* The OCI runtime (launch.h, struct launch_oci): */
        bool oci;
        int fifo_fd;                 /* wait on the exec FIFO before the payload, or -1 */
        const struct hook_state *hs; /* create: for the startContainer hooks run after start */
        int console_sock;            /* send the terminal's master there, or -1 */
        unsigned preserve_fds;       /* fds 3..2+N reach the payload */
        bool late;                   /* join the cgroups late, through MSG_GO (launch.c) */
        int *join;                   /* !late: the tasks fds of the box's groups (closed) */
        int n_join;
};

/* Runs in the child right after clone3(); never returns: it executes the payload or ends with
 * sync_child_exit() (or _exit() when the supervisor is gone). */
_noreturn_ void child_main(const struct child_args *a);
