/* place.c - the path of a box's group in every hierarchy: "<Parent>/NAME.box" for a configured
 * parent, "<own>/payload" when systemd delegated a subtree to us, else "<auto parent>/NAME.box". */
#include "cgroup/place.h"
#include "util/log.h"

#include <fcntl.h>
#include <sys/stat.h>

#define AUTO_PARENT "boxlaunch"
/* A box's group is NAME.box: a bare NAME could collide with a v1 interface file ("tasks",
 * "notify_on_release", "cgroup.procs"); no interface file ends in ".box". */
#define BOX_SUFFIX ".box"

const char *cgroup_auto_parent(void)
{
        const char *e = getenv("BOXLAUNCH_CGROUP_PARENT");
        if (!e || !*e)
                return AUTO_PARENT;
        /* One component: the parent is dropped with a single rmdir once no box uses it. */
        if (!box_name_valid(e)) {
                log_error("BOXLAUNCH_CGROUP_PARENT=%s: not a valid cgroup name (letters, digits, "
                          "'_', '-' and '.', not starting with '.')",
                          e);
                return NULL;
        }
        return e;
}

char *cgroup_auto_path(const char *name)
{
        const char *parent = cgroup_auto_parent();
        return parent ? xasprintf("%s/%s" BOX_SUFFIX, parent, name) : NULL;
}

bool cg_is_auto_path(const char *path)
{
        const char *parent = cgroup_auto_parent();
        size_t n = parent ? strlen(parent) : 0;
        return parent && strncmp(path, parent, n) == 0 && path[n] == '/' &&
               !strchr(path + n + 1, '/');
}

/* The own cgroup in the hierarchy whose /proc/self/cgroup entry has `ctrls` ("" = cgroup2). */
static int own_cgroup(const char *ctrls, char **ret)
{
        _cleanup_free_ char *s = NULL;
        int r = read_file_at(AT_FDCWD, "/proc/self/cgroup", &s, 1 << 16);
        if (r < 0)
                return r;
        char *save_line = NULL;
        for (char *line = strtok_r(s, "\n", &save_line); line;
             line = strtok_r(NULL, "\n", &save_line)) {
                char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
                if (!b)
                        continue;
                if ((size_t)(b - a - 1) == strlen(ctrls) && strncmp(a + 1, ctrls, b - a - 1) == 0) {
                        *ret = xstrdup(b + 1);
                        return 0;
                }
        }
        return -ENOENT;
}

/* Running delegated: systemd started us (INVOCATION_ID) and our own cgroup in the primary
 * hierarchy is below the root and writable. Then we move to <own>/supervisor and the box gets
 * <own>/payload, as nspawn does: cgroup2 allows no processes in inner groups. Returns 1 with
 * *ret set, 0 when not delegated. */
static int delegated_path(struct box_cgroup *cg, char **ret)
{
        enum cg_hier h = cg->layout == CGROUP_LAYOUT_V1 ? CG_SYSTEMD : CG_V2;
        _cleanup_free_ char *own = NULL;

        if (cg->fake || !getenv("INVOCATION_ID") || cg->dirs[h].rootfd < 0 ||
            own_cgroup(h == CG_V2 ? "" : "name=systemd", &own) < 0 || streq(own, "/"))
                return 0;
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", own + 1);
        if (faccessat(cg->dirs[h].rootfd, procs, W_OK, 0) < 0)
                return 0;

        _cleanup_free_ char *sup = xasprintf("%s/supervisor", own + 1);
        if (mkdirat(cg->dirs[h].rootfd, sup, 0755) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "Cannot create cgroup %s", sup);
        _cleanup_close_ int fd =
                openat(cg->dirs[h].rootfd, sup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char pid[32];
        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        int r = fd < 0 ? negative_errno() : cg_write(cg, fd, "cgroup.procs", pid, false);
        if (r < 0)
                return log_error_errno(r, "Cannot move ourselves to cgroup %s", sup);
        *ret = xasprintf("%s/payload", own + 1);
        return 1;
}

/* OCI cgroupsPath: "/a/b" (from each hierarchy's root; a relative path too), or systemd's
 * "slice:prefix:name", which is the unit prefix-name.scope in the slice, a slice "a-b.slice"
 * nested as a.slice/a-b.slice as systemd does. */
static char *oci_path(const char *p)
{
        const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (p[0] == '/' || !c2)
                return xstrdup(p + strspn(p, "/"));
        _cleanup_free_ char *slice = xstrndup(p, (size_t)(c1 - p));
        _cleanup_free_ char *prefix = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
        const char *name = c2 + 1;
        if (!*slice || streq(slice, "-"))
                free(slice), slice = xstrdup("system.slice");
        _cleanup_free_ char *dir = xstrdup("");
        /* Each dash-separated prefix of the slice's name is a slice above it. */
        size_t len = strlen(slice) -
                     (strlen(slice) > 6 && streq(slice + strlen(slice) - 6, ".slice") ? 6 : 0);
        for (size_t i = 0; i <= len; i++) {
                if (i < len && slice[i] != '-')
                        continue;
                char *d = xasprintf("%s%s%.*s.slice", dir, *dir ? "/" : "", (int)i, slice);
                free(dir);
                dir = d;
        }
        return *prefix ? xasprintf("%s/%s-%s.scope", dir, prefix, name)
                       : xasprintf("%s/%s.scope", dir, name);
}

int cg_place(struct box_cgroup *cg, const char *name, const char *parent)
{
        if (cg->config && cg->config->limits.path) {
                cg->path = oci_path(cg->config->limits.path);
        } else if (parent) {
                /* Slice-like parent: the box's own group goes below it. */
                const char *p = parent + strspn(parent, "/");
                size_t len = strlen(p);
                while (len > 0 && p[len - 1] == '/')
                        len--;
                cg->path = len ? xasprintf("%.*s/%s" BOX_SUFFIX, (int)len, p, name)
                               : xasprintf("%s" BOX_SUFFIX, name);
        } else {
                int r = delegated_path(cg, &cg->path);
                if (r < 0)
                        return r;
                if (r == 0) {
                        cg->path = cgroup_auto_path(name);
                        if (!cg->path)
                                return -EINVAL; /* logged */
                        cg->auto_parent = true;
                }
        }
        if (!cg_path_ok(cg->path))
                return log_error_errno(-EINVAL, "Invalid cgroup path \"%s\"", cg->path);
        return 0;
}
