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
/* Whether a new group `path` can be made in hierarchy h: its nearest existing ancestor (with
 * `exact`, its parent, which must exist) is writable. 0, or why not: -EROFS (a read-only mount,
 * as the controllers are inside a container), -EACCES, -ENOENT (h absent, or no parent). */
int cg_writable(const struct box_cgroup *cg, enum cg_hier h, const char *path, bool exact);
/* Closes the hierarchies where the box's group cannot be made (cg_writable()), noting why in
 * dirs[].denied, with a debug message: a group no key needs is left out there. */
void cg_drop_unwritable(struct box_cgroup *cg);
