/* json.h - writing JSON built with json-c (the verbs' --json output, the state the hooks read):
 * compact, '/' left as it is, UTF-8 passed through. The state file's configuration is written
 * from core/config_json.c's tables directly. */
#pragma once
#include "util/util.h"

#include <json-c/json_object.h>
#include <stdio.h>

/* Writes o compactly to f, then a newline; drops the reference to o (NULL writes null). */
void json_print(FILE *f, struct json_object *o);

/* A new JSON string, or null (NULL) for s == NULL. */
struct json_object *json_string_or_null(const char *s);

/* A JSON array written element by element: the same text json_print() writes for the whole
 * array, without holding it. `list --json` of a thousand boxes built every object and then one
 * string of all of them (~300 KiB, ~400 page faults) before the first byte went out. */
struct json_stream {
        FILE *f;
        bool any;
};
/* Writes "[". */
void json_stream_begin(struct json_stream *s, FILE *f);
/* Writes o (after a ","), compactly, and drops the reference to it. */
void json_stream_add(struct json_stream *s, struct json_object *o);
/* Writes "]" and a newline. */
void json_stream_end(struct json_stream *s);
