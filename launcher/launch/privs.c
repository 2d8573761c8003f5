/* privs.c - the privilege drop shared by a box's PID 1, `exec` and the box's own hooks. */
#include "launch/privs.h"

#include "launch/caps.h"
#include "util/log.h"
#include "launch/lsm.h"

#include <sys/prctl.h>

int privs_prepare(const struct box_config *c, struct privs *p)
{
        *p = (struct privs){0};
        int r = lsm_decide(c, &p->apparmor);
        if (r < 0)
                return r; /* logged with the reason */
        p->caps = caps_resolve(c);
        r = seccomp_compile(c, p->caps, &p->seccomp);
        if (r < 0)
                return log_error_errno(r, "compiling the seccomp filter");
        return 0;
}

void privs_done(struct privs *p)
{
        seccomp_prog_free(&p->seccomp);
}

int privs_drop(const struct box_config *c, const struct privs *p, const struct box_ids *ids)
{
        bool nnp = box_config_no_new_privs(c);
        int r;

        if (!nnp && (r = seccomp_load_prog(&p->seccomp)) < 0)
                return log_error_errno(r, "loading the seccomp filter");
        r = c->caps.sets_given ? caps_apply_sets(&c->caps, p->caps, ids->uid, ids->gid, ids->groups,
                                                 ids->n_groups)
                               : caps_apply(p->caps, c->caps.ambient, ids->uid, ids->gid,
                                            ids->groups, ids->n_groups);
        if (r < 0)
                return log_error_errno(r, "switching to uid %u gid %u with capabilities",
                                       (unsigned)ids->uid, (unsigned)ids->gid);
        if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_error_errno(-errno, "setting no_new_privs");
        r = lsm_apply(c, p->apparmor);
        if (r < 0) /* a SELinux label's failure is logged by lsm_apply() */
                return p->apparmor ? log_error_errno(r, "applying AppArmor profile %s",
                                                     c->apparmor_profile)
                                   : r;
        return 0;
}

int privs_seal(const struct box_config *c, const struct privs *p)
{
        int r = box_config_no_new_privs(c) ? seccomp_load_prog(&p->seccomp) : 0;
        return r < 0 ? log_error_errno(r, "loading the seccomp filter") : 0;
}
