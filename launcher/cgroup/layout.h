/* layout.h - which hierarchies this host has and the struct box_cgroup that holds their roots:
 * making one (layout detection, the roots opened) and opening a group that exists by its path. */
#pragma once
#include "cgroup/cgutil.h"

/* Detects the layout and opens the root of every hierarchy present; no group yet (path NULL). */
int cg_new(const char *root, struct box_cgroup **ret);
/* Frees cg without touching its groups (cgroup_destroy() removes them). */
void cg_free(struct box_cgroup *cg);
static inline void cg_freep(struct box_cgroup **cg)
{
        cg_free(*cg);
}
/* Opens the existing group cg->path in every hierarchy; returns how many exist. */
int cg_open_existing(struct box_cgroup *cg);
/* cg_new() with the existing group `path` opened: -ENOENT (not logged) if it exists nowhere;
 * other errors logged. */
int cg_open_group(const char *root, const char *path, struct box_cgroup **ret);
/* Same, for the verbs: -ENOENT is logged too. */
int cg_open_path(const char *root, const char *path, struct box_cgroup **ret);
