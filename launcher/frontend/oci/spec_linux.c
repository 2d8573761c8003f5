/* spec_linux.c - config.json linux.* (namespaces, id maps, devices, resources, sysctl, paths...). */
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

/* ---- linux ------------------------------------------------------------------------------- */

const char *const oci_mempolicy_modes[7] = {
        "MPOL_DEFAULT",
        "MPOL_PREFERRED",
        "MPOL_BIND",
        "MPOL_INTERLEAVE",
        "MPOL_LOCAL",
        "MPOL_PREFERRED_MANY",
        "MPOL_WEIGHTED_INTERLEAVE",
};

static const char *const ns_names[_BOX_NS_MAX] = {
        [BOX_NS_MNT] = "mount",     [BOX_NS_PID] = "pid",   [BOX_NS_NET] = "network",
        [BOX_NS_IPC] = "ipc",       [BOX_NS_UTS] = "uts",   [BOX_NS_USER] = "user",
        [BOX_NS_CGROUP] = "cgroup", [BOX_NS_TIME] = "time",
};

static void parse_namespaces(struct parser *p, struct json_object *lx, bool *have)
{
        struct box_config *c = p->c;
        size_t n;
        struct json_object *a = spec_get_array(p, lx, "linux", "namespaces", &n);
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.namespaces", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                _cleanup_free_ char *type = NULL, *path = NULL;
                if (!spec_check_object(p, e, ep) || !spec_require(p, e, ep, "type") ||
                    !spec_get_str(p, e, ep, "type", &type))
                        continue;
                int t = spec_lookup(type, ns_names, _BOX_NS_MAX);
                if (t < 0) {
                        spec_bad(p, SUB(ep, "type"), "unknown namespace type '%s'", type);
                        continue;
                }
                if (have[t]) {
                        spec_bad(p, SUB(ep, "type"), "the %s namespace is listed twice", type);
                        continue;
                }
                have[t] = true;
                if (spec_get_str(p, e, ep, "path", &path)) {
                        if (path[0] != '/')
                                spec_bad(p, SUB(ep, "path"), "'%s' is not absolute", path);
                        else
                                c->ns_join[t] = TAKE_PTR(path);
                }
        }
        /* A type not listed (or no list) is the runtime's, says the spec. Except the mount
         * namespace: setting the root up in the host's would change the host's mounts, so the
         * box gets one all the same (crun does too), and says so. */
        if (!have[BOX_NS_MNT])
                log_warn("%s: linux.namespaces: no mount namespace listed: the box gets one of its "
                         "own all the same (its root is never set up in the host's)",
                         p->what);
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
        spec_parse_id_maps(p, lx, "linux", "uidMappings", &c->uid_map, &c->n_uid_map);
        spec_parse_id_maps(p, lx, "linux", "gidMappings", &c->gid_map, &c->n_gid_map);
        bool maps = c->n_uid_map || c->n_gid_map;
        if (have[BOX_NS_USER] && !c->ns_join[BOX_NS_USER]) {
                if (!c->n_uid_map || !c->n_gid_map)
                        spec_bad(p, "linux.uidMappings",
                                 "a new user namespace needs uidMappings and gidMappings");
                c->userns = BOX_USERNS_FIXED;
                maps_to_range(c);
        } else {
                c->userns = BOX_USERNS_NO;
                if (maps)
                        spec_bad(p, "linux.uidMappings",
                                 "mappings need a new user namespace in linux.namespaces");
        }
}

static void parse_devices(struct parser *p, struct json_object *lx)
{
        struct box_config *c = p->c;
        size_t n;
        struct json_object *a = spec_get_array(p, lx, "linux", "devices", &n);
        c->devices = xcalloc(n ? n : 1, sizeof(*c->devices));
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.devices", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                struct box_device *d = &c->devices[c->n_devices++];
                *d = (struct box_device){.name = xstrdup(ep), .mode = 0666};
                _cleanup_free_ char *type = NULL;
                int64_t v;
                if (!spec_check_object(p, e, ep))
                        continue;
                if (spec_require(p, e, ep, "path") && spec_get_str(p, e, ep, "path", &d->path) &&
                    (strncmp(d->path, "/dev/", 5) != 0 || !d->path[5] || strstr(d->path, "/../") ||
                     strstr(d->path, "/./") ||
                     (strlen(d->path) >= 3 && streq(d->path + strlen(d->path) - 3, "/..")) ||
                     d->path[strlen(d->path) - 1] == '/'))
                        spec_bad(p, SUB(ep, "path"), "'%s' is not a path under /dev", d->path);
                if (spec_require(p, e, ep, "type") && spec_get_str(p, e, ep, "type", &type)) {
                        if (streq(type, "c") || streq(type, "u"))
                                d->type = 'c';
                        else if (streq(type, "b") || streq(type, "p"))
                                d->type = type[0];
                        else
                                spec_bad(p, SUB(ep, "type"), "'%s' is not c, b, u or p", type);
                }
                if (d->type != 'p') {
                        if (spec_require(p, e, ep, "major") &&
                            spec_get_i64(p, e, ep, "major", 0, 4095, &v))
                                d->major = (unsigned)v;
                        if (spec_require(p, e, ep, "minor") &&
                            spec_get_i64(p, e, ep, "minor", 0, 1048575, &v))
                                d->minor = (unsigned)v;
                }
                if (spec_get_i64(p, e, ep, "fileMode", 0, 07777, &v))
                        d->mode = (mode_t)v;
                uint32_t id;
                if (spec_get_u32(p, e, ep, "uid", &id))
                        d->uid = id;
                if (spec_get_u32(p, e, ep, "gid", &id))
                        d->gid = id;
                /* Allowed in the device cgroup only by linux.resources.devices. */
                d->access[0] = 0;
        }
}

static void parse_dev_rules(struct parser *p, struct json_object *res)
{
        struct box_limits *l = &p->c->limits;
        size_t n;
        struct json_object *a = spec_get_array(p, res, "linux.resources", "devices", &n);
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
                if (!spec_check_object(p, e, ep))
                        continue;
                if (spec_require(p, e, ep, "allow"))
                        (void)spec_get_bool(p, e, ep, "allow", &r->allow);
                _cleanup_free_ char *type = NULL, *access = NULL;
                if (spec_get_str(p, e, ep, "type", &type)) {
                        if (streq(type, "a") || streq(type, "c") || streq(type, "b"))
                                r->type = type[0];
                        else
                                spec_bad(p, SUB(ep, "type"), "'%s' is not a, c or b", type);
                }
                (void)spec_get_i64(p, e, ep, "major", -1, 4095, &r->major);
                (void)spec_get_i64(p, e, ep, "minor", -1, 1048575, &r->minor);
                if (spec_get_str(p, e, ep, "access", &access)) {
                        if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
                                spec_bad(p, SUB(ep, "access"), "'%s' is not a subset of rwm",
                                         access);
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
        if (spec_get_i64(p, o, path, key, -1, INT64_MAX, &v))
                *ret = v < 0 ? BOX_LIMIT_UNSET : (uint64_t)v;
}

static void parse_memory(struct parser *p, struct json_object *o)
{
        const char *path = "linux.resources.memory";
        struct box_limits *l = &p->c->limits;
        if (!spec_check_object(p, o, path))
                return;
        get_limit(p, o, path, "limit", &l->memory_max);
        get_limit(p, o, path, "reservation", &l->memory_high);
        uint64_t swap = BOX_LIMIT_UNSET;
        get_limit(p, o, path, "swap", &swap);
        if (swap != BOX_LIMIT_UNSET) {
                if (l->memory_max == BOX_LIMIT_UNSET)
                        spec_bad(p, "linux.resources.memory.swap", "needs limit as well");
                else if (swap < l->memory_max)
                        spec_bad(p, "linux.resources.memory.swap",
                                 "%llu is below limit: swap is memory plus swap",
                                 (unsigned long long)swap);
                else
                        l->memory_swap_max = swap - l->memory_max;
        }
        uint64_t sw;
        if (spec_get_u64(p, o, path, "swappiness", 100, &sw))
                l->memory_swappiness1 = sw + 1;
        (void)spec_get_bool(p, o, path, "disableOOMKiller", &l->oom_kill_disable);
        bool hier = true;
        if (spec_get_bool(p, o, path, "useHierarchy", &hier) && !hier)
                spec_bad(p, "linux.resources.memory.useHierarchy",
                         "false is not supported: the kernel always uses the hierarchy");
        bool check;
        (void)spec_get_bool(p, o, path, "checkBeforeUpdate", &check);
        /* Deprecated by the spec and gone from the kernel (no kmem files since 5.16): runc and
         * crun go on without them, and so do we, but not silently. */
        if (spec_get(o, "kernel"))
                log_warn("%s: %s.kernel: kernel memory settings are ignored (deprecated by the "
                         "spec, without effect since Linux 5.16)",
                         p->what, path);
        /* TCP buffer accounting outlived the rest in v1: honoured where the file exists. */
        uint64_t tcp = BOX_LIMIT_UNSET;
        get_limit(p, o, path, "kernelTCP", &tcp);
        if (tcp != BOX_LIMIT_UNSET)
                p->c->limits.memory_kmem_tcp1 = tcp + 1;
}

static void parse_cpu(struct parser *p, struct json_object *o)
{
        const char *path = "linux.resources.cpu";
        struct box_limits *l = &p->c->limits;
        if (!spec_check_object(p, o, path))
                return;
        uint64_t shares;
        if (spec_get_u64(p, o, path, "shares", 262144, &shares)) {
                if (shares < 2)
                        spec_bad(p, "linux.resources.cpu.shares", "below 2");
                else
                        l->cpu_shares = shares;
        }
        uint64_t period = BOX_LIMIT_UNSET;
        if (spec_get_u64(p, o, path, "period", 1000000, &period)) {
                if (period < 1000)
                        spec_bad(p, "linux.resources.cpu.period", "below 1000 (1 ms)");
                else
                        l->cpu_period_usec = period;
        }
        int64_t quota;
        if (spec_get_i64(p, o, path, "quota", -1, INT64_MAX, &quota) && quota > 0) {
                uint64_t per = period != BOX_LIMIT_UNSET ? period : 100000;
                if (quota < 1000)
                        spec_bad(p, "linux.resources.cpu.quota", "below 1000 (1 ms)");
                else if ((uint64_t)quota * 1000000 % per != 0)
                        spec_bad(p, "linux.resources.cpu.quota",
                                 "%lld for a period of %llu is not a whole number of millionths of "
                                 "a "
                                 "CPU",
                                 (long long)quota, (unsigned long long)per);
                else
                        l->cpu_quota_ppm = (uint64_t)quota * 1000000 / per;
        }
        (void)spec_get_u64(p, o, path, "burst", UINT32_MAX, &l->cpu_burst_usec);
        int64_t rt;
        if (spec_get_i64(p, o, path, "realtimeRuntime", -1, INT64_MAX, &rt) && rt >= 0)
                l->cpu_rt_runtime1 = (uint64_t)rt + 1;
        (void)spec_get_u64(p, o, path, "realtimePeriod", UINT32_MAX, &l->cpu_rt_period_usec);
        _cleanup_free_ char *cpus = NULL, *mems = NULL;
        if (spec_get_str(p, o, path, "cpus", &cpus) && *cpus &&
            parse_cpu_list(cpus, &l->cpuset_cpus) < 0)
                spec_bad(p, "linux.resources.cpu.cpus", "'%s' is not a CPU list", cpus);
        if (spec_get_str(p, o, path, "mems", &mems) && *mems &&
            parse_cpu_list(mems, &l->cpuset_mems) < 0)
                spec_bad(p, "linux.resources.cpu.mems", "'%s' is not a node list", mems);
        (void)spec_get_i64(p, o, path, "idle", 0, 1, &l->cpu_idle);
}

static void parse_throttle(struct parser *p, struct json_object *o, const char *key, size_t off)
{
        struct box_limits *l = &p->c->limits;
        size_t n;
        char path[128];
        snprintf(path, sizeof(path), "linux.resources.blockIO.%s", key);
        struct json_object *a = spec_get_array(p, o, "linux.resources.blockIO", key, &n);
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX(path, i);
                struct json_object *e = json_object_array_get_idx(a, i);
                int64_t ma, mi;
                uint64_t rate;
                if (!spec_check_object(p, e, ep) || !spec_require(p, e, ep, "major") ||
                    !spec_require(p, e, ep, "minor") || !spec_require(p, e, ep, "rate") ||
                    !spec_get_i64(p, e, ep, "major", 0, 4095, &ma) ||
                    !spec_get_i64(p, e, ep, "minor", 0, 1048575, &mi) ||
                    !spec_get_u64(p, e, ep, "rate", UINT64_MAX - 1, &rate))
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
        if (!spec_check_object(p, o, path))
                return;
        uint64_t w;
        if (spec_get_u64(p, o, path, "weight", 1000, &w)) {
                if (w < 10)
                        spec_bad(p, "linux.resources.blockIO.weight", "below 10");
                else /* the v2 scale, as the .box IOWeight= */
                        l->io_weight = 1 + (w - 10) * 9999 / 990;
        }
        size_t n;
        struct json_object *a = spec_get_array(p, o, path, "weightDevice", &n);
        l->io_weights = xcalloc(n ? n : 1, sizeof(*l->io_weights));
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.resources.blockIO.weightDevice", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                int64_t ma, mi;
                if (!spec_check_object(p, e, ep) || !spec_require(p, e, ep, "major") ||
                    !spec_require(p, e, ep, "minor") ||
                    !spec_get_i64(p, e, ep, "major", 0, 4095, &ma) ||
                    !spec_get_i64(p, e, ep, "minor", 0, 1048575, &mi))
                        continue;
                struct box_io_weight_device *d = &l->io_weights[l->n_io_weights++];
                *d = (struct box_io_weight_device){.major = (unsigned)ma, .minor = (unsigned)mi};
                if (spec_get_u64(p, e, ep, "weight", 1000, &d->weight) && d->weight < 10)
                        spec_bad(p, SUB(ep, "weight"), "below 10");
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
        if (!spec_check_object(p, o, path))
                return;
        parse_dev_rules(p, o);
        struct json_object *v;
        if ((v = spec_get(o, "memory")))
                parse_memory(p, v);
        if ((v = spec_get(o, "cpu")))
                parse_cpu(p, v);
        if ((v = spec_get(o, "pids")) && spec_check_object(p, v, "linux.resources.pids")) {
                int64_t lim;
                if (spec_require(p, v, "linux.resources.pids", "limit") &&
                    spec_get_i64(p, v, "linux.resources.pids", "limit", -1, INT64_MAX, &lim))
                        l->tasks_max = lim > 0 ? (uint64_t)lim : BOX_LIMIT_UNSET;
        }
        if ((v = spec_get(o, "blockIO")))
                parse_blockio(p, v);
        size_t n;
        struct json_object *a = spec_get_array(p, o, path, "hugepageLimits", &n);
        l->hugepages = xcalloc(n ? n : 1, sizeof(*l->hugepages));
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.resources.hugepageLimits", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                struct box_hugepage_limit h = {0};
                if (!spec_check_object(p, e, ep) || !spec_require(p, e, ep, "pageSize") ||
                    !spec_require(p, e, ep, "limit") ||
                    !spec_get_str(p, e, ep, "pageSize", &h.page_size) ||
                    !spec_get_u64(p, e, ep, "limit", UINT64_MAX - 1, &h.limit)) {
                        free(h.page_size);
                        continue;
                }
                size_t k = strspn(h.page_size, "0123456789");
                if (k == 0 || !(streq(h.page_size + k, "KB") || streq(h.page_size + k, "MB") ||
                                streq(h.page_size + k, "GB"))) {
                        spec_bad(p, SUB(ep, "pageSize"), "'%s' is not like 2MB", h.page_size);
                        free(h.page_size);
                        continue;
                }
                l->hugepages[l->n_hugepages++] = h;
        }
        if ((v = spec_get(o, "unified")) && spec_check_object(p, v, "linux.resources.unified")) {
                json_object_object_foreach(v, key, val)
                {
                        const char *kp = SUB("linux.resources.unified", key);
                        if (!json_object_is_type(val, json_type_string)) {
                                spec_bad(p, kp, "not a string");
                                continue;
                        }
                        if (!*key || strchr(key, '/') || key[0] == '.' || !strchr(key, '.')) {
                                spec_bad(p, kp, "not a cgroup file name like memory.high");
                                continue;
                        }
                        strv_push(&l->unified,
                                  xasprintf("%s=%s", key, json_object_get_string(val)));
                }
        }
}

/* Long: the linux object's fields in the spec's order, each a few lines; kept as one list. */
void spec_parse_linux(struct parser *p, struct json_object *lx)
{
        struct box_config *c = p->c;
        bool have[_BOX_NS_MAX] = {0};
        if (!lx) {
                spec_bad(p, "linux", "required");
                return;
        }
        if (!spec_check_object(p, lx, "linux"))
                return;
        parse_namespaces(p, lx, have);
        parse_user_ns(p, lx, have);
        struct json_object *v;
        if ((v = spec_get(lx, "sysctl")) && spec_check_object(p, v, "linux.sysctl")) {
                size_t n = (size_t)json_object_object_length(v);
                c->sysctls = xcalloc(n ? n : 1, sizeof(*c->sysctls));
                json_object_object_foreach(v, key, val)
                {
                        const char *kp = SUB("linux.sysctl", key);
                        if (!json_object_is_type(val, json_type_string)) {
                                spec_bad(p, kp, "not a string");
                                continue;
                        }
                        if (!*key || strchr(key, '/') || strstr(key, "..") || key[0] == '.') {
                                spec_bad(p, kp, "not a sysctl name");
                                continue;
                        }
                        c->sysctls[c->n_sysctls++] = (struct box_sysctl){
                                xstrdup(key), xstrdup(json_object_get_string(val))};
                }
        }
        if ((v = spec_get(lx, "resources")))
                parse_resources(p, v);
        _cleanup_free_ char *cg = NULL;
        if (spec_get_str(p, lx, "linux", "cgroupsPath", &cg) && *cg) {
                if (strstr(cg, "..") ||
                    (cg[0] != '/' && strchr(cg, ':') && strchr(strchr(cg, ':') + 1, ':') == NULL))
                        spec_bad(p, "linux.cgroupsPath",
                                 "'%s' is neither a path nor slice:prefix:name", cg);
                else
                        c->limits.path = TAKE_PTR(cg);
        }
        parse_devices(p, lx);
        if ((v = spec_get(lx, "seccomp")))
                spec_parse_seccomp(p, v);
        else
                c->seccomp.enabled = false; /* OCI: no seccomp object, no filter */
        _cleanup_free_ char *prop = NULL;
        if (spec_get_str(p, lx, "linux", "rootfsPropagation", &prop) && *prop) {
                c->rootfs_propagation = spec_propagation_from(prop);
                if (!c->rootfs_propagation)
                        spec_bad(p, "linux.rootfsPropagation",
                                 "'%s' is not shared, slave, private or "
                                 "unbindable",
                                 prop);
        }
        c->mask_paths = NULL;
        if (spec_get_strv(p, lx, "linux", "maskedPaths", &c->mask_paths))
                for (size_t i = 0; c->mask_paths[i]; i++)
                        if (c->mask_paths[i][0] != '/')
                                spec_bad(p, IDX("linux.maskedPaths", i), "'%s' is not absolute",
                                         c->mask_paths[i]);
        if (spec_get_strv(p, lx, "linux", "readonlyPaths", &c->read_only_paths))
                for (size_t i = 0; c->read_only_paths[i]; i++)
                        if (c->read_only_paths[i][0] != '/')
                                spec_bad(p, IDX("linux.readonlyPaths", i), "'%s' is not absolute",
                                         c->read_only_paths[i]);
        if (spec_get_str(p, lx, "linux", "mountLabel", &c->mount_label) && !*c->mount_label)
                FREE_AND_NULL(c->mount_label);
        if ((v = spec_get(lx, "personality")) && spec_check_object(p, v, "linux.personality")) {
                _cleanup_free_ char *dom = NULL;
                if (spec_require(p, v, "linux.personality", "domain") &&
                    spec_get_str(p, v, "linux.personality", "domain", &dom)) {
                        if (streq(dom, "LINUX"))
                                c->personality = PER_LINUX;
                        else if (streq(dom, "LINUX32"))
                                c->personality = PER_LINUX32;
                        else
                                spec_bad(p, "linux.personality.domain",
                                         "'%s' is not LINUX or LINUX32", dom);
                }
        }
        if ((v = spec_get(lx, "memoryPolicy")) && spec_check_object(p, v, "linux.memoryPolicy")) {
                static const struct {
                        const char *name;
                        unsigned flag;
                } mflags[] = {{"MPOL_F_NUMA_BALANCING", 1u << 13},
                              {"MPOL_F_RELATIVE_NODES", 1u << 14},
                              {"MPOL_F_STATIC_NODES", 1u << 15}};
                const char *mp = "linux.memoryPolicy";
                _cleanup_free_ char *mode = NULL, *nodes = NULL;
                if (spec_require(p, v, mp, "mode") && spec_get_str(p, v, mp, "mode", &mode)) {
                        int k = spec_lookup(mode, oci_mempolicy_modes,
                                            ARRAY_SIZE(oci_mempolicy_modes));
                        if (k < 0)
                                spec_bad(p, "linux.memoryPolicy.mode", "unknown mode '%s'", mode);
                        else
                                c->mempolicy_mode1 = k + 1;
                }
                if (spec_get_str(p, v, mp, "nodes", &nodes) && *nodes &&
                    parse_cpu_list(nodes, &c->mempolicy_nodes) < 0)
                        spec_bad(p, "linux.memoryPolicy.nodes", "'%s' is not a node list", nodes);
                _cleanup_strv_ char **fl = NULL;
                if (spec_get_strv(p, v, mp, "flags", &fl))
                        for (size_t i = 0; fl[i]; i++) {
                                bool ok = false;
                                for (size_t k = 0; k < ARRAY_SIZE(mflags); k++)
                                        if (streq(fl[i], mflags[k].name)) {
                                                c->mempolicy_flags |= mflags[k].flag;
                                                ok = true;
                                        }
                                if (!ok)
                                        spec_bad(p, IDX("linux.memoryPolicy.flags", i),
                                                 "unknown flag '%s'", fl[i]);
                        }
        }
        if ((v = spec_get(lx, "timeOffsets")) && spec_check_object(p, v, "linux.timeOffsets")) {
                static const char *const clocks[] = {"monotonic", "boottime"};
                json_object_object_foreach(v, key, val)
                {
                        const char *kp = SUB("linux.timeOffsets", key);
                        int k = spec_lookup(key, clocks, 2);
                        if (k < 0) {
                                spec_bad(p, kp, "not monotonic or boottime");
                                continue;
                        }
                        if (!spec_check_object(p, val, kp))
                                continue;
                        int64_t secs = 0;
                        uint64_t ns = 0;
                        (void)spec_get_i64(p, val, kp, "secs", INT64_MIN / 2, INT64_MAX / 2, &secs);
                        (void)spec_get_u64(p, val, kp, "nanosecs", 999999999, &ns);
                        c->time_offset_secs[k] = secs;
                        c->time_offset_nsecs[k] = (uint32_t)ns;
                        c->time_offsets_set = true;
                }
                if (c->time_offsets_set && !have[BOX_NS_TIME])
                        spec_bad(p, "linux.timeOffsets", "needs a new time namespace");
        }
}
