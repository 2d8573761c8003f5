/* test_parse.c - the value parsers of parse.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/parse.h"

#include <limits.h>

static void test_boolean_true(void **state)
{
        static const char *const yes[] = {"yes", "YES", "Yes", "true", "TRUE", "True",
                                          "on",  "ON",  "On",  "1",    "yEs"};
        for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
                bool b = false;
                assert_int_equal(parse_boolean(yes[i], &b), 0);
                assert_true(b);
        }
}

static void test_boolean_false(void **state)
{
        static const char *const no[] = {"no",  "NO",  "No",  "false", "FALSE", "False",
                                         "off", "OFF", "Off", "0",     "nO"};
        for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
                bool b = true;
                assert_int_equal(parse_boolean(no[i], &b), 0);
                assert_false(b);
        }
}

static void test_boolean_garbage(void **state)
{
        static const char *const bad[] = {"",      "y",      "n",  "t",    "f",   "yess", " yes",
                                          "yes ",  "2",      "-1", "01",   "oui", "none", "of",
                                          "truee", "enable", "1 ", "on\n", "10"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                bool b = true;
                assert_int_equal(parse_boolean(bad[i], &b), -EINVAL);
                assert_true(b); /* untouched */
        }
}

static void test_uint64(void **state)
{
        uint64_t v = 0;
        assert_int_equal(parse_uint64("0", UINT64_MAX, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_uint64("42", UINT64_MAX, &v), 0);
        assert_int_equal(v, 42);
        assert_int_equal(parse_uint64("007", UINT64_MAX, &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(parse_uint64("18446744073709551615", UINT64_MAX, &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(parse_uint64("10", 10, &v), 0);
        assert_int_equal(v, 10);
}

static void test_uint64_rejects(void **state)
{
        uint64_t v = 1234;
        /* No sign, no hex, no blanks, no suffix, nothing empty. */
        assert_int_equal(parse_uint64("-1", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(parse_uint64("+1", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(parse_uint64("0x10", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(parse_uint64("0X10", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(parse_uint64("", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(parse_uint64(" 1", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(parse_uint64("1 ", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(parse_uint64("12abc", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(parse_uint64("1.5", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(parse_uint64("1e3", UINT64_MAX, &v), -EINVAL);
        assert_int_equal(v, 1234);
}

static void test_uint64_range(void **state)
{
        uint64_t v = 1234;
        assert_int_equal(parse_uint64("18446744073709551616", UINT64_MAX, &v), -ERANGE);
        assert_int_equal(parse_uint64("99999999999999999999999", UINT64_MAX, &v), -ERANGE);
        assert_int_equal(parse_uint64("11", 10, &v), -ERANGE);
        assert_int_equal(parse_uint64("1", 0, &v), -ERANGE);
        assert_int_equal(v, 1234);
        assert_int_equal(parse_uint64("0", 0, &v), 0);
        assert_int_equal(v, 0);
}

static void test_int(void **state)
{
        int v = 99;
        assert_int_equal(parse_int("0", -10, 10, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_int("-5", -10, 10, &v), 0);
        assert_int_equal(v, -5);
        assert_int_equal(parse_int("+7", -10, 10, &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(parse_int("-1000", -1000, 1000, &v), 0);
        assert_int_equal(v, -1000);
        assert_int_equal(parse_int("2147483647", INT_MIN, INT_MAX, &v), 0);
        assert_int_equal(v, INT_MAX);
        assert_int_equal(parse_int("-2147483648", INT_MIN, INT_MAX, &v), 0);
        assert_int_equal(v, INT_MIN);

        v = 99;
        assert_int_equal(parse_int("-1001", -1000, 1000, &v), -ERANGE);
        assert_int_equal(parse_int("1001", -1000, 1000, &v), -ERANGE);
        assert_int_equal(parse_int("2147483648", INT_MIN, INT_MAX, &v), -ERANGE);
        assert_int_equal(parse_int("-2147483649", INT_MIN, INT_MAX, &v), -ERANGE);
        assert_int_equal(parse_int("99999999999999999999", INT_MIN, INT_MAX, &v), -ERANGE);
        assert_int_equal(parse_int("", -10, 10, &v), -EINVAL);
        assert_int_equal(parse_int("-", -10, 10, &v), -EINVAL);
        assert_int_equal(parse_int("--1", -10, 10, &v), -EINVAL);
        assert_int_equal(parse_int("+-1", -10, 10, &v), -EINVAL);
        assert_int_equal(parse_int("0x5", -10, 10, &v), -EINVAL);
        assert_int_equal(parse_int(" 5", -10, 10, &v), -EINVAL);
        assert_int_equal(parse_int("5abc", -10, 10, &v), -EINVAL);
        assert_int_equal(v, 99);
}

static void test_size(void **state)
{
        uint64_t v = 0;
        assert_int_equal(parse_size("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_size("4096", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(parse_size("1K", &v), 0);
        assert_int_equal(v, 1024);
        assert_int_equal(parse_size("1k", &v), 0);
        assert_int_equal(v, 1024);
        assert_int_equal(parse_size("256M", &v), 0);
        assert_int_equal(v, 256ULL << 20);
        assert_int_equal(parse_size("64m", &v), 0);
        assert_int_equal(v, 64ULL << 20);
        assert_int_equal(parse_size("1G", &v), 0);
        assert_int_equal(v, 1ULL << 30);
        assert_int_equal(parse_size("3g", &v), 0);
        assert_int_equal(v, 3ULL << 30);
        assert_int_equal(parse_size("2T", &v), 0);
        assert_int_equal(v, 2ULL << 40);
        assert_int_equal(parse_size("1t", &v), 0);
        assert_int_equal(v, 1ULL << 40);
        assert_int_equal(parse_size("16777215T", &v), 0);
        assert_true(v == 16777215ULL << 40);
        assert_int_equal(parse_size("18446744073709551615", &v), 0);
        assert_true(v == UINT64_MAX);
}

static void test_size_rejects(void **state)
{
        uint64_t v = 77;
        assert_int_equal(parse_size("", &v), -EINVAL);
        assert_int_equal(parse_size("K", &v), -EINVAL);
        assert_int_equal(parse_size("12abc", &v), -EINVAL);
        assert_int_equal(parse_size("1KB", &v), -EINVAL);
        assert_int_equal(parse_size("1kb", &v), -EINVAL);
        assert_int_equal(parse_size("1MiB", &v), -EINVAL);
        assert_int_equal(parse_size("1P", &v), -EINVAL);
        assert_int_equal(parse_size("1 K", &v), -EINVAL);
        assert_int_equal(parse_size(" 1K", &v), -EINVAL);
        assert_int_equal(parse_size("-1", &v), -EINVAL);
        assert_int_equal(parse_size("+1", &v), -EINVAL);
        assert_int_equal(parse_size("1.5G", &v), -EINVAL);
        assert_int_equal(parse_size("0x10", &v), -EINVAL);
        assert_int_equal(parse_size("16777216T", &v), -ERANGE);
        assert_int_equal(parse_size("17179869184G", &v), -ERANGE);
        assert_int_equal(parse_size("18446744073709551616", &v), -ERANGE);
        assert_int_equal(v, 77);
}

static void test_timespan(void **state)
{
        uint64_t v = 0;
        assert_int_equal(parse_timespan("10s", &v), 0);
        assert_int_equal(v, 10000000ULL);
        assert_int_equal(parse_timespan("1min 30s", &v), 0);
        assert_int_equal(v, 90000000ULL);
        assert_int_equal(parse_timespan("1min30s", &v), 0);
        assert_int_equal(v, 90000000ULL);
        assert_int_equal(parse_timespan("500ms", &v), 0);
        assert_int_equal(v, 500000ULL);
        assert_int_equal(parse_timespan("2h", &v), 0);
        assert_int_equal(v, 7200000000ULL);
        assert_int_equal(parse_timespan("10", &v), 0);
        assert_int_equal(v, 10000000ULL);
        assert_int_equal(parse_timespan(" 10 ", &v), 0);
        assert_int_equal(v, 10000000ULL);
        assert_int_equal(parse_timespan("10 s", &v), 0);
        assert_int_equal(v, 10000000ULL);
        assert_int_equal(parse_timespan("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_timespan("5us", &v), 0);
        assert_int_equal(v, 5);
        assert_int_equal(parse_timespan("5usec", &v), 0);
        assert_int_equal(v, 5);
        assert_int_equal(parse_timespan("3msec", &v), 0);
        assert_int_equal(v, 3000);
        assert_int_equal(parse_timespan("2sec", &v), 0);
        assert_int_equal(v, 2000000ULL);
        assert_int_equal(parse_timespan("2seconds", &v), 0);
        assert_int_equal(v, 2000000ULL);
        assert_int_equal(parse_timespan("1m", &v), 0);
        assert_int_equal(v, 60000000ULL);
        assert_int_equal(parse_timespan("2minutes", &v), 0);
        assert_int_equal(v, 120000000ULL);
        assert_int_equal(parse_timespan("1hour", &v), 0);
        assert_int_equal(v, 3600000000ULL);
        assert_int_equal(parse_timespan("1hr", &v), 0);
        assert_int_equal(v, 3600000000ULL);
        assert_int_equal(parse_timespan("1d 1h 1min 1s 1ms 1us", &v), 0);
        assert_int_equal(v, 86400000000ULL + 3600000000ULL + 60000000ULL + 1000000ULL + 1000ULL +
                                    1ULL);
        assert_int_equal(parse_timespan("2days", &v), 0);
        assert_int_equal(v, 2 * 86400000000ULL);
}

static void test_timespan_rejects(void **state)
{
        uint64_t v = 55;
        assert_int_equal(parse_timespan("", &v), -EINVAL);
        assert_int_equal(parse_timespan("   ", &v), -EINVAL);
        assert_int_equal(parse_timespan("1min 30", &v), -EINVAL);
        assert_int_equal(parse_timespan("5 10s", &v), -EINVAL);
        assert_int_equal(parse_timespan("s", &v), -EINVAL);
        assert_int_equal(parse_timespan("abc", &v), -EINVAL);
        assert_int_equal(parse_timespan("10x", &v), -EINVAL);
        assert_int_equal(parse_timespan("10ss", &v), -EINVAL);
        assert_int_equal(parse_timespan("10S", &v), -EINVAL);
        assert_int_equal(parse_timespan("-1s", &v), -EINVAL);
        assert_int_equal(parse_timespan("1.5s", &v), -EINVAL);
        assert_int_equal(parse_timespan("10s,5s", &v), -EINVAL);
        assert_int_equal(parse_timespan("99999999999999999999s", &v), -ERANGE);
        assert_int_equal(parse_timespan("18446744073709551615d", &v), -ERANGE);
        assert_int_equal(parse_timespan("18446744073709551615us 1us", &v), -ERANGE);
        assert_int_equal(v, 55);
}

static void test_id_range(void **state)
{
        uint32_t b = 0, c = 0;
        assert_int_equal(parse_id_range("100000:65536", &b, &c), 0);
        assert_int_equal(b, 100000);
        assert_int_equal(c, 65536);
        assert_int_equal(parse_id_range("0:1", &b, &c), 0);
        assert_int_equal(b, 0);
        assert_int_equal(c, 1);
        assert_int_equal(parse_id_range("4294967294:1", &b, &c), 0);
        assert_int_equal(b, 4294967294U);
        assert_int_equal(c, 1);

        b = c = 9;
        assert_int_equal(parse_id_range("100000", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range("", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range(":5", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range("5:", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range("a:1", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range("1:2:3", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range("-1:5", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range("1:-5", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range(" 1:5", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range("0x10:5", &b, &c), -EINVAL);
        assert_int_equal(parse_id_range("1:0", &b, &c), -ERANGE);
        assert_int_equal(parse_id_range("4294967295:1", &b, &c), -ERANGE);
        assert_int_equal(parse_id_range("4294967294:2", &b, &c), -ERANGE);
        assert_int_equal(parse_id_range("1:4294967296", &b, &c), -ERANGE);
        assert_int_equal(b, 9);
        assert_int_equal(c, 9);
}

static void test_percent_ppm(void **state)
{
        uint64_t v = 0;
        assert_int_equal(parse_percent_ppm("150%", &v), 0);
        assert_int_equal(v, 1500000);
        assert_int_equal(parse_percent_ppm("50%", &v), 0);
        assert_int_equal(v, 500000);
        assert_int_equal(parse_percent_ppm("1%", &v), 0);
        assert_int_equal(v, 10000);
        assert_int_equal(parse_percent_ppm("100000%", &v), 0);
        assert_int_equal(v, 1000000000ULL);

        v = 3;
        assert_int_equal(parse_percent_ppm("", &v), -EINVAL);
        assert_int_equal(parse_percent_ppm("%", &v), -EINVAL);
        assert_int_equal(parse_percent_ppm("50", &v), -EINVAL);
        assert_int_equal(parse_percent_ppm("50 %", &v), -EINVAL);
        assert_int_equal(parse_percent_ppm("5.5%", &v), -EINVAL);
        assert_int_equal(parse_percent_ppm("-5%", &v), -EINVAL);
        assert_int_equal(parse_percent_ppm("50%%", &v), -EINVAL);
        assert_int_equal(parse_percent_ppm("abc%", &v), -EINVAL);
        assert_int_equal(parse_percent_ppm("0%", &v), -ERANGE);
        assert_int_equal(parse_percent_ppm("100001%", &v), -ERANGE);
        assert_int_equal(parse_percent_ppm("99999999999999999999%", &v), -ERANGE);
        assert_int_equal(v, 3);
}

static void check_cpu_list(const char *in, const char *expect)
{
        char *out = NULL;
        assert_int_equal(parse_cpu_list(in, &out), 0);
        assert_string_equal(out, expect);
        free(out);
}

static void test_cpu_list(void **state)
{
        check_cpu_list("0", "0");
        check_cpu_list("0-3,5", "0-3,5");
        check_cpu_list("0-3, 5", "0-3,5");
        check_cpu_list("  2 , 4-6  ", "2,4-6");
        check_cpu_list("1-1", "1");
        check_cpu_list("007", "7");
        check_cpu_list("0001-0002", "1-2");
        check_cpu_list("8191", "8191");
        check_cpu_list("3,1,2", "3,1,2");
}

static void test_cpu_list_rejects(void **state)
{
        static const char *const bad[] = {"",    " ",     "3-1", "a",   "0,,1",  "0-",
                                          "-1",  "0,",    ",0",  "1 2", "0-3-5", "0x1",
                                          "1;2", "0 - 3", "1.5", "0-a", "+1"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                char *out = (char *)"untouched";
                assert_int_equal(parse_cpu_list(bad[i], &out), -EINVAL);
                assert_string_equal(out, "untouched");
        }
        char *out = NULL;
        assert_int_equal(parse_cpu_list("8192", &out), -ERANGE);
        assert_int_equal(parse_cpu_list("0-8192", &out), -ERANGE);
        assert_null(out);
}

static void test_mode(void **state)
{
        mode_t m = 0;
        assert_int_equal(parse_mode("0755", &m), 0);
        assert_int_equal(m, 0755);
        assert_int_equal(parse_mode("755", &m), 0);
        assert_int_equal(m, 0755);
        assert_int_equal(parse_mode("0", &m), 0);
        assert_int_equal(m, 0);
        assert_int_equal(parse_mode("1777", &m), 0);
        assert_int_equal(m, 01777);
        assert_int_equal(parse_mode("07777", &m), 0);
        assert_int_equal(m, 07777);

        m = 0123;
        assert_int_equal(parse_mode("", &m), -EINVAL);
        assert_int_equal(parse_mode("8", &m), -EINVAL);
        assert_int_equal(parse_mode("0789", &m), -EINVAL);
        assert_int_equal(parse_mode("-1", &m), -EINVAL);
        assert_int_equal(parse_mode("0x1ff", &m), -EINVAL);
        assert_int_equal(parse_mode("000000", &m), -EINVAL);
        assert_int_equal(parse_mode(" 755", &m), -EINVAL);
        assert_int_equal(parse_mode("rwx", &m), -EINVAL);
        assert_int_equal(parse_mode("17777", &m), -ERANGE);
        assert_int_equal(parse_mode("77777", &m), -ERANGE);
        assert_int_equal(m, 0123);
}

/* Splits s and compares with the NULL-terminated expectation. */
static void check_split(const char *s, const char *const *expect)
{
        char **v = NULL;
        const char *err = "not reset";
        assert_int_equal(split_quoted(s, &v, &err), 0);
        assert_null(err);
        assert_non_null(v);
        size_t n = 0;
        for (; expect[n]; n++) {
                assert_non_null(v[n]);
                assert_string_equal(v[n], expect[n]);
        }
        assert_null(v[n]);
        strv_free(v);
}

static void check_split_fails(const char *s, const char *errtext)
{
        char **v = NULL;
        const char *err = NULL;
        assert_int_equal(split_quoted(s, &v, &err), -EINVAL);
        assert_non_null(err);
        assert_string_equal(err, errtext);
        assert_null(v);
}

static void test_split_quoted(void **state)
{
        check_split("/bin/echo hello", (const char *const[]){"/bin/echo", "hello", NULL});
        check_split("  a   b\tc  ", (const char *const[]){"a", "b", "c", NULL});
        check_split("'a b' \"c d\"", (const char *const[]){"a b", "c d", NULL});
        check_split("a'b c'd", (const char *const[]){"ab cd", NULL});
        check_split("''", (const char *const[]){"", NULL});
        check_split("\"\" x", (const char *const[]){"", "x", NULL});
        check_split("sh -c 'echo a; b'", (const char *const[]){"sh", "-c", "echo a; b", NULL});
        check_split("\"a # b\"", (const char *const[]){"a # b", NULL});
}

static void test_split_quoted_escapes(void **state)
{
        /* Inside double quotes only \" \\ \$ \` are escapes; other backslashes stay. */
        check_split("\"a\\\"b\"", (const char *const[]){"a\"b", NULL});
        check_split("\"a\\\\b\"", (const char *const[]){"a\\b", NULL});
        check_split("\"\\$HOME\"", (const char *const[]){"$HOME", NULL});
        check_split("\"\\`x\\`\"", (const char *const[]){"`x`", NULL});
        check_split("\"a\\nb\"", (const char *const[]){"a\\nb", NULL});
        /* Single quotes take everything literally. */
        check_split("'a\\b\"c'", (const char *const[]){"a\\b\"c", NULL});
        /* Outside quotes a backslash escapes any character. */
        check_split("a\\ b c", (const char *const[]){"a b", "c", NULL});
        check_split("\\'x\\\"", (const char *const[]){"'x\"", NULL});
        check_split("\\\\", (const char *const[]){"\\", NULL});
}

static void test_split_quoted_no_expansion(void **state)
{
        check_split("echo $HOME ${PATH} $(id) `id` ~ *.c",
                    (const char *const[]){"echo", "$HOME", "${PATH}", "$(id)", "`id`", "~", "*.c",
                                          NULL});
        check_split("\"$HOME\" 'a$b'", (const char *const[]){"$HOME", "a$b", NULL});
        check_split("a|b>c&&d;e", (const char *const[]){"a|b>c&&d;e", NULL});
}

static void test_split_quoted_errors(void **state)
{
        check_split_fails("'abc", "unterminated single quote");
        check_split_fails("echo 'abc def", "unterminated single quote");
        check_split_fails("\"abc", "unterminated double quote");
        check_split_fails("a \"b\\\"", "unterminated double quote");
        check_split_fails("abc\\", "trailing backslash");
        check_split_fails("\\", "trailing backslash");
}

static void test_split_quoted_empty(void **state)
{
        char **v = NULL;
        const char *err = "x";
        assert_int_equal(split_quoted("", &v, &err), 0);
        assert_non_null(v);
        assert_null(v[0]);
        assert_null(err);
        strv_free(v);
        assert_int_equal(split_quoted(" \t ", &v, &err), 0);
        assert_null(v[0]);
        strv_free(v);
}

static void check_tokens(const char *s, const char *const *expect)
{
        char **v = split_tokens(s);
        assert_non_null(v);
        size_t n = 0;
        for (; expect[n]; n++) {
                assert_non_null(v[n]);
                assert_string_equal(v[n], expect[n]);
        }
        assert_null(v[n]);
        strv_free(v);
}

static void test_split_tokens(void **state)
{
        check_tokens("a b c", (const char *const[]){"a", "b", "c", NULL});
        check_tokens("a,b,c", (const char *const[]){"a", "b", "c", NULL});
        check_tokens(" a, b\t,c ,, d ", (const char *const[]){"a", "b", "c", "d", NULL});
        check_tokens("CAP_NET_ADMIN", (const char *const[]){"CAP_NET_ADMIN", NULL});
        check_tokens("'a b'", (const char *const[]){"'a", "b'", NULL}); /* no quoting */
        check_tokens("", (const char *const[]){NULL});
        check_tokens(" ,\t, ", (const char *const[]){NULL});
}

static void test_edit_distance(void **state)
{
        assert_int_equal(edit_distance("", ""), 0);
        assert_int_equal(edit_distance("abc", "abc"), 0);
        assert_int_equal(edit_distance("", "abc"), 3);
        assert_int_equal(edit_distance("abc", ""), 3);
        assert_int_equal(edit_distance("kitten", "sitting"), 3);
        assert_int_equal(edit_distance("Comand", "Command"), 1);
        assert_int_equal(edit_distance("Exce", "Exec"), 2);
        assert_int_equal(edit_distance("Exec", "exec"), 0); /* case-insensitive */
        assert_int_equal(edit_distance("MEMORYMAX", "MemoryMax"), 0);
        assert_int_equal(edit_distance("Mount", "Mounts"), 1);
        assert_int_equal(edit_distance("abc", "xyz"), 3);
        assert_int_equal(edit_distance("flaw", "lawn"), 2);
        char longw[70];
        memset(longw, 'a', sizeof(longw) - 1);
        longw[sizeof(longw) - 1] = 0;
        assert_int_equal(edit_distance(longw, "a"), 1000);
        assert_int_equal(edit_distance("a", longw), 1000);
        longw[64] = 0; /* 64 characters is still measured */
        assert_int_equal(edit_distance(longw, longw), 0);
        assert_int_equal(edit_distance(longw, ""), 64);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_boolean_true),
                cmocka_unit_test(test_boolean_false),
                cmocka_unit_test(test_boolean_garbage),
                cmocka_unit_test(test_uint64),
                cmocka_unit_test(test_uint64_rejects),
                cmocka_unit_test(test_uint64_range),
                cmocka_unit_test(test_int),
                cmocka_unit_test(test_size),
                cmocka_unit_test(test_size_rejects),
                cmocka_unit_test(test_timespan),
                cmocka_unit_test(test_timespan_rejects),
                cmocka_unit_test(test_id_range),
                cmocka_unit_test(test_percent_ppm),
                cmocka_unit_test(test_cpu_list),
                cmocka_unit_test(test_cpu_list_rejects),
                cmocka_unit_test(test_mode),
                cmocka_unit_test(test_split_quoted),
                cmocka_unit_test(test_split_quoted_escapes),
                cmocka_unit_test(test_split_quoted_no_expansion),
                cmocka_unit_test(test_split_quoted_errors),
                cmocka_unit_test(test_split_quoted_empty),
                cmocka_unit_test(test_split_tokens),
                cmocka_unit_test(test_edit_distance),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
