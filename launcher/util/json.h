/* json.h - writing JSON built with json-c, the one way boxlaunch writes JSON (the verbs' --json
 * output, the state the hooks read): compact, '/' left as it is, UTF-8 passed through. */
#pragma once
#include "util/util.h"

#include <json-c/json_object.h>
#include <stdio.h>

/* Writes o compactly to f, then a newline; drops the reference to o (NULL writes null). */
void json_print(FILE *f, struct json_object *o);

/* A new JSON string, or null (NULL) for s == NULL. */
struct json_object *json_string_or_null(const char *s);
