/* test_fork.h - fork() for cmocka tests.
 *
 * cmocka catches SIGSEGV, SIGILL, SIGFPE, SIGBUS and SIGSYS in the test process and jumps back
 * into its runner: a forked child that crashed would go on running the remaining tests, and
 * their TAP lines would be printed twice (tests/run-all.sh counts a repeated test as a
 * failure). So a child gets the default dispositions back, and stdio is flushed before the
 * fork so that nothing buffered is written twice. A child ends with _exit(), never with a
 * cmocka assertion. */
#pragma once
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static inline void test_child_defaults(void)
{
        static const int sigs[] = {SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGSYS};
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                signal(sigs[i], SIG_DFL);
}

static inline pid_t test_fork(void)
{
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0)
                test_child_defaults();
        return pid;
}
