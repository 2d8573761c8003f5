/* boxref.h - finding a running box: its state file read once, a pidfd for its PID 1 checked
 * against the start time recorded at launch (so a pid reused by an unrelated process is never
 * acted on), and its configuration as the state file holds it. What every verb on a running box
 * starts from; the list of box names for `list` and `gc`. */
#pragma once
#include "core/config.h"
#include "util/util.h"

struct box_ref {
        char *name;
        pid_t pid;                 /* PID 1, host view */
        int pidfd;                 /* of PID 1, verified against the recorded start time */
        pid_t supervisor;          /* 0 if unknown */
        char *cgroup;              /* relative to each hierarchy root; NULL if none recorded */
        char *root;                /* the root directory if the state file's header has it */
        char *network;             /* the network summary (JSON) if the header has it */
        char *status;              /* "creating", "running", "paused", ... */
        long long created;         /* unix time */
        char *config_json;         /* the configuration as the state file holds it */
        struct box_config *config; /* parsed from it by box_ref_config(), once */
};

/* Finds the running box `name`, opens a pidfd for its PID 1 and checks the recorded start time.
 * Logs "no box 'NAME' is running" (or why it cannot be reached; quiet: nothing) and returns
 * -EINVAL (bad name), -ENOENT (not running), -EAGAIN (still starting) or -ESRCH (PID 1 gone). */
int box_ref_open(const char *name, bool quiet, struct box_ref *ret);
/* The same for a look only (`list`): quiet, and no pidfd (pidfd -1): the PID 1 is checked, not
 * pinned, so nothing may be sent to it through this reference. The state file's header only is
 * kept: box_ref_config() reads the configuration when it is asked for. */
int box_ref_peek(const char *name, struct box_ref *ret);
void box_ref_done(struct box_ref *b);
#define _cleanup_box_ref_ _cleanup_(box_ref_done)

/* The box's resolved configuration (parsed on the first call); NULL after logging why not
 * (quiet: without). */
const struct box_config *box_ref_config(struct box_ref *b, bool quiet);

/* The names of the boxes that have a state file (running or not), sorted. */
int box_names(char ***ret);
