/* test_verbs.c - the verbs' JSON string writer and verb lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/verbs.h"

static char *json(const char *s)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        json_write_string(f, s);
        fclose(f);
        return buf;
}

static void check(const char *in, const char *want)
{
        char *got = json(in);
        assert_string_equal(got, want);
        free(got);
}

static void test_plain(void **state)
{
        check("", "\"\"");
        check("web-1", "\"web-1\"");
        check("/var/lib/box root", "\"/var/lib/box root\"");
        check(NULL, "null");
}

static void test_escapes(void **state)
{
        check("a\"b", "\"a\\\"b\"");
        check("back\\slash", "\"back\\\\slash\"");
        check("l1\nl2\r\t", "\"l1\\nl2\\r\\t\"");
        check("\b\f", "\"\\b\\f\"");
        check("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
        check("</script>", "\"</script>\"");
}

static void test_utf8_passes_through(void **state)
{
        check("caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"");
}

static void test_verb_find(void **state)
{
        static const char *const names[] = {"list",  "status", "stop", "kill",  "exec", "shell",
                                            "pause", "resume", "ps",   "stats", "gc"};
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                const struct verb *v = verb_find(names[i]);
                assert_non_null(v);
                assert_string_equal(v->name, names[i]);
                assert_non_null(v->fn);
        }
        assert_null(verb_find("run"));
        assert_null(verb_find("check"));
        assert_null(verb_find("LIST"));
        assert_null(verb_find(NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain),
                cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_utf8_passes_through),
                cmocka_unit_test(test_verb_find),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
