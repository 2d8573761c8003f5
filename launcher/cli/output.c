/* output.c - terminal-safe text and ages for the verbs' output. */
#include "cli/output.h"

#include <time.h>

/* Length of the UTF-8 sequence at p (at most n bytes) if it is a valid, printable one: not
 * overlong, no surrogate, not a C1 control (U+0080..U+009F, which some terminals obey like
 * ESC [). 0 otherwise. */
static size_t utf8_printable(const unsigned char *p, size_t n)
{
        size_t len;
        uint32_t cp;
        if (p[0] >= 0xc2 && p[0] <= 0xdf)
                len = 2, cp = p[0] & 0x1f;
        else if (p[0] >= 0xe0 && p[0] <= 0xef)
                len = 3, cp = p[0] & 0x0f;
        else if (p[0] >= 0xf0 && p[0] <= 0xf4)
                len = 4, cp = p[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
                return 0;
        return len;
}

char *cescape_bytes(const char *s, size_t n)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                abort();
        const unsigned char *p = (const unsigned char *)s;
        for (size_t i = 0; i < n;) {
                size_t k;
                if (p[i] >= 0x20 && p[i] < 0x7f) {
                        if (p[i] == '\\')
                                fputc('\\', f);
                        fputc(p[i++], f);
                } else if (p[i] >= 0x80 && (k = utf8_printable(p + i, n - i)) > 0) {
                        fwrite(p + i, 1, k, f);
                        i += k;
                } else {
                        /* The C escapes where there is one. */
                        static const char letters[] = "abtnvfr";
                        if (p[i] >= '\a' && p[i] <= '\r')
                                fprintf(f, "\\%c", letters[p[i] - '\a']);
                        else
                                fprintf(f, "\\x%02x", p[i]);
                        i++;
                }
        }
        if (fclose(f) != 0)
                abort();
        return out;
}

void format_age(long long created, char buf[static 32])
{
        long long d = (long long)time(NULL) - created;
        if (created <= 0 || d < 0)
                snprintf(buf, 32, "-");
        else if (d < 120)
                snprintf(buf, 32, "%llds", d);
        else if (d < 7200)
                snprintf(buf, 32, "%lldm", d / 60);
        else if (d < 2 * 86400)
                snprintf(buf, 32, "%lldh", d / 3600);
        else
                snprintf(buf, 32, "%lldd", d / 86400);
}
