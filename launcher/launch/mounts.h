/* mounts.h - the box's mounts ([Mount] sections and the launch's own: binds, tmpfs, overlays) and
 * the private overlay over the root (Ephemeral=yes, or a read-only root that lacks a mount
 * point). */
#pragma once
#include "core/config.h"

/* Copies of the bind sources that ask for slave or shared propagation, taken while the tree
 * still shares the host's peer groups (before / is made private); -1 for every other mount. */
struct mount_sources {
        int *fd;
        size_t n;
};
int mounts_clone_shared(const struct box_config *c, const struct box_mount *const *m, size_t n,
                        struct mount_sources *ret);
void mount_sources_done(struct mount_sources *s);

/* Mounts m[i] on the box's tree rootfd, each from its copy in src (consumed) if any. `create`: a
 * missing target (and directories on the way) may be made, in the image or in the private
 * layer over it. Logs what failed, naming the mount. */
int mounts_attach(const struct box_config *c, int rootfd, const struct box_mount *const *m,
                  size_t n, struct mount_sources *src, bool create, const char *cgpath);

/* Would a mount target have to be created in the image? Targets inside boxlaunch's own file
 * systems (/dev, /proc, /sys; /run and /tmp of a machine) do not count. */
bool mounts_need_layer(const struct box_mount *const *m, size_t n, bool machine, int rootfd);

/* Replaces the root mount *m (the lower layer) by an overlay whose upper and work layers live on
 * a tmpfs of this process only. root_dir is the root directory (the path fallback mounts there,
 * in the private mount namespace). Logs nothing. */
/* The same for an OCI mounts list (api_listed): a target missing from the image needs the layer
 * unless an earlier mount of the list (a tmpfs on /dev) is where it will be made. */
bool mounts_need_layer_listed(const struct box_mount *const *m, size_t n, int rootfd);

int mounts_overlay_root(int root_dir, int *m);
