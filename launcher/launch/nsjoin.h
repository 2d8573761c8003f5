/* nsjoin.h - namespaces the child does not get from clone3(): the ones a config names by path
 * (linux.namespaces[].path, NetworkNamespacePath=), joined with setns(2), and a time namespace
 * with offsets (linux.timeOffsets), which must be set before any process enters it. */
#pragma once
#include "core/config.h"

/* In the child, right after clone3() (clone_flags() left these types out): joins every
 * namespace c->ns_join names, in setns order; then, with offsets, makes the time namespace the
 * payload enters at execve. Logs what failed. */
int nsjoin_apply(const struct box_config *c);

/* In the supervisor, around clone3(): a pid namespace named by path cannot be entered by the
 * child itself (setns(CLONE_NEWPID) moves only later children), so the supervisor makes it the
 * namespace of its next child, and goes back to its own right after. *ret_own is -1 without a
 * path, else our own pid namespace for nsjoin_pid_restore(). Logs what failed. */
int nsjoin_pid_for_children(const struct box_config *c, int *ret_own);
void nsjoin_pid_restore(int own);
