/* test_signals.c - signal name parsing and printing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>

#include "util/signals.h"

static void test_names(void **state)
{
        assert_int_equal(signal_from_string("TERM"), SIGTERM);
        assert_int_equal(signal_from_string("SIGTERM"), SIGTERM);
        assert_int_equal(signal_from_string("term"), SIGTERM);
        assert_int_equal(signal_from_string("sigterm"), SIGTERM);
        assert_int_equal(signal_from_string("SigHup"), SIGHUP);
        assert_int_equal(signal_from_string("KILL"), SIGKILL);
        assert_int_equal(signal_from_string("WINCH"), SIGWINCH);
        assert_int_equal(signal_from_string("SIGUSR2"), SIGUSR2);
        assert_int_equal(signal_from_string("SYS"), SIGSYS);
        assert_int_equal(signal_from_string("IOT"), SIGABRT);
        assert_int_equal(signal_from_string("CLD"), SIGCHLD);
        assert_int_equal(signal_from_string("POLL"), SIGIO);
}

static void test_numbers(void **state)
{
        assert_int_equal(signal_from_string("15"), 15);
        assert_int_equal(signal_from_string("1"), 1);
        assert_int_equal(signal_from_string("9"), 9);
        char n[16];
        snprintf(n, sizeof(n), "%d", SIGRTMAX);
        assert_int_equal(signal_from_string(n), SIGRTMAX);
        snprintf(n, sizeof(n), "%d", SIGRTMAX + 1);
        assert_int_equal(signal_from_string(n), -EINVAL);
        assert_int_equal(signal_from_string("0"), -EINVAL);
        assert_int_equal(signal_from_string("015"), -EINVAL);
        assert_int_equal(signal_from_string("-15"), -EINVAL);
        assert_int_equal(signal_from_string("+15"), -EINVAL);
        assert_int_equal(signal_from_string("99999999999999999999"), -EINVAL);
}

static void test_realtime(void **state)
{
        assert_int_equal(signal_from_string("RTMIN"), SIGRTMIN);
        assert_int_equal(signal_from_string("SIGRTMIN"), SIGRTMIN);
        assert_int_equal(signal_from_string("RTMIN+3"), SIGRTMIN + 3);
        assert_int_equal(signal_from_string("SIGRTMIN+3"), SIGRTMIN + 3);
        assert_int_equal(signal_from_string("sigrtmin+0"), SIGRTMIN);
        assert_int_equal(signal_from_string("RTMAX"), SIGRTMAX);
        assert_int_equal(signal_from_string("RTMAX-2"), SIGRTMAX - 2);
        assert_int_equal(signal_from_string("SIGRTMAX-0"), SIGRTMAX);

        char s[32];
        int span = SIGRTMAX - SIGRTMIN;
        snprintf(s, sizeof(s), "RTMIN+%d", span);
        assert_int_equal(signal_from_string(s), SIGRTMAX);
        snprintf(s, sizeof(s), "RTMIN+%d", span + 1);
        assert_int_equal(signal_from_string(s), -EINVAL);
        snprintf(s, sizeof(s), "RTMAX-%d", span);
        assert_int_equal(signal_from_string(s), SIGRTMIN);
        snprintf(s, sizeof(s), "RTMAX-%d", span + 1);
        assert_int_equal(signal_from_string(s), -EINVAL);

        assert_int_equal(signal_from_string("RTMIN-1"), -EINVAL);
        assert_int_equal(signal_from_string("RTMAX+1"), -EINVAL);
        assert_int_equal(signal_from_string("RTMIN+"), -EINVAL);
        assert_int_equal(signal_from_string("RTMIN+x"), -EINVAL);
        assert_int_equal(signal_from_string("RTMIN+3x"), -EINVAL);
        assert_int_equal(signal_from_string("RTMIN3"), -EINVAL);
}

static void test_garbage(void **state)
{
        assert_int_equal(signal_from_string(NULL), -EINVAL);
        assert_int_equal(signal_from_string(""), -EINVAL);
        assert_int_equal(signal_from_string("SIG"), -EINVAL);
        assert_int_equal(signal_from_string("TERMX"), -EINVAL);
        assert_int_equal(signal_from_string(" TERM"), -EINVAL);
        assert_int_equal(signal_from_string("TERM "), -EINVAL);
        assert_int_equal(signal_from_string("SIGSIGTERM"), -EINVAL);
        assert_int_equal(signal_from_string("15x"), -EINVAL);
        assert_int_equal(signal_from_string("0x0f"), -EINVAL);
        assert_int_equal(signal_from_string("FOO"), -EINVAL);
}

static void test_to_string(void **state)
{
        char buf[16];
        assert_string_equal(signal_to_string(SIGTERM, buf), "SIGTERM");
        assert_string_equal(signal_to_string(SIGABRT, buf), "SIGABRT");
        assert_string_equal(signal_to_string(SIGCHLD, buf), "SIGCHLD");
        assert_string_equal(signal_to_string(SIGRTMIN, buf), "SIGRTMIN");
        assert_string_equal(signal_to_string(SIGRTMIN + 3, buf), "SIGRTMIN+3");
        assert_string_equal(signal_to_string(SIGRTMAX, buf), "SIGRTMAX");
        assert_string_equal(signal_to_string(0, buf), "0");
        assert_string_equal(signal_to_string(200, buf), "200");

        /* Round trip over every valid signal. */
        for (int sig = 1; sig <= SIGRTMAX; sig++) {
                if (sig > SIGSYS && sig < SIGRTMIN)
                        continue; /* reserved by libc, printed as numbers */
                assert_int_equal(signal_from_string(signal_to_string(sig, buf)), sig);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),     cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_realtime),  cmocka_unit_test(test_garbage),
                cmocka_unit_test(test_to_string),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
