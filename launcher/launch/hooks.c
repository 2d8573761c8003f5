/* hooks.c - OCI lifecycle hooks.
 *
 * Each hook is a fork + execve with the state JSON on stdin (a sealed-size memfd: no writer to
 * deadlock on, whatever the JSON's size) and exactly its own environment. The child reports a
 * failure before execve over an O_CLOEXEC pipe, so "could not be executed" is told apart from a
 * hook that ran and failed. The parent waits on a pidfd with poll(), which gives the timeout
 * without signals or a SIGCHLD handler. */
#include "launch/hooks.h"
#include "util/ns.h"
#include "util/syscalls.h"

#include "cgroup/cgroup.h"
#include "util/log.h"
#include "launch/privs.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <grp.h>

/* ---- state JSON --------------------------------------------------------------------------- */

char *hook_state_json(const struct hook_state *s)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
        json_object_object_add(o, "id", json_object_new_string(s->id ? s->id : ""));
        json_object_object_add(o, "status", json_object_new_string(s->status ? s->status : ""));
        /* The spec requires "pid" only while a process exists (created, running). */
        if (s->pid > 0)
                json_object_object_add(o, "pid", json_object_new_int(s->pid));
        json_object_object_add(o, "bundle", json_object_new_string(s->bundle ? s->bundle : ""));
        struct json_object *ann = json_object_new_object();
        for (char *const *a = s->annotations; a && *a; a++) {
                _cleanup_free_ char *k = xstrndup(*a, strcspn(*a, "="));
                const char *v = *a + strlen(k);
                json_object_object_add(ann, k, json_object_new_string(*v ? v + 1 : ""));
        }
        json_object_object_add(o, "annotations", ann);
        char *out = xstrdup(json_object_to_json_string_ext(
                o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return out;
}

/* ---- the child ---------------------------------------------------------------------------- */

/* What the child sends back when it fails before execve. */
enum hook_step {
        STEP_NAMESPACES = 1,
        STEP_IDS,
        STEP_FORK,
        STEP_FDS,
        STEP_EXEC,
        STEP_SESSION,
        STEP_CGROUP,
        STEP_CONFINE,
};

struct hook_report {
        int32_t step;
        int32_t err; /* positive errno */
};

/* The hook's child failed before execve: report the step and errno to the parent, which logs
 * them naming the hook (at the level its stage calls for), and exit. */
static _noreturn_ void hook_child_exit(int report_fd, enum hook_step step, int err)
{
        struct hook_report r = {.step = step, .err = err < 0 ? -err : err};
        (void)write_all(report_fd, &r, sizeof(r));
        _exit(127);
}

/* The namespaces of pidfd's process that differ from ours: setns() refuses to re-enter our own
 * user namespace, and entering only what differs works for boxes with any set of namespaces. */
static int namespaces_to_enter(int pidfd, pid_t pid, int *ret)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/ns", (int)pid);
        _cleanup_close_ int dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        /* The pid may have been reused between pidfd_open() and open(): the pidfd still being
         * alive proves the directory is its process's. */
        if (sys_pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
                return -errno;
        return ns_differing(dfd, ret);
}

/* Runs in the forked child; never returns. */
static _noreturn_ void hook_child(const struct box_hook *h, int state_fd, int report_fd,
                                  pid_t nsenter_pid, const struct hook_confine *conf)
{
        static char *empty_env[] = {NULL};
        sigset_t all;
        int r;

        /* Own session (so own process group, which a timeout kills whole): a hook handed our
         * terminal as its stdout must not push input into it (TIOCSTI) or take it over. */
        if (setsid() < 0)
                hook_child_exit(report_fd, STEP_SESSION, -errno);
        /* The supervisor's blocked or ignored signals are none of the hook's business. */
        for (int sig = 1; sig < NSIG; sig++)
                (void)signal(sig, SIG_DFL);
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);

        /* dup2() onto itself would keep O_CLOEXEC. */
        if (state_fd == STDIN_FILENO ? fcntl(state_fd, F_SETFD, 0) < 0
                                     : dup2(state_fd, STDIN_FILENO) < 0)
                hook_child_exit(report_fd, STEP_FDS, -errno);
        /* Into the box's groups before anything runs: limits, accounting, device policy. */
        if (conf && (r = cgroup_join_self(conf->cgroup_fds, conf->n_cgroup_fds)) < 0)
                hook_child_exit(report_fd, STEP_CGROUP, r);
        int keep[] = {report_fd};
        r = close_fds_from(3, keep, ARRAY_SIZE(keep));
        if (r < 0)
                hook_child_exit(report_fd, STEP_FDS, r);

        if (nsenter_pid > 0) {
                int flags = 0;
                _cleanup_close_ int pidfd = sys_pidfd_open(nsenter_pid, 0);
                if (pidfd < 0)
                        hook_child_exit(report_fd, STEP_NAMESPACES, -errno);
                r = namespaces_to_enter(pidfd, nsenter_pid, &flags);
                if (r < 0)
                        hook_child_exit(report_fd, STEP_NAMESPACES, r);
                /* One atomic call (kernel >= 5.8): all of them or none. */
                if (flags && setns(pidfd, flags) < 0)
                        hook_child_exit(report_fd, STEP_NAMESPACES, -errno);
                /* Entering a user namespace leaves us an unmapped uid: be the box's root. */
                if ((flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                        hook_child_exit(report_fd, STEP_IDS, -errno);
                if ((flags & CLONE_NEWNS) && chdir("/") < 0)
                        hook_child_exit(report_fd, STEP_NAMESPACES, -errno);

                /* setns(CLONE_NEWPID) only moves our future children: fork once more, and
                 * pass the hook's fate on as our own. */
                if (flags & CLONE_NEWPID) {
                        pid_t pid = fork();
                        if (pid < 0)
                                hook_child_exit(report_fd, STEP_FORK, -errno);
                        if (pid > 0) {
                                int status;
                                while (waitpid(pid, &status, 0) < 0)
                                        if (errno != EINTR)
                                                _exit(127);
                                if (WIFEXITED(status))
                                        _exit(WEXITSTATUS(status));
                                /* No core file of ours for a signal the hook died of. */
                                prctl(PR_SET_DUMPABLE, 0);
                                raise(WTERMSIG(status));
                                _exit(128 + WTERMSIG(status));
                        }
                }
        }

        if (conf) {
                /* The box's capabilities, no_new_privs, AppArmor profile and seccomp filter,
                 * as root in the box: what its own processes get. */
                struct box_ids ids = {.uid = 0, .gid = 0};
                r = privs_drop(conf->c, conf->privs, &ids);
                if (r >= 0)
                        r = privs_seal(conf->c, conf->privs);
                if (r < 0)
                        hook_child_exit(report_fd, STEP_CONFINE, r);
        }
        execve(h->path ? h->path : h->argv[0], h->argv, h->env ? h->env : empty_env);
        hook_child_exit(report_fd, STEP_EXEC, -errno);
}

/* ---- the parent --------------------------------------------------------------------------- */

/* Waits for the hook's exit within timeout_usec (0 = forever); -ETIMEDOUT when it ran out. */
static int wait_with_timeout(int pidfd, uint64_t timeout_usec)
{
        uint64_t deadline = timeout_usec ? now_usec() + timeout_usec : 0;
        for (;;) {
                int ms = -1;
                if (deadline) {
                        uint64_t now = now_usec();
                        if (now >= deadline)
                                return -ETIMEDOUT;
                        /* Round up so we never spin on a sub-millisecond remainder. */
                        ms = (int)((deadline - now + 999) / 1000);
                }
                struct pollfd p = {.fd = pidfd, .events = POLLIN};
                int n = poll(&p, 1, ms);
                if (n > 0)
                        return 0;
                if (n < 0 && errno != EINTR)
                        return -errno;
        }
}

static void format_timeout(uint64_t usec, char *buf, size_t n)
{
        if (usec % 1000000 == 0)
                snprintf(buf, n, "%llus", (unsigned long long)(usec / 1000000));
        else
                snprintf(buf, n, "%llums", (unsigned long long)((usec + 999) / 1000));
}

static const char *step_what(enum hook_step s)
{
        switch (s) {
        case STEP_NAMESPACES:
                return "could not enter the box's namespaces";
        case STEP_IDS:
                return "could not become root in the box's user namespace";
        case STEP_FORK:
                return "could not fork into the box's pid namespace";
        case STEP_FDS:
                return "could not set up its file descriptors";
        case STEP_SESSION:
                return "could not start a session of its own";
        case STEP_CGROUP:
                return "could not join the box's cgroups";
        case STEP_CONFINE:
                return "could not take the box's capabilities, no_new_privs, AppArmor profile "
                       "and seccomp filter";
        case STEP_EXEC:
        default:
                return "could not be executed";
        }
}

static int run_one(const struct box_hook *h, int state_fd, pid_t nsenter_pid, bool fatal,
                   const struct hook_confine *conf)
{
        enum log_level lvl = fatal ? LOG_LVL_ERROR : LOG_LVL_WARNING;
        const char *stage = box_hook_stage_to_string(h->stage);
        int report[2], status, r;

        if (!h->argv || !h->argv[0])
                return log_errno(lvl, -EINVAL, "hook '%s' (%s) has no command", h->name, stage);
        /* A file description of its own: read-only, at offset 0, whatever an earlier hook (or
         * what it left running) did with its stdin. */
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", state_fd);
        _cleanup_close_ int stdin_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (stdin_fd < 0)
                return log_errno(lvl, -errno, "hook '%s' (%s): opening its stdin", h->name, stage);
        if (pipe2(report, O_CLOEXEC) < 0)
                return log_errno(lvl, -errno, "hook '%s' (%s): pipe", h->name, stage);
        _cleanup_close_ int report_r = report[0];

        pid_t pid = fork();
        if (pid < 0) {
                close(report[1]);
                return log_errno(lvl, -errno, "hook '%s' (%s): fork", h->name, stage);
        }
        if (pid == 0)
                hook_child(h, stdin_fd, report[1], nsenter_pid, conf);
        close(report[1]);

        _cleanup_close_ int pidfd = sys_pidfd_open(pid, 0);
        r = pidfd < 0 ? -errno : wait_with_timeout(pidfd, h->timeout_usec);
        if (r < 0) {
                /* Timed out (or cannot wait): nothing the hook started may stay behind. */
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_errno(lvl, -errno, "hook '%s' (%s): waiting", h->name, stage);

        if (r == -ETIMEDOUT) {
                char t[32];
                format_timeout(h->timeout_usec, t, sizeof(t));
                log_msg(lvl, "hook '%s' (%s) was killed after the %s timeout", h->name, stage, t);
                return r;
        }
        if (r < 0)
                return log_errno(lvl, r, "hook '%s' (%s): waiting", h->name, stage);

        struct hook_report rep;
        if (RETRY_EINTR(read(report_r, &rep, sizeof(rep))) == (long)sizeof(rep) && rep.err > 0)
                return log_errno(lvl, -rep.err, "hook '%s' (%s) %s", h->name, stage,
                                 step_what((enum hook_step)rep.step));
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
                log_msg(lvl, "hook '%s' (%s) exited with status %d", h->name, stage,
                        WEXITSTATUS(status));
                return -ECHILD;
        }
        if (WIFSIGNALED(status)) {
                log_msg(lvl, "hook '%s' (%s) was killed by signal %s", h->name, stage,
                        sigabbrev_np(WTERMSIG(status)) ?: "?");
                return -ECHILD;
        }
        return 0;
}

int hooks_run(const struct box_config *c, enum box_hook_stage stage, const struct hook_state *st,
              pid_t nsenter_pid, bool fatal)
{
        return hooks_run_confined(c, stage, st, nsenter_pid, fatal, NULL);
}

int hooks_run_confined(const struct box_config *c, enum box_hook_stage stage,
                       const struct hook_state *st, pid_t nsenter_pid, bool fatal,
                       const struct hook_confine *conf)
{
        _cleanup_free_ char *json = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        for (size_t i = 0; i < c->n_hooks; i++) {
                const struct box_hook *h = &c->hooks[i];
                if (h->stage != stage)
                        continue;
                if (fd < 0) {
                        /* Built once, on the first hook of the stage. */
                        json = hook_state_json(st);
                        fd = memfd_create("hook-state", MFD_CLOEXEC);
                        r = fd < 0 ? -errno : write_all(fd, json, strlen(json));
                        if (r < 0) {
                                log_errno(fatal ? LOG_LVL_ERROR : LOG_LVL_WARNING, r,
                                          "preparing the state for the %s hooks",
                                          box_hook_stage_to_string(stage));
                                return fatal ? r : 0;
                        }
                }
                /* The spec: a failing prestart/create/start hook stops the launch; the
                 * others are warnings and the remaining hooks still run. */
                r = run_one(h, fd, nsenter_pid, fatal, conf);
                if (r < 0 && fatal)
                        return r;
        }
        return 0;
}
