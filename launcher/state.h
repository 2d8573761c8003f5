/* state.h - /run/boxlaunch/NAME/: one running instance per name, found by the verbs.
 *
 * The lock is an flock on the state directory itself, so nothing stays behind once the box is
 * gone: the directory is emptied and removed while the lock is still held. A directory whose
 * lock is free belongs to a supervisor that died; the next start (or `gc`) takes it over. */
#pragma once
#include "util.h"

struct box_state {
        char *dir;
        int dirfd; /* locked */
};

/* Directory holding the state of every box: $BOXLAUNCH_RUNTIME_DIR or /run/boxlaunch. */
const char *state_root(void);

/* Creates and locks the state directory of `name`; -EBUSY if a live box holds it. */
int state_acquire(const char *name, struct box_state *ret);
/* Writes a file that does not exist yet, in place: cheaper than state_write() (no temporary
 * file and rename, which /run on a disk file system makes costly). For the files written once
 * at start, before "status" exists: readers wait for "status" (written with state_write()). */
int state_write_new(struct box_state *s, const char *file, const char *content);
/* Writes one small file (atomically) in the state directory. */
int state_write(struct box_state *s, const char *file, const char *content);
/* Removes every file and the directory, then drops the lock. Safe on a zeroed struct. */
void state_release(struct box_state *s);
/* Reads a state file of a running box by name; -ENOENT if no such box. */
int state_read(const char *name, const char *file, char **ret);
/* Is the box `name` running (its lock is held)? */
bool state_is_running(const char *name);
