/* names.h - the names of the config's enumerated values, once for every front-end, the state
 * format (config_json.c) and the command line: console modes, mount types, network modes, hook
 * stages and RLIMIT_* resources (capability names are in util/capnames.h). Pure look-ups:
 * nothing here logs. */
#pragma once
#include "core/config.h"

/* Every resource limit by its RLIMIT_* suffix, in RLIMIT_* order: X(CPU) X(FSIZE) ... Front-ends
 * derive their key names from it (the .box reader's LimitNOFILE=). */
#define BOX_RLIMITS(X)                                                                             \
        X(CPU)                                                                                     \
        X(FSIZE)                                                                                   \
        X(DATA)                                                                                    \
        X(STACK)                                                                                   \
        X(CORE)                                                                                    \
        X(RSS)                                                                                     \
        X(NPROC)                                                                                   \
        X(NOFILE)                                                                                  \
        X(MEMLOCK)                                                                                 \
        X(AS)                                                                                      \
        X(LOCKS)                                                                                   \
        X(SIGPENDING)                                                                              \
        X(MSGQUEUE)                                                                                \
        X(NICE)                                                                                    \
        X(RTPRIO)                                                                                  \
        X(RTTIME)

/* "RLIMIT_NOFILE" (the OCI runtime spec's spelling); NULL for a resource out of range. */
const char *box_rlimit_name(int resource);
/* RLIMIT_* of "RLIMIT_NOFILE" (exact case), or -EINVAL. */
int box_rlimit_from_name(const char *name);

/* Console modes: "autopipe", "interactive", "read-only", "pipe" (index = enum value). */
extern const char *const box_console_mode_names[_BOX_CONSOLE_MAX];
const char *box_console_mode_to_string(enum box_console_mode m);
int box_console_mode_from_string(const char *s); /* case-insensitive; -EINVAL if unknown */

/* Mount types: "bind", "tmpfs", "overlay". */
extern const char *const box_mount_type_names[_BOX_MOUNT_TYPE_MAX];
const char *box_mount_type_to_string(enum box_mount_type t);
int box_mount_type_from_string(const char *s); /* case-insensitive; -EINVAL */

/* Network modes: "host", "private". */
extern const char *const box_net_mode_names[_BOX_NET_MAX];
int box_net_mode_from_string(const char *s); /* case-insensitive; -EINVAL */
/* Port protocols: "tcp", "udp". */
extern const char *const box_net_proto_names[_BOX_PROTO_MAX];
int box_net_proto_from_string(const char *s); /* case-insensitive; -EINVAL */
/* ResolvConf= modes: "auto", "off", "bind-host", "bind-box". */
extern const char *const box_resolv_conf_names[_BOX_RESOLV_MAX];
int box_resolv_conf_from_string(const char *s); /* case-insensitive; -EINVAL */

/* Hook stages as the OCI runtime spec names them: "prestart", "createRuntime", ...
 * (box_hook_stage_to_string() and box_hook_stage_from_string(), case-insensitive, are declared in
 * config.h for the hook runner). */
extern const char *const box_hook_stage_names[_BOX_HOOK_STAGE_MAX];
