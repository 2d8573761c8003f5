/* place.h - where a box's group goes: below the configured parent, in the delegated subtree
 * systemd gave us, or below the automatic parent (cgroup_auto_parent(), public). */
#pragma once
#include "cgroup/cgutil.h"

/* Sets cg->path (and cg->auto_parent) for box `name` with configured parent `parent` (NULL =
 * automatic); when run delegated, moves ourselves into <own>/supervisor. Logs failures. */
int cg_place(struct box_cgroup *cg, const char *name, const char *parent);
/* Whether path is <automatic parent>/GROUP, whose parent goes once no box uses it. */
bool cg_is_auto_path(const char *path);
