/* export_linux.c - the linux.* part of an exported config.json (namespaces, resources, seccomp...). */
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

/* Long: linux.resources field by field, in the spec's order. */
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
                        ADD(e, "type", export_str(t));
                        if (d->major >= 0)
                                ADD(e, "major", json_object_new_int64(d->major));
                        if (d->minor >= 0)
                                ADD(e, "minor", json_object_new_int64(d->minor));
                        ADD(e, "access", export_str(d->access));
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
        if (l->memory_kmem_tcp1)
                add_u64(m, "kernelTCP", l->memory_kmem_tcp1 - 1);
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
                ADD(cpu, "cpus", export_str(l->cpuset_cpus));
        if (l->cpuset_mems)
                ADD(cpu, "mems", export_str(l->cpuset_mems));
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
                        ADD(e, "pageSize", export_str(l->hugepages[i].page_size));
                        ADD(e, "limit", json_object_new_uint64(l->hugepages[i].limit));
                        json_object_array_add(a, e);
                }
                ADD(r, "hugepageLimits", a);
        }
        if (l->unified) {
                struct json_object *u = json_object_new_object();
                for (char **p = l->unified; *p; p++) {
                        _cleanup_free_ char *k = xstrndup(*p, strcspn(*p, "="));
                        ADD(u, k, export_str(*p + strlen(k) + (*(*p + strlen(k)) ? 1 : 0)));
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
        ADD(o, "defaultAction", export_str(action_name(s->default_action)));
        if (has_data(s->default_action))
                ADD(o, "defaultErrnoRet", json_object_new_uint64(BOX_SCMP_DATA(s->default_action)));
        if (s->arches)
                ADD(o, "architectures", export_strv(s->arches));
        if (s->flags)
                ADD(o, "flags", export_strv(s->flags));
        static const char ops[][19] = {"",
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
                ADD(e, "names", export_strv(r->names));
                ADD(e, "action", export_str(action_name(r->action)));
                if (has_data(r->action))
                        ADD(e, "errnoRet", json_object_new_uint64(BOX_SCMP_DATA(r->action)));
                if (r->n_args) {
                        struct json_object *g = json_object_new_array();
                        for (size_t k = 0; k < r->n_args; k++) {
                                struct json_object *x = json_object_new_object();
                                ADD(x, "index", json_object_new_uint64(r->args[k].index));
                                ADD(x, "value", json_object_new_uint64(r->args[k].value));
                                ADD(x, "valueTwo", json_object_new_uint64(r->args[k].value_two));
                                ADD(x, "op", export_str(ops[r->args[k].op & 7]));
                                json_object_array_add(g, x);
                        }
                        ADD(e, "args", g);
                }
                json_object_array_add(a, e);
        }
        ADD(o, "syscalls", a);
        ADD(lx, "seccomp", o);
}

/* Long: the linux object field by field, the mirror of spec_parse_linux(). */
void export_linux(const struct box_config *c, struct json_object *root)
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
                ADD(e, "type", export_str(ns[t]));
                if (c->ns_join[t])
                        ADD(e, "path", export_str(c->ns_join[t]));
                json_object_array_add(a, e);
        }
        ADD(lx, "namespaces", a);
        if (c->userns != BOX_USERNS_NO) {
                struct box_id_map one = {0, c->uid_base, c->uid_count};
                ADD(lx, "uidMappings",
                    c->n_uid_map ? export_id_maps(c->uid_map, c->n_uid_map)
                                 : export_id_maps(&one, 1));
                ADD(lx, "gidMappings",
                    c->n_gid_map ? export_id_maps(c->gid_map, c->n_gid_map)
                                 : export_id_maps(&one, 1));
        }
        if (c->n_sysctls) {
                struct json_object *s = json_object_new_object();
                for (size_t i = 0; i < c->n_sysctls; i++)
                        ADD(s, c->sysctls[i].key, export_str(c->sysctls[i].value));
                ADD(lx, "sysctl", s);
        }
        export_resources(c, lx);
        if (c->limits.path)
                ADD(lx, "cgroupsPath", export_str(c->limits.path));
        if (c->n_devices) {
                struct json_object *d = json_object_new_array();
                for (size_t i = 0; i < c->n_devices; i++) {
                        const struct box_device *v = &c->devices[i];
                        struct json_object *e = json_object_new_object();
                        char t[2] = {v->type, 0};
                        ADD(e, "path", export_str(v->path));
                        ADD(e, "type", export_str(t));
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
                        ADD(lx, "rootfsPropagation", export_str(props[i].n));
        if (c->api_listed) {
                ADD(lx, "maskedPaths", export_strv(c->mask_paths));
                ADD(lx, "readonlyPaths", export_strv(c->read_only_paths));
        } else {
                struct json_object *mp = export_strv(NULL), *rp = export_strv(NULL);
                for (const char *const *p = box_masked_paths_default; *p; p++)
                        json_object_array_add(mp, export_str(*p));
                for (char **p = c->mask_paths; p && *p; p++)
                        json_object_array_add(mp, export_str(*p));
                for (const char *const *p = box_read_only_paths_default; *p; p++)
                        json_object_array_add(rp, export_str(*p));
                for (char **p = c->read_only_paths; p && *p; p++)
                        json_object_array_add(rp, export_str(*p));
                ADD(lx, "maskedPaths", mp);
                ADD(lx, "readonlyPaths", rp);
        }
        if (c->mount_label)
                ADD(lx, "mountLabel", export_str(c->mount_label));
        if (c->personality != 0xffffffffUL) {
                struct json_object *p = json_object_new_object();
                ADD(p, "domain", export_str(c->personality == PER_LINUX32 ? "LINUX32" : "LINUX"));
                ADD(lx, "personality", p);
        }
        if (c->mempolicy_mode1) {
                static const char fl[][22] = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
                                              "MPOL_F_STATIC_NODES"};
                struct json_object *m = json_object_new_object();
                ADD(m, "mode", export_str(oci_mempolicy_modes[(c->mempolicy_mode1 - 1) % 7]));
                if (c->mempolicy_nodes)
                        ADD(m, "nodes", export_str(c->mempolicy_nodes));
                struct json_object *f = json_object_new_array();
                for (unsigned i = 0; i < 3; i++)
                        if (c->mempolicy_flags & (1u << (13 + i)))
                                json_object_array_add(f, export_str(fl[i]));
                ADD(m, "flags", f);
                ADD(lx, "memoryPolicy", m);
        }
        if (c->time_offsets_set) {
                static const char clocks[][10] = {"monotonic", "boottime"};
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
