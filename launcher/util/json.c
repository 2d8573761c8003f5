/* json.c - printing json-c objects. */
#include "util/json.h"

#include <json-c/json.h>

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

void json_print(FILE *f, struct json_object *o)
{
        fputs(o ? json_object_to_json_string_ext(o, JSON_FLAGS) : "null", f);
        fputc('\n', f);
        json_object_put(o);
}

void json_stream_begin(struct json_stream *s, FILE *f)
{
        *s = (struct json_stream){.f = f};
        fputc('[', f);
}

void json_stream_add(struct json_stream *s, struct json_object *o)
{
        if (s->any)
                fputc(',', s->f);
        s->any = true;
        fputs(o ? json_object_to_json_string_ext(o, JSON_FLAGS) : "null", s->f);
        json_object_put(o);
}

void json_stream_end(struct json_stream *s)
{
        fputs("]\n", s->f);
}

struct json_object *json_string_or_null(const char *s)
{
        return s ? json_object_new_string(s) : NULL;
}
