/* runc.h - boxlaunch as an OCI runtime: the runc-compatible command line that podman (through
 * conmon), containerd's runc shim and the runtime-spec validation suite call. One binary:
 * `boxlaunch-runc ...` (chosen by argv[0]) or `boxlaunch runc ...`.
 *
 * The callers' process model (README "OCI runtime"): `create` leaves the container's init as
 * the only process of ours, blocked before its payload, and exits; the caller (a subreaper)
 * inherits it, reaps it and relays its stdio. There is no boxlaunch supervisor in between. The
 * state of each container lives in ROOT/ID/ (store.c); every verb is a short-lived process. */
#pragma once
#include "core/config.h"
#include "util/util.h"

#include <json-c/json.h>

#define RUNC_NAME         "boxlaunch-runc"
#define RUNC_DEFAULT_ROOT "/run/boxlaunch-runc"
#define RUNC_OCI_VERSION  "1.2.0"

/* Global options, before the command word. */
struct runc_globals {
        const char *root; /* --root: the state directory */
        bool systemd_cgroup;
        bool debug;
};

/* Entry point: argv[0] is the program or "runc". Returns the exit code. */
int runc_main(int argc, char **argv);

/* ---- logging (main.c): every message to stderr and, with --log, as one line to the log ---- */
int runc_log_open(const char *path, bool json);

/* ---- the state store (store.c) ---- */

enum runc_status { RUNC_CREATING, RUNC_CREATED, RUNC_RUNNING, RUNC_PAUSED, RUNC_STOPPED };
const char *runc_status_name(enum runc_status s);

/* One container's directory ROOT/ID: state.json, config.json (the bundle's, as created),
 * exec.fifo (while created). The directory fd holds an exclusive flock while open. */
struct runc_ct {
        char *id;
        char *dir;                 /* ROOT/ID */
        int dirfd;                 /* locked */
        struct json_object *state; /* state.json */
        pid_t pid;                 /* the init, host view; 0 once stopped */
        int pidfd;                 /* of the init, checked against pidstart; -1 when stopped */
        enum runc_status status;   /* computed: liveness, FIFO, recorded pause */
        char *cgroup;              /* relative to each hierarchy root */
        char *bundle;
};

/* A valid container ID (it names a directory and a cgroup). Logs why not. */
bool runc_id_valid(const char *id);
/* Reserves ROOT/ID (-EEXIST: logged "container with given ID already exists"). */
int runc_ct_new(const struct runc_globals *g, const char *id, struct runc_ct *ret);
/* Opens and locks ROOT/ID, reads state.json and checks the init's liveness. -ENOENT (logged
 * "container ID does not exist" unless quiet) if there is no such container. */
int runc_ct_open(const struct runc_globals *g, const char *id, bool quiet, struct runc_ct *ret);
void runc_ct_done(struct runc_ct *ct);
#define _cleanup_runc_ct_ _cleanup_(runc_ct_done)
/* Writes state.json atomically from ct->state. */
int runc_ct_save(struct runc_ct *ct);
/* Sets the recorded status ("created", "running", "paused") and saves. */
int runc_ct_set_status(struct runc_ct *ct, const char *status);
/* Removes ROOT/ID and everything in it. */
void runc_ct_remove(struct runc_ct *ct);
/* The OCI state object (the spec's fields only), new reference. */
struct json_object *runc_ct_oci_state(const struct runc_ct *ct);
/* The container's resolved configuration, as recorded at create. */
int runc_ct_config(const struct runc_ct *ct, struct box_config *c);
/* The IDs under ROOT, sorted. */
int runc_ids(const struct runc_globals *g, char ***ret);
/* Writes text to path atomically (a temporary file renamed), mode 0644. */
int runc_write_file(const char *path, const char *text, size_t len);

/* ---- the verbs ---- */
typedef int (*runc_verb_fn)(const struct runc_globals *g, int argc, char **argv);
int runc_create(const struct runc_globals *g, int argc, char **argv);
int runc_run(const struct runc_globals *g, int argc, char **argv);
int runc_start(const struct runc_globals *g, int argc, char **argv);
int runc_state(const struct runc_globals *g, int argc, char **argv);
int runc_kill(const struct runc_globals *g, int argc, char **argv);
int runc_delete(const struct runc_globals *g, int argc, char **argv);
int runc_list(const struct runc_globals *g, int argc, char **argv);
int runc_exec(const struct runc_globals *g, int argc, char **argv);
int runc_ps(const struct runc_globals *g, int argc, char **argv);
int runc_pause(const struct runc_globals *g, int argc, char **argv);
int runc_resume(const struct runc_globals *g, int argc, char **argv);
int runc_update(const struct runc_globals *g, int argc, char **argv);
int runc_events(const struct runc_globals *g, int argc, char **argv);
int runc_features(const struct runc_globals *g, int argc, char **argv);
int runc_spec(const struct runc_globals *g, int argc, char **argv);
int runc_checkpoint(const struct runc_globals *g, int argc, char **argv);
/* The caller's console socket, connected (a path longer than sun_path goes through its
 * directory); an O_CLOEXEC fd or -errno, logged. */
int runc_connect_console(const char *path);

/* The time now as RFC 3339 with nanoseconds, UTC (malloc'd). */
char *runc_now_rfc3339(void);
/* Prints a JSON object to stdout, pretty (2 spaces) and newline-terminated. */
void runc_print_json(struct json_object *o);
/* Parses a config.json text into c for the container (bundle: where relative paths start). */
int runc_load_config_text(const char *text, const char *what, const char *bundle, const char *id,
                          struct box_config *c);
