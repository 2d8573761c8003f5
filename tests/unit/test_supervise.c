/* test_supervise.c - the supervisor's wait loop: exit-code mapping, the stop protocol and signal
 * forwarding, with a forked child standing in for the box's PID 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "test_fork.h"
#include "supervisor/supervise.h"

static sigset_t old_mask;

enum behaviour {
        EXIT_7,
        EXIT_133,
        KILL_SELF_TERM,
        KILL_SELF_HUP,
        KILL_SELF_INT,
        WAIT_DEFAULT,     /* sleeps; default dispositions */
        WAIT_IGNORE_TERM, /* sleeps; SIGTERM ignored */
        WAIT_USR1_EXITS,  /* sleeps; SIGUSR1 -> exit 11, SIGQUIT -> exit 12 */
};

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_usr1(int sig)
{
        _exit(11);
}

static void on_quit(int sig)
{
        _exit(12);
}

/* Forks the stand-in PID 1; returns once it is ready for signals. */
static pid_t spawn(enum behaviour b)
{
        int ready[2];
        assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                signal(SIGPIPE, SIG_DFL);
                if (b == WAIT_IGNORE_TERM)
                        signal(SIGTERM, SIG_IGN);
                if (b == WAIT_USR1_EXITS) {
                        signal(SIGUSR1, on_usr1);
                        signal(SIGQUIT, on_quit);
                }
                sigprocmask(SIG_SETMASK, &old_mask, NULL);
                if (write(ready[1], "r", 1) != 1)
                        _exit(99);
                switch (b) {
                case EXIT_7:
                        _exit(7);
                case EXIT_133:
                        _exit(133);
                case KILL_SELF_TERM:
                        raise(SIGTERM);
                        break;
                case KILL_SELF_HUP:
                        raise(SIGHUP);
                        break;
                case KILL_SELF_INT:
                        raise(SIGINT);
                        break;
                default:
                        for (int i = 0; i < 3000; i++)
                                usleep(10000);
                }
                _exit(98);
        }
        close(ready[1]);
        char c;
        assert_int_equal(read(ready[0], &c, 1), 1);
        close(ready[0]);
        return pid;
}

/* The stop callback writes a byte here once the supervisor has taken a stop signal: a helper
 * that sends the same signal twice waits for it, or the two could be pending at once on a loaded
 * machine and merge into one (standard signals do not queue). Non-blocking both ways. */
static int stopped_pipe[2] = {-1, -1};

/* A helper process that signals us (the supervisor) after a delay, count times; from the second
 * time on, only once the first one has been taken (see stopped_pipe). */
static pid_t signal_later(int sig, int delay_ms, int count)
{
        char c;
        while (read(stopped_pipe[0], &c, 1) == 1)
                ; /* what earlier tests left */
        pid_t me = getpid();
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                for (int i = 0; i < count; i++) {
                        if (i > 0) {
                                struct pollfd p = {.fd = stopped_pipe[0], .events = POLLIN};
                                if (poll(&p, 1, 60000) != 1 || read(stopped_pipe[0], &c, 1) != 1)
                                        _exit(1);
                        }
                        usleep((useconds_t)delay_ms * 1000);
                        kill(me, sig);
                }
                _exit(0);
        }
        return pid;
}

static int stops;
static int count_stop(void *userdata)
{
        (*(int *)userdata)++;
        (void)!write(stopped_pipe[1], "s", 1);
        return 0;
}

static struct supervise_params params(pid_t pid)
{
        stops = 0;
        return (struct supervise_params){
                .pid = pid,
                .pidfd = -1,
                .kill_signal = SIGTERM,
                .stop_timeout_usec = 200000,
                .pty_master = -1,
                .on_stop = count_stop,
                .userdata = &stops,
        };
}

static int setup(void **state)
{
        if (stopped_pipe[0] < 0 && pipe2(stopped_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
                return -1;
        return supervise_block_signals(&old_mask) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return 0;
}

static void test_exit_mapping(void **state)
{
        struct supervise_params p = params(spawn(EXIT_7));
        assert_int_equal(supervise(&p), 7);
        p = params(spawn(KILL_SELF_TERM));
        assert_int_equal(supervise(&p), 143);
        /* A payload cannot fake the reboot code. */
        p = params(spawn(EXIT_133));
        assert_int_equal(supervise(&p), 1);
        p = params(spawn(KILL_SELF_HUP));
        assert_int_equal(supervise(&p), 129);
        assert_int_equal(stops, 0);

        /* Boot mode: what reboot(2) does to a pid namespace's init. */
        p = params(spawn(KILL_SELF_HUP));
        p.boot = true;
        assert_int_equal(supervise(&p), 133);
        p = params(spawn(KILL_SELF_INT));
        p.boot = true;
        assert_int_equal(supervise(&p), 0);
        p = params(spawn(KILL_SELF_TERM));
        p.boot = true;
        assert_int_equal(supervise(&p), 143);
        p = params(spawn(EXIT_133));
        p.boot = true;
        assert_int_equal(supervise(&p), 1);

        assert_int_equal(supervise_exit_code(CLD_DUMPED, SIGSEGV, false), 128 + SIGSEGV);
}

static void test_pidfd(void **state)
{
        pid_t pid = spawn(WAIT_DEFAULT);
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        assert_true(pidfd >= 0);
        struct supervise_params p = params(pid);
        p.pidfd = pidfd;
        pid_t h = signal_later(SIGINT, 50, 1);
        assert_int_equal(supervise(&p), 143); /* SIGTERM, sent through the pidfd */
        assert_int_equal(stops, 1);
        waitpid(h, NULL, 0);
        close(pidfd);
}

static void test_stop(void **state)
{
        /* SIGTERM to the supervisor -> kill_signal to PID 1. */
        struct supervise_params p = params(spawn(WAIT_DEFAULT));
        pid_t h = signal_later(SIGTERM, 50, 1);
        /* 143: the kill signal ended it, not the SIGKILL after the timeout (137). */
        assert_int_equal(supervise(&p), 143);
        assert_int_equal(stops, 1);
        waitpid(h, NULL, 0);

        /* A custom kill signal. */
        p = params(spawn(WAIT_USR1_EXITS));
        p.kill_signal = SIGUSR1;
        h = signal_later(SIGHUP, 50, 1);
        assert_int_equal(supervise(&p), 11);
        waitpid(h, NULL, 0);

        /* Ignored: SIGKILL after the stop timeout. */
        p = params(spawn(WAIT_IGNORE_TERM));
        h = signal_later(SIGTERM, 50, 1);
        long long t0 = now_ms();
        assert_int_equal(supervise(&p), 137);
        long long dt = now_ms() - t0;
        assert_true(dt >= 250); /* 50 ms until the signal + 200 ms timeout */
        assert_int_equal(stops, 1);
        waitpid(h, NULL, 0);

        /* A second signal escalates at once, long before a 300 s timeout (generous bound: the
         * machine may be loaded). */
        p = params(spawn(WAIT_IGNORE_TERM));
        p.stop_timeout_usec = 300000000;
        h = signal_later(SIGTERM, 500, 2);
        t0 = now_ms();
        assert_int_equal(supervise(&p), 137);
        assert_true(now_ms() - t0 < 150000);
        assert_int_equal(stops, 1);
        waitpid(h, NULL, 0);

        /* Timeout 0: no automatic SIGKILL, only the second signal escalates. */
        p = params(spawn(WAIT_IGNORE_TERM));
        p.stop_timeout_usec = 0;
        h = signal_later(SIGINT, 300, 2);
        t0 = now_ms();
        assert_int_equal(supervise(&p), 137);
        assert_true(now_ms() - t0 >= 600);
        waitpid(h, NULL, 0);
}

static void test_forwarding(void **state)
{
        struct supervise_params p = params(spawn(WAIT_USR1_EXITS));
        pid_t h = signal_later(SIGUSR1, 50, 1);
        assert_int_equal(supervise(&p), 11);
        assert_int_equal(stops, 0);
        waitpid(h, NULL, 0);

        p = params(spawn(WAIT_USR1_EXITS));
        h = signal_later(SIGQUIT, 50, 1);
        assert_int_equal(supervise(&p), 12);
        waitpid(h, NULL, 0);

        /* Without a relay SIGWINCH is forwarded too (default action: ignored by the child). */
        p = params(spawn(WAIT_USR1_EXITS));
        h = signal_later(SIGWINCH, 50, 1);
        pid_t h2 = signal_later(SIGUSR1, 150, 1);
        assert_int_equal(supervise(&p), 11);
        waitpid(h, NULL, 0);
        waitpid(h2, NULL, 0);
}

/* Supervising with a pty relay (read-only, so the test's own terminal is never touched): the
 * box's output goes to our stdout, and the hangup of the box console does not end supervision
 * early. */
static void relay_case(int linger_ms)
{
        int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(m >= 0);
        int unlock = 0;
        assert_int_equal(ioctl(m, TIOCSPTLCK, &unlock), 0);
        int s = ioctl(m, _IO('T', 0x41), O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(s >= 0);
        int out[2];
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);

        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* The test runner's stdout is replaced by a pipe in this child only. */
                dup2(out[1], 1);
                pid_t box = test_fork();
                if (box == 0) {
                        sigprocmask(SIG_SETMASK, &old_mask, NULL);
                        if (write(s, "box says hi", 11) != 11)
                                _exit(97);
                        close(s);
                        usleep((useconds_t)linger_ms * 1000); /* may outlive its console */
                        _exit(5);
                }
                close(s);
                struct supervise_params p = params(box);
                p.pty_master = m;
                p.read_only_console = true;
                _exit(supervise(&p));
        }
        close(s);
        close(out[1]);
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 5);
        char buf[64] = {0};
        assert_true(read(out[0], buf, sizeof(buf) - 1) > 0);
        assert_string_equal(buf, "box says hi");
        close(out[0]);
        close(m);
}

static void test_relay(void **state)
{
        relay_case(200);
        /* Exits right after writing: the output is drained, not lost. */
        for (int i = 0; i < 20; i++)
                relay_case(0);
}

/* Touches `kib` KiB of stack below the caller (as a start's deepest calls do). */
static int __attribute__((noinline)) deep(int kib)
{
        volatile char buf[1024];
        buf[0] = (char)kib;
        buf[sizeof(buf) - 1] = 1;
        return kib > 1 ? deep(kib - 1) + buf[0] : buf[sizeof(buf) - 1];
}

/* The resident size of the [stack] of pid, in KiB (smaps), or -1. */
static long stack_rss_kib(pid_t pid)
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
        FILE *f = fopen(path, "re");
        long kib = -1;
        bool in_stack = false;
        while (f && fgets(line, sizeof(line), f)) {
                unsigned long lo, hi;
                if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
                        in_stack = strstr(line, "[stack]") != NULL;
                else if (in_stack && sscanf(line, "Rss: %ld kB", &kib) == 1)
                        break;
        }
        if (f)
                fclose(f);
        return kib;
}

/* What the start touched of the stack below the loop is given back once the loop runs: a
 * thousand idle supervisors would each keep it. */
static void test_stack_given_back(void **state)
{
        pid_t sup = test_fork();
        assert_true(sup >= 0);
        if (sup == 0) {
                (void)deep(256);
                pid_t box = fork();
                if (box == 0) {
                        sigprocmask(SIG_SETMASK, &old_mask, NULL);
                        for (;;)
                                pause();
                }
                struct supervise_params p = params(box);
                _exit(box > 0 && supervise(&p) == 128 + SIGTERM ? 0 : 1);
        }
        /* The supervisor's stack while it waits: well below the 256 KiB it touched. */
        long kib = -1;
        for (int i = 0; i < 600; i++) {
                usleep(10000);
                kib = stack_rss_kib(sup);
                if (kib >= 0 && kib < 128)
                        break;
        }
        kill(sup, SIGTERM); /* the stop protocol: SIGTERM on to the box, which dies of it */
        int st;
        assert_int_equal(waitpid(sup, &st, 0), sup);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        assert_true(kib > 0);
        assert_in_range(kib, 1, 127);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exit_mapping), cmocka_unit_test(test_pidfd),
                cmocka_unit_test(test_stop),         cmocka_unit_test(test_forwarding),
                cmocka_unit_test(test_relay),        cmocka_unit_test(test_stack_given_back),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
