/* test_json.c - the one JSON writer: an array streamed element by element is the text of the
 * whole array printed at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/json.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static struct json_object *element(int i)
{
        if (i == 2)
                return NULL; /* a missing value: null in both */
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(i ? "b/ox \"é\"" : "a"));
        json_object_object_add(o, "pid", json_object_new_int(100 + i));
        json_object_object_add(o, "nested", json_object_new_array());
        return o;
}

static char *whole(int n)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        struct json_object *a = json_object_new_array();
        for (int i = 0; i < n; i++)
                json_object_array_add(a, element(i));
        json_print(f, a);
        fclose(f);
        return text;
}

static char *streamed(int n)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        struct json_stream s;
        json_stream_begin(&s, f);
        for (int i = 0; i < n; i++)
                json_stream_add(&s, element(i));
        json_stream_end(&s);
        fclose(f);
        return text;
}

static void test_stream_is_the_array(void **state)
{
        for (int n = 0; n <= 4; n++) {
                char *a = whole(n), *b = streamed(n);
                assert_non_null(a);
                assert_non_null(b);
                assert_string_equal(b, a);
                free(a);
                free(b);
        }
        char *empty = streamed(0);
        assert_string_equal(empty, "[]\n");
        free(empty);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stream_is_the_array),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
