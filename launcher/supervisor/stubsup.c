/* stubsup.c - the slim supervisor: the stub image's second program, run by a supervisor whose box
 * has been up a while (supervise.h, "slimming").
 *
 *   boxlaunch --supervise NAME PID PIDFD LOCKFD EXEFD KILLSIG STOP_TIMEOUT_USEC BOOT [STEP PATH]...
 *
 * The box's PID 1 (PID, PIDFD) stays our child across the supervisor's execve, the signals it
 * blocked stay blocked and pending ones stay pending. We do what the supervisor's loop does for
 * a box without a terminal relay or readiness relay: the stop protocol (SIGTERM, SIGINT or SIGHUP
 * sends KILLSIG to PID 1, SIGKILL after STOP_TIMEOUT_USEC or on a second signal), forwarding of
 * SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH and SIGCONT, and STOPPING=1 to $NOTIFY_SOCKET. Once PID 1 is
 * reaped, the STEPs (stubsup.h) remove the box's groups and its state file, and we exit with the
 * box's status as the supervisor would. Where a step finds more to do (an OOM kill to report, a
 * group that will not go) we execute boxlaunch again (EXEFD, the host binary the supervisor ran)
 * for its whole clean-up, with the state file's lock (LOCKFD) still held:
 *
 *   boxlaunch __finish NAME LOCKFD SI_CODE SI_STATUS BOOT
 *
 * A thousand idle boxes hold a thousand of these: tens of KiB each instead of the supervisor's
 * ~150 (its relocated data, heap and stack, and their page tables). */
#include "supervisor/stubsup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SUP_NAME "boxlaunch"

extern char **environ;

/* boxlaunch's own message format ("boxlaunch: ..."): these are the supervisor's messages. */
static void note(const char *a, const char *b)
{
        struct iovec v[4] = {
                {(void *)SUP_NAME ": ", sizeof(SUP_NAME ": ") - 1},
                {(void *)a, strlen(a)},
                {(void *)(b ? ": " : ""), b ? 2 : 0},
                {(void *)(b ? b : ""), b ? strlen(b) : 0},
        };
        struct iovec nl = {(void *)"\n", 1};
        (void)!writev(STDERR_FILENO, v, 4);
        (void)!writev(STDERR_FILENO, &nl, 1);
}

/* A decimal number without sign, all of s, into *ret; false if it is not one or too large. */
static bool number(const char *s, uint64_t max, uint64_t *ret)
{
        uint64_t v = 0;
        if (!*s)
                return false;
        for (; *s; s++) {
                unsigned d = (unsigned)(*s - '0');
                if (d > 9 || v > (max - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}

/* Decimal text of v (no stdio in this image: it would bring musl's formatting along). */
static char *decimal(long long v, char buf[static 24])
{
        char *p = buf + 23;
        unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        *p = 0;
        do
                *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (v < 0)
                *--p = '-';
        return p;
}

static uint64_t now_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* As launch/notify.c: a path or an abstract name ('@'); anything else is left alone. */
static void notify_stopping(void)
{
        static const char msg[] = "STOPPING=1\nSTATUS=Stopping the box...";
        const char *e = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t n = e ? strlen(e) : 0;
        if (!n || (e[0] != '/' && e[0] != '@') || n >= sizeof(sa.sun_path))
                return;
        memcpy(sa.sun_path, e, n);
        if (e[0] == '@')
                sa.sun_path[0] = 0;
        else
                n++;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return;
        (void)sendto(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL, (struct sockaddr *)&sa,
                     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
        close(fd);
}

struct sup {
        pid_t pid;
        int pidfd, kill_signal;
        uint64_t timeout_usec, deadline; /* deadline 0: none */
        bool stopping;
};

static void send_signal(const struct sup *s, int sig)
{
        if (syscall(SYS_pidfd_send_signal, s->pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
                note("Failed to signal the box", strerror(errno));
}

static void begin_stop(struct sup *s)
{
        if (s->stopping) {
                note("Received a second stop signal, killing the box.", NULL);
                send_signal(s, SIGKILL);
                s->deadline = 0;
                return;
        }
        s->stopping = true;
        notify_stopping();
        send_signal(s, s->kill_signal);
        if (s->kill_signal != SIGKILL && s->timeout_usec > 0 && s->timeout_usec < UINT64_MAX / 2)
                s->deadline = now_usec() + s->timeout_usec;
}

/* Acts on every queued signal; SIGCHLD needs nothing: the loop asks waitid() each time. */
static void drain(struct sup *s, int sfd)
{
        struct signalfd_siginfo si;
        while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                int sig = (int)si.ssi_signo;
                if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
                        begin_stop(s);
                else if (sig != SIGCHLD)
                        send_signal(s, sig);
        }
}

/* A non-zero "oom_kill N" line in the file (a missing file counts none). */
static bool oom_killed(const char *path)
{
        char buf[1024];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return false;
        buf[n] = 0;
        for (const char *p = buf; (p = strstr(p, "oom_kill ")); p++)
                if ((p == buf || p[-1] == '\n') && p[9] >= '1' && p[9] <= '9')
                        return true;
        return false;
}

/* The steps in order; false as soon as boxlaunch's clean-up must take over (nothing of what
 * it needs, the groups' OOM counts and the state file, is gone by then). */
static bool clean_up(char **steps, int n)
{
        if (n <= 0 || n % 2)
                return false; /* nothing said: boxlaunch knows */
        for (int i = 0; i < n; i += 2) {
                const char *what = steps[i], *path = steps[i + 1];
                if (strcmp(what, STUBSUP_OOM) == 0) {
                        if (oom_killed(path))
                                return false;
                } else if (strcmp(what, STUBSUP_RMDIR) == 0) {
                        if (rmdir(path) < 0 && errno != ENOENT)
                                return false;
                } else if (strcmp(what, STUBSUP_RMDIR_IDLE) == 0) {
                        (void)rmdir(path); /* EBUSY, ENOTEMPTY: another box's */
                } else if (strcmp(what, STUBSUP_UNLINK) == 0) {
                        if (unlink(path) < 0 && errno != ENOENT)
                                return false;
                } else
                        return false;
        }
        return true;
}

/* As supervise_exit_code() (supervisor/supervise.h): exit N -> N but 133 -> 1 (only a real
 * reboot says "reboot me"), killed by S -> 128+S; booted: SIGINT (poweroff) -> 0, SIGHUP
 * (reboot) -> 133. */
static int exit_code(int code, int status, bool boot)
{
        if (code == CLD_EXITED)
                return status == 133 ? 1 : status;
        if (boot && status == SIGINT)
                return 0;
        if (boot && status == SIGHUP)
                return 133;
        return 128 + status;
}

int stub_supervise(int argc, char **argv)
{
        if (argc < 10) {
                note("usage: " SUP_NAME " --supervise NAME PID PIDFD LOCKFD EXEFD KILLSIG "
                     "STOP_TIMEOUT_USEC BOOT",
                     NULL);
                return 125;
        }
        uint64_t pid, pidfd, lockfd, exefd, sig, timeout, boot;
        if (!number(argv[3], INT32_MAX, &pid) || pid < 2 || !number(argv[4], INT32_MAX, &pidfd) ||
            !number(argv[5], INT32_MAX, &lockfd) || !number(argv[6], INT32_MAX, &exefd) ||
            !number(argv[7], 64, &sig) || sig == 0 || !number(argv[8], UINT64_MAX, &timeout) ||
            !number(argv[9], 1, &boot)) {
                note("--supervise: bad arguments", NULL);
                return 125;
        }
        struct sup s = {.pid = (pid_t)pid,
                        .pidfd = (int)pidfd,
                        .kill_signal = (int)sig,
                        .timeout_usec = timeout};
        (void)prctl(PR_SET_NAME, SUP_NAME, 0, 0, 0);
        /* Only the lock goes on to the clean-up; PID 1's pidfd and the binary do not. */
        (void)fcntl(s.pidfd, F_SETFD, FD_CLOEXEC);
        (void)fcntl((int)exefd, F_SETFD, FD_CLOEXEC);

        sigset_t mask;
        sigemptyset(&mask);
        static const int handled[] = {SIGCHLD, SIGTERM, SIGINT,   SIGHUP, SIGQUIT,
                                      SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};
        for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
                sigaddset(&mask, handled[i]);
        /* Blocked already (the supervisor's mask survives execve); blocking again is harmless. */
        (void)sigprocmask(SIG_BLOCK, &mask, NULL);
        int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (sfd < 0) {
                /* Without signals the box could not be stopped: end it, as the supervisor would. */
                note("signalfd", strerror(errno));
                send_signal(&s, SIGKILL);
        }

        siginfo_t si;
        for (;;) {
                memset(&si, 0, sizeof(si));
                if (waitid(P_PID, (id_t)s.pid, &si, WEXITED | WNOHANG) < 0 && errno != EINTR) {
                        note("waitid", strerror(errno));
                        si.si_code = CLD_KILLED;
                        si.si_status = SIGKILL;
                        break;
                }
                if (si.si_pid == s.pid)
                        break;
                int timeout_ms = -1;
                if (s.deadline) {
                        uint64_t now = now_usec();
                        uint64_t ms = now >= s.deadline ? 0 : (s.deadline - now + 999) / 1000;
                        timeout_ms = ms > INT32_MAX ? INT32_MAX : (int)ms;
                }
                struct pollfd p[2] = {{.fd = s.pidfd, .events = POLLIN},
                                      {.fd = sfd, .events = POLLIN}};
                (void)poll(p, sfd >= 0 ? 2 : 1, timeout_ms);
                if (s.deadline && now_usec() >= s.deadline) {
                        note("The box did not stop in time, killing it.", NULL);
                        send_signal(&s, SIGKILL);
                        s.deadline = 0;
                }
                if (sfd >= 0)
                        drain(&s, sfd);
        }

        /* The common end: every group goes with one rmdir. The lock goes with our exit. */
        if (clean_up(argv + 10, argc - 10))
                return exit_code(si.si_code, si.si_status, boot);

        char code[24], status[24], lock[24];
        char *args[] = {(char *)SUP_NAME,
                        (char *)STUBSUP_FINISH_VERB,
                        argv[2],
                        decimal((long long)lockfd, lock),
                        decimal(si.si_code, code),
                        decimal(si.si_status, status),
                        argv[9],
                        NULL};
        syscall(SYS_execveat, (int)exefd, "", args, environ, AT_EMPTY_PATH);
        /* The state file stays locked until we exit: `gc` cleans up after that. */
        note("Cannot execute boxlaunch to clean up; run 'boxlaunch gc'", strerror(errno));
        return exit_code(si.si_code, si.si_status, boot);
}
