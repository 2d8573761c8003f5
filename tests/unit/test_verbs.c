/* test_verbs.c - the verb table, the shared prologue's argument forms, and JSON strings as the
 * verbs (and the hooks) write them through json-c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/verbs.h"
#include "util/json.h"

#include <json-c/json.h>

static char *json(const char *s)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        json_print(f, json_string_or_null(s));
        fclose(f);
        assert_true(len > 0 && buf[len - 1] == '\n');
        buf[len - 1] = '\0';
        return buf;
}

static void check(const char *in, const char *want)
{
        char *got = json(in);
        assert_string_equal(got, want);
        free(got);
}

/* What was written reads back as the same string. */
static void check_reads_back(const char *in)
{
        char *got = json(in);
        struct json_object *o = json_tokener_parse(got);
        assert_non_null(o);
        assert_true(json_object_is_type(o, json_type_string));
        assert_string_equal(json_object_get_string(o), in);
        json_object_put(o);
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
        check("\x01\x1f", "\"\\u0001\\u001f\"");
        check("</script>", "\"</script>\"");
        check_reads_back("\x01\x1f\x7f \"\\ \n");
}

static void test_utf8_passes_through(void **state)
{
        check("caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"");
        check_reads_back("caf\xc3\xa9 \xe2\x82\xac");
}

static void test_json_print(void **state)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string("a/b"));
        json_object_object_add(o, "pid", json_object_new_int(42));
        json_object_object_add(o, "root", json_string_or_null(NULL));
        json_object_object_add(o, "list", json_object_new_array());
        json_print(f, o); /* takes o */
        json_print(f, NULL);
        fclose(f);
        /* Compact, in the order the fields were added, '/' as it is. */
        assert_string_equal(buf, "{\"name\":\"a/b\",\"pid\":42,\"root\":null,\"list\":[]}\nnull\n");
        free(buf);
}

static void test_verb_table(void **state)
{
        static const char *const names[] = {"list",  "status", "stop", "kill",  "exec", "shell",
                                            "pause", "resume", "ps",   "stats", "gc"};
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                const struct verb *v = verb_find(names[i]);
                assert_non_null(v);
                assert_string_equal(v->name, names[i]);
                assert_non_null(v->fn);
                assert_false(v->flags & VERB_RUN);
                /* --help starts with the verb's usage line. */
                _cleanup_free_ char *head = xasprintf("Usage: boxlaunch %s", names[i]);
                assert_non_null(v->usage);
                assert_memory_equal(v->usage, head, strlen(head));
                /* Opening the box needs its name. */
                if (v->flags & VERB_OPEN)
                        assert_true(v->flags & VERB_NAME);
        }
        size_t n;
        verb_table(&n);
        assert_int_equal(n, ARRAY_SIZE(names) + 2);
        for (size_t i = 0; i < 2; i++) {
                const struct verb *v = verb_find(i ? "check" : "run");
                assert_non_null(v);
                assert_true(v->flags & VERB_RUN);
        }
        assert_null(verb_find("LIST"));
        assert_null(verb_find("help"));
        assert_null(verb_find(NULL));
}

/* verb_parse_args() over a NULL-terminated list; returns its result. */
static int parse(bool need_name, bool json_ok, struct verb_call *call, ...)
{
        static char *argv[8];
        va_list ap;
        va_start(ap, call);
        int argc = 0;
        while ((argv[argc] = va_arg(ap, char *)))
                argc++;
        va_end(ap);
        *call = (struct verb_call){.argc = argc, .argv = argv, .box = {.pidfd = -1}};
        return verb_parse_args(call, need_name, json_ok);
}

static void test_parse_args(void **state)
{
        struct verb_call c;
        assert_int_equal(parse(true, true, &c, "status", "web", "--json", NULL), 0);
        assert_string_equal(c.name, "web");
        assert_true(c.json);
        assert_int_equal(parse(true, true, &c, "status", "--json", "web", NULL), 0);
        assert_string_equal(c.name, "web");
        assert_int_equal(parse(true, false, &c, "pause", "web", NULL), 0);
        assert_false(c.json);
        assert_int_equal(parse(false, true, &c, "list", NULL), 0);
        assert_null(c.name);
        /* Usage errors: exit code 1. */
        assert_int_equal(parse(true, true, &c, "status", NULL), 1);
        assert_int_equal(parse(true, true, &c, "status", "a", "b", NULL), 1);
        assert_int_equal(parse(true, false, &c, "pause", "web", "--json", NULL), 1);
        assert_int_equal(parse(false, true, &c, "list", "web", NULL), 1);
        assert_int_equal(parse(true, true, &c, "ps", "-x", "web", NULL), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain),
                cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_utf8_passes_through),
                cmocka_unit_test(test_json_print),
                cmocka_unit_test(test_verb_table),
                cmocka_unit_test(test_parse_args),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
