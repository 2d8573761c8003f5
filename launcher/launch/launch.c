/* launch.c - orchestration of a box's start and the supervisor <-> child sync protocol.
 *
 * The supervisor clone3()s the child straight into the box's namespaces; no re-exec of the
 * boxlaunch binary is needed because C can do all set-up between clone and execve. One
 * SOCK_SEQPACKET socketpair carries the handshake:
 *
 *   supervisor                              child (PID 1 in the new pid namespace)
 *   clone3 ------------------------------->  joins its v1 cgroups itself
 *          <-------------------------------  MSG_JOINED, then blocks on the socket
 *   uid/gid maps, state, prestart hooks
 *   MSG_GO ------------------------------->  rootfs, /dev, mounts, pivot_root, ids, security
 *          <-------------------------------  MSG_ERROR {errno, exit code, text} and _exit, or
 *          <-------------------------------  MSG_EXEC, right before execve, then
 *          <------------------- EOF ------  execve succeeded (the socket is O_CLOEXEC)
 *
 * EOF without MSG_EXEC is a set-up process that died (a crash, a SIGKILL): a failed start.
 *
 * An application box without hooks or a user namespace on a v1 or hybrid host joins late: the
 * two sides work in parallel, on two CPUs where there are two.
 *
 *   clone3 ------------------------------->  rootfs, /dev, mounts, pivot_root, ids
 *   cgroups, state
 *   MSG_GO + tasks fds -------------------->  joins its cgroups, security, execve (EOF as above)
 *
 * Everything the supervisor acquires on the host is recorded in struct launch and released by
 * launch_cleanup() on every path. The child's mounts live in its own mount namespace and vanish
 * with it. */
#include "launch/launch.h"
#include "util/syscalls.h"

#include "launch/caps.h"
#include "cgroup/cgroup.h"
#include "core/config_json.h"
#include "launch/env.h"
#include "launch/hooks.h"
#include "launch/idmap.h"
#include "util/log.h"
#include "launch/lsm.h"
#include "launch/notify.h"
#include "supervisor/stubimage.h"
#include "launch/privs.h"
#include "util/procfs.h"
#include "launch/rootfs.h"
#include "launch/seccomp.h"
#include "ops/state.h"
#include "supervisor/supervise.h"
#include "supervisor/tty.h"
#include "launch/user.h"
/* Until the state file stores the config as JSON (ops/, issue 14): the .box text of it. */

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>

enum msg_type {
        MSG_GO = 1,     /* supervisor -> child: go on */
        MSG_ERROR = 2,  /* child -> supervisor: set-up failed, text and exit code */
        MSG_PTY = 3,    /* child -> supervisor: the console's pty master */
        MSG_HOOKS = 4,  /* child -> supervisor: run the hooks of stage `code` in my namespaces */
        MSG_JOINED = 5, /* child -> supervisor: I am in the box's cgroups */
        MSG_EXEC = 6,   /* child -> supervisor: set-up done, execve next */
};

struct sync_msg {
        uint32_t type;
        int32_t err;  /* positive errno, 0 if none */
        int32_t code; /* exit code for MSG_ERROR */
        char text[1024];
};

/* ---- child side -------------------------------------------------------------------------- */

static int child_sock = -1;

static _noreturn_ _printf_(3, 4) void child_fail(int code, int err, const char *fmt, ...)
{
        struct sync_msg m = {.type = MSG_ERROR, .err = err < 0 ? -err : err, .code = code};
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(m.text, sizeof(m.text), fmt, ap);
        va_end(ap);
        if (err && n >= 0 && (size_t)n < sizeof(m.text))
                snprintf(m.text + n, sizeof(m.text) - (size_t)n, ": %s", strerror(m.err));
        if (child_sock < 0 || send(child_sock, &m, sizeof(m), MSG_NOSIGNAL) < 0)
                log_error("%s", m.text);
        _exit(code);
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

/* The box's own procfs (mounted by rootfs_prepare), checked before anything is written to it. */
static int box_procfs(void)
{
        int fd = procfs_open_root("/proc");
        if (fd < 0)
                child_fail(EXIT_SETUP_FAILED, fd, "opening the box's /proc");
        return fd;
}

static void apply_sysctls(const struct box_config *c)
{
        if (c->n_sysctls == 0)
                return;
        _cleanup_close_ int proc = box_procfs();
        for (size_t i = 0; i < c->n_sysctls; i++) {
                _cleanup_free_ char *rel = xasprintf("sys/%s", c->sysctls[i].key);
                for (char *p = rel + 4; *p; p++)
                        if (*p == '.')
                                *p = '/';
                /* -EXDEV: something is mounted over the file, it is not the kernel's. */
                int r = procfs_write(proc, rel, c->sysctls[i].value);
                if (r < 0)
                        child_fail(EXIT_SETUP_FAILED, r, "setting sysctl %s=%s (/proc/%s)",
                                   c->sysctls[i].key, c->sysctls[i].value, rel);
        }
}

static void apply_process_limits(const struct box_config *c)
{
        char where[512];
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (c->rlimits[i].set && setrlimit(i, &c->rlimits[i].value) < 0)
                        child_fail(EXIT_SETUP_FAILED, -errno, "%s: setting the limit",
                                   box_config_where(c, BOX_F_RLIMIT + i, NULL, 0, where,
                                                    sizeof(where)));
        if (c->oom_score_adj_set) {
                char v[16];
                snprintf(v, sizeof(v), "%d", c->oom_score_adj);
                /* Named by pid: procfs_open() follows no symlink, "self" included. */
                char rel[32];
                snprintf(rel, sizeof(rel), "%d/oom_score_adj", (int)getpid());
                _cleanup_close_ int proc = box_procfs();
                int r = procfs_write(proc, rel, v);
                if (r < 0)
                        child_fail(EXIT_SETUP_FAILED, r, "setting OOMScoreAdjust=%d%s",
                                   c->oom_score_adj,
                                   r == -EACCES || r == -EPERM
                                           ? " (lowering it needs CAP_SYS_RESOURCE)"
                                   : r == -EXDEV ? " (something is mounted over /proc/PID)"
                                                 : "");
        }
        if (c->personality != 0xffffffffUL && personality(c->personality) < 0)
                child_fail(EXIT_SETUP_FAILED, -errno, "setting the personality");
        if (c->cpu_affinity) {
                cpu_set_t set;
                CPU_ZERO(&set);
                _cleanup_free_ char *l = xstrdup(c->cpu_affinity);
                char *save = NULL;
                for (char *w = strtok_r(l, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                        unsigned a, b;
                        if (sscanf(w, "%u-%u", &a, &b) != 2)
                                b = a = (unsigned)atoi(w);
                        for (unsigned x = a; x <= b && x < CPU_SETSIZE; x++)
                                CPU_SET(x, &set);
                }
                if (sched_setaffinity(0, sizeof(set), &set) < 0)
                        child_fail(EXIT_SETUP_FAILED, -errno, "setting CPUAffinity=%s",
                                   c->cpu_affinity);
        }
}

static bool has_hooks(const struct box_config *c, enum box_hook_stage stage)
{
        for (size_t i = 0; i < c->n_hooks; i++)
                if (c->hooks[i].stage == stage)
                        return true;
        return false;
}

/* createContainer and startContainer hooks run in the box's namespaces at a point only the
 * child knows: it asks, and waits for the supervisor's go (or is killed when a hook fails).
 * Boxes without such hooks pay no extra round trip. */
static void child_run_hooks(const struct box_config *c, int sock, enum box_hook_stage stage)
{
        if (!has_hooks(c, stage))
                return;
        struct sync_msg m = {.type = MSG_HOOKS, .code = (int32_t)stage};
        int fd = -1;
        if (fd_send(sock, -1, &m, sizeof(m)) < 0 || fd_recv(sock, &fd, &m, sizeof(m)) <= 0 ||
            m.type != MSG_GO)
                _exit(EXIT_SETUP_FAILED);
        if (fd >= 0)
                close(fd);
}

/* Interactive and read-only consoles: a pty from the box's own devpts becomes the payload's
 * stdio and /dev/console; the master goes to the supervisor, which relays it. */
static void setup_console(const struct box_config *c, int sock)
{
        struct winsize ws, *wsp = NULL;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                wsp = &ws;
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        int r = tty_open_pty(&master, &slave, wsp);
        if (r < 0)
                child_fail(EXIT_SETUP_FAILED, r, "allocating the console pty");
        unsigned n;
        if (ioctl(master, TIOCGPTN, &n) < 0)
                child_fail(EXIT_SETUP_FAILED, -errno, "TIOCGPTN");
        char target[32];
        snprintf(target, sizeof(target), "pts/%u", n);
        if (symlink(target, "/dev/console") < 0)
                child_fail(EXIT_SETUP_FAILED, -errno, "creating /dev/console");
        for (int fd = 0; fd < 3; fd++)
                if (dup2(slave, fd) < 0)
                        child_fail(EXIT_SETUP_FAILED, -errno, "attaching the console");
        struct sync_msg m = {.type = MSG_PTY};
        r = fd_send(sock, master, &m, sizeof(m));
        if (r < 0)
                child_fail(EXIT_SETUP_FAILED, r, "handing the console to the supervisor");
        (void)c;
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

/* Joins the box's groups through the fds, then (if asked) makes the cgroup namespace, rooted at
 * them. */
static void child_join(const struct box_config *c, int *join, size_t n, const char *cgpath)
{
        int r = cgroup_join_self(join, (int)n);
        if (r < 0)
                child_fail(EXIT_SETUP_FAILED, r, "joining the cgroup %s", cgpath);
        close_many(join, (int)n);
        if (c->ns_cgroup && unshare(CLONE_NEWCGROUP) < 0)
                child_fail(EXIT_SETUP_FAILED, -errno, "creating the cgroup namespace");
}

/* Late join: MSG_GO brings the tasks fds and, as text, the groups' path. */
static void child_join_late(const struct box_config *c, int sock)
{
        struct sync_msg m;
        int join[CGROUP_JOIN_MAX];
        size_t n;
        ssize_t k = fds_recv(sock, join, ARRAY_SIZE(join), &n, &m, sizeof(m));
        if (k <= 0 || m.type != MSG_GO) {
                close_many(join, (int)n);
                _exit(EXIT_SETUP_FAILED); /* the supervisor gave up; it reports why */
        }
        m.text[sizeof(m.text) - 1] = 0;
        child_join(c, join, n, m.text);
}

static _noreturn_ void child_main(struct box_config *c, int sock, bool userns,
                                  const struct privs *sec, int stub, const sigset_t *oldmask,
                                  const char *cgpath, int *join, int n_join, bool late)
{
        struct sync_msg m;
        struct rootfs_error e = {{0}};
        int r, root_mount = -1;

        child_sock = sock;
        /* Set-up processes must not be reachable through /proc (ptrace, /proc/PID/exe). */
        prctl(PR_SET_DUMPABLE, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);

        if (!late) {
                /* Into the box's cgroups before anything else, so all of the set-up is
                 * accounted. A cgroup namespace made then is rooted at the box's groups. */
                child_join(c, join, (size_t)n_join, cgpath);
                m = (struct sync_msg){.type = MSG_JOINED};
                if (send(sock, &m, sizeof(m), MSG_NOSIGNAL) < 0)
                        _exit(EXIT_SETUP_FAILED);
                ssize_t n = fd_recv(sock, &root_mount, &m, sizeof(m));
                if (n <= 0 || m.type != MSG_GO)
                        _exit(EXIT_SETUP_FAILED); /* the supervisor gave up; it reports why */
        }

        /* Look the root up in our new mount namespace while our file system identity is still
         * the host's root: the box's root in a user namespace may not be allowed to walk the
         * path (a 0700 parent directory, say). Everything after works through this fd. */
        _cleanup_close_ int root_dir = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_dir < 0)
                child_fail(EXIT_SETUP_FAILED, -errno, "root directory %s", c->root);
        if (userns) {
                /* The maps are written: become the box's root. */
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0)
                        child_fail(EXIT_SETUP_FAILED, -errno,
                                   "becoming root in the user "
                                   "namespace");
        }
        _cleanup_close_ int rootfd = -EBADF;
        r = rootfs_prepare(c, userns, root_dir, root_mount, cgpath, &rootfd, &e);
        if (r < 0)
                child_fail(EXIT_SETUP_FAILED, 0, "%s", e.msg);
        child_run_hooks(c, sock, BOX_HOOK_CREATE_CONTAINER);
        r = rootfs_enter(c, rootfd, &e);
        if (r < 0)
                child_fail(EXIT_SETUP_FAILED, 0, "%s", e.msg);
        apply_sysctls(c);
        r = rootfs_protect(c, &e);
        if (r < 0)
                child_fail(EXIT_SETUP_FAILED, 0, "%s", e.msg);

        /* Our own session: the box never shares the host's controlling terminal. */
        if (setsid() < 0)
                child_fail(EXIT_SETUP_FAILED, -errno, "setsid");
        if (c->console == BOX_CONSOLE_INTERACTIVE || c->console == BOX_CONSOLE_READ_ONLY)
                setup_console(c, sock);
        if (c->ns_uts && sethostname(c->hostname, strlen(c->hostname)) < 0)
                child_fail(EXIT_SETUP_FAILED, -errno, "setting the hostname");
        if (c->net == BOX_NET_PRIVATE && (r = loopback_up()) < 0)
                child_fail(EXIT_SETUP_FAILED, r, "bringing up the loopback interface");
        apply_process_limits(c);

        struct box_ids ids;
        char err[256];
        r = user_resolve(c->user, c->group, c->supplementary_groups, &ids, err, sizeof(err));
        if (r < 0)
                child_fail(EXIT_SETUP_FAILED, 0, "%s", err);
        if (chdir(c->cwd) < 0)
                child_fail(EXIT_SETUP_FAILED, -errno, "changing to WorkingDirectory=%s", c->cwd);
        const char *term = getenv("TERM");
        char **env = box_env(c, &ids, term && isatty(STDIN_FILENO) ? term : NULL, NULL);

        child_run_hooks(c, sock, BOX_HOOK_START_CONTAINER);
        /* Nothing before needed the groups; the payload must start in them. */
        if (late)
                child_join_late(c, sock);
        r = privs_drop(c, sec, &ids, err, sizeof(err));
        if (r < 0)
                child_fail(EXIT_SETUP_FAILED, r, "%s", err);

        /* No descriptor of the supervisor may reach the payload (CVE-2024-21626). */
        int keep[] = {sock, stub};
        r = close_fds_from(3, keep, stub >= 0 ? 2 : 1);
        if (r < 0)
                child_fail(EXIT_SETUP_FAILED, r, "closing file descriptors");

        char **argv = c->argv;
        static char *default_argv[] = {"/bin/sh", NULL};
        _cleanup_free_ char **boot_argv = NULL;
        if (c->boot) {
                const char *init = find_init();
                if (!init)
                        child_fail(EXIT_NOT_FOUND, 0,
                                   "Boot=yes: no init in the image (looked for "
                                   "/usr/lib/systemd/systemd, /lib/systemd/systemd, /sbin/init)");
                size_t nargs = strv_length(c->argv);
                boot_argv = xcalloc(nargs + 2, sizeof(char *));
                boot_argv[0] = (char *)init;
                for (size_t i = 0; i < nargs; i++)
                        boot_argv[i + 1] = c->argv[i];
                argv = boot_argv;
        } else if (!argv) {
                argv = default_argv;
        }
        /* The payload starts with clean signal state (the stub resets its own child too). */
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, oldmask, NULL);

        /* Before the filter: SystemCallFilter= may deny sendmsg. */
        m = (struct sync_msg){.type = MSG_EXEC};
        if (send(sock, &m, sizeof(m), MSG_NOSIGNAL) < 0)
                _exit(EXIT_SETUP_FAILED); /* the supervisor is gone */
        if ((r = privs_seal(c, sec)) < 0)
                child_fail(EXIT_SETUP_FAILED, r, "loading the seccomp filter");
        if (stub >= 0) {
                r = stubinit_exec(stub, argv, env, STUBINIT_GRACE_MS_DEFAULT);
                child_fail(EXIT_SETUP_FAILED, r, "executing the stub init");
        }
        r = exec_in_path(argv, env);
        child_fail(r == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, r, "executing %s", argv[0]);
}

/* ---- supervisor side --------------------------------------------------------------------- */

struct launch {
        struct box_config *c;
        struct privs sec; /* decided before clone; the child only applies it */
        struct box_state state;
        int sock;
        pid_t pid;
        int pidfd;
        int idmap_lock;
        int root_mount;
        int stub;
        int pty_master;
        int root_dir;
        sigset_t oldmask;
        bool mask_saved;
        struct box_cgroup *cg;
        int join[CGROUP_JOIN_MAX]; /* the child joins its v1 groups through these */
        int n_join;
        int notify_fd;
        char *notify_path;
        int detach_fd; /* --detach: where to report the start */
        int log_fd;    /* --detach: the console log, a side file of the state (state.h) */
        bool started;  /* the payload ran: poststop hooks are due */
};

static void launch_cleanup(struct launch *l)
{
        if (l->pid > 0) {
                /* Still alive only on an error path: it must not outlive us. */
                kill(l->pid, SIGKILL);
                while (waitpid(l->pid, NULL, __WALL) < 0 && errno == EINTR)
                        ;
                l->pid = 0;
        }
        if (l->sock >= 0)
                close(l->sock);
        if (l->pidfd >= 0)
                close(l->pidfd);
        if (l->idmap_lock >= 0)
                close(l->idmap_lock);
        if (l->root_mount >= 0)
                close(l->root_mount);
        if (l->stub >= 0)
                close(l->stub);
        if (l->pty_master >= 0)
                close(l->pty_master);
        if (l->root_dir >= 0)
                close(l->root_dir);
        l->sock = l->pidfd = l->idmap_lock = l->root_mount = l->stub = l->pty_master = -1;
        l->root_dir = -1;
        close_many(l->join, l->n_join);
        l->n_join = 0;
        /* After PID 1 is gone: kills whatever it left and removes the groups. */
        cgroup_destroy(l->cg);
        l->cg = NULL;
        if (l->notify_fd >= 0)
                close(l->notify_fd);
        l->notify_fd = -1;
        if (l->log_fd >= 0)
                close(l->log_fd);
        l->log_fd = -1;
        notify_listener_remove(l->notify_path);
        free(l->notify_path);
        l->notify_path = NULL;
        if (l->started) {
                struct hook_state st = {
                        .id = l->c->name, .status = "stopped", .bundle = l->c->root};
                (void)hooks_run(l->c, BOX_HOOK_POSTSTOP, &st, 0, false);
                l->started = false;
        }
        if (l->mask_saved)
                sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
        l->mask_saved = false;
        privs_done(&l->sec);
        state_release(&l->state);
}

/* An idmapped clone of the root (kernel >= 5.12), so a tree owned by the host's root shows up
 * owned by the box's root without a recursive chown. Only when the tree's top is owned by uid 0
 * (a tree already shifted to the range, owned by BASE, is used as it is). Without support
 * (older kernel, file system without idmap support) the box still runs; host-owned files then
 * show up as nobody. Returns a detached mount or -1. */
static int idmapped_root(const struct box_config *c, int root_dir, pid_t pid)
{
        struct stat st;
        if (fstat(root_dir, &st) < 0 || st.st_uid != 0)
                return -1;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        _cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int m = open_tree(
                root_dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (ns < 0 || m < 0)
                return -1;
        struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns};
        if (mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0) {
                log_warn_errno(-errno,
                               "%s cannot be idmapped; files owned by host users will "
                               "show up as nobody in the box",
                               c->root);
                return -1;
        }
        return TAKE_FD(m);
}

static uint64_t clone_flags(const struct box_config *c)
{
        uint64_t f = CLONE_NEWNS | CLONE_NEWPID | CLONE_PIDFD;
        if (c->ns_uts)
                f |= CLONE_NEWUTS;
        if (c->ns_ipc)
                f |= CLONE_NEWIPC;
        if (c->ns_time)
                f |= CLONE_NEWTIME;
        if (c->net == BOX_NET_PRIVATE)
                f |= CLONE_NEWNET;
        if (c->userns != BOX_USERNS_NO)
                f |= CLONE_NEWUSER;
        return f;
}

/* The state file (state.h) as the verbs read it: PID 1 (host view) and its start time, the
 * supervisor, the creation time, the cgroup, and the resolved configuration in .box syntax
 * (what `exec` applies to new processes). */
static int write_state(struct launch *l)
{
        unsigned long long start = 0;

        (void)proc_starttime(l->pid, &start);
        _cleanup_free_ char *header = xasprintf(
                "pid=%d\npidstart=%llu\nsupervisor=%d\ncreated=%lld\ncgroup=%s\n", (int)l->pid,
                start, (int)getpid(), (long long)time(NULL), cgroup_path(l->cg));
        _cleanup_free_ char *text = box_config_to_json_string(l->c);
        return state_publish(&l->state, "creating", header, text);
}

/* Whether the child joins its groups late (see the top of this file). Not where something needs
 * the groups earlier: a machine box mounts them, hooks may look at them, and a user namespace
 * waits for its maps anyway; on pure cgroup2 clone3(CLONE_INTO_CGROUP) is the cheap way in. */
static bool join_late(const struct box_config *c)
{
        enum cgroup_layout layout;
        return !c->boot && c->userns == BOX_USERNS_NO && c->n_hooks == 0 &&
               cgroup_detect(CGROUP_ROOT, &layout) == 0 && layout != CGROUP_LAYOUT_V2;
}

/* Creates the box's groups and opens what the child joins them through. */
static int create_cgroups(struct launch *l, bool with_v2)
{
        const struct box_config *c = l->c;
        int r = cgroup_create_for(CGROUP_ROOT, c, c->boot ? CGROUP_MACHINE : 0, &l->cg);
        if (r < 0)
                return r; /* logged with the key that failed */
        if (c->boot && c->userns != BOX_USERNS_NO &&
            (r = cgroup_chown(l->cg, c->uid_base, c->uid_base)) < 0)
                return log_error_errno(r, "handing the cgroup %s to the box's root",
                                       cgroup_path(l->cg));
        r = cgroup_join_fds(l->cg, with_v2, l->join);
        if (r < 0)
                return r; /* logged */
        l->n_join = r;
        return 0;
}

/* Late join: the groups are made while the child sets up its mounts; MSG_GO hands it the fds. A
 * child that failed meanwhile has closed its end, and its MSG_ERROR waits in the socket. */
static int send_go_late(struct launch *l)
{
        struct sync_msg m = {.type = MSG_GO};
        snprintf(m.text, sizeof(m.text), "%s", cgroup_path(l->cg));
        int r = fds_send(l->sock, l->join, (size_t)l->n_join, &m, sizeof(m));
        close_many(l->join, l->n_join);
        l->n_join = 0;
        if (r == -EPIPE || r == -ECONNRESET)
                return 0;
        return r < 0 ? log_error_errno(r, "starting the box") : 0;
}

/* Reaps PID 1 after it reported a set-up error; its own exit code does not matter then. */
static void reap_child(struct launch *l)
{
        while (waitpid(l->pid, NULL, __WALL) < 0 && errno == EINTR)
                ;
        l->pid = 0;
}

/* Hooks in the box's namespaces, on the child's request. A startContainer hook runs a program
 * of the image, after pivot_root: it gets the box's cgroups, capabilities, no_new_privs, LSM
 * and seccomp, like the payload. createContainer hooks run before pivot_root, the admin's
 * programs from the host's tree, with the runtime's privileges (as in runc); both get a
 * session of their own. */
static int run_box_hooks(struct launch *l, enum box_hook_stage stage, const struct hook_state *hs)
{
        if (stage != BOX_HOOK_START_CONTAINER)
                return hooks_run(l->c, stage, hs, l->pid, true);
        int fds[CGROUP_JOIN_MAX];
        int n = cgroup_join_fds(l->cg, true, fds);
        if (n < 0)
                return n; /* logged */
        struct hook_confine conf = {
                .c = l->c, .privs = &l->sec, .cgroup_fds = fds, .n_cgroup_fds = n};
        int r = hooks_run_confined(l->c, stage, hs, l->pid, true, &conf);
        close_many(fds, n);
        return r;
}

/* EOF before MSG_EXEC: the set-up process died without a word (a crash, a kill). */
static void set_up_died(struct launch *l)
{
        int st = 0;
        while (waitpid(l->pid, &st, __WALL) < 0 && errno == EINTR)
                ;
        l->pid = 0;
        if (WIFSIGNALED(st))
                log_error("the box's set-up process was killed by signal %s before starting the "
                          "payload",
                          sigabbrev_np(WTERMSIG(st)) ?: "?");
        else
                log_error("the box's set-up process exited with status %d before starting the "
                          "payload",
                          WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* The child's first message: MSG_JOINED, or MSG_ERROR if it could not join its cgroups. */
static int wait_joined(struct launch *l, int *code)
{
        struct sync_msg m;
        int fd = -1;
        ssize_t n = fd_recv(l->sock, &fd, &m, sizeof(m));
        if (fd >= 0)
                close(fd);
        if (n > 0 && m.type == MSG_JOINED)
                return 0;
        if (n > 0 && m.type == MSG_ERROR) {
                m.text[sizeof(m.text) - 1] = 0;
                log_error("%s", m.text);
                *code = m.code;
                reap_child(l);
                return -EIO;
        }
        return log_error_errno(n < 0 ? (int)n : -EPROTO, "waiting for the box to join its cgroups");
}

static int on_stop(void *userdata)
{
        return notify_send("STOPPING=1\nSTATUS=Stopping the box...");
}

/* NotifyReady=yes: pass the payload's READY=1 and STATUS= on to systemd. */
static void on_notify(void *userdata)
{
        struct launch *l = userdata;
        for (;;) {
                bool ready = false;
                _cleanup_free_ char *status = NULL;
                int r = notify_receive(l->notify_fd, 0, &ready, &status);
                if (r == -EAGAIN)
                        return;
                if (r < 0)
                        continue;
                if (status) {
                        _cleanup_free_ char *msg = xasprintf("STATUS=%s", status);
                        (void)notify_send(msg);
                }
                if (ready)
                        (void)notify_send("READY=1");
        }
}

/* --detach: the box runs; tell the caller, and let go of its terminal and pipes. */
static void detach_done(struct launch *l, int code)
{
        if (l->detach_fd < 0)
                return;
        (void)write_all(l->detach_fd, &code, sizeof(code));
        close(l->detach_fd);
        l->detach_fd = -1;
        if (code == 0 && l->log_fd >= 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        close(null);
                }
                dup2(l->log_fd, STDOUT_FILENO);
                dup2(l->log_fd, STDERR_FILENO);
        }
}

int launch_box(struct box_config *c, const struct launch_opts *o)
{
        struct launch l = {.c = c,
                           .sock = -1,
                           .pidfd = -1,
                           .idmap_lock = -1,
                           .root_mount = -1,
                           .stub = -1,
                           .pty_master = -1,
                           .root_dir = -1,
                           .notify_fd = -1,
                           .detach_fd = o ? o->detach_fd : -1,
                           .log_fd = -1,
                           .state = {.fd = -1}};
        int sv[2], r, code = EXIT_SETUP_FAILED;

        r = state_acquire(c->name, &l.state);
        if (r == -EBUSY) {
                log_error("box '%s' is already running", c->name);
                return EXIT_SETUP_FAILED;
        }
        if (r < 0) {
                log_error_errno(r, "creating the state file of '%s' in %s", c->name, state_root());
                return EXIT_SETUP_FAILED;
        }

        l.root_dir = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (l.root_dir < 0) {
                log_error_errno(-errno, "root directory %s", c->root);
                goto out;
        }
        /* On the host, while securityfs is still in view: the AppArmor decision, with the
         * capabilities and the filter. */
        if (privs_prepare(c, &l.sec) < 0)
                goto out; /* logged */

        if (c->userns == BOX_USERNS_PICK) {
                l.idmap_lock = idmap_lock();
                if (l.idmap_lock < 0) {
                        log_error_errno(l.idmap_lock, "locking the id range allocator");
                        goto out;
                }
                uint32_t base;
                r = idmap_pick(c->name, &base);
                if (r < 0) {
                        log_error_errno(r, "no free 64K id range for User=pick");
                        goto out;
                }
                c->uid_base = base;
                c->uid_count = IDMAP_RANGE;
                log_debug("User=pick: %u:%u", base, IDMAP_RANGE);
        }

        if (l.detach_fd >= 0) {
                /* Nobody will read a terminal: no pty relay, output to a log. */
                c->console = BOX_CONSOLE_PIPE;
                _cleanup_free_ char *log = state_side_path(c->name, "log");
                l.log_fd =
                        open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                             0600);
                if (l.log_fd < 0) {
                        log_error_errno(-errno, "creating the console log %s for --detach", log);
                        goto out;
                }
        }
        if (c->notify_ready) {
                /* The payload reports READY=1 itself, to a socket bound at /run/host/notify. */
                _cleanup_free_ char *dir = state_side_path(c->name, "notify");
                r = notify_listener_new(dir, &l.notify_fd, &l.notify_path);
                if (r < 0) {
                        log_error_errno(r, "creating the notify socket for NotifyReady=yes");
                        goto out;
                }
                c->mounts = xrealloc(c->mounts, (c->n_mounts + 1) * sizeof(*c->mounts));
                c->mounts[c->n_mounts++] = (struct box_mount){
                        .name = xstrdup("notify"),
                        .type = BOX_MOUNT_BIND,
                        .source = xstrdup(l.notify_path),
                        .target = xstrdup("/run/host/notify"),
                };
                strv_push(&c->env, xstrdup("NOTIFY_SOCKET=/run/host/notify"));
        }
        if (box_config_stub_init(c)) {
                l.stub = stubinit_memfd();
                if (l.stub < 0) {
                        log_error_errno(l.stub, "preparing the stub init");
                        goto out;
                }
        }
        if (c->console == BOX_CONSOLE_AUTOPIPE)
                c->console = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? BOX_CONSOLE_INTERACTIVE
                                                                           : BOX_CONSOLE_PIPE;
        /* Signals sent from now on wait for supervise(); the child restores this mask. */
        if (supervise_block_signals(&l.oldmask) < 0) {
                log_error_errno(-errno, "blocking signals");
                goto out;
        }
        l.mask_saved = true;

        bool late = join_late(c);
        if (!late && create_cgroups(&l, false) < 0)
                goto out; /* logged */

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                log_error_errno(-errno, "socketpair");
                goto out;
        }
        l.sock = sv[0];

        struct clone_args_v2 args = {
                .flags = clone_flags(c),
                .pidfd = (uint64_t)(uintptr_t)&l.pidfd,
                .exit_signal = SIGCHLD,
        };
        /* On cgroup v2 the box is born in its group, before it runs a single instruction. */
        int cgfd = late ? -1 : cgroup_v2_dirfd(l.cg);
        if (cgfd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)cgfd;
        }
        pid_t pid = sys_clone3(&args);
        if (pid < 0) {
                log_error_errno(-errno, "creating the box's namespaces");
                close(sv[1]);
                goto out;
        }
        if (pid == 0) {
                close(sv[0]);
                if (l.log_fd >= 0) {
                        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                        if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
                            dup2(l.log_fd, STDOUT_FILENO) < 0 || dup2(l.log_fd, STDERR_FILENO) < 0)
                                _exit(EXIT_SETUP_FAILED);
                }
                child_main(c, sv[1], c->userns != BOX_USERNS_NO, &l.sec, l.stub, &l.oldmask,
                           late ? NULL : cgroup_path(l.cg), l.join, l.n_join, late);
        }
        close(sv[1]);
        l.pid = pid;
        close_many(l.join, l.n_join);
        l.n_join = 0;
        if (late && create_cgroups(&l, true) < 0)
                goto out; /* logged; the child is killed */

        if (c->userns != BOX_USERNS_NO) {
                r = idmap_write(pid, c->uid_base, c->uid_count);
                if (r < 0) {
                        log_error_errno(r, "writing the user namespace's id maps");
                        goto out;
                }
                if (l.idmap_lock >= 0) {
                        close(l.idmap_lock);
                        l.idmap_lock = -1;
                }
                l.root_mount = idmapped_root(c, l.root_dir, pid);
        }

        r = write_state(&l);
        if (r < 0) {
                log_error_errno(r, "writing the state of '%s'", c->name);
                goto out;
        }

        struct hook_state hs = {.id = c->name, .status = "creating", .pid = pid, .bundle = c->root};
        struct sync_msg m = {.type = MSG_GO};
        if (late) {
                if (send_go_late(&l) < 0)
                        goto out; /* logged */
        } else {
                /* The hooks may look at the box's cgroups: it must be in them by now. */
                r = wait_joined(&l, &code);
                if (r < 0)
                        goto out; /* logged */
                if (hooks_run(c, BOX_HOOK_PRESTART, &hs, 0, true) < 0 ||
                    hooks_run(c, BOX_HOOK_CREATE_RUNTIME, &hs, 0, true) < 0)
                        goto out; /* logged by hooks_run, naming the hook */
                r = fd_send(l.sock, l.root_mount, &m, sizeof(m));
                if (r < 0) {
                        log_error_errno(r, "starting the box");
                        goto out;
                }
        }
        for (bool executing = false;;) {
                int fd = -1;
                ssize_t n = fd_recv(l.sock, &fd, &m, sizeof(m));
                /* A child that dies with our message unread resets the connection: its end. */
                if (n == -ECONNRESET)
                        n = 0;
                if (n < 0) {
                        log_error_errno((int)n, "waiting for the box to start");
                        goto out;
                }
                if (n == 0 && executing)
                        break; /* EOF: the payload (or the stub init) is executing */
                if (n == 0) {
                        set_up_died(&l);
                        goto out;
                }
                if (m.type == MSG_EXEC) {
                        executing = true;
                        if (fd >= 0)
                                close(fd);
                        continue;
                }
                if (m.type == MSG_PTY && fd >= 0 && l.pty_master < 0) {
                        l.pty_master = fd;
                        continue;
                }
                if (m.type == MSG_HOOKS && m.code >= 0 && m.code < _BOX_HOOK_STAGE_MAX) {
                        hs.status = m.code == BOX_HOOK_START_CONTAINER ? "created" : "creating";
                        if (run_box_hooks(&l, (enum box_hook_stage)m.code, &hs) < 0)
                                goto out;
                        struct sync_msg go = {.type = MSG_GO};
                        if ((r = fd_send(l.sock, -1, &go, sizeof(go))) < 0) {
                                log_error_errno(r, "resuming the box after its hooks");
                                goto out;
                        }
                        continue;
                }
                if (fd >= 0)
                        close(fd);
                if (m.type == MSG_ERROR) {
                        m.text[sizeof(m.text) - 1] = 0;
                        log_error("%s", m.text);
                        code = m.code;
                        reap_child(&l);
                        goto out;
                }
        }
        (void)state_set_status(&l.state, "running");
        l.started = true;
        hs.status = "running";
        (void)hooks_run(c, BOX_HOOK_POSTSTART, &hs, 0, false);
        if (!c->notify_ready)
                (void)notify_send("READY=1\nSTATUS=Box running.");
        detach_done(&l, 0);
        struct supervise_params sp = {
                .pid = l.pid,
                .pidfd = l.pidfd,
                .kill_signal = box_config_kill_signal(c),
                .stop_timeout_usec = c->stop_timeout_usec,
                .pty_master = l.pty_master,
                .read_only_console = c->console == BOX_CONSOLE_READ_ONLY,
                .boot = c->boot,
                .on_stop = on_stop,
                .watch_fd = l.notify_fd,
                .on_watch = l.notify_fd >= 0 ? on_notify : NULL,
                .userdata = &l,
        };
        code = supervise(&sp);
        /* supervise() reaped PID 1 in every case. */
        l.pid = 0;
        uint64_t ooms = 0;
        if (cgroup_oom_kills(l.cg, &ooms) == 0 && ooms > 0)
                log_error("box '%s': the OOM killer killed %llu process%s: the box reached its "
                          "memory limit (MemoryMax= in [Limits])",
                          c->name, (unsigned long long)ooms, ooms == 1 ? "" : "es");
        if (code < 0) {
                log_error_errno(code, "supervising the box");
                code = EXIT_SETUP_FAILED;
        }
out:
        launch_cleanup(&l);
        detach_done(&l, code);
        return code;
}
