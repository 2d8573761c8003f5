/* spec.c - config.json (OCI runtime spec 1.0-1.2) into struct box_config, with json-c.
 *
 * Each object's keys are checked against the field table (fields.c) first: a field the table
 * rejects is an error with the table's reason, an unknown property is ignored (the spec's
 * extensibility rule), and the known ones are read below. Every error names the JSON path
 * ("config.json: linux.resources.memory.swap: ...") and parsing goes on, so one run reports them
 * all. */
#include "frontend/oci/oci.h"

#include "core/names.h"
#include "util/capnames.h"
#include "util/log.h"
#include "util/parse.h"

#define FREE_AND_NULL(p) (free(p), (p) = NULL)

#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>

#ifndef MOUNT_ATTR_RDONLY
#include <linux/mount.h>
#endif

struct parser {
        struct box_config *c;
        const char *what; /* the file, in messages */
        const char *bundle;
        unsigned errors;
};

static void _printf_(3, 4) bad(struct parser *p, const char *path, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s: %s: %s", p->what, path, msg);
        p->errors++;
}

/* PATH.KEY or PATH[I] into buf. */
static const char *sub(char *buf, size_t n, const char *path, const char *key)
{
        snprintf(buf, n, "%s%s%s", path, *path ? "." : "", key);
        return buf;
}
#define SUB(path, key) sub((char[256]){0}, 256, (path), (key))
static const char *idx(char *buf, size_t n, const char *path, size_t i)
{
        snprintf(buf, n, "%s[%zu]", path, i);
        return buf;
}
#define IDX(path, i) idx((char[256]){0}, 256, (path), (i))

/* The object at path, checked against the field table: rejected fields are errors, unknown
 * ones are ignored. NULL (logged) when o is not an object. */
static bool check_object(struct parser *p, struct json_object *o, const char *path)
{
        if (!json_object_is_type(o, json_type_object)) {
                bad(p, path, "not an object");
                return false;
        }
        json_object_object_foreach(o, key, val)
        {
                (void)val;
                const char *kp = SUB(path, key);
                const struct oci_field *f = oci_field_find(kp);
                if (!f)
                        log_debug("%s: %s: unknown property, ignored", p->what, kp);
                else if (f->support == OCI_REJECTED && !json_object_is_type(val, json_type_null))
                        bad(p, kp, "not supported: %s",
                            *f->note ? f->note : "see docs/oci-fields.md");
                else if (f->support == OCI_IGNORED)
                        log_debug("%s: %s: %s, ignored", p->what, kp, f->note);
        }
        return true;
}

static struct json_object *get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return NULL;
        return v;
}

static bool want(struct parser *p, struct json_object *v, json_type t, const char *path,
                 const char *what)
{
        if (json_object_is_type(v, t))
                return true;
        bad(p, path, "not %s", what);
        return false;
}

/* A string property; *ret is replaced when present. false when absent or bad (logged). */
static bool get_str(struct parser *p, struct json_object *o, const char *path, const char *key,
                    char **ret)
{
        struct json_object *v = get(o, key);
        if (!v || !want(p, v, json_type_string, SUB(path, key), "a string"))
                return false;
        free(*ret);
        *ret = xstrdup(json_object_get_string(v));
        return true;
}

static bool get_bool(struct parser *p, struct json_object *o, const char *path, const char *key,
                     bool *ret)
{
        struct json_object *v = get(o, key);
        if (!v || !want(p, v, json_type_boolean, SUB(path, key), "a boolean"))
                return false;
        *ret = json_object_get_boolean(v);
        return true;
}

/* An integer in [min, max]. */
static bool get_i64(struct parser *p, struct json_object *o, const char *path, const char *key,
                    int64_t min, int64_t max, int64_t *ret)
{
        struct json_object *v = get(o, key);
        if (!v || !want(p, v, json_type_int, SUB(path, key), "an integer"))
                return false;
        errno = 0;
        int64_t n = json_object_get_int64(v);
        /* json-c keeps integers above INT64_MAX as uint64 (and then get_int64 saturates). */
        if (n < min || n > max || (n == INT64_MAX && json_object_get_uint64(v) > INT64_MAX)) {
                bad(p, SUB(path, key), "%s out of range [%lld, %lld]", json_object_get_string(v),
                    (long long)min, (long long)max);
                return false;
        }
        *ret = n;
        return true;
}

static bool get_u64(struct parser *p, struct json_object *o, const char *path, const char *key,
                    uint64_t max, uint64_t *ret)
{
        struct json_object *v = get(o, key);
        if (!v || !want(p, v, json_type_int, SUB(path, key), "an integer"))
                return false;
        if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max) {
                bad(p, SUB(path, key), "%s out of range [0, %llu]", json_object_get_string(v),
                    (unsigned long long)max);
                return false;
        }
        *ret = json_object_get_uint64(v);
        return true;
}

static bool get_u32(struct parser *p, struct json_object *o, const char *path, const char *key,
                    uint32_t *ret)
{
        uint64_t u;
        if (!get_u64(p, o, path, key, UINT32_MAX, &u))
                return false;
        *ret = (uint32_t)u;
        return true;
}

static bool require(struct parser *p, struct json_object *o, const char *path, const char *key)
{
        if (get(o, key))
                return true;
        bad(p, SUB(path, key), "required");
        return false;
}

/* An array of strings (NULL-terminated, possibly empty), or NULL when absent or bad. */
static bool get_strv(struct parser *p, struct json_object *o, const char *path, const char *key,
                     char ***ret)
{
        struct json_object *v = get(o, key);
        const char *ap = SUB(path, key);
        if (!v || !want(p, v, json_type_array, ap, "an array"))
                return false;
        size_t n = json_object_array_length(v);
        char **s = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string)) {
                        bad(p, IDX(ap, i), "not a string");
                        strv_free(s);
                        return false;
                }
                s[i] = xstrdup(json_object_get_string(e));
        }
        strv_free(*ret);
        *ret = s;
        return true;
}

/* The elements of an array property: n and the array, or false. */
static struct json_object *get_array(struct parser *p, struct json_object *o, const char *path,
                                     const char *key, size_t *n)
{
        struct json_object *v = get(o, key);
        *n = 0;
        if (!v || !want(p, v, json_type_array, SUB(path, key), "an array"))
                return NULL;
        *n = json_object_array_length(v);
        return v;
}

/* ---- process --------------------------------------------------------------------------- */

static void parse_caps(struct parser *p, struct json_object *o, const char *path)
{
        struct box_caps *k = &p->c->caps;
        k->sets_given = true;
        if (!o)
                return; /* no capabilities at all */
        if (!check_object(p, o, path))
                return;
        static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted",
                                           "ambient"};
        uint64_t *masks[] = {&k->bounding, &k->effective, &k->inheritable, &k->permitted,
                             &k->ambient};
        for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
                _cleanup_strv_ char **names = NULL;
                if (!get_strv(p, o, path, sets[s], &names))
                        continue;
                for (size_t i = 0; names[i]; i++) {
                        if (strncmp(names[i], "CAP_", 4) != 0 ||
                            caps_add_name(masks[s], names[i]) < 0)
                                bad(p, IDX(SUB(path, sets[s]), i), "unknown capability '%s'",
                                    names[i]);
                }
        }
}

static void parse_rlimits(struct parser *p, struct json_object *o, const char *path)
{
        size_t n;
        struct json_object *a = get_array(p, o, path, "rlimits", &n);
        const char *ap = SUB(path, "rlimits");
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(a, i);
                const char *ep = IDX(ap, i);
                if (!check_object(p, e, ep))
                        continue;
                _cleanup_free_ char *type = NULL;
                uint64_t soft = 0, hard = 0;
                if (!require(p, e, ep, "type") || !require(p, e, ep, "soft") ||
                    !require(p, e, ep, "hard") || !get_str(p, e, ep, "type", &type) ||
                    !get_u64(p, e, ep, "soft", UINT64_MAX, &soft) ||
                    !get_u64(p, e, ep, "hard", UINT64_MAX, &hard))
                        continue;
                int r = box_rlimit_from_name(type);
                if (r < 0) {
                        bad(p, SUB(ep, "type"), "unknown resource '%s'", type);
                        continue;
                }
                if (p->c->rlimits[r].set) {
                        bad(p, SUB(ep, "type"), "%s given twice", type);
                        continue;
                }
                if (soft > hard) {
                        bad(p, SUB(ep, "soft"), "above the hard limit");
                        continue;
                }
                p->c->rlimits[r] =
                        (struct box_rlimit){.resource = r, .set = true, .value = {soft, hard}};
        }
}

static int lookup(const char *s, const char *const *names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (names[i] && streq(s, names[i]))
                        return (int)i;
        return -1;
}

static void parse_scheduler(struct parser *p, struct json_object *o, const char *path)
{
        static const char *const policies[] = {
                [SCHED_OTHER] = "SCHED_OTHER",
                [SCHED_FIFO] = "SCHED_FIFO",
                [SCHED_RR] = "SCHED_RR",
                [SCHED_BATCH] = "SCHED_BATCH",
                [4] = "SCHED_ISO",
                [SCHED_IDLE] = "SCHED_IDLE",
                [6] = "SCHED_DEADLINE",
        };
        static const char *const flags[] = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                                            "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
                                            "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN",
                                            "SCHED_FLAG_UTIL_CLAMP_MAX"};
        if (!check_object(p, o, path))
                return;
        struct box_sched *s = &p->c->sched;
        _cleanup_free_ char *policy = NULL;
        if (!require(p, o, path, "policy") || !get_str(p, o, path, "policy", &policy))
                return;
        int k = lookup(policy, policies, ARRAY_SIZE(policies));
        if (k < 0 || k == 4) {
                bad(p, SUB(path, "policy"),
                    k == 4 ? "SCHED_ISO is not in Linux" : "unknown policy '%s'", policy);
                return;
        }
        s->set = true;
        s->policy = k;
        int64_t v;
        if (get_i64(p, o, path, "nice", -20, 19, &v))
                s->nice = (int)v;
        if (get_i64(p, o, path, "priority", 0, 99, &v))
                s->priority = (int)v;
        (void)get_u64(p, o, path, "runtime", UINT64_MAX, &s->runtime);
        (void)get_u64(p, o, path, "deadline", UINT64_MAX, &s->deadline);
        (void)get_u64(p, o, path, "period", UINT64_MAX, &s->period);
        _cleanup_strv_ char **fl = NULL;
        if (get_strv(p, o, path, "flags", &fl))
                for (size_t i = 0; fl[i]; i++) {
                        int f = lookup(fl[i], flags, ARRAY_SIZE(flags));
                        if (f < 0)
                                bad(p, IDX(SUB(path, "flags"), i), "unknown flag '%s'", fl[i]);
                        else
                                s->flags |= UINT64_C(1) << f;
                }
        if ((s->policy == SCHED_FIFO || s->policy == SCHED_RR) && s->priority < 1)
                bad(p, SUB(path, "priority"), "%s needs a priority of 1 to 99", policy);
        if (s->policy != SCHED_FIFO && s->policy != SCHED_RR && s->priority != 0)
                bad(p, SUB(path, "priority"), "must be 0 for %s", policy);
        if (s->policy == 6 &&
            (!s->runtime || s->runtime > s->deadline || (s->period && s->deadline > s->period)))
                bad(p, path, "SCHED_DEADLINE needs runtime <= deadline <= period");
}

static void parse_user(struct parser *p, struct json_object *o, const char *path)
{
        struct box_config *c = p->c;
        if (!check_object(p, o, path))
                return;
        uint32_t uid = 0, gid = 0, um;
        if (require(p, o, path, "uid") && get_u32(p, o, path, "uid", &uid)) {
                free(c->user);
                c->user = xasprintf("%u", uid);
        }
        if (require(p, o, path, "gid") && get_u32(p, o, path, "gid", &gid)) {
                free(c->group);
                c->group = xasprintf("%u", gid);
        }
        if (get_u32(p, o, path, "umask", &um)) {
                if (um > 0777)
                        bad(p, SUB(path, "umask"), "above 0777");
                else
                        c->umask = (int)um;
        }
        size_t n;
        struct json_object *a = get_array(p, o, path, "additionalGids", &n);
        if (n > 64)
                bad(p, "process.user.additionalGids", "more than 64 groups are not supported");
        strv_free(c->supplementary_groups);
        c->supplementary_groups = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0, k = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(a, i);
                if (!json_object_is_type(e, json_type_int) || json_object_get_int64(e) < 0 ||
                    json_object_get_int64(e) > UINT32_MAX) {
                        bad(p, IDX(SUB(path, "additionalGids"), i), "not a group id");
                        continue;
                }
                c->supplementary_groups[k++] =
                        xasprintf("%lld", (long long)json_object_get_int64(e));
        }
}

static void parse_process(struct parser *p, struct json_object *o)
{
        struct box_config *c = p->c;
        const char *path = "process";
        if (!o) {
                bad(p, path, "required");
                return;
        }
        if (!check_object(p, o, path))
                return;
        c->process_exact = true;
        bool terminal = false;
        (void)get_bool(p, o, path, "terminal", &terminal);
        c->console = terminal ? BOX_CONSOLE_INTERACTIVE : BOX_CONSOLE_PIPE;
        struct json_object *v;
        if ((v = get(o, "consoleSize")) && check_object(p, v, "process.consoleSize")) {
                if (require(p, v, "process.consoleSize", "height"))
                        (void)get_u32(p, v, "process.consoleSize", "height", &c->console_height);
                if (require(p, v, "process.consoleSize", "width"))
                        (void)get_u32(p, v, "process.consoleSize", "width", &c->console_width);
                if (c->console_height > USHRT_MAX || c->console_width > USHRT_MAX)
                        bad(p, "process.consoleSize", "above 65535");
        }
        if (require(p, o, path, "user"))
                parse_user(p, get(o, "user"), "process.user");
        if (get_strv(p, o, path, "args", &c->argv) && !c->argv[0])
                bad(p, "process.args", "empty");
        if (!c->argv)
                bad(p, "process.args", "required");
        if (get_strv(p, o, path, "env", &c->env))
                for (size_t i = 0; c->env[i]; i++)
                        if (!strchr(c->env[i], '=') || c->env[i][0] == '=')
                                bad(p, IDX("process.env", i), "'%s' is not NAME=VALUE", c->env[i]);
        if (require(p, o, path, "cwd") && get_str(p, o, path, "cwd", &c->cwd) && c->cwd[0] != '/')
                bad(p, "process.cwd", "'%s' is not absolute", c->cwd);
        parse_caps(p, get(o, "capabilities"), "process.capabilities");
        parse_rlimits(p, o, path);
        bool nnp = false;
        (void)get_bool(p, o, path, "noNewPrivileges", &nnp);
        c->no_new_privileges = nnp ? BOX_YES : BOX_NO;
        if (get_str(p, o, path, "apparmorProfile", &c->apparmor_profile) && !*c->apparmor_profile)
                FREE_AND_NULL(c->apparmor_profile);
        int64_t adj;
        if (get_i64(p, o, path, "oomScoreAdj", -1000, 1000, &adj)) {
                c->oom_score_adj = (int)adj;
                c->oom_score_adj_set = true;
        }
        if ((v = get(o, "scheduler")))
                parse_scheduler(p, v, "process.scheduler");
        if (get_str(p, o, path, "selinuxLabel", &c->selinux_label) && !*c->selinux_label)
                FREE_AND_NULL(c->selinux_label);
        if ((v = get(o, "ioPriority")) && check_object(p, v, "process.ioPriority")) {
                static const char *const classes[] = {NULL, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                                      "IOPRIO_CLASS_IDLE"};
                _cleanup_free_ char *cls = NULL;
                int64_t prio = 0;
                if (require(p, v, "process.ioPriority", "class") &&
                    get_str(p, v, "process.ioPriority", "class", &cls)) {
                        int k = lookup(cls, classes, ARRAY_SIZE(classes));
                        if (k < 0)
                                bad(p, "process.ioPriority.class", "unknown class '%s'", cls);
                        else
                                c->ioprio_class = k;
                }
                if (get_i64(p, v, "process.ioPriority", "priority", 0, 7, &prio))
                        c->ioprio_level = (int)prio;
        }
        if ((v = get(o, "execCPUAffinity")) && check_object(p, v, "process.execCPUAffinity")) {
                _cleanup_free_ char *initial = NULL, *final = NULL;
                if (get_str(p, v, "process.execCPUAffinity", "initial", &initial) &&
                    parse_cpu_list(initial, &c->cpu_affinity_initial) < 0)
                        bad(p, "process.execCPUAffinity.initial", "'%s' is not a CPU list",
                            initial);
                if (get_str(p, v, "process.execCPUAffinity", "final", &final) &&
                    parse_cpu_list(final, &c->cpu_affinity) < 0)
                        bad(p, "process.execCPUAffinity.final", "'%s' is not a CPU list", final);
        }
}

/* ---- mounts ------------------------------------------------------------------------------ */

struct mount_flag {
        const char *name;
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
        const char *name;
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
        const char *name;
        unsigned long flags;
} propagations[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static unsigned long propagation_from(const char *s)
{
        for (size_t i = 0; i < ARRAY_SIZE(propagations); i++)
                if (streq(s, propagations[i].name))
                        return propagations[i].flags;
        return 0;
}

static void parse_id_maps(struct parser *p, struct json_object *o, const char *path,
                          const char *key, struct box_id_map **ret, size_t *ret_n)
{
        size_t n;
        struct json_object *a = get_array(p, o, path, key, &n);
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
                if (!check_object(p, e, ep) || !require(p, e, ep, "containerID") ||
                    !require(p, e, ep, "hostID") || !require(p, e, ep, "size") ||
                    !get_u32(p, e, ep, "containerID", &m.inside) ||
                    !get_u32(p, e, ep, "hostID", &m.outside) ||
                    !get_u32(p, e, ep, "size", &m.count))
                        continue;
                if (m.count == 0 || (uint64_t)m.inside + m.count > UINT32_MAX ||
                    (uint64_t)m.outside + m.count > UINT32_MAX) {
                        bad(p, ep, "empty or beyond the 32-bit id space");
                        continue;
                }
                for (size_t j = 0; j < *ret_n; j++) {
                        const struct box_id_map *q = &(*ret)[j];
                        if (m.inside < q->inside + q->count && q->inside < m.inside + m.count)
                                bad(p, ep, "overlaps %s[%zu]", ap, j);
                }
                (*ret)[(*ret_n)++] = m;
        }
        if (*ret_n > 340)
                bad(p, ap, "more than 340 ranges (the kernel's limit)");
}

static char *bundle_path(struct parser *p, const char *s)
{
        if (s[0] == '/' || !p->bundle)
                return xstrdup(s);
        return xasprintf("%s/%s", p->bundle, s);
}

static void parse_mount(struct parser *p, struct json_object *o, const char *path,
                        struct box_mount *m)
{
        m->name = xstrdup(path);
        if (!check_object(p, o, path))
                return;
        _cleanup_free_ char *dest = NULL, *type = NULL, *source = NULL;
        if (require(p, o, path, "destination") && get_str(p, o, path, "destination", &dest)) {
                /* Relative destinations (runtime-spec 1.0) are taken from the root. */
                m->target = dest[0] == '/' ? xstrdup(dest) : xasprintf("/%s", dest);
        }
        (void)get_str(p, o, path, "type", &type);
        (void)get_str(p, o, path, "source", &source);
        _cleanup_strv_ char **opts = NULL;
        (void)get_strv(p, o, path, "options", &opts);

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
                        bad(p, SUB(path, "type"), "required for a mount that is not a bind mount");
                else
                        m->fstype = xstrdup(type);
        }
        if (source)
                m->source = bind ? bundle_path(p, source) : xstrdup(source);
        if (bind && !m->source)
                bad(p, SUB(path, "source"), "required for a bind mount");
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
                unsigned long prop = propagation_from(w);
                if (prop) {
                        m->propagation = prop;
                        continue;
                }
                if (streq(w, "tmpcopyup")) {
                        m->tmpcopyup = true;
                        if (!type || !streq(type, "tmpfs"))
                                bad(p, op, "tmpcopyup is for tmpfs mounts");
                } else if (streq(w, "idmap") || streq(w, "ridmap")) {
                        m->idmap_recursive = streq(w, "ridmap");
                        if (!bind)
                                bad(p, op, "%s is for bind mounts", w);
                } else if (streq(w, "remount") || streq(w, "mand") || streq(w, "nomand") ||
                           streq(w, "move")) {
                        bad(p, op, "'%s' is not supported", w);
                } else if (streq(w, "sync") || streq(w, "dirsync") || streq(w, "async") ||
                           streq(w, "lazytime") || streq(w, "nolazytime") || streq(w, "iversion") ||
                           streq(w, "noiversion") || streq(w, "silent") || streq(w, "loud")) {
                        if (bind) {
                                if (!streq(w, "async") && !streq(w, "loud"))
                                        bad(p, op, "'%s' cannot be set on a bind mount", w);
                        } else {
                                char *d = data ? xasprintf("%s,%s", data, w) : xstrdup(w);
                                free(data);
                                data = d;
                        }
                } else if (bind) {
                        bad(p, op, "unknown bind mount option '%s'", w);
                } else {
                        if (strchr(w, ','))
                                bad(p, op, "'%s': one option per element", w);
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
        parse_id_maps(p, o, path, "uidMappings", &m->uid_map, &m->n_uid_map);
        parse_id_maps(p, o, path, "gidMappings", &m->gid_map, &m->n_gid_map);
        if ((m->n_uid_map || m->n_gid_map) && !bind)
                bad(p, path, "uidMappings and gidMappings are for bind mounts");
        if (!m->n_uid_map != !m->n_gid_map)
                bad(p, path, "an idmapped mount needs both uidMappings and gidMappings");
        if ((m->n_uid_map || m->idmap_recursive) && !m->n_gid_map && !m->n_uid_map)
                bad(p, path, "idmap needs uidMappings and gidMappings");
}

static void parse_mounts(struct parser *p, struct json_object *root)
{
        struct box_config *c = p->c;
        size_t n;
        struct json_object *a = get_array(p, root, "", "mounts", &n);
        c->mounts = xcalloc(n ? n : 1, sizeof(*c->mounts));
        for (size_t i = 0; i < n; i++) {
                c->n_mounts = i + 1;
                parse_mount(p, json_object_array_get_idx(a, i), IDX("mounts", i), &c->mounts[i]);
        }
}

/* ---- hooks ------------------------------------------------------------------------------- */

static void parse_hooks(struct parser *p, struct json_object *o)
{
        struct box_config *c = p->c;
        if (!o || !check_object(p, o, "hooks"))
                return;
        /* The spec's order of stages, so that a stage's hooks stay in their order. */
        static const enum box_hook_stage stages[] = {
                BOX_HOOK_PRESTART,        BOX_HOOK_CREATE_RUNTIME, BOX_HOOK_CREATE_CONTAINER,
                BOX_HOOK_START_CONTAINER, BOX_HOOK_POSTSTART,      BOX_HOOK_POSTSTOP};
        for (size_t s = 0; s < ARRAY_SIZE(stages); s++) {
                const char *name = box_hook_stage_to_string(stages[s]);
                size_t n;
                struct json_object *a = get_array(p, o, "hooks", name, &n);
                if (!n)
                        continue;
                c->hooks = xrealloc(c->hooks, (c->n_hooks + n) * sizeof(*c->hooks));
                for (size_t i = 0; i < n; i++) {
                        char hp[64];
                        snprintf(hp, sizeof(hp), "hooks.%s[%zu]", name, i);
                        struct json_object *e = json_object_array_get_idx(a, i);
                        struct box_hook *h = &c->hooks[c->n_hooks++];
                        *h = (struct box_hook){.name = xstrdup(hp), .stage = stages[s]};
                        if (!check_object(p, e, hp))
                                continue;
                        if (require(p, e, hp, "path") && get_str(p, e, hp, "path", &h->path) &&
                            h->path[0] != '/')
                                bad(p, SUB(hp, "path"), "'%s' is not absolute", h->path);
                        if (!get_strv(p, e, hp, "args", &h->argv) || !h->argv[0]) {
                                strv_free(h->argv);
                                h->argv = NULL;
                                if (h->path)
                                        strv_push(&h->argv, xstrdup(h->path));
                        }
                        (void)get_strv(p, e, hp, "env", &h->env);
                        int64_t t;
                        if (get_i64(p, e, hp, "timeout", 1, INT32_MAX, &t))
                                h->timeout_usec = (uint64_t)t * 1000000;
                        else if (get(e, "timeout") == NULL)
                                h->timeout_usec = 0;
                }
        }
}

/* ---- linux ------------------------------------------------------------------------------- */

static const char *const ns_names[_BOX_NS_MAX] = {
        [BOX_NS_MNT] = "mount",     [BOX_NS_PID] = "pid",   [BOX_NS_NET] = "network",
        [BOX_NS_IPC] = "ipc",       [BOX_NS_UTS] = "uts",   [BOX_NS_USER] = "user",
        [BOX_NS_CGROUP] = "cgroup", [BOX_NS_TIME] = "time",
};

static void parse_namespaces(struct parser *p, struct json_object *lx, bool *have)
{
        struct box_config *c = p->c;
        size_t n;
        struct json_object *a = get_array(p, lx, "linux", "namespaces", &n);
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.namespaces", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                _cleanup_free_ char *type = NULL, *path = NULL;
                if (!check_object(p, e, ep) || !require(p, e, ep, "type") ||
                    !get_str(p, e, ep, "type", &type))
                        continue;
                int t = lookup(type, ns_names, _BOX_NS_MAX);
                if (t < 0) {
                        bad(p, SUB(ep, "type"), "unknown namespace type '%s'", type);
                        continue;
                }
                if (have[t]) {
                        bad(p, SUB(ep, "type"), "the %s namespace is listed twice", type);
                        continue;
                }
                have[t] = true;
                if (get_str(p, e, ep, "path", &path)) {
                        if (path[0] != '/')
                                bad(p, SUB(ep, "path"), "'%s' is not absolute", path);
                        else if (t == BOX_NS_MNT || t == BOX_NS_PID)
                                bad(p, SUB(ep, "path"),
                                    "joining an existing %s namespace is not supported: boxlaunch "
                                    "sets up its own",
                                    type);
                        else
                                c->ns_join[t] = TAKE_PTR(path);
                }
        }
        if (!a) {
                /* No list: the spec's default is every namespace of the runtime's. */
                bad(p, "linux.namespaces", "required: boxlaunch needs at least mount and pid");
                return;
        }
        if (!have[BOX_NS_MNT])
                bad(p, "linux.namespaces", "no mount namespace: boxlaunch always makes one");
        /* No pid namespace: the host's, as the spec says (the payload is not PID 1). */
        c->ns_pid_host = !have[BOX_NS_PID];
        c->ns_uts = have[BOX_NS_UTS] && !c->ns_join[BOX_NS_UTS];
        c->ns_ipc = have[BOX_NS_IPC] && !c->ns_join[BOX_NS_IPC];
        c->ns_cgroup = have[BOX_NS_CGROUP] && !c->ns_join[BOX_NS_CGROUP];
        c->ns_time = have[BOX_NS_TIME] && !c->ns_join[BOX_NS_TIME];
        c->net = have[BOX_NS_NET] && !c->ns_join[BOX_NS_NET] ? BOX_NET_PRIVATE : BOX_NET_HOST;
}

/* uid_base/uid_count for the code that wants one range: the range of the box's root. */
static void maps_to_range(struct box_config *c)
{
        for (size_t i = 0; i < c->n_uid_map; i++)
                if (c->uid_map[i].inside == 0) {
                        c->uid_base = c->uid_map[i].outside;
                        c->uid_count = c->uid_map[i].count;
                }
}

static void parse_user_ns(struct parser *p, struct json_object *lx, const bool *have)
{
        struct box_config *c = p->c;
        parse_id_maps(p, lx, "linux", "uidMappings", &c->uid_map, &c->n_uid_map);
        parse_id_maps(p, lx, "linux", "gidMappings", &c->gid_map, &c->n_gid_map);
        bool maps = c->n_uid_map || c->n_gid_map;
        if (have[BOX_NS_USER] && !c->ns_join[BOX_NS_USER]) {
                if (!c->n_uid_map || !c->n_gid_map)
                        bad(p, "linux.uidMappings",
                            "a new user namespace needs uidMappings and gidMappings");
                c->userns = BOX_USERNS_FIXED;
                maps_to_range(c);
        } else {
                c->userns = BOX_USERNS_NO;
                if (maps)
                        bad(p, "linux.uidMappings",
                            "mappings need a new user namespace in linux.namespaces");
        }
}

static void parse_devices(struct parser *p, struct json_object *lx)
{
        struct box_config *c = p->c;
        size_t n;
        struct json_object *a = get_array(p, lx, "linux", "devices", &n);
        c->devices = xcalloc(n ? n : 1, sizeof(*c->devices));
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.devices", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                struct box_device *d = &c->devices[c->n_devices++];
                *d = (struct box_device){.name = xstrdup(ep), .mode = 0666};
                _cleanup_free_ char *type = NULL;
                int64_t v;
                if (!check_object(p, e, ep))
                        continue;
                if (require(p, e, ep, "path") && get_str(p, e, ep, "path", &d->path) &&
                    (strncmp(d->path, "/dev/", 5) != 0 || !d->path[5] || strstr(d->path, "/../") ||
                     strstr(d->path, "/./") ||
                     (strlen(d->path) >= 3 && streq(d->path + strlen(d->path) - 3, "/..")) ||
                     d->path[strlen(d->path) - 1] == '/'))
                        bad(p, SUB(ep, "path"), "'%s' is not a path under /dev", d->path);
                if (require(p, e, ep, "type") && get_str(p, e, ep, "type", &type)) {
                        if (streq(type, "c") || streq(type, "u"))
                                d->type = 'c';
                        else if (streq(type, "b") || streq(type, "p"))
                                d->type = type[0];
                        else
                                bad(p, SUB(ep, "type"), "'%s' is not c, b, u or p", type);
                }
                if (d->type != 'p') {
                        if (require(p, e, ep, "major") && get_i64(p, e, ep, "major", 0, 4095, &v))
                                d->major = (unsigned)v;
                        if (require(p, e, ep, "minor") &&
                            get_i64(p, e, ep, "minor", 0, 1048575, &v))
                                d->minor = (unsigned)v;
                }
                if (get_i64(p, e, ep, "fileMode", 0, 07777, &v))
                        d->mode = (mode_t)v;
                uint32_t id;
                if (get_u32(p, e, ep, "uid", &id))
                        d->uid = id;
                if (get_u32(p, e, ep, "gid", &id))
                        d->gid = id;
                /* Allowed in the device cgroup only by linux.resources.devices. */
                d->access[0] = 0;
        }
}

static void parse_dev_rules(struct parser *p, struct json_object *res)
{
        struct box_limits *l = &p->c->limits;
        size_t n;
        struct json_object *a = get_array(p, res, "linux.resources", "devices", &n);
        if (!a)
                return;
        l->dev_rules_given = true;
        l->dev_rules = xcalloc(n ? n : 1, sizeof(*l->dev_rules));
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.resources.devices", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                struct box_dev_rule *r = &l->dev_rules[l->n_dev_rules++];
                *r = (struct box_dev_rule){.type = 'a', .major = -1, .minor = -1};
                snprintf(r->access, sizeof(r->access), "rwm");
                if (!check_object(p, e, ep))
                        continue;
                if (require(p, e, ep, "allow"))
                        (void)get_bool(p, e, ep, "allow", &r->allow);
                _cleanup_free_ char *type = NULL, *access = NULL;
                if (get_str(p, e, ep, "type", &type)) {
                        if (streq(type, "a") || streq(type, "c") || streq(type, "b"))
                                r->type = type[0];
                        else
                                bad(p, SUB(ep, "type"), "'%s' is not a, c or b", type);
                }
                (void)get_i64(p, e, ep, "major", -1, 4095, &r->major);
                (void)get_i64(p, e, ep, "minor", -1, 1048575, &r->minor);
                if (get_str(p, e, ep, "access", &access)) {
                        if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
                                bad(p, SUB(ep, "access"), "'%s' is not a subset of rwm", access);
                        else
                                snprintf(r->access, sizeof(r->access), "%s", access);
                }
        }
}

/* -1 (or absent) is "no limit". */
static void get_limit(struct parser *p, struct json_object *o, const char *path, const char *key,
                      uint64_t *ret)
{
        int64_t v;
        if (get_i64(p, o, path, key, -1, INT64_MAX, &v))
                *ret = v < 0 ? BOX_LIMIT_UNSET : (uint64_t)v;
}

static void parse_memory(struct parser *p, struct json_object *o)
{
        const char *path = "linux.resources.memory";
        struct box_limits *l = &p->c->limits;
        if (!check_object(p, o, path))
                return;
        get_limit(p, o, path, "limit", &l->memory_max);
        get_limit(p, o, path, "reservation", &l->memory_high);
        uint64_t swap = BOX_LIMIT_UNSET;
        get_limit(p, o, path, "swap", &swap);
        if (swap != BOX_LIMIT_UNSET) {
                if (l->memory_max == BOX_LIMIT_UNSET)
                        bad(p, "linux.resources.memory.swap", "needs limit as well");
                else if (swap < l->memory_max)
                        bad(p, "linux.resources.memory.swap",
                            "%llu is below limit: swap is memory plus swap",
                            (unsigned long long)swap);
                else
                        l->memory_swap_max = swap - l->memory_max;
        }
        uint64_t sw;
        if (get_u64(p, o, path, "swappiness", 100, &sw))
                l->memory_swappiness1 = sw + 1;
        (void)get_bool(p, o, path, "disableOOMKiller", &l->oom_kill_disable);
        bool hier = true;
        if (get_bool(p, o, path, "useHierarchy", &hier) && !hier)
                bad(p, "linux.resources.memory.useHierarchy",
                    "false is not supported: the kernel always uses the hierarchy");
        bool check;
        (void)get_bool(p, o, path, "checkBeforeUpdate", &check);
}

static void parse_cpu(struct parser *p, struct json_object *o)
{
        const char *path = "linux.resources.cpu";
        struct box_limits *l = &p->c->limits;
        if (!check_object(p, o, path))
                return;
        uint64_t shares;
        if (get_u64(p, o, path, "shares", 262144, &shares)) {
                if (shares < 2)
                        bad(p, "linux.resources.cpu.shares", "below 2");
                else
                        l->cpu_shares = shares;
        }
        uint64_t period = BOX_LIMIT_UNSET;
        if (get_u64(p, o, path, "period", 1000000, &period)) {
                if (period < 1000)
                        bad(p, "linux.resources.cpu.period", "below 1000 (1 ms)");
                else
                        l->cpu_period_usec = period;
        }
        int64_t quota;
        if (get_i64(p, o, path, "quota", -1, INT64_MAX, &quota) && quota > 0) {
                uint64_t per = period != BOX_LIMIT_UNSET ? period : 100000;
                if (quota < 1000)
                        bad(p, "linux.resources.cpu.quota", "below 1000 (1 ms)");
                else if ((uint64_t)quota * 1000000 % per != 0)
                        bad(p, "linux.resources.cpu.quota",
                            "%lld for a period of %llu is not a whole number of millionths of a "
                            "CPU",
                            (long long)quota, (unsigned long long)per);
                else
                        l->cpu_quota_ppm = (uint64_t)quota * 1000000 / per;
        }
        (void)get_u64(p, o, path, "burst", UINT32_MAX, &l->cpu_burst_usec);
        int64_t rt;
        if (get_i64(p, o, path, "realtimeRuntime", -1, INT64_MAX, &rt) && rt >= 0)
                l->cpu_rt_runtime1 = (uint64_t)rt + 1;
        (void)get_u64(p, o, path, "realtimePeriod", UINT32_MAX, &l->cpu_rt_period_usec);
        _cleanup_free_ char *cpus = NULL, *mems = NULL;
        if (get_str(p, o, path, "cpus", &cpus) && *cpus &&
            parse_cpu_list(cpus, &l->cpuset_cpus) < 0)
                bad(p, "linux.resources.cpu.cpus", "'%s' is not a CPU list", cpus);
        if (get_str(p, o, path, "mems", &mems) && *mems &&
            parse_cpu_list(mems, &l->cpuset_mems) < 0)
                bad(p, "linux.resources.cpu.mems", "'%s' is not a node list", mems);
        (void)get_i64(p, o, path, "idle", 0, 1, &l->cpu_idle);
}

static void parse_throttle(struct parser *p, struct json_object *o, const char *key, size_t off)
{
        struct box_limits *l = &p->c->limits;
        size_t n;
        char path[128];
        snprintf(path, sizeof(path), "linux.resources.blockIO.%s", key);
        struct json_object *a = get_array(p, o, "linux.resources.blockIO", key, &n);
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX(path, i);
                struct json_object *e = json_object_array_get_idx(a, i);
                int64_t ma, mi;
                uint64_t rate;
                if (!check_object(p, e, ep) || !require(p, e, ep, "major") ||
                    !require(p, e, ep, "minor") || !require(p, e, ep, "rate") ||
                    !get_i64(p, e, ep, "major", 0, 4095, &ma) ||
                    !get_i64(p, e, ep, "minor", 0, 1048575, &mi) ||
                    !get_u64(p, e, ep, "rate", UINT64_MAX - 1, &rate))
                        continue;
                struct box_io_limit *io = NULL;
                for (size_t k = 0; k < l->n_io && !io; k++)
                        if (l->io[k].major == ma && l->io[k].minor == mi)
                                io = &l->io[k];
                if (!io) {
                        l->io = xrealloc(l->io, (l->n_io + 1) * sizeof(*l->io));
                        io = &l->io[l->n_io++];
                        *io = (struct box_io_limit){.major = (unsigned)ma, .minor = (unsigned)mi};
                }
                *(uint64_t *)((char *)io + off) = rate;
        }
}

static void parse_blockio(struct parser *p, struct json_object *o)
{
        const char *path = "linux.resources.blockIO";
        struct box_limits *l = &p->c->limits;
        if (!check_object(p, o, path))
                return;
        uint64_t w;
        if (get_u64(p, o, path, "weight", 1000, &w)) {
                if (w < 10)
                        bad(p, "linux.resources.blockIO.weight", "below 10");
                else /* the v2 scale, as the .box IOWeight= */
                        l->io_weight = 1 + (w - 10) * 9999 / 990;
        }
        size_t n;
        struct json_object *a = get_array(p, o, path, "weightDevice", &n);
        l->io_weights = xcalloc(n ? n : 1, sizeof(*l->io_weights));
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.resources.blockIO.weightDevice", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                int64_t ma, mi;
                if (!check_object(p, e, ep) || !require(p, e, ep, "major") ||
                    !require(p, e, ep, "minor") || !get_i64(p, e, ep, "major", 0, 4095, &ma) ||
                    !get_i64(p, e, ep, "minor", 0, 1048575, &mi))
                        continue;
                struct box_io_weight_device *d = &l->io_weights[l->n_io_weights++];
                *d = (struct box_io_weight_device){.major = (unsigned)ma, .minor = (unsigned)mi};
                if (get_u64(p, e, ep, "weight", 1000, &d->weight) && d->weight < 10)
                        bad(p, SUB(ep, "weight"), "below 10");
        }
        parse_throttle(p, o, "throttleReadBpsDevice", offsetof(struct box_io_limit, rbps));
        parse_throttle(p, o, "throttleWriteBpsDevice", offsetof(struct box_io_limit, wbps));
        parse_throttle(p, o, "throttleReadIOPSDevice", offsetof(struct box_io_limit, riops));
        parse_throttle(p, o, "throttleWriteIOPSDevice", offsetof(struct box_io_limit, wiops));
}

static void parse_resources(struct parser *p, struct json_object *o)
{
        const char *path = "linux.resources";
        struct box_limits *l = &p->c->limits;
        if (!check_object(p, o, path))
                return;
        parse_dev_rules(p, o);
        struct json_object *v;
        if ((v = get(o, "memory")))
                parse_memory(p, v);
        if ((v = get(o, "cpu")))
                parse_cpu(p, v);
        if ((v = get(o, "pids")) && check_object(p, v, "linux.resources.pids")) {
                int64_t lim;
                if (require(p, v, "linux.resources.pids", "limit") &&
                    get_i64(p, v, "linux.resources.pids", "limit", -1, INT64_MAX, &lim))
                        l->tasks_max = lim > 0 ? (uint64_t)lim : BOX_LIMIT_UNSET;
        }
        if ((v = get(o, "blockIO")))
                parse_blockio(p, v);
        size_t n;
        struct json_object *a = get_array(p, o, path, "hugepageLimits", &n);
        l->hugepages = xcalloc(n ? n : 1, sizeof(*l->hugepages));
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.resources.hugepageLimits", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                struct box_hugepage_limit h = {0};
                if (!check_object(p, e, ep) || !require(p, e, ep, "pageSize") ||
                    !require(p, e, ep, "limit") || !get_str(p, e, ep, "pageSize", &h.page_size) ||
                    !get_u64(p, e, ep, "limit", UINT64_MAX - 1, &h.limit)) {
                        free(h.page_size);
                        continue;
                }
                size_t k = strspn(h.page_size, "0123456789");
                if (k == 0 || !(streq(h.page_size + k, "KB") || streq(h.page_size + k, "MB") ||
                                streq(h.page_size + k, "GB"))) {
                        bad(p, SUB(ep, "pageSize"), "'%s' is not like 2MB", h.page_size);
                        free(h.page_size);
                        continue;
                }
                l->hugepages[l->n_hugepages++] = h;
        }
        if ((v = get(o, "unified")) && check_object(p, v, "linux.resources.unified")) {
                json_object_object_foreach(v, key, val)
                {
                        const char *kp = SUB("linux.resources.unified", key);
                        if (!json_object_is_type(val, json_type_string)) {
                                bad(p, kp, "not a string");
                                continue;
                        }
                        if (!*key || strchr(key, '/') || key[0] == '.' || !strchr(key, '.')) {
                                bad(p, kp, "not a cgroup file name like memory.high");
                                continue;
                        }
                        strv_push(&l->unified,
                                  xasprintf("%s=%s", key, json_object_get_string(val)));
                }
        }
}

static const struct {
        const char *name;
        uint32_t action;
} seccomp_actions[] = {
        {"SCMP_ACT_KILL", BOX_SCMP_KILL},
        {"SCMP_ACT_KILL_THREAD", BOX_SCMP_KILL_THREAD},
        {"SCMP_ACT_KILL_PROCESS", BOX_SCMP_KILL_PROCESS},
        {"SCMP_ACT_TRAP", BOX_SCMP_TRAP},
        {"SCMP_ACT_ERRNO", BOX_SCMP_ERRNO},
        {"SCMP_ACT_TRACE", BOX_SCMP_TRACE},
        {"SCMP_ACT_ALLOW", BOX_SCMP_ALLOW},
        {"SCMP_ACT_LOG", BOX_SCMP_LOG},
        {"SCMP_ACT_NOTIFY", BOX_SCMP_NOTIFY},
};

/* An action with its errno (errnoRet, else the default: EPERM); false if bad (logged). */
static bool parse_action(struct parser *p, struct json_object *o, const char *path, const char *key,
                         const char *errkey, uint32_t def_errno, uint32_t *ret)
{
        _cleanup_free_ char *s = NULL;
        if (!require(p, o, path, key) || !get_str(p, o, path, key, &s))
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(seccomp_actions); i++) {
                if (!streq(s, seccomp_actions[i].name))
                        continue;
                uint32_t a = seccomp_actions[i].action;
                if (a == BOX_SCMP_NOTIFY) {
                        bad(p, SUB(path, key),
                            "SCMP_ACT_NOTIFY is not supported (no seccomp user notification "
                            "listener)");
                        return false;
                }
                uint64_t e = def_errno;
                if (get(o, errkey)) {
                        if (!get_u64(p, o, path, errkey, 0xffff, &e))
                                return false;
                        if (a != BOX_SCMP_ERRNO && a != BOX_SCMP_TRACE)
                                bad(p, SUB(path, errkey),
                                    "only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
                }
                if (a == BOX_SCMP_ERRNO || a == BOX_SCMP_TRACE)
                        a |= (uint32_t)(a == BOX_SCMP_TRACE && !get(o, errkey) ? 0 : e);
                *ret = a;
                return true;
        }
        bad(p, SUB(path, key), "unknown action '%s'", s);
        return false;
}

static void parse_seccomp(struct parser *p, struct json_object *o)
{
        const char *path = "linux.seccomp";
        struct box_seccomp *s = &p->c->seccomp;
        s->enabled = true;
        s->literal = true;
        if (!check_object(p, o, path))
                return;
        uint64_t def_errno = EPERM;
        if (get(o, "defaultErrnoRet"))
                (void)get_u64(p, o, path, "defaultErrnoRet", 0xffff, &def_errno);
        (void)parse_action(p, o, path, "defaultAction", "defaultErrnoRet", EPERM,
                           &s->default_action);
        static const char *const arch_ok[] = {
                "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",
                "SCMP_ARCH_ARM",      "SCMP_ARCH_AARCH64",     "SCMP_ARCH_MIPS",
                "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
                "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
                "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_S390",
                "SCMP_ARCH_S390X",    "SCMP_ARCH_PARISC",      "SCMP_ARCH_PARISC64",
                "SCMP_ARCH_RISCV64",  "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
                "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB"};
        if (get_strv(p, o, path, "architectures", &s->arches))
                for (size_t i = 0; s->arches[i]; i++)
                        if (lookup(s->arches[i], arch_ok, ARRAY_SIZE(arch_ok)) < 0)
                                bad(p, IDX("linux.seccomp.architectures", i),
                                    "unknown architecture '%s'", s->arches[i]);
        static const char *const flags_ok[] = {
                "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
        if (get_strv(p, o, path, "flags", &s->flags))
                for (size_t i = 0; s->flags[i]; i++)
                        if (lookup(s->flags[i], flags_ok, ARRAY_SIZE(flags_ok)) < 0)
                                bad(p, IDX("linux.seccomp.flags", i), "unknown flag '%s'",
                                    s->flags[i]);
        static const char *const ops[] = {NULL,          "SCMP_CMP_NE",       "SCMP_CMP_LT",
                                          "SCMP_CMP_LE", "SCMP_CMP_EQ",       "SCMP_CMP_GE",
                                          "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
        size_t n;
        struct json_object *a = get_array(p, o, path, "syscalls", &n);
        s->rules = xcalloc(n ? n : 1, sizeof(*s->rules));
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.seccomp.syscalls", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                struct box_seccomp_rule *r = &s->rules[s->n_rules++];
                if (!check_object(p, e, ep))
                        continue;
                if (!require(p, e, ep, "names") || !get_strv(p, e, ep, "names", &r->names))
                        continue;
                if (!r->names[0])
                        bad(p, SUB(ep, "names"), "empty");
                (void)parse_action(p, e, ep, "action", "errnoRet", (uint32_t)def_errno, &r->action);
                size_t na;
                struct json_object *args = get_array(p, e, ep, "args", &na);
                r->args = xcalloc(na ? na : 1, sizeof(*r->args));
                for (size_t k = 0; k < na; k++) {
                        const char *ap = IDX(SUB(ep, "args"), k);
                        struct json_object *g = json_object_array_get_idx(args, k);
                        struct box_seccomp_arg *sa = &r->args[r->n_args++];
                        _cleanup_free_ char *op = NULL;
                        if (!check_object(p, g, ap) || !require(p, g, ap, "index") ||
                            !require(p, g, ap, "value") || !require(p, g, ap, "op") ||
                            !get_u32(p, g, ap, "index", &sa->index) ||
                            !get_u64(p, g, ap, "value", UINT64_MAX, &sa->value) ||
                            !get_str(p, g, ap, "op", &op))
                                continue;
                        (void)get_u64(p, g, ap, "valueTwo", UINT64_MAX, &sa->value_two);
                        if (sa->index > 5)
                                bad(p, SUB(ap, "index"), "above 5");
                        int k2 = lookup(op, ops, ARRAY_SIZE(ops));
                        if (k2 < 0)
                                bad(p, SUB(ap, "op"), "unknown operator '%s'", op);
                        else
                                sa->op = (uint32_t)k2;
                }
        }
}

static void parse_linux(struct parser *p, struct json_object *lx)
{
        struct box_config *c = p->c;
        bool have[_BOX_NS_MAX] = {0};
        if (!lx) {
                bad(p, "linux", "required");
                return;
        }
        if (!check_object(p, lx, "linux"))
                return;
        parse_namespaces(p, lx, have);
        parse_user_ns(p, lx, have);
        struct json_object *v;
        if ((v = get(lx, "sysctl")) && check_object(p, v, "linux.sysctl")) {
                size_t n = (size_t)json_object_object_length(v);
                c->sysctls = xcalloc(n ? n : 1, sizeof(*c->sysctls));
                json_object_object_foreach(v, key, val)
                {
                        const char *kp = SUB("linux.sysctl", key);
                        if (!json_object_is_type(val, json_type_string)) {
                                bad(p, kp, "not a string");
                                continue;
                        }
                        if (!*key || strchr(key, '/') || strstr(key, "..") || key[0] == '.') {
                                bad(p, kp, "not a sysctl name");
                                continue;
                        }
                        c->sysctls[c->n_sysctls++] = (struct box_sysctl){
                                xstrdup(key), xstrdup(json_object_get_string(val))};
                }
        }
        if ((v = get(lx, "resources")))
                parse_resources(p, v);
        _cleanup_free_ char *cg = NULL;
        if (get_str(p, lx, "linux", "cgroupsPath", &cg) && *cg) {
                if (strstr(cg, "..") ||
                    (cg[0] != '/' && strchr(cg, ':') && strchr(strchr(cg, ':') + 1, ':') == NULL))
                        bad(p, "linux.cgroupsPath", "'%s' is neither a path nor slice:prefix:name",
                            cg);
                else
                        c->limits.path = TAKE_PTR(cg);
        }
        parse_devices(p, lx);
        if ((v = get(lx, "seccomp")))
                parse_seccomp(p, v);
        else
                c->seccomp.enabled = false; /* OCI: no seccomp object, no filter */
        _cleanup_free_ char *prop = NULL;
        if (get_str(p, lx, "linux", "rootfsPropagation", &prop) && *prop) {
                c->rootfs_propagation = propagation_from(prop);
                if (!c->rootfs_propagation)
                        bad(p, "linux.rootfsPropagation",
                            "'%s' is not shared, slave, private or "
                            "unbindable",
                            prop);
        }
        c->mask_paths = NULL;
        if (get_strv(p, lx, "linux", "maskedPaths", &c->mask_paths))
                for (size_t i = 0; c->mask_paths[i]; i++)
                        if (c->mask_paths[i][0] != '/')
                                bad(p, IDX("linux.maskedPaths", i), "'%s' is not absolute",
                                    c->mask_paths[i]);
        if (get_strv(p, lx, "linux", "readonlyPaths", &c->read_only_paths))
                for (size_t i = 0; c->read_only_paths[i]; i++)
                        if (c->read_only_paths[i][0] != '/')
                                bad(p, IDX("linux.readonlyPaths", i), "'%s' is not absolute",
                                    c->read_only_paths[i]);
        if (get_str(p, lx, "linux", "mountLabel", &c->mount_label) && !*c->mount_label)
                FREE_AND_NULL(c->mount_label);
        if ((v = get(lx, "personality")) && check_object(p, v, "linux.personality")) {
                _cleanup_free_ char *dom = NULL;
                if (require(p, v, "linux.personality", "domain") &&
                    get_str(p, v, "linux.personality", "domain", &dom)) {
                        if (streq(dom, "LINUX"))
                                c->personality = PER_LINUX;
                        else if (streq(dom, "LINUX32"))
                                c->personality = PER_LINUX32;
                        else
                                bad(p, "linux.personality.domain", "'%s' is not LINUX or LINUX32",
                                    dom);
                }
        }
        if ((v = get(lx, "memoryPolicy")) && check_object(p, v, "linux.memoryPolicy")) {
                static const char *const modes[] = {"MPOL_DEFAULT",
                                                    "MPOL_PREFERRED",
                                                    "MPOL_BIND",
                                                    "MPOL_INTERLEAVE",
                                                    "MPOL_LOCAL",
                                                    "MPOL_PREFERRED_MANY",
                                                    "MPOL_WEIGHTED_INTERLEAVE"};
                static const struct {
                        const char *name;
                        unsigned flag;
                } mflags[] = {{"MPOL_F_NUMA_BALANCING", 1u << 13},
                              {"MPOL_F_RELATIVE_NODES", 1u << 14},
                              {"MPOL_F_STATIC_NODES", 1u << 15}};
                const char *mp = "linux.memoryPolicy";
                _cleanup_free_ char *mode = NULL, *nodes = NULL;
                if (require(p, v, mp, "mode") && get_str(p, v, mp, "mode", &mode)) {
                        int k = lookup(mode, modes, ARRAY_SIZE(modes));
                        if (k < 0)
                                bad(p, "linux.memoryPolicy.mode", "unknown mode '%s'", mode);
                        else
                                c->mempolicy_mode1 = k + 1;
                }
                if (get_str(p, v, mp, "nodes", &nodes) && *nodes &&
                    parse_cpu_list(nodes, &c->mempolicy_nodes) < 0)
                        bad(p, "linux.memoryPolicy.nodes", "'%s' is not a node list", nodes);
                _cleanup_strv_ char **fl = NULL;
                if (get_strv(p, v, mp, "flags", &fl))
                        for (size_t i = 0; fl[i]; i++) {
                                bool ok = false;
                                for (size_t k = 0; k < ARRAY_SIZE(mflags); k++)
                                        if (streq(fl[i], mflags[k].name)) {
                                                c->mempolicy_flags |= mflags[k].flag;
                                                ok = true;
                                        }
                                if (!ok)
                                        bad(p, IDX("linux.memoryPolicy.flags", i),
                                            "unknown flag '%s'", fl[i]);
                        }
        }
        if ((v = get(lx, "timeOffsets")) && check_object(p, v, "linux.timeOffsets")) {
                static const char *const clocks[] = {"monotonic", "boottime"};
                json_object_object_foreach(v, key, val)
                {
                        const char *kp = SUB("linux.timeOffsets", key);
                        int k = lookup(key, clocks, 2);
                        if (k < 0) {
                                bad(p, kp, "not monotonic or boottime");
                                continue;
                        }
                        if (!check_object(p, val, kp))
                                continue;
                        int64_t secs = 0;
                        uint64_t ns = 0;
                        (void)get_i64(p, val, kp, "secs", INT64_MIN / 2, INT64_MAX / 2, &secs);
                        (void)get_u64(p, val, kp, "nanosecs", 999999999, &ns);
                        c->time_offset_secs[k] = secs;
                        c->time_offset_nsecs[k] = (uint32_t)ns;
                        c->time_offsets_set = true;
                }
                if (c->time_offsets_set && !have[BOX_NS_TIME])
                        bad(p, "linux.timeOffsets", "needs a new time namespace");
        }
}

/* ---- the whole file ---------------------------------------------------------------------- */

static void parse_root(struct parser *p, struct json_object *o)
{
        struct box_config *c = p->c;
        if (!o) {
                bad(p, "root", "required");
                return;
        }
        if (!check_object(p, o, "root"))
                return;
        _cleanup_free_ char *path = NULL;
        if (require(p, o, "root", "path") && get_str(p, o, "root", "path", &path)) {
                _cleanup_free_ char *full = bundle_path(p, path);
                char real[PATH_MAX];
                free(c->root);
                /* Resolved now, on the host: the launch opens it once, by this path. */
                c->root = xstrdup(realpath(full, real) ? real : full);
        }
        (void)get_bool(p, o, "root", "readonly", &c->read_only);
}

static int parse(struct parser *p, struct json_object *o)
{
        struct box_config *c = p->c;
        if (!check_object(p, o, ""))
                return -EINVAL;
        _cleanup_free_ char *version = NULL;
        if (require(p, o, "", "ociVersion") && get_str(p, o, "", "ociVersion", &version) &&
            strncmp(version, "1.", 2) != 0)
                bad(p, "ociVersion", "'%s' is not a 1.x version", version);
        c->api_listed = true;
        c->init = BOX_NO; /* the payload is PID 1, as the spec's process */
        c->no_new_privileges = BOX_NO;
        parse_root(p, get(o, "root"));
        parse_process(p, get(o, "process"));
        parse_mounts(p, o);
        parse_hooks(p, get(o, "hooks"));
        parse_linux(p, get(o, "linux"));
        (void)get_str(p, o, "", "hostname", &c->hostname);
        (void)get_str(p, o, "", "domainname", &c->domainname);
        if (c->hostname && *c->hostname && !c->ns_uts && !c->ns_join[BOX_NS_UTS])
                bad(p, "hostname", "needs a new uts namespace in linux.namespaces");
        if (c->domainname && *c->domainname && !c->ns_uts && !c->ns_join[BOX_NS_UTS])
                bad(p, "domainname", "needs a new uts namespace in linux.namespaces");
        if (c->hostname && !*c->hostname)
                FREE_AND_NULL(c->hostname);
        if (c->domainname && !*c->domainname)
                FREE_AND_NULL(c->domainname);
        if (!c->hostname && c->ns_uts) {
                /* A new UTS namespace starts with the host's name; validation would name it
                 * after the box. */
                char host[256] = "";
                (void)gethostname(host, sizeof(host) - 1);
                c->hostname = xstrdup(host);
        }
        struct json_object *v;
        if ((v = get(o, "annotations")) && check_object(p, v, "annotations")) {
                json_object_object_foreach(v, key, val)
                {
                        if (!json_object_is_type(val, json_type_string))
                                bad(p, SUB("annotations", key), "not a string");
                        else
                                strv_push(&c->annotations,
                                          xasprintf("%s=%s", key, json_object_get_string(val)));
                        /* boxlaunch's stub init as PID 1 (reaping, signal forwarding), as
                         * podman's --init does with catatonit. */
                        if (streq(key, "io.boxlaunch.init") &&
                            json_object_is_type(val, json_type_string))
                                c->init =
                                        streq(json_object_get_string(val), "1") ? BOX_YES : BOX_NO;
                }
        }
        return p->errors ? -EINVAL : 0;
}

int oci_spec_load_string(const char *json, const char *what, const char *bundle_dir,
                         struct box_config *c)
{
        struct parser p = {.c = c, .what = what, .bundle = bundle_dir};
        enum json_tokener_error je;
        struct json_tokener *tok = json_tokener_new();
        struct json_object *o = json_tokener_parse_ex(tok, json, (int)strlen(json));
        je = json_tokener_get_error(tok);
        if (!o || je != json_tokener_success) {
                log_error("%s: invalid JSON at byte %zu: %s", what, json_tokener_get_parse_end(tok),
                          json_tokener_error_desc(je));
                json_object_put(o);
                json_tokener_free(tok);
                return -EINVAL;
        }
        json_tokener_free(tok);
        free(c->source_file);
        c->source_file = xstrdup(what);
        c->frontend = &oci_frontend;
        if (!c->name && bundle_dir) {
                const char *base = strrchr(bundle_dir, '/');
                base = base && base[1] ? base + 1 : bundle_dir;
                if (box_name_valid(base))
                        c->name = xstrdup(base);
        }
        if (!c->name)
                c->name = xstrdup("bundle");
        int r = parse(&p, o);
        json_object_put(o);
        return r;
}

int oci_bundle_load(const char *bundle_dir, struct box_config *c)
{
        char real[PATH_MAX];
        if (!realpath(bundle_dir, real))
                return log_error_errno(-errno, "bundle %s", bundle_dir);
        _cleanup_free_ char *path = xasprintf("%s/config.json", real);
        _cleanup_free_ char *text = NULL;
        int r = read_file_at(AT_FDCWD, path, &text, 16 << 20);
        if (r < 0)
                return log_error_errno(r, "reading %s", path);
        if (strlen(text) == 0) {
                log_error("%s: empty", path);
                return -EINVAL;
        }
        return oci_spec_load_string(text, path, real, c);
}
