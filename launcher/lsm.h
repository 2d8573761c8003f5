/* lsm.h - AppArmor confinement of the box payload. */
#pragma once
#include "config.h"

/* Supervisor, before clone: a requested profile (other than "unconfined") on a system without
 * AppArmor is an error (-EOPNOTSUPP, logged with the reason), or only a warning and 0 with
 * apparmor_optional. */
int lsm_check(const struct box_config *c);

/* Child, right before exec: switch to the profile on exec when one is requested and AppArmor is
 * enabled. */
int lsm_apply(const struct box_config *c);
