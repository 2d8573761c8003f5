/* verbs.h - the verbs that act on running boxes (design §7): list, status, stop, kill, exec,
 * shell, pause, resume, ps, stats, gc. They run in a separate boxlaunch process and find a box
 * through its state directory (state.h); a box is running while its directory's lock is held.
 *
 * Exit codes common to every verb: 0 success, 1 usage error or no such (running) box. Each verb
 * documents its own failure codes in its --help. */
#pragma once
#include "util/util.h"

struct verb {
        const char *name;
        int (*fn)(int argc, char **argv); /* argv[0] is the verb's name */
        const char *summary;
};

/* The verb called `name`, or NULL. */
const struct verb *verb_find(const char *name);

/* Writes s as a JSON string literal (with the quotes): ", \ and control characters escaped,
 * bytes >= 0x80 passed through (UTF-8 stays UTF-8). NULL is written as null. */
void json_write_string(FILE *f, const char *s);

/* The n bytes at s made safe for a terminal, malloc'd: printable ASCII and valid UTF-8 (but C1
 * controls) as they are, a backslash doubled, the C escapes for BEL BS HT LF VT FF CR, and \xHH
 * for every other byte (ESC included). For what a box writes (command lines) on its way to the
 * admin's screen. */
char *cescape_bytes(const char *s, size_t n);

/* exec.c: `exec` and `shell`. */
int verb_exec(int argc, char **argv);
int verb_shell(int argc, char **argv);

/* Shared with exec.c. */
struct box_ref {
        char *name;
        pid_t pid;         /* PID 1, host view */
        int pidfd;         /* of PID 1, verified against pidstart */
        pid_t supervisor;  /* 0 if unknown */
        char *cgroup;      /* relative to each hierarchy root */
        char *status;      /* "creating", "running", "paused", ... */
        long long created; /* unix time */
};
void box_ref_done(struct box_ref *b);
/* Finds the running box `name`, opens a pidfd for its PID 1 and checks the recorded start time.
 * Logs "no box 'NAME' is running" (or why it cannot be reached) and returns a negative errno. */
int box_ref_open(const char *name, struct box_ref *ret);
