/* masks.h - what the box may not see or change of the host through /proc and /sys: masked
 * paths (covered by empty read-only nodes) and read-only paths, the defaults and MaskPaths= /
 * ReadOnlyPaths=. */
#pragma once
#include "core/config.h"

/* After pivot_root (and after sysctls were written): masks /proc and /sys files that leak host
 * information or control the host, makes /proc/sys (but /proc/sys/net with a private network),
 * /proc/bus, /proc/fs, /proc/irq read-only, then MaskPaths= and ReadOnlyPaths=. Logs what
 * failed. */
int masks_apply(const struct box_config *c);

/* The detached tmpfs root masks_apply() binds its empty nodes "reg" and "dir" from (made
 * read-only by masks_nodes_ready()), taken over; without one it makes a tiny tmpfs itself. */
void masks_use_nodes(int fd);
int masks_nodes_ready(int mntfd);
