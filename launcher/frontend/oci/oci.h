/* oci.h - the OCI front-end: a bundle's config.json (runtime-spec 1.0-1.2) into the one config
 * (spec.c), a config back to config.json (export.c), and the table of every Linux field of the
 * spec with what boxlaunch does with it (fields.c; docs/oci-fields.md is generated from it).
 *
 * A loaded config carries the OCI describer (field.h): later messages name fields by their JSON
 * path ("config.json: linux.resources.memory.limit"). Every error names the JSON path at fault,
 * is logged once, and all errors of a file are reported, not just the first. Unknown properties
 * are ignored, as the spec requires; known ones that boxlaunch cannot honour are errors. */
#pragma once
#include "core/config.h"

#include <stdio.h>

/* Fills c (initialised by box_config_init()) from BUNDLE/config.json; root.path is resolved
 * relative to the bundle; the box's name is the bundle directory's name (callers may replace
 * it). Logs every error as "BUNDLE/config.json: <json.path>: why"; returns 0 or -errno
 * (-EINVAL for bad input). The config is not validated (box_config_validate()). */
int oci_bundle_load(const char *bundle_dir, struct box_config *c);

/* The same from text: `what` names the file in messages, bundle_dir resolves relative paths
 * (NULL: the current directory). */
int oci_spec_load_string(const char *json, const char *what, const char *bundle_dir,
                         struct box_config *c);

/* Writes the config.json that describes c (validated) to out, for `check --oci`. What the .box
 * front-end implies (API file systems, default devices and masks, the default capability set)
 * is written out explicitly. Returns 0 or a negative errno (logged). */
int oci_export(const struct box_config *c, FILE *out);

/* The OCI describer (field.h), kind "oci". */
extern const struct box_frontend oci_frontend;

/* The field table (fields.c). */
enum oci_support {
        OCI_HONOURED, /* applied as the spec says */
        OCI_NOTE,     /* applied, with a note on how */
        OCI_REJECTED, /* an error when set (the note says why) */
        OCI_IGNORED,  /* not a Linux field: other platforms' sections, ignored */
};

struct oci_field {
        char path[52]; /* "linux.resources.memory.swap"; array elements as "mounts[]" */
        enum oci_support support;
};

/* What the field's row says beyond its support ("" when nothing). */
const char *oci_field_note(const struct oci_field *f);

extern const struct oci_field oci_fields[];
extern const size_t oci_n_fields;

/* The entry of a JSON path ("mounts[3].options" is looked up as "mounts[].options"), or NULL
 * for a property the spec does not define. */
const struct oci_field *oci_field_find(const char *path);

/* The table as the markdown of docs/oci-fields.md. */
void oci_fields_markdown(FILE *out);
