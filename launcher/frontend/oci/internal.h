/* internal.h - what the OCI front-end's files share (not for use outside frontend/oci/): the
 * parser state, typed JSON readers (spec_json.c) and parse steps of spec*.c, and export*.c's helpers. */
#pragma once
#include "frontend/oci/oci.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#define FREE_AND_NULL(p) (free(p), (p) = NULL)

struct parser {
        struct box_config *c;
        const char *what; /* the file, in messages */
        const char *bundle;
        unsigned errors;
};

/* ---- spec_json.c: typed reads; every error names the JSON path and counts in p->errors ---- */

void _printf_(3, 4) spec_bad(struct parser *p, const char *path, const char *fmt, ...);

/* PATH.KEY or PATH[I] into buf. */
/* linux.memoryPolicy.mode's words; the config keeps the index + 1 (mempolicy_mode1). */
extern const char *const oci_mempolicy_modes[7];

const char *spec_sub(char *buf, size_t n, const char *path, const char *key);
#define SUB(path, key) spec_sub((char[256]){0}, 256, (path), (key))
const char *spec_idx(char *buf, size_t n, const char *path, size_t i);
#define IDX(path, i) spec_idx((char[256]){0}, 256, (path), (i))

/* The object at path, checked against the field table: rejected fields are errors, unknown
 * ones are ignored. NULL (logged) when o is not an object. */
bool spec_check_object(struct parser *p, struct json_object *o, const char *path);
/* The property key of o, NULL when absent or null. */
struct json_object *spec_get(struct json_object *o, const char *key);
/* A string property; *ret is replaced when present. false when absent or bad (logged). */
bool spec_get_str(struct parser *p, struct json_object *o, const char *path, const char *key,
                  char **ret);
bool spec_get_bool(struct parser *p, struct json_object *o, const char *path, const char *key,
                   bool *ret);
/* An integer in [min, max]. */
bool spec_get_i64(struct parser *p, struct json_object *o, const char *path, const char *key,
                  int64_t min, int64_t max, int64_t *ret);
bool spec_get_u64(struct parser *p, struct json_object *o, const char *path, const char *key,
                  uint64_t max, uint64_t *ret);
bool spec_get_u32(struct parser *p, struct json_object *o, const char *path, const char *key,
                  uint32_t *ret);
bool spec_require(struct parser *p, struct json_object *o, const char *path, const char *key);
/* An array of strings (NULL-terminated, possibly empty), or NULL when absent or bad. */
bool spec_get_strv(struct parser *p, struct json_object *o, const char *path, const char *key,
                   char ***ret);
/* The elements of an array property: n and the array, or false. */
struct json_object *spec_get_array(struct parser *p, struct json_object *o, const char *path,
                                   const char *key, size_t *n);
/* The index of s in names[n], or -1. */
int spec_lookup(const char *s, const char *const *names, size_t n);

/* ---- the parse steps, one file each ---- */

/* spec_mounts.c */
unsigned long spec_propagation_from(const char *s);
void spec_parse_id_maps(struct parser *p, struct json_object *o, const char *path, const char *key,
                        struct box_id_map **ret, size_t *ret_n);
char *spec_bundle_path(struct parser *p, const char *s);
void spec_parse_mounts(struct parser *p, struct json_object *root);
/* spec_linux.c */
void spec_parse_linux(struct parser *p, struct json_object *lx);
/* spec_seccomp.c */
void spec_parse_seccomp(struct parser *p, struct json_object *o);

/* ---- export.c and export_linux.c: a config as config.json ---- */

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

/* A JSON string; an array of the strings of a NULL-terminated vector (NULL: empty). */
struct json_object *export_str(const char *s);
struct json_object *export_strv(char *const *v);
/* uidMappings/gidMappings form of n id maps. */
struct json_object *export_id_maps(const struct box_id_map *m, size_t n);
/* export_linux.c: the linux object of root. */
void export_linux(const struct box_config *c, struct json_object *root);
