/* fields.c - every field of the OCI runtime spec's config.json that concerns Linux, with what
 * boxlaunch does with it (the list is fields.def). The parser (spec.c) rejects a REJECTED field
 * by this table's note, so the table and the behaviour cannot drift apart; docs/oci-fields.md
 * is generated from it (oci_fields_markdown(), checked by tests/unit/test_oci_spec.c). */
#include "frontend/oci/oci.h"

/* The rows (no pointers) and the notes (one string, NUL-separated in row order) are spelled from
 * one list: neither is relocated at start, so both stay shared page cache (README
 * "Performance"). */
const struct oci_field oci_fields[] = {
#define F(p, s, n) {p, s + FITS(p, sizeof(((struct oci_field *)0)->path))},
#include "frontend/oci/fields.def"
#undef F
};

static const char notes[] =
#define F(p, s, n) n "\0"
#include "frontend/oci/fields.def"
#undef F
        ;

const char *oci_field_note(const struct oci_field *f)
{
        const char *n = notes;
        for (size_t i = (size_t)(f - oci_fields); i > 0; i--)
                n += strlen(n) + 1;
        return n;
}

const size_t oci_n_fields = ARRAY_SIZE(oci_fields);

/* One segment of a path against a table segment: "*" matches any key, "*[]" any key of an
 * array element. */
static bool segment_match(const char *pat, size_t np, const char *s, size_t ns)
{
        if (np >= 1 && pat[0] == '*') {
                bool pat_arr = np == 3 && memcmp(pat + 1, "[]", 2) == 0;
                bool s_arr = ns >= 2 && memcmp(s + ns - 2, "[]", 2) == 0;
                return np == 1 ? !s_arr : pat_arr && s_arr;
        }
        return np == ns && memcmp(pat, s, np) == 0;
}

static bool path_match(const char *pat, const char *s, bool wild)
{
        if (!wild)
                return streq(pat, s);
        for (;;) {
                size_t np = strcspn(pat, "."), ns = strcspn(s, ".");
                if (!segment_match(pat, np, s, ns))
                        return false;
                if (!pat[np] || !s[ns])
                        return !pat[np] && !s[ns];
                pat += np + 1;
                s += ns + 1;
        }
}

const struct oci_field *oci_field_find(const char *path)
{
        /* "mounts[3].options[1]" -> "mounts[].options[]" */
        char norm[256];
        size_t k = 0;
        for (const char *p = path; *p && k + 3 < sizeof(norm); p++) {
                norm[k++] = *p;
                if (*p == '[') {
                        while (*p && *p != ']')
                                p++;
                        norm[k++] = ']';
                        if (!*p)
                                break;
                }
        }
        norm[k] = 0;
        /* An array of strings ("options[]") is described by its own entry. */
        size_t n = strlen(norm);
        if (n > 2 && streq(norm + n - 2, "[]"))
                norm[n - 2] = 0;
        for (int wild = 0; wild < 2; wild++)
                for (size_t i = 0; i < oci_n_fields; i++)
                        if (path_match(oci_fields[i].path, norm, wild))
                                return &oci_fields[i];
        return NULL;
}

void oci_fields_markdown(FILE *out)
{
        static const char *const words[] = {
                [OCI_HONOURED] = "honoured",
                [OCI_NOTE] = "honoured",
                [OCI_REJECTED] = "**rejected**",
                [OCI_IGNORED] = "ignored",
        };
        fputs("# OCI config.json fields\n\n"
              "Every field of the OCI runtime specification's `config.json` (1.0 to 1.2) that\n"
              "concerns Linux, and what boxlaunch does with it. A rejected field is an error that\n"
              "names its JSON path when it is set; unknown properties are ignored, as the\n"
              "specification requires. Generated from `launcher/frontend/oci/fields.def`\n"
              "(`make docs/oci-fields.md`); `make check` fails when this file differs.\n\n"
              "| Field | boxlaunch | Notes |\n"
              "|---|---|---|\n",
              out);
        for (size_t i = 0; i < oci_n_fields; i++) {
                const struct oci_field *f = &oci_fields[i];
                fprintf(out, "| `%s` | %s | ", f->path, words[f->support]);
                for (const char *p = oci_field_note(f); *p; p++) {
                        if (*p == '|')
                                fputc('\\', out);
                        fputc(*p, out);
                }
                fputs(" |\n", out);
        }
}
