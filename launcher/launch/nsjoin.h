/* nsjoin.h - namespaces the child does not get from clone3(): the ones a config names by path
 * (linux.namespaces[].path, NetworkNamespacePath=), joined with setns(2), and a time namespace
 * with offsets (linux.timeOffsets), which must be set before any process enters it. */
#pragma once
#include "core/config.h"

/* In the child, right after clone3() (clone_flags() left these types out): joins every
 * namespace c->ns_join names, in setns order; then, with offsets, makes the time namespace the
 * payload enters at execve. Logs what failed. */
int nsjoin_apply(const struct box_config *c);
