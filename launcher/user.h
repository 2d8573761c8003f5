/* user.h - user and group names resolved in the box's own /etc/passwd and /etc/group (after
 * pivot_root, so the host's NSS never answers for the box). */
#pragma once
#include "util.h"

struct box_ids {
        uid_t uid;
        gid_t gid;
        gid_t groups[64];
        size_t n_groups;
        char *home; /* NULL when unknown */
        char *name; /* user name, NULL for a bare number */
};

/* user: name or number (NULL = root); group: name or number (NULL = the user's primary group);
 * extra: supplementary group names or numbers. Messages go to err. */
int user_resolve(const char *user, const char *group, char *const *extra, struct box_ids *ret,
                 char *err, size_t errlen);
void box_ids_done(struct box_ids *ids);
