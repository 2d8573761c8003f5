/* config.c - defaults, validation and printing of the one internal config. */
#include "core/config.h"

#include "util/capnames.h"

#include "util/log.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>

void box_limits_set_origin(struct box_limits *l, const char *key, const char *file, unsigned line)
{
        size_t i = 0;
        while (i < l->n_origins && !streq(l->origins[i].key, key))
                i++;
        if (i == ARRAY_SIZE(l->origins))
                return;
        l->origins[i] = (struct box_limit_origin){key, {file, line}};
        if (i == l->n_origins)
                l->n_origins++;
}

const struct box_origin *box_limits_origin(const struct box_limits *l, const char *key)
{
        for (size_t i = 0; i < l->n_origins; i++)
                if (streq(l->origins[i].key, key) && l->origins[i].origin.file)
                        return &l->origins[i].origin;
        return NULL;
}

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

const char *const box_rlimit_keys[RLIM_NLIMITS] = {
        [RLIMIT_CPU] = "LimitCPU",           [RLIMIT_FSIZE] = "LimitFSIZE",
        [RLIMIT_DATA] = "LimitDATA",         [RLIMIT_STACK] = "LimitSTACK",
        [RLIMIT_CORE] = "LimitCORE",         [RLIMIT_RSS] = "LimitRSS",
        [RLIMIT_NOFILE] = "LimitNOFILE",     [RLIMIT_AS] = "LimitAS",
        [RLIMIT_NPROC] = "LimitNPROC",       [RLIMIT_MEMLOCK] = "LimitMEMLOCK",
        [RLIMIT_LOCKS] = "LimitLOCKS",       [RLIMIT_SIGPENDING] = "LimitSIGPENDING",
        [RLIMIT_MSGQUEUE] = "LimitMSGQUEUE", [RLIMIT_NICE] = "LimitNICE",
        [RLIMIT_RTPRIO] = "LimitRTPRIO",     [RLIMIT_RTTIME] = "LimitRTTIME",
};

static const char *const stage_names[_BOX_HOOK_STAGE_MAX] = {
        [BOX_HOOK_PRESTART] = "prestart",
        [BOX_HOOK_CREATE_RUNTIME] = "createRuntime",
        [BOX_HOOK_CREATE_CONTAINER] = "createContainer",
        [BOX_HOOK_START_CONTAINER] = "startContainer",
        [BOX_HOOK_POSTSTART] = "poststart",
        [BOX_HOOK_POSTSTOP] = "poststop",
};

const char *box_hook_stage_to_string(enum box_hook_stage s)
{
        return s < _BOX_HOOK_STAGE_MAX ? stage_names[s] : "invalid";
}

int box_hook_stage_from_string(const char *s)
{
        for (int i = 0; i < _BOX_HOOK_STAGE_MAX; i++)
                if (strcaseeq(s, stage_names[i]))
                        return i;
        return -EINVAL;
}

/* "FILE:LINE: " or "FILE: " for messages about a whole-config rule. */
static const char *where(const struct box_config *c, char *buf, size_t n, unsigned line)
{
        if (!c->source_file)
                snprintf(buf, n, "config: ");
        else if (line)
                snprintf(buf, n, "%s:%u: ", c->source_file, line);
        else
                snprintf(buf, n, "%s: ", c->source_file);
        return buf;
}

static bool path_has_dotdot(const char *p)
{
        for (const char *s = p; (s = strstr(s, "..")); s += 2)
                if ((s == p || s[-1] == '/') && (s[2] == 0 || s[2] == '/'))
                        return true;
        return false;
}

/* Paths equal up to repeated and trailing slashes ("/data/" is "/data"). */
static bool path_equal(const char *a, const char *b)
{
        for (;;) {
                if (*a == '/' && *b == '/') {
                        a += strspn(a, "/");
                        b += strspn(b, "/");
                        if (!*a || !*b)
                                return !*a && !*b;
                        continue;
                }
                if (*a != *b)
                        return (*a == '/' && !a[strspn(a, "/")] && !*b) ||
                               (*b == '/' && !b[strspn(b, "/")] && !*a);
                if (!*a)
                        return true;
                a++;
                b++;
        }
}

int box_config_validate(struct box_config *c)
{
        char w[512];
        unsigned errors = 0;

        if (!c->root) {
                log_error("%sno root directory: set Directory= in [Box]",
                          where(c, w, sizeof(w), 0));
                errors++;
        } else if (path_has_dotdot(c->root)) {
                log_error("%sDirectory=%s must not contain '..'", where(c, w, sizeof(w), 0),
                          c->root);
                errors++;
        }
        if (c->boot && c->init == BOX_YES) {
                log_error("%sBoot=yes runs the image's init as PID 1; it cannot be combined with "
                          "Init=yes",
                          where(c, w, sizeof(w), 0));
                errors++;
        }
        if (c->boot && c->caps.ambient) {
                log_error("%sAmbient= capabilities cannot be used with Boot=yes",
                          where(c, w, sizeof(w), 0));
                errors++;
        }
        for (size_t i = 0; i < c->n_sysctls; i++) {
                const char *k = c->sysctls[i].key, *need = NULL;
                if (strncmp(k, "net.", 4) == 0 && c->net != BOX_NET_PRIVATE)
                        need = "a private network (Network=private";
                else if ((strncmp(k, "kernel.shm", 10) == 0 || strncmp(k, "kernel.msg", 10) == 0 ||
                          streq(k, "kernel.sem") || strncmp(k, "fs.mqueue.", 10) == 0) &&
                         !c->ns_ipc)
                        need = "an IPC namespace (IPC=yes";
                else if ((streq(k, "kernel.hostname") || streq(k, "kernel.domainname")) &&
                         !c->ns_uts)
                        need = "a UTS namespace (UTS=yes";
                if (need) {
                        log_error("%ssysctl %s needs %s in [Namespaces]); it would change the "
                                  "host",
                                  where(c, w, sizeof(w), 0), k, need);
                        errors++;
                }
        }
        if (c->userns == BOX_USERNS_FIXED && c->uid_count < 65536 && c->uid_base == 0) {
                /* Mapping host root into the box is what the user namespace is meant to avoid. */
                log_error("%sUser=0:%u in [Namespaces] maps the host's root into the box",
                          where(c, w, sizeof(w), 0), c->uid_count);
                errors++;
        }
        for (size_t i = 0; i < c->n_mounts; i++) {
                struct box_mount *m = &c->mounts[i];
                if (m->target && path_has_dotdot(m->target)) {
                        log_error("%s[Mount %s] Target=%s must not contain '..'",
                                  where(c, w, sizeof(w), m->origin.line), m->name, m->target);
                        errors++;
                }
                for (size_t j = 0; j < i; j++)
                        if (m->target && c->mounts[j].target &&
                            path_equal(m->target, c->mounts[j].target)) {
                                log_error("%s[Mount %s] mounts on %s like [Mount %s]",
                                          where(c, w, sizeof(w), m->origin.line), m->name,
                                          m->target, c->mounts[j].name);
                                errors++;
                        }
        }
        for (size_t i = 0; i < c->n_devices; i++)
                for (size_t j = 0; j < i; j++)
                        if (path_equal(c->devices[i].path, c->devices[j].path)) {
                                log_error("%s[Device %s] uses the path %s of [Device %s]",
                                          where(c, w, sizeof(w), c->devices[i].origin.line),
                                          c->devices[i].name, c->devices[i].path,
                                          c->devices[j].name);
                                errors++;
                        }
        if (c->limits.memory_swap_max != BOX_LIMIT_UNSET &&
            c->limits.memory_max == BOX_LIMIT_UNSET) {
                log_error("%sMemorySwapMax= needs MemoryMax= in [Limits]",
                          where(c, w, sizeof(w), 0));
                errors++;
        }
        if (errors)
                return -EINVAL;

        /* A machine box runs a whole distribution as root: give it its own id range unless the
         * file says otherwise (systemd-nspawn@.service does the same with -U). */
        if (c->userns == BOX_USERNS_DEFAULT)
                c->userns = c->boot ? BOX_USERNS_PICK : BOX_USERNS_NO;
        if (!c->hostname)
                c->hostname = xstrdup(c->name ? c->name : "box");
        if (!c->cwd)
                c->cwd = xstrdup("/");
        return 0;
}

/* Words for a split_quoted() value. An INI value that holds '#' or ';' or starts with a quote
 * must be quoted as a whole (the .box reader rejects anything else), so when any word needs
 * quoting the whole value goes in double quotes and the words inside use single quotes, or
 * backslashes for a word that holds a single quote. ('"' cannot appear inside such a value.) */
static bool word_needs_quoting(const char *w)
{
        return !*w || strpbrk(w, " \t'\"\\#;");
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
                if (!word_needs_quoting(*p))
                        fputs(*p, f);
                else if (!strchr(*p, '\''))
                        fprintf(f, "'%s'", *p);
                else
                        for (const char *s = *p; *s; s++) {
                                if (strchr(" \t'\"\\", *s))
                                        fputc('\\', f);
                                fputc(*s, f);
                        }
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

void box_config_show(const struct box_config *c, FILE *f)
{
        static const char *const console[] = {"autopipe", "interactive", "read-only", "pipe"};

        fprintf(f, "[Box]\nName = %s\n", c->name);
        if (c->root)
                show_value(f, "Directory", c->root);
        fprintf(f, "ReadOnly = %s\nHostname = %s\nEphemeral = %s\n", yesno(c->read_only),
                c->hostname ? c->hostname : c->name, yesno(c->ephemeral));
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
        fprintf(f, "Console = %s\nNotifyReady = %s\nNoNewPrivileges = %s\n", console[c->console],
                yesno(c->notify_ready), yesno(box_config_no_new_privs(c)));
        if (c->oom_score_adj_set)
                fprintf(f, "OOMScoreAdjust = %d\n", c->oom_score_adj);
        if (c->cpu_affinity)
                fprintf(f, "CPUAffinity = %s\n", c->cpu_affinity);
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
                fprintf(f, "%s = ", box_rlimit_keys[i]);
                if (r->value.rlim_cur == RLIM_INFINITY)
                        fprintf(f, "infinity:");
                else
                        fprintf(f, "%llu:", (unsigned long long)r->value.rlim_cur);
                if (r->value.rlim_max == RLIM_INFINITY)
                        fprintf(f, "infinity\n");
                else
                        fprintf(f, "%llu\n", (unsigned long long)r->value.rlim_max);
        }

        fprintf(f, "\n[Namespaces]\nNetwork = %s\n",
                c->net == BOX_NET_PRIVATE ? "private" : "host");
        if (c->userns == BOX_USERNS_FIXED)
                fprintf(f, "User = %u:%u\n", (unsigned)c->uid_base, (unsigned)c->uid_count);
        else
                fprintf(f, "User = %s\n", c->userns == BOX_USERNS_PICK ? "pick" : "no");
        fprintf(f, "UTS = %s\nIPC = %s\nCgroup = %s\nTime = %s\n", yesno(c->ns_uts),
                yesno(c->ns_ipc), yesno(c->ns_cgroup), yesno(c->ns_time));

        /* Exactly what was given, so `exec` resolves the same set against the host. */
        const struct box_caps *cp = &c->caps;
        if (cp->set_given || cp->add || cp->drop || cp->ambient) {
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

        const struct box_limits *l = &c->limits;
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

        static const char *const mtypes[] = {"bind", "tmpfs", "overlay"};
        for (size_t i = 0; i < c->n_mounts; i++) {
                const struct box_mount *m = &c->mounts[i];
                fprintf(f, "\n[Mount %s]\nType = %s\n", m->name, mtypes[m->type]);
                if (m->source)
                        show_value(f, "Source", m->source);
                if (m->target)
                        show_value(f, "Target", m->target);
                /* As written: box_mount_flags() adds the defaults again on load. */
                fprintf(f, "Options = %s%s%s%s%s%s%s%s%s%s%s%s%s%s\n",
                        m->flags & MS_RDONLY ? "ro" : "rw", m->flags & MS_NOSUID ? ",nosuid" : "",
                        m->suid ? ",suid" : "", m->flags & MS_NODEV ? ",nodev" : "",
                        m->dev ? ",dev" : "", m->flags & MS_NOEXEC ? ",noexec" : "",
                        m->flags & MS_NOATIME ? ",noatime" : "",
                        m->flags & MS_NODIRATIME ? ",nodiratime" : "",
                        m->flags & MS_RELATIME ? ",relatime" : "",
                        m->flags & MS_STRICTATIME ? ",strictatime" : "",
                        m->flags & MS_NOSYMFOLLOW ? ",nosymfollow" : "",
                        m->type == BOX_MOUNT_BIND ? (m->recursive ? ",rbind" : ",bind") : "",
                        m->data ? "," : "", m->data ? m->data : "");
                static const struct {
                        unsigned long flag;
                        const char *name;
                } props[] = {{MS_PRIVATE, "private"},
                             {MS_SLAVE, "slave"},
                             {MS_SHARED, "shared"},
                             {MS_UNBINDABLE, "unbindable"}};
                for (size_t j = 0; j < ARRAY_SIZE(props); j++)
                        if (m->propagation & props[j].flag)
                                fprintf(f, "Propagation = %s%s\n",
                                        m->propagation & MS_REC ? "r" : "", props[j].name);
                if (m->optional)
                        fprintf(f, "Optional = yes\n");
                if (m->lower)
                        show_strv(f, "LowerDirs", m->lower);
                if (m->upper)
                        show_value(f, "UpperDir", m->upper);
                if (m->work)
                        show_value(f, "WorkDir", m->work);
        }
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
