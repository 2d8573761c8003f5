/* user.h - user and group names resolved in the box's own /etc/passwd and /etc/group (after
 * pivot_root, or setns into the box, so the host's NSS never answers for the box). The files are
 * read only as regular files of at most USER_DB_MAX bytes, without blocking (user.c). */
#pragma once
#include "util/util.h"

struct box_ids {
        uid_t uid;
        gid_t gid;
        gid_t groups[64];
        size_t n_groups;
        char *home; /* NULL when unknown */
        char *name; /* user name, NULL for a bare number */
};

/* user: name or number (NULL = root); group: name or number (NULL = the user's primary group);
 * extra: supplementary group names or numbers. Logs what failed. */
int user_resolve(const char *user, const char *group, char *const *extra, struct box_ids *ret);
void box_ids_done(struct box_ids *ids);

/* OCI process.user: uid, gid and the groups as numbers, exactly (no groups from the image's
 * /etc/group); HOME from the image's /etc/passwd when it lists the uid. */
int user_resolve_exact(const char *user, const char *group, char *const *extra,
                       struct box_ids *ret);

/* The largest /etc/passwd or /etc/group read (an error beyond). */
#define USER_DB_MAX (4u << 20)

/* Reads PATH of the current root (inside the box) whole: a regular file only, at most
 * USER_DB_MAX bytes, never blocking. A missing file gives *ret NULL and *len 0. Logs what
 * failed. */
int user_db_read(const char *path, char **ret, size_t *len);

/* The login shell of `uid` in the box's /etc/passwd if it is executable, else /bin/sh. */
int user_login_shell(uid_t uid, char **ret);
