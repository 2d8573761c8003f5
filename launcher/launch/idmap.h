/* idmap.h - user namespace id ranges: picking a free one, writing the maps. */
#pragma once
#include "core/config.h"

#define IDMAP_RANGE    0x10000U
#define IDMAP_PICK_MIN 0x80000U /* as systemd-nspawn: above the ids distributions hand out */
#define IDMAP_PICK_MAX 0x6FFF0000U

/* Picks a free, 64K-aligned base for box `name`: the first candidate is derived from the name
 * (so a box tends to keep its range across restarts), then the next ones in order. A range is
 * free when no process's uid_map or gid_map maps host ids in it and neither its first id nor
 * base+0xFFFE is a user or group in the host's NSS. The caller holds idmap_lock() from the pick
 * until the box's maps are written, so two starts cannot pick the same range. */
int idmap_pick(const char *name, uint32_t *ret_base);

/* A host-wide lock (flock on IDMAP_LOCK_FILE) serialising picks of every boxlaunch, whatever
 * its runtime directory; returns the fd. */
#define IDMAP_LOCK_FILE "/run/boxlaunch.idmap.lock"
int idmap_lock(void);

/* Writes "0 BASE COUNT" to /proc/PID/uid_map and gid_map. */
int idmap_write(pid_t pid, uint32_t base, uint32_t count);

/* Writes the map lists as given (OCI uidMappings/gidMappings, several ranges). */
int idmap_write_maps(pid_t pid, const struct box_id_map *uid, size_t n_uid,
                     const struct box_id_map *gid, size_t n_gid);

/* A user namespace with these maps (for an idmapped mount): its fd, or a negative errno. */
int idmap_userns_fd(const struct box_id_map *uid, size_t n_uid, const struct box_id_map *gid,
                    size_t n_gid);
