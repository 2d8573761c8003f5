/* config.c - the one internal config: defaults, release, effective values, the box name rule.
 * Validation is in validate.c, field origins in field.c, value names in names.c. */
#include "core/config.h"

#include <linux/capability.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>

bool box_name_valid(const char *n)
{
        if (!*n || strlen(n) > 64 || n[0] == '.')
                return false;
        return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") ==
               strlen(n);
}

void box_config_init(struct box_config *c)
{
        *c = (struct box_config){0};
        c->ns_uts = c->ns_ipc = c->ns_cgroup = true;
        c->net = BOX_NET_HOST;
        c->userns = BOX_USERNS_DEFAULT;
        c->init = BOX_DEFAULT;
        c->no_new_privileges = BOX_DEFAULT;
        c->console = BOX_CONSOLE_AUTOPIPE;
        c->stop_timeout_usec = 10 * 1000000ULL;
        c->personality = 0xffffffffUL;
        c->seccomp.enabled = true;
        c->netcfg.veth = c->netcfg.masquerade = BOX_DEFAULT;
        c->netcfg.localhost = true;
        c->seccomp.errno_value = EPERM;
        struct box_limits *l = &c->limits;
        l->memory_max = l->memory_high = l->memory_swap_max = BOX_LIMIT_UNSET;
        /* The period stays unset (100ms applies with CPUQuota=): alone it would cost a cpu
         * group at every start for nothing. */
        l->cpu_quota_ppm = l->cpu_weight = l->tasks_max = l->io_weight = l->cpu_period_usec =
                BOX_LIMIT_UNSET;
        c->umask = -1;
        c->ioprio_class = -1;
}

static void id_maps_free(struct box_id_map **m, size_t *n)
{
        free(*m);
        *m = NULL;
        *n = 0;
}

void box_config_free(struct box_config *c)
{
        free(c->source_file);
        free(c->name);
        free(c->root);
        free(c->hostname);
        strv_free(c->argv);
        strv_free(c->env);
        free(c->user);
        free(c->group);
        strv_free(c->supplementary_groups);
        free(c->cwd);
        free(c->cpu_affinity);
        for (size_t i = 0; i < c->n_sysctls; i++) {
                free(c->sysctls[i].key);
                free(c->sysctls[i].value);
        }
        free(c->sysctls);
        strv_free(c->seccomp.allow);
        strv_free(c->seccomp.deny);
        free(c->apparmor_profile);
        strv_free(c->mask_paths);
        strv_free(c->read_only_paths);
        free(c->limits.cpuset_cpus);
        free(c->limits.cpuset_mems);
        for (size_t i = 0; i < c->limits.n_io; i++)
                free(c->limits.io[i].device);
        free(c->limits.io);
        free(c->limits.parent);
        free(c->limits.path);
        free(c->limits.io_weights);
        for (size_t i = 0; i < c->limits.n_hugepages; i++)
                free(c->limits.hugepages[i].page_size);
        free(c->limits.hugepages);
        strv_free(c->limits.unified);
        free(c->limits.dev_rules);
        strv_free(c->seccomp.arches);
        strv_free(c->seccomp.flags);
        free(c->seccomp.listener_path);
        free(c->seccomp.listener_metadata);
        for (size_t i = 0; i < c->seccomp.n_rules; i++) {
                strv_free(c->seccomp.rules[i].names);
                free(c->seccomp.rules[i].args);
        }
        free(c->seccomp.rules);
        for (size_t i = 0; i < _BOX_NS_MAX; i++)
                free(c->ns_join[i]);
        id_maps_free(&c->uid_map, &c->n_uid_map);
        id_maps_free(&c->gid_map, &c->n_gid_map);
        free(c->cpu_affinity_initial);
        free(c->mempolicy_nodes);
        free(c->selinux_label);
        free(c->mount_label);
        free(c->domainname);
        strv_free(c->annotations);
        for (size_t i = 0; i < c->n_mounts; i++) {
                struct box_mount *m = &c->mounts[i];
                free(m->name);
                free(m->source);
                free(m->target);
                strv_free(m->lower);
                free(m->upper);
                free(m->work);
                free(m->data);
                free(m->fstype);
                id_maps_free(&m->uid_map, &m->n_uid_map);
                id_maps_free(&m->gid_map, &m->n_gid_map);
        }
        free(c->mounts);
        for (size_t i = 0; i < c->n_devices; i++) {
                free(c->devices[i].name);
                free(c->devices[i].path);
        }
        free(c->devices);
        for (size_t i = 0; i < c->n_hooks; i++) {
                free(c->hooks[i].name);
                free(c->hooks[i].path);
                strv_free(c->hooks[i].argv);
                strv_free(c->hooks[i].env);
        }
        free(c->hooks);
        struct box_net *n = &c->netcfg;
        free(n->bridge);
        free(n->zone);
        strv_free(n->interfaces);
        strv_free(n->macvlan);
        strv_free(n->ipvlan);
        strv_free(n->addresses);
        for (size_t i = 0; i < n->n_ports; i++) {
                free(n->ports[i].name);
                free(n->ports[i].host_address);
        }
        free(n->ports);
        *c = (struct box_config){0};
}

int box_config_kill_signal(const struct box_config *c)
{
        if (c->kill_signal > 0)
                return c->kill_signal;
        /* systemd as PID 1 shuts down on SIGRTMIN+3; SIGTERM would make it re-execute. */
        return c->boot ? SIGRTMIN + 3 : SIGTERM;
}

bool box_config_no_new_privs(const struct box_config *c)
{
        if (c->no_new_privileges != BOX_DEFAULT)
                return c->no_new_privileges == BOX_YES;
        return !c->boot;
}

unsigned long box_mount_flags(const struct box_mount *m)
{
        unsigned long f = m->flags;
        if (m->type == BOX_MOUNT_BIND || m->type == BOX_MOUNT_OVERLAY) {
                if (!m->dev)
                        f |= MS_NODEV;
                if (!m->suid)
                        f |= MS_NOSUID;
        }
        return f;
}

bool box_config_stub_init(const struct box_config *c)
{
        if (c->boot)
                return false;
        return c->init != BOX_NO;
}

#define CAPBIT(c) (UINT64_C(1) << (c))

uint64_t box_caps_default_app(void)
{
        return CAPBIT(CAP_CHOWN) | CAPBIT(CAP_DAC_OVERRIDE) | CAPBIT(CAP_FSETID) |
               CAPBIT(CAP_FOWNER) | CAPBIT(CAP_MKNOD) | CAPBIT(CAP_NET_RAW) | CAPBIT(CAP_SETGID) |
               CAPBIT(CAP_SETUID) | CAPBIT(CAP_SETFCAP) | CAPBIT(CAP_SETPCAP) |
               CAPBIT(CAP_NET_BIND_SERVICE) | CAPBIT(CAP_SYS_CHROOT) | CAPBIT(CAP_KILL) |
               CAPBIT(CAP_AUDIT_WRITE);
}

uint64_t box_caps_default_machine(bool private_net)
{
        uint64_t m = CAPBIT(CAP_AUDIT_CONTROL) | CAPBIT(CAP_AUDIT_WRITE) | CAPBIT(CAP_CHOWN) |
                     CAPBIT(CAP_DAC_OVERRIDE) | CAPBIT(CAP_DAC_READ_SEARCH) | CAPBIT(CAP_FOWNER) |
                     CAPBIT(CAP_FSETID) | CAPBIT(CAP_IPC_OWNER) | CAPBIT(CAP_KILL) |
                     CAPBIT(CAP_LEASE) | CAPBIT(CAP_LINUX_IMMUTABLE) | CAPBIT(CAP_MKNOD) |
                     CAPBIT(CAP_NET_BIND_SERVICE) | CAPBIT(CAP_NET_BROADCAST) |
                     CAPBIT(CAP_NET_RAW) | CAPBIT(CAP_SETFCAP) | CAPBIT(CAP_SETGID) |
                     CAPBIT(CAP_SETPCAP) | CAPBIT(CAP_SETUID) | CAPBIT(CAP_SYS_ADMIN) |
                     CAPBIT(CAP_SYS_BOOT) | CAPBIT(CAP_SYS_CHROOT) | CAPBIT(CAP_SYS_NICE) |
                     CAPBIT(CAP_SYS_PTRACE) | CAPBIT(CAP_SYS_RESOURCE) | CAPBIT(CAP_SYS_TTY_CONFIG);
        /* Administering the box's own network namespace is harmless; the host's is not. */
        if (private_net)
                m |= CAPBIT(CAP_NET_ADMIN);
        return m;
}

uint64_t box_config_caps(const struct box_config *c)
{
        if (c->caps.sets_given)
                return c->caps.bounding;
        uint64_t m = c->caps.set_given ? c->caps.set
                     : c->boot         ? box_caps_default_machine(c->net == BOX_NET_PRIVATE)
                                       : box_caps_default_app();
        return (m | c->caps.add) & ~c->caps.drop;
}

/* Paths whose contents describe or steer the host, hidden as Docker, runc and systemd-nspawn
 * hide them: reading finds nothing, writing fails with EROFS (see mask_path()). */
const char *const box_masked_paths_default[] = {
        "/proc/kcore",
        "/proc/keys",
        "/proc/kallsyms",
        "/proc/sysrq-trigger",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/latency_stats",
        "/proc/sched_debug",
        "/proc/acpi",
        "/proc/scsi",
        "/proc/asound",
        "/proc/kmsg",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
        "/sys/kernel/debug",
        "/sys/kernel/security",
        NULL,
};
const char *const box_read_only_paths_default[] = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                   "/proc/sys", NULL};
bool box_config_veth(const struct box_config *c)
{
        return c->netcfg.veth == BOX_YES || c->netcfg.bridge || c->netcfg.zone;
}
