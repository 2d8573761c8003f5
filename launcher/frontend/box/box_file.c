/* box_file.c - the .box reader.
 *
 * iniparser 4.1 reads the values, but it silently swallows a whole class of mistakes: repeated
 * keys (last wins), repeated sections (merged), `[]`, keys before any section, `#`/`;` glued to
 * an unquoted value (cut there), text after a closing quote (dropped), over-long lines (the whole
 * load fails without a line). So a small pre-scan that mirrors its line grammar runs first, records
 * where every section and key stands, and reports those mistakes with file and line. Values are
 * then fetched with iniparser_getstring() only and parsed by parse.c, never by iniparser's typed
 * getters (CVE-2023-33461 in Debian's 4.1). */
#include "frontend/box/box_file.h"

#include "util/capnames.h"
#include "util/log.h"
#include "util/mountopts.h"
#include "util/parse.h"
#include "util/syscallnames.h"
#include "util/signals.h"

#include <ctype.h>
#include <fcntl.h>
#include <iniparser/iniparser.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define INI_MAX_LINE 1022 /* iniparser's buffer is 1024 bytes including "\n\0" */
#define BOX_FILE_MAX (1 << 20)
#define NAME_MAX_LEN 64

/* ---- pre-scan ------------------------------------------------------------------------------ */

struct scan_kv {
        char *key; /* as written */
        unsigned line;
};

struct scan_section {
        char *raw;   /* name as written between the brackets, trimmed */
        char *type;  /* canonical section type ("Exec"), NULL if unknown */
        char *label; /* for [Mount NAME]: NAME, lowercased as iniparser stores it */
        unsigned line;
        struct scan_kv *kv;
        size_t n_kv;
};

struct scan {
        const char *file;
        struct scan_section *sec;
        size_t n_sec;
        unsigned errors;
};

static void scan_free(struct scan *s)
{
        for (size_t i = 0; i < s->n_sec; i++) {
                for (size_t j = 0; j < s->sec[i].n_kv; j++)
                        free(s->sec[i].kv[j].key);
                free(s->sec[i].kv);
                free(s->sec[i].raw);
                free(s->sec[i].type);
                free(s->sec[i].label);
        }
        free(s->sec);
}

static void _printf_(3, 4) scan_error(struct scan *s, unsigned line, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s:%u: %s", s->file, line, msg);
        s->errors++;
}

static char *trim(char *p)
{
        while (*p == ' ' || *p == '\t')
                p++;
        size_t n = strlen(p);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                p[--n] = 0;
        return p;
}

/* Checks a value the way iniparser will read it. */
static void scan_value(struct scan *s, unsigned line, const char *key, const char *v)
{
        if (*v == '"' || *v == '\'') {
                const char *end = strchr(v + 1, *v);
                if (!end) {
                        scan_error(s, line, "%s: unterminated %s quote", key,
                                   *v == '"' ? "double" : "single");
                        return;
                }
                const char *rest = end + 1;
                while (*rest == ' ' || *rest == '\t')
                        rest++;
                if (*rest && *rest != '#' && *rest != ';')
                        scan_error(s, line,
                                   "%s: text after the closing quote would be dropped: '%s'; "
                                   "quote the whole value",
                                   key, rest);
                else if ((*rest == '#' || *rest == ';') && rest == end + 1)
                        scan_error(s, line,
                                   "%s: '%c' right after the closing quote; put a space before "
                                   "a comment",
                                   key, *rest);
                return;
        }
        const char *c = strpbrk(v, "#;");
        if (c && c > v && c[-1] != ' ' && c[-1] != '\t')
                scan_error(s, line,
                           "%s: '%c' inside an unquoted value starts a comment and cuts the "
                           "value to '%.*s'; put the whole value in double quotes",
                           key, *c, (int)(c - v), v);
}

static const char *const singleton_sections[] = {"Box",          "Exec",     "Namespaces",
                                                 "Capabilities", "Security", "Limits"};
static const char *const labelled_sections[] = {"Mount", "Device", "Hook"};

static const char *best_match(const char *word, const char *const *cands, size_t n)
{
        const char *best = NULL;
        unsigned bestd = 3;
        for (size_t i = 0; i < n; i++) {
                unsigned d = edit_distance(word, cands[i]);
                if (d < bestd || (d == bestd && !best && d <= 2)) {
                        bestd = d;
                        best = cands[i];
                }
        }
        /* A short word is too easily "close" to anything. */
        if (best && strlen(word) <= 3 && bestd > 1)
                return NULL;
        return best;
}

static bool label_ok(const char *l)
{
        if (!*l || strlen(l) > NAME_MAX_LEN)
                return false;
        for (const char *p = l; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
                        return false;
        return true;
}

static void scan_section_header(struct scan *s, unsigned line, char *name)
{
        struct scan_section sec = {.line = line};
        char *sp;

        sec.raw = xstrdup(name);
        if (strchr(name, ':')) {
                scan_error(s, line,
                           "section name [%s] contains ':', which the INI reader cannot "
                           "enumerate",
                           name);
        } else if ((sp = strpbrk(name, " \t"))) {
                *sp = 0;
                char *label = trim(sp + 1);
                for (size_t i = 0; i < ARRAY_SIZE(labelled_sections); i++)
                        if (strcaseeq(name, labelled_sections[i]))
                                sec.type = xstrdup(labelled_sections[i]);
                if (!sec.type) {
                        const char *m =
                                best_match(name, labelled_sections, ARRAY_SIZE(labelled_sections));
                        for (size_t i = 0; i < ARRAY_SIZE(singleton_sections); i++)
                                if (strcaseeq(name, singleton_sections[i]))
                                        m = NULL;
                        if (m)
                                scan_error(s, line,
                                           "unknown section [%s %s]; did you mean [%s %s]?", name,
                                           label, m, label);
                        else
                                scan_error(s, line,
                                           "unknown section [%s %s] (only Mount, Device and "
                                           "Hook sections take a name)",
                                           name, label);
                } else if (!label_ok(label)) {
                        scan_error(s, line,
                                   "bad name '%s' in [%s %s]: use letters, digits, '_', '-' "
                                   "and '.', at most %d characters",
                                   label, name, label, NAME_MAX_LEN);
                } else {
                        sec.label = xstrdup(label);
                        for (char *p = sec.label; *p; p++)
                                *p = (char)tolower((unsigned char)*p);
                }
        } else {
                for (size_t i = 0; i < ARRAY_SIZE(singleton_sections); i++)
                        if (strcaseeq(name, singleton_sections[i]))
                                sec.type = xstrdup(singleton_sections[i]);
                for (size_t i = 0; !sec.type && i < ARRAY_SIZE(labelled_sections); i++)
                        if (strcaseeq(name, labelled_sections[i]))
                                scan_error(s, line, "section [%s] needs a name: [%s NAME]", name,
                                           labelled_sections[i]);
                bool labelled = false;
                for (size_t i = 0; i < ARRAY_SIZE(labelled_sections); i++)
                        labelled = labelled || strcaseeq(name, labelled_sections[i]);
                if (!sec.type && !labelled) {
                        const char *
                                all[ARRAY_SIZE(singleton_sections) + ARRAY_SIZE(labelled_sections)];
                        size_t n = 0;
                        for (size_t i = 0; i < ARRAY_SIZE(singleton_sections); i++)
                                all[n++] = singleton_sections[i];
                        for (size_t i = 0; i < ARRAY_SIZE(labelled_sections); i++)
                                all[n++] = labelled_sections[i];
                        const char *m = best_match(name, all, n);
                        if (m)
                                scan_error(s, line, "unknown section [%s]; did you mean [%s]?",
                                           name, m);
                        else
                                scan_error(s, line, "unknown section [%s]", name);
                }
        }

        /* iniparser merges sections whose names match case-insensitively. */
        for (size_t i = 0; i < s->n_sec; i++)
                if (strcaseeq(s->sec[i].raw, sec.raw))
                        scan_error(s, line,
                                   "section [%s] repeated (first at line %u); the INI reader "
                                   "would merge them",
                                   sec.raw, s->sec[i].line);
                else if (sec.label && s->sec[i].label && streq(s->sec[i].type, sec.type) &&
                         streq(s->sec[i].label, sec.label))
                        /* "[Mount  data]" vs "[Mount data]": two sections, one name. */
                        scan_error(s, line, "[%s %s] repeated (first at line %u)", sec.type,
                                   sec.label, s->sec[i].line);
        s->sec = xrealloc(s->sec, (s->n_sec + 1) * sizeof(*s->sec));
        s->sec[s->n_sec++] = sec;
}

static void scan_line(struct scan *s, unsigned line, char *text)
{
        char *p = trim(text);

        if (!*p || *p == '#' || *p == ';')
                return;
        if (*p == '[') {
                size_t n = strlen(p);
                if (p[n - 1] != ']') {
                        scan_error(s, line,
                                   "syntax error: '%s' (a section header must end "
                                   "with ']' and carry no comment)",
                                   p);
                        /* Open an unnamed section so that the keys below it are not also
                         * reported as "before any section". */
                        struct scan_section sec = {.raw = xstrdup(p), .line = line};
                        s->sec = xrealloc(s->sec, (s->n_sec + 1) * sizeof(*s->sec));
                        s->sec[s->n_sec++] = sec;
                        return;
                }
                p[n - 1] = 0;
                char *name = trim(p + 1);
                if (!*name) {
                        scan_error(s, line, "empty section name '[]'");
                        return;
                }
                scan_section_header(s, line, name);
                return;
        }
        char *eq = strchr(p, '=');
        if (!eq) {
                scan_error(s, line,
                           "syntax error: '%s' is neither a section, a KEY=VALUE pair "
                           "nor a comment",
                           p);
                return;
        }
        *eq = 0;
        char *key = trim(p);
        char *value = trim(eq + 1);
        if (!*key) {
                scan_error(s, line, "syntax error: value without a key");
                return;
        }
        if (s->n_sec == 0) {
                scan_error(s, line, "key '%s' appears before any section", key);
                return;
        }
        struct scan_section *sec = &s->sec[s->n_sec - 1];
        for (size_t i = 0; i < sec->n_kv; i++)
                if (strcaseeq(sec->kv[i].key, key)) {
                        scan_error(s, line,
                                   "key '%s' repeated in [%s] (first at line %u); the INI "
                                   "reader keeps only the last one",
                                   key, sec->raw, sec->kv[i].line);
                        return;
                }
        scan_value(s, line, key, value);
        sec->kv = xrealloc(sec->kv, (sec->n_kv + 1) * sizeof(*sec->kv));
        sec->kv[sec->n_kv++] = (struct scan_kv){.key = xstrdup(key), .line = line};
}

/* Mirrors iniparser's line handling: CR stripped, trailing blanks stripped, a trailing '\'
 * joins the next physical line; lines longer than 1022 bytes are fatal there. */
static void scan_text(struct scan *s, const char *data, size_t len)
{
        _cleanup_free_ char *joined = NULL;
        size_t jlen = 0;
        unsigned line = 0, start = 0;
        const char *p = data, *end = data + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
                line++;
                if (memchr(p, 0, n)) {
                        scan_error(s, line, "NUL byte in line");
                        p += n + 1;
                        continue;
                }
                if (n > INI_MAX_LINE) {
                        scan_error(s, line, "line is %zu bytes long; at most %d are allowed", n,
                                   INI_MAX_LINE);
                        p += n + 1;
                        free(joined);
                        joined = NULL;
                        jlen = 0;
                        continue;
                }
                if (!joined)
                        start = line;
                joined = xrealloc(joined, jlen + n + 1);
                memcpy(joined + jlen, p, n);
                jlen += n;
                joined[jlen] = 0;
                /* iniparser reads a continuation into the same buffer before it strips
                 * trailing blanks, so the raw length is what must fit. */
                bool too_long = jlen > INI_MAX_LINE;
                while (jlen > 0 && isspace((unsigned char)joined[jlen - 1]))
                        joined[--jlen] = 0;
                p += n + 1;
                if (too_long) {
                        scan_error(s, start, "continued line is longer than %d bytes",
                                   INI_MAX_LINE);
                        free(joined);
                        joined = NULL;
                        jlen = 0;
                        continue;
                }
                if (jlen > 0 && joined[jlen - 1] == '\\') {
                        joined[--jlen] = 0;
                        continue;
                }
                scan_line(s, start, joined);
                free(joined);
                joined = NULL;
                jlen = 0;
        }
        if (joined)
                scan_error(s, start,
                           "line ends with '\\' but the file ends there; the INI reader "
                           "would drop it");
}

/* ---- value handlers ------------------------------------------------------------------------ */

struct fill {
        struct box_config *c;
        const char *file;
        const char *section; /* "Exec" or "Mount data" */
        const char *key;
        unsigned line;
        void *item; /* current mount, device or hook */
        unsigned errors;
};

static int _printf_(2, 3) bad(struct fill *f, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s:%u: [%s] %s: %s", f->file, f->line, f->section, f->key, msg);
        f->errors++;
        return -EINVAL;
}

static int set_string(struct fill *f, char **dst, const char *v)
{
        if (!*v)
                return bad(f, "empty value");
        free(*dst);
        *dst = xstrdup(v);
        return 0;
}

static int set_bool(struct fill *f, bool *dst, const char *v)
{
        if (parse_boolean(v, dst) < 0)
                return bad(f, "'%s' is not a boolean (yes/no, true/false, on/off, 1/0)", v);
        return 0;
}

static int set_tristate(struct fill *f, enum box_tristate *dst, const char *v)
{
        bool b;
        int r = set_bool(f, &b, v);
        if (r == 0)
                *dst = b ? BOX_YES : BOX_NO;
        return r;
}

static int set_size(struct fill *f, uint64_t *dst, const char *v)
{
        if (strcaseeq(v, "infinity")) {
                *dst = BOX_LIMIT_UNSET - 1;
                return 0;
        }
        int r = parse_size(v, dst);
        if (r == -ERANGE)
                return bad(f, "'%s' is too large", v);
        if (r < 0)
                return bad(f,
                           "'%s' is not a size (bytes with an optional K, M, G or T suffix, "
                           "or 'infinity')",
                           v);
        return 0;
}

static int set_path(struct fill *f, char **dst, const char *v, bool absolute)
{
        if (!*v)
                return bad(f, "empty path");
        if (absolute && v[0] != '/')
                return bad(f, "'%s' is not an absolute path", v);
        if (strlen(v) >= 4096)
                return bad(f, "path too long");
        free(*dst);
        *dst = xstrdup(v);
        return 0;
}

static int set_argv(struct fill *f, char ***dst, const char *v)
{
        char **argv;
        const char *err;
        if (split_quoted(v, &argv, &err) < 0)
                return bad(f, "%s in '%s'", err, v);
        if (!argv[0]) {
                strv_free(argv);
                return bad(f, "empty command");
        }
        strv_free(*dst);
        *dst = argv;
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

static int set_env(struct fill *f, char ***dst, const char *v)
{
        char **words;
        const char *err;
        if (split_quoted(v, &words, &err) < 0)
                return bad(f, "%s in '%s'", err, v);
        for (char **w = words; *w; w++) {
                const char *eq = strchr(*w, '=');
                if (!eq || !env_name_ok(*w, (size_t)(eq - *w))) {
                        bad(f, "'%s' is not NAME=VALUE with a valid variable name", *w);
                        strv_free(words);
                        return -EINVAL;
                }
        }
        for (char **w = words; *w; w++)
                strv_push(dst, xstrdup(*w));
        strv_free(words);
        return 0;
}

static int set_timespan(struct fill *f, uint64_t *dst, const char *v)
{
        if (parse_timespan(v, dst) < 0)
                return bad(f, "'%s' is not a time span (e.g. 10s, 500ms, 1min 30s)", v);
        return 0;
}

/* [Box] */
static int h_box_name(struct fill *f, const char *v)
{
        if (!box_name_valid(v))
                return bad(f,
                           "'%s' is not a valid box name (letters, digits, '_', '-', '.', "
                           "at most %d, not starting with '.')",
                           v, NAME_MAX_LEN);
        return set_string(f, &f->c->name, v);
}

static int h_box_directory(struct fill *f, const char *v)
{
        if (!*v)
                return bad(f, "empty path");
        if (v[0] == '/')
                return set_path(f, &f->c->root, v, true);
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
                        return bad(f, "cannot resolve relative path '%s'", v);
                abs = xasprintf("%s/%s", cwd, joined);
        }
        free(f->c->root);
        f->c->root = abs;
        return 0;
}

static int h_box_read_only(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->read_only, v);
}

static int h_box_hostname(struct fill *f, const char *v)
{
        if (!*v || strlen(v) > 64)
                return bad(f, "'%s' is not a valid hostname (1 to 64 characters)", v);
        for (const char *p = v; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
                        return bad(f, "'%s' is not a valid hostname (letters, digits, '-', '.')",
                                   v);
        return set_string(f, &f->c->hostname, v);
}

static int h_box_ephemeral(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->ephemeral, v);
}

/* [Exec] */
static int h_exec_command(struct fill *f, const char *v)
{
        return set_argv(f, &f->c->argv, v);
}

static int h_exec_boot(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->boot, v);
}

static int h_exec_init(struct fill *f, const char *v)
{
        return set_tristate(f, &f->c->init, v);
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

static int h_exec_user(struct fill *f, const char *v)
{
        if (!user_name_ok(v))
                return bad(f, "'%s' is not a user name or number", v);
        return set_string(f, &f->c->user, v);
}

static int h_exec_group(struct fill *f, const char *v)
{
        if (!user_name_ok(v))
                return bad(f, "'%s' is not a group name or number", v);
        return set_string(f, &f->c->group, v);
}

static int h_exec_groups(struct fill *f, const char *v)
{
        char **t = split_tokens(v);
        for (char **p = t; *p; p++)
                if (!user_name_ok(*p)) {
                        bad(f, "'%s' is not a group name or number", *p);
                        strv_free(t);
                        return -EINVAL;
                }
        strv_free(f->c->supplementary_groups);
        f->c->supplementary_groups = t;
        return 0;
}

static int h_exec_cwd(struct fill *f, const char *v)
{
        return set_path(f, &f->c->cwd, v, true);
}

static int h_exec_env(struct fill *f, const char *v)
{
        return set_env(f, &f->c->env, v);
}

static int h_exec_kill_signal(struct fill *f, const char *v)
{
        int sig = signal_from_string(v);
        if (sig <= 0 || sig == SIGKILL || sig == SIGSTOP)
                return bad(f,
                           "'%s' is not a signal that can be handled (e.g. SIGTERM, "
                           "SIGRTMIN+3, 15)",
                           v);
        f->c->kill_signal = sig;
        return 0;
}

static int h_exec_stop_timeout(struct fill *f, const char *v)
{
        return set_timespan(f, &f->c->stop_timeout_usec, v);
}

static int h_exec_console(struct fill *f, const char *v)
{
        static const struct {
                const char *name;
                enum box_console_mode mode;
        } modes[] = {{"interactive", BOX_CONSOLE_INTERACTIVE},
                     {"read-only", BOX_CONSOLE_READ_ONLY},
                     {"pipe", BOX_CONSOLE_PIPE},
                     {"autopipe", BOX_CONSOLE_AUTOPIPE}};
        for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
                if (strcaseeq(v, modes[i].name)) {
                        f->c->console = modes[i].mode;
                        return 0;
                }
        return bad(f, "'%s' is not a console mode (interactive, read-only, pipe, autopipe)", v);
}

static int h_exec_notify_ready(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->notify_ready, v);
}

static int h_exec_nnp(struct fill *f, const char *v)
{
        return set_tristate(f, &f->c->no_new_privileges, v);
}

static int h_exec_personality(struct fill *f, const char *v)
{
        if (strcaseeq(v, "x86-64") || strcaseeq(v, "x86_64"))
                f->c->personality = PER_LINUX;
        else if (strcaseeq(v, "x86"))
                f->c->personality = PER_LINUX32;
        else
                return bad(f, "'%s' is not a personality (x86, x86-64)", v);
        return 0;
}

static int h_exec_oom(struct fill *f, const char *v)
{
        if (parse_int(v, -1000, 1000, &f->c->oom_score_adj) < 0)
                return bad(f, "'%s' is not an integer from -1000 to 1000", v);
        f->c->oom_score_adj_set = true;
        return 0;
}

static int h_exec_cpu_affinity(struct fill *f, const char *v)
{
        char *list;
        if (parse_cpu_list(v, &list) < 0)
                return bad(f, "'%s' is not a CPU list (e.g. 0-3,6)", v);
        free(f->c->cpu_affinity);
        f->c->cpu_affinity = list;
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

static int h_exec_sysctl(struct fill *f, const char *v)
{
        char **words;
        const char *err;
        if (split_quoted(v, &words, &err) < 0)
                return bad(f, "%s in '%s'", err, v);
        int r = 0;
        for (char **w = words; *w && r == 0; w++) {
                char *eq = strchr(*w, '=');
                if (!eq || eq == *w || eq[-1] == '.' || **w == '.' || strstr(*w, "..") ||
                    strchr(*w, '/')) {
                        r = bad(f, "'%s' is not KEY=VALUE (e.g. net.ipv4.ip_forward=1)", *w);
                        break;
                }
                *eq = 0;
                if (!sysctl_namespaced(*w)) {
                        r = bad(f,
                                "sysctl '%s' is not namespaced and would change the host; only "
                                "net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, "
                                "kernel.hostname and kernel.domainname are allowed",
                                *w);
                        break;
                }
                struct box_config *c = f->c;
                c->sysctls = xrealloc(c->sysctls, (c->n_sysctls + 1) * sizeof(*c->sysctls));
                c->sysctls[c->n_sysctls++] =
                        (struct box_sysctl){.key = xstrdup(*w), .value = xstrdup(eq + 1)};
        }
        strv_free(words);
        return r;
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

static int h_exec_rlimit(struct fill *f, const char *v)
{
        int res = 0;
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (strcaseeq(f->key, box_rlimit_keys[i]))
                        res = i;
        struct rlimit rl;
        const char *colon = strchr(v, ':');
        _cleanup_free_ char *soft = colon ? xstrndup(v, (size_t)(colon - v)) : xstrdup(v);
        if (parse_rlim_value(soft, &rl.rlim_cur) < 0 ||
            parse_rlim_value(colon ? colon + 1 : v, &rl.rlim_max) < 0)
                return bad(f, "'%s' is not a limit (N, SOFT:HARD or infinity)", v);
        if (rl.rlim_cur > rl.rlim_max)
                return bad(f, "soft limit above hard limit in '%s'", v);
        f->c->rlimits[res] = (struct box_rlimit){.resource = res, .set = true, .value = rl};
        return 0;
}

/* [Namespaces] */
static int h_ns_network(struct fill *f, const char *v)
{
        if (strcaseeq(v, "host"))
                f->c->net = BOX_NET_HOST;
        else if (strcaseeq(v, "private"))
                f->c->net = BOX_NET_PRIVATE;
        else
                return bad(f, "'%s' is not a network mode (host, private)", v);
        return 0;
}

static int h_ns_user(struct fill *f, const char *v)
{
        bool b;
        if (strcaseeq(v, "pick") || (parse_boolean(v, &b) == 0 && b)) {
                f->c->userns = BOX_USERNS_PICK;
                return 0;
        }
        if (parse_boolean(v, &b) == 0) {
                f->c->userns = BOX_USERNS_NO;
                return 0;
        }
        uint32_t base, count;
        if (parse_id_range(v, &base, &count) < 0)
                return bad(f, "'%s' is not no, pick or BASE:COUNT (e.g. 100000:65536)", v);
        f->c->userns = BOX_USERNS_FIXED;
        f->c->uid_base = base;
        f->c->uid_count = count;
        return 0;
}

static int h_ns_uts(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->ns_uts, v);
}
static int h_ns_ipc(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->ns_ipc, v);
}
static int h_ns_cgroup(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->ns_cgroup, v);
}
static int h_ns_time(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->ns_time, v);
}

/* [Capabilities] */
static int set_caps(struct fill *f, uint64_t *dst, const char *v)
{
        _cleanup_strv_ char **t = split_tokens(v);
        uint64_t mask = 0;
        for (char **p = t; *p; p++)
                if (caps_add_name(&mask, *p) < 0)
                        return bad(f, "unknown capability '%s' (e.g. CAP_NET_ADMIN, or 'all')", *p);
        *dst = mask;
        return 0;
}
static int h_caps_add(struct fill *f, const char *v)
{
        return set_caps(f, &f->c->caps.add, v);
}
static int h_caps_drop(struct fill *f, const char *v)
{
        return set_caps(f, &f->c->caps.drop, v);
}
static int h_caps_set(struct fill *f, const char *v)
{
        f->c->caps.set_given = true;
        return set_caps(f, &f->c->caps.set, v);
}
static int h_caps_ambient(struct fill *f, const char *v)
{
        return set_caps(f, &f->c->caps.ambient, v);
}

/* [Security] */
static int h_sec_filter(struct fill *f, const char *v)
{
        bool deny = false;
        while (*v == ' ')
                v++;
        if (*v == '~') {
                deny = true;
                v++;
        }
        _cleanup_strv_ char **t = split_tokens(v);
        if (!t[0])
                return bad(f, "empty system call list");
        for (char **p = t; *p; p++)
                if (!syscall_name_known(*p))
                        return bad(f, "unknown system call or group '%s'", *p);
        char ***dst = deny ? &f->c->seccomp.deny : &f->c->seccomp.allow;
        for (char **p = t; *p; p++)
                strv_push(dst, xstrdup(*p));
        return 0;
}

static int h_sec_errno(struct fill *f, const char *v)
{
        static const struct {
                const char *name;
                int value;
        } names[] = {{"EPERM", EPERM},   {"EACCES", EACCES},   {"ENOSYS", ENOSYS},
                     {"EINVAL", EINVAL}, {"ENOTSUP", ENOTSUP}, {"EOPNOTSUPP", EOPNOTSUPP}};
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strcaseeq(v, names[i].name)) {
                        f->c->seccomp.errno_value = names[i].value;
                        return 0;
                }
        int n;
        if (parse_int(v, 1, 4095, &n) < 0)
                return bad(f, "'%s' is not an errno name (EPERM, EACCES, ...) or number 1-4095", v);
        f->c->seccomp.errno_value = n;
        return 0;
}

static int h_sec_seccomp(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->seccomp.enabled, v);
}

static int h_sec_apparmor(struct fill *f, const char *v)
{
        return set_string(f, &f->c->apparmor_profile, v);
}

static int h_sec_apparmor_optional(struct fill *f, const char *v)
{
        return set_bool(f, &f->c->apparmor_optional, v);
}

/* True if a '/'-separated component of p is "." or "..". */
static bool has_dot_component(const char *p)
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

static int set_path_list(struct fill *f, char ***dst, const char *v)
{
        char **words;
        const char *err;
        if (split_quoted(v, &words, &err) < 0)
                return bad(f, "%s in '%s'", err, v);
        for (char **w = words; *w; w++)
                if ((*w)[0] != '/' || has_dot_component(*w) || strlen(*w) >= 4096) {
                        bad(f, "'%s' is not an absolute path without '..'", *w);
                        strv_free(words);
                        return -EINVAL;
                }
        for (char **w = words; *w; w++)
                strv_push(dst, xstrdup(*w));
        strv_free(words);
        return 0;
}

static int h_sec_mask(struct fill *f, const char *v)
{
        return set_path_list(f, &f->c->mask_paths, v);
}

static int h_sec_ro(struct fill *f, const char *v)
{
        return set_path_list(f, &f->c->read_only_paths, v);
}

/* [Limits] */
static int h_lim_memory_max(struct fill *f, const char *v)
{
        return set_size(f, &f->c->limits.memory_max, v);
}
static int h_lim_memory_high(struct fill *f, const char *v)
{
        return set_size(f, &f->c->limits.memory_high, v);
}
static int h_lim_swap(struct fill *f, const char *v)
{
        return set_size(f, &f->c->limits.memory_swap_max, v);
}
static int h_lim_cpu_quota(struct fill *f, const char *v)
{
        if (parse_percent_ppm(v, &f->c->limits.cpu_quota_ppm) < 0)
                return bad(f, "'%s' is not a percentage of one CPU (e.g. 50%%, 150%%)", v);
        return 0;
}
static int h_lim_cpu_period(struct fill *f, const char *v)
{
        uint64_t us;
        int r = set_timespan(f, &us, v);
        if (r < 0)
                return r;
        if (us < 1000 || us > 1000000)
                return bad(f, "'%s' is outside 1ms..1s", v);
        f->c->limits.cpu_period_usec = us;
        return 0;
}
static int set_weight(struct fill *f, uint64_t *dst, const char *v)
{
        if (parse_uint64(v, 10000, dst) < 0 || *dst == 0)
                return bad(f, "'%s' is not a weight from 1 to 10000", v);
        return 0;
}
static int h_lim_cpu_weight(struct fill *f, const char *v)
{
        return set_weight(f, &f->c->limits.cpu_weight, v);
}
static int h_lim_io_weight(struct fill *f, const char *v)
{
        return set_weight(f, &f->c->limits.io_weight, v);
}
static int h_lim_cpus(struct fill *f, const char *v)
{
        char *l;
        if (parse_cpu_list(v, &l) < 0)
                return bad(f, "'%s' is not a CPU list (e.g. 0-3,6)", v);
        free(f->c->limits.cpuset_cpus);
        f->c->limits.cpuset_cpus = l;
        return 0;
}
static int h_lim_mems(struct fill *f, const char *v)
{
        char *l;
        if (parse_cpu_list(v, &l) < 0)
                return bad(f, "'%s' is not a node list (e.g. 0,1)", v);
        free(f->c->limits.cpuset_mems);
        f->c->limits.cpuset_mems = l;
        return 0;
}
static int h_lim_tasks(struct fill *f, const char *v)
{
        if (strcaseeq(v, "infinity")) {
                f->c->limits.tasks_max = BOX_LIMIT_UNSET - 1;
                return 0;
        }
        if (parse_uint64(v, 4194304, &f->c->limits.tasks_max) < 0 || !f->c->limits.tasks_max)
                return bad(f, "'%s' is not a task count from 1 to 4194304 or 'infinity'", v);
        return 0;
}
static int h_lim_parent(struct fill *f, const char *v)
{
        if (v[0] == '/')
                v++;
        if (!*v || strstr(v, "..") || strchr(v, '\n'))
                return bad(f, "'%s' is not a cgroup path", v);
        return set_string(f, &f->c->limits.parent, v);
}

/* IO*Max = DEVICE=RATE [DEVICE=RATE...]: one key per direction, one entry per device. */
static int h_lim_io_max(struct fill *f, const char *v)
{
        _cleanup_strv_ char **t = split_tokens(v);
        bool iops = strcasestr(f->key, "IOPS") != NULL;
        bool write = strncasecmp(f->key, "IOWrite", 7) == 0;
        if (!t[0])
                return bad(f, "empty list; expected DEVICE=RATE (e.g. /dev/sda=10M)");
        for (char **p = t; *p; p++) {
                char *eq = strrchr(*p, '=');
                uint64_t rate;
                if (!eq || (*p)[0] != '/')
                        return bad(f, "'%s' is not DEVICE=RATE (e.g. /dev/sda=10M)", *p);
                *eq = 0;
                int r = iops ? parse_uint64(eq + 1, UINT64_MAX - 1, &rate)
                             : parse_size(eq + 1, &rate);
                if (r < 0 || rate == 0)
                        return bad(f, "'%s' is not a positive %s", eq + 1,
                                   iops ? "number of operations" : "byte rate");
                struct stat st;
                if (stat(*p, &st) < 0 || !S_ISBLK(st.st_mode))
                        return bad(f, "'%s' is not a block device", *p);
                struct box_limits *l = &f->c->limits;
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
                *(iops ? (write ? &io->wiops : &io->riops) : (write ? &io->wbps : &io->rbps)) =
                        rate;
        }
        return 0;
}

/* [Mount NAME] */
static int h_mount_type(struct fill *f, const char *v)
{
        struct box_mount *m = f->item;
        if (strcaseeq(v, "bind"))
                m->type = BOX_MOUNT_BIND;
        else if (strcaseeq(v, "tmpfs"))
                m->type = BOX_MOUNT_TMPFS;
        else if (strcaseeq(v, "overlay"))
                m->type = BOX_MOUNT_OVERLAY;
        else
                return bad(f, "'%s' is not a mount type (bind, tmpfs, overlay)", v);
        return 0;
}
static int h_mount_source(struct fill *f, const char *v)
{
        return set_path(f, &((struct box_mount *)f->item)->source, v, true);
}
static int h_mount_target(struct fill *f, const char *v)
{
        if (streq(v, "/"))
                return bad(f, "cannot mount over the box's root; use Directory= in [Box]");
        return set_path(f, &((struct box_mount *)f->item)->target, v, true);
}
static int h_mount_optional(struct fill *f, const char *v)
{
        return set_bool(f, &((struct box_mount *)f->item)->optional, v);
}
static int h_mount_lower(struct fill *f, const char *v)
{
        struct box_mount *m = f->item;
        char **words;
        const char *err;
        if (split_quoted(v, &words, &err) < 0)
                return bad(f, "%s in '%s'", err, v);
        for (char **w = words; *w; w++)
                if ((*w)[0] != '/' || strchr(*w, ':') || strchr(*w, ',')) {
                        bad(f, "'%s' is not an absolute path without ':' or ','", *w);
                        strv_free(words);
                        return -EINVAL;
                }
        strv_free(m->lower);
        m->lower = words;
        return 0;
}
static int h_mount_upper(struct fill *f, const char *v)
{
        return set_path(f, &((struct box_mount *)f->item)->upper, v, true);
}
static int h_mount_work(struct fill *f, const char *v)
{
        return set_path(f, &((struct box_mount *)f->item)->work, v, true);
}

static int propagation_from_string(const char *s, unsigned long *flags, bool *rec)
{
        static const struct {
                const char *name;
                unsigned long flag;
        } p[] = {{"private", MS_PRIVATE},
                 {"slave", MS_SLAVE},
                 {"shared", MS_SHARED},
                 {"unbindable", MS_UNBINDABLE}};
        bool r = false;
        if (s[0] == 'r' && strcmp(s, "rw") != 0) {
                r = true;
                s++;
        }
        for (size_t i = 0; i < ARRAY_SIZE(p); i++)
                if (streq(s, p[i].name)) {
                        *flags = p[i].flag;
                        *rec = r;
                        return 0;
                }
        return -EINVAL;
}

static int h_mount_propagation(struct fill *f, const char *v)
{
        struct box_mount *m = f->item;
        bool rec;
        if (propagation_from_string(v, &m->propagation, &rec) < 0)
                return bad(f,
                           "'%s' is not a propagation mode (private, slave, shared, "
                           "unbindable, or with an 'r' prefix for recursive)",
                           v);
        if (rec)
                m->propagation |= MS_REC;
        return 0;
}

/* Options go through libmount's parser, but only words from a whitelist are accepted: libmount
 * silently files unknown words under filesystem data and maps "user"/"owner" to flags. */
static int h_mount_options(struct fill *f, const char *v)
{
        static const char *const vfs_words[] = {
                "ro",          "rw",         "nosuid",      "suid",       "nodev",
                "dev",         "noexec",     "exec",        "noatime",    "atime",
                "relatime",    "norelatime", "strictatime", "nodiratime", "diratime",
                "nosymfollow", "bind",       "rbind",       "defaults",
        };
        static const char *const tmpfs_data[] = {"size=", "mode=", "nr_inodes=", "uid=", "gid="};
        struct box_mount *m = f->item;
        _cleanup_free_ char *data = NULL;
        char *dup = xstrdup(v), *save = NULL;
        int r = 0;

        for (char *w = strtok_r(dup, ",", &save); w && r == 0; w = strtok_r(NULL, ",", &save)) {
                unsigned long pf;
                bool rec, known = false;
                for (size_t i = 0; i < ARRAY_SIZE(vfs_words); i++)
                        known = known || streq(w, vfs_words[i]);
                if (known) {
                        if (streq(w, "bind"))
                                m->recursive = false;
                        else if (streq(w, "rbind"))
                                m->recursive = true;
                        /* The last of dev/nodev and suid/nosuid counts, as for libmount. */
                        else if (streq(w, "dev") || streq(w, "nodev"))
                                m->dev = streq(w, "dev");
                        else if (streq(w, "suid") || streq(w, "nosuid"))
                                m->suid = streq(w, "suid");
                        continue;
                }
                if (propagation_from_string(w, &pf, &rec) == 0) {
                        m->propagation = pf | (rec ? MS_REC : 0);
                        continue;
                }
                for (size_t i = 0; i < ARRAY_SIZE(tmpfs_data); i++)
                        if (strncmp(w, tmpfs_data[i], strlen(tmpfs_data[i])) == 0)
                                known = true;
                if (known && m->type == BOX_MOUNT_TMPFS) {
                        char *old = data;
                        data = old ? xasprintf("%s,%s", old, w) : xstrdup(w);
                        free(old);
                        continue;
                }
                r = bad(f, "unknown or unsupported mount option '%s'%s", w,
                        known ? " for this mount type" : "");
        }
        free(dup);
        if (r < 0)
                return r;

        unsigned long flags = 0;
        int lr = mountopts_flags(v, &flags);
        if (lr == -ELIBACC)
                return bad(f, "libmount (libmount.so.1) is needed to parse mount options");
        if (lr < 0)
                return bad(f, "cannot parse mount options '%s'", v);
        m->flags = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                            MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME | MS_NOSYMFOLLOW);
        free(m->data);
        m->data = TAKE_PTR(data);
        return 0;
}

/* [Device NAME] */
static int h_dev_path(struct fill *f, const char *v)
{
        struct box_device *d = f->item;
        if (strncmp(v, "/dev/", 5) != 0 || has_dot_component(v))
                return bad(f, "'%s' is not a path under /dev/", v);
        return set_path(f, &d->path, v, true);
}
static int h_dev_type(struct fill *f, const char *v)
{
        struct box_device *d = f->item;
        if (strcaseeq(v, "c") || strcaseeq(v, "char"))
                d->type = 'c';
        else if (strcaseeq(v, "b") || strcaseeq(v, "block"))
                d->type = 'b';
        else
                return bad(f, "'%s' is not a device type (char, block)", v);
        return 0;
}
static int h_dev_number(struct fill *f, const char *v)
{
        struct box_device *d = f->item;
        const char *colon = strchr(v, ':');
        uint64_t ma, mi;
        if (!colon)
                return bad(f, "'%s' is not MAJOR:MINOR (e.g. 10:229)", v);
        _cleanup_free_ char *a = xstrndup(v, (size_t)(colon - v));
        if (parse_uint64(a, 4095, &ma) < 0 || parse_uint64(colon + 1, 1048575, &mi) < 0)
                return bad(f, "'%s' is not MAJOR:MINOR within the kernel's ranges", v);
        d->major = (unsigned)ma;
        d->minor = (unsigned)mi;
        return 0;
}
static int h_dev_access(struct fill *f, const char *v)
{
        struct box_device *d = f->item;
        if (!*v || strlen(v) > 3 || strspn(v, "rwm") != strlen(v))
                return bad(f, "'%s' is not an access string of r, w and m", v);
        snprintf(d->access, sizeof(d->access), "%s", v);
        return 0;
}
static int h_dev_mode(struct fill *f, const char *v)
{
        struct box_device *d = f->item;
        if (parse_mode(v, &d->mode) < 0 || d->mode > 0777)
                return bad(f, "'%s' is not an octal mode up to 0777", v);
        return 0;
}

/* [Hook NAME] */
static int h_hook_stage(struct fill *f, const char *v)
{
        struct box_hook *h = f->item;
        int s = box_hook_stage_from_string(v);
        if (s < 0)
                return bad(f,
                           "'%s' is not a hook stage (prestart, createRuntime, "
                           "createContainer, startContainer, poststart, poststop)",
                           v);
        h->stage = (enum box_hook_stage)s;
        return 0;
}
static int h_hook_command(struct fill *f, const char *v)
{
        struct box_hook *h = f->item;
        int r = set_argv(f, &h->argv, v);
        if (r == 0 && h->argv[0][0] != '/')
                return bad(f, "'%s' must be an absolute path", h->argv[0]);
        return r;
}
static int h_hook_env(struct fill *f, const char *v)
{
        return set_env(f, &((struct box_hook *)f->item)->env, v);
}
static int h_hook_timeout(struct fill *f, const char *v)
{
        return set_timespan(f, &((struct box_hook *)f->item)->timeout_usec, v);
}

/* ---- the key table ------------------------------------------------------------------------- */

typedef int (*handler_t)(struct fill *f, const char *value);

struct key_def {
        const char *section;
        const char *key;
        handler_t handler;
};

static const struct key_def keys[] = {
        {"Box", "Name", h_box_name},
        {"Box", "Directory", h_box_directory},
        {"Box", "ReadOnly", h_box_read_only},
        {"Box", "Hostname", h_box_hostname},
        {"Box", "Ephemeral", h_box_ephemeral},
        {"Exec", "Command", h_exec_command},
        {"Exec", "Boot", h_exec_boot},
        {"Exec", "Init", h_exec_init},
        {"Exec", "User", h_exec_user},
        {"Exec", "Group", h_exec_group},
        {"Exec", "SupplementaryGroups", h_exec_groups},
        {"Exec", "WorkingDirectory", h_exec_cwd},
        {"Exec", "Environment", h_exec_env},
        {"Exec", "KillSignal", h_exec_kill_signal},
        {"Exec", "StopTimeout", h_exec_stop_timeout},
        {"Exec", "Console", h_exec_console},
        {"Exec", "NotifyReady", h_exec_notify_ready},
        {"Exec", "NoNewPrivileges", h_exec_nnp},
        {"Exec", "Personality", h_exec_personality},
        {"Exec", "OOMScoreAdjust", h_exec_oom},
        {"Exec", "CPUAffinity", h_exec_cpu_affinity},
        {"Exec", "Sysctl", h_exec_sysctl},
        {"Exec", "LimitCPU", h_exec_rlimit},
        {"Exec", "LimitFSIZE", h_exec_rlimit},
        {"Exec", "LimitDATA", h_exec_rlimit},
        {"Exec", "LimitSTACK", h_exec_rlimit},
        {"Exec", "LimitCORE", h_exec_rlimit},
        {"Exec", "LimitRSS", h_exec_rlimit},
        {"Exec", "LimitNOFILE", h_exec_rlimit},
        {"Exec", "LimitAS", h_exec_rlimit},
        {"Exec", "LimitNPROC", h_exec_rlimit},
        {"Exec", "LimitMEMLOCK", h_exec_rlimit},
        {"Exec", "LimitLOCKS", h_exec_rlimit},
        {"Exec", "LimitSIGPENDING", h_exec_rlimit},
        {"Exec", "LimitMSGQUEUE", h_exec_rlimit},
        {"Exec", "LimitNICE", h_exec_rlimit},
        {"Exec", "LimitRTPRIO", h_exec_rlimit},
        {"Exec", "LimitRTTIME", h_exec_rlimit},
        {"Namespaces", "Network", h_ns_network},
        {"Namespaces", "User", h_ns_user},
        {"Namespaces", "UTS", h_ns_uts},
        {"Namespaces", "IPC", h_ns_ipc},
        {"Namespaces", "Cgroup", h_ns_cgroup},
        {"Namespaces", "Time", h_ns_time},
        {"Capabilities", "Add", h_caps_add},
        {"Capabilities", "Drop", h_caps_drop},
        {"Capabilities", "Set", h_caps_set},
        {"Capabilities", "Ambient", h_caps_ambient},
        {"Security", "SystemCallFilter", h_sec_filter},
        {"Security", "SystemCallErrorNumber", h_sec_errno},
        {"Security", "Seccomp", h_sec_seccomp},
        {"Security", "AppArmorProfile", h_sec_apparmor},
        {"Security", "AppArmorOptional", h_sec_apparmor_optional},
        {"Security", "MaskPaths", h_sec_mask},
        {"Security", "ReadOnlyPaths", h_sec_ro},
        {"Limits", "MemoryMax", h_lim_memory_max},
        {"Limits", "MemoryHigh", h_lim_memory_high},
        {"Limits", "MemorySwapMax", h_lim_swap},
        {"Limits", "CPUQuota", h_lim_cpu_quota},
        {"Limits", "CPUQuotaPeriodSec", h_lim_cpu_period},
        {"Limits", "CPUWeight", h_lim_cpu_weight},
        {"Limits", "AllowedCPUs", h_lim_cpus},
        {"Limits", "AllowedMemoryNodes", h_lim_mems},
        {"Limits", "TasksMax", h_lim_tasks},
        {"Limits", "IOWeight", h_lim_io_weight},
        {"Limits", "IOReadBandwidthMax", h_lim_io_max},
        {"Limits", "IOWriteBandwidthMax", h_lim_io_max},
        {"Limits", "IOReadIOPSMax", h_lim_io_max},
        {"Limits", "IOWriteIOPSMax", h_lim_io_max},
        {"Limits", "Parent", h_lim_parent},
        {"Mount", "Type", h_mount_type},
        {"Mount", "Source", h_mount_source},
        {"Mount", "Target", h_mount_target},
        {"Mount", "Options", h_mount_options},
        {"Mount", "Propagation", h_mount_propagation},
        {"Mount", "Optional", h_mount_optional},
        {"Mount", "LowerDirs", h_mount_lower},
        {"Mount", "UpperDir", h_mount_upper},
        {"Mount", "WorkDir", h_mount_work},
        {"Device", "Path", h_dev_path},
        {"Device", "Type", h_dev_type},
        {"Device", "Number", h_dev_number},
        {"Device", "Access", h_dev_access},
        {"Device", "Mode", h_dev_mode},
        {"Hook", "Stage", h_hook_stage},
        {"Hook", "Command", h_hook_command},
        {"Hook", "Environment", h_hook_env},
        {"Hook", "Timeout", h_hook_timeout},
};

const char *const *box_file_section_keys(const char *section)
{
        static const char *lists[ARRAY_SIZE(singleton_sections) + ARRAY_SIZE(labelled_sections)]
                                [ARRAY_SIZE(keys) + 1];
        static const char *const *all_sections[] = {singleton_sections, labelled_sections};
        size_t idx = 0;
        for (size_t g = 0; g < 2; g++) {
                size_t n = g == 0 ? ARRAY_SIZE(singleton_sections) : ARRAY_SIZE(labelled_sections);
                for (size_t i = 0; i < n; i++, idx++) {
                        if (!strcaseeq(all_sections[g][i], section))
                                continue;
                        size_t k = 0;
                        for (size_t j = 0; j < ARRAY_SIZE(keys); j++)
                                if (streq(keys[j].section, all_sections[g][i]))
                                        lists[idx][k++] = keys[j].key;
                        lists[idx][k] = NULL;
                        return lists[idx];
                }
        }
        return NULL;
}

static const struct key_def *find_key(const char *section, const char *key)
{
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
                if (streq(keys[i].section, section) && strcaseeq(keys[i].key, key))
                        return &keys[i];
        return NULL;
}

/* Unknown keys are reported with the nearest known key of the same section. */
static bool check_keys(struct scan *s)
{
        bool ok = true;
        for (size_t i = 0; i < s->n_sec; i++) {
                struct scan_section *sec = &s->sec[i];
                if (!sec->type)
                        continue;
                for (size_t j = 0; j < sec->n_kv; j++) {
                        const char *k = sec->kv[j].key;
                        if (find_key(sec->type, k))
                                continue;
                        const char *const *known = box_file_section_keys(sec->type);
                        const char *m = best_match(k, known, strv_length((char **)known));
                        /* A key of another section is a common slip: say where it lives. */
                        const char *elsewhere = NULL;
                        for (size_t x = 0; x < ARRAY_SIZE(keys) && !elsewhere; x++)
                                if (strcaseeq(keys[x].key, k))
                                        elsewhere = keys[x].section;
                        if (elsewhere)
                                scan_error(s, sec->kv[j].line,
                                           "unknown key '%s' in [%s]; it belongs in [%s]", k,
                                           sec->raw, elsewhere);
                        else if (m)
                                scan_error(s, sec->kv[j].line,
                                           "unknown key '%s' in [%s]; did you mean '%s'?", k,
                                           sec->raw, m);
                        else
                                scan_error(s, sec->kv[j].line, "unknown key '%s' in [%s]", k,
                                           sec->raw);
                        ok = false;
                }
        }
        return ok;
}

/* ---- iniparser glue ------------------------------------------------------------------------ */

static struct scan *errback_scan;

/* iniparser's error callback is process-global and printf-like; turn its lines into ours. */
static int ini_errback(const char *fmt, ...)
{
        char msg[1200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        for (char *p = msg; *p; p++)
                if (*p == '\n')
                        *p = ' ';
        if (errback_scan) {
                log_error("%s: INI reader: %s", errback_scan->file, trim(msg));
                errback_scan->errors++;
        }
        return 0;
}

static void freedictp(dictionary **d)
{
        if (*d)
                iniparser_freedict(*d);
}

static void *new_item(struct box_config *c, const char *type, const char *label, unsigned line,
                      const char *file)
{
        struct box_origin o = {.file = file, .line = line};
        if (streq(type, "Mount")) {
                c->mounts = xrealloc(c->mounts, (c->n_mounts + 1) * sizeof(*c->mounts));
                struct box_mount *m = &c->mounts[c->n_mounts++];
                *m = (struct box_mount){.name = xstrdup(label),
                                        .type = BOX_MOUNT_BIND,
                                        .recursive = true,
                                        .origin = o};
                return m;
        }
        if (streq(type, "Device")) {
                c->devices = xrealloc(c->devices, (c->n_devices + 1) * sizeof(*c->devices));
                struct box_device *d = &c->devices[c->n_devices++];
                *d = (struct box_device){.name = xstrdup(label), .mode = 0666, .origin = o};
                snprintf(d->access, sizeof(d->access), "rwm");
                return d;
        }
        if (streq(type, "Hook")) {
                c->hooks = xrealloc(c->hooks, (c->n_hooks + 1) * sizeof(*c->hooks));
                struct box_hook *h = &c->hooks[c->n_hooks++];
                *h = (struct box_hook){
                        .name = xstrdup(label), .stage = _BOX_HOOK_STAGE_MAX, .origin = o};
                return h;
        }
        return NULL;
}

/* Required keys of the named sections. */
static unsigned check_items(struct box_config *c, const char *file)
{
        unsigned errors = 0;
        for (size_t i = 0; i < c->n_mounts; i++) {
                struct box_mount *m = &c->mounts[i];
                const char *miss = NULL;
                if (!m->target)
                        miss = "Target=";
                else if (m->type == BOX_MOUNT_BIND && !m->source)
                        miss = "Source=";
                else if (m->type == BOX_MOUNT_OVERLAY && !m->lower)
                        miss = "LowerDirs=";
                if (!miss && m->type != BOX_MOUNT_BIND && m->source)
                        miss = "no Source= (only bind mounts take one); a valid";
                if (!miss && m->type == BOX_MOUNT_OVERLAY && !m->upper != !m->work)
                        miss = "both UpperDir= and WorkDir= (or neither); a valid";
                if (miss) {
                        log_error("%s:%u: [Mount %s] needs %s", file, m->origin.line, m->name,
                                  miss);
                        errors++;
                }
        }
        for (size_t i = 0; i < c->n_devices; i++) {
                struct box_device *d = &c->devices[i];
                if (!d->path || !d->type || (!d->major && !d->minor)) {
                        log_error("%s:%u: [Device %s] needs Path=, Type= and Number=", file,
                                  d->origin.line, d->name);
                        errors++;
                }
        }
        for (size_t i = 0; i < c->n_hooks; i++) {
                struct box_hook *h = &c->hooks[i];
                if (h->stage == _BOX_HOOK_STAGE_MAX || !h->argv) {
                        log_error("%s:%u: [Hook %s] needs Stage= and Command=", file,
                                  h->origin.line, h->name);
                        errors++;
                }
        }
        return errors;
}

static int load_fd(const char *name, int fd, const char *data, size_t len, struct box_config *c)
{
        _cleanup_(freedictp) dictionary *d = NULL;
        struct scan s = {.file = name};
        int r = 0;

        scan_text(&s, data, len);
        if (s.errors == 0)
                check_keys(&s);
        if (s.errors > 0) {
                r = -EINVAL;
                goto out;
        }

        /* iniparser opens by path; /proc/self/fd/N reads exactly the file we checked. */
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        errback_scan = &s;
        iniparser_set_error_callback(ini_errback);
        d = iniparser_load(path);
        errback_scan = NULL;
        if (!d || s.errors) {
                if (!s.errors)
                        log_error("%s: the INI reader could not load the file", name);
                r = -EINVAL;
                goto out;
        }

        free(c->source_file);
        c->source_file = xstrdup(name);
        struct fill f = {.c = c, .file = c->source_file};
        for (size_t i = 0; i < s.n_sec; i++) {
                struct scan_section *sec = &s.sec[i];
                _cleanup_free_ char *secname =
                        sec->label ? xasprintf("%s %s", sec->type, sec->label) : xstrdup(sec->type);
                _cleanup_free_ char *lsec = xstrdup(sec->raw);
                for (char *p = lsec; *p; p++)
                        *p = (char)tolower((unsigned char)*p);
                f.section = secname;
                f.item = sec->label ? new_item(c, sec->type, sec->label, sec->line, f.file) : NULL;
                /* Type= first: what Options= accepts depends on the mount type, wherever
                 * Type= stands in the section. */
                for (size_t n = 0; n < 2 * sec->n_kv; n++) {
                        size_t j = n % sec->n_kv;
                        if (strcaseeq(sec->kv[j].key, "Type") != (n < sec->n_kv))
                                continue;
                        const struct key_def *k = find_key(sec->type, sec->kv[j].key);
                        _cleanup_free_ char *ikey = xasprintf("%s:%s", lsec, sec->kv[j].key);
                        for (char *p = ikey; *p; p++)
                                *p = (char)tolower((unsigned char)*p);
                        const char *v = iniparser_getstring(d, ikey, NULL);
                        f.key = k->key;
                        f.line = sec->kv[j].line;
                        if (!v) {
                                bad(&f, "the INI reader lost this key");
                                continue;
                        }
                        k->handler(&f, v);
                        if (streq(k->section, "Limits"))
                                box_limits_set_origin(&c->limits, k->key, f.file, f.line);
                }
        }
        if (f.errors || check_items(c, name))
                r = -EINVAL;

        if (r == 0 && !c->name) {
                /* The file's name is the box's name unless Name= says otherwise. */
                const char *base = strrchr(name, '/');
                base = base ? base + 1 : name;
                size_t n = strlen(base);
                if (n > 4 && streq(base + n - 4, ".box"))
                        n -= 4;
                _cleanup_free_ char *nm = xstrndup(base, n);
                if (!box_name_valid(nm)) {
                        log_error("%s: the file name does not make a valid box name; set Name= "
                                  "in [Box]",
                                  name);
                        r = -EINVAL;
                } else {
                        c->name = TAKE_PTR(nm);
                }
        }
out:
        scan_free(&s);
        return r;
}

int box_file_load_buffer(const char *name, const char *data, size_t len, struct box_config *c)
{
        _cleanup_close_ int fd = memfd_create("box", MFD_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "memfd_create");
        int r = write_all(fd, data, len);
        if (r < 0)
                return log_error_errno(r, "write memfd");
        return load_fd(name, fd, data, len, c);
}

int box_file_load(const char *path, struct box_config *c)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(-errno, "%s: cannot open", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "%s: cannot stat", path);
        if (!S_ISREG(st.st_mode)) {
                log_error("%s: not a regular file", path);
                return -EINVAL;
        }
        if (st.st_size > BOX_FILE_MAX) {
                log_error("%s: file is larger than %d bytes", path, BOX_FILE_MAX);
                return -EFBIG;
        }
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = read_fd_all(fd, &data, &len, BOX_FILE_MAX);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read", path);
        return load_fd(path, fd, data, len, c);
}
