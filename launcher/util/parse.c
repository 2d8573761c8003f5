/* parse.c - value parsers shared by the front-ends. */
#include "util/parse.h"

#include <ctype.h>
#include <sys/stat.h>

int parse_boolean(const char *s, bool *ret)
{
        static const char yes[][6] = {"yes", "true", "on", "1"};
        static const char no[][6] = {"no", "false", "off", "0"};

        for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
                if (strcaseeq(s, yes[i])) {
                        *ret = true;
                        return 0;
                }
                if (strcaseeq(s, no[i])) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

/* Parses leading decimal digits; *end is set past them. */
static int parse_digits(const char *s, const char **end, uint64_t *ret)
{
        uint64_t v = 0;
        const char *p = s;

        if (!isdigit((unsigned char)*p))
                return -EINVAL;
        for (; isdigit((unsigned char)*p); p++) {
                unsigned d = (unsigned)(*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *end = p;
        *ret = v;
        return 0;
}

int parse_uint64(const char *s, uint64_t max, uint64_t *ret)
{
        const char *end;
        uint64_t v;
        int r = parse_digits(s, &end, &v);
        if (r < 0)
                return r;
        if (*end)
                return -EINVAL;
        if (v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_int(const char *s, int min, int max, int *ret)
{
        bool neg = false;
        uint64_t v;

        if (*s == '-') {
                neg = true;
                s++;
        } else if (*s == '+') {
                s++;
        }
        int r = parse_uint64(s, (uint64_t)INT32_MAX + 1, &v);
        if (r < 0)
                return r;
        long long x = neg ? -(long long)v : (long long)v;
        if (x < min || x > max)
                return -ERANGE;
        *ret = (int)x;
        return 0;
}

int parse_size(const char *s, uint64_t *ret)
{
        static const struct {
                char c;
                unsigned shift;
        } units[] = {{'K', 10}, {'M', 20}, {'G', 30}, {'T', 40}};
        const char *end;
        uint64_t v;

        int r = parse_digits(s, &end, &v);
        if (r < 0)
                return r;
        if (*end == 0) {
                *ret = v;
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
                if (toupper((unsigned char)*end) != units[i].c)
                        continue;
                /* Accept "K", "KB" is ambiguous (1000 or 1024?) and rejected. */
                if (end[1] != 0)
                        return -EINVAL;
                if (v > (UINT64_MAX >> units[i].shift))
                        return -ERANGE;
                *ret = v << units[i].shift;
                return 0;
        }
        return -EINVAL;
}

int parse_timespan(const char *s, uint64_t *ret_usec)
{
        static const struct {
                char suffix[8];
                uint64_t usec;
        } units[] = {
                {"usec", 1ULL},           {"us", 1ULL},
                {"msec", 1000ULL},        {"ms", 1000ULL},
                {"seconds", 1000000ULL},  {"second", 1000000ULL},
                {"sec", 1000000ULL},      {"s", 1000000ULL},
                {"minutes", 60000000ULL}, {"minute", 60000000ULL},
                {"min", 60000000ULL},     {"m", 60000000ULL},
                {"hours", 3600000000ULL}, {"hour", 3600000000ULL},
                {"hr", 3600000000ULL},    {"h", 3600000000ULL},
                {"days", 86400000000ULL}, {"day", 86400000000ULL},
                {"d", 86400000000ULL},
        };
        uint64_t total = 0;
        const char *p = s;
        bool any = false;

        for (;;) {
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                const char *end;
                uint64_t v;
                int r = parse_digits(p, &end, &v);
                if (r < 0)
                        return r;
                p = end;
                while (*p == ' ')
                        p++;
                uint64_t mul = 0;
                if (!*p || isdigit((unsigned char)*p)) {
                        /* A bare number is seconds, but only alone ("10", not "1min 30"). */
                        if (any || *p)
                                return -EINVAL;
                        mul = 1000000ULL;
                } else {
                        for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
                                size_t n = strlen(units[i].suffix);
                                if (strncmp(p, units[i].suffix, n) == 0 &&
                                    !isalpha((unsigned char)p[n])) {
                                        mul = units[i].usec;
                                        p += n;
                                        break;
                                }
                        }
                        if (!mul)
                                return -EINVAL;
                }
                if (v > (UINT64_MAX - total) / mul)
                        return -ERANGE;
                total += v * mul;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret_usec = total;
        return 0;
}

int parse_id_range(const char *s, uint32_t *base, uint32_t *count)
{
        const char *colon = strchr(s, ':');
        uint64_t b, c;

        if (!colon)
                return -EINVAL;
        _cleanup_free_ char *bs = xstrndup(s, (size_t)(colon - s));
        int r = parse_uint64(bs, UINT32_MAX - 1, &b);
        if (r < 0)
                return r;
        r = parse_uint64(colon + 1, UINT32_MAX, &c);
        if (r < 0)
                return r;
        if (c == 0)
                return -ERANGE;
        if (b + c > (uint64_t)UINT32_MAX)
                return -ERANGE;
        *base = (uint32_t)b;
        *count = (uint32_t)c;
        return 0;
}

int parse_percent_ppm(const char *s, uint64_t *ret)
{
        size_t n = strlen(s);
        uint64_t v;

        if (n < 2 || s[n - 1] != '%')
                return -EINVAL;
        _cleanup_free_ char *num = xstrndup(s, n - 1);
        int r = parse_uint64(num, 100000, &v);
        if (r < 0)
                return r;
        if (v == 0)
                return -ERANGE;
        *ret = v * 10000;
        return 0;
}

int parse_cpu_list(const char *s, char **ret)
{
        _cleanup_free_ char *out = xmalloc(strlen(s) + 1);
        size_t o = 0;
        const char *p = s;

        for (;;) {
                while (*p == ' ')
                        p++;
                const char *end;
                uint64_t a, b;
                int r = parse_digits(p, &end, &a);
                if (r < 0)
                        return -EINVAL;
                b = a;
                p = end;
                if (*p == '-') {
                        r = parse_digits(p + 1, &end, &b);
                        if (r < 0 || b < a)
                                return -EINVAL;
                        p = end;
                }
                if (a > 8191 || b > 8191)
                        return -ERANGE;
                o += (size_t)sprintf(out + o, o ? ",%llu" : "%llu", (unsigned long long)a);
                if (b != a)
                        o += (size_t)sprintf(out + o, "-%llu", (unsigned long long)b);
                while (*p == ' ')
                        p++;
                if (!*p)
                        break;
                if (*p != ',')
                        return -EINVAL;
                p++;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int parse_mode(const char *s, mode_t *ret)
{
        if (!*s || strlen(s) > 5)
                return -EINVAL;
        unsigned v = 0;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '7')
                        return -EINVAL;
                v = v * 8 + (unsigned)(*p - '0');
        }
        if (v > 07777)
                return -ERANGE;
        *ret = (mode_t)v;
        return 0;
}

int split_quoted(const char *s, char ***ret, const char **err)
{
        _cleanup_strv_ char **v = xcalloc(1, sizeof(char *));
        size_t cap = strlen(s) + 1;
        const char *p = s;

        *err = NULL;
        for (;;) {
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                _cleanup_free_ char *w = xmalloc(cap);
                size_t n = 0;
                while (*p && *p != ' ' && *p != '\t') {
                        if (*p == '\'') {
                                const char *q = strchr(p + 1, '\'');
                                if (!q) {
                                        *err = "unterminated single quote";
                                        return -EINVAL;
                                }
                                memcpy(w + n, p + 1, (size_t)(q - p - 1));
                                n += (size_t)(q - p - 1);
                                p = q + 1;
                        } else if (*p == '"') {
                                p++;
                                while (*p && *p != '"') {
                                        if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
                                                p++;
                                        w[n++] = *p++;
                                }
                                if (*p != '"') {
                                        *err = "unterminated double quote";
                                        return -EINVAL;
                                }
                                p++;
                        } else if (*p == '\\') {
                                if (!p[1]) {
                                        *err = "trailing backslash";
                                        return -EINVAL;
                                }
                                w[n++] = p[1];
                                p += 2;
                        } else {
                                w[n++] = *p++;
                        }
                }
                w[n] = 0;
                strv_push(&v, TAKE_PTR(w));
        }
        *ret = TAKE_PTR(v);
        return 0;
}

char **split_tokens(const char *s)
{
        char **v = xcalloc(1, sizeof(char *));
        const char *p = s;
        for (;;) {
                p += strspn(p, " \t,");
                if (!*p)
                        break;
                size_t n = strcspn(p, " \t,");
                strv_push(&v, xstrndup(p, n));
                p += n;
        }
        return v;
}

unsigned edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return 1000;
        unsigned row[65];
        for (size_t j = 0; j <= lb; j++)
                row[j] = (unsigned)j;
        for (size_t i = 1; i <= la; i++) {
                unsigned prev = row[0];
                row[0] = (unsigned)i;
                for (size_t j = 1; j <= lb; j++) {
                        unsigned cur = row[j];
                        unsigned cost =
                                tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])
                                        ? 0
                                        : 1;
                        unsigned best = prev + cost;
                        if (row[j] + 1 < best)
                                best = row[j] + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        row[j] = best;
                        prev = cur;
                }
        }
        return row[lb];
}
