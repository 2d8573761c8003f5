/* spec.c - config.json (OCI runtime spec 1.0-1.2) into struct box_config, with json-c.
 *
 * Each object's keys are checked against the field table (fields.c) first: a field the table
 * rejects is an error with the table's reason, an unknown property is ignored (the spec's
 * extensibility rule), and the known ones are read below. Every error names the JSON path
 * ("config.json: linux.resources.memory.swap: ...") and parsing goes on, so one run reports them
 * all. This file owns process, root, hostname, hooks and the entry points; the rest of the spec
 * is read by spec_mounts.c, spec_linux.c and spec_seccomp.c (helpers: spec_json.c). */
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

/* ---- process --------------------------------------------------------------------------- */

static void parse_caps(struct parser *p, struct json_object *o, const char *path)
{
        struct box_caps *k = &p->c->caps;
        k->sets_given = true;
        if (!o)
                return; /* no capabilities at all */
        if (!spec_check_object(p, o, path))
                return;
        static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted",
                                           "ambient"};
        uint64_t *masks[] = {&k->bounding, &k->effective, &k->inheritable, &k->permitted,
                             &k->ambient};
        for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
                _cleanup_strv_ char **names = NULL;
                if (!spec_get_strv(p, o, path, sets[s], &names))
                        continue;
                for (size_t i = 0; names[i]; i++) {
                        if (strncmp(names[i], "CAP_", 4) != 0 ||
                            caps_add_name(masks[s], names[i]) < 0)
                                spec_bad(p, IDX(SUB(path, sets[s]), i), "unknown capability '%s'",
                                         names[i]);
                }
        }
}

static void parse_rlimits(struct parser *p, struct json_object *o, const char *path)
{
        size_t n;
        struct json_object *a = spec_get_array(p, o, path, "rlimits", &n);
        const char *ap = SUB(path, "rlimits");
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(a, i);
                const char *ep = IDX(ap, i);
                if (!spec_check_object(p, e, ep))
                        continue;
                _cleanup_free_ char *type = NULL;
                uint64_t soft = 0, hard = 0;
                if (!spec_require(p, e, ep, "type") || !spec_require(p, e, ep, "soft") ||
                    !spec_require(p, e, ep, "hard") || !spec_get_str(p, e, ep, "type", &type) ||
                    !spec_get_u64(p, e, ep, "soft", UINT64_MAX, &soft) ||
                    !spec_get_u64(p, e, ep, "hard", UINT64_MAX, &hard))
                        continue;
                int r = box_rlimit_from_name(type);
                if (r < 0) {
                        spec_bad(p, SUB(ep, "type"), "unknown resource '%s'", type);
                        continue;
                }
                if (p->c->rlimits[r].set) {
                        spec_bad(p, SUB(ep, "type"), "%s given twice", type);
                        continue;
                }
                if (soft > hard) {
                        spec_bad(p, SUB(ep, "soft"), "above the hard limit");
                        continue;
                }
                p->c->rlimits[r] =
                        (struct box_rlimit){.resource = r, .set = true, .value = {soft, hard}};
        }
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
        if (!spec_check_object(p, o, path))
                return;
        struct box_sched *s = &p->c->sched;
        _cleanup_free_ char *policy = NULL;
        if (!spec_require(p, o, path, "policy") || !spec_get_str(p, o, path, "policy", &policy))
                return;
        int k = spec_lookup(policy, policies, ARRAY_SIZE(policies));
        if (k < 0 || k == 4) {
                spec_bad(p, SUB(path, "policy"),
                         k == 4 ? "SCHED_ISO is not in Linux" : "unknown policy '%s'", policy);
                return;
        }
        s->set = true;
        s->policy = k;
        int64_t v;
        if (spec_get_i64(p, o, path, "nice", -20, 19, &v))
                s->nice = (int)v;
        if (spec_get_i64(p, o, path, "priority", 0, 99, &v))
                s->priority = (int)v;
        (void)spec_get_u64(p, o, path, "runtime", UINT64_MAX, &s->runtime);
        (void)spec_get_u64(p, o, path, "deadline", UINT64_MAX, &s->deadline);
        (void)spec_get_u64(p, o, path, "period", UINT64_MAX, &s->period);
        _cleanup_strv_ char **fl = NULL;
        if (spec_get_strv(p, o, path, "flags", &fl))
                for (size_t i = 0; fl[i]; i++) {
                        int f = spec_lookup(fl[i], flags, ARRAY_SIZE(flags));
                        if (f < 0)
                                spec_bad(p, IDX(SUB(path, "flags"), i), "unknown flag '%s'", fl[i]);
                        else
                                s->flags |= UINT64_C(1) << f;
                }
        if ((s->policy == SCHED_FIFO || s->policy == SCHED_RR) && s->priority < 1)
                spec_bad(p, SUB(path, "priority"), "%s needs a priority of 1 to 99", policy);
        if (s->policy != SCHED_FIFO && s->policy != SCHED_RR && s->priority != 0)
                spec_bad(p, SUB(path, "priority"), "must be 0 for %s", policy);
        if (s->policy == 6 &&
            (!s->runtime || s->runtime > s->deadline || (s->period && s->deadline > s->period)))
                spec_bad(p, path, "SCHED_DEADLINE needs runtime <= deadline <= period");
}

static void parse_user(struct parser *p, struct json_object *o, const char *path)
{
        struct box_config *c = p->c;
        if (!spec_check_object(p, o, path))
                return;
        uint32_t uid = 0, gid = 0, um;
        if (spec_require(p, o, path, "uid") && spec_get_u32(p, o, path, "uid", &uid)) {
                free(c->user);
                c->user = xasprintf("%u", uid);
        }
        if (spec_require(p, o, path, "gid") && spec_get_u32(p, o, path, "gid", &gid)) {
                free(c->group);
                c->group = xasprintf("%u", gid);
        }
        if (spec_get_u32(p, o, path, "umask", &um)) {
                if (um > 0777)
                        spec_bad(p, SUB(path, "umask"), "above 0777");
                else
                        c->umask = (int)um;
        }
        size_t n;
        struct json_object *a = spec_get_array(p, o, path, "additionalGids", &n);
        if (n > 64)
                spec_bad(p, "process.user.additionalGids", "more than 64 groups are not supported");
        strv_free(c->supplementary_groups);
        c->supplementary_groups = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0, k = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(a, i);
                if (!json_object_is_type(e, json_type_int) || json_object_get_int64(e) < 0 ||
                    json_object_get_int64(e) > UINT32_MAX) {
                        spec_bad(p, IDX(SUB(path, "additionalGids"), i), "not a group id");
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
                spec_bad(p, path, "required");
                return;
        }
        if (!spec_check_object(p, o, path))
                return;
        c->process_exact = true;
        bool terminal = false;
        (void)spec_get_bool(p, o, path, "terminal", &terminal);
        c->console = terminal ? BOX_CONSOLE_INTERACTIVE : BOX_CONSOLE_PIPE;
        struct json_object *v;
        if ((v = spec_get(o, "consoleSize")) && spec_check_object(p, v, "process.consoleSize")) {
                if (spec_require(p, v, "process.consoleSize", "height"))
                        (void)spec_get_u32(p, v, "process.consoleSize", "height",
                                           &c->console_height);
                if (spec_require(p, v, "process.consoleSize", "width"))
                        (void)spec_get_u32(p, v, "process.consoleSize", "width", &c->console_width);
                if (c->console_height > USHRT_MAX || c->console_width > USHRT_MAX)
                        spec_bad(p, "process.consoleSize", "above 65535");
        }
        if (spec_require(p, o, path, "user"))
                parse_user(p, spec_get(o, "user"), "process.user");
        if (spec_get_strv(p, o, path, "args", &c->argv) && !c->argv[0])
                spec_bad(p, "process.args", "empty");
        if (!c->argv)
                spec_bad(p, "process.args", "required");
        if (spec_get_strv(p, o, path, "env", &c->env))
                for (size_t i = 0; c->env[i]; i++)
                        if (!strchr(c->env[i], '=') || c->env[i][0] == '=')
                                spec_bad(p, IDX("process.env", i), "'%s' is not NAME=VALUE",
                                         c->env[i]);
        if (spec_require(p, o, path, "cwd") && spec_get_str(p, o, path, "cwd", &c->cwd) &&
            c->cwd[0] != '/')
                spec_bad(p, "process.cwd", "'%s' is not absolute", c->cwd);
        parse_caps(p, spec_get(o, "capabilities"), "process.capabilities");
        parse_rlimits(p, o, path);
        bool nnp = false;
        (void)spec_get_bool(p, o, path, "noNewPrivileges", &nnp);
        c->no_new_privileges = nnp ? BOX_YES : BOX_NO;
        if (spec_get_str(p, o, path, "apparmorProfile", &c->apparmor_profile) &&
            !*c->apparmor_profile)
                FREE_AND_NULL(c->apparmor_profile);
        int64_t adj;
        if (spec_get_i64(p, o, path, "oomScoreAdj", -1000, 1000, &adj)) {
                c->oom_score_adj = (int)adj;
                c->oom_score_adj_set = true;
        }
        if ((v = spec_get(o, "scheduler")))
                parse_scheduler(p, v, "process.scheduler");
        if (spec_get_str(p, o, path, "selinuxLabel", &c->selinux_label) && !*c->selinux_label)
                FREE_AND_NULL(c->selinux_label);
        if ((v = spec_get(o, "ioPriority")) && spec_check_object(p, v, "process.ioPriority")) {
                static const char *const classes[] = {NULL, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                                      "IOPRIO_CLASS_IDLE"};
                _cleanup_free_ char *cls = NULL;
                int64_t prio = 0;
                if (spec_require(p, v, "process.ioPriority", "class") &&
                    spec_get_str(p, v, "process.ioPriority", "class", &cls)) {
                        int k = spec_lookup(cls, classes, ARRAY_SIZE(classes));
                        if (k < 0)
                                spec_bad(p, "process.ioPriority.class", "unknown class '%s'", cls);
                        else
                                c->ioprio_class = k;
                }
                if (spec_get_i64(p, v, "process.ioPriority", "priority", 0, 7, &prio))
                        c->ioprio_level = (int)prio;
        }
        if ((v = spec_get(o, "execCPUAffinity")) &&
            spec_check_object(p, v, "process.execCPUAffinity")) {
                _cleanup_free_ char *initial = NULL, *final = NULL;
                if (spec_get_str(p, v, "process.execCPUAffinity", "initial", &initial) &&
                    parse_cpu_list(initial, &c->cpu_affinity_initial) < 0)
                        spec_bad(p, "process.execCPUAffinity.initial", "'%s' is not a CPU list",
                                 initial);
                if (spec_get_str(p, v, "process.execCPUAffinity", "final", &final) &&
                    parse_cpu_list(final, &c->cpu_affinity) < 0)
                        spec_bad(p, "process.execCPUAffinity.final", "'%s' is not a CPU list",
                                 final);
        }
}

/* ---- hooks ------------------------------------------------------------------------------- */

static void parse_hooks(struct parser *p, struct json_object *o)
{
        struct box_config *c = p->c;
        if (!o || !spec_check_object(p, o, "hooks"))
                return;
        /* The spec's order of stages, so that a stage's hooks stay in their order. */
        static const enum box_hook_stage stages[] = {
                BOX_HOOK_PRESTART,        BOX_HOOK_CREATE_RUNTIME, BOX_HOOK_CREATE_CONTAINER,
                BOX_HOOK_START_CONTAINER, BOX_HOOK_POSTSTART,      BOX_HOOK_POSTSTOP};
        for (size_t s = 0; s < ARRAY_SIZE(stages); s++) {
                const char *name = box_hook_stage_to_string(stages[s]);
                size_t n;
                struct json_object *a = spec_get_array(p, o, "hooks", name, &n);
                if (!n)
                        continue;
                c->hooks = xrealloc(c->hooks, (c->n_hooks + n) * sizeof(*c->hooks));
                for (size_t i = 0; i < n; i++) {
                        char hp[64];
                        snprintf(hp, sizeof(hp), "hooks.%s[%zu]", name, i);
                        struct json_object *e = json_object_array_get_idx(a, i);
                        struct box_hook *h = &c->hooks[c->n_hooks++];
                        *h = (struct box_hook){.name = xstrdup(hp), .stage = stages[s]};
                        if (!spec_check_object(p, e, hp))
                                continue;
                        if (spec_require(p, e, hp, "path") &&
                            spec_get_str(p, e, hp, "path", &h->path) && h->path[0] != '/')
                                spec_bad(p, SUB(hp, "path"), "'%s' is not absolute", h->path);
                        if (!spec_get_strv(p, e, hp, "args", &h->argv) || !h->argv[0]) {
                                strv_free(h->argv);
                                h->argv = NULL;
                                if (h->path)
                                        strv_push(&h->argv, xstrdup(h->path));
                        }
                        (void)spec_get_strv(p, e, hp, "env", &h->env);
                        int64_t t;
                        if (spec_get_i64(p, e, hp, "timeout", 1, INT32_MAX, &t))
                                h->timeout_usec = (uint64_t)t * 1000000;
                        else if (spec_get(e, "timeout") == NULL)
                                h->timeout_usec = 0;
                }
        }
}

/* ---- the whole file ---------------------------------------------------------------------- */

static void parse_root(struct parser *p, struct json_object *o)
{
        struct box_config *c = p->c;
        if (!o) {
                spec_bad(p, "root", "required");
                return;
        }
        if (!spec_check_object(p, o, "root"))
                return;
        _cleanup_free_ char *path = NULL;
        if (spec_require(p, o, "root", "path") && spec_get_str(p, o, "root", "path", &path)) {
                _cleanup_free_ char *full = spec_bundle_path(p, path);
                char real[PATH_MAX];
                free(c->root);
                /* Resolved now, on the host: the launch opens it once, by this path. */
                c->root = xstrdup(realpath(full, real) ? real : full);
        }
        (void)spec_get_bool(p, o, "root", "readonly", &c->read_only);
}

static int parse(struct parser *p, struct json_object *o)
{
        struct box_config *c = p->c;
        if (!spec_check_object(p, o, ""))
                return -EINVAL;
        _cleanup_free_ char *version = NULL;
        if (spec_require(p, o, "", "ociVersion") &&
            spec_get_str(p, o, "", "ociVersion", &version) && strncmp(version, "1.", 2) != 0)
                spec_bad(p, "ociVersion", "'%s' is not a 1.x version", version);
        c->api_listed = true;
        c->init = BOX_NO; /* the payload is PID 1, as the spec's process */
        c->no_new_privileges = BOX_NO;
        parse_root(p, spec_get(o, "root"));
        parse_process(p, spec_get(o, "process"));
        spec_parse_mounts(p, o);
        parse_hooks(p, spec_get(o, "hooks"));
        spec_parse_linux(p, spec_get(o, "linux"));
        (void)spec_get_str(p, o, "", "hostname", &c->hostname);
        (void)spec_get_str(p, o, "", "domainname", &c->domainname);
        if (c->hostname && *c->hostname && !c->ns_uts && !c->ns_join[BOX_NS_UTS])
                spec_bad(p, "hostname", "needs a new uts namespace in linux.namespaces");
        if (c->domainname && *c->domainname && !c->ns_uts && !c->ns_join[BOX_NS_UTS])
                spec_bad(p, "domainname", "needs a new uts namespace in linux.namespaces");
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
        if ((v = spec_get(o, "annotations")) && spec_check_object(p, v, "annotations")) {
                json_object_object_foreach(v, key, val)
                {
                        if (!json_object_is_type(val, json_type_string))
                                spec_bad(p, SUB("annotations", key), "not a string");
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
