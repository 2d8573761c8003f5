/* spec_json.c - typed reads of config.json properties, each error naming the JSON path. */
#include "frontend/oci/internal.h"

#include "core/names.h"
#include "util/capnames.h"
#include "util/log.h"
#include "util/parse.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>

#ifndef MOUNT_ATTR_RDONLY
#include <linux/mount.h>
#endif

void _printf_(3, 4) spec_bad(struct parser *p, const char *path, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s: %s: %s", p->what, path, msg);
        p->errors++;
}

/* PATH.KEY or PATH[I] into buf. */
const char *spec_sub(char *buf, size_t n, const char *path, const char *key)
{
        snprintf(buf, n, "%s%s%s", path, *path ? "." : "", key);
        return buf;
}
const char *spec_idx(char *buf, size_t n, const char *path, size_t i)
{
        snprintf(buf, n, "%s[%zu]", path, i);
        return buf;
}

/* The object at path, checked against the field table: rejected fields are errors, unknown
 * ones are ignored. NULL (logged) when o is not an object. */
bool spec_check_object(struct parser *p, struct json_object *o, const char *path)
{
        if (!json_object_is_type(o, json_type_object)) {
                spec_bad(p, path, "not an object");
                return false;
        }
        json_object_object_foreach(o, key, val)
        {
                (void)val;
                const char *kp = SUB(path, key);
                const struct oci_field *f = oci_field_find(kp);
                if (!f)
                        log_debug("%s: %s: unknown property, ignored", p->what, kp);
                else if (f->support == OCI_REJECTED && !json_object_is_type(val, json_type_null)) {
                        const char *note = oci_field_note(f);
                        spec_bad(p, kp, "not supported: %s",
                                 *note ? note : "see docs/oci-fields.md");
                } else if (f->support == OCI_IGNORED)
                        log_debug("%s: %s: %s, ignored", p->what, kp, oci_field_note(f));
        }
        return true;
}

struct json_object *spec_get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return NULL;
        return v;
}

static bool want(struct parser *p, struct json_object *v, json_type t, const char *path,
                 const char *what)
{
        if (json_object_is_type(v, t))
                return true;
        spec_bad(p, path, "not %s", what);
        return false;
}

/* A string property; *ret is replaced when present. false when absent or bad (logged). */
bool spec_get_str(struct parser *p, struct json_object *o, const char *path, const char *key,
                  char **ret)
{
        struct json_object *v = spec_get(o, key);
        if (!v || !want(p, v, json_type_string, SUB(path, key), "a string"))
                return false;
        free(*ret);
        *ret = xstrdup(json_object_get_string(v));
        return true;
}

bool spec_get_bool(struct parser *p, struct json_object *o, const char *path, const char *key,
                   bool *ret)
{
        struct json_object *v = spec_get(o, key);
        if (!v || !want(p, v, json_type_boolean, SUB(path, key), "a boolean"))
                return false;
        *ret = json_object_get_boolean(v);
        return true;
}

/* An integer in [min, max]. */
bool spec_get_i64(struct parser *p, struct json_object *o, const char *path, const char *key,
                  int64_t min, int64_t max, int64_t *ret)
{
        struct json_object *v = spec_get(o, key);
        if (!v || !want(p, v, json_type_int, SUB(path, key), "an integer"))
                return false;
        errno = 0;
        int64_t n = json_object_get_int64(v);
        /* json-c keeps integers above INT64_MAX as uint64 (and then get_int64 saturates). */
        if (n < min || n > max || (n == INT64_MAX && json_object_get_uint64(v) > INT64_MAX)) {
                spec_bad(p, SUB(path, key), "%s out of range [%lld, %lld]",
                         json_object_get_string(v), (long long)min, (long long)max);
                return false;
        }
        *ret = n;
        return true;
}

bool spec_get_u64(struct parser *p, struct json_object *o, const char *path, const char *key,
                  uint64_t max, uint64_t *ret)
{
        struct json_object *v = spec_get(o, key);
        if (!v || !want(p, v, json_type_int, SUB(path, key), "an integer"))
                return false;
        if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max) {
                spec_bad(p, SUB(path, key), "%s out of range [0, %llu]", json_object_get_string(v),
                         (unsigned long long)max);
                return false;
        }
        *ret = json_object_get_uint64(v);
        return true;
}

bool spec_get_u32(struct parser *p, struct json_object *o, const char *path, const char *key,
                  uint32_t *ret)
{
        uint64_t u;
        if (!spec_get_u64(p, o, path, key, UINT32_MAX, &u))
                return false;
        *ret = (uint32_t)u;
        return true;
}

bool spec_require(struct parser *p, struct json_object *o, const char *path, const char *key)
{
        if (spec_get(o, key))
                return true;
        spec_bad(p, SUB(path, key), "required");
        return false;
}

/* An array of strings (NULL-terminated, possibly empty), or NULL when absent or bad. */
bool spec_get_strv(struct parser *p, struct json_object *o, const char *path, const char *key,
                   char ***ret)
{
        struct json_object *v = spec_get(o, key);
        const char *ap = SUB(path, key);
        if (!v || !want(p, v, json_type_array, ap, "an array"))
                return false;
        size_t n = json_object_array_length(v);
        char **s = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string)) {
                        spec_bad(p, IDX(ap, i), "not a string");
                        strv_free(s);
                        return false;
                }
                s[i] = xstrdup(json_object_get_string(e));
        }
        strv_free(*ret);
        *ret = s;
        return true;
}

/* The elements of an array property: n and the array, or false. */
struct json_object *spec_get_array(struct parser *p, struct json_object *o, const char *path,
                                   const char *key, size_t *n)
{
        struct json_object *v = spec_get(o, key);
        *n = 0;
        if (!v || !want(p, v, json_type_array, SUB(path, key), "an array"))
                return NULL;
        *n = json_object_array_length(v);
        return v;
}

int spec_lookup(const char *s, const char *const *names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (names[i] && streq(s, names[i]))
                        return (int)i;
        return -1;
}
