/* spec_mounts.c - config.json mounts[] (options, propagation, id-mapped mounts) into the config. */
#include "frontend/oci/internal.h"

#include "core/names.h"
#include "util/capnames.h"
#include "util/log.h"
#include "util/parse.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>

#ifndef MOUNT_ATTR_RDONLY
#include <linux/mount.h>
#endif

/* ---- mounts ------------------------------------------------------------------------------ */

/* Names are arrays in these tables, not pointers: no relocation at start (README
 * "Performance"). */
struct mount_flag {
        char name[16];
        unsigned long set, clear; /* MS_* */
};

static const struct mount_flag mount_flags[] = {
        {"ro", MS_RDONLY, 0},
        {"rw", 0, MS_RDONLY},
        {"nosuid", MS_NOSUID, 0},
        {"suid", 0, MS_NOSUID},
        {"nodev", MS_NODEV, 0},
        {"dev", 0, MS_NODEV},
        {"noexec", MS_NOEXEC, 0},
        {"exec", 0, MS_NOEXEC},
        {"noatime", MS_NOATIME, MS_RELATIME | MS_STRICTATIME},
        {"atime", 0, MS_NOATIME},
        {"nodiratime", MS_NODIRATIME, 0},
        {"diratime", 0, MS_NODIRATIME},
        {"relatime", MS_RELATIME, MS_NOATIME | MS_STRICTATIME},
        {"norelatime", 0, MS_RELATIME},
        {"strictatime", MS_STRICTATIME, MS_NOATIME | MS_RELATIME},
        {"nostrictatime", 0, MS_STRICTATIME},
        {"nosymfollow", MS_NOSYMFOLLOW, 0},
        {"symfollow", 0, MS_NOSYMFOLLOW},
        {"defaults", 0, 0},
};

struct rec_attr {
        char name[16];
        uint64_t set, clear; /* MOUNT_ATTR_* */
};

static const struct rec_attr rec_attrs[] = {
        {"rro", MOUNT_ATTR_RDONLY, 0},
        {"rrw", 0, MOUNT_ATTR_RDONLY},
        {"rnosuid", MOUNT_ATTR_NOSUID, 0},
        {"rsuid", 0, MOUNT_ATTR_NOSUID},
        {"rnodev", MOUNT_ATTR_NODEV, 0},
        {"rdev", 0, MOUNT_ATTR_NODEV},
        {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
        {"rexec", 0, MOUNT_ATTR_NOEXEC},
        {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
        {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
        {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
        {"rnorelatime", 0, MOUNT_ATTR__ATIME},
        {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
        {"ratime", 0, MOUNT_ATTR__ATIME},
        {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
        {"rnostrictatime", 0, MOUNT_ATTR__ATIME},
        {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
        {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
};

static const struct {
        char name[12];
        unsigned long flags;
} propagations[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

unsigned long spec_propagation_from(const char *s)
{
        for (size_t i = 0; i < ARRAY_SIZE(propagations); i++)
                if (streq(s, propagations[i].name))
                        return propagations[i].flags;
        return 0;
}

void spec_parse_id_maps(struct parser *p, struct json_object *o, const char *path, const char *key,
                        struct box_id_map **ret, size_t *ret_n)
{
        size_t n;
        struct json_object *a = spec_get_array(p, o, path, key, &n);
        if (!a)
                return;
        const char *ap = SUB(path, key);
        free(*ret);
        *ret = xcalloc(n ? n : 1, sizeof(**ret));
        *ret_n = 0;
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(a, i);
                const char *ep = IDX(ap, i);
                struct box_id_map m;
                if (!spec_check_object(p, e, ep) || !spec_require(p, e, ep, "containerID") ||
                    !spec_require(p, e, ep, "hostID") || !spec_require(p, e, ep, "size") ||
                    !spec_get_u32(p, e, ep, "containerID", &m.inside) ||
                    !spec_get_u32(p, e, ep, "hostID", &m.outside) ||
                    !spec_get_u32(p, e, ep, "size", &m.count))
                        continue;
                if (m.count == 0 || (uint64_t)m.inside + m.count > UINT32_MAX ||
                    (uint64_t)m.outside + m.count > UINT32_MAX) {
                        spec_bad(p, ep, "empty or beyond the 32-bit id space");
                        continue;
                }
                for (size_t j = 0; j < *ret_n; j++) {
                        const struct box_id_map *q = &(*ret)[j];
                        if (m.inside < q->inside + q->count && q->inside < m.inside + m.count)
                                spec_bad(p, ep, "overlaps %s[%zu]", ap, j);
                }
                (*ret)[(*ret_n)++] = m;
        }
        if (*ret_n > 340)
                spec_bad(p, ap, "more than 340 ranges (the kernel's limit)");
}

char *spec_bundle_path(struct parser *p, const char *s)
{
        if (s[0] == '/' || !p->bundle)
                return xstrdup(s);
        return xasprintf("%s/%s", p->bundle, s);
}

/* Long: one mount's fields and option words in one place, the mirror of export_mount(). */
static void parse_mount(struct parser *p, struct json_object *o, const char *path,
                        struct box_mount *m)
{
        m->name = xstrdup(path);
        if (!spec_check_object(p, o, path))
                return;
        _cleanup_free_ char *dest = NULL, *type = NULL, *source = NULL;
        if (spec_require(p, o, path, "destination") &&
            spec_get_str(p, o, path, "destination", &dest)) {
                /* Relative destinations (runtime-spec 1.0) are taken from the root. */
                m->target = dest[0] == '/' ? xstrdup(dest) : xasprintf("/%s", dest);
        }
        (void)spec_get_str(p, o, path, "type", &type);
        (void)spec_get_str(p, o, path, "source", &source);
        _cleanup_strv_ char **opts = NULL;
        (void)spec_get_strv(p, o, path, "options", &opts);

        bool bind = type && streq(type, "bind");
        m->recursive = false;
        for (size_t i = 0; opts && opts[i]; i++) {
                if (streq(opts[i], "bind"))
                        bind = true;
                else if (streq(opts[i], "rbind"))
                        bind = m->recursive = true;
        }
        m->type = bind ? BOX_MOUNT_BIND : BOX_MOUNT_FS;
        if (!bind) {
                if (!type || !*type)
                        spec_bad(p, SUB(path, "type"),
                                 "required for a mount that is not a bind mount");
                else
                        m->fstype = xstrdup(type);
        }
        if (source)
                m->source = bind ? spec_bundle_path(p, source) : xstrdup(source);
        if (bind && !m->source)
                spec_bad(p, SUB(path, "source"), "required for a bind mount");
        /* OCI mounts are exactly what the options say: no implicit nosuid or nodev. */
        m->dev = m->suid = true;
        unsigned long clear = 0;
        _cleanup_free_ char *data = NULL;
        for (size_t i = 0; opts && opts[i]; i++) {
                const char *w = opts[i], *op = IDX(SUB(path, "options"), i);
                if (streq(w, "bind") || streq(w, "rbind"))
                        continue;
                bool done = false;
                for (size_t k = 0; k < ARRAY_SIZE(mount_flags) && !done; k++)
                        if (streq(w, mount_flags[k].name)) {
                                m->flags = (m->flags & ~mount_flags[k].clear) | mount_flags[k].set;
                                clear = (clear & ~mount_flags[k].set) | mount_flags[k].clear;
                                done = true;
                        }
                for (size_t k = 0; k < ARRAY_SIZE(rec_attrs) && !done; k++)
                        if (streq(w, rec_attrs[k].name)) {
                                m->rec_attr_set =
                                        (m->rec_attr_set & ~rec_attrs[k].clear) | rec_attrs[k].set;
                                m->rec_attr_clr =
                                        (m->rec_attr_clr & ~rec_attrs[k].set) | rec_attrs[k].clear;
                                done = true;
                        }
                if (done)
                        continue;
                unsigned long prop = spec_propagation_from(w);
                if (prop) {
                        m->propagation = prop;
                        continue;
                }
                if (streq(w, "tmpcopyup")) {
                        m->tmpcopyup = true;
                        if (!type || !streq(type, "tmpfs"))
                                spec_bad(p, op, "tmpcopyup is for tmpfs mounts");
                } else if (streq(w, "idmap") || streq(w, "ridmap")) {
                        m->idmap_recursive = streq(w, "ridmap");
                        if (!bind)
                                spec_bad(p, op, "%s is for bind mounts", w);
                } else if (streq(w, "remount") || streq(w, "mand") || streq(w, "nomand") ||
                           streq(w, "move")) {
                        spec_bad(p, op, "'%s' is not supported", w);
                } else if (streq(w, "sync") || streq(w, "dirsync") || streq(w, "async") ||
                           streq(w, "lazytime") || streq(w, "nolazytime") || streq(w, "iversion") ||
                           streq(w, "noiversion") || streq(w, "silent") || streq(w, "loud")) {
                        if (bind) {
                                if (!streq(w, "async") && !streq(w, "loud"))
                                        spec_bad(p, op, "'%s' cannot be set on a bind mount", w);
                        } else {
                                char *d = data ? xasprintf("%s,%s", data, w) : xstrdup(w);
                                free(data);
                                data = d;
                        }
                } else if (bind) {
                        /* File system data (mode=, size=...): mount(2) ignores it for a bind,
                         * where runc and crun pass it on; dropped, said at debug level. */
                        log_debug("%s: %s: file system data on a bind mount has no effect, "
                                  "ignored",
                                  p->what, op);
                } else {
                        if (strchr(w, ','))
                                spec_bad(p, op, "'%s': one option per element", w);
                        char *d = data ? xasprintf("%s,%s", data, w) : xstrdup(w);
                        free(data);
                        data = d;
                }
        }
        if (bind && !m->recursive && (m->rec_attr_set || m->rec_attr_clr))
                log_debug("%s: recursive attributes on a non-recursive bind apply to its one mount",
                          path);
        /* A bind mount keeps nosuid and nodev in its own booleans (box_mount_flags()). */
        if (bind) {
                m->suid = !(m->flags & MS_NOSUID);
                m->dev = !(m->flags & MS_NODEV);
                m->flags &= ~(MS_NOSUID | MS_NODEV);
        }
        if (clear & MS_RDONLY)
                m->flags &= ~MS_RDONLY;
        m->data = TAKE_PTR(data);
        if (m->fstype && (streq(m->fstype, "proc") || streq(m->fstype, "sysfs")) && m->source &&
            !streq(m->source, m->fstype) && !streq(m->source, "none"))
                log_debug("%s: source %s of a %s mount is a label only", path, m->source,
                          m->fstype);
        spec_parse_id_maps(p, o, path, "uidMappings", &m->uid_map, &m->n_uid_map);
        spec_parse_id_maps(p, o, path, "gidMappings", &m->gid_map, &m->n_gid_map);
        if ((m->n_uid_map || m->n_gid_map) && !bind)
                spec_bad(p, path, "uidMappings and gidMappings are for bind mounts");
        if (!m->n_uid_map != !m->n_gid_map)
                spec_bad(p, path, "an idmapped mount needs both uidMappings and gidMappings");
        if ((m->n_uid_map || m->idmap_recursive) && !m->n_gid_map && !m->n_uid_map)
                spec_bad(p, path, "idmap needs uidMappings and gidMappings");
}

void spec_parse_mounts(struct parser *p, struct json_object *root)
{
        struct box_config *c = p->c;
        size_t n;
        struct json_object *a = spec_get_array(p, root, "", "mounts", &n);
        c->mounts = xcalloc(n ? n : 1, sizeof(*c->mounts));
        for (size_t i = 0; i < n; i++) {
                c->n_mounts = i + 1;
                parse_mount(p, json_object_array_get_idx(a, i), IDX("mounts", i), &c->mounts[i]);
        }
}
