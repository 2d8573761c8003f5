/* child.c - the set-up child, from clone3() to execve, inside the box's namespaces: a list of
 * named steps (child_main()), each returning 0 or a negative errno after logging what failed;
 * the log lines travel to the supervisor (sync.h). */
#include "launch/child.h"

#include "cgroup/cgroup.h"
#include "core/exitcodes.h"
#include "launch/console.h"
#include "launch/env.h"
#include "launch/hooks.h"
#include "launch/limits.h"
#include "launch/masks.h"
#include "launch/nsjoin.h"
#include "launch/rootfs.h"
#include "launch/sync.h"
#include "launch/user.h"
#include "net/nft.h"
#include "supervisor/stubimage.h"
#include "util/fdpass.h"
#include "util/log.h"
#include "util/procfs.h"
#include "util/syscalls.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* The supervisor gave up on the box (it reports why) or broke the protocol: nobody to tell. */
static _noreturn_ void supervisor_gone(void)
{
        _exit(EXIT_SETUP_FAILED);
}

/* Our pid in the host's pid namespace, for the startContainer hooks' state (create). */
static pid_t host_pid;

/* Not reachable through /proc (ptrace, /proc/PID/exe), gone with the supervisor, its log lines
 * forwarded; with --detach, stdin from /dev/null and the output to the console log. */
static int start(const struct child_args *a)
{
        int r;
        sync_forward_logs(a->sock);
        if (a->fifo_fd >= 0) {
                /* Still the host's /proc: "self" names us as the host sees us. */
                char buf[32] = "";
                ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
                host_pid = n > 0 ? (pid_t)atoi(buf) : 0;
        }
        prctl(PR_SET_DUMPABLE, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (a->c->cpu_affinity_initial && (r = limits_set_affinity(a->c, a->c->cpu_affinity_initial,
                                                                   BOX_F_CPU_AFFINITY_INITIAL)) < 0)
                return r;
        if ((r = nsjoin_apply(a->c)) < 0)
                return r;
        if (a->log_fd < 0)
                return 0;
        _cleanup_close_ int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(a->log_fd, STDOUT_FILENO) < 0 ||
            dup2(a->log_fd, STDERR_FILENO) < 0)
                return log_error_errno(-errno, "redirecting the box's output to its console log");
        return 0;
}

/* Joins the box's groups through the fds, then (if asked) makes the cgroup namespace, rooted at
 * them. */
static int join_cgroups(const struct box_config *c, int *join, size_t n, const char *cgpath)
{
        int r = cgroup_join_self(join, (int)n);
        if (r < 0)
                return log_error_errno(r, "joining the cgroup %s", cgpath);
        close_many(join, (int)n);
        if (c->ns_cgroup && unshare(CLONE_NEWCGROUP) < 0)
                return log_error_errno(-errno, "creating the cgroup namespace");
        return 0;
}

/* Into the box's cgroups before anything else, so all of the set-up is accounted (a cgroup
 * namespace made then is rooted at the box's groups); then wait for the supervisor's go, which
 * brings the idmapped root, if any, in *ret_root_mount. */
static int join_early(const struct child_args *a, int *ret_root_mount)
{
        struct sync_msg m;
        int r = join_cgroups(a->c, a->join, (size_t)a->n_join, a->rt->cgroup_path);
        if (r < 0)
                return r;
        if (sync_send(a->sock, MSG_JOINED, 0, NULL, NULL, 0) < 0 ||
            sync_recv_fd(a->sock, &m, ret_root_mount) <= 0 || m.type != MSG_GO)
                supervisor_gone();
        return 0;
}

/* Late join in a user namespace: the first MSG_GO says the maps are written and brings the
 * idmapped root, if any. */
static int wait_mapped(const struct child_args *a, int *ret_root_mount)
{
        struct sync_msg m;
        if (sync_recv_fd(a->sock, &m, ret_root_mount) <= 0 || m.type != MSG_GO)
                supervisor_gone();
        return 0;
}

/* Late join: MSG_GO brings the tasks fds and, as text, the groups' path. */
static int join_late(const struct child_args *a)
{
        struct sync_msg m;
        int join[CGROUP_JOIN_MAX];
        size_t n;
        int k = sync_recv(a->sock, &m, join, ARRAY_SIZE(join), &n);
        if (k <= 0 || m.type != MSG_GO) {
                close_many(join, (int)n);
                supervisor_gone();
        }
        return join_cgroups(a->c, join, n, m.text);
}

/* createContainer and startContainer hooks run in the box's namespaces at a point only the
 * child knows: it asks, and waits for the supervisor's go (or is killed when a hook fails).
 * Boxes without such hooks pay no extra round trip. OCI create: the startContainer hooks wait
 * for `start` (oci_start_hooks()). */
static void run_hooks(const struct child_args *a, enum box_hook_stage stage)
{
        if (stage == BOX_HOOK_START_CONTAINER && a->fifo_fd >= 0)
                return;
        bool any = false;
        for (size_t i = 0; i < a->c->n_hooks; i++)
                any = any || a->c->hooks[i].stage == stage;
        if (!any)
                return;
        struct sync_msg m;
        int fd = -1;
        if (sync_send(a->sock, MSG_HOOKS, (int)stage, NULL, NULL, 0) < 0 ||
            sync_recv_fd(a->sock, &m, &fd) <= 0 || m.type != MSG_GO)
                supervisor_gone();
        if (fd >= 0)
                close(fd);
}

/* The hooks anchor (net/nft.h) in the box's network namespace, made here while the supervisor
 * sets up the links and the host's table. Its socket is never closed by us: closing it waits for
 * the kernel to release the transaction (an RCU grace period), so it goes with exec (O_CLOEXEC),
 * long after. */
static int add_hooks_anchor(const struct child_args *a)
{
        static struct nft_handle *anchor;
        if (!a->rt->nft_anchor)
                return 0;
        int r = nft_handle_new(&anchor);
        return r < 0 ? r : nft_hooks_anchor(anchor); /* logged */
}

/* The box's tree, before pivot_root (rootfs.h). */
static int prepare_root(const struct child_args *a, int root_mount, int *ret_rootfd)
{
        const struct box_config *c = a->c;
        /* Look the root up in our new mount namespace while our file system identity is still
         * the host's root: the box's root in a user namespace may not be allowed to walk the
         * path (a 0700 parent directory, say). Everything after works through this fd. */
        _cleanup_close_ int root_dir = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_dir < 0) {
                closep(&root_mount);
                return log_error_errno(-errno, "root directory %s", c->root);
        }
        /* The maps are written: become the box's root. */
        if (a->rt->userns &&
            (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0)) {
                closep(&root_mount);
                return log_error_errno(-errno, "becoming root in the user namespace");
        }
        return rootfs_prepare(c, a->rt, root_dir, root_mount, ret_rootfd);
}

/* Sysctl= through the box's own procfs, checked before anything is written to it. */
static int apply_sysctls(const struct box_config *c)
{
        if (c->n_sysctls == 0)
                return 0;
        _cleanup_close_ int proc = procfs_open_root("/proc");
        if (proc < 0)
                return log_error_errno(proc, "opening the box's /proc");
        for (size_t i = 0; i < c->n_sysctls; i++) {
                _cleanup_free_ char *rel = xasprintf("sys/%s", c->sysctls[i].key);
                for (char *p = rel + 4; *p; p++)
                        if (*p == '.')
                                *p = '/';
                /* -EXDEV: something is mounted over the file, it is not the kernel's. */
                int r = procfs_write(proc, rel, c->sysctls[i].value);
                if (r < 0)
                        return log_error_errno(r, "setting sysctl %s=%s (/proc/%s)",
                                               c->sysctls[i].key, c->sysctls[i].value, rel);
        }
        return 0;
}

/* pivot_root, then what needs the box's own /proc: sysctls, then the masks over it. */
static int enter_root(const struct child_args *a, int rootfd)
{
        int r = rootfs_enter(a->c, rootfd);
        if (r >= 0)
                r = apply_sysctls(a->c);
        if (r >= 0)
                r = masks_apply(a->c);
        return r;
}

/* Interactive and read-only consoles: a pty from the box's own devpts becomes the payload's
 * stdio and /dev/console; the master goes to the supervisor, which relays it. */
static int setup_console(const struct child_args *a)
{
        struct winsize ws = {0};
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        /* OCI: process.consoleSize, else the client sizes it through the master later. */
        const struct winsize *size = a->oci ? NULL : console_caller_size(&ws);
        if (a->c->console_width || a->c->console_height) {
                ws = (struct winsize){.ws_row = (unsigned short)a->c->console_height,
                                      .ws_col = (unsigned short)a->c->console_width};
                size = &ws;
        }
        int r = console_pty_open(&master, &slave, size);
        if (r < 0)
                return log_error_errno(r, "allocating the console pty");
        unsigned n;
        if (ioctl(master, TIOCGPTN, &n) < 0)
                return log_error_errno(-errno, "TIOCGPTN");
        char target[32];
        snprintf(target, sizeof(target), "pts/%u", n);
        if (symlink(target, "/dev/console") < 0)
                return log_error_errno(-errno, "creating /dev/console");
        if ((r = console_attach(slave)) < 0)
                return log_error_errno(r, "attaching the console");
        if (a->console_sock >= 0) {
                /* The OCI console socket: one byte and the master, as runc and crun send. */
                r = fd_send(a->console_sock, master, " ", 1);
                if (r < 0)
                        return log_error_errno(r, "sending the terminal to the console socket");
                return 0;
        }
        r = sync_send(a->sock, MSG_PTY, 0, NULL, &master, 1);
        if (r < 0)
                return log_error_errno(r, "handing the console to the supervisor");
        return 0;
}

static int loopback_up(void)
{
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = {0};
        if (s < 0)
                return -errno;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                return -errno;
        return 0;
}

/* The payload's process: a session of its own (the box never shares the host's controlling
 * terminal), its console, the hostname, the loopback of a private network, its limits. */
static int setup_process(const struct child_args *a)
{
        const struct box_config *c = a->c;
        int r;
        if (setsid() < 0)
                return log_error_errno(-errno, "setsid");
        if ((a->rt->console == BOX_CONSOLE_INTERACTIVE ||
             a->rt->console == BOX_CONSOLE_READ_ONLY) &&
            (r = setup_console(a)) < 0)
                return r;
        bool uts = c->ns_uts || c->ns_join[BOX_NS_UTS];
        if (uts && c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
                return log_error_errno(-errno, "setting the hostname");
        if (uts && c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0)
                return log_error_errno(-errno, "%s: setting the domain name",
                                       BOX_WHERE(c, BOX_F_DOMAINNAME, NULL, 0));
        if (c->net == BOX_NET_PRIVATE && (r = loopback_up()) < 0)
                return log_error_errno(r, "bringing up the loopback interface");
        return limits_apply(c);
}

/* User=, Group= and the groups from the box's own files, WorkingDirectory=, the environment. */
static int resolve_identity(const struct child_args *a, struct box_ids *ids, char ***ret_env)
{
        const struct box_config *c = a->c;
        int r = c->process_exact
                        ? user_resolve_exact(c->user, c->group, c->supplementary_groups, ids)
                        : user_resolve(c->user, c->group, c->supplementary_groups, ids);
        if (r < 0)
                return r;
        if (chdir(c->cwd) < 0)
                return log_error_errno(-errno, "%s: changing to %s",
                                       BOX_WHERE(c, BOX_F_CWD, NULL, 0), c->cwd);
        const char *term = getenv("TERM");
        *ret_env = box_env(c, ids, term && isatty(STDIN_FILENO) ? term : NULL, a->rt->env);
        return 0;
}

/* The box's identity and confinement (privs.h), and no descriptor of the supervisor's left for
 * the payload (CVE-2024-21626). */
static int drop_privileges(const struct child_args *a, const struct box_ids *ids)
{
        int r = privs_drop(a->c, a->privs, ids);
        if (r < 0)
                return r;
        int keep[] = {a->sock, a->fifo_fd, a->stub};
        r = close_fds_from(3 + (int)a->preserve_fds, keep, a->stub >= 0 ? 3 : 2);
        if (r < 0)
                return log_error_errno(r, "closing file descriptors");
        /* --preserve-fds: the caller's fds 3..2+N, open across execve. */
        for (int fd = 3; fd < 3 + (int)a->preserve_fds; fd++)
                if (fd != a->sock && fd != a->fifo_fd && fd != a->stub)
                        (void)fcntl(fd, F_SETFD, 0);
        return 0;
}

/* Boot=yes: the image's init, where systemd-nspawn looks for it. */
static const char *find_init(void)
{
        static const char *const inits[] = {"/usr/lib/systemd/systemd", "/lib/systemd/systemd",
                                            "/sbin/init"};
        for (size_t i = 0; i < ARRAY_SIZE(inits); i++)
                if (access(inits[i], X_OK) == 0)
                        return inits[i];
        return NULL;
}

/* The command line to execute: the image's init with the arguments for a machine, /bin/sh
 * without a command. Returns an array for *ret_free (or NULL) to free. */
static char **payload_argv(const struct box_config *c, char ***ret_free)
{
        static char *default_argv[] = {"/bin/sh", NULL};
        *ret_free = NULL;
        if (!c->boot)
                return c->argv ? c->argv : default_argv;
        const char *init = find_init();
        if (!init)
                return NULL;
        size_t nargs = strv_length(c->argv);
        char **argv = xcalloc(nargs + 2, sizeof(char *));
        argv[0] = (char *)init;
        for (size_t i = 0; i < nargs; i++)
                argv[i + 1] = c->argv[i];
        return *ret_free = argv;
}

/* OCI create: the launch is over for the runtime (EOF on the sync socket), the init outlives
 * it; it waits here until `start` opens the FIFO for reading, through the O_PATH fd opened on
 * the host before pivot_root. From now on messages go to the box's stderr. */
static void oci_wait_start(const struct child_args *a)
{
        /* Disarmed before the EOF: create exits on it, and a SIGKILL from its exit would race
         * the disarming. */
        prctl(PR_SET_PDEATHSIG, 0);
        close(a->sock);
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", a->fifo_fd);
        int fd = RETRY_EINTR(open(path, O_WRONLY | O_CLOEXEC));
        if (fd < 0 || write_all(fd, "0", 1) < 0) {
                log_error_errno(-errno, "waiting for start on the exec FIFO");
                _exit(EXIT_SETUP_FAILED);
        }
        /* fd stays open until our execve (O_CLOEXEC) or exit: its EOF tells `start` the
         * payload is executing, after which the poststart hooks may run. */
        close(a->fifo_fd);
}

/* OCI create: the spec's startContainer hooks run after `start`, in the container, before the
 * payload: here, in the init, once the FIFO opened, as runc does (with the payload's identity and
 * confinement, the box's cgroups and namespaces). A failing hook ends the container. */
static void oci_start_hooks(const struct child_args *a)
{
        struct hook_state st = *a->hs;
        st.status = "created";
        st.pid = host_pid;
        if (hooks_run(a->c, BOX_HOOK_START_CONTAINER, &st, 0, true) < 0)
                _exit(EXIT_SETUP_FAILED); /* logged, naming the hook, on the box's stderr */
}

/* A file of ours in /proc (the box's, PID 1 before any box code runs) in one read, as a string:
 * its length, or -1. */
static ssize_t read_proc_self(const char *path, char *buf, size_t size)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
        if (n >= 0)
                buf[n] = 0;
        return n;
}

/* The signals whose disposition is not the default, ignored or caught (SigIgn and SigCgt of
 * /proc/self/status: one read instead of 62 calls, each ~1 us here); all where it cannot say. */
static uint64_t signals_not_default(void)
{
        char buf[4096];
        if (read_proc_self("/proc/self/status", buf, sizeof(buf)) <= 0)
                return UINT64_MAX;
        const char *ign = strstr(buf, "\nSigIgn:\t"), *cgt = strstr(buf, "\nSigCgt:\t");
        if (!ign || !cgt)
                return UINT64_MAX;
        return strtoull(ign + 9, NULL, 16) | strtoull(cgt + 9, NULL, 16);
}

/* Every signal disposition as a fresh process has them: a caller may leave some ignored
 * (conmon: SIGPIPE), and a handler of ours must not run in the vfork child. */
static void reset_signals(void)
{
        uint64_t set = signals_not_default();
        /* The raw call: glibc's signal() refuses its own two (32, 33), which a caller may have
         * left ignored too. */
        for (int s = 1; s <= 64; s++)
                if (s != SIGKILL && s != SIGSTOP && (set & (UINT64_C(1) << (s - 1))))
                        (void)syscall(SYS_rt_sigaction, s,
                                      &(struct kernel_sigaction){.handler = SIG_DFL}, NULL, 8);
}

/* The payload, not PID 1, must own the terminal: as the stub init's drop_ctty() (stubinit.c,
 * which shares no code with us). TIOCNOTTY by a session leader sends SIGHUP and SIGCONT to its
 * foreground group, us: blocked here, they are taken back before the payload could get them. */
static void drop_ctty(void)
{
        pid_t sid = 0;
        if (setsid() >= 0 || getsid(0) != getpid())
                return;
        if (ioctl(STDIN_FILENO, TIOCGSID, &sid) < 0 || sid != getpid() ||
            ioctl(STDIN_FILENO, TIOCNOTTY) < 0)
                return;
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGHUP);
        sigaddset(&s, SIGCONT);
        while (sigtimedwait(&s, NULL, &(struct timespec){0, 0}) > 0)
                ;
}

/* Where execvp() in the stub init would look for argv[0] (the box's PATH, in order); NULL where
 * its lookup has a case of its own (an empty PATH entry, no PATH). */
static char **exec_candidates(char **argv, char **env)
{
        char **v = NULL;
        if (strchr(argv[0], '/')) {
                strv_push(&v, xstrdup(argv[0]));
                return v;
        }
        const char *path = env_get(env, "PATH");
        if (!*argv[0] || !path || !*path)
                return NULL;
        for (const char *p = path;; p++) {
                const char *end = strchrnul(p, ':');
                if (end == p) {
                        strv_free(v);
                        return NULL;
                }
                strv_push(&v, xasprintf("%.*s/%s", (int)(end - p), p, argv[0]));
                if (!*end)
                        return v;
                p = end;
        }
}

/* spawn_payload()'s child, in PID 1's memory until execve: system calls only. Its dispositions
 * are a copy of PID 1's, reset to default before the vfork. */
static _noreturn_ __attribute__((noinline)) void payload_child(char **cand, char **argv, char **env,
                                                               volatile int *failed)
{
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        (void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
        setsid();
        if (isatty(STDIN_FILENO))
                (void)ioctl(STDIN_FILENO, TIOCSCTTY, 0);
        for (char **c = cand; *c; c++) {
                execve(*c, argv, env);
                if (errno != ENOENT && errno != ENOTDIR && errno != EACCES)
                        break;
        }
        *failed = 1;
        _exit(EXIT_CANNOT_EXEC);
}

/* Our command line, as /proc/1/cmdline shows it without any ptrace check, names the host's binary
 * and .box file: blanked before box code may look (the kernel reads it from arg_start to
 * arg_end; the config holds copies of what it took from there). In a fork's copy of the memory,
 * or in the supervisor's own when we share it, which then puts it back once we executed
 * (launch.c). False if it could not be. */
static bool blank_cmdline(void)
{
        uintptr_t start, end;
        if (proc_self_args(&start, &end) < 0)
                return false;
        memset((void *)start, 0, end - start);
        return true;
}

/* The payload, started by PID 1 itself just before it executes the stub init (stubinit_exec() with
 * the pid): the two execs overlap instead of following each other, and no fork copies the stub.
 * PID 1 first blocks what the stub blocks (signals sent to it meanwhile wait for the stub's
 * signalfd) and gives up the terminal as the stub would; the child, sharing our memory until its
 * execve (vfork), only makes system calls: the signal mask emptied, a session of its own with
 * the terminal, execve along the candidates. The payload is confined already (privs_seal()),
 * and PID 1 stays non-dumpable until the stub replaces it. 0 where the
 * stub must start it as before: not PID 1, fds to pass on, an OCI box, CAP_SYS_PTRACE in the
 * bounding set, a vfork the box's filter refuses, or an execve that failed (the stub tries again
 * and reports it, with its exit codes). */
static pid_t spawn_payload(const struct child_args *a, char **argv, char **env)
{
        if (a->oci || getpid() != 1 || a->preserve_fds)
                return 0; /* OCI: a seccomp profile may kill on the vfork the stub's fork is not */
        /* PID 1 is the host binary until the stub replaces it. Non-dumpable, its /proc/1/exe,
         * fd, mem and maps open only with CAP_SYS_PTRACE over the host's user namespace: where
         * the bounding set still has it, a box process could take the binary (the
         * CVE-2019-5736 class), so the payload waits for the stub as before. */
        if (prctl(PR_CAPBSET_READ, CAP_SYS_PTRACE) != 0)
                return 0;
        _cleanup_strv_ char **cand = exec_candidates(argv, env);
        if (!cand || !blank_cmdline())
                return 0;
        sigset_t mask;
        sigfillset(&mask);
        static const int faults[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS};
        for (size_t k = 0; k < ARRAY_SIZE(faults); k++)
                sigdelset(&mask, faults[k]);
        sigprocmask(SIG_SETMASK, &mask, NULL);
        reset_signals(); /* SIGCHLD included: never ignored, the stub reaps */
        drop_ctty();
        volatile int failed = 0;
        pid_t pid = vfork();
        if (pid == 0)
                payload_child(cand, argv, env, &failed);
        if (pid > 0 && failed) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                pid = 0;
        }
        return pid > 0 ? pid : 0;
}

/* Tells the supervisor the set-up is done, seals, and becomes the payload (or the stub init,
 * which starts it). */
static _noreturn_ void exec_payload(const struct child_args *a, char **env)
{
        _cleanup_free_ char **boot_argv = NULL;
        char **argv = payload_argv(a->c, &boot_argv);
        if (!argv) {
                log_error("%s: no init in the image (looked for /usr/lib/systemd/systemd, "
                          "/lib/systemd/systemd, /sbin/init)",
                          BOX_WHERE(a->c, BOX_F_BOOT, NULL, 0));
                sync_child_exit(a->sock, EXIT_NOT_FOUND);
        }
        /* The payload starts with clean signal state (the stub resets its own child too). */
        signal(SIGPIPE, SIG_DFL);
        if (a->oci) {
                reset_signals();
                if (a->stub < 0 && exec_check_path(argv, env) < 0)
                        sync_child_exit(a->sock, EXIT_NOT_FOUND);
        }
        sigprocmask(SIG_SETMASK, a->oldmask, NULL);

        /* Before the filter: SystemCallFilter= may deny sendmsg. */
        if (sync_send(a->sock, MSG_EXEC, 0, NULL, NULL, 0) < 0)
                supervisor_gone();
        if (a->fifo_fd >= 0) {
                oci_wait_start(a);
                oci_start_hooks(a);
        }
        if (privs_seal(a->c, a->privs) < 0)
                sync_child_exit(a->sock, EXIT_SETUP_FAILED);
        if (a->stub >= 0) {
                pid_t pid = spawn_payload(a, argv, env);
                int r = stubinit_exec(a->stub, argv, env, STUBINIT_GRACE_MS_DEFAULT, pid);
                log_error_errno(r, "executing the stub init");
                sync_child_exit(a->sock, EXIT_SETUP_FAILED);
        }
        int r = exec_in_path(argv, env);
        log_error_errno(r, "executing %s", argv[0]);
        sync_child_exit(a->sock, r == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}

void child_main(const struct child_args *a)
{
        int root_mount = -1;
        _cleanup_close_ int rootfd = -EBADF;
        struct box_ids ids;
        char **env = NULL;

        if (start(a) < 0 || (!a->late && join_early(a, &root_mount) < 0) ||
            (a->late && a->rt->userns && wait_mapped(a, &root_mount) < 0) ||
            add_hooks_anchor(a) < 0 || prepare_root(a, root_mount, &rootfd) < 0)
                sync_child_exit(a->sock, EXIT_SETUP_FAILED);
        run_hooks(a, BOX_HOOK_CREATE_CONTAINER);
        if (enter_root(a, rootfd) < 0 || setup_process(a) < 0 ||
            resolve_identity(a, &ids, &env) < 0)
                sync_child_exit(a->sock, EXIT_SETUP_FAILED);
        run_hooks(a, BOX_HOOK_START_CONTAINER);
        /* Nothing before needed the groups; the payload must start in them. */
        if ((a->late && join_late(a) < 0) || drop_privileges(a, &ids) < 0)
                sync_child_exit(a->sock, EXIT_SETUP_FAILED);
        exec_payload(a, env);
}
