/* state.h - the state file of a box, /run/boxlaunch/NAME: its lock, how it is written once by the
 * supervisor, its status rewritten in place, and how a verb reads it (once).
 *
 * One file per box, locked (flock) by its supervisor and removed while the lock is still held,
 * so nothing stays behind once the box is gone; a file whose lock is free belongs to a
 * supervisor that died, and the next start (or `gc`) takes it over. One file rather than a
 * directory of them: where /run is a disk file system, every inode made and removed per start
 * costs journal work (a directory of four files took 1 ms per start on ext4, one file 0.15 ms).
 *
 * Format 2 (format 1 held the configuration as .box text, which lost keys on the way back):
 *
 *   status=running \n      first line; the value is padded to STATE_STATUS_WIDTH and rewritten
 *                          in place (creating, running, paused)
 *   pid=1234\n             PID 1 of the box, host view
 *   pidstart=...\n         its start time, to tell it from a reused pid
 *   supervisor=...\n       the supervisor's pid
 *   created=...\n          unix time
 *   cgroup=...\n           relative to each hierarchy root
 *   root=...\n             the root directory (absent if it holds a newline): what `list`
 *                          shows without parsing the configuration of every box
 *   network=...\n          the network summary as one line of JSON (launch/netsum.h), null
 *                          when none: what `list --json` shows without the configuration
 *   config=N\n             the size of the configuration after the blank line
 *   \n
 *   {"version":1,...}      the resolved configuration as JSON (core/config_json.h: lossless and
 *                          versioned), what `exec` applies and `status` shows
 *
 * The file is empty until the supervisor has started PID 1; readers take a file whose
 * configuration is shorter than config= as not written yet. Side files of a box, present only
 * when used, are hidden (a box name never starts with '.'): .NAME.log (--detach) and the
 * directory .NAME.notify/ (NotifyReady=). Only root can read any of them (mode 0600/0700): the
 * configuration may carry secrets in its environment. */
#pragma once
#include "core/config.h"
#include "util/util.h"

#define STATE_STATUS_WIDTH 8

struct box_state {
        char *name;
        int fd; /* the locked state file */
};

/* Directory holding the state file of every box: $BOXLAUNCH_RUNTIME_DIR or /run/boxlaunch. */
const char *state_root(void);
/* state_root()/NAME, and a side file state_root()/.NAME.SUFFIX. */
char *state_path(const char *name);
char *state_side_path(const char *name, const char *suffix);

/* ---- the supervisor's side ---- */

/* Creates and locks the (empty) state file of `name`, removing what a dead supervisor left;
 * -EBUSY if a live box holds it. */
int state_acquire(const char *name, struct box_state *ret);
/* Writes the whole file: the header lines (KEY=VALUE\n each, without status= and config=), the
 * status and the configuration (JSON, box_config_to_json_string()). Once, into the empty file. */
int state_publish(struct box_state *s, const char *status, const char *header, const char *config);
/* Rewrites the status in place: by the supervisor (s) or by a verb, through the name. */
int state_set_status(struct box_state *s, const char *status);
int state_set_status_of(const char *name, const char *status);
/* Removes the side files and the state file, then drops the lock. Safe on a zeroed struct. */
void state_release(struct box_state *s);

/* ---- the verbs' side ---- */

/* One read of a completely written state file. Values missing from the header are 0 / NULL. */
struct state_record {
        char *status; /* without its padding */
        pid_t pid;    /* PID 1, host view */
        unsigned long long pidstart;
        pid_t supervisor;
        long long created; /* unix time */
        char *cgroup;
        char *root;    /* NULL if not recorded (then the configuration has it) */
        char *network; /* the network summary's JSON; NULL if not recorded */
        char *config;  /* the configuration's JSON text, as written */
};
/* -ENOENT if there is no such file, -EAGAIN if it is not written (completely) yet. */
int state_read(const char *name, struct state_record *ret);
/* The same for a running box only, with one open: -ENOENT also when its lock is free (what
 * state_is_running() and state_read() tell in two). Without config, ret->config stays NULL. */
int state_read_running(const char *name, bool config, struct state_record *ret);
void state_record_done(struct state_record *r);
/* Parses the configuration of box `name` (a record's config) into c, initialised here
 * (box_config_free() it). Logs why it cannot (quiet: not at all) and returns -EINVAL. */
int state_parse_config(const char *name, const char *json, bool quiet, struct box_config *c);
/* Is the box `name` running (its lock is held)? */
bool state_is_running(const char *name);
