/* privs.h - leaving set-up: the one sequence that gives a process in the box its identity,
 * capabilities, no_new_privs, LSM profile and seccomp filter. PID 1, `exec` and the hooks that
 * run in the box all go through it, so each is confined exactly like the box's own. */
#pragma once
#include "core/config.h"
#include "launch/seccomp.h"
#include "launch/user.h"

/* What the host decides before a process enters the box: the capability set, the compiled
 * filter and whether the AppArmor profile applies (decided where securityfs is visible). */
struct privs {
        uint64_t caps;
        struct box_seccomp_prog seccomp;
        bool apparmor;
};

/* On the host: fills p for c. Errors are logged; returns a negative errno. */
int privs_prepare(const struct box_config *c, struct privs *p);
void privs_done(struct privs *p);

/* In this order: without no_new_privs the seccomp filter first (loading it then needs
 * CAP_SYS_ADMIN, which is about to go); groups, gid, uid and capabilities; no_new_privs; the
 * AppArmor profile for the coming execve. Logs the step that failed; returns 0 or a negative
 * errno. */
int privs_drop(const struct box_config *c, const struct privs *p, const struct box_ids *ids);

/* The last step before execve: with no_new_privs, the seccomp filter (nothing of boxlaunch's
 * runs under it but execve). Logs a failure. */
int privs_seal(const struct box_config *c, const struct privs *p);
