/* scan.c - the .box pre-scan (scan.h).
 *
 * iniparser 4.1 reads the values, but it silently swallows a whole class of mistakes: repeated
 * keys (last wins), repeated sections (merged), `[]`, keys before any section, `#`/`;` glued to
 * an unquoted value (cut there), text after a closing quote (dropped), over-long lines (the whole
 * load fails without a line). So this scan mirrors its line grammar, runs first, records where
 * every section and key stands, and reports those mistakes with file and line. */
#include "frontend/box/scan.h"

#include "util/log.h"
#include "util/parse.h"

#include <ctype.h>
#include <stdarg.h>

#define INI_MAX_LINE 1022 /* iniparser's buffer is 1024 bytes including "\n\0" */

void scan_free(struct scan *s)
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

void scan_error(struct scan *s, unsigned line, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s:%u: %s", s->file, line, msg);
        s->errors++;
}

char *scan_trim(char *p)
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

const char *const box_singleton_sections[7] = {"Box",      "Exec",   "Namespaces", "Capabilities",
                                               "Security", "Limits", "Network"};
const char *const box_labelled_sections[4] = {"Mount", "Device", "Hook", "Port"};

const char *scan_best_match(const char *word, const char *const *cands, size_t n)
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
        if (!*l || strlen(l) > BOX_LABEL_MAX)
                return false;
        for (const char *p = l; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
                        return false;
        return true;
}

static bool is_labelled(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(box_labelled_sections); i++)
                if (strcaseeq(name, box_labelled_sections[i]))
                        return true;
        return false;
}

/* "[Mount data]": a labelled section type and its label. */
static void section_labelled(struct scan *s, unsigned line, struct scan_section *sec, char *name,
                             char *label)
{
        for (size_t i = 0; i < ARRAY_SIZE(box_labelled_sections); i++)
                if (strcaseeq(name, box_labelled_sections[i]))
                        sec->type = xstrdup(box_labelled_sections[i]);
        if (!sec->type) {
                const char *m = scan_best_match(name, box_labelled_sections,
                                                ARRAY_SIZE(box_labelled_sections));
                for (size_t i = 0; i < ARRAY_SIZE(box_singleton_sections); i++)
                        if (strcaseeq(name, box_singleton_sections[i]))
                                m = NULL;
                if (m)
                        scan_error(s, line, "unknown section [%s %s]; did you mean [%s %s]?", name,
                                   label, m, label);
                else
                        scan_error(s, line,
                                   "unknown section [%s %s] (only Mount, Device, Hook and "
                                   "Port sections take a name)",
                                   name, label);
        } else if (!label_ok(label)) {
                scan_error(s, line,
                           "bad name '%s' in [%s %s]: use letters, digits, '_', '-' and '.', at "
                           "most %d characters",
                           label, name, label, BOX_LABEL_MAX);
        } else {
                sec->label = xstrdup(label);
                for (char *p = sec->label; *p; p++)
                        *p = (char)tolower((unsigned char)*p);
        }
}

/* "[Exec]": a singleton section. */
static void section_plain(struct scan *s, unsigned line, struct scan_section *sec, const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(box_singleton_sections); i++)
                if (strcaseeq(name, box_singleton_sections[i]))
                        sec->type = xstrdup(box_singleton_sections[i]);
        if (sec->type)
                return;
        for (size_t i = 0; i < ARRAY_SIZE(box_labelled_sections); i++)
                if (strcaseeq(name, box_labelled_sections[i]))
                        scan_error(s, line, "section [%s] needs a name: [%s NAME]", name,
                                   box_labelled_sections[i]);
        if (is_labelled(name))
                return;
        const char *all[ARRAY_SIZE(box_singleton_sections) + ARRAY_SIZE(box_labelled_sections)];
        size_t n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(box_singleton_sections); i++)
                all[n++] = box_singleton_sections[i];
        for (size_t i = 0; i < ARRAY_SIZE(box_labelled_sections); i++)
                all[n++] = box_labelled_sections[i];
        const char *m = scan_best_match(name, all, n);
        if (m)
                scan_error(s, line, "unknown section [%s]; did you mean [%s]?", name, m);
        else
                scan_error(s, line, "unknown section [%s]", name);
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
                section_labelled(s, line, &sec, name, scan_trim(sp + 1));
        } else {
                section_plain(s, line, &sec, name);
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
        char *p = scan_trim(text);

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
                char *name = scan_trim(p + 1);
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
        char *key = scan_trim(p);
        char *value = scan_trim(eq + 1);
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
void scan_text(struct scan *s, const char *data, size_t len)
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
