/* config.c - the one internal config: defaults, release, effective values, the box name rule.
 * Validation is in validate.c, field origins in field.c, value names in names.c. */
#include "core/config.h"

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
        for (size_t i = 0; i < c->n_mounts; i++) {
                struct box_mount *m = &c->mounts[i];
                free(m->name);
                free(m->source);
                free(m->target);
                strv_free(m->lower);
                free(m->upper);
                free(m->work);
                free(m->data);
        }
        free(c->mounts);
        for (size_t i = 0; i < c->n_devices; i++) {
                free(c->devices[i].name);
                free(c->devices[i].path);
        }
        free(c->devices);
        for (size_t i = 0; i < c->n_hooks; i++) {
                free(c->hooks[i].name);
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

bool box_config_veth(const struct box_config *c)
{
        return c->netcfg.veth == BOX_YES || c->netcfg.bridge || c->netcfg.zone;
}
