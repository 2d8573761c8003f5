/* field.h - names for the values of a config, so that a message from any layer (validation,
 * cgroups, the launch) can point at where a value came from without knowing the front-end's
 * syntax: box_config_where(c, BOX_F_MEMORY_MAX, ...) gives "web.box:12: [Limits] MemoryMax" for
 * a .box file and "config.json: linux.resources.memory.limit" for an OCI bundle. The front-end
 * records the line of every field it sets and supplies the spelling (struct box_frontend); it
 * registers that describer here, so that a config read back from the state file (config_json.c
 * stores the front-end's kind and the lines) still names its fields the front-end's way. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>

enum box_field {
        BOX_F_NONE,
        /* the box */
        BOX_F_NAME,
        BOX_F_ROOT,
        BOX_F_READ_ONLY,
        BOX_F_HOSTNAME,
        BOX_F_EPHEMERAL,
        /* its process */
        BOX_F_ARGV,
        BOX_F_ENV,
        BOX_F_USER,
        BOX_F_GROUP,
        BOX_F_SUPPLEMENTARY_GROUPS,
        BOX_F_CWD,
        BOX_F_BOOT,
        BOX_F_INIT,
        BOX_F_KILL_SIGNAL,
        BOX_F_STOP_TIMEOUT,
        BOX_F_CONSOLE,
        BOX_F_NOTIFY_READY,
        BOX_F_NO_NEW_PRIVILEGES,
        BOX_F_PERSONALITY,
        BOX_F_OOM_SCORE_ADJ,
        BOX_F_CPU_AFFINITY,
        BOX_F_SYSCTL,
        BOX_F_RLIMIT, /* BOX_F_RLIMIT + RLIMIT_*: one per resource */
        BOX_F_RLIMIT_LAST = BOX_F_RLIMIT + RLIM_NLIMITS - 1,
        /* namespaces */
        BOX_F_NS_NET,
        BOX_F_NS_USER,
        BOX_F_NS_UTS,
        BOX_F_NS_IPC,
        BOX_F_NS_CGROUP,
        BOX_F_NS_TIME,
        /* capabilities and other security */
        BOX_F_CAPS_SET,
        BOX_F_CAPS_ADD,
        BOX_F_CAPS_DROP,
        BOX_F_CAPS_AMBIENT,
        BOX_F_SECCOMP,
        BOX_F_SECCOMP_FILTER,
        BOX_F_SECCOMP_ERRNO,
        BOX_F_APPARMOR_PROFILE,
        BOX_F_APPARMOR_OPTIONAL,
        BOX_F_MASK_PATHS,
        BOX_F_READ_ONLY_PATHS,
        /* resource limits */
        BOX_F_MEMORY_MAX,
        BOX_F_MEMORY_HIGH,
        BOX_F_MEMORY_SWAP_MAX,
        BOX_F_CPU_QUOTA,
        BOX_F_CPU_PERIOD,
        BOX_F_CPU_WEIGHT,
        BOX_F_CPUSET_CPUS,
        BOX_F_CPUSET_MEMS,
        BOX_F_TASKS_MAX,
        BOX_F_IO_WEIGHT,
        BOX_F_IO_READ_BPS,
        BOX_F_IO_WRITE_BPS,
        BOX_F_IO_READ_IOPS,
        BOX_F_IO_WRITE_IOPS,
        BOX_F_CGROUP_PARENT,
        /* items, named by their label (a mount's, a device's, a hook's) */
        BOX_F_MOUNT,
        BOX_F_MOUNT_TYPE,
        BOX_F_MOUNT_SOURCE,
        BOX_F_MOUNT_TARGET,
        BOX_F_MOUNT_OPTIONS,
        BOX_F_MOUNT_PROPAGATION,
        BOX_F_MOUNT_OPTIONAL,
        BOX_F_MOUNT_LOWER,
        BOX_F_MOUNT_UPPER,
        BOX_F_MOUNT_WORK,
        BOX_F_DEVICE,
        BOX_F_DEVICE_PATH,
        BOX_F_DEVICE_TYPE,
        BOX_F_DEVICE_NUMBER,
        BOX_F_DEVICE_ACCESS,
        BOX_F_DEVICE_MODE,
        BOX_F_HOOK,
        BOX_F_HOOK_STAGE,
        BOX_F_HOOK_COMMAND,
        BOX_F_HOOK_ENV,
        BOX_F_HOOK_TIMEOUT,
        /* network */
        BOX_F_NET_VETH,
        BOX_F_NET_BRIDGE,
        BOX_F_NET_ZONE,
        BOX_F_NET_INTERFACE,
        BOX_F_NET_MACVLAN,
        BOX_F_NET_IPVLAN,
        BOX_F_NET_ADDRESS,
        BOX_F_NET_MASQUERADE,
        BOX_F_NET_LOCALHOST,
        BOX_F_NET_RESOLV_CONF,
        BOX_F_PORT,
        BOX_F_PORT_PROTOCOL,
        BOX_F_PORT_HOST_ADDRESS,
        BOX_F_PORT_HOST_PORT,
        BOX_F_PORT_BOX_PORT,
        /* beyond the .box keys (OCI) */
        BOX_F_NS_JOIN,
        BOX_F_NS_PID,
        BOX_F_UID_MAP,
        BOX_F_GID_MAP,
        BOX_F_UMASK,
        BOX_F_CONSOLE_SIZE,
        BOX_F_SCHEDULER,
        BOX_F_IO_PRIORITY,
        BOX_F_CPU_AFFINITY_INITIAL,
        BOX_F_SELINUX_LABEL,
        BOX_F_MOUNT_LABEL,
        BOX_F_DOMAINNAME,
        BOX_F_ROOTFS_PROPAGATION,
        BOX_F_TIME_OFFSETS,
        BOX_F_ANNOTATIONS,
        BOX_F_CAPS_BOUNDING,
        BOX_F_CAPS_EFFECTIVE,
        BOX_F_CAPS_INHERITABLE,
        BOX_F_CAPS_PERMITTED,
        BOX_F_SECCOMP_RULES,
        BOX_F_MEMORY_SWAPPINESS,
        BOX_F_OOM_KILL_DISABLE,
        BOX_F_MEMORY_KMEM_TCP,
        BOX_F_CPU_SHARES,
        BOX_F_CPU_BURST,
        BOX_F_CPU_RT_RUNTIME,
        BOX_F_CPU_RT_PERIOD,
        BOX_F_CPU_IDLE,
        BOX_F_IO_WEIGHT_DEVICE,
        BOX_F_HUGEPAGES,
        BOX_F_UNIFIED,
        BOX_F_DEVICE_RULES,
        BOX_F_CGROUP_PATH,
        BOX_F_MOUNT_FSTYPE,
        BOX_F_MOUNT_IDMAP,
        BOX_F_HOOK_PATH,
        BOX_F_MEMORY_POLICY,
        _BOX_F_MAX,
};

/* What the front-end that filled a config tells about its fields. */
struct box_frontend {
        const char *kind; /* "box", "oci" */
        /* How the source spells field f (of the item labelled `item` for item fields, else
         * NULL), e.g. "[Limits] MemoryMax" or "linux.resources.memory.limit"; written into buf,
         * which is returned. A message adds "=VALUE" or ": why" after it. */
        const char *(*field_name)(enum box_field f, const char *item, char *buf, size_t n);
        /* Mounts on one target stack in their order (the runtime spec; a CRI sandbox mounts
         * /dev/shm twice) instead of being a mistake (two .box sections). */
        bool mounts_stack;
};

/* Makes fe findable by its kind (box_frontend_find()). Front-ends call it from a constructor;
 * registering a kind twice keeps the first. */
void box_frontend_register(const struct box_frontend *fe);
/* The describer registered as kind, or NULL. */
const struct box_frontend *box_frontend_find(const char *kind);

/* The generic name of f ("memory_max", "rlimits.RLIMIT_NOFILE": unique per field, the state
 * file's key for the field's line), for configs without a front-end. */
const char *box_field_generic_name(enum box_field f);
/* The field of a generic name, or -EINVAL. */
int box_field_from_generic_name(const char *name);
