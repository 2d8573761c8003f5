/* test_stubinit.c - the embedded stub init against the PID 1 behaviour table (research §1.4).
 * Needs root: the stub runs as PID 1 of a fresh pid namespace (with its own /proc), from the
 * sealed memfd, exactly as boxlaunch runs it; busybox-static is the payload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "test_fork.h"
#include "supervisor/stubimage.h"

#define BUSYBOX "/usr/bin/busybox"

static char *const test_env[] = {"PATH=/usr/bin:/bin", "BOXTEST=1", NULL};
static int memfd = -1;

struct stub {
        pid_t pid; /* host view */
        int out;   /* payload's stdout */
        int err;   /* payload's and stub's stderr */
        int pty;   /* master of the payload's stdin pty, or -1 */
};

/* How long a wait for what must happen may take before it is a failure: generous (a loaded
 * machine is slow); a hang is what it catches. Time bounds that a test asserts are relative to
 * the alternative they rule out (a grace period or a sleep of minutes), never tight. */
#define WAIT_MS 60000

/* PRESTARTED: PID 1 starts the payload itself and executes the stub with -p, as boxlaunch's set-up
 * does (child.c, spawn_payload()), after waiting for the payload to be a zombie (with
 * EXITED_FIRST) or with a SIGTERM of its own pending (with TERM_PENDING). */
enum {
        IN_PIDNS = 1 << 0,
        IGNORE_INT = 1 << 1,
        STDIN_PTY = 1 << 2,
        LEAK_FD = 1 << 3,
        PRESTARTED = 1 << 4,
        EXITED_FIRST = 1 << 5,
        TERM_PENDING = 1 << 6,
};

/* PRESTARTED: the payload, started before the stub; its pid. */
static pid_t prestart(char *const *argv, int flags)
{
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        pid_t p = fork();
        if (p < 0)
                _exit(94);
        if (p == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execve(argv[0], argv, test_env);
                _exit(95);
        }
        siginfo_t si;
        if ((flags & EXITED_FIRST) && waitid(P_PID, (id_t)p, &si, WEXITED | WNOWAIT) < 0)
                _exit(96);
        if ((flags & TERM_PENDING) && raise(SIGTERM) < 0)
                _exit(97);
        return p;
}

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_pty_slave(int *ret_master)
{
        int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(m >= 0);
        int unlock = 0;
        assert_int_equal(ioctl(m, TIOCSPTLCK, &unlock), 0);
        int s = ioctl(m, _IO('T', 0x41), O_RDWR | O_NOCTTY | O_CLOEXEC); /* TIOCGPTPEER */
        assert_true(s >= 0);
        *ret_master = m;
        return s;
}

static struct stub start(char *const *argv, unsigned grace_ms, int flags)
{
        int out[2], err[2], pty_master = -1, pty_slave = -1;
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        assert_int_equal(pipe2(err, O_CLOEXEC), 0);
        if (flags & STDIN_PTY)
                pty_slave = open_pty_slave(&pty_master);

        unsigned long cf = SIGCHLD | ((flags & IN_PIDNS) ? CLONE_NEWPID | CLONE_NEWNS : 0);
        /* Raw clone without a stack behaves like fork; the child becomes PID 1. */
        fflush(NULL);
        pid_t pid = (pid_t)syscall(SYS_clone, cf, NULL, NULL, NULL, 0);
        assert_true(pid >= 0);
        if (pid == 0) {
                test_child_defaults();
                if (flags & IN_PIDNS) {
                        /* A /proc of the new namespace, to look for zombies from inside. */
                        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
                                    0)
                                _exit(90);
                }
                int in = pty_slave >= 0 ? pty_slave : open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (dup2(in, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
                        _exit(91);
                if (flags & IGNORE_INT) {
                        signal(SIGINT, SIG_IGN);
                        sigset_t s;
                        sigemptyset(&s);
                        sigaddset(&s, SIGUSR2);
                        sigprocmask(SIG_BLOCK, &s, NULL);
                }
                if ((flags & LEAK_FD) && dup2(2, 5) < 0) /* not CLOEXEC */
                        _exit(92);
                stubinit_exec(memfd, argv, test_env, grace_ms,
                              (flags & PRESTARTED) ? prestart(argv, flags) : 0);
                _exit(93);
        }
        close(out[1]);
        close(err[1]);
        /* The master stays open: without it the slave is hung up and cannot become a ctty. */
        if (pty_slave >= 0)
                close(pty_slave);
        return (struct stub){.pid = pid, .out = out[0], .err = err[0], .pty = pty_master};
}

/* Exit code (or 128+signal) of the stub; fails the test if it takes longer than timeout_ms. */
static int wait_stub(struct stub *s, int timeout_ms)
{
        long long end = now_ms() + timeout_ms;
        int st;
        for (;;) {
                pid_t p = waitpid(s->pid, &st, WNOHANG);
                assert_true(p >= 0);
                if (p == s->pid)
                        break;
                if (now_ms() > end) {
                        kill(s->pid, SIGKILL);
                        waitpid(s->pid, &st, 0);
                        fail_msg("stub did not exit within %d ms", timeout_ms);
                }
                usleep(5000);
        }
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void close_stub(struct stub *s)
{
        close(s->out);
        close(s->err);
        if (s->pty >= 0)
                close(s->pty);
}

/* Reads one line from fd into buf (without the newline), with a timeout. */
static void read_line(int fd, char *buf, size_t size, int timeout_ms)
{
        size_t n = 0;
        for (;;) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                assert_int_equal(poll(&p, 1, timeout_ms), 1);
                char c;
                assert_int_equal(read(fd, &c, 1), 1);
                if (c == '\n')
                        break;
                assert_true(n + 1 < size);
                buf[n++] = c;
        }
        buf[n] = 0;
}

/* Everything left in fd (the writers are gone once the stub exited). */
static void read_rest(int fd, char *buf, size_t size)
{
        size_t n = 0;
        ssize_t k;
        while (n + 1 < size && (k = read(fd, buf + n, size - 1 - n)) > 0)
                n += (size_t)k;
        buf[n] = 0;
}

static int run_sh(const char *script, unsigned grace_ms, int flags)
{
        char *argv[] = {BUSYBOX, "sh", "-c", (char *)script, NULL};
        struct stub s = start(argv, grace_ms, flags);
        int r = wait_stub(&s, WAIT_MS);
        close_stub(&s);
        return r;
}

static int setup(void **state)
{
        if (geteuid() != 0 || access(BUSYBOX, X_OK) < 0) {
                print_message("needs root and busybox-static\n");
                return -1;
        }
        memfd = stubinit_memfd();
        return memfd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
        close(memfd);
        return 0;
}

/* Rows 2-4: exit codes. */
static void test_exit_codes(void **state)
{
        assert_int_equal(run_sh("exit 7", 0, IN_PIDNS), 7);
        assert_int_equal(run_sh("exit 0", 0, IN_PIDNS), 0);
        assert_int_equal(run_sh("kill -TERM $$", 0, IN_PIDNS), 143);
        assert_int_equal(run_sh("kill -KILL $$", 0, IN_PIDNS), 137);
        /* The payload is PID 2. */
        assert_int_equal(run_sh("[ $$ = 2 ] && exit 3", 0, IN_PIDNS), 3);
}

/* -p: the payload started by PID 1 before the stub replaced it. Gone before the stub runs: its
 * SIGCHLD came before the stub's signalfd (a reset of the dispositions would discard it), its
 * zombie is reaped and its status is the stub's. A SIGTERM sent to PID 1 meanwhile waits,
 * blocked, and reaches the payload. */
static void test_prestarted(void **state)
{
        char *sh_exit[] = {BUSYBOX, "sh", "-c", "exit 7", NULL};
        struct stub s = start(sh_exit, 0, IN_PIDNS | PRESTARTED | EXITED_FIRST);
        assert_int_equal(wait_stub(&s, WAIT_MS), 7);
        close_stub(&s);
        char *sh_sleep[] = {BUSYBOX, "sh", "-c", "exec " BUSYBOX " sleep 60", NULL};
        long long t0 = now_ms();
        s = start(sh_sleep, 0, IN_PIDNS | PRESTARTED | TERM_PENDING);
        assert_int_equal(wait_stub(&s, WAIT_MS), 143);
        assert_true(now_ms() - t0 < 30000); /* not the sleep's minute */
        close_stub(&s);
}

/* Row 5: exec failures, with the message on stderr. */
static void test_exec_failure(void **state)
{
        char buf[512];
        char *missing[] = {"/nonexistent/cmd", NULL};
        struct stub s = start(missing, 2000, IN_PIDNS);
        assert_int_equal(wait_stub(&s, WAIT_MS), 127);
        read_rest(s.err, buf, sizeof(buf));
        assert_string_equal(buf, "boxlaunch-init: /nonexistent/cmd: No such file or directory\n");
        close_stub(&s);

        char *notfound[] = {"no-such-command-anywhere", NULL};
        s = start(notfound, 2000, IN_PIDNS);
        assert_int_equal(wait_stub(&s, WAIT_MS), 127);
        close_stub(&s);

        char path[] = "/tmp/boxlaunch-test-noexec-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
        close(fd);
        assert_int_equal(chmod(path, 0644), 0);
        char *noexec[] = {path, NULL};
        s = start(noexec, 2000, IN_PIDNS);
        assert_int_equal(wait_stub(&s, WAIT_MS), 126);
        read_rest(s.err, buf, sizeof(buf));
        assert_non_null(strstr(buf, "Permission denied"));
        close_stub(&s);
        unlink(path);
}

/* Row 6: orphans are reaped: the orphan (its parent exits at once) exits itself a moment later
 * and only PID 1 can reap it; the script waits until it is gone from /proc (a zombie stays), then
 * counts the zombies left. */
static void test_orphans_reaped(void **state)
{
        const char *script = "p=$( (" BUSYBOX " sleep 0.1 >/dev/null 2>&1 & echo $!) ); i=0; "
                             "while [ -e /proc/$p ] && [ $i -lt 1000 ]; do " BUSYBOX
                             " sleep 0.05; i=$((i + 1)); done; [ -e /proc/$p ] && exit 99; "
                             "n=$(" BUSYBOX " grep -l '^State:.*Z' /proc/[0-9]*/status | " BUSYBOX
                             " wc -l); exit $((n + 10))";
        assert_int_equal(run_sh(script, 0, IN_PIDNS), 10);
}

/* Row 7: leftovers get SIGTERM when the payload exits; the stub waits at most the grace. */
static void test_leftovers_terminated(void **state)
{
        long long t0 = now_ms();
        assert_int_equal(run_sh(BUSYBOX " sleep 300 & exit 4", WAIT_MS, IN_PIDNS), 4);
        /* sleep died of SIGTERM, long before the grace (or the sleep) would have ended */
        assert_true(now_ms() - t0 < WAIT_MS / 2);

        /* One that ignores SIGTERM holds the stub for the grace, not for the sleep. */
        t0 = now_ms();
        assert_int_equal(run_sh("trap '' TERM; " BUSYBOX " sleep 300 & exit 5", 300, IN_PIDNS), 5);
        long long dt = now_ms() - t0;
        assert_true(dt >= 300);
        assert_true(dt < WAIT_MS / 2);

        /* Grace 0: no waiting at all; the kernel kills the rest with PID 1. */
        assert_int_equal(run_sh("trap '' TERM; " BUSYBOX " sleep 300 & exit 6", 0, IN_PIDNS), 6);
}

/* Rows 9, 10 and real-time signals: forwarded to the payload's trap. */
static void test_forwarding(void **state)
{
        static const struct {
                int sig;
                const char *name;
        } sigs[] = {
                {SIGTERM, "TERM"}, {SIGHUP, "HUP"},   {SIGUSR1, "USR1"},
                {SIGINT, "INT"},   {SIGQUIT, "QUIT"}, {SIGUSR2, "USR2"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
                char script[256], line[64];
                snprintf(script, sizeof(script),
                         "trap 'echo got; exit 42' %s; echo ready; "
                         "while :; do " BUSYBOX " sleep 0.02; done",
                         sigs[i].name);
                char *argv[] = {BUSYBOX, "sh", "-c", script, NULL};
                struct stub s = start(argv, 0, IN_PIDNS);
                read_line(s.out, line, sizeof(line), WAIT_MS);
                assert_string_equal(line, "ready");
                assert_int_equal(kill(s.pid, sigs[i].sig), 0);
                read_line(s.out, line, sizeof(line), WAIT_MS);
                assert_string_equal(line, "got");
                assert_int_equal(wait_stub(&s, WAIT_MS), 42);
                close_stub(&s);
        }

        /* A real-time signal without a handler kills the payload: 128 + n comes back. */
        char *argv[] = {BUSYBOX, "sh", "-c", "echo ready; while :; do " BUSYBOX " sleep 0.02; done",
                        NULL};
        struct stub s = start(argv, 0, IN_PIDNS);
        char line[64];
        read_line(s.out, line, sizeof(line), WAIT_MS);
        assert_int_equal(kill(s.pid, SIGRTMIN + 3), 0);
        assert_int_equal(wait_stub(&s, WAIT_MS), 128 + SIGRTMIN + 3);
        close_stub(&s);
}

static char proc_state(pid_t pid)
{
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        ssize_t k = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        assert_true(k > 0);
        buf[k] = 0;
        char *p = strrchr(buf, ')');
        assert_non_null(p);
        return p[2];
}

/* Row 12: SIGTSTP is forwarded but never stops PID 1. */
static void test_tstp(void **state)
{
        const char *script = "trap 'echo tstp' TSTP; trap 'exit 9' TERM; echo ready; "
                             "while :; do " BUSYBOX " sleep 0.02; done";
        char *argv[] = {BUSYBOX, "sh", "-c", (char *)script, NULL};
        char line[64];
        struct stub s = start(argv, 0, IN_PIDNS);
        read_line(s.out, line, sizeof(line), WAIT_MS);
        assert_int_equal(kill(s.pid, SIGTSTP), 0);
        read_line(s.out, line, sizeof(line), WAIT_MS);
        assert_string_equal(line, "tstp");
        assert_int_equal(kill(s.pid, SIGTTIN), 0);
        assert_int_equal(kill(s.pid, SIGTTOU), 0);
        usleep(100000);
        assert_int_not_equal(proc_state(s.pid), 'T');
        assert_int_equal(kill(s.pid, SIGTERM), 0);
        assert_int_equal(wait_stub(&s, WAIT_MS), 9);
        close_stub(&s);
}

/* Rows 15, 16: the payload starts with an empty mask and no ignored signals, even when the stub
 * was started with SIGINT ignored and SIGUSR2 blocked. */
static void test_payload_signal_state(void **state)
{
        char *argv[] = {BUSYBOX, "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL};
        char buf[256];
        struct stub s = start(argv, 0, IN_PIDNS | IGNORE_INT);
        assert_int_equal(wait_stub(&s, WAIT_MS), 0);
        read_rest(s.out, buf, sizeof(buf));
        assert_string_equal(buf, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
        close_stub(&s);

        /* ...and the stub forwards SIGINT although it was started with SIGINT ignored. */
        char *argv2[] = {BUSYBOX, "sh", "-c",
                         "trap 'exit 44' INT; echo ready; while :; do " BUSYBOX " sleep 0.02; done",
                         NULL};
        char line[64];
        s = start(argv2, 0, IN_PIDNS | IGNORE_INT);
        read_line(s.out, line, sizeof(line), WAIT_MS);
        assert_int_equal(kill(s.pid, SIGINT), 0);
        assert_int_equal(wait_stub(&s, WAIT_MS), 44);
        close_stub(&s);
}

static int read_small(const char *path, char *buf, size_t size)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t k = read(fd, buf, size - 1);
        close(fd);
        if (k < 0)
                return -errno;
        buf[k] = 0;
        return (int)k;
}

/* The image is a sealed memfd (CVE-2019-5736); environ, name, fds and ctty are what we expect. */
static void test_image_and_process(void **state)
{
        const char *script = "[ -e /proc/self/fd/5 ] && exit 1; echo ready; " BUSYBOX " sleep 10";
        char *argv[] = {BUSYBOX, "sh", "-c", (char *)script, NULL};
        char path[64], buf[512], line[64];
        struct stub s = start(argv, 0, IN_PIDNS | LEAK_FD);
        read_line(s.out, line, sizeof(line), WAIT_MS); /* fd 5 was closed by the stub */
        assert_string_equal(line, "ready");

        snprintf(path, sizeof(path), "/proc/%d/exe", s.pid);
        assert_true(open(path, O_WRONLY | O_CLOEXEC) < 0);
        assert_true(open(path, O_RDWR | O_CLOEXEC) < 0);
        int ro = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(ro >= 0);
        int seals = fcntl(ro, F_GET_SEALS);
        assert_int_equal(seals & (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
                         F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
        assert_int_equal(fcntl(ro, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), -1);
        close(ro);
        ssize_t n = readlink(path, buf, sizeof(buf) - 1);
        assert_true(n > 0);
        buf[n] = 0;
        assert_non_null(strstr(buf, "memfd:boxlaunch-init"));

        snprintf(path, sizeof(path), "/proc/%d/environ", s.pid);
        int k = read_small(path, buf, sizeof(buf));
        static const char want[] = "PATH=/usr/bin:/bin\0BOXTEST=1";
        assert_int_equal(k, sizeof(want));
        assert_memory_equal(buf, want, sizeof(want));

        snprintf(path, sizeof(path), "/proc/%d/comm", s.pid);
        read_small(path, buf, sizeof(buf));
        assert_string_equal(buf, "boxlaunch-init\n");

        /* Only 0-2 and its signalfd (3) in the stub; its exec-status pipe closes right after
         * the payload's exec, so give it a moment. */
        snprintf(path, sizeof(path), "/proc/%d/fd", s.pid);
        int maxfd = 0;
        for (int tries = 0; tries < WAIT_MS / 10; tries++) {
                DIR *d = opendir(path);
                assert_non_null(d);
                struct dirent *de;
                maxfd = 0;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' && atoi(de->d_name) > maxfd)
                                maxfd = atoi(de->d_name);
                closedir(d);
                if (maxfd <= 3)
                        break;
                usleep(10000);
        }
        assert_int_equal(maxfd, 3);

        assert_int_equal(kill(s.pid, SIGTERM), 0);
        assert_int_equal(wait_stub(&s, WAIT_MS), 143);
        close_stub(&s);
}

static int tty_nr(const char *stat)
{
        const char *p = strrchr(stat, ')');
        int pid, ppid, pgrp, sid, tty;
        char st;
        if (!p || sscanf(p + 1, " %c %d %d %d %d", &st, &ppid, &pgrp, &sid, &tty) != 5)
                return -1;
        (void)pid;
        return tty;
}

/* Row 14: the payload is a session leader with the pty as its controlling tty; the stub has no
 * controlling tty. */
static void test_ctty(void **state)
{
        const char *script = "read -r x < /proc/self/stat; echo \"$x\"; " BUSYBOX " sleep 10";
        char *argv[] = {BUSYBOX, "sh", "-c", (char *)script, NULL};
        char line[512], path[64], buf[512];
        struct stub s = start(argv, 0, IN_PIDNS | STDIN_PTY);
        read_line(s.out, line, sizeof(line), WAIT_MS);
        assert_true(tty_nr(line) > 0);
        /* pid 2 is a session leader: session id 2 */
        int pid, ppid, pgrp, sid;
        char st;
        assert_int_equal(sscanf(strrchr(line, ')') + 1, " %c %d %d %d", &st, &ppid, &pgrp, &sid),
                         4);
        assert_int_equal(sid, 2);
        assert_int_equal(pgrp, 2);
        (void)pid;

        snprintf(path, sizeof(path), "/proc/%d/stat", s.pid);
        read_small(path, buf, sizeof(buf));
        assert_int_equal(tty_nr(buf), 0);

        assert_int_equal(kill(s.pid, SIGTERM), 0);
        assert_int_equal(wait_stub(&s, WAIT_MS), 143);
        close_stub(&s);
}

static pid_t first_child(pid_t pid)
{
        char path[64], buf[64];
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
        assert_true(read_small(path, buf, sizeof(buf)) > 0);
        return atoi(buf);
}

/* Row 13: keys on the pty act on the payload's foreground group. A bare payload's group is
 * orphaned (its parent, the stub, is in another session), so ^Z does nothing; ^C interrupts. */
static void test_ctrl_keys(void **state)
{
        char *argv[] = {BUSYBOX, "sh", "-c", "echo ready; " BUSYBOX " sleep 10", NULL};
        char line[64];
        struct stub s = start(argv, 0, IN_PIDNS | STDIN_PTY);
        read_line(s.out, line, sizeof(line), WAIT_MS);
        pid_t payload = first_child(s.pid);
        assert_true(payload > 0);

        assert_int_equal(write(s.pty, "\032", 1), 1); /* ^Z */
        usleep(100000);
        assert_int_not_equal(proc_state(payload), 'T');
        assert_int_not_equal(proc_state(s.pid), 'T');

        assert_int_equal(write(s.pty, "\003", 1), 1); /* ^C */
        assert_int_equal(wait_stub(&s, WAIT_MS), 128 + SIGINT);
        close_stub(&s);
}

/* Row 1: not PID 1 -> subreaper; leftovers (re-parented to the stub) still get SIGTERM. */
static void test_subreaper(void **state)
{
        long long t0 = now_ms();
        char *argv[] = {BUSYBOX, "sh", "-c",
                        "(" BUSYBOX " sleep 300 &); (" BUSYBOX " sleep 301 &); exit 8", NULL};
        struct stub s = start(argv, WAIT_MS, 0);
        assert_int_equal(wait_stub(&s, WAIT_MS), 8);
        /* SIGTERM ended them, long before the grace would have */
        assert_true(now_ms() - t0 < WAIT_MS / 2);
        close_stub(&s);
        /* Both sleeps were children of the stub (subreaper) and were reaped by it: none left
         * as our children either. */
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
}

extern const unsigned char stubinit_start[], stubinit_end[];

/* A memfd holding the image with byte `flip` changed (none: -1), sealed with `seals`. */
static int fake_image(long flip, int seals, mode_t mode)
{
        size_t n = (size_t)(stubinit_end - stubinit_start);
        int fd = memfd_create("fake", MFD_CLOEXEC | MFD_ALLOW_SEALING | 0x0010U /* MFD_EXEC */);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create("fake", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        assert_true(fd >= 0);
        unsigned char *copy = malloc(n);
        assert_non_null(copy);
        memcpy(copy, stubinit_start, n);
        if (flip >= 0)
                copy[flip] ^= 1;
        assert_int_equal(write(fd, copy, n), (ssize_t)n);
        free(copy);
        assert_int_equal(fchmod(fd, mode), 0);
        if (seals)
                assert_int_equal(fcntl(fd, F_ADD_SEALS, seals), 0);
        return fd;
}

/* What a box may share as its PID 1's image (stubinit_memfd_shared()): only a sealed,
 * executable copy of exactly our bytes. */
static void test_image_check(void **state)
{
        const int all = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        long n = (long)(stubinit_end - stubinit_start);
        assert_true(stubinit_is_image(memfd));
        int fd = fake_image(-1, all, 0755);
        assert_true(stubinit_is_image(fd));
        close(fd);
        fd = fake_image(-1, 0, 0755); /* not sealed: could change after the check */
        assert_false(stubinit_is_image(fd));
        close(fd);
        fd = fake_image(-1, all & ~F_SEAL_WRITE, 0755);
        assert_false(stubinit_is_image(fd));
        close(fd);
        fd = fake_image(n - 1, all, 0755); /* one byte off, at the end */
        assert_false(stubinit_is_image(fd));
        close(fd);
        fd = fake_image(100, all, 0755);
        assert_false(stubinit_is_image(fd));
        close(fd);
        fd = fake_image(-1, all, 0644); /* not executable */
        assert_false(stubinit_is_image(fd));
        close(fd);
        /* The same bytes in a plain file: no seals */
        char tmp[] = "/tmp/stubimg.XXXXXX";
        fd = mkstemp(tmp);
        assert_true(fd >= 0);
        unlink(tmp);
        assert_int_equal(write(fd, stubinit_start, (size_t)n), n);
        assert_int_equal(fchmod(fd, 0755), 0);
        assert_false(stubinit_is_image(fd));
        close(fd);
}

/* stubinit_memfd_shared(): the image of a running "box" (a state file naming a PID 1 that runs
 * our sealed memfd) is taken over; without one, a new memfd. */
static void test_shared_image(void **state)
{
        char dir[] = "/tmp/stubshare.XXXXXX", file[64], link[128];
        assert_non_null(mkdtemp(dir));
        assert_int_equal(setenv("BOXLAUNCH_RUNTIME_DIR", dir, 1), 0);
        struct stat own, got;
        assert_int_equal(fstat(memfd, &own), 0);
        int fd = stubinit_memfd_shared(); /* nothing runs: a new one */
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &got), 0);
        assert_true(got.st_ino != own.st_ino);
        close(fd);

        char *argv[] = {BUSYBOX, "sleep", "100", NULL};
        struct stub s = start(argv, 0, 0);
        snprintf(file, sizeof(file), "/proc/%d/exe", (int)s.pid);
        bool runs = false;
        for (int i = 0; i < WAIT_MS / 10 && !runs; i++) {
                ssize_t n = readlink(file, link, sizeof(link) - 1);
                runs = n > 0 && (link[n] = 0, strstr(link, "memfd:boxlaunch-init"));
                if (!runs)
                        usleep(10000);
        }
        assert_true(runs);
        snprintf(file, sizeof(file), "%s/box1", dir);
        FILE *f = fopen(file, "we");
        assert_non_null(f);
        fprintf(f, "status=running \npid=%d\n", (int)s.pid);
        fclose(f);
        fd = stubinit_memfd_shared();
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &got), 0);
        assert_int_equal(got.st_ino, own.st_ino); /* the running one's */
        close(fd);

        kill(s.pid, SIGKILL);
        waitpid(s.pid, NULL, 0);
        close_stub(&s);
        unlink(file);
        rmdir(dir);
        unsetenv("BOXLAUNCH_RUNTIME_DIR");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exit_codes),
                cmocka_unit_test(test_exec_failure),
                cmocka_unit_test(test_prestarted),
                cmocka_unit_test(test_orphans_reaped),
                cmocka_unit_test(test_leftovers_terminated),
                cmocka_unit_test(test_forwarding),
                cmocka_unit_test(test_tstp),
                cmocka_unit_test(test_payload_signal_state),
                cmocka_unit_test(test_image_and_process),
                cmocka_unit_test(test_ctty),
                cmocka_unit_test(test_ctrl_keys),
                cmocka_unit_test(test_subreaper),
                cmocka_unit_test(test_image_check),
                cmocka_unit_test(test_shared_image),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
