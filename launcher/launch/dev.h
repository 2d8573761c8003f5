/* dev.h - the box's /dev: a tmpfs of boxlaunch's own with the basic device nodes, the [Device]
 * nodes, the /proc/self/fd links, a private devpts, /dev/shm and /dev/mqueue. */
#pragma once
#include "core/config.h"

/* Before pivot_root, on the box's tree rootfd. `in_userns`: device nodes are bind-mounted from
 * the host, because mknod is not allowed in a user namespace. Logs what failed. */
int dev_populate(int rootfd, const struct box_config *c, bool in_userns);

/* An OCI box (api_listed): the default nodes (null, zero, full, random, urandom, tty), the
 * config's devices and the /dev symlinks, in whatever the mounts list put on /dev; nodes and
 * links already there stay. */
int dev_default_nodes(int rootfd, const struct box_config *c, bool in_userns);
