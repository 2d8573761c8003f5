/* launch.h - the launch pipeline: one validated config in, the box's exit code out (its codes:
 * core/exitcodes.h). */
#pragma once
#include "core/config.h"

/* The OCI runtime's create and run (cli/runc/): no .box state file, no supervisor left behind.
 * The launch stops once the box's init is ready to execute its payload; created() records it
 * (the OCI state, the pid file). Without foreground the launch then returns 0 and leaves the
 * init, its cgroups and its namespaces to the caller: the init blocks opening the exec FIFO
 * for writing until `start` opens it for reading; `delete` cleans up. With foreground (run) the
 * .box supervisor's loop waits for it and the launch cleans up as for a .box. */
struct launch_oci {
        const char *bundle;    /* the hooks' state */
        int fifo_fd;           /* O_PATH fd of the exec FIFO, or -1: execute at once */
        int console_sock;      /* a terminal's master goes there (SCM_RIGHTS), or -1 */
        unsigned preserve_fds; /* fds 3..2+N reach the payload; every other is closed */
        bool foreground;
        /* Called while the init sets itself up (off the start's critical path): record it. */
        int (*record)(void *userdata, pid_t pid, const char *cgroup);  /* logs its errors */
        int (*created)(void *userdata, pid_t pid, const char *cgroup); /* logs its errors */
        void *userdata;
};

struct launch_opts {
        /* --detach: write one int to this fd (0 once the box runs, else the exit code) and close
         * it; the box's stdin is /dev/null and its output goes to the console log beside the
         * state file (state.h), so no caller's pipe or terminal is held. -1: run in the
         * foreground. */
        int detach_fd;
        const struct launch_oci *oci; /* NULL: a .box launch */
};

/* Runs the box and returns the exit code to pass on. c is not changed: what the launch decides
 * on the way (runtime.h) is kept apart. Every host-side resource acquired on the way is
 * released before it returns, on every path. */
int launch_box(const struct box_config *c, const struct launch_opts *o);

/* `boxlaunch __finish NAME LOCKFD SI_CODE SI_STATUS BOOT` (argv[0] the program): the end of a
 * box whose supervisor slimmed (launch/slim.c), executed by the slim supervisor once PID 1 is
 * reaped, with the state file's lock (LOCKFD) still held. Reports an OOM kill, removes the
 * groups and the state file, and returns the box's exit code (125 for bad arguments). */
int launch_finish(int argc, char **argv);
