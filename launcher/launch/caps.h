/* caps.h - the box's capability set: the defaults, the resolution of Set=/Add=/Drop= against the
 * host's bounding set, and applying it in the box (names and masks: util/capnames.h). */
#pragma once
#include "core/config.h"

/* The OCI/Docker default set for application boxes. */
uint64_t caps_default_app(void);
/* systemd-nspawn's default set for booted machines; NET_ADMIN is added with a private network. */
uint64_t caps_default_machine(bool private_net);
/* The calling process's bounding set. */
uint64_t caps_host_bounding(void);

/* The box's final set: the default (or Set=) | Add= & ~Drop=, limited to the host bounding set. */
uint64_t caps_resolve(const struct box_config *c);

/* In the box child just before exec: drops the bounding set to keep, switches to uid/gid/groups
 * and sets E=P (keep for root, ambient&keep otherwise), I=ambient&keep and the ambient set. Does
 * not set no_new_privs. */
int caps_apply(uint64_t keep, uint64_t ambient, uid_t uid, gid_t gid, const gid_t *groups,
               size_t ngroups);

/* caps_apply() for the five sets of an OCI config (c->caps.sets_given): the bounding set
 * `bounding` (the config's, limited to the host's), then effective, permitted, inheritable and
 * ambient as given. Returns 0 or a negative errno. */
int caps_apply_sets(const struct box_caps *k, uint64_t bounding, uid_t uid, gid_t gid,
                    const gid_t *groups, size_t ngroups);
