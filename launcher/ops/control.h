/* control.h - the operations on a running box (found with box_ref_open()): stop, kill, pause and
 * resume; the data `status`, `ps` and `stats` show; and the clean-up after a supervisor that
 * died (gc). Processes are only signalled through a pidfd checked against a recorded start time.
 * Functions return 0 or a negative errno; each says whether it logged. */
#pragma once
#include "cgroup/cgroup.h"
#include "ops/boxref.h"

#include <stdio.h>

/* Waits until the box's lock is free (its supervisor removes the state file before dropping
 * it); true if it went within ms. */
bool box_wait_gone(const char *name, uint64_t ms);
/* The same, woken by pidfd's exit (the supervisor's, or PID 1's) instead of polling until
 * then; -1: poll only (from 0.5 ms, backing off to 20 ms). */
bool box_wait_gone_fd(const char *name, int pidfd, uint64_t ms);

/* Stops the box: SIGTERM to its supervisor (which runs the stop protocol) or, without one, to
 * PID 1; after timeout_sec SIGKILL to PID 1 and 10 s more for the supervisor to clean up. A
 * paused box is thawed first. Logs what it did and any failure. */
int box_stop(const struct box_ref *b, unsigned timeout_sec);
/* The same for n boxes at once: all are signalled first, then waited for together (their
 * supervisors tear down in parallel). Returns 0 if every box stopped, else the last error. */
int box_stop_many(const struct box_ref *boxes, size_t n, unsigned timeout_sec);

/* Sends sig to PID 1 (through its pidfd). Logs a failure. */
int box_kill(const struct box_ref *b, int sig);

/* Freezes or thaws every process of the box and records the status (paused, running). Logs a
 * failure; `verb` names the command in messages. */
int box_freeze(const struct box_ref *b, bool freeze, const char *verb);

/* The number of processes in the cgroup (0 if it cannot be read). */
size_t box_count_procs(const char *cgroup);

struct box_proc {
        pid_t pid;     /* host view */
        pid_t nspid;   /* in the innermost pid namespace (the box's); 0 if unknown */
        long long uid; /* host view; -1 if unknown */
        char *cmd;     /* the command line as the box set it (any bytes, NULs made spaces) */
        size_t cmd_len;
};
/* Every process of the box's cgroup, sorted by pid. Not logged. */
int box_procs(const struct box_ref *b, struct box_proc **ret, size_t *n);
void box_procs_free(struct box_proc *p, size_t n);

struct box_stats {
        struct box_cgroup_stats cg;
        uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets; /* every interface but lo */
};
/* Resource usage: the cgroup's counters (a failure returned, not logged) and the network
 * counters of PID 1's namespace (a failure logged as a warning; they stay 0). */
int box_stats(const struct box_ref *b, struct box_stats *ret);

/* gc: cleans up after the box `name` whose supervisor is gone (its lock is free): kills PID 1
 * if it is still the recorded process, the cgroups' leftovers, removes the groups and the state
 * file. Without a state file, its automatic groups. Prints what it removed to out and counts it
 * in *removed; logs failures. A box that starts meanwhile wins and is skipped. */
int box_gc(const char *name, FILE *out, unsigned *removed);
