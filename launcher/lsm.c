/* lsm.c - AppArmor via libapparmor. */
#include "lsm.h"

#include <sys/apparmor.h>

#include "log.h"
#include "procfs.h"

static bool profile_wanted(const struct box_config *c)
{
        return c->apparmor_profile && *c->apparmor_profile &&
               !streq(c->apparmor_profile, "unconfined");
}

/* aa_is_enabled()'s errno values, in words a user can act on. */
static const char *aa_reason(int err)
{
        switch (err) {
        case ENOSYS:
                return "AppArmor is not available on this system";
        case ECANCELED:
                return "AppArmor is disabled at boot";
        case ENOENT:
                return "securityfs is not mounted";
        case EBUSY:
                return "only private AppArmor interfaces are available";
        case EPERM:
        case EACCES:
                return "the AppArmor state cannot be read";
        default:
                return strerror(err);
        }
}

int lsm_check(const struct box_config *c)
{
        if (!profile_wanted(c))
                return 0;

        errno = 0;
        if (aa_is_enabled())
                return 0;
        int err = errno > 0 ? errno : ENOSYS;

        /* Running unconfined when confinement was asked for is a security failure, unless the
         * user said the profile is best-effort. */
        if (c->apparmor_optional) {
                log_warn("AppArmor profile \"%s\" not applied: %s", c->apparmor_profile,
                         aa_reason(err));
                return 0;
        }
        log_error("AppArmor profile \"%s\" requested, but %s", c->apparmor_profile, aa_reason(err));
        return -EOPNOTSUPP;
}

int lsm_apply(const struct box_config *c)
{
        if (!profile_wanted(c))
                return 0;
        /* lsm_check() already decided what a missing AppArmor means. */
        if (!aa_is_enabled())
                return 0;
        /* aa_change_onexec()'s write, through a /proc checked to be procfs (procfs.h). */
        _cleanup_free_ char *cmd = xasprintf("exec %s", c->apparmor_profile);
        return procfs_write_self_attr("apparmor", "exec", cmd);
}
