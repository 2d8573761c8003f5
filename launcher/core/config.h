/* config.h - the one internal description of a box: struct box_config, its defaults, effective
 * values, field origins (field.h) and validation (validate.c).
 *
 * Every front-end (the .box reader today, an OCI config.json reader later, command-line overrides)
 * fills a struct box_config; nothing downstream knows which one did, and nothing here knows a
 * front-end's syntax: a message names a field through box_config_where(). Plain C types, owned
 * memory, no iniparser or JSON types. It is the subset of the OCI runtime spec a launcher needs
 * plus the machine-like extras (boot mode, notify). Every string and array here is heap-owned and
 * released by box_config_free(). The names of enumerated values are in names.h. */
#pragma once
#include "core/field.h"
#include "util/util.h"

#include <sys/resource.h>

/* Where a value came from, for error messages that name file, line and key. */
struct box_origin {
        const char *file; /* points into box_config.source_file (not owned) */
        unsigned line;    /* 0 when not from a file */
};

enum box_net_mode { BOX_NET_HOST, BOX_NET_PRIVATE };
/* Counts for name tables (macros, so that a switch need not handle them). */
#define _BOX_NET_MAX (BOX_NET_PRIVATE + 1)
enum box_user_mode {
        BOX_USERNS_DEFAULT = -1, /* resolved by validation: pick with Boot=yes, else no */
        BOX_USERNS_NO,
        BOX_USERNS_FIXED,
        BOX_USERNS_PICK,
};
enum box_console_mode {
        BOX_CONSOLE_AUTOPIPE, /* interactive on a tty, pipe otherwise (default) */
        BOX_CONSOLE_INTERACTIVE,
        BOX_CONSOLE_READ_ONLY,
        BOX_CONSOLE_PIPE,
};
#define _BOX_CONSOLE_MAX (BOX_CONSOLE_PIPE + 1)
enum box_tristate { BOX_DEFAULT = -1, BOX_NO = 0, BOX_YES = 1 };

enum box_mount_type {
        BOX_MOUNT_BIND,
        BOX_MOUNT_TMPFS,
        BOX_MOUNT_OVERLAY,
        BOX_MOUNT_FS, /* any other file system type: box_mount.fstype, with data and flags */
};
#define _BOX_MOUNT_TYPE_MAX (BOX_MOUNT_FS + 1)

/* One range of a user namespace's map, or of an idmapped mount's: ids inside..inside+count-1
 * are outside..outside+count-1 on the host. */
struct box_id_map {
        uint32_t inside, outside, count;
};

struct box_mount {
        char *name; /* section label */
        enum box_mount_type type;
        char *source;              /* bind source (host path), NULL for tmpfs */
        char *target;              /* path inside the box, absolute */
        char **lower;              /* overlay lower dirs (host paths), NULL-terminated */
        char *upper, *work;        /* overlay upper and work dirs (host paths) */
        unsigned long flags;       /* MS_* from libmount: MS_RDONLY, MS_NOSUID, ... */
        unsigned long propagation; /* 0 or one of MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE */
        char *data;                /* filesystem data (tmpfs size=, mode=) or NULL */
        bool recursive;            /* rbind (default for bind mounts) */
        bool dev, suid;            /* Options= said dev / suid: see box_mount_flags() */
        bool optional;             /* a missing source is skipped, not an error */
        struct box_origin origin;
        /* OCI mounts (frontend/oci): */
        char *fstype;               /* BOX_MOUNT_FS: the file system type ("proc", "mqueue"...) */
        uint64_t rec_attr_set;      /* MOUNT_ATTR_* set recursively (rro, rnosuid...) */
        uint64_t rec_attr_clr;      /* MOUNT_ATTR_* cleared recursively (rrw, rsuid...) */
        bool tmpcopyup;             /* tmpfs: copy what the image has under the target up */
        bool idmap_recursive;       /* ridmap: idmap the whole tree, not the top mount only */
        struct box_id_map *uid_map; /* idmapped mount: uidMappings, or NULL */
        size_t n_uid_map;
        struct box_id_map *gid_map;
        size_t n_gid_map;
};

struct box_device {
        char *name;
        char *path; /* absolute path inside the box, under /dev */
        char type;  /* 'c' or 'b' */
        unsigned major, minor;
        char access[4]; /* subset of "rwm" */
        mode_t mode;
        uid_t uid;
        gid_t gid;
        struct box_origin origin;
};

enum box_hook_stage {
        BOX_HOOK_PRESTART,
        BOX_HOOK_CREATE_RUNTIME,
        BOX_HOOK_CREATE_CONTAINER,
        BOX_HOOK_START_CONTAINER,
        BOX_HOOK_POSTSTART,
        BOX_HOOK_POSTSTOP,
        _BOX_HOOK_STAGE_MAX,
};

struct box_hook {
        char *name;
        enum box_hook_stage stage;
        char *path; /* the program to execute; NULL: argv[0] (looked up in PATH) */
        char **argv;
        char **env;
        uint64_t timeout_usec; /* 0 = no timeout */
        struct box_origin origin;
};

struct box_rlimit {
        int resource; /* RLIMIT_* */
        bool set;
        struct rlimit value;
};

struct box_sysctl {
        char *key; /* dotted name, e.g. net.ipv4.ip_forward */
        char *value;
};

struct box_io_weight_device {
        unsigned major, minor;
        uint64_t weight, leaf_weight; /* 0: not set */
};

struct box_hugepage_limit {
        char *page_size; /* "2MB", "1GB" */
        uint64_t limit;  /* bytes */
};

/* A device cgroup rule: allow or deny type ('a', 'c', 'b') major:minor (-1 = any) access. */
struct box_dev_rule {
        bool allow;
        char type;
        int64_t major, minor;
        char access[4];
};

struct box_io_limit {
        char *device; /* path of the block device on the host */
        unsigned major, minor;
        uint64_t rbps, wbps, riops, wiops; /* 0 = unset */
};

#define BOX_LIMIT_UNSET UINT64_MAX

struct box_limits {
        uint64_t memory_max;      /* bytes, BOX_LIMIT_UNSET if not set */
        uint64_t memory_high;     /* bytes (soft limit on v1) */
        uint64_t memory_swap_max; /* bytes of swap on top of memory */
        uint64_t cpu_quota_ppm;   /* CPU share in millionths of one CPU (150% = 1500000) */
        uint64_t cpu_period_usec; /* default 100000 */
        uint64_t cpu_weight;      /* 1..10000 (v2 scale), converted to shares on v1 */
        char *cpuset_cpus;        /* "0-1,3" */
        char *cpuset_mems;
        uint64_t tasks_max;
        uint64_t io_weight; /* 1..10000 */
        struct box_io_limit *io;
        size_t n_io;
        char *parent; /* cgroup parent, relative to each hierarchy root; NULL = automatic */
        /* OCI linux.resources beyond the .box keys; 0 (as a zeroed struct has it) is "not set"
         * for each, hence the value + 1 where 0 means something. */
        char *path; /* the box's own group (cgroupsPath): "/a/b" or "slice:prefix:name" */
        uint64_t memory_swappiness1; /* swappiness + 1 (1..101) */
        bool oom_kill_disable;
        uint64_t memory_kmem_tcp1; /* kernelTCP + 1: v1 memory.kmem.tcp.limit_in_bytes */
        uint64_t cpu_shares;       /* v1 cpu.shares as given (2..262144) */
        uint64_t cpu_burst_usec;
        uint64_t cpu_rt_runtime1; /* cpu.rt_runtime_us + 1 */
        uint64_t cpu_rt_period_usec;
        int64_t cpu_idle; /* 1: idle */
        struct box_io_weight_device *io_weights;
        size_t n_io_weights;
        struct box_hugepage_limit *hugepages;
        size_t n_hugepages;
        char **unified;                 /* "file=value" entries for the box's cgroup2 group */
        struct box_dev_rule *dev_rules; /* device cgroup rules, in order (OCI) */
        size_t n_dev_rules;
        bool dev_rules_given; /* the rules replace boxlaunch's default allow-list */
};

struct box_caps {
        /* OCI process.capabilities: the five sets as given (bounding is what the others are
         * limited to); when sets_given, set/add/drop below are unused. */
        bool sets_given;
        uint64_t bounding, effective, inheritable, permitted;
        bool set_given;   /* Set= replaces the default list */
        uint64_t set;     /* bits of Set= */
        uint64_t add;     /* bits of Add= */
        uint64_t drop;    /* bits of Drop= */
        uint64_t ambient; /* bits of Ambient= */
};

/* Seccomp actions of a literal filter (the low 16 bits carry errno or trace data). */
enum {
        BOX_SCMP_KILL_THREAD = 1 << 16,
        BOX_SCMP_KILL_PROCESS = 2 << 16,
        BOX_SCMP_TRAP = 3 << 16,
        BOX_SCMP_ERRNO = 4 << 16,
        BOX_SCMP_TRACE = 5 << 16,
        BOX_SCMP_ALLOW = 6 << 16,
        BOX_SCMP_LOG = 7 << 16,
        BOX_SCMP_NOTIFY = 8 << 16,
        BOX_SCMP_KILL = BOX_SCMP_KILL_THREAD,
};
#define BOX_SCMP_ACTION(a) ((a)&0xffff0000u)
#define BOX_SCMP_DATA(a)   ((a)&0xffffu)

struct box_seccomp_arg {
        uint32_t index;
        uint64_t value, value_two;
        uint32_t op; /* 1..7: NE LT LE EQ GE GT MASKED_EQ, libseccomp's enum scmp_compare */
};

struct box_seccomp_rule {
        char **names;
        uint32_t action;
        struct box_seccomp_arg *args;
        size_t n_args;
};

struct box_seccomp {
        bool enabled;    /* default yes */
        char **allow;    /* extra groups ("@keyring") or syscalls to allow */
        char **deny;     /* groups or syscalls to deny ("~" list) */
        int errno_value; /* errno for known-but-denied syscalls, default EPERM */
        /* A literal filter (OCI linux.seccomp) instead of the profile above. */
        bool literal;
        uint32_t default_action; /* BOX_SCMP_* | errno/trace value in the low 16 bits */
        char **arches;           /* "SCMP_ARCH_X86_64"... */
        char **flags;            /* "SECCOMP_FILTER_FLAG_LOG"... */
        char *listener_path;     /* SCMP_ACT_NOTIFY: where the listener fd goes */
        char *listener_metadata;
        struct box_seccomp_rule *rules;
        size_t n_rules;
};

/* Namespace types, for joins by path. */
enum box_ns_type {
        BOX_NS_MNT,
        BOX_NS_PID,
        BOX_NS_NET,
        BOX_NS_IPC,
        BOX_NS_UTS,
        BOX_NS_USER,
        BOX_NS_CGROUP,
        BOX_NS_TIME,
        _BOX_NS_MAX,
};

/* process.scheduler (sched_setattr(2)). */
struct box_sched {
        bool set;
        int policy; /* SCHED_OTHER... */
        int nice, priority;
        uint64_t flags, runtime, deadline, period;
};

/* [Port NAME]: a TCP or UDP port of the host forwarded to the box (needs a veth). */
enum box_net_proto { BOX_PROTO_TCP, BOX_PROTO_UDP };
#define _BOX_PROTO_MAX (BOX_PROTO_UDP + 1)
struct box_port {
        char *name;
        enum box_net_proto protocol;
        char *host_address; /* NULL: every local address of the host (127.0.0.1 included) */
        uint32_t host_port; /* 1..65535, required */
        uint32_t box_port;  /* 0: the same as host_port */
        struct box_origin origin;
};

/* What /etc/resolv.conf the box gets (after systemd-nspawn's --resolv-conf=). */
enum box_resolv_conf {
        BOX_RESOLV_AUTO,      /* host network: host's; veth: bind-box; lo only: the image's */
        BOX_RESOLV_OFF,       /* the image's own file */
        BOX_RESOLV_BIND_HOST, /* the host's file, read-only */
        BOX_RESOLV_BIND_BOX,  /* the host's nameservers a box can reach (net/dns.h), read-only */
};
#define _BOX_RESOLV_MAX (BOX_RESOLV_BIND_BOX + 1)

/* [Network]: the box's links beside loopback (all need a private network namespace). */
struct box_net {
        enum box_tristate veth; /* ve-NAME <-> host0; default: yes with Boot=yes and no Network= */
        char *bridge;           /* veth vb-NAME in this existing bridge */
        char *zone;             /* veth vb-NAME in the bridge vz-ZONE made on demand */
        char **interfaces;      /* host links moved in (and back at the end) */
        char **macvlan;         /* parents of mv-IF links (mode bridge) */
        char **ipvlan;          /* parents of iv-IF links (L2) */
        char **addresses;       /* static ADDR/PLEN of host0; NULL: from the pool */
        enum box_tristate masquerade; /* NAT to the outside; default yes with a veth */
        bool localhost;               /* ports answer on the host's 127.0.0.1 too (default) */
        enum box_resolv_conf resolv_conf;
        struct box_port *ports;
        size_t n_ports;
};

struct box_config {
        char *source_file; /* the .box path, or NULL */
        /* Who filled the config (NULL: fields have generic names) and the line in source_file
         * each field was set on (0: not from a line), for box_config_where(). */
        const struct box_frontend *frontend;
        unsigned field_line[_BOX_F_MAX];
        char *name; /* box name: Name= or the file's basename */

        /* [Box] */
        char *root; /* absolute host path of the root filesystem */
        bool read_only;
        char *hostname; /* NULL = the box name */
        bool ephemeral; /* writes go to a throw-away overlay */

        /* [Exec] */
        char **argv; /* command; NULL = /bin/sh */
        char **env;  /* K=V entries, in order */
        char *user;  /* name or number, resolved in the rootfs */
        char *group;
        char **supplementary_groups;
        char *cwd;              /* default "/" (or the user's home) */
        bool boot;              /* run the image's init as PID 1 */
        enum box_tristate init; /* stub init as PID 1; default yes unless boot */
        int kill_signal;        /* 0 = default (SIGRTMIN+3 with boot, SIGTERM otherwise) */
        uint64_t stop_timeout_usec;
        enum box_console_mode console;
        bool notify_ready;
        enum box_tristate no_new_privileges; /* default: yes for app boxes, no with boot */
        unsigned long personality;           /* 0xffffffff = unset */
        int oom_score_adj;
        bool oom_score_adj_set;
        char *cpu_affinity; /* CPU list */
        struct box_rlimit rlimits[RLIM_NLIMITS];
        struct box_sysctl *sysctls;
        size_t n_sysctls;

        /* [Namespaces] */
        bool ns_uts, ns_ipc, ns_cgroup, ns_time; /* mount and pid are always new */
        enum box_net_mode net;
        enum box_user_mode userns;
        uid_t uid_base; /* host uid of box root with BOX_USERNS_FIXED/PICK */
        uint32_t uid_count;

        /* [Capabilities] */
        struct box_caps caps;

        /* [Security] */
        struct box_seccomp seccomp;
        char *apparmor_profile;
        bool apparmor_optional;
        char **mask_paths;      /* extra paths to mask inside the box */
        char **read_only_paths; /* extra paths to make read-only */

        /* [Limits] */
        struct box_limits limits;

        /* [Mount NAME], [Device NAME], [Hook NAME], in file order */
        struct box_mount *mounts;
        size_t n_mounts;
        struct box_device *devices;
        size_t n_devices;
        struct box_hook *hooks;
        size_t n_hooks;

        /* [Network] and [Port NAME] */
        struct box_net netcfg;
        /* Beyond the .box keys (most from the OCI runtime spec; frontend/oci). */
        /* Join the namespace at this path instead of creating one (NULL: create, or share the
         * host's where the flags above say so). A joined namespace is not created. */
        char *ns_join[_BOX_NS_MAX];
        bool ns_pid_host; /* share the host's pid namespace (OCI without a pid namespace) */
        struct box_id_map *uid_map; /* user namespace maps as given (OCI); NULL: uid_base/count */
        size_t n_uid_map;
        struct box_id_map *gid_map;
        size_t n_gid_map;
        int umask;                              /* -1: leave it */
        unsigned console_height, console_width; /* 0: the caller's terminal's */
        struct box_sched sched;
        int ioprio_class; /* -1: not set; else IOPRIO_CLASS_RT/BE/IDLE (1..3) */
        int ioprio_level;
        char *cpu_affinity_initial; /* while boxlaunch sets the box up (execCPUAffinity.initial) */
        int mempolicy_mode1;        /* set_mempolicy(2) mode MPOL_* + 1; 0: not set */
        unsigned mempolicy_flags;   /* MPOL_F_* */
        char *mempolicy_nodes;      /* node list "0-3,7", or NULL */
        char *selinux_label;        /* the payload's SELinux context */
        char *mount_label;          /* context= of the box's mounts */
        char *domainname;
        unsigned long rootfs_propagation; /* 0: private; else MS_SHARED, MS_SLAVE... */
        int64_t time_offset_secs[2];      /* monotonic, boottime (a time namespace) */
        uint32_t time_offset_nsecs[2];
        bool time_offsets_set;
        char **annotations; /* "key=value", for the hooks' state */
        /* The mounts list is the whole layout (OCI): no implicit /proc, /sys, /dev tmpfs,
         * devpts, /dev/shm or mqueue and no default masked or read-only paths; only the default
         * device nodes and /dev symlinks are added (to whatever the list mounted on /dev). */
        bool api_listed;
        /* The process exactly as given (OCI): the environment as listed (HOME added when
         * missing), the supplementary groups exactly the listed ids (none from the image's
         * /etc/group), numeric ids taken as they are. */
        bool process_exact;
};

/* Whether the box gets a veth (VirtualEthernet=, Bridge= or Zone=; after validation). */
bool box_config_veth(const struct box_config *c);

/* Records the line of source_file that set field f. */
void box_config_set_origin(struct box_config *c, enum box_field f, unsigned line);
/* Where field f (of the item labelled `item` that starts on item_line, for mounts, devices and
 * hooks; else NULL, 0) came from, for a message: "FILE:LINE: NAME", "FILE: NAME" or "NAME", NAME
 * as the front-end spells it. Returns buf. */
const char *box_config_where(const struct box_config *c, enum box_field f, const char *item,
                             unsigned item_line, char *buf, size_t n);
/* NAME alone, for a message that names a second field. Returns buf. */
const char *box_config_field_name(const struct box_config *c, enum box_field f, const char *item,
                                  char *buf, size_t n);

/* box_config_where() into a buffer that lives until the end of the enclosing block: for the
 * arguments of a log call. */
#define BOX_WHERE(c, f, item, line) box_config_where((c), (f), (item), (line), (char[512]){0}, 512)

/* A box name: letters, digits, '_', '-' and '.', at most 64, not starting with '.' (it names a
 * state file, a cgroup and other files, so nothing may walk out of their directories). */
bool box_name_valid(const char *name);

/* Defaults for a new config (everything unset, seccomp on, stub init on, autopipe). */
void box_config_init(struct box_config *c);
void box_config_free(struct box_config *c);
static inline void box_config_freep(struct box_config **c)
{
        if (*c) {
                box_config_free(*c);
                free(*c);
        }
}

/* Checks rules that hold whatever front-end filled the struct (required keys, conflicts, path
 * rules) and fills derived defaults. Logs every problem; returns 0 or -EINVAL. */
int box_config_validate(struct box_config *c);

/* Effective values with defaults applied. */
int box_config_kill_signal(const struct box_config *c);
bool box_config_no_new_privs(const struct box_config *c);
bool box_config_stub_init(const struct box_config *c);
/* A mount's MS_* flags as mounted: bind and overlay mounts show host directories, so they are
 * nosuid and nodev unless Options= says suid / dev (the box's root could otherwise use a
 * set-user-ID file or a device node someone left there). */
unsigned long box_mount_flags(const struct box_mount *m);

/* The capabilities a box asks for, before the host's bounding set is applied: with the five
 * OCI sets their bounding set, else Set= (or the default for the kind of box) + Add= - Drop=. */
uint64_t box_config_caps(const struct box_config *c);
/* The default set of an application box and of a machine (Boot=yes) box. */
uint64_t box_caps_default_app(void);
uint64_t box_caps_default_machine(bool private_net);

/* The paths every .box box has masked and read-only (launch/masks.c), NULL-terminated; an OCI
 * config lists its own (api_listed). */
extern const char *const box_masked_paths_default[];
extern const char *const box_read_only_paths_default[];

/* Hook stage names (names.c; declared here for the hook runner). */
const char *box_hook_stage_to_string(enum box_hook_stage s);
int box_hook_stage_from_string(const char *s); /* -EINVAL if unknown */
