/* limits.h - the limit writers: v1.c for the v1 controllers, v2.c for the cgroup2 ones. Both use
 * only the utility layer (cgutil.h); create.c decides which hierarchy takes which limit. */
#pragma once
#include "cgroup/cgutil.h"

/* The CFS period when no period is configured, in microseconds. */
#define PERIOD_DEFAULT_USEC 100000

/* v1 writes the limits whose controller has a v1 group and is not in cg->v2_ctrls; v2 those in
 * cg->v2_ctrls. Each logs the field that failed. */
int cg_v1_write_limits(const struct box_cgroup *cg, const struct box_limits *l);
int cg_v2_write_limits(const struct box_cgroup *cg, const struct box_limits *l);

/* v1 cpu.shares from a v2 weight (weight*1024/100 within 2..262144), and blkio.weight
 * (weight*5 within 10..1000), as systemd converts them. */
uint64_t cgroup_weight_to_shares(uint64_t weight);
uint64_t cgroup_weight_to_blkio(uint64_t weight);
