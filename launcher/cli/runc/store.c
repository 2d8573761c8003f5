/* store.c - the OCI runtime's state: one directory per container, ROOT/ID (mode 0700), locked
 * by every verb that reads or changes it.
 *
 *   state.json    the spec's state fields (ociVersion, id, pid, status, bundle, rootfs,
 *                 created, owner, annotations) and boxlaunch's own: pidstart (tells the init
 *                 from a recycled pid), cgroup, config (the resolved configuration,
 *                 core/config_json.h)
 *   config.json   the bundle's config.json as it was at create (editing the bundle later has
 *                 no effect; exec --process and update start from it)
 *   exec.fifo     while created: the init blocks opening it until `start` reads it
 *
 * The recorded status is what the verbs last set (created, running, paused); the status shown
 * is computed: stopped once the init is gone (pid 0), created while the FIFO exists. */
#include "cli/runc/runc.h"

#include "cgroup/cgroup.h"
#include "core/config_json.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

static const char *const status_names[] = {
        [RUNC_CREATING] = "creating", [RUNC_CREATED] = "created", [RUNC_RUNNING] = "running",
        [RUNC_PAUSED] = "paused",     [RUNC_STOPPED] = "stopped",
};

const char *runc_status_name(enum runc_status s)
{
        return status_names[s];
}

bool runc_id_valid(const char *id)
{
        if (box_name_valid(id))
                return true;
        log_error("invalid container ID '%s': use letters, digits, '_', '-' and '.' (at most 64, "
                  "not starting with '.')",
                  id);
        return false;
}

static char *ct_dir(const struct runc_globals *g, const char *id)
{
        return xasprintf("%s/%s", g->root, id);
}

void runc_ct_done(struct runc_ct *ct)
{
        free(ct->id);
        free(ct->dir);
        closep(&ct->dirfd);
        closep(&ct->pidfd);
        if (ct->state)
                json_object_put(ct->state);
        free(ct->cgroup);
        free(ct->bundle);
        *ct = (struct runc_ct){.dirfd = -1, .pidfd = -1};
}

int runc_ct_new(const struct runc_globals *g, const char *id, struct runc_ct *ret)
{
        *ret = (struct runc_ct){.dirfd = -1, .pidfd = -1};
        if (!runc_id_valid(id))
                return -EINVAL;
        int r = mkdir_p_at(AT_FDCWD, g->root, 0700);
        if (r < 0)
                return log_error_errno(r, "creating the state directory %s", g->root);
        _cleanup_free_ char *dir = ct_dir(g, id);
        if (mkdir(dir, 0700) < 0) {
                if (errno == EEXIST) {
                        log_error("container with given ID already exists: %s", id);
                        return -EEXIST;
                }
                return log_error_errno(-errno, "creating %s", dir);
        }
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || flock(fd, LOCK_EX) < 0) {
                r = log_error_errno(-errno, "opening %s", dir);
                closep(&fd);
                (void)rmdir(dir);
                return r;
        }
        ret->id = xstrdup(id);
        ret->dir = TAKE_PTR(dir);
        ret->dirfd = fd;
        ret->status = RUNC_CREATING;
        return 0;
}

/* Whether pid is a zombie (exited, not reaped yet by its subreaper): stopped for us. */
static bool is_zombie(pid_t pid)
{
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return true;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return true;
        buf[n] = 0;
        const char *p = strrchr(buf, ')');
        return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

static const char *str_field(struct json_object *o, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

static int64_t int_field(struct json_object *o, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* The init's liveness (pidfd + start time) and the status from it. */
static void ct_probe(struct runc_ct *ct)
{
        pid_t pid = (pid_t)int_field(ct->state, "pid");
        unsigned long long start = (unsigned long long)int_field(ct->state, "pidstart"), now = 0;
        const char *rec = str_field(ct->state, "status") ?: "creating";

        ct->pid = 0;
        ct->status = RUNC_STOPPED;
        if (pid <= 0) {
                ct->status = streq(rec, "creating") ? RUNC_CREATING : RUNC_STOPPED;
                return;
        }
        int fd = sys_pidfd_open(pid, 0);
        if (fd < 0)
                return;
        /* The start time after the pidfd: the pidfd then names the process we checked. */
        if (proc_starttime(pid, &now) < 0 || now != start || is_zombie(pid)) {
                close(fd);
                return;
        }
        ct->pid = pid;
        ct->pidfd = fd;
        if (faccessat(ct->dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                ct->status = RUNC_CREATED;
        else if (streq(rec, "paused"))
                ct->status = RUNC_PAUSED;
        else
                ct->status = RUNC_RUNNING;
}

int runc_ct_open(const struct runc_globals *g, const char *id, bool quiet, struct runc_ct *ret)
{
        *ret = (struct runc_ct){.dirfd = -1, .pidfd = -1};
        if (!box_name_valid(id)) {
                if (!quiet)
                        log_error("container %s does not exist", id);
                return -ENOENT;
        }
        _cleanup_free_ char *dir = ct_dir(g, id);
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                if (r == -ENOENT) {
                        if (!quiet)
                                log_error("container %s does not exist", id);
                        return r;
                }
                return log_error_errno(r, "opening %s", dir);
        }
        ret->id = xstrdup(id);
        ret->dir = TAKE_PTR(dir);
        ret->dirfd = fd;
        if (RETRY_EINTR(flock(fd, LOCK_EX)) < 0)
                return log_error_errno(-errno, "locking %s", ret->dir);
        _cleanup_free_ char *text = NULL;
        int r = read_file_at(fd, "state.json", &text, 64 << 20);
        if (r == -ENOENT) {
                /* Reserved by a create still running, or left by one that crashed. */
                ret->state = json_object_new_object();
                ret->status = RUNC_CREATING;
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "reading %s/state.json", ret->dir);
        ret->state = json_tokener_parse(text);
        if (!ret->state || !json_object_is_type(ret->state, json_type_object)) {
                log_error("%s/state.json: not a JSON object", ret->dir);
                return -EINVAL;
        }
        const char *s = str_field(ret->state, "cgroup");
        ret->cgroup = s ? xstrdup(s) : NULL;
        s = str_field(ret->state, "bundle");
        ret->bundle = xstrdup(s ?: "");
        ct_probe(ret);
        return 0;
}

int runc_write_file(const char *path, const char *text, size_t len)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, text, len);
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void)unlink(tmp);
        return r;
}

int runc_ct_save(struct runc_ct *ct)
{
        _cleanup_free_ char *path = xasprintf("%s/state.json", ct->dir);
        const char *text = json_object_to_json_string_ext(ct->state, JSON_C_TO_STRING_PLAIN);
        int r = runc_write_file(path, text, strlen(text));
        return r < 0 ? log_error_errno(r, "writing %s", path) : 0;
}

int runc_ct_set_status(struct runc_ct *ct, const char *status)
{
        json_object_object_add(ct->state, "status", json_object_new_string(status));
        return runc_ct_save(ct);
}

void runc_ct_remove(struct runc_ct *ct)
{
        static const char *const files[] = {"state.json", "state.json.tmp", "config.json",
                                            "exec.fifo"};
        for (size_t i = 0; i < ARRAY_SIZE(files); i++)
                (void)unlinkat(ct->dirfd, files[i], 0);
        if (rmdir(ct->dir) < 0 && errno != ENOENT)
                log_warn_errno(-errno, "removing %s", ct->dir);
}

struct json_object *runc_ct_oci_state(const struct runc_ct *ct)
{
        struct json_object *o = json_object_new_object();
        struct json_object *v;
        json_object_object_add(o, "ociVersion", json_object_new_string(RUNC_OCI_VERSION));
        json_object_object_add(o, "id", json_object_new_string(ct->id));
        json_object_object_add(o, "pid", json_object_new_int(ct->pid));
        json_object_object_add(o, "status", json_object_new_string(runc_status_name(ct->status)));
        json_object_object_add(o, "bundle", json_object_new_string(ct->bundle ?: ""));
        static const char *const keys[] = {"rootfs", "created", "owner", "annotations"};
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
                if (json_object_object_get_ex(ct->state, keys[i], &v))
                        json_object_object_add(o, keys[i], json_object_get(v));
        return o;
}

int runc_ct_config(const struct runc_ct *ct, struct box_config *c)
{
        struct json_object *v;
        box_config_init(c);
        if (!json_object_object_get_ex(ct->state, "config", &v)) {
                log_error("%s/state.json: no configuration recorded", ct->dir);
                return -EINVAL;
        }
        _cleanup_free_ char *what = xasprintf("%s/state.json", ct->dir);
        return box_config_from_json(v, what, c);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int runc_ids(const struct runc_globals *g, char ***ret)
{
        char **v = xcalloc(1, sizeof(char *));
        size_t n = 0;
        _cleanup_dir_ DIR *d = opendir(g->root);
        if (d)
                for (struct dirent *de; (de = readdir(d));) {
                        if (de->d_name[0] == '.' || de->d_type != DT_DIR)
                                continue;
                        v = xrealloc(v, (n + 2) * sizeof(char *));
                        v[n++] = xstrdup(de->d_name);
                        v[n] = NULL;
                }
        qsort(v, n, sizeof(char *), cmp_str);
        *ret = v;
        return 0;
}
