/* supervise.h - the supervisor's wait loop once the box runs: signals, terminal relay, exit code. */
#pragma once
#include "util/util.h"

#include <signal.h>

struct supervise_params {
        pid_t pid;                  /* PID 1 of the box, host view; a child of the caller */
        int pidfd;                  /* pidfd of it (pidfd_open) or -1 */
        int kill_signal;            /* sent to PID 1 on the first SIGTERM/SIGINT/SIGHUP */
        uint64_t stop_timeout_usec; /* then SIGKILL (0: never); a second signal: at once */
        int pty_master;             /* -1 = no relay (pipe mode); not closed by supervise() */
        bool read_only_console;
        bool boot; /* PID 1 died of SIGINT (reboot(2) poweroff) -> 0, of SIGHUP (reboot) -> 133 */
        int (*on_stop)(void *userdata);   /* optional: called once when stopping begins */
        int watch_fd;                     /* optional (-1): another fd to watch, e.g. sd_notify */
        void (*on_watch)(void *userdata); /* called when watch_fd is readable */
        /* Slimming: once the box has run slim_after_usec (0: never) and is not being stopped,
         * slim() executes the slim supervisor (stubsup.h) in our place; it returns only if it
         * could not, and the loop goes on. Not with a terminal relay. */
        uint64_t slim_after_usec;
        void (*slim)(void *userdata);
        void *userdata;
};

/* Blocks SIGCHLD SIGTERM SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGWINCH SIGCONT and ignores
 * SIGPIPE; call before clone() so nothing is lost before supervise() reads them. *old (may be
 * NULL) receives the previous mask, for the child to restore. */
int supervise_block_signals(sigset_t *old);

/* Runs epoll over a signalfd, the pidfd and the relay until PID 1 exits; restores the terminal;
 * returns boxlaunch's exit code (core/exitcodes.h): exit N -> N, but 133 -> 1 (a payload cannot
 * fake a reboot); killed by S -> 128+S; boot mode: SIGINT death -> 0, SIGHUP death -> 133. SIGQUIT,
 * SIGUSR1, SIGUSR2, SIGCONT and SIGWINCH are forwarded to PID 1 (SIGWINCH resizes the pty instead
 * when relaying). Returns a negative errno if supervision itself fails (PID 1 is SIGKILLed and
 * reaped first). */
int supervise(const struct supervise_params *p);

/* Exit-code mapping for a waitid() result: si_code (CLD_EXITED/KILLED/DUMPED) and si_status. */
int supervise_exit_code(int code, int status, bool boot);
