/* names.c - the OCI describer (field.h): a config field by its config.json path, so that a
 * message from any layer reads "config.json: linux.resources.memory.limit: ...". */
#include "frontend/oci/oci.h"

#include "core/names.h"

/* Arrays, not pointers: neither table is relocated at start (README "Performance"). */
static const char paths[_BOX_F_MAX][48] = {
        [BOX_F_NONE] = "config.json",
        [BOX_F_NAME] = "(container id)",
        [BOX_F_ROOT] = "root.path",
        [BOX_F_READ_ONLY] = "root.readonly",
        [BOX_F_HOSTNAME] = "hostname",
        [BOX_F_ARGV] = "process.args",
        [BOX_F_ENV] = "process.env",
        [BOX_F_USER] = "process.user.uid",
        [BOX_F_GROUP] = "process.user.gid",
        [BOX_F_SUPPLEMENTARY_GROUPS] = "process.user.additionalGids",
        [BOX_F_CWD] = "process.cwd",
        [BOX_F_CONSOLE] = "process.terminal",
        [BOX_F_NO_NEW_PRIVILEGES] = "process.noNewPrivileges",
        [BOX_F_PERSONALITY] = "linux.personality",
        [BOX_F_OOM_SCORE_ADJ] = "process.oomScoreAdj",
        [BOX_F_CPU_AFFINITY] = "process.execCPUAffinity.final",
        [BOX_F_SYSCTL] = "linux.sysctl",
        [BOX_F_NS_NET] = "linux.namespaces (network)",
        [BOX_F_NS_USER] = "linux.namespaces (user)",
        [BOX_F_NS_UTS] = "linux.namespaces (uts)",
        [BOX_F_NS_IPC] = "linux.namespaces (ipc)",
        [BOX_F_NS_CGROUP] = "linux.namespaces (cgroup)",
        [BOX_F_NS_TIME] = "linux.namespaces (time)",
        [BOX_F_CAPS_SET] = "process.capabilities",
        [BOX_F_CAPS_ADD] = "process.capabilities",
        [BOX_F_CAPS_DROP] = "process.capabilities",
        [BOX_F_CAPS_AMBIENT] = "process.capabilities.ambient",
        [BOX_F_SECCOMP] = "linux.seccomp",
        [BOX_F_SECCOMP_FILTER] = "linux.seccomp.syscalls",
        [BOX_F_SECCOMP_ERRNO] = "linux.seccomp.defaultErrnoRet",
        [BOX_F_APPARMOR_PROFILE] = "process.apparmorProfile",
        [BOX_F_MASK_PATHS] = "linux.maskedPaths",
        [BOX_F_READ_ONLY_PATHS] = "linux.readonlyPaths",
        [BOX_F_MEMORY_MAX] = "linux.resources.memory.limit",
        [BOX_F_MEMORY_HIGH] = "linux.resources.memory.reservation",
        [BOX_F_MEMORY_SWAP_MAX] = "linux.resources.memory.swap",
        [BOX_F_CPU_QUOTA] = "linux.resources.cpu.quota",
        [BOX_F_CPU_PERIOD] = "linux.resources.cpu.period",
        [BOX_F_CPU_WEIGHT] = "linux.resources.cpu.shares",
        [BOX_F_CPUSET_CPUS] = "linux.resources.cpu.cpus",
        [BOX_F_CPUSET_MEMS] = "linux.resources.cpu.mems",
        [BOX_F_TASKS_MAX] = "linux.resources.pids.limit",
        [BOX_F_IO_WEIGHT] = "linux.resources.blockIO.weight",
        [BOX_F_IO_READ_BPS] = "linux.resources.blockIO.throttleReadBpsDevice",
        [BOX_F_IO_WRITE_BPS] = "linux.resources.blockIO.throttleWriteBpsDevice",
        [BOX_F_IO_READ_IOPS] = "linux.resources.blockIO.throttleReadIOPSDevice",
        [BOX_F_IO_WRITE_IOPS] = "linux.resources.blockIO.throttleWriteIOPSDevice",
        [BOX_F_CGROUP_PARENT] = "linux.cgroupsPath",
        [BOX_F_NS_JOIN] = "linux.namespaces[].path",
        [BOX_F_NS_PID] = "linux.namespaces (pid)",
        [BOX_F_UID_MAP] = "linux.uidMappings",
        [BOX_F_GID_MAP] = "linux.gidMappings",
        [BOX_F_UMASK] = "process.user.umask",
        [BOX_F_CONSOLE_SIZE] = "process.consoleSize",
        [BOX_F_SCHEDULER] = "process.scheduler",
        [BOX_F_IO_PRIORITY] = "process.ioPriority",
        [BOX_F_CPU_AFFINITY_INITIAL] = "process.execCPUAffinity.initial",
        [BOX_F_SELINUX_LABEL] = "process.selinuxLabel",
        [BOX_F_MOUNT_LABEL] = "linux.mountLabel",
        [BOX_F_DOMAINNAME] = "domainname",
        [BOX_F_ROOTFS_PROPAGATION] = "linux.rootfsPropagation",
        [BOX_F_TIME_OFFSETS] = "linux.timeOffsets",
        [BOX_F_ANNOTATIONS] = "annotations",
        [BOX_F_CAPS_BOUNDING] = "process.capabilities.bounding",
        [BOX_F_CAPS_EFFECTIVE] = "process.capabilities.effective",
        [BOX_F_CAPS_INHERITABLE] = "process.capabilities.inheritable",
        [BOX_F_CAPS_PERMITTED] = "process.capabilities.permitted",
        [BOX_F_SECCOMP_RULES] = "linux.seccomp.syscalls",
        [BOX_F_MEMORY_SWAPPINESS] = "linux.resources.memory.swappiness",
        [BOX_F_OOM_KILL_DISABLE] = "linux.resources.memory.disableOOMKiller",
        [BOX_F_MEMORY_KMEM_TCP] = "linux.resources.memory.kernelTCP",
        [BOX_F_CPU_SHARES] = "linux.resources.cpu.shares",
        [BOX_F_CPU_BURST] = "linux.resources.cpu.burst",
        [BOX_F_CPU_RT_RUNTIME] = "linux.resources.cpu.realtimeRuntime",
        [BOX_F_CPU_RT_PERIOD] = "linux.resources.cpu.realtimePeriod",
        [BOX_F_CPU_IDLE] = "linux.resources.cpu.idle",
        [BOX_F_IO_WEIGHT_DEVICE] = "linux.resources.blockIO.weightDevice",
        [BOX_F_HUGEPAGES] = "linux.resources.hugepageLimits",
        [BOX_F_UNIFIED] = "linux.resources.unified",
        [BOX_F_DEVICE_RULES] = "linux.resources.devices",
        [BOX_F_CGROUP_PATH] = "linux.cgroupsPath",
        [BOX_F_MEMORY_POLICY] = "linux.memoryPolicy",
};

/* Fields of an item, after the item's own path ("mounts[2]"). */
static const char item_paths[_BOX_F_MAX][12] = {
        [BOX_F_MOUNT_TYPE] = "type",
        [BOX_F_MOUNT_SOURCE] = "source",
        [BOX_F_MOUNT_TARGET] = "destination",
        [BOX_F_MOUNT_OPTIONS] = "options",
        [BOX_F_MOUNT_PROPAGATION] = "options",
        [BOX_F_MOUNT_FSTYPE] = "type",
        [BOX_F_MOUNT_IDMAP] = "uidMappings",
        [BOX_F_DEVICE_PATH] = "path",
        [BOX_F_DEVICE_TYPE] = "type",
        [BOX_F_DEVICE_NUMBER] = "major",
        [BOX_F_DEVICE_ACCESS] = "type",
        [BOX_F_DEVICE_MODE] = "fileMode",
        [BOX_F_HOOK_COMMAND] = "args",
        [BOX_F_HOOK_PATH] = "path",
        [BOX_F_HOOK_ENV] = "env",
        [BOX_F_HOOK_TIMEOUT] = "timeout",
};

static const char *oci_field_name(enum box_field f, const char *item, char *buf, size_t n)
{
        if (item) {
                const char *k = f < _BOX_F_MAX ? item_paths[f] : "";
                snprintf(buf, n, "%s%s%s", item, *k ? "." : "", k);
        } else if (f >= BOX_F_RLIMIT && f <= BOX_F_RLIMIT_LAST) {
                snprintf(buf, n, "process.rlimits (%s)", box_rlimit_name(f - BOX_F_RLIMIT));
        } else {
                snprintf(buf, n, "%s", f < _BOX_F_MAX && *paths[f] ? paths[f] : "config.json");
        }
        return buf;
}

const struct box_frontend oci_frontend = {
        .kind = "oci", .field_name = oci_field_name, .mounts_stack = true};

static void __attribute__((constructor)) oci_register(void)
{
        box_frontend_register(&oci_frontend);
}
