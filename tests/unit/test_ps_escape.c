/* test_ps_escape.c - `ps` shows a box's command lines without letting its bytes reach the
 * terminal: cescape_bytes(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/output.h"

static void check(const char *in, size_t n, const char *want)
{
        char *got = cescape_bytes(in, n);
        assert_string_equal(got, want);
        free(got);
}

#define CHECK(in, want) check(in, sizeof(in) - 1, want)

static void test_plain_text_unchanged(void **state)
{
        CHECK("", "");
        CHECK("/bin/sleep 30", "/bin/sleep 30");
        CHECK("sh -c 'echo \"hi\"; exit 3'", "sh -c 'echo \"hi\"; exit 3'");
        /* UTF-8 stays readable. */
        CHECK("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6",
              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6");
}

static void test_controls_escaped(void **state)
{
        /* A title-setting and screen-clearing sequence arrives inert. */
        CHECK("x \x1b]0;owned\x07\x1b[2J", "x \\x1b]0;owned\\a\\x1b[2J");
        CHECK("a\tb\nc\rd\x7f", "a\\tb\\nc\\rd\\x7f");
        CHECK("\x01\x08\x0b\x0c\x1f", "\\x01\\b\\v\\f\\x1f");
        CHECK("back\\slash", "back\\\\slash");
        check("a\0b", 3, "a\\x00b");
}

static void test_bad_utf8_and_c1_escaped(void **state)
{
        /* C1 CSI (U+009B) as UTF-8, a lone CSI byte, a truncated sequence, an overlong '/', a
         * surrogate, a continuation byte on its own. */
        CHECK("\xc2\x9b"
              "2J",
              "\\xc2\\x9b2J");
        CHECK("\x9b"
              "2J",
              "\\x9b2J");
        CHECK("\xe2\x82", "\\xe2\\x82");
        CHECK("\xc0\xaf", "\\xc0\\xaf");
        CHECK("\xed\xa0\x80", "\\xed\\xa0\\x80");
        CHECK("\x80", "\\x80");
        CHECK("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain_text_unchanged),
                cmocka_unit_test(test_controls_escaped),
                cmocka_unit_test(test_bad_utf8_and_c1_escaped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
