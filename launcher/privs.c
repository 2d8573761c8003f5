/* privs.c - the privilege drop shared by a box's PID 1 and `exec`. */
#include "privs.h"

#include "caps.h"
#include "lsm.h"

#include <sys/prctl.h>

int privs_drop(const struct box_config *c, uint64_t caps, const struct box_seccomp_prog *prog,
               const struct box_ids *ids, char *err, size_t errlen)
{
        bool nnp = box_config_no_new_privs(c);
        int r;

        if (!nnp && (r = seccomp_load_prog(prog)) < 0) {
                snprintf(err, errlen, "loading the seccomp filter");
                return r;
        }
        r = caps_apply(caps, c->caps.ambient, ids->uid, ids->gid, ids->groups, ids->n_groups);
        if (r < 0) {
                snprintf(err, errlen, "switching to uid %u gid %u with capabilities",
                         (unsigned)ids->uid, (unsigned)ids->gid);
                return r;
        }
        if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                snprintf(err, errlen, "setting no_new_privs");
                return -errno;
        }
        r = lsm_apply(c);
        if (r < 0) {
                snprintf(err, errlen, "applying AppArmor profile %s", c->apparmor_profile);
                return r;
        }
        return 0;
}

int privs_seal(const struct box_config *c, const struct box_seccomp_prog *prog)
{
        return box_config_no_new_privs(c) ? seccomp_load_prog(prog) : 0;
}
