/* gc.c - collecting stale groups: by name or path for the verbs, and the leftover that
 * cgroup_create_for() finds at its box's path. */
#include "cgroup/gc.h"
#include "cgroup/layout.h"
#include "cgroup/place.h"
#include "cgroup/remove.h"

int cg_gc_at(const char *root, const char *path)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = cg_open_group(root, path, &cg);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        cg->auto_parent = cg_is_auto_path(path);
        r = cg_kill(cg);
        int k = cg_remove(cg);
        return r < 0 ? r : k;
}

int cgroup_open_box(const char *root, const char *path, struct box_cgroup **ret)
{
        int r = cg_open_group(root, path, ret);
        if (r >= 0)
                (*ret)->auto_parent = cg_is_auto_path(path);
        return r;
}

int cgroup_gc(const char *root, const char *name_or_path)
{
        _cleanup_free_ char *path =
                strchr(name_or_path, '/') ? xstrdup(name_or_path) : cgroup_auto_path(name_or_path);
        if (!path)
                return -EINVAL;      /* logged */
        return cg_gc_at(root, path); /* an invalid path is refused (logged) there */
}
