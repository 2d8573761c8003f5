/* privs.h - leaving set-up: the one sequence that gives a process in the box its identity,
 * capabilities, no_new_privs, LSM profile and seccomp filter. PID 1 and `exec` both go through
 * it, so a command run with `exec` is confined exactly like the box's own. */
#pragma once
#include "config.h"
#include "seccomp_profile.h"
#include "user.h"

/* In this order: without no_new_privs the seccomp filter first (loading it then needs
 * CAP_SYS_ADMIN, which is about to go); groups, gid, uid and capabilities; no_new_privs; the
 * AppArmor profile for the coming execve. On failure returns a negative errno and describes
 * the step in err. */
int privs_drop(const struct box_config *c, uint64_t caps, const struct box_seccomp_prog *prog,
               const struct box_ids *ids, char *err, size_t errlen);

/* The last step before execve: with no_new_privs, the seccomp filter (nothing of boxlaunch's
 * runs under it but execve). */
int privs_seal(const struct box_config *c, const struct box_seccomp_prog *prog);
