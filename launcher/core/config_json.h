/* config_json.h - the resolved config as JSON, losslessly: what the state file stores, so `exec`,
 * `status` and the other verbs see exactly the box that runs (no second pass through a
 * front-end). Versioned; a reader refuses a version or a key it does not know. Field origins go
 * along (the front-end's kind and each field's line), so messages about a config read back still
 * say file, line and key. */
#pragma once
#include "core/config.h"

#include <json-c/json_object.h>

#define BOX_CONFIG_JSON_VERSION 1

/* A new JSON object holding every field of c (unset values as null). */
struct json_object *box_config_to_json(const struct box_config *c);

/* Fills c (initialised by box_config_init) from an object made by box_config_to_json(). On a
 * wrong version, an unknown key or front-end, or a value of the wrong type logs "WHAT: KEY:
 * problem" (what names the JSON's source, e.g. the state file) and returns -EINVAL. */
int box_config_from_json(struct json_object *o, const char *what, struct box_config *c);

/* The same through text. */
char *box_config_to_json_string(const struct box_config *c);
int box_config_from_json_string(const char *text, const char *what, struct box_config *c);
