/* keys.h - inside the .box front-end: the key table (keys.c), the value setters it points to
 * (setters.c for the singleton sections, items.c for [Mount], [Device] and [Hook]) and the state
 * the reader (reader.c) hands each setter. Not for use outside frontend/box/. */
#pragma once
#include "core/config.h"
#include "frontend/box/scan.h"

/* What a setter works with: the config, and where the value stands for messages. */
struct fill {
        struct box_config *c;
        const char *file;
        const char *section;      /* "Exec" or "Mount data", for messages */
        const char *section_type; /* "Exec" or "Mount", for the key table */
        const struct box_key *key;
        unsigned line;
        void *item; /* the current mount, device or hook; NULL in a singleton section */
        unsigned errors;
};

/* Logs "FILE:LINE: [SECTION] KEY: message", counts it and returns -EINVAL. */
int fill_error(struct fill *f, const char *fmt, ...) _printf_(2, 3);

/* Parses value v into dst (the field at the key's offset) or logs with fill_error(). */
typedef int (*box_setter)(struct fill *f, void *dst, const char *v);

/* One key of a .box file, after systemd-nspawn's settings table: a section, a key, the config
 * field it fills, a setter and where the setter writes. No pointers: the table is not relocated
 * at start and stays shared page cache (README "Performance"). */
struct box_key {
        char section[13]; /* "Box", ..., "Mount", "Device", "Hook" */
        char key[22];     /* canonical spelling; matched case-insensitively */
        uint8_t set;      /* the setter, by its index in keys.c; run with box_key_set() */
        enum box_field field;
        uint32_t offset; /* into struct box_config, or into the item of a [Mount]/[Device]/[Hook] */
        int arg;         /* setter-specific: RLIMIT_*, an offset in struct box_io_limit, ... */
};

/* Runs k's setter on v, writing to dst. */
int box_key_set(const struct box_key *k, struct fill *f, void *dst, const char *v);

/* The key of section type ("Exec", "Mount") called key (any case), or NULL. */
const struct box_key *box_key_find(const char *section, const char *key);
/* Reports every unknown key of s with a did-you-mean or the section it belongs in; false if
 * there was one. */
bool box_keys_check(struct scan *s);

/* The .box describer (field names as "[Limits] MemoryMax", "[Mount data] Target"). */
extern const struct box_frontend box_file_frontend;

/* The quoted words of v (split_quoted()), each accepted by ok(), which logs a bad one. */
int fill_words(struct fill *f, const char *v, bool (*ok)(struct fill *f, const char *w),
               char ***ret);
/* True if a '/'-separated component of p is "." or "..". */
bool has_dot_component(const char *p);

/* Generic setters (setters.c). */
int set_string(struct fill *f, void *dst, const char *v);    /* char *, non-empty */
int set_abs_path(struct fill *f, void *dst, const char *v);  /* char *, absolute */
int set_bool(struct fill *f, void *dst, const char *v);      /* bool */
int set_tristate(struct fill *f, void *dst, const char *v);  /* enum box_tristate */
int set_size(struct fill *f, void *dst, const char *v);      /* uint64_t bytes or infinity */
int set_timespan(struct fill *f, void *dst, const char *v);  /* uint64_t usec */
int set_argv(struct fill *f, void *dst, const char *v);      /* char **, quoted words */
int set_env(struct fill *f, void *dst, const char *v);       /* char **, NAME=VALUE appended */
int set_weight(struct fill *f, void *dst, const char *v);    /* uint64_t 1..10000 */
int set_cpu_list(struct fill *f, void *dst, const char *v);  /* char *; arg 1: memory nodes */
int set_path_list(struct fill *f, void *dst, const char *v); /* char **, absolute, appended */
/* An enum by its name (core/names.h); arg says which. */
enum {
        BOX_ENUM_CONSOLE,
        BOX_ENUM_NET,
        BOX_ENUM_MOUNT_TYPE,
        BOX_ENUM_HOOK_STAGE,
        BOX_ENUM_PROTO,
        BOX_ENUM_RESOLV_CONF,
};
int set_enum(struct fill *f, void *dst, const char *v);
/* Setters with logic of their own (setters.c). */
int set_box_name(struct fill *f, void *dst, const char *v);
int set_directory(struct fill *f, void *dst, const char *v);
int set_hostname(struct fill *f, void *dst, const char *v);
int set_user_name(struct fill *f, void *dst, const char *v); /* arg 1: a group */
int set_groups(struct fill *f, void *dst, const char *v);
int set_kill_signal(struct fill *f, void *dst, const char *v);
int set_personality(struct fill *f, void *dst, const char *v);
int set_oom_score(struct fill *f, void *dst, const char *v);
int set_sysctl(struct fill *f, void *dst, const char *v);
int set_rlimit(struct fill *f, void *dst, const char *v); /* arg: RLIMIT_* */
int set_userns(struct fill *f, void *dst, const char *v);
int set_caps(struct fill *f, void *dst, const char *v); /* arg 1: Set= (replaces the default) */
int set_syscall_filter(struct fill *f, void *dst, const char *v);
int set_errno(struct fill *f, void *dst, const char *v);
int set_cpu_quota(struct fill *f, void *dst, const char *v);
int set_cpu_period(struct fill *f, void *dst, const char *v);
int set_tasks(struct fill *f, void *dst, const char *v);
int set_cgroup_parent(struct fill *f, void *dst, const char *v);
int set_io_max(struct fill *f, void *dst, const char *v); /* arg: offset in box_io_limit */
/* [Mount], [Device], [Hook] (items.c). */
int set_mount_target(struct fill *f, void *dst, const char *v);
int set_mount_options(struct fill *f, void *dst, const char *v);
int set_propagation(struct fill *f, void *dst, const char *v);
int set_lower_dirs(struct fill *f, void *dst, const char *v);
int set_device_path(struct fill *f, void *dst, const char *v);
int set_device_type(struct fill *f, void *dst, const char *v);
int set_device_number(struct fill *f, void *dst, const char *v);
int set_device_access(struct fill *f, void *dst, const char *v);
int set_device_mode(struct fill *f, void *dst, const char *v);
int set_hook_command(struct fill *f, void *dst, const char *v);

/* [Network] and [Port NAME] (netkeys.c). */
int set_ifname(struct fill *f, void *dst, const char *v);      /* char * */
int set_ifname_list(struct fill *f, void *dst, const char *v); /* char **, appended */
int set_zone(struct fill *f, void *dst, const char *v);
int set_net_addresses(struct fill *f, void *dst, const char *v);
int set_port_number(struct fill *f, void *dst, const char *v); /* uint32_t 1..65535 */
int set_ip_address(struct fill *f, void *dst, const char *v);  /* char *, one literal */

/* A new item of section type ("Mount", "Device", "Hook") labelled label, with its defaults, at
 * the end of c's list (items.c). */
void *box_item_new(struct box_config *c, const char *type, const char *label, unsigned line);
/* Logs every item that misses a required key; returns how many. */
unsigned box_items_check(const struct box_config *c);
