/* gc.h - collecting a stale group: one whose box is gone (its supervisor died) but which is
 * still in the hierarchies. cgroup_gc() (public) is the verbs' entry. */
#pragma once
#include "cgroup/cgutil.h"

/* Kills what is left in the group at path (valid, relative) and removes it everywhere; 0 if it
 * exists nowhere. Logs failures. */
int cg_gc_at(const char *root, const char *path);
