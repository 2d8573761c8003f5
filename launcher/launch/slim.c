/* slim.c - slimming: a supervisor whose box has been up a while executes the slim supervisor
 * (supervisor/stubsup.c, from the stub init's shared sealed image) in its own place, and that
 * one executes boxlaunch again for the clean-up once PID 1 is gone (launch_finish()).
 *
 * Why: a thousand idle boxes held a thousand supervisors, each ~150 KiB of its own (the static
 * PIE's relocated data, heap, stack and their page tables) for a loop that only waits. The slim
 * one holds a few pages. The process stays the same (the box's parent, the pid in the state
 * file, systemd's main pid); the box's PID 1, the state file's lock and the blocked and pending
 * signals carry over the execve.
 *
 * Only a box whose end needs nothing the state file cannot tell slims: no terminal or readiness
 * relay, no poststop hooks, no network to undo, not an OCI container. */
#include "launch/launch_internal.h"

#include "cgroup/cgroup.h"
#include "core/exitcodes.h"
#include "core/state.h"
#include "launch/launch.h"
#include "launch/net.h"
#include "supervisor/stubimage.h"
#include "supervisor/stubsup.h"
#include "supervisor/supervise.h"
#include "util/log.h"
#include "util/parse.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

bool launch_can_slim(const struct launch *l)
{
        const struct box_config *c = l->c;
        for (size_t i = 0; i < c->n_hooks; i++)
                if (c->hooks[i].stage == BOX_HOOK_POSTSTOP)
                        return false;
        return !l->oci && !l->keep && l->state.fd >= 0 && l->pidfd >= 0 && l->pty_master < 0 &&
               l->notify_fd < 0 && !net_needs_release(&l->net);
}

static int inheritable(int fd, bool on)
{
        return fcntl(fd, F_SETFD, on ? 0 : FD_CLOEXEC) < 0 ? -errno : 0;
}

/* The clean-up steps for the slim supervisor (stubsup.h): the groups as cgroup_destroy() would
 * remove them, then what state_release() removes of a box that can slim: the console log and
 * the state file. NULL if the groups' end is not that simple. */
static char **end_steps(const struct launch *l)
{
        struct cgroup_end_step *s = NULL;
        size_t n = 0;
        if (cgroup_end_plan(l->cg, &s, &n) < 0)
                return NULL;
        char **v = xcalloc(2 * n + 5, sizeof(char *));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const char *what = s[i].what == CGROUP_END_RMDIR        ? STUBSUP_RMDIR
                                   : s[i].what == CGROUP_END_RMDIR_IDLE ? STUBSUP_RMDIR_IDLE
                                                                        : STUBSUP_OOM;
                v[k++] = xstrdup(what);
                v[k++] = TAKE_PTR(s[i].path);
        }
        cgroup_end_plan_free(s, n);
        v[k++] = xstrdup(STUBSUP_UNLINK);
        v[k++] = state_side_path(l->c->name, "log");
        v[k++] = xstrdup(STUBSUP_UNLINK);
        v[k++] = state_path(l->c->name);
        return v;
}

void launch_slim(void *userdata)
{
        struct launch *l = userdata;
        /* The image another box runs as PID 1, most likely our own box's. */
        _cleanup_close_ int img = stubinit_memfd_shared();
        _cleanup_close_ int exe = open("/proc/self/exe", O_PATH | O_CLOEXEC);
        _cleanup_strv_ char **steps = end_steps(l);
        if (img < 0 || exe < 0 || !steps) {
                log_errno(LOG_LVL_DEBUG,
                          img < 0   ? img
                          : exe < 0 ? -errno
                                    : -ENOTSUP,
                          "Not slimming the supervisor");
                return;
        }
        const int fds[] = {l->pidfd, l->state.fd, exe};
        int r = 0;
        for (size_t i = 0; i < ARRAY_SIZE(fds) && r >= 0; i++)
                r = inheritable(fds[i], true);
        if (r >= 0)
                r = stubsup_exec(img, l->c->name, l->pid, l->pidfd, l->state.fd, exe,
                                 box_config_kill_signal(l->c), l->c->stop_timeout_usec, l->c->boot,
                                 steps);
        for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
                (void)inheritable(fds[i], false);
        log_errno(LOG_LVL_DEBUG, r, "Not slimming the supervisor");
}

/* Is fd the state file of `name`, locked by us (flock on an open file description we share
 * succeeds; one another process holds does not)? */
static bool holds_lock(const char *name, int fd)
{
        _cleanup_free_ char *path = state_path(name);
        struct stat a, b;
        return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino && flock(fd, LOCK_EX | LOCK_NB) == 0;
}

/* launch_report_oom() with the configuration the state file holds. */
static void report_oom(const char *name, const char *json, uint64_t ooms)
{
        struct box_config c;
        if (state_parse_config(name, json, true, &c) == 0)
                launch_report_oom(&c, ooms);
        box_config_free(&c);
}

int launch_finish(int argc, char **argv)
{
        int fd, code, status, boot;
        if (argc != 7 || !box_name_valid(argv[2]) || parse_int(argv[3], 0, INT32_MAX, &fd) < 0 ||
            parse_int(argv[4], 0, 255, &code) < 0 || parse_int(argv[5], 0, 255, &status) < 0 ||
            parse_int(argv[6], 0, 1, &boot) < 0) {
                log_error(
                        "usage: boxlaunch __finish NAME LOCKFD SI_CODE SI_STATUS BOOT (internal)");
                return EXIT_SETUP_FAILED;
        }
        const char *name = argv[2];
        if (!holds_lock(name, fd)) {
                log_error("__finish: fd %d is not the locked state file of box '%s'", fd, name);
                return EXIT_SETUP_FAILED;
        }
        (void)inheritable(fd, false);
        struct box_state s = {.name = xstrdup(name), .fd = fd};

        struct state_record rec = {0};
        struct box_cgroup *cg = NULL;
        if (state_read(name, &rec) == 0 && rec.cgroup &&
            cgroup_open_box(CGROUP_ROOT, rec.cgroup, &cg) == 0) {
                uint64_t ooms = 0;
                if (cgroup_oom_kills(cg, &ooms) == 0 && ooms > 0)
                        report_oom(name, rec.config, ooms);
                /* PID 1 is gone: kills whatever it left and removes the groups. */
                cgroup_destroy(cg);
        }
        state_record_done(&rec);
        state_release(&s);
        return supervise_exit_code(code, status, boot);
}
