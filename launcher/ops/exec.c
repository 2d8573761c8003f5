/* exec.c - entering a running box: the operation behind `exec` and `shell` (their command
 * lines are cli/execverbs.c's).
 *
 *   boxlaunch                   pidfd of PID 1 (start time checked), the configuration from the
 *     |                         state file (read once), seccomp compiled, non-dumpable; then it
 *     |                         joins the box's cgroup in every hierarchy and
 *     |                         setns(pidfd, the namespaces that differ from ours)
 *     vfork                     (a joined pid namespace only applies to children)
 *     `- command                box pid namespace: pty, user, cwd, env, rlimits, personality,
 *                               caps, no_new_privs, LSM, fds closed, seccomp last, execve
 *
 * boxlaunch exits with the command's code (128+N if killed by signal N). With --tty the command
 * allocates its pty from the box's devpts, makes it its controlling terminal and sends the
 * master back over a socketpair; boxlaunch relays it. boxlaunch joins the box itself instead of
 * through a child of its own (one fork, exit and wait less per exec): what it does after the
 * join is waiting, relaying and forwarding signals on descriptors it already holds, and it stays
 * non-dumpable, so the box cannot ptrace it or open its descriptors. */
#include "ops/exec.h"

#include "cgroup/cgroup.h"
#include "core/config.h"
#include "core/exitcodes.h"
#include "launch/console.h"
#include "launch/env.h"
#include "launch/limits.h"
#include "util/fdpass.h"
#include "launch/privs.h"
#include "launch/user.h"
#include "ops/boxref.h"
#include "supervisor/tty.h"
#include "util/log.h"
#include "util/ns.h"
#include "util/syscalls.h"

#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>

/* ---- the command (inside the box) ------------------------------------------------------- */

/* OCI: where the command reports a failure before execve ('E' + its exit code): with --detach
 * nobody else learns it. */
static int status_sock = -1;

static _noreturn_ void die(int code)
{
        if (status_sock >= 0) {
                char buf[1 + sizeof(int)] = {'E'};
                memcpy(buf + 1, &code, sizeof(code));
                (void)fd_send(status_sock, -1, buf, sizeof(buf));
        }
        _exit(code);
}

static _noreturn_ _printf_(3, 4) void fail(int code, int err, const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (err)
                log_error("exec: %s: %s", buf, strerror(err < 0 ? -err : err));
        else
                log_error("exec: %s", buf);
        die(code);
}

/* The login shell of uid in the box's /etc/passwd, if it is executable; else /bin/sh. */
static char *user_shell(uid_t uid)
{
        char *sh = NULL;
        if (user_login_shell(uid, &sh) < 0)
                _exit(EXIT_SETUP_FAILED); /* logged */
        return sh;
}

/* The command's signal dispositions and mask as a fresh process has them. */
static void reset_signals(void)
{
        sigset_t none;
        sigemptyset(&none);
        /* The raw call: glibc's signal() refuses its own two (32, 33), which a caller may have
         * left ignored too. */
        for (int s = 1; s <= 64; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        (void)syscall(SYS_rt_sigaction, s,
                                      &(struct kernel_sigaction){.handler = SIG_DFL}, NULL, 8);
        sigprocmask(SIG_SETMASK, &none, NULL);
}

static _noreturn_ void command_main(const struct box_config *c, const struct exec_opts *o,
                                    bool userns, const struct privs *privs, int sock)
{
        int r;
        if (o->oci)
                status_sock = sock;
        if (!o->detach)
                prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* Never the caller's session: a command handed our terminal as its stdio must not be
         * able to make it its controlling terminal or push input into it (TIOCSTI). With
         * --tty, its own session gets the box's pty below. */
        if (!o->tty && setsid() < 0)
                fail(EXIT_SETUP_FAILED, -errno, "setsid");
        if (userns) {
                /* Whatever our host ids map to, become the box's root first. */
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        fail(EXIT_SETUP_FAILED, -errno,
                             "becoming root in the box's user namespace");
                (void)setgroups(0, NULL); /* denied when the box's setgroups is "deny" */
        }
        if (o->tty) {
                struct winsize ws;
                _cleanup_close_ int master = -EBADF, slave = -EBADF;
                r = console_pty_open(&master, &slave, console_caller_size(&ws));
                if (r < 0)
                        fail(EXIT_SETUP_FAILED, r, "allocating a pty in box '%s'", o->name);
                if (setsid() < 0)
                        fail(EXIT_SETUP_FAILED, -errno, "setsid");
                if (ioctl(slave, TIOCSCTTY, 0) < 0)
                        fail(EXIT_SETUP_FAILED, -errno, "making the pty the controlling terminal");
                r = fd_send(sock, master, "T", 1);
                if (r < 0)
                        fail(EXIT_SETUP_FAILED, r, "handing the pty to boxlaunch");
                if ((r = console_attach(slave)) < 0)
                        fail(EXIT_SETUP_FAILED, r, "attaching the pty");
        }
        if (sock >= 0 && !o->oci)
                close(sock);

        struct box_ids ids;
        /* -u picks a user and its own groups; otherwise the box's User=, Group=, groups. */
        r = o->user ? user_resolve(o->user, NULL, NULL, &ids)
            : c->process_exact
                    ? user_resolve_exact(c->user, c->group, c->supplementary_groups, &ids)
                    : user_resolve(c->user, c->group, c->supplementary_groups, &ids);
        if (r < 0)
                die(EXIT_SETUP_FAILED); /* logged */
        const char *cwd = o->workdir ? o->workdir : c->cwd ? c->cwd : "/";
        if (chdir(cwd) < 0)
                fail(EXIT_SETUP_FAILED, -errno, "changing to the working directory %s", cwd);
        const char *term = getenv("TERM");
        char **env = box_env(c, &ids, o->tty ? (term && *term ? term : "xterm") : NULL, o->env);

        char **argv = o->cmd;
        char *shell_argv[3] = {NULL, NULL, NULL};
        if (o->shell) {
                shell_argv[0] = user_shell(ids.uid);
                shell_argv[1] = "-l";
                argv = shell_argv;
        }

        if (limits_apply(c) < 0 || privs_drop(c, privs, &ids) < 0)
                die(EXIT_SETUP_FAILED); /* logged */
        /* OCI: a missing command is an error of exec itself, logged while the log is open. */
        if (o->oci && exec_check_path(argv, env) < 0)
                die(EXIT_NOT_FOUND);
        /* Nothing of boxlaunch's may reach the command (CVE-2024-21626); the OCI caller's
         * --preserve-fds do, and the status socket until execve. */
        int low = 3 + (int)o->preserve_fds;
        r = close_fds_from(low, &sock, o->oci && sock >= 0 ? 1 : 0);
        if (r < 0)
                fail(EXIT_SETUP_FAILED, r, "closing file descriptors");
        for (int fd = 3; fd < low; fd++)
                if (fd != sock)
                        (void)fcntl(fd, F_SETFD, 0);

        reset_signals();
        if (privs_seal(c, privs) < 0)
                die(EXIT_SETUP_FAILED); /* logged */
        r = exec_in_path(argv, env);
        if (r == -ENOENT)
                fail(EXIT_NOT_FOUND, 0, "%s: command not found in box '%s'", argv[0], o->name);
        fail(EXIT_CANNOT_EXEC, r, "cannot execute %s in box '%s'", argv[0], o->name);
}

/* ---- joining the box ---------------------------------------------------------------------- */

/* The namespaces of the box's PID 1 that differ from ours (0 when /proc/PID/ns cannot be read:
 * the caller checks the box is alive through its pidfd anyway). */
static int ns_flags(pid_t pid)
{
        char path[64];
        int flags = 0;
        snprintf(path, sizeof(path), "/proc/%d/ns", (int)pid);
        _cleanup_close_ int dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || ns_differing(dfd, &flags) < 0)
                return 0;
        return flags;
}

/* SIGTERM and SIGHUP sent to boxlaunch reach the command: boxlaunch forwards them. So do SIGINT
 * and SIGQUIT from a terminal, which reach boxlaunch's process group but not the command (it
 * has a session of its own). With --tty they travel through the pty instead. */
static volatile pid_t forward_to;

static void forward_signal(int sig)
{
        int saved = errno;
        if (forward_to > 0)
                kill(forward_to, sig);
        errno = saved;
}

static void forward_signals(pid_t pid, bool interactive)
{
        struct sigaction sa = {.sa_handler = forward_signal, .sa_flags = SA_RESTART};
        forward_to = pid;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        if (interactive) {
                sigaction(SIGINT, &sa, NULL);
                sigaction(SIGQUIT, &sa, NULL);
        }
}

static int wait_code(pid_t pid)
{
        int st;
        if (RETRY_EINTR(waitpid(pid, &st, 0)) < 0)
                return EXIT_SETUP_FAILED;
        if (WIFEXITED(st))
                return WEXITSTATUS(st);
        if (WIFSIGNALED(st))
                return 128 + WTERMSIG(st);
        return EXIT_SETUP_FAILED;
}

/* ---- host side -------------------------------------------------------------------------- */

/* Relays the pty until the command exits; returns its exit code. */
static int relay_until_exit(int master, pid_t cmd)
{
        _cleanup_close_ int pidfd = sys_pidfd_open(cmd, 0);
        _cleanup_close_ int epfd = epoll_create1(EPOLL_CLOEXEC);
        sigset_t winch;
        sigemptyset(&winch);
        sigaddset(&winch, SIGWINCH);
        sigprocmask(SIG_BLOCK, &winch, NULL);
        _cleanup_close_ int sfd = signalfd(-1, &winch, SFD_NONBLOCK | SFD_CLOEXEC);
        struct tty_relay *t = NULL;
        int r;

        if (pidfd < 0 || epfd < 0 || sfd < 0) {
                log_error_errno(-errno, "exec: setting up the terminal relay");
                goto out;
        }
        r = tty_relay_new(master, false, &t);
        if (r >= 0)
                r = tty_relay_add(t, epfd);
        if (r < 0) {
                log_error_errno(r, "exec: relaying the terminal");
                goto out;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = pidfd};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, pidfd, &ev) < 0)
                goto out;
        ev.data.fd = sfd;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev) < 0)
                goto out;
        bool exited = false, hung_up = false;
        while (!exited) {
                struct epoll_event evs[8];
                int n = epoll_wait(epfd, evs, ARRAY_SIZE(evs), -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (int i = 0; i < n; i++) {
                        int fd = evs[i].data.fd;
                        if (fd == pidfd)
                                exited = true;
                        else if (fd == sfd) {
                                struct signalfd_siginfo si;
                                while (read(sfd, &si, sizeof(si)) == sizeof(si))
                                        ;
                                if (t)
                                        tty_relay_winch(t);
                        } else if (t && !hung_up && tty_relay_owns_fd(t, fd)) {
                                r = tty_relay_dispatch(t, fd, evs[i].events);
                                if (r < 0) {
                                        log_warn_errno(r, "exec: terminal relay failed");
                                        tty_relay_free(TAKE_PTR(t));
                                } else if (r == 1)
                                        hung_up = true;
                        }
                }
        }
out:
        tty_relay_free(t); /* the last output, then the terminal as it was */
        sigprocmask(SIG_UNBLOCK, &winch, NULL);
        return wait_code(cmd);
}

/* Whether the box can be entered: it must be running (not paused, not still being created:
 * then its mount namespace still holds the host's whole tree and its hooks may be running).
 * 0, or the exit code. */
static int check_enterable(const struct box_ref *b)
{
        if (streq(b->status, "paused")) {
                log_error("exec: box '%s' is paused; resume it first", b->name);
                return 1;
        }
        if (!streq(b->status, "running")) {
                log_error("exec: box '%s' is not running yet (status %s); try again once it is",
                          b->name, b->status);
                return 1;
        }
        if (!b->cgroup) {
                log_error("exec: box '%s' has no cgroup recorded", b->name);
                return EXIT_SETUP_FAILED;
        }
        return 0;
}

/* The pid file is opened on the host before the exec joins the box (whose mount namespace
 * and user namespace would then resolve and check the path), and filled once the pid is known. */
static int open_pid_file(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "exec: opening the pid file %s", path);
        return fd;
}

static int write_pid_file(int fd, const char *path, pid_t pid)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
        if (write_all(fd, buf, (size_t)n) < 0)
                return log_error_errno(-errno, "exec: writing the pid file %s", path);
        return 0;
}

/* OCI: the command's messages ('T' + its pty's master, 'E' + its exit code when it fails
 * before execve) until it lets go of the socket (at execve). Then the pid file; detached, we
 * are done (the command goes to our caller, a subreaper, when we exit); else as box_exec. */
static int oci_wait(const struct exec_opts *o, int sock, pid_t cmd, int pid_fd)
{
        int failed = -1;
        _cleanup_close_ int master = -EBADF;
        for (;;) {
                char buf[16];
                int fd = -1;
                int n = fd_recv(sock, &fd, buf, sizeof(buf));
                if (n < 0) {
                        log_error_errno(n, "exec: waiting for the process to start");
                        break;
                }
                if (n == 0 && fd < 0)
                        break;
                if (buf[0] == 'E' && n == 1 + (int)sizeof(int))
                        memcpy(&failed, buf + 1, sizeof(failed));
                if (fd >= 0 && buf[0] == 'T' && master < 0 && o->console_sock > 2) {
                        int r = fd_send(o->console_sock, fd, " ", 1);
                        close(fd);
                        if (r < 0) {
                                log_error_errno(r, "exec: sending the terminal to the console "
                                                   "socket");
                                kill(cmd, SIGKILL);
                                failed = 1;
                        }
                } else if (fd >= 0 && buf[0] == 'T' && master < 0)
                        master = fd;
                else if (fd >= 0)
                        close(fd);
        }
        if (failed >= 0) {
                (void)wait_code(cmd);
                return o->detach ? 1 : failed;
        }
        if (pid_fd >= 0 && write_pid_file(pid_fd, o->pid_file, cmd) < 0) {
                kill(cmd, SIGKILL);
                (void)wait_code(cmd);
                return 1;
        }
        if (o->detach)
                return 0;
        return master >= 0 ? relay_until_exit(TAKE_FD(master), cmd) : wait_code(cmd);
}

/* Joins the box, forks the command and waits for it (relaying the pty with --tty); its exit
 * code. */
static int run_in_box(const struct box_config *c, const struct exec_opts *o,
                      const struct box_ref *b, const struct privs *privs, int pid_fd)
{
        int flags = ns_flags(b->pid);
        int sv[2] = {-1, -1};
        if ((o->tty || o->oci) && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return log_error_errno(-errno, "exec: socketpair"), EXIT_SETUP_FAILED;
        _cleanup_close_ int host_end = sv[0];
        _cleanup_close_ int cmd_end = sv[1];
        int r = cgroup_join_path(CGROUP_ROOT, b->cgroup);
        if (r < 0) {
                if (r == -ENOENT)
                        log_error("exec: no cgroup %s found for box '%s'", b->cgroup, o->name);
                return EXIT_SETUP_FAILED;
        }
        if (flags && setns(b->pidfd, flags) < 0)
                return log_error_errno(-errno, "exec: entering the namespaces of box '%s'",
                                       o->name),
                       EXIT_SETUP_FAILED;
        /* Handlers before the vfork, so no signal finds the default action in between (the
         * command resets them before it executes); the forwarded ones held until the command's
         * pid is known, since vfork suspends us for the whole of its set-up. */
        forward_signals(0, true);
        sigset_t fwd, saved;
        sigemptyset(&fwd);
        sigaddset(&fwd, SIGTERM);
        sigaddset(&fwd, SIGHUP);
        sigaddset(&fwd, SIGINT);
        sigaddset(&fwd, SIGQUIT);
        sigprocmask(SIG_BLOCK, &fwd, &saved);
        fflush(NULL);
        /* vfork: the command runs in our memory until its execve, so no page table is copied
         * and neither side takes copy-on-write faults (~1 ms of an exec on a VM). It writes
         * only its own descriptors, credentials and allocations, and leaves through _exit. */
        pid_t pid = vfork();
        if (pid == 0)
                command_main(c, o, flags & CLONE_NEWUSER, privs, cmd_end);
        int err = errno;
        if (pid > 0)
                forward_to = pid;
        sigprocmask(SIG_SETMASK, &saved, NULL);
        if (pid < 0)
                return log_error_errno(-err, "exec: vfork"), EXIT_SETUP_FAILED;
        close(cmd_end); /* we see EOF once the command is done with it */
        cmd_end = -1;
        int code;
        int master = -1;
        char tag;
        if (o->oci)
                code = oci_wait(o, host_end, pid, pid_fd);
        else if (o->tty && fd_recv(host_end, &master, &tag, 1) > 0 && master >= 0)
                code = relay_until_exit(master, pid);
        else
                code = wait_code(pid); /* without a pty; or the command failed and said why */
        if (master >= 0)
                close(master);
        return code;
}

int box_exec(const struct exec_opts *o)
{
        if (geteuid() != 0) {
                log_error("exec: boxlaunch must run as root");
                return EXIT_SETUP_FAILED;
        }
        /* Nothing in the box may ptrace or open /proc/PID/fd of the processes below. */
        prctl(PR_SET_DUMPABLE, 0);

        _cleanup_box_ref_ struct box_ref own = {.pidfd = -1};
        const struct box_ref *b = o->ref;
        if (!b) {
                if (box_ref_open(o->name, false, &own) < 0)
                        return 1;
                b = &own;
        }
        int code = check_enterable(b);
        if (code)
                return o->oci ? 1 : code;
        const struct box_config *c = o->config ?: box_ref_config(&own, false);
        if (!c)
                return EXIT_SETUP_FAILED; /* logged */
        /* The same capabilities, filter and AppArmor decision as the box's PID 1, decided
         * here on the host (the box's mount namespace hides securityfs). */
        _cleanup_close_ int pid_fd = -EBADF;
        if (o->oci && o->pid_file) {
                pid_fd = open_pid_file(o->pid_file);
                if (pid_fd < 0)
                        return 1; /* logged */
        }
        struct privs privs = {0};
        if (privs_prepare(c, &privs) < 0)
                return EXIT_SETUP_FAILED; /* logged */
        code = run_in_box(c, o, b, &privs, pid_fd);
        privs_done(&privs);
        return code;
}
