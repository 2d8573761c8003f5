/* verbs.h - boxlaunch's command line: ONE table of verbs (name, handler, flags, usage) that
 * main's dispatch, `boxlaunch --help` and every `boxlaunch VERB --help` read, and the prologue
 * the verbs share (help, the plain argument forms, opening the running box).
 *
 * Verbs: run and check (cli/run.c: a .box file, the global options of main.c); list, status,
 * stop, kill, pause, resume, ps, stats, gc (cli/boxverbs.c) and exec, shell (cli/execverbs.c),
 * which act on running boxes through their state files (ops/).
 *
 * Exit codes common to the verbs on running boxes: 0 success, 1 usage error or no such (running)
 * box, 3 (EXIT_VERB_FAILED) when the operation itself failed. Each verb documents its own in its
 * usage. */
#pragma once
#include "ops/boxref.h"

#define EXIT_VERB_FAILED 3

enum verb_flags {
        VERB_NAME = 1 << 0,     /* takes exactly one box NAME */
        VERB_JSON = 1 << 1,     /* takes --json */
        VERB_OPEN = 1 << 2,     /* the prologue opens the running box NAME (else exit 1) */
        VERB_OWN_ARGS = 1 << 3, /* parses its own arguments (after the prologue's --help) */
        VERB_RUN = 1 << 4,      /* run, check: main.c's global options and usage */
};

/* main.c's global options, for run and check. */
struct run_opts {
        const char *name; /* -n: run under this name */
        const char *console;
        bool show;
        bool oci; /* check --oci: print the config as an OCI bundle's config.json */
        bool detach;
        char **cmd; /* after "--" */
};

/* One call of a verb, as the prologue leaves it for the handler. */
struct verb_call {
        int argc;
        char **argv;                /* argv[0] is the verb's name; VERB_RUN: the operands (BOX) */
        const char *name;           /* VERB_NAME: the box */
        bool json;                  /* VERB_JSON: --json was given */
        struct box_ref box;         /* VERB_OPEN: the running box */
        const struct run_opts *run; /* VERB_RUN */
};

struct verb {
        const char *name;
        int (*fn)(struct verb_call *call); /* returns the exit code */
        unsigned flags;
        const char *usage; /* --help, from "Usage: boxlaunch VERB"; NULL with VERB_RUN */
};

/* The verb called `name`, or NULL. */
const struct verb *verb_find(const char *name);
/* The table, in the order usage lists the verbs. */
const struct verb *verb_table(size_t *n);

/* The prologue, then v's handler: --help or -h (before "--") prints the usage; unless
 * VERB_OWN_ARGS the arguments are parsed as VERB_NAME/VERB_JSON say; with VERB_OPEN the box is
 * opened. argv[0] is the verb's name. Returns the exit code. */
int verb_call(const struct verb *v, int argc, char **argv);

/* For VERB_OWN_ARGS handlers: the plain forms "[--json] [NAME]" parsed from call->argv into
 * call->name and call->json (need_name: NAME required; json: --json allowed). 0, or 1 after
 * logging the usage error. */
int verb_parse_args(struct verb_call *call, bool need_name, bool json);
/* Opens the running box `name` into call->box: 0, or a negative errno after logging why. */
int verb_open(struct verb_call *call, const char *name);

/* The handlers. */
int verb_run(struct verb_call *call);
int verb_check(struct verb_call *call);
int verb_list(struct verb_call *call);
int verb_status(struct verb_call *call);
int verb_stop(struct verb_call *call);
int verb_kill(struct verb_call *call);
int verb_pause(struct verb_call *call);
int verb_resume(struct verb_call *call);
int verb_ps(struct verb_call *call);
int verb_stats(struct verb_call *call);
int verb_gc(struct verb_call *call);
int verb_exec(struct verb_call *call);
int verb_shell(struct verb_call *call);
