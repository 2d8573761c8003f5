/* lsm.c - AppArmor: the decision on the host, the profile change in the box via libapparmor.
 *
 * Whether AppArmor can confine the box is read from the host's /sys before any process enters
 * the box's mount namespace: inside it, securityfs is hidden and libapparmor's aa_is_enabled()
 * says no, which would leave a requested profile silently unapplied. */
#include "launch/lsm.h"

#include <fcntl.h>
#include <sys/apparmor.h>

#include "util/log.h"
#include "util/procfs.h"

/* Relative to /sys. */
#define AA_ENABLED  "module/apparmor/parameters/enabled"
#define AA_FS       "kernel/security/apparmor"
#define AA_PROFILES "kernel/security/apparmor/profiles"
/* Thousands of profiles are a few hundred KiB. */
#define PROFILES_MAX (16u << 20)

static bool profile_wanted(const struct box_config *c)
{
        return c->apparmor_profile && *c->apparmor_profile &&
               !streq(c->apparmor_profile, "unconfined");
}

/* Why a profile cannot be applied, in words a user can act on. */
static const char *aa_reason(int err)
{
        switch (err) {
        case ENOSYS:
                return "AppArmor is not available on this system";
        case ECANCELED:
                return "AppArmor is disabled at boot";
        case ENOENT:
                return "securityfs is not mounted";
        case ESRCH:
                return "the profile is not loaded";
        case EPERM:
        case EACCES:
                return "the AppArmor state cannot be read";
        default:
                return strerror(err);
        }
}

/* Is `name` among the loaded profiles? The file has one "NAME (MODE)" line per profile. */
static bool profile_listed(const char *list, const char *name)
{
        size_t n = strlen(name);
        for (const char *line = list; line && *line;) {
                const char *end = strchrnul(line, '\n');
                if ((size_t)(end - line) > n + 1 && strncmp(line, name, n) == 0 &&
                    strncmp(line + n, " (", 2) == 0)
                        return true;
                line = *end ? end + 1 : NULL;
        }
        return false;
}

/* 0 if the profile can be applied, else the positive errno aa_reason() explains. */
static int aa_usable(int sysfs_fd, const char *profile)
{
        _cleanup_free_ char *enabled = NULL;
        int r = read_file_at(sysfs_fd, AA_ENABLED, &enabled, 64);
        if (r == -ENOENT)
                return ENOSYS;
        if (r < 0)
                return -r;
        if (enabled[0] != 'Y')
                return ECANCELED;

        _cleanup_close_ int fs = openat(sysfs_fd, AA_FS, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fs < 0)
                return errno == ENOENT || errno == ENOTDIR ? ENOENT : errno;
        _cleanup_free_ char *profiles = NULL;
        r = read_file_at(sysfs_fd, AA_PROFILES, &profiles, PROFILES_MAX);
        if (r < 0)
                return -r;
        return profile_listed(profiles, profile) ? 0 : ESRCH;
}

int lsm_decide_at(const struct box_config *c, int sysfs_fd, bool *ret_apply)
{
        *ret_apply = false;
        if (!profile_wanted(c))
                return 0;

        int err = aa_usable(sysfs_fd, c->apparmor_profile);
        if (err == 0) {
                *ret_apply = true;
                return 0;
        }
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

/* Where SELinux runs (selinuxfs mounted); decided once, on the host, before any process enters
 * the box's mount namespace (the set-up child inherits the answer). */
static int selinux_on = -1;

bool lsm_selinux_enabled(void)
{
        if (selinux_on < 0)
                selinux_on = access("/sys/fs/selinux/enforce", F_OK) == 0;
        return selinux_on;
}

/* SELinux labels (OCI selinuxLabel, mountLabel): only where SELinux runs. A process label that
 * cannot be applied is an error naming the field: the box would be less confined than asked. A
 * mount label alone is ignored with a debug message, as crun does: without SELinux no label
 * confines anything, and mount(2) refuses context= there (runc adds it only where enabled). */
static int selinux_decide(const struct box_config *c)
{
        if (!c->selinux_label && !c->mount_label)
                return 0;
        if (lsm_selinux_enabled())
                return 0;
        if (!c->selinux_label) {
                log_debug("%s: SELinux is not enabled on this host; the mount label is ignored",
                          BOX_WHERE(c, BOX_F_MOUNT_LABEL, NULL, 0));
                return 0;
        }
        log_error("%s: SELinux is not enabled on this host; the label cannot be applied",
                  BOX_WHERE(c, BOX_F_SELINUX_LABEL, NULL, 0));
        return -EOPNOTSUPP;
}

int lsm_decide(const struct box_config *c, bool *ret_apply)
{
        *ret_apply = false;
        int r = selinux_decide(c);
        if (r < 0)
                return r;
        if (!profile_wanted(c))
                return 0;
        /* Without /sys every read below fails (EBADF), and that is the answer. */
        _cleanup_close_ int fd = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
        return lsm_decide_at(c, fd, ret_apply);
}

int lsm_apply(const struct box_config *c, bool apply)
{
        if (c->selinux_label) {
                int r = procfs_write_self_attr("selinux", "exec", c->selinux_label);
                if (r < 0) {
                        log_error_errno(r, "%s: setting the SELinux exec label %s",
                                        BOX_WHERE(c, BOX_F_SELINUX_LABEL, NULL, 0),
                                        c->selinux_label);
                        return r;
                }
        }
        /* The host decided; in here securityfs may not even be visible. */
        if (!apply || !profile_wanted(c))
                return 0;
        /* aa_change_onexec()'s write, through a /proc checked to be procfs (procfs.h). */
        _cleanup_free_ char *cmd = xasprintf("exec %s", c->apparmor_profile);
        return procfs_write_self_attr("apparmor", "exec", cmd);
}
