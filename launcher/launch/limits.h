/* limits.h - the per-process attributes a box's processes start with: resource limits
 * (LimitNOFILE= ...), oom_score_adj, personality and CPU affinity. Applied by the box's PID 1 and
 * by `exec` to each command it starts in the box, so both run with the same. */
#pragma once
#include "core/config.h"

/* In the box (its /proc mounted at /proc), before the privileges are dropped: applies every
 * attribute c sets. Logs what failed; returns 0 or a negative errno. */
int limits_apply(const struct box_config *c);

/* Pins the calling process to the CPU list cpus (field f names it in a message). */
int limits_set_affinity(const struct box_config *c, const char *cpus, enum box_field f);
