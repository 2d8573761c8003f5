/* keys.c - THE key table of the .box format: every key with its section, the config field it
 * fills, its setter and where that writes (systemd-nspawn's settings table is the model). The
 * reader, the unknown-key check, box_file_section_keys() and the field describer that spells
 * fields for messages ("[Limits] MemoryMax") all read this one table. Keep it in step with
 * docs/boxlaunch.box.5. */
#include "frontend/box/box.h"
#include "frontend/box/keys.h"

#include "core/names.h"

/* The setters, by index (struct box_key holds the index). */
// clang-format off
#define BOX_SETTERS(X) \
        X(set_abs_path) \
        X(set_argv) \
        X(set_bool) \
        X(set_box_name) \
        X(set_caps) \
        X(set_cgroup_parent) \
        X(set_cpu_list) \
        X(set_cpu_period) \
        X(set_cpu_quota) \
        X(set_device_access) \
        X(set_device_mode) \
        X(set_device_number) \
        X(set_device_path) \
        X(set_device_type) \
        X(set_directory) \
        X(set_enum) \
        X(set_env) \
        X(set_errno) \
        X(set_groups) \
        X(set_hook_command) \
        X(set_hostname) \
        X(set_ifname) \
        X(set_ifname_list) \
        X(set_io_max) \
        X(set_ip_address) \
        X(set_kill_signal) \
        X(set_lower_dirs) \
        X(set_mount_options) \
        X(set_mount_target) \
        X(set_net_addresses) \
        X(set_oom_score) \
        X(set_path_list) \
        X(set_personality) \
        X(set_port_number) \
        X(set_propagation) \
        X(set_rlimit) \
        X(set_size) \
        X(set_string) \
        X(set_syscall_filter) \
        X(set_sysctl) \
        X(set_tasks) \
        X(set_timespan) \
        X(set_tristate) \
        X(set_user_name) \
        X(set_userns) \
        X(set_weight) \
        X(set_zone)
// clang-format on
#define SETTER_ID(s) S_##s,
#define SETTER_FN(s) s,
enum { BOX_SETTERS(SETTER_ID) };
static const box_setter setters[] = {BOX_SETTERS(SETTER_FN)};

int box_key_set(const struct box_key *k, struct fill *f, void *dst, const char *v)
{
        return setters[k->set](f, dst, v);
}

#define KEY(s, k, f, setter, off, ...)                                                             \
        {                                                                                          \
                .section = s, .key = k, .field = f, .set = S_##setter,                             \
                .offset = (off) + FITS(s, sizeof(((struct box_key *)0)->section)) +                \
                          FITS(k, sizeof(((struct box_key *)0)->key)),                             \
                __VA_ARGS__                                                                        \
        }
#define C(m)  offsetof(struct box_config, m)
#define M(m)  offsetof(struct box_mount, m)
#define D(m)  offsetof(struct box_device, m)
#define H(m)  offsetof(struct box_hook, m)
#define IO(m) ((int)offsetof(struct box_io_limit, m))
#define N(m)  offsetof(struct box_config, netcfg.m)
#define P(m)  offsetof(struct box_port, m)
/* LimitCPU= ... LimitRTTIME=, named after core's list of resources. */
#define RLIMIT_KEY(n)                                                                              \
        KEY("Exec", "Limit" #n, BOX_F_RLIMIT + RLIMIT_##n, set_rlimit, C(rlimits[RLIMIT_##n]),     \
            .arg = RLIMIT_##n),

static const struct box_key keys[] = {
        KEY("Box", "Name", BOX_F_NAME, set_box_name, C(name)),
        KEY("Box", "Directory", BOX_F_ROOT, set_directory, C(root)),
        KEY("Box", "ReadOnly", BOX_F_READ_ONLY, set_bool, C(read_only)),
        KEY("Box", "Hostname", BOX_F_HOSTNAME, set_hostname, C(hostname)),
        KEY("Box", "Ephemeral", BOX_F_EPHEMERAL, set_bool, C(ephemeral)),
        KEY("Exec", "Command", BOX_F_ARGV, set_argv, C(argv)),
        KEY("Exec", "Boot", BOX_F_BOOT, set_bool, C(boot)),
        KEY("Exec", "Init", BOX_F_INIT, set_tristate, C(init)),
        KEY("Exec", "User", BOX_F_USER, set_user_name, C(user)),
        KEY("Exec", "Group", BOX_F_GROUP, set_user_name, C(group), .arg = 1),
        KEY("Exec", "SupplementaryGroups", BOX_F_SUPPLEMENTARY_GROUPS, set_groups,
            C(supplementary_groups)),
        KEY("Exec", "WorkingDirectory", BOX_F_CWD, set_abs_path, C(cwd)),
        KEY("Exec", "Environment", BOX_F_ENV, set_env, C(env)),
        KEY("Exec", "KillSignal", BOX_F_KILL_SIGNAL, set_kill_signal, C(kill_signal)),
        KEY("Exec", "StopTimeout", BOX_F_STOP_TIMEOUT, set_timespan, C(stop_timeout_usec)),
        KEY("Exec", "Console", BOX_F_CONSOLE, set_enum, C(console), .arg = BOX_ENUM_CONSOLE),
        KEY("Exec", "NotifyReady", BOX_F_NOTIFY_READY, set_bool, C(notify_ready)),
        KEY("Exec", "NoNewPrivileges", BOX_F_NO_NEW_PRIVILEGES, set_tristate, C(no_new_privileges)),
        KEY("Exec", "Personality", BOX_F_PERSONALITY, set_personality, C(personality)),
        KEY("Exec", "OOMScoreAdjust", BOX_F_OOM_SCORE_ADJ, set_oom_score, C(oom_score_adj)),
        KEY("Exec", "CPUAffinity", BOX_F_CPU_AFFINITY, set_cpu_list, C(cpu_affinity)),
        KEY("Exec", "Sysctl", BOX_F_SYSCTL, set_sysctl, C(sysctls)),
        BOX_RLIMITS(RLIMIT_KEY)
                KEY("Namespaces", "Network", BOX_F_NS_NET, set_enum, C(net), .arg = BOX_ENUM_NET),
        KEY("Namespaces", "User", BOX_F_NS_USER, set_userns, C(userns)),
        KEY("Namespaces", "UTS", BOX_F_NS_UTS, set_bool, C(ns_uts)),
        KEY("Namespaces", "IPC", BOX_F_NS_IPC, set_bool, C(ns_ipc)),
        KEY("Namespaces", "Cgroup", BOX_F_NS_CGROUP, set_bool, C(ns_cgroup)),
        KEY("Namespaces", "Time", BOX_F_NS_TIME, set_bool, C(ns_time)),
        KEY("Capabilities", "Add", BOX_F_CAPS_ADD, set_caps, C(caps.add)),
        KEY("Capabilities", "Drop", BOX_F_CAPS_DROP, set_caps, C(caps.drop)),
        KEY("Capabilities", "Set", BOX_F_CAPS_SET, set_caps, C(caps.set), .arg = 1),
        KEY("Capabilities", "Ambient", BOX_F_CAPS_AMBIENT, set_caps, C(caps.ambient)),
        KEY("Security", "SystemCallFilter", BOX_F_SECCOMP_FILTER, set_syscall_filter, C(seccomp)),
        KEY("Security", "SystemCallErrorNumber", BOX_F_SECCOMP_ERRNO, set_errno,
            C(seccomp.errno_value)),
        KEY("Security", "Seccomp", BOX_F_SECCOMP, set_bool, C(seccomp.enabled)),
        KEY("Security", "AppArmorProfile", BOX_F_APPARMOR_PROFILE, set_string, C(apparmor_profile)),
        KEY("Security", "AppArmorOptional", BOX_F_APPARMOR_OPTIONAL, set_bool,
            C(apparmor_optional)),
        KEY("Security", "MaskPaths", BOX_F_MASK_PATHS, set_path_list, C(mask_paths)),
        KEY("Security", "ReadOnlyPaths", BOX_F_READ_ONLY_PATHS, set_path_list, C(read_only_paths)),
        KEY("Limits", "MemoryMax", BOX_F_MEMORY_MAX, set_size, C(limits.memory_max)),
        KEY("Limits", "MemoryHigh", BOX_F_MEMORY_HIGH, set_size, C(limits.memory_high)),
        KEY("Limits", "MemorySwapMax", BOX_F_MEMORY_SWAP_MAX, set_size, C(limits.memory_swap_max)),
        KEY("Limits", "CPUQuota", BOX_F_CPU_QUOTA, set_cpu_quota, C(limits.cpu_quota_ppm)),
        KEY("Limits", "CPUQuotaPeriodSec", BOX_F_CPU_PERIOD, set_cpu_period,
            C(limits.cpu_period_usec)),
        KEY("Limits", "CPUWeight", BOX_F_CPU_WEIGHT, set_weight, C(limits.cpu_weight)),
        KEY("Limits", "AllowedCPUs", BOX_F_CPUSET_CPUS, set_cpu_list, C(limits.cpuset_cpus)),
        KEY("Limits", "AllowedMemoryNodes", BOX_F_CPUSET_MEMS, set_cpu_list, C(limits.cpuset_mems),
            .arg = 1),
        KEY("Limits", "TasksMax", BOX_F_TASKS_MAX, set_tasks, C(limits.tasks_max)),
        KEY("Limits", "IOWeight", BOX_F_IO_WEIGHT, set_weight, C(limits.io_weight)),
        KEY("Limits", "IOReadBandwidthMax", BOX_F_IO_READ_BPS, set_io_max, C(limits),
            .arg = IO(rbps)),
        KEY("Limits", "IOWriteBandwidthMax", BOX_F_IO_WRITE_BPS, set_io_max, C(limits),
            .arg = IO(wbps)),
        KEY("Limits", "IOReadIOPSMax", BOX_F_IO_READ_IOPS, set_io_max, C(limits), .arg = IO(riops)),
        KEY("Limits", "IOWriteIOPSMax", BOX_F_IO_WRITE_IOPS, set_io_max, C(limits),
            .arg = IO(wiops)),
        KEY("Limits", "Parent", BOX_F_CGROUP_PARENT, set_cgroup_parent, C(limits.parent)),
        KEY("Mount", "Type", BOX_F_MOUNT_TYPE, set_enum, M(type), .arg = BOX_ENUM_MOUNT_TYPE),
        KEY("Mount", "Source", BOX_F_MOUNT_SOURCE, set_abs_path, M(source)),
        KEY("Mount", "Target", BOX_F_MOUNT_TARGET, set_mount_target, M(target)),
        KEY("Mount", "Options", BOX_F_MOUNT_OPTIONS, set_mount_options, 0),
        KEY("Mount", "Propagation", BOX_F_MOUNT_PROPAGATION, set_propagation, M(propagation)),
        KEY("Mount", "Optional", BOX_F_MOUNT_OPTIONAL, set_bool, M(optional)),
        KEY("Mount", "LowerDirs", BOX_F_MOUNT_LOWER, set_lower_dirs, M(lower)),
        KEY("Mount", "UpperDir", BOX_F_MOUNT_UPPER, set_abs_path, M(upper)),
        KEY("Mount", "WorkDir", BOX_F_MOUNT_WORK, set_abs_path, M(work)),
        KEY("Device", "Path", BOX_F_DEVICE_PATH, set_device_path, D(path)),
        KEY("Device", "Type", BOX_F_DEVICE_TYPE, set_device_type, D(type)),
        KEY("Device", "Number", BOX_F_DEVICE_NUMBER, set_device_number, 0),
        KEY("Device", "Access", BOX_F_DEVICE_ACCESS, set_device_access, D(access)),
        KEY("Device", "Mode", BOX_F_DEVICE_MODE, set_device_mode, D(mode)),
        KEY("Hook", "Stage", BOX_F_HOOK_STAGE, set_enum, H(stage), .arg = BOX_ENUM_HOOK_STAGE),
        KEY("Hook", "Command", BOX_F_HOOK_COMMAND, set_hook_command, H(argv)),
        KEY("Hook", "Environment", BOX_F_HOOK_ENV, set_env, H(env)),
        KEY("Hook", "Timeout", BOX_F_HOOK_TIMEOUT, set_timespan, H(timeout_usec)),
        KEY("Network", "VirtualEthernet", BOX_F_NET_VETH, set_tristate, N(veth)),
        KEY("Network", "Bridge", BOX_F_NET_BRIDGE, set_ifname, N(bridge)),
        KEY("Network", "Zone", BOX_F_NET_ZONE, set_zone, N(zone)),
        KEY("Network", "Interface", BOX_F_NET_INTERFACE, set_ifname_list, N(interfaces)),
        KEY("Network", "NamespacePath", BOX_F_NS_JOIN, set_abs_path, C(ns_join[BOX_NS_NET])),
        KEY("Network", "MACVLAN", BOX_F_NET_MACVLAN, set_ifname_list, N(macvlan)),
        KEY("Network", "IPVLAN", BOX_F_NET_IPVLAN, set_ifname_list, N(ipvlan)),
        KEY("Network", "Address", BOX_F_NET_ADDRESS, set_net_addresses, N(addresses)),
        KEY("Network", "Masquerade", BOX_F_NET_MASQUERADE, set_tristate, N(masquerade)),
        KEY("Network", "Localhost", BOX_F_NET_LOCALHOST, set_bool, N(localhost)),
        KEY("Network", "ResolvConf", BOX_F_NET_RESOLV_CONF, set_enum, N(resolv_conf),
            .arg = BOX_ENUM_RESOLV_CONF),
        KEY("Port", "Protocol", BOX_F_PORT_PROTOCOL, set_enum, P(protocol), .arg = BOX_ENUM_PROTO),
        KEY("Port", "HostAddress", BOX_F_PORT_HOST_ADDRESS, set_ip_address, P(host_address)),
        KEY("Port", "HostPort", BOX_F_PORT_HOST_PORT, set_port_number, P(host_port)),
        KEY("Port", "BoxPort", BOX_F_PORT_BOX_PORT, set_port_number, P(box_port)),
};

const struct box_key *box_key_find(const char *section, const char *key)
{
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
                if (streq(keys[i].section, section) && strcaseeq(keys[i].key, key))
                        return &keys[i];
        return NULL;
}

const char *const *box_file_section_keys(const char *section)
{
        /* Made on first use (messages and tests only), kept for the process: 9 KiB of static
         * storage would share pages with variables every supervisor writes. */
        typedef const char *list_t[ARRAY_SIZE(keys) + 1];
        enum { N = ARRAY_SIZE(box_singleton_sections) + ARRAY_SIZE(box_labelled_sections) };
        static list_t *lists;
        if (!lists)
                lists = xcalloc(N, sizeof(*lists));
        const char *all[N];
        size_t n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(box_singleton_sections); i++)
                all[n++] = box_singleton_sections[i];
        for (size_t i = 0; i < ARRAY_SIZE(box_labelled_sections); i++)
                all[n++] = box_labelled_sections[i];
        for (size_t i = 0; i < n; i++) {
                if (!strcaseeq(all[i], section))
                        continue;
                size_t k = 0;
                for (size_t j = 0; j < ARRAY_SIZE(keys); j++)
                        if (streq(keys[j].section, all[i]))
                                lists[i][k++] = keys[j].key;
                lists[i][k] = NULL;
                return lists[i];
        }
        return NULL;
}

/* Unknown keys are reported with the nearest known key of the same section. */
bool box_keys_check(struct scan *s)
{
        bool ok = true;
        for (size_t i = 0; i < s->n_sec; i++) {
                struct scan_section *sec = &s->sec[i];
                if (!sec->type)
                        continue;
                for (size_t j = 0; j < sec->n_kv; j++) {
                        const char *k = sec->kv[j].key;
                        if (box_key_find(sec->type, k))
                                continue;
                        const char *const *known = box_file_section_keys(sec->type);
                        const char *m = scan_best_match(k, known, strv_length((char **)known));
                        /* A key of another section is a common slip: say where it lives. */
                        const char *elsewhere = NULL;
                        for (size_t x = 0; x < ARRAY_SIZE(keys) && !elsewhere; x++)
                                if (strcaseeq(keys[x].key, k))
                                        elsewhere = keys[x].section;
                        if (elsewhere)
                                scan_error(s, sec->kv[j].line,
                                           "unknown key '%s' in [%s]; it belongs in [%s]", k,
                                           sec->raw, elsewhere);
                        else if (m)
                                scan_error(s, sec->kv[j].line,
                                           "unknown key '%s' in [%s]; did you mean '%s'?", k,
                                           sec->raw, m);
                        else
                                scan_error(s, sec->kv[j].line, "unknown key '%s' in [%s]", k,
                                           sec->raw);
                        ok = false;
                }
        }
        return ok;
}

/* ---- the describer ------------------------------------------------------------------------- */

/* "[Limits] MemoryMax", "[Mount data] Target", "[Mount data]" for a whole item. */
static const char *field_name(enum box_field f, const char *item, char *buf, size_t n)
{
        const char *whole = f == BOX_F_MOUNT    ? "Mount"
                            : f == BOX_F_DEVICE ? "Device"
                            : f == BOX_F_HOOK   ? "Hook"
                            : f == BOX_F_PORT   ? "Port"
                                                : NULL;
        if (whole) {
                snprintf(buf, n, "[%s%s%s]", whole, item ? " " : "", item ? item : "");
                return buf;
        }
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
                if (keys[i].field != f)
                        continue;
                snprintf(buf, n, "[%s%s%s] %s", keys[i].section, item ? " " : "", item ? item : "",
                         keys[i].key);
                return buf;
        }
        snprintf(buf, n, "%s", box_field_generic_name(f));
        return buf;
}

const struct box_frontend box_file_frontend = {.kind = "box", .field_name = field_name};

/* So that a config read back from the state file finds this describer by its kind. */
static void __attribute__((constructor)) register_frontend(void)
{
        box_frontend_register(&box_file_frontend);
}
