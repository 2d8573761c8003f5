/* export.c - a config as the config.json of an OCI bundle (`boxlaunch check --oci`). What the
 * .box front-end leaves implicit is written out: the API file systems, the default masks, the
 * capability sets, the stub init (annotation io.boxlaunch.init). What has no OCI form (Boot=,
 * Ephemeral=, NotifyReady=, the stop signal and timeout) is reported as a warning. Loading the
 * result gives a config that exports to the same text (tests/unit/test_oci_spec.c).
 * This file owns process, mounts, hooks and the whole file; linux.* is export_linux.c. */
#include "frontend/oci/internal.h"

#include "core/names.h"
#include "util/capnames.h"
#include "util/json.h"
#include "util/log.h"

#include <ctype.h>
#include <json-c/json.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>

#ifndef MOUNT_ATTR_RDONLY
#include <linux/mount.h>
#endif

struct json_object *export_str(const char *s)
{
        return json_object_new_string(s);
}

struct json_object *export_strv(char *const *v)
{
        struct json_object *a = json_object_new_array();
        for (char *const *p = v; p && *p; p++)
                json_object_array_add(a, export_str(*p));
        return a;
}

static struct json_object *caps_json(uint64_t m)
{
        struct json_object *a = json_object_new_array();
        for (unsigned i = 0; i < 64; i++) {
                if (!(m & (UINT64_C(1) << i)))
                        continue;
                _cleanup_free_ char *s = caps_to_string(UINT64_C(1) << i);
                for (char *p = s; *p; p++)
                        *p = (char)toupper((unsigned char)*p);
                json_object_array_add(a, export_str(s));
        }
        return a;
}

struct json_object *export_id_maps(const struct box_id_map *m, size_t n)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_new_object();
                ADD(e, "containerID", json_object_new_uint64(m[i].inside));
                ADD(e, "hostID", json_object_new_uint64(m[i].outside));
                ADD(e, "size", json_object_new_uint64(m[i].count));
                json_object_array_add(a, e);
        }
        return a;
}

static bool numeric(const char *s)
{
        return s && *s && strspn(s, "0123456789") == strlen(s);
}

static int export_user(const struct box_config *c, struct json_object *proc)
{
        struct json_object *u = json_object_new_object();
        ADD(proc, "user", u);
        const char *user = c->user ? c->user : "0", *group = c->group;
        if (streq(user, "root"))
                user = "0";
        if (!numeric(user) || (group && !numeric(group) && !streq(group, "root"))) {
                log_error("%s: config.json names users and groups by number; give numbers to "
                          "export this box",
                          BOX_WHERE(c, numeric(user) ? BOX_F_GROUP : BOX_F_USER, NULL, 0));
                return -EINVAL;
        }
        ADD(u, "uid", json_object_new_uint64(strtoull(user, NULL, 10)));
        ADD(u, "gid",
            json_object_new_uint64(group && numeric(group) ? strtoull(group, NULL, 10)
                                   : group                 ? 0
                                                           : strtoull(user, NULL, 10)));
        if (c->umask >= 0)
                ADD(u, "umask", json_object_new_int(c->umask));
        struct json_object *g = json_object_new_array();
        for (char **p = c->supplementary_groups; p && *p; p++) {
                if (!numeric(*p)) {
                        log_error("%s: %s is not a number; config.json names groups by number",
                                  BOX_WHERE(c, BOX_F_SUPPLEMENTARY_GROUPS, NULL, 0), *p);
                        json_object_put(g);
                        return -EINVAL;
                }
                json_object_array_add(g, json_object_new_uint64(strtoull(*p, NULL, 10)));
        }
        if (json_object_array_length(g))
                ADD(u, "additionalGids", g);
        else
                json_object_put(g);
        return 0;
}

static const char *sched_name(int policy)
{
        static const char n[][15] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                                     "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE"};
        return policy >= 0 && policy < (int)ARRAY_SIZE(n) ? n[policy] : "SCHED_OTHER";
}

/* Long: one field of process after another, in the spec's order; a split would scatter them. */
static int export_process(const struct box_config *c, struct json_object *root)
{
        struct json_object *p = json_object_new_object();
        ADD(root, "process", p);
        ADD(p, "terminal",
            json_object_new_boolean(c->console == BOX_CONSOLE_INTERACTIVE ||
                                    c->console == BOX_CONSOLE_READ_ONLY));
        if (c->console_height || c->console_width) {
                struct json_object *s = json_object_new_object();
                ADD(s, "height", json_object_new_uint64(c->console_height));
                ADD(s, "width", json_object_new_uint64(c->console_width));
                ADD(p, "consoleSize", s);
        }
        int r = export_user(c, p);
        if (r < 0)
                return r;
        static char *const sh[] = {"/bin/sh", NULL};
        ADD(p, "args", export_strv(c->argv ? c->argv : sh));
        if (c->process_exact) {
                ADD(p, "env", export_strv(c->env));
        } else {
                /* What the launch gives a .box payload besides its Environment=. */
                struct json_object *e = export_strv(NULL);
                json_object_array_add(e, export_str("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                                                    "/usr/bin:/sbin:/bin"));
                json_object_array_add(e, export_str("container=boxlaunch"));
                for (char **q = c->env; q && *q; q++)
                        json_object_array_add(e, export_str(*q));
                ADD(p, "env", e);
        }
        ADD(p, "cwd", export_str(c->cwd ? c->cwd : "/"));
        struct json_object *caps = json_object_new_object();
        const struct box_caps *k = &c->caps;
        if (k->sets_given) {
                ADD(caps, "bounding", caps_json(k->bounding));
                ADD(caps, "effective", caps_json(k->effective));
                ADD(caps, "inheritable", caps_json(k->inheritable));
                ADD(caps, "permitted", caps_json(k->permitted));
                ADD(caps, "ambient", caps_json(k->ambient));
        } else {
                uint64_t m = box_config_caps(c);
                /* As launch/caps.c applies them: everything to root, only the ambient ones to
                 * another user. */
                bool is_root = !c->user || streq(c->user, "0") || streq(c->user, "root");
                ADD(caps, "bounding", caps_json(m));
                ADD(caps, "effective", caps_json(is_root ? m : k->ambient & m));
                ADD(caps, "inheritable", caps_json(k->ambient & m));
                ADD(caps, "permitted", caps_json(is_root ? m : k->ambient & m));
                ADD(caps, "ambient", caps_json(k->ambient & m));
        }
        ADD(p, "capabilities", caps);
        struct json_object *rl = json_object_new_array();
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                if (!c->rlimits[i].set)
                        continue;
                struct json_object *e = json_object_new_object();
                ADD(e, "type", export_str(box_rlimit_name(i)));
                ADD(e, "hard", json_object_new_uint64(c->rlimits[i].value.rlim_max));
                ADD(e, "soft", json_object_new_uint64(c->rlimits[i].value.rlim_cur));
                json_object_array_add(rl, e);
        }
        ADD(p, "rlimits", rl);
        ADD(p, "noNewPrivileges", json_object_new_boolean(box_config_no_new_privs(c)));
        if (c->apparmor_profile)
                ADD(p, "apparmorProfile", export_str(c->apparmor_profile));
        if (c->oom_score_adj_set)
                ADD(p, "oomScoreAdj", json_object_new_int(c->oom_score_adj));
        if (c->sched.set) {
                struct json_object *s = json_object_new_object();
                ADD(s, "policy", export_str(sched_name(c->sched.policy)));
                ADD(s, "nice", json_object_new_int(c->sched.nice));
                ADD(s, "priority", json_object_new_int(c->sched.priority));
                static const char fl[][26] = {
                        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                        "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
                        "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN",
                        "SCHED_FLAG_UTIL_CLAMP_MAX"};
                struct json_object *f = json_object_new_array();
                for (size_t i = 0; i < ARRAY_SIZE(fl); i++)
                        if (c->sched.flags & (UINT64_C(1) << i))
                                json_object_array_add(f, export_str(fl[i]));
                ADD(s, "flags", f);
                ADD(s, "runtime", json_object_new_uint64(c->sched.runtime));
                ADD(s, "deadline", json_object_new_uint64(c->sched.deadline));
                ADD(s, "period", json_object_new_uint64(c->sched.period));
                ADD(p, "scheduler", s);
        }
        if (c->selinux_label)
                ADD(p, "selinuxLabel", export_str(c->selinux_label));
        if (c->ioprio_class > 0) {
                static const char cls[][18] = {"", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                               "IOPRIO_CLASS_IDLE"};
                struct json_object *s = json_object_new_object();
                ADD(s, "class", export_str(cls[c->ioprio_class & 3]));
                ADD(s, "priority", json_object_new_int(c->ioprio_level));
                ADD(p, "ioPriority", s);
        }
        if (c->cpu_affinity || c->cpu_affinity_initial) {
                struct json_object *s = json_object_new_object();
                if (c->cpu_affinity_initial)
                        ADD(s, "initial", export_str(c->cpu_affinity_initial));
                if (c->cpu_affinity)
                        ADD(s, "final", export_str(c->cpu_affinity));
                ADD(p, "execCPUAffinity", s);
        }
        return 0;
}

static void opt_add(struct json_object *o, const char *s)
{
        json_object_array_add(o, export_str(s));
}

/* Long: every mount field and option word in one place, as spec_mounts.c reads them. */
static void export_mount(const struct box_mount *m, struct json_object *a)
{
        static const struct {
                unsigned long flag;
                const char *name;
        } flags[] = {{MS_RDONLY, "ro"},
                     {MS_NOEXEC, "noexec"},
                     {MS_NOATIME, "noatime"},
                     {MS_NODIRATIME, "nodiratime"},
                     {MS_RELATIME, "relatime"},
                     {MS_STRICTATIME, "strictatime"},
                     {MS_NOSYMFOLLOW, "nosymfollow"}};
        static const struct {
                uint64_t attr;
                const char *set, *clr;
        } rec[] = {{MOUNT_ATTR_RDONLY, "rro", "rrw"},
                   {MOUNT_ATTR_NOSUID, "rnosuid", "rsuid"},
                   {MOUNT_ATTR_NODEV, "rnodev", "rdev"},
                   {MOUNT_ATTR_NOEXEC, "rnoexec", "rexec"},
                   {MOUNT_ATTR_NODIRATIME, "rnodiratime", "rdiratime"},
                   {MOUNT_ATTR_NOSYMFOLLOW, "rnosymfollow", "rsymfollow"}};
        static const struct {
                unsigned long flags;
                const char *name;
        } props[] = {{MS_PRIVATE, "private"},       {MS_PRIVATE | MS_REC, "rprivate"},
                     {MS_SHARED, "shared"},         {MS_SHARED | MS_REC, "rshared"},
                     {MS_SLAVE, "slave"},           {MS_SLAVE | MS_REC, "rslave"},
                     {MS_UNBINDABLE, "unbindable"}, {MS_UNBINDABLE | MS_REC, "runbindable"}};
        struct json_object *e = json_object_new_object();
        struct json_object *o = json_object_new_array();
        ADD(e, "destination", export_str(m->target));
        unsigned long f = box_mount_flags(m);
        switch (m->type) {
        case BOX_MOUNT_BIND:
                ADD(e, "type", export_str("bind"));
                ADD(e, "source", export_str(m->source));
                opt_add(o, m->recursive ? "rbind" : "bind");
                break;
        case BOX_MOUNT_TMPFS:
                ADD(e, "type", export_str("tmpfs"));
                ADD(e, "source", export_str("tmpfs"));
                break;
        case BOX_MOUNT_OVERLAY: {
                ADD(e, "type", export_str("overlay"));
                ADD(e, "source", export_str("overlay"));
                _cleanup_free_ char *lower = NULL;
                for (char **l = m->lower; l && *l; l++) {
                        char *n = lower ? xasprintf("%s:%s", lower, *l) : xstrdup(*l);
                        free(lower);
                        lower = n;
                }
                _cleanup_free_ char *lo = xasprintf("lowerdir=%s", lower ? lower : "");
                opt_add(o, lo);
                if (m->upper) {
                        _cleanup_free_ char *u = xasprintf("upperdir=%s", m->upper);
                        _cleanup_free_ char *w = xasprintf("workdir=%s", m->work);
                        opt_add(o, u);
                        opt_add(o, w);
                }
                break;
        }
        case BOX_MOUNT_FS:
                ADD(e, "type", export_str(m->fstype));
                ADD(e, "source", export_str(m->source ? m->source : m->fstype));
                break;
        }
        for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
                if (f & flags[i].flag)
                        opt_add(o, flags[i].name);
        if (m->type == BOX_MOUNT_FS) {
                if (f & MS_NOSUID)
                        opt_add(o, "nosuid");
                if (f & MS_NODEV)
                        opt_add(o, "nodev");
        } else {
                opt_add(o, f & MS_NOSUID ? "nosuid" : "suid");
                opt_add(o, f & MS_NODEV ? "nodev" : "dev");
        }
        for (size_t i = 0; i < ARRAY_SIZE(rec); i++) {
                if (m->rec_attr_set & rec[i].attr)
                        opt_add(o, rec[i].set);
                if (m->rec_attr_clr & rec[i].attr)
                        opt_add(o, rec[i].clr);
        }
        for (size_t i = 0; i < ARRAY_SIZE(props); i++)
                if (m->propagation == props[i].flags)
                        opt_add(o, props[i].name);
        if (m->tmpcopyup)
                opt_add(o, "tmpcopyup");
        if (m->n_uid_map)
                opt_add(o, m->idmap_recursive ? "ridmap" : "idmap");
        if (m->data) {
                _cleanup_free_ char *d = xstrdup(m->data);
                char *save = NULL;
                for (char *w = strtok_r(d, ",", &save); w; w = strtok_r(NULL, ",", &save))
                        opt_add(o, w);
        }
        ADD(e, "options", o);
        if (m->n_uid_map) {
                ADD(e, "uidMappings", export_id_maps(m->uid_map, m->n_uid_map));
                ADD(e, "gidMappings", export_id_maps(m->gid_map, m->n_gid_map));
        }
        json_object_array_add(a, e);
}

static void export_mounts(const struct box_config *c, struct json_object *root)
{
        struct json_object *a = json_object_new_array();
        ADD(root, "mounts", a);
        if (!c->api_listed) {
                /* What launch/rootfs.c and dev.c mount for a .box. */
                const unsigned long api = MS_NOSUID | MS_NODEV | MS_NOEXEC;
                const struct box_mount implicit[] = {
                        {.type = BOX_MOUNT_FS,
                         .fstype = (char *)"proc",
                         .target = (char *)"/proc",
                         .flags = api},
                        {.type = BOX_MOUNT_FS,
                         .fstype = (char *)"sysfs",
                         .target = (char *)"/sys",
                         .flags = api | MS_RDONLY},
                        {.type = BOX_MOUNT_FS,
                         .fstype = (char *)"tmpfs",
                         .target = (char *)"/dev",
                         .flags = MS_NOSUID | MS_NOEXEC,
                         .data = (char *)"mode=0755,size=4m"},
                        {.type = BOX_MOUNT_FS,
                         .fstype = (char *)"devpts",
                         .target = (char *)"/dev/pts",
                         .flags = MS_NOSUID | MS_NOEXEC,
                         .data = (char *)"newinstance,ptmxmode=0666,mode=0620"},
                        {.type = BOX_MOUNT_FS,
                         .fstype = (char *)"tmpfs",
                         .source = (char *)"shm",
                         .target = (char *)"/dev/shm",
                         .flags = MS_NOSUID | MS_NODEV,
                         .data = (char *)"mode=1777,size=64m"},
                        {.type = BOX_MOUNT_FS,
                         .fstype = (char *)"mqueue",
                         .target = (char *)"/dev/mqueue",
                         .flags = api},
                };
                for (size_t i = 0; i < ARRAY_SIZE(implicit) - (c->ns_ipc ? 0 : 1); i++)
                        export_mount(&implicit[i], a);
        }
        for (size_t i = 0; i < c->n_mounts; i++)
                export_mount(&c->mounts[i], a);
}

static void export_hooks(const struct box_config *c, struct json_object *root)
{
        if (!c->n_hooks)
                return;
        struct json_object *h = json_object_new_object();
        ADD(root, "hooks", h);
        for (int s = 0; s < _BOX_HOOK_STAGE_MAX; s++) {
                struct json_object *a = NULL;
                for (size_t i = 0; i < c->n_hooks; i++) {
                        const struct box_hook *k = &c->hooks[i];
                        if ((int)k->stage != s)
                                continue;
                        if (!a) {
                                a = json_object_new_array();
                                ADD(h, box_hook_stage_to_string(k->stage), a);
                        }
                        struct json_object *e = json_object_new_object();
                        ADD(e, "path",
                            export_str(k->path                 ? k->path
                                       : k->argv && k->argv[0] ? k->argv[0]
                                                               : ""));
                        ADD(e, "args", export_strv(k->argv));
                        if (k->env)
                                ADD(e, "env", export_strv(k->env));
                        if (k->timeout_usec)
                                ADD(e, "timeout",
                                    json_object_new_int64(
                                            (int64_t)((k->timeout_usec + 999999) / 1000000)));
                        json_object_array_add(a, e);
                }
        }
}

/* Fields without an OCI form: a warning each. */
static void warn_unexported(const struct box_config *c)
{
        static const struct {
                enum box_field f;
                const char *why;
        } none[] = {{BOX_F_BOOT, "a machine box's set-up (/run/host, its cgroup tree)"},
                    {BOX_F_EPHEMERAL, "the throw-away overlay"},
                    {BOX_F_NOTIFY_READY, "the notify socket"},
                    {BOX_F_KILL_SIGNAL, "the stop signal"},
                    {BOX_F_STOP_TIMEOUT, "the stop timeout"}};
        bool set[] = {c->boot, c->ephemeral, c->notify_ready, c->kill_signal > 0,
                      c->stop_timeout_usec != 10 * 1000000ULL};
        for (size_t i = 0; i < ARRAY_SIZE(none); i++)
                if (set[i] && (c->field_line[none[i].f] || !c->source_file))
                        log_warn("%s: config.json has no place for %s; left out",
                                 BOX_WHERE(c, none[i].f, NULL, 0), none[i].why);
}

int oci_export(const struct box_config *c, FILE *out)
{
        struct json_object *root = json_object_new_object();
        ADD(root, "ociVersion", export_str("1.2.0"));
        int r = export_process(c, root);
        if (r < 0) {
                json_object_put(root);
                return r;
        }
        struct json_object *rt = json_object_new_object();
        ADD(rt, "path", export_str(c->root ? c->root : "rootfs"));
        ADD(rt, "readonly", json_object_new_boolean(c->read_only));
        ADD(root, "root", rt);
        if (c->hostname)
                ADD(root, "hostname", export_str(c->hostname));
        if (c->domainname)
                ADD(root, "domainname", export_str(c->domainname));
        export_mounts(c, root);
        export_hooks(c, root);
        struct json_object *ann = json_object_new_object();
        for (char **p = c->annotations; p && *p; p++) {
                _cleanup_free_ char *k = xstrndup(*p, strcspn(*p, "="));
                const char *v = *p + strlen(k);
                ADD(ann, k, export_str(*v ? v + 1 : ""));
        }
        if (box_config_stub_init(c))
                ADD(ann, "io.boxlaunch.init", export_str("1"));
        if (json_object_object_length(ann))
                ADD(root, "annotations", ann);
        else
                json_object_put(ann);
        export_linux(c, root);
        warn_unexported(c);
        fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                           JSON_C_TO_STRING_SPACED |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE),
              out);
        fputc('\n', out);
        json_object_put(root);
        return ferror(out) ? -EIO : 0;
}
