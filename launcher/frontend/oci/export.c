/* export.c - a config as the config.json of an OCI bundle (`boxlaunch check --oci`). What the
 * .box front-end leaves implicit is written out: the API file systems, the default masks, the
 * capability sets, the stub init (annotation io.boxlaunch.init). What has no OCI form (Boot=,
 * Ephemeral=, NotifyReady=, the stop signal and timeout) is reported as a warning. Loading the
 * result gives a config that exports to the same text (tests/unit/test_oci_spec.c). */
#include "frontend/oci/oci.h"

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

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

static struct json_object *str(const char *s)
{
        return json_object_new_string(s);
}

static struct json_object *strv(char *const *v)
{
        struct json_object *a = json_object_new_array();
        for (char *const *p = v; p && *p; p++)
                json_object_array_add(a, str(*p));
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
                json_object_array_add(a, str(s));
        }
        return a;
}

static struct json_object *id_maps(const struct box_id_map *m, size_t n)
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
        static const char *const n[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                                        "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE"};
        return policy >= 0 && policy < (int)ARRAY_SIZE(n) ? n[policy] : "SCHED_OTHER";
}

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
        ADD(p, "args", strv(c->argv ? c->argv : sh));
        if (c->process_exact) {
                ADD(p, "env", strv(c->env));
        } else {
                /* What the launch gives a .box payload besides its Environment=. */
                struct json_object *e = strv(NULL);
                json_object_array_add(e, str("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                                             "/usr/bin:/sbin:/bin"));
                json_object_array_add(e, str("container=boxlaunch"));
                for (char **q = c->env; q && *q; q++)
                        json_object_array_add(e, str(*q));
                ADD(p, "env", e);
        }
        ADD(p, "cwd", str(c->cwd ? c->cwd : "/"));
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
                ADD(e, "type", str(box_rlimit_name(i)));
                ADD(e, "hard", json_object_new_uint64(c->rlimits[i].value.rlim_max));
                ADD(e, "soft", json_object_new_uint64(c->rlimits[i].value.rlim_cur));
                json_object_array_add(rl, e);
        }
        ADD(p, "rlimits", rl);
        ADD(p, "noNewPrivileges", json_object_new_boolean(box_config_no_new_privs(c)));
        if (c->apparmor_profile)
                ADD(p, "apparmorProfile", str(c->apparmor_profile));
        if (c->oom_score_adj_set)
                ADD(p, "oomScoreAdj", json_object_new_int(c->oom_score_adj));
        if (c->sched.set) {
                struct json_object *s = json_object_new_object();
                ADD(s, "policy", str(sched_name(c->sched.policy)));
                ADD(s, "nice", json_object_new_int(c->sched.nice));
                ADD(s, "priority", json_object_new_int(c->sched.priority));
                static const char *const fl[] = {
                        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                        "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
                        "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN",
                        "SCHED_FLAG_UTIL_CLAMP_MAX"};
                struct json_object *f = json_object_new_array();
                for (size_t i = 0; i < ARRAY_SIZE(fl); i++)
                        if (c->sched.flags & (UINT64_C(1) << i))
                                json_object_array_add(f, str(fl[i]));
                ADD(s, "flags", f);
                ADD(s, "runtime", json_object_new_uint64(c->sched.runtime));
                ADD(s, "deadline", json_object_new_uint64(c->sched.deadline));
                ADD(s, "period", json_object_new_uint64(c->sched.period));
                ADD(p, "scheduler", s);
        }
        if (c->selinux_label)
                ADD(p, "selinuxLabel", str(c->selinux_label));
        if (c->ioprio_class > 0) {
                static const char *const cls[] = {"", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                                  "IOPRIO_CLASS_IDLE"};
                struct json_object *s = json_object_new_object();
                ADD(s, "class", str(cls[c->ioprio_class & 3]));
                ADD(s, "priority", json_object_new_int(c->ioprio_level));
                ADD(p, "ioPriority", s);
        }
        if (c->cpu_affinity || c->cpu_affinity_initial) {
                struct json_object *s = json_object_new_object();
                if (c->cpu_affinity_initial)
                        ADD(s, "initial", str(c->cpu_affinity_initial));
                if (c->cpu_affinity)
                        ADD(s, "final", str(c->cpu_affinity));
                ADD(p, "execCPUAffinity", s);
        }
        return 0;
}

static void opt_add(struct json_object *o, const char *s)
{
        json_object_array_add(o, str(s));
}

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
        ADD(e, "destination", str(m->target));
        unsigned long f = box_mount_flags(m);
        switch (m->type) {
        case BOX_MOUNT_BIND:
                ADD(e, "type", str("bind"));
                ADD(e, "source", str(m->source));
                opt_add(o, m->recursive ? "rbind" : "bind");
                break;
        case BOX_MOUNT_TMPFS:
                ADD(e, "type", str("tmpfs"));
                ADD(e, "source", str("tmpfs"));
                break;
        case BOX_MOUNT_OVERLAY: {
                ADD(e, "type", str("overlay"));
                ADD(e, "source", str("overlay"));
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
                ADD(e, "type", str(m->fstype));
                ADD(e, "source", str(m->source ? m->source : m->fstype));
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
                ADD(e, "uidMappings", id_maps(m->uid_map, m->n_uid_map));
                ADD(e, "gidMappings", id_maps(m->gid_map, m->n_gid_map));
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
                            str(k->path                 ? k->path
                                : k->argv && k->argv[0] ? k->argv[0]
                                                        : ""));
                        ADD(e, "args", strv(k->argv));
                        if (k->env)
                                ADD(e, "env", strv(k->env));
                        if (k->timeout_usec)
                                ADD(e, "timeout",
                                    json_object_new_int64(
                                            (int64_t)((k->timeout_usec + 999999) / 1000000)));
                        json_object_array_add(a, e);
                }
        }
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
        if (v != BOX_LIMIT_UNSET)
                ADD(o, k, json_object_new_uint64(v));
}

static struct json_object *obj_or_null(struct json_object *o)
{
        if (json_object_object_length(o))
                return o;
        json_object_put(o);
        return NULL;
}

static void export_resources(const struct box_config *c, struct json_object *lx)
{
        const struct box_limits *l = &c->limits;
        struct json_object *r = json_object_new_object();
        if (l->dev_rules_given) {
                struct json_object *a = json_object_new_array();
                for (size_t i = 0; i < l->n_dev_rules; i++) {
                        const struct box_dev_rule *d = &l->dev_rules[i];
                        struct json_object *e = json_object_new_object();
                        char t[2] = {d->type, 0};
                        ADD(e, "allow", json_object_new_boolean(d->allow));
                        ADD(e, "type", str(t));
                        if (d->major >= 0)
                                ADD(e, "major", json_object_new_int64(d->major));
                        if (d->minor >= 0)
                                ADD(e, "minor", json_object_new_int64(d->minor));
                        ADD(e, "access", str(d->access));
                        json_object_array_add(a, e);
                }
                ADD(r, "devices", a);
        }
        struct json_object *m = json_object_new_object();
        add_u64(m, "limit", l->memory_max);
        add_u64(m, "reservation", l->memory_high);
        if (l->memory_swap_max != BOX_LIMIT_UNSET && l->memory_max != BOX_LIMIT_UNSET)
                add_u64(m, "swap", l->memory_max + l->memory_swap_max);
        if (l->memory_swappiness1)
                add_u64(m, "swappiness", l->memory_swappiness1 - 1);
        if (l->oom_kill_disable)
                ADD(m, "disableOOMKiller", json_object_new_boolean(true));
        ADD(r, "memory", obj_or_null(m));
        struct json_object *cpu = json_object_new_object();
        if (l->cpu_shares)
                add_u64(cpu, "shares", l->cpu_shares);
        else if (l->cpu_weight != BOX_LIMIT_UNSET)
                /* The v1 shares boxlaunch writes for CPUWeight= (cgroup/v1.c). */
                add_u64(cpu, "shares", l->cpu_weight * 1024 / 100);
        if (l->cpu_quota_ppm != BOX_LIMIT_UNSET) {
                uint64_t per = l->cpu_period_usec != BOX_LIMIT_UNSET ? l->cpu_period_usec : 100000;
                add_u64(cpu, "quota", l->cpu_quota_ppm * per / 1000000);
        }
        add_u64(cpu, "period", l->cpu_period_usec);
        if (l->cpu_burst_usec)
                add_u64(cpu, "burst", l->cpu_burst_usec);
        if (l->cpu_rt_runtime1)
                add_u64(cpu, "realtimeRuntime", l->cpu_rt_runtime1 - 1);
        if (l->cpu_rt_period_usec)
                add_u64(cpu, "realtimePeriod", l->cpu_rt_period_usec);
        if (l->cpuset_cpus)
                ADD(cpu, "cpus", str(l->cpuset_cpus));
        if (l->cpuset_mems)
                ADD(cpu, "mems", str(l->cpuset_mems));
        if (l->cpu_idle)
                ADD(cpu, "idle", json_object_new_int64(l->cpu_idle));
        ADD(r, "cpu", obj_or_null(cpu));
        if (l->tasks_max != BOX_LIMIT_UNSET) {
                struct json_object *p = json_object_new_object();
                ADD(p, "limit", json_object_new_int64((int64_t)l->tasks_max));
                ADD(r, "pids", p);
        }
        struct json_object *b = json_object_new_object();
        if (l->io_weight != BOX_LIMIT_UNSET)
                add_u64(b, "weight", 10 + (l->io_weight - 1) * 990 / 9999);
        if (l->n_io_weights) {
                struct json_object *a = json_object_new_array();
                for (size_t i = 0; i < l->n_io_weights; i++) {
                        struct json_object *e = json_object_new_object();
                        ADD(e, "major", json_object_new_int64(l->io_weights[i].major));
                        ADD(e, "minor", json_object_new_int64(l->io_weights[i].minor));
                        if (l->io_weights[i].weight)
                                ADD(e, "weight", json_object_new_uint64(l->io_weights[i].weight));
                        json_object_array_add(a, e);
                }
                ADD(b, "weightDevice", a);
        }
        static const struct {
                const char *key;
                size_t off;
        } thr[] = {{"throttleReadBpsDevice", offsetof(struct box_io_limit, rbps)},
                   {"throttleWriteBpsDevice", offsetof(struct box_io_limit, wbps)},
                   {"throttleReadIOPSDevice", offsetof(struct box_io_limit, riops)},
                   {"throttleWriteIOPSDevice", offsetof(struct box_io_limit, wiops)}};
        for (size_t t = 0; t < ARRAY_SIZE(thr); t++) {
                struct json_object *a = NULL;
                for (size_t i = 0; i < l->n_io; i++) {
                        uint64_t v = *(const uint64_t *)((const char *)&l->io[i] + thr[t].off);
                        if (!v)
                                continue;
                        if (!a)
                                ADD(b, thr[t].key, a = json_object_new_array());
                        struct json_object *e = json_object_new_object();
                        ADD(e, "major", json_object_new_int64(l->io[i].major));
                        ADD(e, "minor", json_object_new_int64(l->io[i].minor));
                        ADD(e, "rate", json_object_new_uint64(v));
                        json_object_array_add(a, e);
                }
        }
        ADD(r, "blockIO", obj_or_null(b));
        if (l->n_hugepages) {
                struct json_object *a = json_object_new_array();
                for (size_t i = 0; i < l->n_hugepages; i++) {
                        struct json_object *e = json_object_new_object();
                        ADD(e, "pageSize", str(l->hugepages[i].page_size));
                        ADD(e, "limit", json_object_new_uint64(l->hugepages[i].limit));
                        json_object_array_add(a, e);
                }
                ADD(r, "hugepageLimits", a);
        }
        if (l->unified) {
                struct json_object *u = json_object_new_object();
                for (char **p = l->unified; *p; p++) {
                        _cleanup_free_ char *k = xstrndup(*p, strcspn(*p, "="));
                        ADD(u, k, str(*p + strlen(k) + (*(*p + strlen(k)) ? 1 : 0)));
                }
                ADD(r, "unified", u);
        }
        /* Drop the null members added above. */
        struct json_object *clean = json_object_new_object();
        json_object_object_foreach(r, k, v) if (v) ADD(clean, k, json_object_get(v));
        json_object_put(r);
        ADD(lx, "resources", clean);
}

static const char *action_name(uint32_t a)
{
        switch (BOX_SCMP_ACTION(a)) {
        case BOX_SCMP_KILL_PROCESS:
                return "SCMP_ACT_KILL_PROCESS";
        case BOX_SCMP_TRAP:
                return "SCMP_ACT_TRAP";
        case BOX_SCMP_ERRNO:
                return "SCMP_ACT_ERRNO";
        case BOX_SCMP_TRACE:
                return "SCMP_ACT_TRACE";
        case BOX_SCMP_ALLOW:
                return "SCMP_ACT_ALLOW";
        case BOX_SCMP_LOG:
                return "SCMP_ACT_LOG";
        case BOX_SCMP_NOTIFY:
                return "SCMP_ACT_NOTIFY";
        default:
                return "SCMP_ACT_KILL_THREAD";
        }
}

static bool has_data(uint32_t a)
{
        return BOX_SCMP_ACTION(a) == BOX_SCMP_ERRNO || BOX_SCMP_ACTION(a) == BOX_SCMP_TRACE;
}

static void export_seccomp(const struct box_config *c, struct json_object *lx)
{
        const struct box_seccomp *s = &c->seccomp;
        if (!s->enabled)
                return;
        if (!s->literal) {
                log_warn("%s: boxlaunch's own seccomp profile has no literal form here; the "
                         "exported config.json has no seccomp filter",
                         BOX_WHERE(c, BOX_F_SECCOMP, NULL, 0));
                return;
        }
        struct json_object *o = json_object_new_object();
        ADD(o, "defaultAction", str(action_name(s->default_action)));
        if (has_data(s->default_action))
                ADD(o, "defaultErrnoRet", json_object_new_uint64(BOX_SCMP_DATA(s->default_action)));
        if (s->arches)
                ADD(o, "architectures", strv(s->arches));
        if (s->flags)
                ADD(o, "flags", strv(s->flags));
        static const char *const ops[] = {"",
                                          "SCMP_CMP_NE",
                                          "SCMP_CMP_LT",
                                          "SCMP_CMP_LE",
                                          "SCMP_CMP_EQ",
                                          "SCMP_CMP_GE",
                                          "SCMP_CMP_GT",
                                          "SCMP_CMP_MASKED_EQ"};
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; i < s->n_rules; i++) {
                const struct box_seccomp_rule *r = &s->rules[i];
                struct json_object *e = json_object_new_object();
                ADD(e, "names", strv(r->names));
                ADD(e, "action", str(action_name(r->action)));
                if (has_data(r->action))
                        ADD(e, "errnoRet", json_object_new_uint64(BOX_SCMP_DATA(r->action)));
                if (r->n_args) {
                        struct json_object *g = json_object_new_array();
                        for (size_t k = 0; k < r->n_args; k++) {
                                struct json_object *x = json_object_new_object();
                                ADD(x, "index", json_object_new_uint64(r->args[k].index));
                                ADD(x, "value", json_object_new_uint64(r->args[k].value));
                                ADD(x, "valueTwo", json_object_new_uint64(r->args[k].value_two));
                                ADD(x, "op", str(ops[r->args[k].op & 7]));
                                json_object_array_add(g, x);
                        }
                        ADD(e, "args", g);
                }
                json_object_array_add(a, e);
        }
        ADD(o, "syscalls", a);
        ADD(lx, "seccomp", o);
}

static void export_linux(const struct box_config *c, struct json_object *root)
{
        struct json_object *lx = json_object_new_object();
        ADD(root, "linux", lx);
        static const char *const ns[_BOX_NS_MAX] = {
                [BOX_NS_MNT] = "mount",     [BOX_NS_PID] = "pid",  [BOX_NS_NET] = "network",
                [BOX_NS_IPC] = "ipc",       [BOX_NS_UTS] = "uts",  [BOX_NS_USER] = "user",
                [BOX_NS_CGROUP] = "cgroup", [BOX_NS_TIME] = "time"};
        bool on[_BOX_NS_MAX] = {
                [BOX_NS_MNT] = true,
                [BOX_NS_PID] = !c->ns_pid_host,
                [BOX_NS_NET] = c->net == BOX_NET_PRIVATE,
                [BOX_NS_IPC] = c->ns_ipc,
                [BOX_NS_UTS] = c->ns_uts,
                [BOX_NS_USER] = c->userns != BOX_USERNS_NO,
                [BOX_NS_CGROUP] = c->ns_cgroup,
                [BOX_NS_TIME] = c->ns_time,
        };
        struct json_object *a = json_object_new_array();
        for (int t = 0; t < _BOX_NS_MAX; t++) {
                if (!on[t] && !c->ns_join[t])
                        continue;
                struct json_object *e = json_object_new_object();
                ADD(e, "type", str(ns[t]));
                if (c->ns_join[t])
                        ADD(e, "path", str(c->ns_join[t]));
                json_object_array_add(a, e);
        }
        ADD(lx, "namespaces", a);
        if (c->userns != BOX_USERNS_NO) {
                struct box_id_map one = {0, c->uid_base, c->uid_count};
                ADD(lx, "uidMappings",
                    c->n_uid_map ? id_maps(c->uid_map, c->n_uid_map) : id_maps(&one, 1));
                ADD(lx, "gidMappings",
                    c->n_gid_map ? id_maps(c->gid_map, c->n_gid_map) : id_maps(&one, 1));
        }
        if (c->n_sysctls) {
                struct json_object *s = json_object_new_object();
                for (size_t i = 0; i < c->n_sysctls; i++)
                        ADD(s, c->sysctls[i].key, str(c->sysctls[i].value));
                ADD(lx, "sysctl", s);
        }
        export_resources(c, lx);
        if (c->limits.path)
                ADD(lx, "cgroupsPath", str(c->limits.path));
        if (c->n_devices) {
                struct json_object *d = json_object_new_array();
                for (size_t i = 0; i < c->n_devices; i++) {
                        const struct box_device *v = &c->devices[i];
                        struct json_object *e = json_object_new_object();
                        char t[2] = {v->type, 0};
                        ADD(e, "path", str(v->path));
                        ADD(e, "type", str(t));
                        if (v->type != 'p') {
                                ADD(e, "major", json_object_new_int64(v->major));
                                ADD(e, "minor", json_object_new_int64(v->minor));
                        }
                        ADD(e, "fileMode", json_object_new_int64(v->mode));
                        ADD(e, "uid", json_object_new_uint64(v->uid));
                        ADD(e, "gid", json_object_new_uint64(v->gid));
                        json_object_array_add(d, e);
                }
                ADD(lx, "devices", d);
        }
        export_seccomp(c, lx);
        static const struct {
                unsigned long f;
                const char *n;
        } props[] = {{MS_SHARED, "shared"},
                     {MS_SLAVE, "slave"},
                     {MS_PRIVATE, "private"},
                     {MS_UNBINDABLE, "unbindable"},
                     {MS_SHARED | MS_REC, "rshared"},
                     {MS_SLAVE | MS_REC, "rslave"},
                     {MS_PRIVATE | MS_REC, "rprivate"},
                     {MS_UNBINDABLE | MS_REC, "runbindable"}};
        for (size_t i = 0; i < ARRAY_SIZE(props); i++)
                if (c->rootfs_propagation == props[i].f)
                        ADD(lx, "rootfsPropagation", str(props[i].n));
        if (c->api_listed) {
                ADD(lx, "maskedPaths", strv(c->mask_paths));
                ADD(lx, "readonlyPaths", strv(c->read_only_paths));
        } else {
                struct json_object *mp = strv(NULL), *rp = strv(NULL);
                for (const char *const *p = box_masked_paths_default; *p; p++)
                        json_object_array_add(mp, str(*p));
                for (char **p = c->mask_paths; p && *p; p++)
                        json_object_array_add(mp, str(*p));
                for (const char *const *p = box_read_only_paths_default; *p; p++)
                        json_object_array_add(rp, str(*p));
                for (char **p = c->read_only_paths; p && *p; p++)
                        json_object_array_add(rp, str(*p));
                ADD(lx, "maskedPaths", mp);
                ADD(lx, "readonlyPaths", rp);
        }
        if (c->mount_label)
                ADD(lx, "mountLabel", str(c->mount_label));
        if (c->personality != 0xffffffffUL) {
                struct json_object *p = json_object_new_object();
                ADD(p, "domain", str(c->personality == PER_LINUX32 ? "LINUX32" : "LINUX"));
                ADD(lx, "personality", p);
        }
        if (c->mempolicy_mode1) {
                static const char *const modes[] = {"MPOL_DEFAULT",
                                                    "MPOL_PREFERRED",
                                                    "MPOL_BIND",
                                                    "MPOL_INTERLEAVE",
                                                    "MPOL_LOCAL",
                                                    "MPOL_PREFERRED_MANY",
                                                    "MPOL_WEIGHTED_INTERLEAVE"};
                static const char *const fl[] = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
                                                 "MPOL_F_STATIC_NODES"};
                struct json_object *m = json_object_new_object();
                ADD(m, "mode", str(modes[(c->mempolicy_mode1 - 1) % 7]));
                if (c->mempolicy_nodes)
                        ADD(m, "nodes", str(c->mempolicy_nodes));
                struct json_object *f = json_object_new_array();
                for (unsigned i = 0; i < 3; i++)
                        if (c->mempolicy_flags & (1u << (13 + i)))
                                json_object_array_add(f, str(fl[i]));
                ADD(m, "flags", f);
                ADD(lx, "memoryPolicy", m);
        }
        if (c->time_offsets_set) {
                static const char *const clocks[] = {"monotonic", "boottime"};
                struct json_object *t = json_object_new_object();
                for (int k = 0; k < 2; k++) {
                        struct json_object *e = json_object_new_object();
                        ADD(e, "secs", json_object_new_int64(c->time_offset_secs[k]));
                        ADD(e, "nanosecs", json_object_new_uint64(c->time_offset_nsecs[k]));
                        ADD(t, clocks[k], e);
                }
                ADD(lx, "timeOffsets", t);
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
        ADD(root, "ociVersion", str("1.2.0"));
        int r = export_process(c, root);
        if (r < 0) {
                json_object_put(root);
                return r;
        }
        struct json_object *rt = json_object_new_object();
        ADD(rt, "path", str(c->root ? c->root : "rootfs"));
        ADD(rt, "readonly", json_object_new_boolean(c->read_only));
        ADD(root, "root", rt);
        if (c->hostname)
                ADD(root, "hostname", str(c->hostname));
        if (c->domainname)
                ADD(root, "domainname", str(c->domainname));
        export_mounts(c, root);
        export_hooks(c, root);
        struct json_object *ann = json_object_new_object();
        for (char **p = c->annotations; p && *p; p++) {
                _cleanup_free_ char *k = xstrndup(*p, strcspn(*p, "="));
                const char *v = *p + strlen(k);
                ADD(ann, k, str(*v ? v + 1 : ""));
        }
        if (box_config_stub_init(c))
                ADD(ann, "io.boxlaunch.init", str("1"));
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
