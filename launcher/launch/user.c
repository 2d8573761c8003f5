/* user.c - passwd/group lookups inside the box. fgetpwent/fgetgrent parse a given stream and never
 * consult NSS modules, which could load host libraries into the box.
 *
 * The files are the image's, and an image (or a running box, for `exec -u` and `shell`) may be
 * hostile: a FIFO would block the reader forever, a device or a huge sparse file would never end.
 * So each file is looked up inside the root without magic links, must be a regular file of at
 * most USER_DB_MAX bytes, is opened non-blocking (after an O_PATH look that opens no device),
 * read whole, and parsed from memory. */
#include "launch/user.h"

#include "launch/mountfd.h"
#include "util/log.h"
#include "util/parse.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

/* One of the box's databases, read whole. A missing file reads as empty. */
struct db {
        char *buf;
        size_t len;
};

static void db_done(struct db *d)
{
        free(d->buf);
        d->buf = NULL;
        d->len = 0;
}

int user_db_read(const char *path, char **ret, size_t *ret_len)
{
        *ret = NULL;
        *ret_len = 0;
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return log_error_errno(-errno, "opening the box's root");
        const char *rel = path + strspn(path, "/");
        /* O_PATH opens nothing: a device node is looked at, never opened. */
        _cleanup_close_ int p = in_root(root, rel, O_PATH);
        if (p == -ENOENT)
                return 0;
        struct stat st, st2;
        if (p < 0 || fstat(p, &st) < 0)
                return log_error_errno(p < 0 ? p : -errno, "the box's %s", path);
        if (!S_ISREG(st.st_mode)) {
                log_error("the box's %s is %s, not a regular file", path, file_kind(st.st_mode));
                return -EINVAL;
        }
        if (st.st_size > USER_DB_MAX) {
                log_error("the box's %s is larger than %u MiB (%lld bytes)", path,
                          USER_DB_MAX >> 20, (long long)st.st_size);
                return -EFBIG;
        }
        /* Non-blocking, in case it was swapped for a FIFO since; then checked to be the file
         * looked at. */
        _cleanup_close_ int fd = in_root(root, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st2) < 0)
                return log_error_errno(fd < 0 ? fd : -errno, "the box's %s", path);
        if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino || !S_ISREG(st2.st_mode)) {
                log_error("the box's %s changed while it was opened", path);
                return -EBUSY;
        }
        char *buf;
        size_t len;
        int r = read_fd_all(fd, &buf, &len, USER_DB_MAX + 1);
        if (r == 0 && len > USER_DB_MAX) {
                free(buf);
                r = -EFBIG;
        }
        if (r == -EFBIG) {
                log_error("the box's %s is larger than %u MiB", path, USER_DB_MAX >> 20);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "reading the box's %s", path);
        *ret = buf;
        *ret_len = len;
        return 0;
}

static int db_read(const char *path, struct db *d)
{
        return user_db_read(path, &d->buf, &d->len);
}

/* A stream over the buffer, or NULL when it is empty (fmemopen wants a size). */
static FILE *db_stream(const struct db *d)
{
        return d->len ? fmemopen(d->buf, d->len, "r") : NULL;
}

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

static int lookup_group(const struct db *groups, const char *name, gid_t *ret)
{
        uint32_t n;
        if (is_number(name, &n)) {
                *ret = n;
                return 0;
        }
        _cleanup_fclose_ FILE *f = db_stream(groups);
        struct group *g;
        while (f && (g = fgetgrent(f)))
                if (streq(g->gr_name, name)) {
                        *ret = g->gr_gid;
                        return 0;
                }
        return -ESRCH;
}

int user_resolve(const char *user, const char *group, char *const *extra, struct box_ids *ret)
{
        *ret = (struct box_ids){0};
        uint32_t n = 0;
        bool found = false;
        int r;

        if (!user || streq(user, "root") || streq(user, "0")) {
                ret->uid = 0;
                ret->gid = 0;
                ret->home = xstrdup("/root");
                ret->name = xstrdup("root");
                found = true;
        }
        if (!found) {
                _cleanup_(db_done) struct db pwd = {0};
                if ((r = db_read("/etc/passwd", &pwd)) < 0)
                        return r;
                _cleanup_fclose_ FILE *f = db_stream(&pwd);
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
                        log_error("user '%s' not found in the box's /etc/passwd", user);
                        return -ESRCH;
                }
        }
        bool need_groups = group || (extra && *extra) || (ret->name && ret->uid != 0);
        _cleanup_(db_done) struct db grp = {0};
        if (need_groups && (r = db_read("/etc/group", &grp)) < 0) {
                box_ids_done(ret);
                return r;
        }
        if (group) {
                r = lookup_group(&grp, group, &ret->gid);
                if (r < 0) {
                        log_error("group '%s' not found in the box's /etc/group", group);
                        box_ids_done(ret);
                        return -ESRCH;
                }
        }
        /* Membership listed in /etc/group for a named user, like initgroups(3). */
        if (ret->name && ret->uid != 0) {
                _cleanup_fclose_ FILE *f = db_stream(&grp);
                struct group *g;
                while (f && (g = fgetgrent(f)))
                        for (char **m = g->gr_mem; m && *m; m++)
                                if (streq(*m, ret->name))
                                        add_group(ret, g->gr_gid);
        }
        for (char *const *e = extra; e && *e; e++) {
                gid_t gid;
                if (lookup_group(&grp, *e, &gid) < 0) {
                        log_error("supplementary group '%s' not found in the box's /etc/group", *e);
                        box_ids_done(ret);
                        return -ESRCH;
                }
                add_group(ret, gid);
        }
        return 0;
}

int user_resolve_exact(const char *user, const char *group, char *const *extra, struct box_ids *ret)
{
        uint32_t uid = 0, gid = 0;
        if ((user && !is_number(user, &uid)) || (group && !is_number(group, &gid))) {
                log_error("user and group must be numbers here");
                return -EINVAL;
        }
        *ret = (struct box_ids){.uid = uid, .gid = group ? gid : uid};
        /* HOME and the name from the image's passwd, when it lists the uid. */
        _cleanup_(db_done) struct db pwd = {0};
        int r = db_read("/etc/passwd", &pwd);
        if (r < 0)
                return r;
        _cleanup_fclose_ FILE *f = db_stream(&pwd);
        struct passwd *pw;
        while (f && (pw = fgetpwent(f)))
                if (pw->pw_uid == uid) {
                        ret->home = xstrdup(pw->pw_dir);
                        break;
                }
        for (char *const *e = extra; e && *e; e++) {
                uint32_t g;
                if (!is_number(*e, &g)) {
                        log_error("supplementary group '%s' is not a number", *e);
                        box_ids_done(ret);
                        return -EINVAL;
                }
                add_group(ret, g);
        }
        return 0;
}

int user_login_shell(uid_t uid, char **ret)
{
        _cleanup_(db_done) struct db pwd = {0};
        int r = db_read("/etc/passwd", &pwd);
        if (r < 0)
                return r;
        _cleanup_fclose_ FILE *f = db_stream(&pwd);
        struct passwd *pw;
        while (f && (pw = fgetpwent(f)))
                if (pw->pw_uid == uid && pw->pw_shell && *pw->pw_shell &&
                    access(pw->pw_shell, X_OK) == 0) {
                        *ret = xstrdup(pw->pw_shell);
                        return 0;
                }
        *ret = xstrdup("/bin/sh");
        return 0;
}

void box_ids_done(struct box_ids *ids)
{
        free(ids->home);
        free(ids->name);
        ids->home = ids->name = NULL;
}
