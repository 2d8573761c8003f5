/* lsm.h - AppArmor confinement of the box payload. */
#pragma once
#include "core/config.h"

/* On the host, before any process enters the box's mount namespace (which hides securityfs):
 * whether AppArmorProfile= is applied. *ret_apply is true when it must be. A requested profile
 * (other than "unconfined") that cannot be applied - AppArmor not built in, disabled at boot,
 * securityfs not mounted, or the profile not loaded - is an error (-EOPNOTSUPP, logged with the
 * reason), or only a warning and 0 with apparmor_optional. */
int lsm_decide(const struct box_config *c, bool *ret_apply);

/* The same, reading module/apparmor/parameters/enabled and kernel/security/apparmor/profiles
 * relative to sysfs_fd, a directory standing for /sys (tests give a fake one). */
int lsm_decide_at(const struct box_config *c, int sysfs_fd, bool *ret_apply);

/* In the box, right before exec: switch to the profile on exec when lsm_decide() said so. */
int lsm_apply(const struct box_config *c, bool apply);

/* Whether SELinux runs on this host (selinuxfs is mounted): mountLabel becomes the context= of
 * the box's mounts only then. Cached at the first call (lsm_decide() makes it, on the host). */
bool lsm_selinux_enabled(void);
