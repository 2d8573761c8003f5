/* remove.h - the end of a box's groups: killing what is left in them (through pidfds) and
 * removing them, only while each is still the group we opened. cgroup_destroy() is public. */
#pragma once
#include "cgroup/cgutil.h"

/* Kills everything in the box's groups (and groups nested in them) and waits until they are
 * empty; -ETIMEDOUT (logged) if something survives. Nothing is killed in a fake tree. */
int cg_kill(struct box_cgroup *cg);
/* Removes every open group (nested ones too) and, for an automatic path, the automatic parent
 * once no box uses it. Closes the groups' fds. Logs failures. */
int cg_remove(struct box_cgroup *cg);
