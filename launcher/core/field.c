/* field.c - generic field names, the front-ends' describers and where a field's value came
 * from. */
#include "core/config.h"
#include "core/names.h"

/* An array, not pointers: not relocated at start (README "Performance"). */
// clang-format off
static const char generic[_BOX_F_MAX][26] = {
        [BOX_F_NONE] = "config",
        [BOX_F_NAME] = "name",
        [BOX_F_ROOT] = "root",
        [BOX_F_READ_ONLY] = "read_only",
        [BOX_F_HOSTNAME] = "hostname",
        [BOX_F_EPHEMERAL] = "ephemeral",
        [BOX_F_ARGV] = "argv",
        [BOX_F_ENV] = "env",
        [BOX_F_USER] = "user",
        [BOX_F_GROUP] = "group",
        [BOX_F_SUPPLEMENTARY_GROUPS] = "supplementary_groups",
        [BOX_F_CWD] = "cwd",
        [BOX_F_BOOT] = "boot",
        [BOX_F_INIT] = "init",
        [BOX_F_KILL_SIGNAL] = "kill_signal",
        [BOX_F_STOP_TIMEOUT] = "stop_timeout",
        [BOX_F_CONSOLE] = "console",
        [BOX_F_NOTIFY_READY] = "notify_ready",
        [BOX_F_NO_NEW_PRIVILEGES] = "no_new_privileges",
        [BOX_F_PERSONALITY] = "personality",
        [BOX_F_OOM_SCORE_ADJ] = "oom_score_adj",
        [BOX_F_CPU_AFFINITY] = "cpu_affinity",
        [BOX_F_SYSCTL] = "sysctls",
        [BOX_F_NS_NET] = "net",
        [BOX_F_NS_USER] = "userns",
        [BOX_F_NS_UTS] = "ns_uts",
        [BOX_F_NS_IPC] = "ns_ipc",
        [BOX_F_NS_CGROUP] = "ns_cgroup",
        [BOX_F_NS_TIME] = "ns_time",
        [BOX_F_CAPS_SET] = "caps_set",
        [BOX_F_CAPS_ADD] = "caps_add",
        [BOX_F_CAPS_DROP] = "caps_drop",
        [BOX_F_CAPS_AMBIENT] = "caps_ambient",
        [BOX_F_SECCOMP] = "seccomp",
        [BOX_F_SECCOMP_FILTER] = "seccomp_allow",
        [BOX_F_SECCOMP_ERRNO] = "seccomp_errno",
        [BOX_F_APPARMOR_PROFILE] = "apparmor_profile",
        [BOX_F_APPARMOR_OPTIONAL] = "apparmor_optional",
        [BOX_F_MASK_PATHS] = "mask_paths",
        [BOX_F_READ_ONLY_PATHS] = "read_only_paths",
        [BOX_F_MEMORY_MAX] = "memory_max",
        [BOX_F_MEMORY_HIGH] = "memory_high",
        [BOX_F_MEMORY_SWAP_MAX] = "memory_swap_max",
        [BOX_F_CPU_QUOTA] = "cpu_quota",
        [BOX_F_CPU_PERIOD] = "cpu_period",
        [BOX_F_CPU_WEIGHT] = "cpu_weight",
        [BOX_F_CPUSET_CPUS] = "cpuset_cpus",
        [BOX_F_CPUSET_MEMS] = "cpuset_mems",
        [BOX_F_TASKS_MAX] = "tasks_max",
        [BOX_F_IO_WEIGHT] = "io_weight",
        [BOX_F_IO_READ_BPS] = "io.rbps",
        [BOX_F_IO_WRITE_BPS] = "io.wbps",
        [BOX_F_IO_READ_IOPS] = "io.riops",
        [BOX_F_IO_WRITE_IOPS] = "io.wiops",
        [BOX_F_CGROUP_PARENT] = "cgroup_parent",
        [BOX_F_MOUNT] = "mounts",
        [BOX_F_MOUNT_TYPE] = "mounts.type",
        [BOX_F_MOUNT_SOURCE] = "mounts.source",
        [BOX_F_MOUNT_TARGET] = "mounts.target",
        [BOX_F_MOUNT_OPTIONS] = "mounts.flags",
        [BOX_F_MOUNT_PROPAGATION] = "mounts.propagation",
        [BOX_F_MOUNT_OPTIONAL] = "mounts.optional",
        [BOX_F_MOUNT_LOWER] = "mounts.lower",
        [BOX_F_MOUNT_UPPER] = "mounts.upper",
        [BOX_F_MOUNT_WORK] = "mounts.work",
        [BOX_F_DEVICE] = "devices",
        [BOX_F_DEVICE_PATH] = "devices.path",
        [BOX_F_DEVICE_TYPE] = "devices.type",
        [BOX_F_DEVICE_NUMBER] = "devices.major",
        [BOX_F_DEVICE_ACCESS] = "devices.access",
        [BOX_F_DEVICE_MODE] = "devices.mode",
        [BOX_F_HOOK] = "hooks",
        [BOX_F_HOOK_STAGE] = "hooks.stage",
        [BOX_F_HOOK_COMMAND] = "hooks.argv",
        [BOX_F_HOOK_ENV] = "hooks.env",
        [BOX_F_HOOK_TIMEOUT] = "hooks.timeout_usec",
        [BOX_F_NET_VETH] = "net.veth",
        [BOX_F_NET_BRIDGE] = "net.bridge",
        [BOX_F_NET_ZONE] = "net.zone",
        [BOX_F_NET_INTERFACE] = "net.interfaces",
        [BOX_F_NET_MACVLAN] = "net.macvlan",
        [BOX_F_NET_IPVLAN] = "net.ipvlan",
        [BOX_F_NET_ADDRESS] = "net.addresses",
        [BOX_F_NET_MASQUERADE] = "net.masquerade",
        [BOX_F_NET_LOCALHOST] = "net.localhost",
        [BOX_F_NET_RESOLV_CONF] = "net.resolv_conf",
        [BOX_F_PORT] = "net.ports",
        [BOX_F_PORT_PROTOCOL] = "net.ports.protocol",
        [BOX_F_PORT_HOST_ADDRESS] = "net.ports.host_address",
        [BOX_F_PORT_HOST_PORT] = "net.ports.host_port",
        [BOX_F_PORT_BOX_PORT] = "net.ports.box_port",
        [BOX_F_NS_JOIN] = "ns_join",
        [BOX_F_NS_PID] = "ns_pid_host",
        [BOX_F_UID_MAP] = "uid_map",
        [BOX_F_GID_MAP] = "gid_map",
        [BOX_F_UMASK] = "umask",
        [BOX_F_CONSOLE_SIZE] = "console_size",
        [BOX_F_SCHEDULER] = "scheduler",
        [BOX_F_IO_PRIORITY] = "io_priority",
        [BOX_F_CPU_AFFINITY_INITIAL] = "cpu_affinity_initial",
        [BOX_F_SELINUX_LABEL] = "selinux_label",
        [BOX_F_MOUNT_LABEL] = "mount_label",
        [BOX_F_DOMAINNAME] = "domainname",
        [BOX_F_ROOTFS_PROPAGATION] = "rootfs_propagation",
        [BOX_F_TIME_OFFSETS] = "time_offsets",
        [BOX_F_ANNOTATIONS] = "annotations",
        [BOX_F_CAPS_BOUNDING] = "caps_bounding",
        [BOX_F_CAPS_EFFECTIVE] = "caps_effective",
        [BOX_F_CAPS_INHERITABLE] = "caps_inheritable",
        [BOX_F_CAPS_PERMITTED] = "caps_permitted",
        [BOX_F_SECCOMP_RULES] = "seccomp_rules",
        [BOX_F_MEMORY_SWAPPINESS] = "memory_swappiness",
        [BOX_F_OOM_KILL_DISABLE] = "oom_kill_disable",
        [BOX_F_MEMORY_KMEM_TCP] = "memory_kmem_tcp",
        [BOX_F_CPU_SHARES] = "cpu_shares",
        [BOX_F_CPU_BURST] = "cpu_burst",
        [BOX_F_CPU_RT_RUNTIME] = "cpu_rt_runtime",
        [BOX_F_CPU_RT_PERIOD] = "cpu_rt_period",
        [BOX_F_CPU_IDLE] = "cpu_idle",
        [BOX_F_IO_WEIGHT_DEVICE] = "io_weight_device",
        [BOX_F_HUGEPAGES] = "hugepages",
        [BOX_F_UNIFIED] = "unified",
        [BOX_F_DEVICE_RULES] = "device_rules",
        [BOX_F_CGROUP_PATH] = "cgroup_path",
        [BOX_F_MOUNT_FSTYPE] = "mounts.fstype",
        [BOX_F_MOUNT_IDMAP] = "mounts.idmap",
        [BOX_F_HOOK_PATH] = "hooks.path",
        [BOX_F_MEMORY_POLICY] = "memory_policy",
#define RLIMIT_FIELD(n) [BOX_F_RLIMIT + RLIMIT_##n] = "rlimits.RLIMIT_" #n,
        BOX_RLIMITS(RLIMIT_FIELD)
#undef RLIMIT_FIELD
};
// clang-format on

const char *box_field_generic_name(enum box_field f)
{
        return f < _BOX_F_MAX && *generic[f] ? generic[f] : "config";
}

int box_field_from_generic_name(const char *name)
{
        for (int f = 0; f < _BOX_F_MAX; f++)
                if (*generic[f] && streq(generic[f], name))
                        return f;
        return -EINVAL;
}

/* Two front-ends today (.box, OCI); room for a few more. */
static const struct box_frontend *frontends[8];

void box_frontend_register(const struct box_frontend *fe)
{
        for (size_t i = 0; i < ARRAY_SIZE(frontends); i++) {
                if (frontends[i] && streq(frontends[i]->kind, fe->kind))
                        return;
                if (!frontends[i]) {
                        frontends[i] = fe;
                        return;
                }
        }
}

const struct box_frontend *box_frontend_find(const char *kind)
{
        for (size_t i = 0; i < ARRAY_SIZE(frontends) && frontends[i]; i++)
                if (streq(frontends[i]->kind, kind))
                        return frontends[i];
        return NULL;
}

void box_config_set_origin(struct box_config *c, enum box_field f, unsigned line)
{
        if (f < _BOX_F_MAX)
                c->field_line[f] = line;
}

const char *box_config_field_name(const struct box_config *c, enum box_field f, const char *item,
                                  char *buf, size_t n)
{
        if (c->frontend && c->frontend->field_name)
                return c->frontend->field_name(f, item, buf, n);
        if (item)
                snprintf(buf, n, "%s[%s]", box_field_generic_name(f), item);
        else
                snprintf(buf, n, "%s", box_field_generic_name(f));
        return buf;
}

const char *box_config_where(const struct box_config *c, enum box_field f, const char *item,
                             unsigned item_line, char *buf, size_t n)
{
        char name[256];
        const char *what = box_config_field_name(c, f, item, name, sizeof(name));
        unsigned line = item_line ? item_line : f < _BOX_F_MAX ? c->field_line[f] : 0;
        if (c->source_file && line)
                snprintf(buf, n, "%s:%u: %s", c->source_file, line, what);
        else if (c->source_file)
                snprintf(buf, n, "%s: %s", c->source_file, what);
        else
                snprintf(buf, n, "%s", what);
        return buf;
}
