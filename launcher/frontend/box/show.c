/* show.c - a resolved config as .box text (`check --show`), one function per section. What it
 * prints loads back to the same config through reader.c; the value words come from the same
 * tables the reader uses (core/names.h, util/mountopts.h). */
#include "frontend/box/box.h"

#include "core/names.h"
#include "util/capnames.h"
#include "util/mountopts.h"

#include <signal.h>

/* Words for a split_quoted() value. An INI value that holds '#' or ';' or starts with a quote
 * must be quoted as a whole (the .box reader rejects anything else), so when any word needs
 * quoting the whole value goes in double quotes and the words inside use single quotes, or
 * backslashes for a word that holds a single quote. ('"' cannot appear inside such a value.) */
static bool word_needs_quoting(const char *w)
{
        return !*w || strpbrk(w, " \t'\"\\#;");
}

static void show_word(FILE *f, const char *w)
{
        if (!word_needs_quoting(w))
                fputs(w, f);
        else if (!strchr(w, '\''))
                fprintf(f, "'%s'", w);
        else
                for (const char *s = w; *s; s++) {
                        if (strchr(" \t'\"\\", *s))
                                fputc('\\', f);
                        fputc(*s, f);
                }
}

static void show_strv(FILE *f, const char *key, char **v)
{
        bool quote = false;

        if (!v)
                return;
        for (char **p = v; *p; p++)
                quote = quote || word_needs_quoting(*p);
        fprintf(f, "%s = %s", key, quote ? "\"" : "");
        for (char **p = v; *p; p++) {
                if (p != v)
                        fputc(' ', f);
                show_word(f, *p);
        }
        fputs(quote ? "\"\n" : "\n", f);
}

/* A single verbatim value (a path, a name): quoted as a whole when the reader needs it. */
static void show_value(FILE *f, const char *key, const char *v)
{
        size_t n = strlen(v);
        bool quote = strpbrk(v, "#;") || v[0] == '"' || v[0] == '\'' ||
                     (n && strchr(" \t", v[0])) || (n && strchr(" \t\\", v[n - 1]));
        fprintf(f, quote ? "%s = \"%s\"\n" : "%s = %s\n", key, v);
}

static void show_size(FILE *f, const char *key, uint64_t v)
{
        if (v == BOX_LIMIT_UNSET)
                return;
        if (v == BOX_LIMIT_UNSET - 1)
                fprintf(f, "%s = infinity\n", key);
        else
                fprintf(f, "%s = %llu\n", key, (unsigned long long)v);
}

static const char *yesno(bool b)
{
        return b ? "yes" : "no";
}

static void show_rlimit_value(FILE *f, rlim_t v, const char *end)
{
        if (v == RLIM_INFINITY)
                fprintf(f, "infinity%s", end);
        else
                fprintf(f, "%llu%s", (unsigned long long)v, end);
}

/* The process's limits: Sysctl= and LimitNOFILE= ... (named "Limit" + RLIMIT_*'s suffix). */
static void show_exec_limits(const struct box_config *c, FILE *f)
{
        if (c->n_sysctls) {
                char **kv = xcalloc(c->n_sysctls + 1, sizeof(char *));
                for (size_t i = 0; i < c->n_sysctls; i++)
                        kv[i] = xasprintf("%s=%s", c->sysctls[i].key, c->sysctls[i].value);
                show_strv(f, "Sysctl", kv);
                strv_free(kv);
        }
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                const struct box_rlimit *r = &c->rlimits[i];
                if (!r->set)
                        continue;
                fprintf(f, "Limit%s = ", box_rlimit_name(i) + strlen("RLIMIT_"));
                show_rlimit_value(f, r->value.rlim_cur, ":");
                show_rlimit_value(f, r->value.rlim_max, "\n");
        }
}

static void show_exec(const struct box_config *c, FILE *f)
{
        fprintf(f, "\n[Exec]\n");
        if (c->argv)
                show_strv(f, "Command", c->argv);
        else
                fprintf(f, "Command = /bin/sh\n");
        fprintf(f, "Boot = %s\nInit = %s\n", yesno(c->boot), yesno(box_config_stub_init(c)));
        fprintf(f, "User = %s\n", c->user ? c->user : "root");
        if (c->group)
                fprintf(f, "Group = %s\n", c->group);
        if (c->supplementary_groups)
                show_strv(f, "SupplementaryGroups", c->supplementary_groups);
        show_value(f, "WorkingDirectory", c->cwd ? c->cwd : "/");
        show_strv(f, "Environment", c->env);
        int ks = box_config_kill_signal(c);
        if (ks >= SIGRTMIN)
                fprintf(f, "KillSignal = SIGRTMIN+%d\n", ks - SIGRTMIN);
        else
                fprintf(f, "KillSignal = %d\n", ks);
        fprintf(f, "StopTimeout = %llums\n", (unsigned long long)(c->stop_timeout_usec / 1000));
        fprintf(f, "Console = %s\nNotifyReady = %s\nNoNewPrivileges = %s\n",
                box_console_mode_to_string(c->console), yesno(c->notify_ready),
                yesno(box_config_no_new_privs(c)));
        if (c->oom_score_adj_set)
                fprintf(f, "OOMScoreAdjust = %d\n", c->oom_score_adj);
        if (c->cpu_affinity)
                fprintf(f, "CPUAffinity = %s\n", c->cpu_affinity);
        show_exec_limits(c, f);
}

static void show_namespaces(const struct box_config *c, FILE *f)
{
        fprintf(f, "\n[Namespaces]\n");
        /* A joined network namespace is [Network] NamespacePath=, which Network= would contradict. */
        if (!c->ns_join[BOX_NS_NET])
                fprintf(f, "Network = %s\n", box_net_mode_names[c->net]);
        if (c->userns == BOX_USERNS_FIXED)
                fprintf(f, "User = %u:%u\n", (unsigned)c->uid_base, (unsigned)c->uid_count);
        else
                fprintf(f, "User = %s\n", c->userns == BOX_USERNS_PICK ? "pick" : "no");
        fprintf(f, "UTS = %s\nIPC = %s\nCgroup = %s\nTime = %s\n", yesno(c->ns_uts),
                yesno(c->ns_ipc), yesno(c->ns_cgroup), yesno(c->ns_time));
}

/* Exactly what was given, so that `exec` resolves the same set against the host. */
static void show_caps(const struct box_config *c, FILE *f)
{
        const struct box_caps *cp = &c->caps;
        if (!cp->set_given && !cp->add && !cp->drop && !cp->ambient)
                return;
        static const char *const keys[] = {"Set", "Add", "Drop", "Ambient"};
        const uint64_t vals[] = {cp->set, cp->add, cp->drop, cp->ambient};
        fprintf(f, "\n[Capabilities]\n");
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
                if (i == 0 ? !cp->set_given : !vals[i])
                        continue;
                _cleanup_free_ char *s = caps_to_string(vals[i]);
                fprintf(f, "%s = %s\n", keys[i], s);
        }
}

static void show_security(const struct box_config *c, FILE *f)
{
        fprintf(f, "\n[Security]\nSeccomp = %s\n", yesno(c->seccomp.enabled));
        /* One SystemCallFilter= key per section: an allow list, or a "~" deny list. */
        show_strv(f, "SystemCallFilter", c->seccomp.allow);
        if (c->seccomp.deny) {
                fprintf(f, "%sSystemCallFilter = ~", c->seccomp.allow ? "# " : "");
                for (char **p = c->seccomp.deny; *p; p++)
                        fprintf(f, "%s%s", p == c->seccomp.deny ? "" : " ", *p);
                fputc('\n', f);
        }
        fprintf(f, "SystemCallErrorNumber = %d\n", c->seccomp.errno_value);
        if (c->apparmor_profile)
                show_value(f, "AppArmorProfile", c->apparmor_profile);
        if (c->apparmor_optional)
                fprintf(f, "AppArmorOptional = yes\n");
        show_strv(f, "MaskPaths", c->mask_paths);
        show_strv(f, "ReadOnlyPaths", c->read_only_paths);
}

static void show_limits(const struct box_limits *l, FILE *f)
{
        fprintf(f, "\n[Limits]\n");
        show_size(f, "MemoryMax", l->memory_max);
        show_size(f, "MemoryHigh", l->memory_high);
        show_size(f, "MemorySwapMax", l->memory_swap_max);
        if (l->cpu_quota_ppm != BOX_LIMIT_UNSET)
                fprintf(f, "CPUQuota = %llu%%\n", (unsigned long long)(l->cpu_quota_ppm / 10000));
        if (l->cpu_period_usec != BOX_LIMIT_UNSET)
                fprintf(f, "CPUQuotaPeriodSec = %llums\n",
                        (unsigned long long)(l->cpu_period_usec / 1000));
        show_size(f, "CPUWeight", l->cpu_weight);
        if (l->cpuset_cpus)
                fprintf(f, "AllowedCPUs = %s\n", l->cpuset_cpus);
        if (l->cpuset_mems)
                fprintf(f, "AllowedMemoryNodes = %s\n", l->cpuset_mems);
        show_size(f, "TasksMax", l->tasks_max);
        show_size(f, "IOWeight", l->io_weight);
        for (size_t i = 0; i < l->n_io; i++)
                fprintf(f, "# %s (%u:%u): rbps=%llu wbps=%llu riops=%llu wiops=%llu\n",
                        l->io[i].device, l->io[i].major, l->io[i].minor,
                        (unsigned long long)l->io[i].rbps, (unsigned long long)l->io[i].wbps,
                        (unsigned long long)l->io[i].riops, (unsigned long long)l->io[i].wiops);
        if (l->parent)
                show_value(f, "Parent", l->parent);
}

static void show_mount(const struct box_mount *m, FILE *f)
{
        fprintf(f, "\n[Mount %s]\nType = %s\n", m->name, box_mount_type_to_string(m->type));
        if (m->source)
                show_value(f, "Source", m->source);
        if (m->target)
                show_value(f, "Target", m->target);
        /* As written: box_mount_flags() adds the defaults again on load. */
        unsigned long cleared = (m->flags & MS_RDONLY ? 0 : MS_RDONLY) | (m->suid ? MS_NOSUID : 0) |
                                (m->dev ? MS_NODEV : 0);
        _cleanup_free_ char *words = mountopts_to_string(m->flags, cleared);
        fprintf(f, "Options = %s%s%s%s\n", words,
                m->type == BOX_MOUNT_BIND ? (m->recursive ? ",rbind" : ",bind") : "",
                m->data ? "," : "", m->data ? m->data : "");
        for (size_t j = 0; j < ARRAY_SIZE(mount_propagation_flags); j++)
                if (m->propagation & mount_propagation_flags[j])
                        fprintf(f, "Propagation = %s%s\n", m->propagation & MS_REC ? "r" : "",
                                mountopts_propagation_to_string(mount_propagation_flags[j]));
        if (m->optional)
                fprintf(f, "Optional = yes\n");
        if (m->lower)
                show_strv(f, "LowerDirs", m->lower);
        if (m->upper)
                show_value(f, "UpperDir", m->upper);
        if (m->work)
                show_value(f, "WorkDir", m->work);
}

static void show_items(const struct box_config *c, FILE *f)
{
        for (size_t i = 0; i < c->n_mounts; i++)
                show_mount(&c->mounts[i], f);
        for (size_t i = 0; i < c->n_devices; i++) {
                const struct box_device *d = &c->devices[i];
                fprintf(f, "\n[Device %s]\n", d->name);
                if (d->path)
                        show_value(f, "Path", d->path);
                fprintf(f, "Type = %s\nNumber = %u:%u\nAccess = %s\nMode = %04o\n",
                        d->type == 'b' ? "block" : "char", d->major, d->minor, d->access,
                        (unsigned)d->mode);
        }
        for (size_t i = 0; i < c->n_hooks; i++) {
                const struct box_hook *h = &c->hooks[i];
                fprintf(f, "\n[Hook %s]\nStage = %s\n", h->name,
                        box_hook_stage_to_string(h->stage));
                show_strv(f, "Command", h->argv);
                show_strv(f, "Environment", h->env);
                if (h->timeout_usec)
                        fprintf(f, "Timeout = %llums\n",
                                (unsigned long long)(h->timeout_usec / 1000));
        }
}

static void show_tristate(FILE *f, const char *key, enum box_tristate t)
{
        if (t != BOX_DEFAULT)
                fprintf(f, "%s = %s\n", key, yesno(t == BOX_YES));
}

static void show_network(const struct box_config *c, FILE *f)
{
        const struct box_net *n = &c->netcfg;
        /* Nothing to say for a box with loopback only, unless it is a machine (whose default
         * would be a veth). */
        if (!box_config_veth(c) && !n->interfaces && !n->macvlan && !n->ipvlan && n->localhost &&
            n->resolv_conf == BOX_RESOLV_AUTO && !c->boot && !c->ns_join[BOX_NS_NET])
                return;
        fprintf(f, "\n[Network]\n");
        if (c->ns_join[BOX_NS_NET])
                show_value(f, "NamespacePath", c->ns_join[BOX_NS_NET]);
        show_tristate(f, "VirtualEthernet", n->veth);
        if (n->bridge)
                show_value(f, "Bridge", n->bridge);
        if (n->zone)
                show_value(f, "Zone", n->zone);
        show_strv(f, "Interface", n->interfaces);
        show_strv(f, "MACVLAN", n->macvlan);
        show_strv(f, "IPVLAN", n->ipvlan);
        if (n->addresses)
                show_strv(f, "Address", n->addresses);
        else if (box_config_veth(c))
                fprintf(f, "Address = auto\n");
        show_tristate(f, "Masquerade", n->masquerade);
        fprintf(f, "Localhost = %s\nResolvConf = %s\n", yesno(n->localhost),
                box_resolv_conf_names[n->resolv_conf]);
        for (size_t i = 0; i < n->n_ports; i++) {
                const struct box_port *p = &n->ports[i];
                fprintf(f, "\n[Port %s]\nProtocol = %s\n", p->name,
                        box_net_proto_names[p->protocol]);
                if (p->host_address)
                        show_value(f, "HostAddress", p->host_address);
                fprintf(f, "HostPort = %u\n", (unsigned)p->host_port);
                if (p->box_port)
                        fprintf(f, "BoxPort = %u\n", (unsigned)p->box_port);
        }
}

void box_file_show(const struct box_config *c, FILE *f)
{
        /* An OCI bundle's config has fields no .box key holds (its mounts list is the whole
         * layout, its capability sets, ...): say so rather than print a box that differs. */
        if (c->api_listed)
                fputs("# From an OCI bundle: its mounts, capability sets, process and resources\n"
                      "# beyond the .box keys are not shown (boxlaunch check --oci shows them).\n",
                      f);
        fprintf(f, "[Box]\nName = %s\n", c->name);
        if (c->root)
                show_value(f, "Directory", c->root);
        fprintf(f, "ReadOnly = %s\nHostname = %s\nEphemeral = %s\n", yesno(c->read_only),
                c->hostname ? c->hostname : c->name, yesno(c->ephemeral));
        show_exec(c, f);
        show_namespaces(c, f);
        show_caps(c, f);
        show_security(c, f);
        show_limits(&c->limits, f);
        show_items(c, f);
        show_network(c, f);
}
