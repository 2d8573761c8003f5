/* stubinit.c - the stub init, the PID 1 of application boxes; its process is called
 * boxlaunch-init (NAME below, STUBINIT_NAME in stubimage.h).
 *
 *   boxlaunch-init [-g GRACE_MS] [-P] [-p PID] -- CMD ARG...
 *
 * Forks CMD as PID 2 (with -p, CMD already runs as our child PID: the set-up started it just
 * before executing us, so that the two execs overlap), forwards every signal except SIGCHLD to it
 * (to its process group with -P), reaps every process, and when CMD exits SIGTERMs whatever is
 * left, waits up to GRACE_MS (default 2000, 0 = not at all) and exits with CMD's status, or
 * 128+signal. A CMD that cannot be executed gives 127 (not found) or 126 (anything else).
 *
 * Standalone and static (musl): it runs from a sealed memfd inside the box, so it must not depend
 * on anything in the box's rootfs, nor on boxlaunch's headers. The environment is the payload's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/stubsup.h"

#define NAME             "boxlaunch-init"
#define EXIT_STUB_FAILED 125 /* EXIT_SETUP_FAILED of core/exitcodes.h */

/* Messages without stdio: printf and scanf would pull musl's float formatting and scanning
 * into the image, which every box holds a private copy of (its sealed memfd). */
static void say(const char *a, const char *b, const char *c)
{
        struct iovec v[6] = {
                {(void *)NAME ": ", sizeof(NAME ": ") - 1},
                {(void *)a, strlen(a)},
                {(void *)": ", b ? 2 : 0},
                {(void *)(b ? b : ""), b ? strlen(b) : 0},
                {(void *)": ", c ? 2 : 0},
                {(void *)(c ? c : ""), c ? strlen(c) : 0},
        };
        struct iovec nl = {(void *)"\n", 1};
        (void)!writev(STDERR_FILENO, v, 6);
        (void)!writev(STDERR_FILENO, &nl, 1);
}

static void warn(const char *what)
{
        say(what, strerror(errno), NULL);
}

/* A decimal number at s (after leading blanks), or -1; *end after it. */
static long parse_num(const char *s, const char **end)
{
        while (*s == ' ')
                s++;
        long v = -1;
        for (; *s >= '0' && *s <= '9' && v < 100000000L; s++)
                v = (v < 0 ? 0 : v * 10) + (*s - '0');
        if (end)
                *end = s;
        return v;
}

/* Calls fn for each name in the directory (getdents64 into the stack: opendir would bring
 * malloc into the image); fn gets the directory's fd too. */
struct dent64 {
        unsigned long long ino;
        long long off;
        unsigned short reclen;
        unsigned char type;
        char name[];
};

static void each_entry(const char *dir, void (*fn)(const char *name, int dfd, void *ud), void *ud)
{
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return;
        char buf[4096] __attribute__((aligned(8)));
        long n;
        while ((n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0)
                for (long off = 0; off < n;) {
                        struct dent64 *d = (struct dent64 *)(buf + off);
                        off += d->reclen;
                        fn(d->name, dfd, ud);
                }
        close(dfd);
}

static int exec_failure_code(int err)
{
        return err == ENOENT ? 127 : 126;
}

static void close_one(const char *name, int dfd, void *ud __attribute__((unused)))
{
        const char *e;
        long fd = parse_num(name, &e);
        if (fd >= 3 && !*e && fd != dfd)
                close((int)fd);
}

static void close_fds_from3(void)
{
        if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
                return;
        each_entry("/proc/self/fd", close_one, NULL);
}

/* Inherited SIG_IGN would make the kernel discard signals before they reach the signalfd (and
 * would leak into the payload): everything goes back to SIG_DFL. */
static void reset_dispositions(void)
{
        /* The raw system call: libc refuses to touch the signals it reserves for itself (32-34
         * in musl), but an inherited SIG_IGN on them must not reach the payload either. */
        struct {
                void *handler;
                unsigned long flags;
                void *restorer;
                unsigned long mask;
        } ksa = {.handler = SIG_DFL};
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
}

/* The payload, not the stub, must own the terminal. If we were handed one as our controlling tty,
 * give it up; TIOCNOTTY by a session leader sends SIGHUP+SIGCONT to the foreground group (us), so
 * throw those away rather than forward them. */
static void drop_ctty(void)
{
        pid_t sid = 0;
        if (setsid() >= 0 || getsid(0) != getpid())
                return;
        if (ioctl(STDIN_FILENO, TIOCGSID, &sid) < 0 || sid != getpid())
                return;
        if (ioctl(STDIN_FILENO, TIOCNOTTY) < 0)
                return;
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGHUP);
        sigaddset(&s, SIGCONT);
        struct timespec zero = {0, 0};
        while (sigtimedwait(&s, NULL, &zero) > 0)
                ;
}

static _Noreturn void run_payload(char **argv, int errfd)
{
        sigset_t empty;
        /* Dispositions are all SIG_DFL already: reset_dispositions() ran at the start, and the
         * stub installs no handler (it reads signals from a signalfd). */
        sigemptyset(&empty);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        /* Own session so a shell payload can do job control on the pty (systemd#13572). */
        setsid();
        if (isatty(STDIN_FILENO))
                (void)ioctl(STDIN_FILENO, TIOCSCTTY, 0);
        execvp(argv[0], argv);

        int err = errno;
        say(argv[0], strerror(err), NULL);
        (void)!write(errfd, &err, sizeof(err));
        _exit(exec_failure_code(err));
}

static int status_to_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return EXIT_STUB_FAILED;
}

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reap every zombie; returns true if pid was among them (its status in *status). */
static bool reap(pid_t pid, int *status)
{
        bool found = false;
        int st;
        pid_t p;
        while ((p = waitpid(-1, &st, WNOHANG)) > 0)
                if (p == pid) {
                        *status = st;
                        found = true;
                }
        return found;
}

struct kill_ctx {
        int sig, n;
};

static void kill_if_child(const char *name, int dfd __attribute__((unused)), void *ud)
{
        struct kill_ctx *k = ud;
        char path[64], buf[512];
        const char *e;
        pid_t pid = (pid_t)parse_num(name, &e);
        if (pid <= 0 || *e || strlen(name) > 20)
                return;
        strcpy(stpcpy(stpcpy(path, "/proc/"), name), "/stat");
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        ssize_t len = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (len <= 0)
                return;
        buf[len] = 0;
        char *p = strrchr(buf, ')'); /* comm may contain anything */
        /* ") S PPID": the state, then the parent */
        if (p && p[1] == ' ' && p[2] && p[3] == ' ' && parse_num(p + 4, NULL) == getpid() &&
            kill(pid, k->sig) == 0)
                k->n++;
}

/* Not PID 1 (subreaper mode): kill(-1) would reach the whole host, so only our children. */
static int kill_children(int sig)
{
        struct kill_ctx k = {sig, 0};
        each_entry("/proc", kill_if_child, &k);
        return k.n;
}

/* The payload is gone: ask the rest to stop, give them the grace period, then leave (as PID 1,
 * the kernel SIGKILLs whatever is left when we exit). */
static void finish(int sfd, unsigned grace_ms)
{
        int st;
        (void)reap(-1, &st);
        if (grace_ms == 0)
                return;
        bool any;
        if (getpid() == 1)
                any = kill(-1, SIGTERM) == 0;
        else
                any = kill_children(SIGTERM) > 0;
        if (!any)
                return;
        if (getpid() == 1)
                (void)kill(-1, SIGCONT); /* stopped processes cannot act on SIGTERM */
        else
                (void)kill_children(SIGCONT);

        long long deadline = now_ms() + grace_ms;
        for (;;) {
                pid_t p;
                while ((p = waitpid(-1, &st, WNOHANG)) > 0)
                        ;
                if (p < 0) /* ECHILD: nothing left to wait for */
                        return;
                long long left = deadline - now_ms();
                if (left <= 0)
                        return;
                struct pollfd pfd = {.fd = sfd, .events = POLLIN};
                if (poll(&pfd, 1, (int)left) > 0) {
                        struct signalfd_siginfo si;
                        (void)!read(sfd, &si, sizeof(si)); /* late signals are dropped */
                }
        }
}

static _Noreturn void usage(void)
{
        say("usage: " NAME " [-g GRACE_MS] [-P] [-p PID] -- CMD [ARG...]", NULL, NULL);
        exit(EXIT_STUB_FAILED);
}

/* Options, then the command: argv + the returned index. */
static int parse_args(int argc, char **argv, unsigned *grace_ms, bool *to_group, pid_t *running)
{
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                if (strcmp(argv[i], "--") == 0) {
                        i++;
                        break;
                } else if (strcmp(argv[i], "-g") == 0 && i + 1 < argc) {
                        const char *end;
                        const char *a = argv[++i];
                        long v = a[0] >= '0' && a[0] <= '9' ? parse_num(a, &end) : -1;
                        if (v < 0 || *end || v > 3600000)
                                usage();
                        *grace_ms = (unsigned)v;
                } else if (strcmp(argv[i], "-P") == 0) {
                        *to_group = true;
                } else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
                        const char *end;
                        const char *a = argv[++i];
                        long v = a[0] >= '1' && a[0] <= '9' ? parse_num(a, &end) : -1;
                        if (v <= 0 || *end || v > 0x3fffffff)
                                usage();
                        *running = (pid_t)v;
                } else {
                        usage();
                }
        }
        if (i >= argc)
                usage();
        return i;
}

/* Forwards every signal but SIGCHLD to the payload (its process group with to_group) and reaps,
 * until the payload is gone; returns its wait status, or -1 if the signalfd fails. */
static int serve(int sfd, pid_t pid, bool to_group)
{
        int status = 0;
        if (reap(pid, &status)) /* gone before sfd existed (-p) */
                return status;
        for (;;) {
                struct signalfd_siginfo si;
                ssize_t k = read(sfd, &si, sizeof(si));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k != (ssize_t)sizeof(si)) {
                        warn("read signalfd");
                        return -1;
                }
                if (si.ssi_signo == SIGCHLD) {
                        if (reap(pid, &status))
                                return status;
                        continue;
                }
                /* Stop signals included: blocked here, they cannot stop PID 1 itself. */
                if (kill(to_group ? -pid : pid, (int)si.ssi_signo) < 0 && errno != ESRCH)
                        warn("kill");
        }
}

/* Serves the payload until it is gone, then what it left; the exit code. */
static int finish_with(int sfd, pid_t pid, bool to_group, unsigned grace_ms)
{
        int status = serve(sfd, pid, to_group);
        if (status < 0)
                return EXIT_STUB_FAILED;
        finish(sfd, grace_ms);
        return status_to_code(status);
}

int main(int argc, char **argv)
{
        if (argc > 1 && strcmp(argv[1], STUBSUP_OPTION) == 0)
                return stub_supervise(argc, argv);
        unsigned grace_ms = 2000;
        bool to_group = false;
        pid_t pid = 0;
        char **cmd = argv + parse_args(argc, argv, &grace_ms, &to_group, &pid);

        (void)prctl(PR_SET_NAME, NAME, 0, 0, 0);
        /* The box must not change its PID 1: non-dumpable, /proc/1/mem, ptrace and the like
         * need CAP_SYS_PTRACE (also when the box's root owns everything else). /proc/1 then
         * belongs to the box's root and its fd, environ and exe stay closed to the box. The
         * payload is dumpable again after its execve. */
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* The box must not outlive its supervisor. */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
                warn("PR_SET_CHILD_SUBREAPER");
                return EXIT_STUB_FAILED;
        }
        close_fds_from3();

        /* Everything but the synchronous fault signals goes to the signalfd; blocked signals are
         * never "ignored" by the pid-namespace init rule, they queue. */
        sigset_t mask;
        sigfillset(&mask);
        static const int faults[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS};
        for (size_t k = 0; k < sizeof(faults) / sizeof(faults[0]); k++)
                sigdelset(&mask, faults[k]);
        if (sigprocmask(SIG_SETMASK, &mask, NULL) < 0) {
                warn("sigprocmask");
                return EXIT_STUB_FAILED;
        }
        /* With -p the set-up reset them before starting the payload, and a reset now would
         * discard a pending SIGCHLD or SIGWINCH (POSIX: SIG_DFL on a pending signal whose
         * default is to ignore it). */
        if (!pid)
                reset_dispositions();
        drop_ctty();

        int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sfd < 0) {
                warn("signalfd");
                return EXIT_STUB_FAILED;
        }
        if (pid > 0) /* started for us; whatever it sent us meanwhile waits in sfd */
                return finish_with(sfd, pid, to_group, grace_ms);
        int errpipe[2];
        if (pipe2(errpipe, O_CLOEXEC) < 0) {
                warn("pipe2");
                return EXIT_STUB_FAILED;
        }

        pid = fork();
        if (pid < 0) {
                warn("fork");
                return EXIT_STUB_FAILED;
        }
        if (pid == 0)
                run_payload(cmd, errpipe[1]);
        close(errpipe[1]);

        /* EOF means execvp succeeded (the pipe is O_CLOEXEC). */
        int err = 0;
        ssize_t k;
        do
                k = read(errpipe[0], &err, sizeof(err));
        while (k < 0 && errno == EINTR);
        close(errpipe[0]);
        if (k == (ssize_t)sizeof(err)) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return exec_failure_code(err);
        }

        return finish_with(sfd, pid, to_group, grace_ms);
}
