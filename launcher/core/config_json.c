/* config_json.c - struct box_config <-> JSON through one table of fields per struct.
 *
 * Each table row names a JSON key, a C type and an offset; one generic writer and one generic
 * reader walk the tables, so a field is described once and both directions stay in step. Arrays
 * of structs (mounts, devices, hooks, I/O limits, sysctls) are rows too, with their own table.
 * The front-end's describer is a pointer to code: the JSON holds its kind ("box") and the line of
 * every field, and the reader attaches the describer registered under that kind (field.h), so a
 * config read back still names its fields as its front-end spells them, with file and line. */
#include "core/config_json.h"
#include "core/names.h"
#include "util/log.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>

enum ftype {
        F_STR,      /* char * */
        F_STRV,     /* char ** (NULL-terminated) */
        F_BOOL,     /* bool */
        F_TRI,      /* enum box_tristate: null / false / true */
        F_U64,      /* uint64_t; BOX_LIMIT_UNSET as null */
        F_U32,      /* uint32_t, uid_t, gid_t, unsigned */
        F_INT,      /* int */
        F_I64,      /* int64_t */
        F_ULONG,    /* unsigned long */
        F_MODE,     /* mode_t */
        F_CHAR,     /* char, as a one-letter string */
        F_ENUM,     /* int-sized enum, named by `names` (index = value - enum_base) */
        F_ACCESS,   /* char[4] */
        F_ARRAY,    /* array of structs: `sub` describes one, counted by the size_t at `count` */
        F_RLIMITS,  /* struct box_rlimit[RLIM_NLIMITS] */
        F_ORIGIN,   /* struct box_origin: its line (the file is the config's source_file) */
        F_FRONTEND, /* const struct box_frontend *, as its kind */
        F_LINES,    /* unsigned field_line[_BOX_F_MAX], as {generic name: line} for lines > 0 */
};

/* The rows hold no pointers (names and sub-tables are indices): a table of pointers would be
 * relocated at every start of the static PIE and stay a private copy in every supervisor,
 * while these stay shared page cache (README "Performance"). */
struct field {
        char key[28];
        uint8_t type;     /* enum ftype */
        uint8_t names;    /* F_ENUM: index into enum_sets[] */
        int8_t enum_base; /* F_ENUM */
        uint8_t sub;      /* F_ARRAY: index into tables[] */
        uint32_t off;
        uint32_t count; /* F_ARRAY: offset of the size_t count */
};

struct table {
        const struct field *fields;
        size_t n;
        size_t size; /* of one element, for arrays */
};

enum { E_MOUNT_TYPE, E_HOOK_STAGE, E_PROTO, E_CONSOLE, E_NET, E_USERNS, E_RESOLV_CONF };
enum {
        T_ID_MAP,
        T_IO_WEIGHT,
        T_HUGEPAGE,
        T_DEV_RULE,
        T_SECCOMP_ARG,
        T_SECCOMP_RULE,
        T_MOUNT,
        T_DEVICE,
        T_HOOK,
        T_SYSCTL,
        T_IO,
        T_PORT,
        T_CONFIG,
};

#define KEY_FITS(k) FITS(k, sizeof(((struct field *)0)->key))
#define ROW(k, t, s, m)                                                                            \
        {                                                                                          \
                .key = k, .type = t, .off = offsetof(s, m) + KEY_FITS(k)                           \
        }
#define ENUM_ROW(k, s, m, n, b)                                                                    \
        {                                                                                          \
                .key = k, .type = F_ENUM, .off = offsetof(s, m) + KEY_FITS(k), .names = n,         \
                .enum_base = b                                                                     \
        }
#define ARRAY_ROW(k, s, m, cnt, t)                                                                 \
        {                                                                                          \
                .key = k, .type = F_ARRAY, .off = offsetof(s, m) + KEY_FITS(k), .sub = t,          \
                .count = offsetof(s, cnt)                                                          \
        }
#define TABLE(name, type, ...)                                                                     \
        static const struct field name##_fields[] = {__VA_ARGS__};                                 \
        enum { name##_elem_size = sizeof(type) }
#define T(name)                                                                                    \
        {                                                                                          \
                name##_fields, ARRAY_SIZE(name##_fields), name##_elem_size                         \
        }

/* The state format's own words for the user namespace mode (index = value + 1). */
static const char *const userns_modes[] = {"default", "no", "fixed", "pick"};

TABLE(id_map_table, struct box_id_map, ROW("inside", F_U32, struct box_id_map, inside),
      ROW("outside", F_U32, struct box_id_map, outside),
      ROW("count", F_U32, struct box_id_map, count));

TABLE(io_weight_table, struct box_io_weight_device,
      ROW("major", F_U32, struct box_io_weight_device, major),
      ROW("minor", F_U32, struct box_io_weight_device, minor),
      ROW("weight", F_U64, struct box_io_weight_device, weight),
      ROW("leaf_weight", F_U64, struct box_io_weight_device, leaf_weight));

TABLE(hugepage_table, struct box_hugepage_limit,
      ROW("page_size", F_STR, struct box_hugepage_limit, page_size),
      ROW("limit", F_U64, struct box_hugepage_limit, limit));

TABLE(dev_rule_table, struct box_dev_rule, ROW("allow", F_BOOL, struct box_dev_rule, allow),
      ROW("type", F_CHAR, struct box_dev_rule, type),
      ROW("major", F_I64, struct box_dev_rule, major),
      ROW("minor", F_I64, struct box_dev_rule, minor),
      ROW("access", F_ACCESS, struct box_dev_rule, access));

TABLE(seccomp_arg_table, struct box_seccomp_arg, ROW("index", F_U32, struct box_seccomp_arg, index),
      ROW("value", F_U64, struct box_seccomp_arg, value),
      ROW("value_two", F_U64, struct box_seccomp_arg, value_two),
      ROW("op", F_U32, struct box_seccomp_arg, op));

TABLE(seccomp_rule_table, struct box_seccomp_rule,
      ROW("names", F_STRV, struct box_seccomp_rule, names),
      ROW("action", F_U32, struct box_seccomp_rule, action),
      ARRAY_ROW("args", struct box_seccomp_rule, args, n_args, T_SECCOMP_ARG));

TABLE(mount_table, struct box_mount, ROW("name", F_STR, struct box_mount, name),
      ENUM_ROW("type", struct box_mount, type, E_MOUNT_TYPE, 0),
      ROW("source", F_STR, struct box_mount, source),
      ROW("target", F_STR, struct box_mount, target), ROW("lower", F_STRV, struct box_mount, lower),
      ROW("upper", F_STR, struct box_mount, upper), ROW("work", F_STR, struct box_mount, work),
      ROW("flags", F_ULONG, struct box_mount, flags),
      ROW("propagation", F_ULONG, struct box_mount, propagation),
      ROW("data", F_STR, struct box_mount, data),
      ROW("recursive", F_BOOL, struct box_mount, recursive),
      ROW("dev", F_BOOL, struct box_mount, dev), ROW("suid", F_BOOL, struct box_mount, suid),
      ROW("optional", F_BOOL, struct box_mount, optional),
      ROW("line", F_ORIGIN, struct box_mount, origin),
      ROW("fstype", F_STR, struct box_mount, fstype),
      ROW("rec_attr_set", F_U64, struct box_mount, rec_attr_set),
      ROW("rec_attr_clr", F_U64, struct box_mount, rec_attr_clr),
      ROW("tmpcopyup", F_BOOL, struct box_mount, tmpcopyup),
      ROW("idmap_recursive", F_BOOL, struct box_mount, idmap_recursive),
      ARRAY_ROW("uid_map", struct box_mount, uid_map, n_uid_map, T_ID_MAP),
      ARRAY_ROW("gid_map", struct box_mount, gid_map, n_gid_map, T_ID_MAP));

TABLE(device_table, struct box_device, ROW("name", F_STR, struct box_device, name),
      ROW("path", F_STR, struct box_device, path), ROW("type", F_CHAR, struct box_device, type),
      ROW("major", F_U32, struct box_device, major), ROW("minor", F_U32, struct box_device, minor),
      ROW("access", F_ACCESS, struct box_device, access),
      ROW("mode", F_MODE, struct box_device, mode), ROW("uid", F_U32, struct box_device, uid),
      ROW("gid", F_U32, struct box_device, gid), ROW("line", F_ORIGIN, struct box_device, origin));

TABLE(hook_table, struct box_hook, ROW("name", F_STR, struct box_hook, name),
      ENUM_ROW("stage", struct box_hook, stage, E_HOOK_STAGE, 0),
      ROW("argv", F_STRV, struct box_hook, argv), ROW("env", F_STRV, struct box_hook, env),
      ROW("path", F_STR, struct box_hook, path),
      ROW("timeout_usec", F_U64, struct box_hook, timeout_usec),
      ROW("line", F_ORIGIN, struct box_hook, origin));

TABLE(sysctl_table, struct box_sysctl, ROW("key", F_STR, struct box_sysctl, key),
      ROW("value", F_STR, struct box_sysctl, value));

TABLE(io_table, struct box_io_limit, ROW("device", F_STR, struct box_io_limit, device),
      ROW("major", F_U32, struct box_io_limit, major),
      ROW("minor", F_U32, struct box_io_limit, minor),
      ROW("rbps", F_U64, struct box_io_limit, rbps), ROW("wbps", F_U64, struct box_io_limit, wbps),
      ROW("riops", F_U64, struct box_io_limit, riops),
      ROW("wiops", F_U64, struct box_io_limit, wiops));

TABLE(port_table, struct box_port, ROW("name", F_STR, struct box_port, name),
      ENUM_ROW("protocol", struct box_port, protocol, E_PROTO, 0),
      ROW("host_address", F_STR, struct box_port, host_address),
      ROW("host_port", F_U32, struct box_port, host_port),
      ROW("box_port", F_U32, struct box_port, box_port),
      ROW("line", F_ORIGIN, struct box_port, origin));

#define C struct box_config
TABLE(config_table, C, ROW("source_file", F_STR, C, source_file),
      ROW("frontend", F_FRONTEND, C, frontend), ROW("field_lines", F_LINES, C, field_line),
      ROW("name", F_STR, C, name), ROW("root", F_STR, C, root),
      ROW("read_only", F_BOOL, C, read_only), ROW("hostname", F_STR, C, hostname),
      ROW("ephemeral", F_BOOL, C, ephemeral), ROW("argv", F_STRV, C, argv),
      ROW("env", F_STRV, C, env), ROW("user", F_STR, C, user), ROW("group", F_STR, C, group),
      ROW("supplementary_groups", F_STRV, C, supplementary_groups), ROW("cwd", F_STR, C, cwd),
      ROW("boot", F_BOOL, C, boot), ROW("init", F_TRI, C, init),
      ROW("kill_signal", F_INT, C, kill_signal),
      ROW("stop_timeout_usec", F_U64, C, stop_timeout_usec),
      ENUM_ROW("console", C, console, E_CONSOLE, 0), ROW("notify_ready", F_BOOL, C, notify_ready),
      ROW("no_new_privileges", F_TRI, C, no_new_privileges),
      ROW("personality", F_ULONG, C, personality), ROW("oom_score_adj", F_INT, C, oom_score_adj),
      ROW("oom_score_adj_set", F_BOOL, C, oom_score_adj_set),
      ROW("cpu_affinity", F_STR, C, cpu_affinity), ROW("rlimits", F_RLIMITS, C, rlimits),
      ARRAY_ROW("sysctls", C, sysctls, n_sysctls, T_SYSCTL), ROW("ns_uts", F_BOOL, C, ns_uts),
      ROW("ns_ipc", F_BOOL, C, ns_ipc), ROW("ns_cgroup", F_BOOL, C, ns_cgroup),
      ROW("ns_time", F_BOOL, C, ns_time), ENUM_ROW("net", C, net, E_NET, 0),
      ENUM_ROW("userns", C, userns, E_USERNS, -1), ROW("uid_base", F_U32, C, uid_base),
      ROW("uid_count", F_U32, C, uid_count), ROW("caps_set_given", F_BOOL, C, caps.set_given),
      ROW("caps_set", F_U64, C, caps.set), ROW("caps_add", F_U64, C, caps.add),
      ROW("caps_drop", F_U64, C, caps.drop), ROW("caps_ambient", F_U64, C, caps.ambient),
      ROW("seccomp", F_BOOL, C, seccomp.enabled), ROW("seccomp_allow", F_STRV, C, seccomp.allow),
      ROW("seccomp_deny", F_STRV, C, seccomp.deny),
      ROW("seccomp_errno", F_INT, C, seccomp.errno_value),
      ROW("apparmor_profile", F_STR, C, apparmor_profile),
      ROW("apparmor_optional", F_BOOL, C, apparmor_optional),
      ROW("mask_paths", F_STRV, C, mask_paths), ROW("read_only_paths", F_STRV, C, read_only_paths),
      ROW("memory_max", F_U64, C, limits.memory_max),
      ROW("memory_high", F_U64, C, limits.memory_high),
      ROW("memory_swap_max", F_U64, C, limits.memory_swap_max),
      ROW("cpu_quota_ppm", F_U64, C, limits.cpu_quota_ppm),
      ROW("cpu_period_usec", F_U64, C, limits.cpu_period_usec),
      ROW("cpu_weight", F_U64, C, limits.cpu_weight),
      ROW("cpuset_cpus", F_STR, C, limits.cpuset_cpus),
      ROW("cpuset_mems", F_STR, C, limits.cpuset_mems),
      ROW("tasks_max", F_U64, C, limits.tasks_max), ROW("io_weight", F_U64, C, limits.io_weight),
      ARRAY_ROW("io", C, limits.io, limits.n_io, T_IO),
      ROW("cgroup_parent", F_STR, C, limits.parent),
      ARRAY_ROW("mounts", C, mounts, n_mounts, T_MOUNT),
      ARRAY_ROW("devices", C, devices, n_devices, T_DEVICE),
      ARRAY_ROW("hooks", C, hooks, n_hooks, T_HOOK),
      ROW("caps_sets_given", F_BOOL, C, caps.sets_given),
      ROW("caps_bounding", F_U64, C, caps.bounding),
      ROW("caps_effective", F_U64, C, caps.effective),
      ROW("caps_inheritable", F_U64, C, caps.inheritable),
      ROW("caps_permitted", F_U64, C, caps.permitted),
      ROW("seccomp_literal", F_BOOL, C, seccomp.literal),
      ROW("seccomp_default_action", F_U32, C, seccomp.default_action),
      ROW("seccomp_arches", F_STRV, C, seccomp.arches),
      ROW("seccomp_flags", F_STRV, C, seccomp.flags),
      ROW("seccomp_listener_path", F_STR, C, seccomp.listener_path),
      ROW("seccomp_listener_metadata", F_STR, C, seccomp.listener_metadata),
      ARRAY_ROW("seccomp_rules", C, seccomp.rules, seccomp.n_rules, T_SECCOMP_RULE),
      ROW("cgroup_path", F_STR, C, limits.path),
      ROW("memory_swappiness1", F_U64, C, limits.memory_swappiness1),
      ROW("oom_kill_disable", F_BOOL, C, limits.oom_kill_disable),
      ROW("memory_kmem_tcp1", F_U64, C, limits.memory_kmem_tcp1),
      ROW("cpu_shares", F_U64, C, limits.cpu_shares),
      ROW("cpu_burst_usec", F_U64, C, limits.cpu_burst_usec),
      ROW("cpu_rt_runtime1", F_U64, C, limits.cpu_rt_runtime1),
      ROW("cpu_rt_period_usec", F_U64, C, limits.cpu_rt_period_usec),
      ROW("cpu_idle", F_I64, C, limits.cpu_idle),
      ARRAY_ROW("io_weight_devices", C, limits.io_weights, limits.n_io_weights, T_IO_WEIGHT),
      ARRAY_ROW("hugepages", C, limits.hugepages, limits.n_hugepages, T_HUGEPAGE),
      ROW("unified", F_STRV, C, limits.unified),
      ARRAY_ROW("device_rules", C, limits.dev_rules, limits.n_dev_rules, T_DEV_RULE),
      ROW("device_rules_given", F_BOOL, C, limits.dev_rules_given),
      ROW("ns_join_mnt", F_STR, C, ns_join[BOX_NS_MNT]),
      ROW("ns_join_pid", F_STR, C, ns_join[BOX_NS_PID]),
      ROW("ns_join_net", F_STR, C, ns_join[BOX_NS_NET]),
      ROW("ns_join_ipc", F_STR, C, ns_join[BOX_NS_IPC]),
      ROW("ns_join_uts", F_STR, C, ns_join[BOX_NS_UTS]),
      ROW("ns_join_user", F_STR, C, ns_join[BOX_NS_USER]),
      ROW("ns_join_cgroup", F_STR, C, ns_join[BOX_NS_CGROUP]),
      ROW("ns_join_time", F_STR, C, ns_join[BOX_NS_TIME]),
      ROW("ns_pid_host", F_BOOL, C, ns_pid_host),
      ARRAY_ROW("uid_map", C, uid_map, n_uid_map, T_ID_MAP),
      ARRAY_ROW("gid_map", C, gid_map, n_gid_map, T_ID_MAP), ROW("umask", F_INT, C, umask),
      ROW("console_height", F_U32, C, console_height),
      ROW("console_width", F_U32, C, console_width), ROW("sched_set", F_BOOL, C, sched.set),
      ROW("sched_policy", F_INT, C, sched.policy), ROW("sched_nice", F_INT, C, sched.nice),
      ROW("sched_priority", F_INT, C, sched.priority), ROW("sched_flags", F_U64, C, sched.flags),
      ROW("sched_runtime", F_U64, C, sched.runtime),
      ROW("sched_deadline", F_U64, C, sched.deadline), ROW("sched_period", F_U64, C, sched.period),
      ROW("ioprio_class", F_INT, C, ioprio_class), ROW("ioprio_level", F_INT, C, ioprio_level),
      ROW("cpu_affinity_initial", F_STR, C, cpu_affinity_initial),
      ROW("mempolicy_mode1", F_INT, C, mempolicy_mode1),
      ROW("mempolicy_flags", F_U32, C, mempolicy_flags),
      ROW("mempolicy_nodes", F_STR, C, mempolicy_nodes),
      ROW("selinux_label", F_STR, C, selinux_label), ROW("mount_label", F_STR, C, mount_label),
      ROW("domainname", F_STR, C, domainname),
      ROW("rootfs_propagation", F_ULONG, C, rootfs_propagation),
      ROW("time_offset_monotonic_secs", F_I64, C, time_offset_secs[0]),
      ROW("time_offset_boottime_secs", F_I64, C, time_offset_secs[1]),
      ROW("time_offset_monotonic_nsecs", F_U32, C, time_offset_nsecs[0]),
      ROW("time_offset_boottime_nsecs", F_U32, C, time_offset_nsecs[1]),
      ROW("time_offsets_set", F_BOOL, C, time_offsets_set),
      ROW("annotations", F_STRV, C, annotations), ROW("api_listed", F_BOOL, C, api_listed),
      ROW("process_exact", F_BOOL, C, process_exact), ROW("net_veth", F_TRI, C, netcfg.veth),
      ROW("net_bridge", F_STR, C, netcfg.bridge), ROW("net_zone", F_STR, C, netcfg.zone),
      ROW("net_interfaces", F_STRV, C, netcfg.interfaces),
      ROW("net_macvlan", F_STRV, C, netcfg.macvlan), ROW("net_ipvlan", F_STRV, C, netcfg.ipvlan),
      ROW("net_addresses", F_STRV, C, netcfg.addresses),
      ROW("net_masquerade", F_TRI, C, netcfg.masquerade),
      ROW("net_localhost", F_BOOL, C, netcfg.localhost),
      ENUM_ROW("net_resolv_conf", C, netcfg.resolv_conf, E_RESOLV_CONF, 0),
      ARRAY_ROW("net_ports", C, netcfg.ports, netcfg.n_ports, T_PORT));
#undef C

static const struct {
        const char *const *v;
        int n;
} enum_sets[] = {
        [E_MOUNT_TYPE] = {box_mount_type_names, ARRAY_SIZE(box_mount_type_names)},
        [E_HOOK_STAGE] = {box_hook_stage_names, ARRAY_SIZE(box_hook_stage_names)},
        [E_PROTO] = {box_net_proto_names, ARRAY_SIZE(box_net_proto_names)},
        [E_CONSOLE] = {box_console_mode_names, ARRAY_SIZE(box_console_mode_names)},
        [E_NET] = {box_net_mode_names, ARRAY_SIZE(box_net_mode_names)},
        [E_USERNS] = {userns_modes, ARRAY_SIZE(userns_modes)},
        [E_RESOLV_CONF] = {box_resolv_conf_names, ARRAY_SIZE(box_resolv_conf_names)},
};

static const struct table tables[] = {
        [T_ID_MAP] = T(id_map_table),
        [T_IO_WEIGHT] = T(io_weight_table),
        [T_HUGEPAGE] = T(hugepage_table),
        [T_DEV_RULE] = T(dev_rule_table),
        [T_SECCOMP_ARG] = T(seccomp_arg_table),
        [T_SECCOMP_RULE] = T(seccomp_rule_table),
        [T_MOUNT] = T(mount_table),
        [T_DEVICE] = T(device_table),
        [T_HOOK] = T(hook_table),
        [T_SYSCTL] = T(sysctl_table),
        [T_IO] = T(io_table),
        [T_PORT] = T(port_table),
        [T_CONFIG] = T(config_table),
};
static const struct table *const config_table = &tables[T_CONFIG];
#undef T

#define AT(base, f, T) ((T *)((char *)(base) + (f)->off))

/* ---- writing ------------------------------------------------------------------------------ */

/* The text is written straight from the tables: building json-c objects first cost a start
 * ~270 allocations and ~0.2 ms (README "Performance"). It is the text json-c writes with
 * JSON_C_TO_STRING_PLAIN, byte for byte (a unit test holds it to that). */
static void put_lit(struct strbuf *o, const char *s)
{
        strbuf_add(o, s, strlen(s));
}

/* json-c's escaping: the short forms, '/' too, other control characters as \u00XX; bytes from
 * 0x7f up as they are. */
static void put_string(struct strbuf *o, const char *s, size_t n)
{
        static const char plain[] = "\b\n\r\t\f\"\\/", letter[] = "bnrtf\"\\/";
        strbuf_add(o, "\"", 1);
        size_t run = 0;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                const char *e = c ? strchr(plain, c) : NULL;
                if (!e && c >= 0x20)
                        continue;
                char esc[8];
                if (e)
                        snprintf(esc, sizeof(esc), "\\%c", letter[e - plain]);
                else
                        snprintf(esc, sizeof(esc), "\\u00%02x", c);
                strbuf_add(o, s + run, i - run);
                put_lit(o, esc);
                run = i + 1;
        }
        strbuf_add(o, s + run, n - run);
        strbuf_add(o, "\"", 1);
}

static void put_str_or_null(struct strbuf *o, const char *s)
{
        if (s)
                put_string(o, s, strlen(s));
        else
                put_lit(o, "null");
}

static void put_u64(struct strbuf *o, uint64_t v)
{
        char b[24];
        strbuf_add(o, b, (size_t)snprintf(b, sizeof(b), "%" PRIu64, v));
}

static void put_i64(struct strbuf *o, int64_t v)
{
        char b[24];
        strbuf_add(o, b, (size_t)snprintf(b, sizeof(b), "%" PRId64, v));
}

static void put_bool(struct strbuf *o, bool v)
{
        put_lit(o, v ? "true" : "false");
}

/* "key": after a comma unless it is the object's first. */
static void put_key(struct strbuf *o, bool *first, const char *key)
{
        if (!*first)
                strbuf_add(o, ",", 1);
        *first = false;
        put_string(o, key, strlen(key));
        strbuf_add(o, ":", 1);
}

static void put_strv(struct strbuf *o, char *const *v)
{
        if (!v) {
                put_lit(o, "null");
                return;
        }
        strbuf_add(o, "[", 1);
        for (char *const *p = v; *p; p++) {
                if (p != v)
                        strbuf_add(o, ",", 1);
                put_string(o, *p, strlen(*p));
        }
        strbuf_add(o, "]", 1);
}

static void put_rlimits(struct strbuf *o, const struct box_rlimit *r)
{
        bool first = true;
        strbuf_add(o, "{", 1);
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                if (!r[i].set)
                        continue;
                put_key(o, &first, box_rlimit_name(i));
                strbuf_add(o, "[", 1);
                put_u64(o, r[i].value.rlim_cur);
                strbuf_add(o, ",", 1);
                put_u64(o, r[i].value.rlim_max);
                strbuf_add(o, "]", 1);
        }
        strbuf_add(o, "}", 1);
}

static void put_lines(struct strbuf *o, const unsigned *line)
{
        bool first = true;
        strbuf_add(o, "{", 1);
        for (int f = 0; f < _BOX_F_MAX; f++) {
                if (!line[f])
                        continue;
                put_key(o, &first, box_field_generic_name(f));
                put_u64(o, line[f]);
        }
        strbuf_add(o, "}", 1);
}

static void put_struct(struct strbuf *o, const struct table *t, const void *base);

static void put_field(struct strbuf *o, const struct field *f, const void *base)
{
        switch (f->type) {
        case F_STR:
                put_str_or_null(o, *AT(base, f, char *const));
                return;
        case F_STRV:
                put_strv(o, *AT(base, f, char **const));
                return;
        case F_BOOL:
                put_bool(o, *AT(base, f, const bool));
                return;
        case F_TRI: {
                enum box_tristate v = *AT(base, f, const enum box_tristate);
                if (v == BOX_DEFAULT)
                        put_lit(o, "null");
                else
                        put_bool(o, v == BOX_YES);
                return;
        }
        case F_U64: {
                uint64_t v = *AT(base, f, const uint64_t);
                if (v == BOX_LIMIT_UNSET)
                        put_lit(o, "null");
                else
                        put_u64(o, v);
                return;
        }
        case F_U32:
                put_u64(o, *AT(base, f, const uint32_t));
                return;
        case F_INT:
                put_i64(o, *AT(base, f, const int));
                return;
        case F_I64:
                put_i64(o, *AT(base, f, const int64_t));
                return;
        case F_ULONG:
                put_u64(o, *AT(base, f, const unsigned long));
                return;
        case F_MODE:
                put_u64(o, *AT(base, f, const mode_t));
                return;
        case F_CHAR: {
                const char *c = AT(base, f, const char);
                put_string(o, c, *c ? 1 : 0);
                return;
        }
        case F_ENUM: {
                int v = *AT(base, f, const int) - f->enum_base;
                put_str_or_null(o, v >= 0 && v < enum_sets[f->names].n ? enum_sets[f->names].v[v]
                                                                       : NULL);
                return;
        }
        case F_ACCESS:
                put_string(o, AT(base, f, const char), strnlen(AT(base, f, const char), 4));
                return;
        case F_ARRAY: {
                const char *elems = *AT(base, f, const char *const);
                size_t n = *(const size_t *)((const char *)base + f->count);
                const struct table *sub = &tables[f->sub];
                strbuf_add(o, "[", 1);
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                strbuf_add(o, ",", 1);
                        put_struct(o, sub, elems + i * sub->size);
                }
                strbuf_add(o, "]", 1);
                return;
        }
        case F_RLIMITS:
                put_rlimits(o, AT(base, f, const struct box_rlimit));
                return;
        case F_ORIGIN:
                put_u64(o, AT(base, f, const struct box_origin)->line);
                return;
        case F_FRONTEND: {
                const struct box_frontend *fe = *AT(base, f, const struct box_frontend *const);
                put_str_or_null(o, fe ? fe->kind : NULL);
                return;
        }
        case F_LINES:
                put_lines(o, AT(base, f, const unsigned));
                return;
        }
        put_lit(o, "null");
}

/* An object of the table's fields, in its order; the closing brace is the caller's. */
static void put_fields(struct strbuf *o, const struct table *t, const void *base)
{
        bool first = true;
        strbuf_add(o, "{", 1);
        for (size_t i = 0; i < t->n; i++) {
                put_key(o, &first, t->fields[i].key);
                put_field(o, &t->fields[i], base);
        }
}

static void put_struct(struct strbuf *o, const struct table *t, const void *base)
{
        put_fields(o, t, base);
        strbuf_add(o, "}", 1);
}

char *box_config_to_json_string(const struct box_config *c)
{
        struct strbuf o = {0};
        put_fields(&o, config_table, c);
        put_lit(&o, ",\"version\":");
        put_i64(&o, BOX_CONFIG_JSON_VERSION);
        strbuf_add(&o, "}", 1);
        return o.s;
}

struct json_object *box_config_to_json(const struct box_config *c)
{
        _cleanup_free_ char *text = box_config_to_json_string(c);
        struct json_object *o = json_tokener_parse(text);
        if (!o)
                abort(); /* our own text: cannot be */
        return o;
}

/* ---- reading ------------------------------------------------------------------------------ */

struct reader {
        const struct box_config *c; /* for origins */
        const char *what;           /* names the JSON's source in the message */
};

/* Reading stops at the first problem, so this logs once. */
static int _printf_(2, 3) bad(struct reader *r, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s: %s", r->what, msg);
        return -EINVAL;
}

static int get_u64(struct reader *r, const char *key, struct json_object *v, uint64_t max,
                   uint64_t *ret)
{
        if (!json_object_is_type(v, json_type_int))
                return bad(r, "%s: not an integer", key);
        /* json-c keeps integers above INT64_MAX as uint64; negative ones as int64. */
        if (json_object_get_int64(v) < 0)
                return bad(r, "%s: negative", key);
        uint64_t u = json_object_get_uint64(v);
        if (u > max)
                return bad(r, "%s: %llu out of range", key, (unsigned long long)u);
        *ret = u;
        return 0;
}

static int strv_from_json(struct reader *r, const char *key, struct json_object *v, char ***ret)
{
        if (!json_object_is_type(v, json_type_array))
                return bad(r, "%s: not an array", key);
        size_t n = json_object_array_length(v);
        char **s = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string)) {
                        strv_free(s);
                        return bad(r, "%s[%zu]: not a string", key, i);
                }
                s[i] = xstrdup(json_object_get_string(e));
        }
        *ret = s;
        return 0;
}

static int rlimits_from_json(struct reader *r, struct json_object *v, struct box_rlimit *out)
{
        if (!json_object_is_type(v, json_type_object))
                return bad(r, "rlimits: not an object");
        json_object_object_foreach(v, k, val)
        {
                int i = box_rlimit_from_name(k);
                if (i < 0)
                        return bad(r, "rlimits.%s: unknown limit", k);
                uint64_t cur, max;
                if (!json_object_is_type(val, json_type_array) ||
                    json_object_array_length(val) != 2)
                        return bad(r, "rlimits.%s: not [soft, hard]", k);
                int e = get_u64(r, k, json_object_array_get_idx(val, 0), UINT64_MAX, &cur);
                if (e < 0)
                        return e;
                e = get_u64(r, k, json_object_array_get_idx(val, 1), UINT64_MAX, &max);
                if (e < 0)
                        return e;
                out[i] = (struct box_rlimit){.resource = i, .set = true, .value = {cur, max}};
        }
        return 0;
}

static int lines_from_json(struct reader *r, struct json_object *v, unsigned *line)
{
        if (!json_object_is_type(v, json_type_object))
                return bad(r, "field_lines: not an object");
        json_object_object_foreach(v, k, val)
        {
                int f = box_field_from_generic_name(k);
                uint64_t u;
                if (f < 0)
                        return bad(r, "field_lines.%s: unknown field", k);
                int e = get_u64(r, k, val, UINT32_MAX, &u);
                if (e < 0)
                        return e;
                line[f] = (unsigned)u;
        }
        return 0;
}

static int frontend_from_json(struct reader *r, struct json_object *v,
                              const struct box_frontend **ret)
{
        const char *kind =
                json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        const struct box_frontend *fe = kind ? box_frontend_find(kind) : NULL;
        if (!fe)
                return bad(r, "frontend: unknown front-end '%s'", kind ? kind : "");
        *ret = fe;
        return 0;
}

static int struct_from_json(struct reader *r, const struct table *t, struct json_object *o,
                            void *base, const char *where);

/* F_CHAR (one letter) and F_ACCESS (up to three). */
static int letters_from_json(struct reader *r, const struct field *f, struct json_object *v,
                             void *base)
{
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        size_t max = f->type == F_CHAR ? 1 : 3;
        if (!s || strlen(s) > max || (f->type == F_CHAR && strlen(s) != 1))
                return bad(r, "%s: not a string of at most %zu letters", f->key, max);
        if (f->type == F_CHAR)
                *AT(base, f, char) = s[0];
        else
                snprintf(AT(base, f, char), 4, "%s", s);
        return 0;
}

static int enum_from_json(struct reader *r, const struct field *f, struct json_object *v,
                          void *base)
{
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        for (int k = 0; k < enum_sets[f->names].n; k++)
                if (streq(s, enum_sets[f->names].v[k])) {
                        *AT(base, f, int) = k + f->enum_base;
                        return 0;
                }
        return bad(r, "%s: unknown value '%s'", f->key, s);
}

static int array_from_json(struct reader *r, const struct field *f, struct json_object *v,
                           void *base)
{
        if (!json_object_is_type(v, json_type_array))
                return bad(r, "%s: not an array", f->key);
        size_t len = json_object_array_length(v);
        const struct table *sub = &tables[f->sub];
        char *elems = xcalloc(len ? len : 1, sub->size);
        /* Owned by the config from here, so box_config_free() releases a partial read. */
        *AT(base, f, char *) = elems;
        for (size_t i = 0; i < len; i++) {
                *(size_t *)((char *)base + f->count) = i + 1;
                char where[64];
                snprintf(where, sizeof(where), "%s[%zu]", f->key, i);
                int e = struct_from_json(r, sub, json_object_array_get_idx(v, i),
                                         elems + i * sub->size, where);
                if (e < 0)
                        return e;
        }
        return 0;
}

static int field_from_json(struct reader *r, const struct field *f, struct json_object *v,
                           void *base)
{
        uint64_t u;
        int e;

        /* null: the field keeps its default ("unset"). */
        if (!v)
                return f->type == F_TRI || f->type == F_U64 || f->type == F_STR ||
                                       f->type == F_STRV || f->type == F_ENUM ||
                                       f->type == F_FRONTEND
                               ? 0
                               : bad(r, "%s: null", f->key);
        switch (f->type) {
        case F_STR:
                if (!json_object_is_type(v, json_type_string))
                        return bad(r, "%s: not a string", f->key);
                free(*AT(base, f, char *));
                *AT(base, f, char *) = xstrdup(json_object_get_string(v));
                return 0;
        case F_STRV: {
                char **s = NULL;
                if ((e = strv_from_json(r, f->key, v, &s)) < 0)
                        return e;
                strv_free(*AT(base, f, char **));
                *AT(base, f, char **) = s;
                return 0;
        }
        case F_BOOL:
        case F_TRI:
                if (!json_object_is_type(v, json_type_boolean))
                        return bad(r, "%s: not a boolean", f->key);
                if (f->type == F_BOOL)
                        *AT(base, f, bool) = json_object_get_boolean(v);
                else
                        *AT(base, f, enum box_tristate) =
                                json_object_get_boolean(v) ? BOX_YES : BOX_NO;
                return 0;
        case F_U64:
                if ((e = get_u64(r, f->key, v, BOX_LIMIT_UNSET - 1, &u)) < 0)
                        return e;
                *AT(base, f, uint64_t) = u;
                return 0;
        case F_U32:
        case F_ORIGIN:
                if ((e = get_u64(r, f->key, v, UINT32_MAX, &u)) < 0)
                        return e;
                if (f->type == F_U32)
                        *AT(base, f, uint32_t) = (uint32_t)u;
                else
                        *AT(base, f, struct box_origin) =
                                (struct box_origin){r->c->source_file, (unsigned)u};
                return 0;
        case F_INT:
                if (!json_object_is_type(v, json_type_int))
                        return bad(r, "%s: not an integer", f->key);
                int64_t n = json_object_get_int64(v);
                if (n < INT32_MIN || n > INT32_MAX)
                        return bad(r, "%s: out of range", f->key);
                *AT(base, f, int) = (int)n;
                return 0;
        case F_I64:
                if (!json_object_is_type(v, json_type_int))
                        return bad(r, "%s: not an integer", f->key);
                *AT(base, f, int64_t) = json_object_get_int64(v);
                return 0;
        case F_ULONG:
        case F_MODE:
                if ((e = get_u64(r, f->key, v, f->type == F_MODE ? 07777 : ULONG_MAX, &u)) < 0)
                        return e;
                if (f->type == F_ULONG)
                        *AT(base, f, unsigned long) = (unsigned long)u;
                else
                        *AT(base, f, mode_t) = (mode_t)u;
                return 0;
        case F_CHAR:
        case F_ACCESS:
                return letters_from_json(r, f, v, base);
        case F_ENUM:
                return enum_from_json(r, f, v, base);
        case F_ARRAY:
                return array_from_json(r, f, v, base);
        case F_RLIMITS:
                return rlimits_from_json(r, v, AT(base, f, struct box_rlimit));
        case F_FRONTEND:
                return frontend_from_json(r, v, AT(base, f, const struct box_frontend *));
        case F_LINES:
                return lines_from_json(r, v, AT(base, f, unsigned));
        }
        return bad(r, "%s: unhandled field", f->key);
}

static int struct_from_json(struct reader *r, const struct table *t, struct json_object *o,
                            void *base, const char *where)
{
        if (!json_object_is_type(o, json_type_object))
                return bad(r, "%s: not an object", where);
        json_object_object_foreach(o, key, val)
        {
                const struct field *f = NULL;
                for (size_t i = 0; i < t->n && !f; i++)
                        if (streq(t->fields[i].key, key))
                                f = &t->fields[i];
                /* version and source_file are read first, by box_config_from_json(). */
                if (t == config_table && (streq(key, "version") || streq(key, "source_file")))
                        continue;
                if (!f)
                        return bad(r, "%s: unknown key '%s'", where, key);
                int e = field_from_json(r, f, val, base);
                if (e < 0)
                        return e;
        }
        return 0;
}

int box_config_from_json(struct json_object *o, const char *what, struct box_config *c)
{
        struct reader r = {.c = c, .what = what};
        struct json_object *v;
        if (!json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex(o, "version", &v) ||
            !json_object_is_type(v, json_type_int) ||
            json_object_get_int(v) != BOX_CONFIG_JSON_VERSION)
                return bad(&r, "not a box configuration of version %d", BOX_CONFIG_JSON_VERSION);
        /* source_file first: the origins read below point into it. */
        if (json_object_object_get_ex(o, "source_file", &v)) {
                int e = field_from_json(&r, &config_table->fields[0], v, c);
                if (e < 0)
                        return e;
        }
        return struct_from_json(&r, config_table, o, c, "config");
}

int box_config_from_json_string(const char *text, const char *what, struct box_config *c)
{
        enum json_tokener_error je;
        struct json_object *o = json_tokener_parse_verbose(text, &je);
        if (!o) {
                log_error("%s: invalid JSON: %s", what, json_tokener_error_desc(je));
                return -EINVAL;
        }
        int r = box_config_from_json(o, what, c);
        json_object_put(o);
        return r;
}
