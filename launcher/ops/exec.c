/* exec.c - `exec` and `shell`: a new process in a running box.
 *
 *   boxlaunch (host)            pidfd of PID 1 (start time checked), config re-read from the state,
 *     |                         seccomp compiled, non-dumpable
 *     fork
 *     `- joiner                 joins the box's cgroup in every hierarchy, then
 *          |                    setns(pidfd, the namespaces that differ from ours)
 *          fork                 (a joined pid namespace only applies to children)
 *          `- command           box pid namespace: pty, user, cwd, env, rlimits, caps,
 *                               no_new_privs, LSM, fds closed, seccomp last, execve
 *
 * The joiner exits with the command's code (128+N if killed by signal N), which the host side
 * passes on. With --tty the command allocates its pty from the box's devpts, makes it its
 * controlling terminal and sends the master back over a socketpair; the host relays it. */
#include "cli/verbs.h"
#include "util/syscalls.h"
#include "util/ns.h"

#include "frontend/box/box_file.h"
#include "launch/caps.h"
#include "cgroup/cgroup.h"
#include "core/config.h"
#include "core/exitcodes.h"
#include "launch/console.h"
#include "launch/env.h"
#include "launch/limits.h"
#include "util/fdpass.h"
#include "util/log.h"
#include "launch/lsm.h"
#include "launch/privs.h"
#include "launch/seccomp.h"
#include "ops/state.h"
#include "supervisor/tty.h"
#include "launch/user.h"

#include <fcntl.h>
#include <getopt.h>
#include <linux/magic.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>

struct exec_opts {
        const char *name;
        bool tty;
        bool shell; /* run the user's login shell from the box's /etc/passwd */
        const char *user;
        char **env; /* K=V from --env, borrowed */
        const char *workdir;
        char **cmd; /* borrowed */
};

/* ---- the command (inside the box) ------------------------------------------------------- */

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
        _exit(code);
}

/* The login shell of uid in the box's /etc/passwd, if it is executable; else /bin/sh. */
static char *user_shell(uid_t uid)
{
        char *sh = NULL;
        if (user_login_shell(uid, &sh) < 0)
                _exit(EXIT_SETUP_FAILED); /* logged */
        return sh;
}

static _noreturn_ void command_main(const struct box_config *c, const struct exec_opts *o,
                                    bool userns, const struct privs *privs, int sock)
{
        int r;
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
        if (sock >= 0)
                close(sock);

        struct box_ids ids;
        /* -u picks a user and its own groups; otherwise the box's User=, Group=, groups. */
        r = o->user ? user_resolve(o->user, NULL, NULL, &ids)
                    : user_resolve(c->user, c->group, c->supplementary_groups, &ids);
        if (r < 0)
                _exit(EXIT_SETUP_FAILED); /* logged */
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
                _exit(EXIT_SETUP_FAILED); /* logged */
        /* Nothing of boxlaunch's may reach the command (CVE-2024-21626). */
        r = close_fds_from(3, NULL, 0);
        if (r < 0)
                fail(EXIT_SETUP_FAILED, r, "closing file descriptors");

        sigset_t none;
        sigemptyset(&none);
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        signal(s, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);

        if (privs_seal(c, privs) < 0)
                _exit(EXIT_SETUP_FAILED); /* logged */
        r = exec_in_path(argv, env);
        if (r == -ENOENT)
                fail(EXIT_NOT_FOUND, 0, "%s: command not found in box '%s'", argv[0], o->name);
        fail(EXIT_CANNOT_EXEC, r, "cannot execute %s in box '%s'", argv[0], o->name);
}

/* ---- the joiner ------------------------------------------------------------------------- */

/* Moves the calling (single-threaded) process into <hierarchy>/<path> in every hierarchy where
 * the box has a group: the cgroup2 root itself on a pure v2 system, else every mount below
 * /sys/fs/cgroup. v1 groups are joined by writing "0" to "tasks", which skips the global lock a
 * cgroup.procs write takes (see cgroup_join_fds()). */
static int cgroup_join_self_path(const char *path)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
        struct statfs sf;
        if (statfs(CGROUP_ROOT, &sf) < 0)
                return -errno;
        if (sf.f_type == CGROUP2_SUPER_MAGIC) {
                _cleanup_free_ char *p = xasprintf("%s/%s/cgroup.procs", CGROUP_ROOT, path);
                return write_file_at(AT_FDCWD, p, buf);
        }
        _cleanup_dir_ DIR *d = opendir(CGROUP_ROOT);
        if (!d)
                return -errno;
        struct dirent *de;
        unsigned joined = 0;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *hier = xasprintf("%s/%s", CGROUP_ROOT, de->d_name);
                if (statfs(hier, &sf) < 0 ||
                    (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC))
                        continue;
                _cleanup_free_ char *dir = xasprintf("%s/%s", hier, path);
                struct stat st;
                if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                bool v1 = sf.f_type == CGROUP_SUPER_MAGIC;
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, v1 ? "tasks" : "cgroup.procs");
                int r = write_file_at(AT_FDCWD, p, v1 ? "0" : buf);
                if (r < 0)
                        return log_error_errno(r, "exec: joining cgroup %s/%s", de->d_name, path);
                joined++;
        }
        return joined ? 0 : -ENOENT;
}

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

/* SIGTERM and SIGHUP sent to boxlaunch reach the command: the host side forwards them to the
 * joiner, the joiner to the command. SIGINT and SIGQUIT from a terminal reach the joiner, which
 * shares boxlaunch's process group (boxlaunch ignores them), and the joiner passes them on: the
 * command has a session of its own. With --tty they travel through the pty instead. */
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

static _noreturn_ void joiner_main(const struct box_config *c, const struct exec_opts *o,
                                   const struct box_ref *b, int flags, const struct privs *privs,
                                   int sock)
{
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int r = cgroup_join_self_path(b->cgroup);
        if (r < 0) {
                if (r == -ENOENT)
                        log_error("exec: no cgroup %s found for box '%s'", b->cgroup, o->name);
                _exit(EXIT_SETUP_FAILED);
        }
        if (flags && setns(b->pidfd, flags) < 0)
                fail(EXIT_SETUP_FAILED, -errno, "entering the namespaces of box '%s'", o->name);
        pid_t pid = fork();
        if (pid < 0)
                fail(EXIT_SETUP_FAILED, -errno, "fork");
        if (pid == 0)
                command_main(c, o, flags & CLONE_NEWUSER, privs, sock);
        forward_signals(pid, true);
        if (sock >= 0)
                close(sock); /* the host side sees EOF once the command is done with it */
        _exit(wait_code(pid));
}

/* ---- host side -------------------------------------------------------------------------- */

/* Relays the pty until the joiner exits; returns its exit code. */
static int relay_until_exit(int master, pid_t joiner)
{
        _cleanup_close_ int pidfd = sys_pidfd_open(joiner, 0);
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
        return wait_code(joiner);
}

static int do_exec(const struct exec_opts *o)
{
        if (geteuid() != 0) {
                log_error("exec: boxlaunch must run as root");
                return EXIT_SETUP_FAILED;
        }
        /* Nothing in the box may ptrace or open /proc/PID/fd of the processes below. */
        prctl(PR_SET_DUMPABLE, 0);

        struct box_ref b = {.pidfd = -1};
        if (box_ref_open(o->name, &b) < 0)
                return 1;
        int code = EXIT_SETUP_FAILED;
        _cleanup_(box_config_freep) struct box_config *c = xcalloc(1, sizeof(*c));
        struct privs privs = {0};
        int sv[2] = {-1, -1};
        _cleanup_free_ char *path = NULL, *text = NULL;

        if (streq(b.status, "paused")) {
                log_error("exec: box '%s' is paused; resume it first", o->name);
                code = 1;
                goto out;
        }
        /* While it is being created, the box's mount namespace still holds the host's whole
         * tree (and its hooks may be running): nothing enters before it runs. */
        if (!streq(b.status, "running")) {
                log_error("exec: box '%s' is not running yet (status %s); try again once it is",
                          o->name, b.status);
                code = 1;
                goto out;
        }
        if (!b.cgroup) {
                log_error("exec: box '%s' has no cgroup recorded", o->name);
                goto out;
        }
        path = state_path(o->name);
        size_t len;
        int r = state_config(o->name, &text, &len);
        if (r < 0) {
                log_error_errno(r, "exec: reading the configuration of box '%s' from %s", o->name,
                                path);
                goto out;
        }
        box_config_init(c);
        if (box_file_load_buffer(path, text, len, c) < 0)
                goto out; /* logged */
        /* The same capabilities, filter and AppArmor decision as the box's PID 1, decided
         * here on the host (the box's mount namespace hides securityfs). */
        if (privs_prepare(c, &privs) < 0)
                goto out; /* logged */
        int flags = ns_flags(b.pid);
        if (o->tty && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                log_error_errno(-errno, "exec: socketpair");
                goto out;
        }
        /* ^C and ^\ from our terminal reach the joiner too, which passes them on; we wait for
         * the command's status, like system(3). */
        struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
        sigaction(SIGINT, &ign, &old_int);
        sigaction(SIGQUIT, &ign, &old_quit);
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                log_error_errno(-errno, "exec: fork");
                goto out;
        }
        if (pid == 0) {
                if (sv[0] >= 0)
                        close(sv[0]);
                joiner_main(c, o, &b, flags, &privs, sv[1]);
        }
        forward_signals(pid, false);
        if (sv[1] >= 0) {
                close(sv[1]);
                sv[1] = -1;
        }
        if (o->tty) {
                int master = -1;
                char tag;
                ssize_t n = fd_recv(sv[0], &master, &tag, 1);
                if (n > 0 && master >= 0) {
                        code = relay_until_exit(master, pid);
                        close(master);
                } else {
                        if (master >= 0)
                                close(master);
                        code = wait_code(pid); /* the command failed before; it said why */
                }
        } else
                code = wait_code(pid);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
out:
        if (sv[0] >= 0)
                close(sv[0]);
        if (sv[1] >= 0)
                close(sv[1]);
        privs_done(&privs);
        box_ref_done(&b);
        return code;
}

static void exec_usage(bool shell)
{
        if (shell)
                puts("Usage: boxlaunch shell NAME [-u|--user USER]\n\n"
                     "Opens a login shell in the running box NAME on a new pty: the user's shell\n"
                     "from the box's /etc/passwd (else /bin/sh), run with -l, as root unless -u "
                     "is\n"
                     "given. Same environment, capabilities and restrictions as exec.\n"
                     "Exit status: the shell's; 1 if no such box is running or on a usage error;\n"
                     "125 if entering the box failed.");
        else
                puts("Usage: boxlaunch exec NAME [OPTIONS] -- COMMAND [ARG...]\n\n"
                     "Runs COMMAND in the running box NAME: in its namespaces (pid included) and\n"
                     "cgroup, with its capabilities, no_new_privs, seccomp filter, AppArmor\n"
                     "profile and resource limits, looked up in the box's PATH.\n\n"
                     "  -t, --tty            allocate a pty in the box and relay it (without it,\n"
                     "                       COMMAND gets boxlaunch's stdio, in a session of\n"
                     "                       its own)\n"
                     "  -u, --user=USER      run as USER (name or number, from the box's\n"
                     "                       /etc/passwd) instead of the box's User=\n"
                     "  -e, --env=K=V        set an environment variable (repeatable)\n"
                     "  -w, --workdir=DIR    working directory (default: the box's)\n\n"
                     "Exit status: the command's; 128+N if it was killed by signal N; 1 if no\n"
                     "such box is running (or it is not running yet) or on a usage error; 125\n"
                     "if entering the box failed; 126 if COMMAND could not be executed; 127 if\n"
                     "it was not found.");
}

static int parse_exec(int argc, char **argv, bool shell, struct exec_opts *o, char ***env)
{
        static const struct option opts[] = {
                {"tty", no_argument, NULL, 't'},       {"user", required_argument, NULL, 'u'},
                {"env", required_argument, NULL, 'e'}, {"workdir", required_argument, NULL, 'w'},
                {"help", no_argument, NULL, 'h'},      {0},
        };
        /* The command after "--" is never seen by getopt. */
        char **cmd = NULL;
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--")) {
                        cmd = argv + i + 1;
                        argc = i;
                        break;
                }
        int ch;
        optind = 1;
        opterr = 1;
        while ((ch = getopt_long(argc, argv, shell ? "u:h" : "tu:e:w:h", opts, NULL)) >= 0) {
                switch (ch) {
                case 't':
                        o->tty = true;
                        break;
                case 'u':
                        o->user = optarg;
                        break;
                case 'e':
                        if (!strchr(optarg, '=') || optarg[0] == '=') {
                                log_error("%s: --env=%s: expected KEY=VALUE", argv[0], optarg);
                                return 1;
                        }
                        strv_push(env, xstrdup(optarg));
                        break;
                case 'w':
                        if (optarg[0] != '/') {
                                log_error("%s: --workdir=%s: must be an absolute path", argv[0],
                                          optarg);
                                return 1;
                        }
                        o->workdir = optarg;
                        break;
                case 'h':
                        exec_usage(shell);
                        return -1;
                default:
                        return 1;
                }
        }
        if (optind >= argc) {
                log_error("%s: missing box NAME (see --help)", argv[0]);
                return 1;
        }
        o->name = argv[optind++];
        if (shell) {
                if (optind < argc || cmd) {
                        log_error("shell: unexpected arguments; use exec -t to run a command");
                        return 1;
                }
                return 0;
        }
        if (!cmd && optind < argc)
                cmd = argv + optind; /* "exec NAME CMD" without "--" */
        else if (optind < argc) {
                log_error("exec: unexpected argument '%s' before '--'", argv[optind]);
                return 1;
        }
        if (!cmd || !cmd[0]) {
                log_error("exec: missing COMMAND (exec NAME -- COMMAND [ARG...])");
                return 1;
        }
        o->cmd = cmd;
        return 0;
}

int verb_exec(int argc, char **argv)
{
        struct exec_opts o = {0};
        _cleanup_strv_ char **env = NULL;
        int r = parse_exec(argc, argv, false, &o, &env);
        if (r)
                return r < 0 ? 0 : r;
        o.env = env;
        return do_exec(&o);
}

int verb_shell(int argc, char **argv)
{
        struct exec_opts o = {.tty = true, .shell = true};
        _cleanup_strv_ char **env = NULL;
        int r = parse_exec(argc, argv, true, &o, &env);
        if (r)
                return r < 0 ? 0 : r;
        if (!o.user)
                o.user = "root";
        return do_exec(&o);
}
