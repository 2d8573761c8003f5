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
};
#define _BOX_MOUNT_TYPE_MAX (BOX_MOUNT_OVERLAY + 1)

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
};

struct box_caps {
        bool set_given;   /* Set= replaces the default list */
        uint64_t set;     /* bits of Set= */
        uint64_t add;     /* bits of Add= */
        uint64_t drop;    /* bits of Drop= */
        uint64_t ambient; /* bits of Ambient= */
};

struct box_seccomp {
        bool enabled;    /* default yes */
        char **allow;    /* extra groups ("@keyring") or syscalls to allow */
        char **deny;     /* groups or syscalls to deny ("~" list) */
        int errno_value; /* errno for known-but-denied syscalls, default EPERM */
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

/* Hook stage names (names.c; declared here for the hook runner). */
const char *box_hook_stage_to_string(enum box_hook_stage s);
int box_hook_stage_from_string(const char *s); /* -EINVAL if unknown */
