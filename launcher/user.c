/* user.c - passwd/group lookups inside the box. fgetpwent/fgetgrent read a given file and never
 * consult NSS modules, which could load host libraries into the box. */
#include "user.h"

#include "parse.h"

#include <grp.h>
#include <pwd.h>

static bool is_number(const char *s, uint32_t *ret)
{
        uint64_t v;
        if (parse_uint64(s, UINT32_MAX - 1, &v) < 0)
                return false;
        *ret = (uint32_t)v;
        return true;
}

/* Adds gid to the supplementary groups once (a group may be both listed and a membership). */
static void add_group(struct box_ids *ids, gid_t gid)
{
        for (size_t i = 0; i < ids->n_groups; i++)
                if (ids->groups[i] == gid)
                        return;
        if (ids->n_groups < ARRAY_SIZE(ids->groups))
                ids->groups[ids->n_groups++] = gid;
}

static int lookup_group(const char *name, gid_t *ret)
{
        uint32_t n;
        if (is_number(name, &n)) {
                *ret = n;
                return 0;
        }
        _cleanup_fclose_ FILE *f = fopen("/etc/group", "re");
        if (!f)
                return -errno;
        struct group *g;
        while ((g = fgetgrent(f)))
                if (streq(g->gr_name, name)) {
                        *ret = g->gr_gid;
                        return 0;
                }
        return -ESRCH;
}

int user_resolve(const char *user, const char *group, char *const *extra, struct box_ids *ret,
                 char *err, size_t errlen)
{
        *ret = (struct box_ids){0};
        uint32_t n = 0;
        bool found = false;

        if (!user || streq(user, "root") || streq(user, "0")) {
                ret->uid = 0;
                ret->gid = 0;
                ret->home = xstrdup("/root");
                ret->name = xstrdup("root");
                found = true;
        }
        if (!found) {
                _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
                bool numeric = is_number(user, &n);
                struct passwd *pw;
                while (f && (pw = fgetpwent(f))) {
                        if (numeric ? pw->pw_uid == n : streq(pw->pw_name, user)) {
                                ret->uid = pw->pw_uid;
                                ret->gid = pw->pw_gid;
                                ret->home = xstrdup(pw->pw_dir);
                                ret->name = xstrdup(pw->pw_name);
                                found = true;
                                break;
                        }
                }
                if (!found && numeric) {
                        /* A bare number need not exist in passwd (like docker's --user). */
                        ret->uid = n;
                        ret->gid = n;
                        found = true;
                }
                if (!found) {
                        snprintf(err, errlen, "user '%s' not found in the box's /etc/passwd", user);
                        return -ESRCH;
                }
        }
        if (group) {
                int r = lookup_group(group, &ret->gid);
                if (r < 0) {
                        snprintf(err, errlen, "group '%s' not found in the box's /etc/group",
                                 group);
                        box_ids_done(ret);
                        return -ESRCH;
                }
        }
        /* Membership listed in /etc/group for a named user, like initgroups(3). */
        if (ret->name && ret->uid != 0) {
                _cleanup_fclose_ FILE *f = fopen("/etc/group", "re");
                struct group *g;
                while (f && (g = fgetgrent(f)))
                        for (char **m = g->gr_mem; m && *m; m++)
                                if (streq(*m, ret->name))
                                        add_group(ret, g->gr_gid);
        }
        for (char *const *e = extra; e && *e; e++) {
                gid_t gid;
                if (lookup_group(*e, &gid) < 0) {
                        snprintf(err, errlen,
                                 "supplementary group '%s' not found in the box's "
                                 "/etc/group",
                                 *e);
                        box_ids_done(ret);
                        return -ESRCH;
                }
                add_group(ret, gid);
        }
        return 0;
}

void box_ids_done(struct box_ids *ids)
{
        free(ids->home);
        free(ids->name);
        ids->home = ids->name = NULL;
}
