/* capnames.c - capability names through libcap. */
#include "util/capnames.h"

#include "util/parse.h"

#include <sys/capability.h>

#define CAPBIT(c) (UINT64_C(1) << (c))

/* libcap strings must go back through cap_free(). */
static void cap_namep(char **s)
{
        if (*s)
                cap_free(*s);
}

/* The kernel may know more capabilities than our headers; never more than fit in a mask. */
unsigned caps_max(void)
{
        unsigned n = cap_max_bits();
        return n > 64 ? 64 : n;
}

uint64_t caps_all(void)
{
        unsigned n = caps_max();
        return n >= 64 ? UINT64_MAX : CAPBIT(n) - 1;
}

int caps_add_name(uint64_t *mask, const char *name)
{
        cap_value_t v;

        if (strcaseeq(name, "all")) {
                *mask |= caps_all();
                return 0;
        }
        /* cap_from_name() also takes bare numbers (unchecked): only accept real names. */
        if (strncasecmp(name, "cap_", 4) != 0)
                return -EINVAL;
        if (cap_from_name(name, &v) < 0 || v < 0 || (unsigned)v >= caps_max())
                return -EINVAL;
        *mask |= CAPBIT(v);
        return 0;
}

int caps_parse(const char *text, uint64_t *ret)
{
        _cleanup_strv_ char **tokens = split_tokens(text);
        uint64_t mask = 0;

        for (char **t = tokens; *t; t++)
                if (caps_add_name(&mask, *t) < 0)
                        return -EINVAL;
        *ret = mask;
        return 0;
}

char *caps_to_string(uint64_t mask)
{
        char *s = xstrdup("");
        size_t len = 0;

        for (unsigned i = 0; i < 64; i++) {
                if (!(mask & CAPBIT(i)))
                        continue;
                _cleanup_(cap_namep) char *name = cap_to_name((cap_value_t)i);
                const char *n = name ? name : "?";
                size_t l = strlen(n);
                s = xrealloc(s, len + l + 2);
                if (len > 0)
                        s[len++] = ' ';
                memcpy(s + len, n, l + 1);
                len += l;
        }
        return s;
}
