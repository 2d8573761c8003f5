/* setters.c - the value setters of the .box key table (keys.c) for the singleton sections: the
 * generic ones (a boolean, a size, a path, a word list...) that many keys share, and the few
 * with logic of their own. Each parses one value into its destination or logs with
 * fill_error(); values are parsed by util/parse.c, never by iniparser's typed getters
 * (CVE-2023-33461 in Debian's 4.1). */
#include "frontend/box/keys.h"

#include "core/names.h"
#include "util/capnames.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/signals.h"
/* The syscall group table lives with the filter compiler; only its name check is used here. */
#include "util/syscallnames.h"

#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

int fill_error(struct fill *f, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s:%u: [%s] %s: %s", f->file, f->line, f->section, f->key->key, msg);
        f->errors++;
        return -EINVAL;
}

/* ---- generic ------------------------------------------------------------------------------ */

int set_string(struct fill *f, void *dst, const char *v)
{
        char **s = dst;
        if (!*v)
                return fill_error(f, "empty value");
        free(*s);
        *s = xstrdup(v);
        return 0;
}

int set_abs_path(struct fill *f, void *dst, const char *v)
{
        char **s = dst;
        if (!*v)
                return fill_error(f, "empty path");
        if (v[0] != '/')
                return fill_error(f, "'%s' is not an absolute path", v);
        if (strlen(v) >= 4096)
                return fill_error(f, "path too long");
        free(*s);
        *s = xstrdup(v);
        return 0;
}

int set_bool(struct fill *f, void *dst, const char *v)
{
        if (parse_boolean(v, dst) < 0)
                return fill_error(f, "'%s' is not a boolean (yes/no, true/false, on/off, 1/0)", v);
        return 0;
}

int set_tristate(struct fill *f, void *dst, const char *v)
{
        bool b;
        int r = set_bool(f, &b, v);
        if (r == 0)
                *(enum box_tristate *)dst = b ? BOX_YES : BOX_NO;
        return r;
}

int set_size(struct fill *f, void *dst, const char *v)
{
        if (strcaseeq(v, "infinity")) {
                *(uint64_t *)dst = BOX_LIMIT_UNSET - 1;
                return 0;
        }
        int r = parse_size(v, dst);
        if (r == -ERANGE)
                return fill_error(f, "'%s' is too large", v);
        if (r < 0)
                return fill_error(f,
                                  "'%s' is not a size (bytes with an optional K, M, G or T "
                                  "suffix, or 'infinity')",
                                  v);
        return 0;
}

int set_timespan(struct fill *f, void *dst, const char *v)
{
        if (parse_timespan(v, dst) < 0)
                return fill_error(f, "'%s' is not a time span (e.g. 10s, 500ms, 1min 30s)", v);
        return 0;
}

int set_argv(struct fill *f, void *dst, const char *v)
{
        char ***s = dst, **argv;
        const char *err;
        if (split_quoted(v, &argv, &err) < 0)
                return fill_error(f, "%s in '%s'", err, v);
        if (!argv[0]) {
                strv_free(argv);
                return fill_error(f, "empty command");
        }
        strv_free(*s);
        *s = argv;
        return 0;
}

static bool env_name_ok(const char *s, size_t n)
{
        if (n == 0 || isdigit((unsigned char)s[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_')
                        return false;
        return true;
}

int fill_words(struct fill *f, const char *v, bool (*ok)(struct fill *f, const char *w),
               char ***ret)
{
        char **words;
        const char *err;
        if (split_quoted(v, &words, &err) < 0)
                return fill_error(f, "%s in '%s'", err, v);
        for (char **w = words; *w; w++)
                if (!ok(f, *w)) {
                        strv_free(words);
                        return -EINVAL;
                }
        *ret = words;
        return 0;
}

/* Checked words appended to *dst. */
static int append_words(struct fill *f, char ***dst, const char *v,
                        bool (*ok)(struct fill *f, const char *w))
{
        _cleanup_strv_ char **words = NULL;
        int r = fill_words(f, v, ok, &words);
        if (r < 0)
                return r;
        for (char **w = words; *w; w++)
                strv_push(dst, xstrdup(*w));
        return 0;
}

static bool env_ok(struct fill *f, const char *w)
{
        const char *eq = strchr(w, '=');
        if (eq && env_name_ok(w, (size_t)(eq - w)))
                return true;
        fill_error(f, "'%s' is not NAME=VALUE with a valid variable name", w);
        return false;
}

int set_env(struct fill *f, void *dst, const char *v)
{
        return append_words(f, dst, v, env_ok);
}

int set_weight(struct fill *f, void *dst, const char *v)
{
        if (parse_uint64(v, 10000, dst) < 0 || *(uint64_t *)dst == 0)
                return fill_error(f, "'%s' is not a weight from 1 to 10000", v);
        return 0;
}

int set_cpu_list(struct fill *f, void *dst, const char *v)
{
        char **s = dst, *list;
        if (parse_cpu_list(v, &list) < 0)
                return fill_error(f,
                                  f->key->arg ? "'%s' is not a node list (e.g. 0,1)"
                                              : "'%s' is not a CPU list (e.g. 0-3,6)",
                                  v);
        free(*s);
        *s = list;
        return 0;
}

bool has_dot_component(const char *p)
{
        for (const char *c = p; *c;) {
                size_t n = strcspn(c, "/");
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return true;
                c += n;
                c += strspn(c, "/");
        }
        return false;
}

static bool abs_path_ok(struct fill *f, const char *w)
{
        if (w[0] == '/' && !has_dot_component(w) && strlen(w) < 4096)
                return true;
        fill_error(f, "'%s' is not an absolute path without '..'", w);
        return false;
}

int set_path_list(struct fill *f, void *dst, const char *v)
{
        return append_words(f, dst, v, abs_path_ok);
}

/* An enumerated value by its name in core/names.h (enums are int-sized). */
int set_enum(struct fill *f, void *dst, const char *v)
{
        static const struct {
                int (*from_string)(const char *s);
                const char *what;
        } enums[] = {
                [BOX_ENUM_CONSOLE] = {box_console_mode_from_string,
                                      "a console mode (interactive, read-only, pipe, autopipe)"},
                [BOX_ENUM_NET] = {box_net_mode_from_string, "a network mode (host, private)"},
                [BOX_ENUM_MOUNT_TYPE] = {box_mount_type_from_string,
                                         "a mount type (bind, tmpfs, overlay)"},
                [BOX_ENUM_HOOK_STAGE] = {box_hook_stage_from_string,
                                         "a hook stage (prestart, createRuntime, createContainer, "
                                         "startContainer, poststart, poststop)"},
                [BOX_ENUM_PROTO] = {box_net_proto_from_string, "a protocol (tcp, udp)"},
                [BOX_ENUM_RESOLV_CONF] = {box_resolv_conf_from_string,
                                          "a resolv.conf mode (auto, off, bind-host, bind-box)"},
        };
        int e = enums[f->key->arg].from_string(v);
        if (e < 0)
                return fill_error(f, "'%s' is not %s", v, enums[f->key->arg].what);
        *(int *)dst = e;
        return 0;
}

/* ---- [Box] and [Exec] ---------------------------------------------------------------------- */

int set_box_name(struct fill *f, void *dst, const char *v)
{
        if (!box_name_valid(v))
                return fill_error(f,
                                  "'%s' is not a valid box name (letters, digits, '_', '-', '.', "
                                  "at most 64, not starting with '.')",
                                  v);
        return set_string(f, dst, v);
}

int set_directory(struct fill *f, void *dst, const char *v)
{
        char **root = dst;
        if (!*v)
                return fill_error(f, "empty path");
        if (v[0] == '/')
                return set_abs_path(f, dst, v);
        /* Relative to the .box file's own directory. */
        const char *slash = strrchr(f->file, '/');
        _cleanup_free_ char *dir =
                slash ? xstrndup(f->file, (size_t)(slash - f->file)) : xstrdup(".");
        _cleanup_free_ char *joined = xasprintf("%s/%s", dir, v);
        char *abs = realpath(joined, NULL);
        if (!abs)
                abs = joined[0] == '/' ? xstrdup(joined) : NULL;
        if (!abs) {
                char cwd[4096];
                if (!getcwd(cwd, sizeof(cwd)))
                        return fill_error(f, "cannot resolve relative path '%s'", v);
                abs = xasprintf("%s/%s", cwd, joined);
        }
        free(*root);
        *root = abs;
        return 0;
}

int set_hostname(struct fill *f, void *dst, const char *v)
{
        if (!*v || strlen(v) > 64)
                return fill_error(f, "'%s' is not a valid hostname (1 to 64 characters)", v);
        for (const char *p = v; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
                        return fill_error(
                                f, "'%s' is not a valid hostname (letters, digits, '-', '.')", v);
        return set_string(f, dst, v);
}

static bool user_name_ok(const char *v)
{
        if (!*v || strlen(v) > 32)
                return false;
        for (const char *p = v; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
                        return false;
        return true;
}

int set_user_name(struct fill *f, void *dst, const char *v)
{
        if (!user_name_ok(v))
                return fill_error(f, "'%s' is not a %s name or number", v,
                                  f->key->arg ? "group" : "user");
        return set_string(f, dst, v);
}

int set_groups(struct fill *f, void *dst, const char *v)
{
        char ***groups = dst;
        char **t = split_tokens(v);
        for (char **p = t; *p; p++)
                if (!user_name_ok(*p)) {
                        fill_error(f, "'%s' is not a group name or number", *p);
                        strv_free(t);
                        return -EINVAL;
                }
        strv_free(*groups);
        *groups = t;
        return 0;
}

int set_kill_signal(struct fill *f, void *dst, const char *v)
{
        int sig = signal_from_string(v);
        if (sig <= 0 || sig == SIGKILL || sig == SIGSTOP)
                return fill_error(f,
                                  "'%s' is not a signal that can be handled (e.g. SIGTERM, "
                                  "SIGRTMIN+3, 15)",
                                  v);
        *(int *)dst = sig;
        return 0;
}

int set_personality(struct fill *f, void *dst, const char *v)
{
        unsigned long *p = dst;
        if (strcaseeq(v, "x86-64") || strcaseeq(v, "x86_64"))
                *p = PER_LINUX;
        else if (strcaseeq(v, "x86"))
                *p = PER_LINUX32;
        else
                return fill_error(f, "'%s' is not a personality (x86, x86-64)", v);
        return 0;
}

int set_oom_score(struct fill *f, void *dst, const char *v)
{
        if (parse_int(v, -1000, 1000, dst) < 0)
                return fill_error(f, "'%s' is not an integer from -1000 to 1000", v);
        f->c->oom_score_adj_set = true;
        return 0;
}

/* Only sysctls that belong to a namespace the box owns may be set (crun/runc's rule). */
static bool sysctl_namespaced(const char *k)
{
        static const char *const prefixes[] = {"net.", "kernel.shm", "kernel.msg", "fs.mqueue."};
        for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
                if (strncmp(k, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return streq(k, "kernel.sem") || streq(k, "kernel.hostname") ||
               streq(k, "kernel.domainname");
}

int set_sysctl(struct fill *f, void *dst, const char *v)
{
        _cleanup_strv_ char **words = NULL;
        const char *err;
        if (split_quoted(v, &words, &err) < 0)
                return fill_error(f, "%s in '%s'", err, v);
        for (char **w = words; *w; w++) {
                char *eq = strchr(*w, '=');
                if (!eq || eq == *w || eq[-1] == '.' || **w == '.' || strstr(*w, "..") ||
                    strchr(*w, '/'))
                        return fill_error(f, "'%s' is not KEY=VALUE (e.g. net.ipv4.ip_forward=1)",
                                          *w);
                *eq = 0;
                if (!sysctl_namespaced(*w))
                        return fill_error(f,
                                          "sysctl '%s' is not namespaced and would change the "
                                          "host; only net.*, kernel.shm*, kernel.msg*, "
                                          "kernel.sem, fs.mqueue.*, kernel.hostname and "
                                          "kernel.domainname are allowed",
                                          *w);
                struct box_config *c = f->c;
                c->sysctls = xrealloc(c->sysctls, (c->n_sysctls + 1) * sizeof(*c->sysctls));
                c->sysctls[c->n_sysctls++] =
                        (struct box_sysctl){.key = xstrdup(*w), .value = xstrdup(eq + 1)};
        }
        return 0;
}

static int parse_rlim_value(const char *s, rlim_t *ret)
{
        uint64_t v;
        if (strcaseeq(s, "infinity")) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        if (parse_size(s, &v) < 0)
                return -EINVAL;
        *ret = (rlim_t)v;
        return 0;
}

int set_rlimit(struct fill *f, void *dst, const char *v)
{
        struct rlimit rl;
        const char *colon = strchr(v, ':');
        _cleanup_free_ char *soft = colon ? xstrndup(v, (size_t)(colon - v)) : xstrdup(v);
        if (parse_rlim_value(soft, &rl.rlim_cur) < 0 ||
            parse_rlim_value(colon ? colon + 1 : v, &rl.rlim_max) < 0)
                return fill_error(f, "'%s' is not a limit (N, SOFT:HARD or infinity)", v);
        if (rl.rlim_cur > rl.rlim_max)
                return fill_error(f, "soft limit above hard limit in '%s'", v);
        *(struct box_rlimit *)dst =
                (struct box_rlimit){.resource = f->key->arg, .set = true, .value = rl};
        return 0;
}

/* ---- [Namespaces], [Capabilities], [Security] ---------------------------------------------- */

int set_userns(struct fill *f, void *dst, const char *v)
{
        struct box_config *c = f->c;
        bool b;
        if (strcaseeq(v, "pick") || (parse_boolean(v, &b) == 0 && b)) {
                c->userns = BOX_USERNS_PICK;
                return 0;
        }
        if (parse_boolean(v, &b) == 0) {
                c->userns = BOX_USERNS_NO;
                return 0;
        }
        uint32_t base, count;
        if (parse_id_range(v, &base, &count) < 0)
                return fill_error(f, "'%s' is not no, pick or BASE:COUNT (e.g. 100000:65536)", v);
        c->userns = BOX_USERNS_FIXED;
        c->uid_base = base;
        c->uid_count = count;
        return 0;
}

/* Space- or comma-separated names, any case; "all" is every capability the kernel knows. */
int set_caps(struct fill *f, void *dst, const char *v)
{
        _cleanup_strv_ char **tokens = split_tokens(v);
        uint64_t mask = 0;
        for (char **t = tokens; *t; t++)
                if (caps_add_name(&mask, *t) < 0)
                        return fill_error(
                                f, "unknown capability '%s' (e.g. CAP_NET_ADMIN, or 'all')", *t);
        *(uint64_t *)dst = mask;
        if (f->key->arg)
                f->c->caps.set_given = true;
        return 0;
}

int set_syscall_filter(struct fill *f, void *dst, const char *v)
{
        struct box_seccomp *s = dst;
        bool deny = false;
        while (*v == ' ')
                v++;
        if (*v == '~') {
                deny = true;
                v++;
        }
        _cleanup_strv_ char **t = split_tokens(v);
        if (!t[0])
                return fill_error(f, "empty system call list");
        for (char **p = t; *p; p++)
                if (!syscall_name_known(*p))
                        return fill_error(f, "unknown system call or group '%s'", *p);
        char ***list = deny ? &s->deny : &s->allow;
        for (char **p = t; *p; p++)
                strv_push(list, xstrdup(*p));
        return 0;
}

int set_errno(struct fill *f, void *dst, const char *v)
{
        static const struct {
                const char *name;
                int value;
        } names[] = {{"EPERM", EPERM},   {"EACCES", EACCES},   {"ENOSYS", ENOSYS},
                     {"EINVAL", EINVAL}, {"ENOTSUP", ENOTSUP}, {"EOPNOTSUPP", EOPNOTSUPP}};
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strcaseeq(v, names[i].name)) {
                        *(int *)dst = names[i].value;
                        return 0;
                }
        if (parse_int(v, 1, 4095, dst) < 0)
                return fill_error(
                        f, "'%s' is not an errno name (EPERM, EACCES, ...) or number 1-4095", v);
        return 0;
}

/* ---- [Limits] ------------------------------------------------------------------------------ */

int set_cpu_quota(struct fill *f, void *dst, const char *v)
{
        if (parse_percent_ppm(v, dst) < 0)
                return fill_error(f, "'%s' is not a percentage of one CPU (e.g. 50%%, 150%%)", v);
        return 0;
}

int set_cpu_period(struct fill *f, void *dst, const char *v)
{
        uint64_t us;
        int r = set_timespan(f, &us, v);
        if (r < 0)
                return r;
        if (us < 1000 || us > 1000000)
                return fill_error(f, "'%s' is outside 1ms..1s", v);
        *(uint64_t *)dst = us;
        return 0;
}

int set_tasks(struct fill *f, void *dst, const char *v)
{
        uint64_t *n = dst;
        if (strcaseeq(v, "infinity")) {
                *n = BOX_LIMIT_UNSET - 1;
                return 0;
        }
        if (parse_uint64(v, 4194304, n) < 0 || !*n)
                return fill_error(f, "'%s' is not a task count from 1 to 4194304 or 'infinity'", v);
        return 0;
}

int set_cgroup_parent(struct fill *f, void *dst, const char *v)
{
        if (v[0] == '/')
                v++;
        if (!*v || strstr(v, "..") || strchr(v, '\n'))
                return fill_error(f, "'%s' is not a cgroup path", v);
        return set_string(f, dst, v);
}

/* IO*Max = DEVICE=RATE [DEVICE=RATE...]: one key per direction and unit, one entry per device;
 * the key's arg is the offset of its rate in struct box_io_limit. */
int set_io_max(struct fill *f, void *dst, const char *v)
{
        struct box_limits *l = dst;
        bool iops = f->key->arg == offsetof(struct box_io_limit, riops) ||
                    f->key->arg == offsetof(struct box_io_limit, wiops);
        _cleanup_strv_ char **t = split_tokens(v);
        if (!t[0])
                return fill_error(f, "empty list; expected DEVICE=RATE (e.g. /dev/sda=10M)");
        for (char **p = t; *p; p++) {
                char *eq = strrchr(*p, '=');
                uint64_t rate;
                if (!eq || (*p)[0] != '/')
                        return fill_error(f, "'%s' is not DEVICE=RATE (e.g. /dev/sda=10M)", *p);
                *eq = 0;
                int r = iops ? parse_uint64(eq + 1, UINT64_MAX - 1, &rate)
                             : parse_size(eq + 1, &rate);
                if (r < 0 || rate == 0)
                        return fill_error(f, "'%s' is not a positive %s", eq + 1,
                                          iops ? "number of operations" : "byte rate");
                struct stat st;
                if (stat(*p, &st) < 0 || !S_ISBLK(st.st_mode))
                        return fill_error(f, "'%s' is not a block device", *p);
                struct box_io_limit *io = NULL;
                for (size_t i = 0; i < l->n_io; i++)
                        if (streq(l->io[i].device, *p))
                                io = &l->io[i];
                if (!io) {
                        l->io = xrealloc(l->io, (l->n_io + 1) * sizeof(*l->io));
                        io = &l->io[l->n_io++];
                        *io = (struct box_io_limit){.device = xstrdup(*p),
                                                    .major = major(st.st_rdev),
                                                    .minor = minor(st.st_rdev)};
                }
                *(uint64_t *)((char *)io + f->key->arg) = rate;
        }
        return 0;
}
