/* update.c - groups that outlive their creator (the OCI runtime's create): letting go of them,
 * and changing their limits later (`update`). */
#include "cgroup/cgroup.h"
#include "cgroup/gc.h"
#include "cgroup/layout.h"
#include "cgroup/limits.h"
#include "util/log.h"

void cgroup_release(struct box_cgroup *cg)
{
        cg_free(cg);
}

void cgroup_adopt(struct box_cgroup *cg)
{
        for (size_t h = 0; cg && h < _CG_HIER_MAX; h++)
                cg->dirs[h].reused = false;
}

int cgroup_update(const char *root, const char *path, const struct box_config *c)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        int r = cg_open_group(root, path, &cg);
        if (r == -ENOENT)
                return log_error_errno(r, "cgroup %s", path);
        if (r < 0)
                return r; /* logged */
        cg->config = c;   /* borrowed, for the messages */
        r = cg_v1_write_limits(cg, &c->limits);
        if (r >= 0)
                r = cg_v2_write_limits(cg, &c->limits);
        cg->config = NULL;
        return r;
}

int cgroup_gc_path(const char *root, const char *path)
{
        return cg_gc_at(root, path);
}
