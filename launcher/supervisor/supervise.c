/* supervise.c - boxlaunch's loop while the box runs. */
#include "supervisor/supervise.h"
#include "core/exitcodes.h"
#include "util/syscalls.h"
#include "util/log.h"
#include "util/signals.h"
#include "supervisor/tty.h"

#include <malloc.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static const int handled[] = {SIGCHLD, SIGTERM, SIGINT,   SIGHUP, SIGQUIT,
                              SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

static void handled_set(sigset_t *s)
{
        sigemptyset(s);
        for (size_t i = 0; i < ARRAY_SIZE(handled); i++)
                sigaddset(s, handled[i]);
}

int supervise_block_signals(sigset_t *old)
{
        sigset_t s;
        handled_set(&s);
        /* A relay writing to a closed stdout must see EPIPE, not die. */
        if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
                return -errno;
        if (sigprocmask(SIG_BLOCK, &s, old) < 0)
                return -errno;
        return 0;
}

int supervise_exit_code(int code, int status, bool boot)
{
        if (code == CLD_EXITED)
                /* 133 means "reboot me" to the service manager: only a real reboot says it. */
                return status == EXIT_BOX_REBOOT ? 1 : status;
        if (boot && status == SIGINT)
                return 0; /* reboot(2) poweroff/halt inside the pid namespace */
        if (boot && status == SIGHUP)
                return EXIT_BOX_REBOOT; /* reboot(2) restart */
        return 128 + status;
}

/* Through the pidfd when there is one: it cannot hit a recycled pid. */
static int send_signal(const struct supervise_params *p, int sig)
{
        int r;
        if (p->pidfd >= 0)
                r = sys_pidfd_send_signal(p->pidfd, sig, NULL, 0);
        else
                r = kill(p->pid, sig);
        if (r < 0 && errno != ESRCH) {
                char buf[16];
                return log_warn_errno(-errno, "Failed to send %s to the box",
                                      signal_to_string(sig, buf));
        }
        return 0;
}

/* 1 and *ret_code set when PID 1 is gone, 0 while it runs. Other children are left alone. */
static int check_exit(const struct supervise_params *p, int *ret_code)
{
        siginfo_t si = {0};
        if (RETRY_EINTR(waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG)) < 0)
                return -errno;
        if (si.si_pid != p->pid)
                return 0;
        *ret_code = supervise_exit_code(si.si_code, si.si_status, p->boot);
        return 1;
}

struct state {
        const struct supervise_params *p;
        bool stopping;
        uint64_t kill_deadline; /* 0 = none */
        uint64_t slim_at;       /* 0 = never (again) */
        struct tty_relay *relay;
};

static void begin_stop(struct state *s, int sig)
{
        char buf[16];
        if (s->stopping) {
                log_info("Received %s again, killing the box.", signal_to_string(sig, buf));
                (void)send_signal(s->p, SIGKILL);
                s->kill_deadline = 0;
                return;
        }
        s->stopping = true;
        log_debug("Received %s, stopping the box.", signal_to_string(sig, buf));
        if (s->p->on_stop)
                (void)s->p->on_stop(s->p->userdata);
        int ks = s->p->kill_signal > 0 ? s->p->kill_signal : SIGTERM;
        (void)send_signal(s->p, ks);
        /* 0 (as systemd's TimeoutStopSec=0) or "infinity" = no timeout; a second signal still
         * escalates. */
        if (ks != SIGKILL && s->p->stop_timeout_usec > 0 &&
            s->p->stop_timeout_usec < UINT64_MAX / 2)
                s->kill_deadline = now_usec() + s->p->stop_timeout_usec;
}

static int handle_signals(struct state *s, int sfd, bool *child)
{
        struct signalfd_siginfo si;
        for (;;) {
                ssize_t k = read(sfd, &si, sizeof(si));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return 0;
                if (k != (ssize_t)sizeof(si))
                        return k < 0 ? -errno : -EIO;

                int sig = (int)si.ssi_signo;
                switch (sig) {
                case SIGCHLD:
                        *child = true;
                        break;
                case SIGTERM:
                case SIGINT:
                case SIGHUP:
                        begin_stop(s, sig);
                        break;
                default:
                        if (sig == SIGWINCH && s->relay)
                                tty_relay_winch(s->relay);
                        else
                                (void)send_signal(s->p, sig);
                }
        }
}

static int watch(int epfd, int fd)
{
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* Puts the signalfd, the pidfd, the watched fd and the terminal relay on epfd. */
static int watch_all(struct state *s, int sfd, int epfd)
{
        const struct supervise_params *p = s->p;
        int r = watch(epfd, sfd);
        if (r >= 0 && p->pidfd >= 0)
                r = watch(epfd, p->pidfd);
        if (r >= 0 && p->watch_fd >= 0 && p->on_watch)
                r = watch(epfd, p->watch_fd);
        if (r < 0 || p->pty_master < 0)
                return r;
        r = tty_relay_new(p->pty_master, p->read_only_console, &s->relay);
        if (r >= 0 && p->boot)
                r = tty_relay_ignore_vhangup(s->relay);
        if (r >= 0)
                r = tty_relay_add(s->relay, epfd);
        return r;
}

/* Gives back the stack pages the start touched below the loop's frames (its deepest calls went
 * further down than the loop does; what the loop touches later comes back zeroed, as stack
 * below the pointer may). Two pages below this frame stay, for the call to madvise itself; the
 * kernel keeps a guard gap of 1 MiB below the stack, so nothing else lies in the range. */
static void __attribute__((noinline)) stack_trim(void)
{
        const uintptr_t page = (uintptr_t)getpagesize(), len = 256 * 1024;
        uintptr_t end = ((uintptr_t)__builtin_frame_address(0) & ~(page - 1)) - 2 * page;
        (void)madvise((void *)(end - len), len, MADV_DONTNEED); /* ENOMEM for the unmapped part */
}

int supervise(const struct supervise_params *p)
{
        struct state s = {.p = p};
        int code = -1, r;
        sigset_t mask;

        if (p->pid <= 0)
                return -EINVAL;
        /* The supervisor lives as long as the box: give back the heap pages the set-up used
         * (a thousand idle boxes hold a thousand supervisors; 16 KiB each here). */
        malloc_trim(0);
        stack_trim();

        handled_set(&mask);
        _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        _cleanup_close_ int epfd = epoll_create1(EPOLL_CLOEXEC);
        r = sfd < 0 || epfd < 0 ? -errno : watch_all(&s, sfd, epfd);
        if (r < 0)
                goto fail;

        if (p->slim && p->slim_after_usec && !s.relay)
                s.slim_at = now_usec() + p->slim_after_usec;
        /* PID 1 may already be gone (its SIGCHLD is queued, but this is cheaper to reason about). */
        r = check_exit(p, &code);
        while (r == 0) {
                int timeout = -1;
                uint64_t next = s.kill_deadline;
                /* Not once the box is stopping: it never slims then. */
                if (s.slim_at && !s.stopping && (!next || s.slim_at < next))
                        next = s.slim_at;
                if (next) {
                        uint64_t now = now_usec();
                        uint64_t ms = now >= next ? 0 : (next - now + 999) / 1000;
                        timeout = ms > INT32_MAX ? INT32_MAX : (int)ms;
                }

                struct epoll_event evs[8];
                int n = epoll_wait(epfd, evs, ARRAY_SIZE(evs), timeout);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto fail;
                }
                if (s.kill_deadline && now_usec() >= s.kill_deadline) {
                        log_info("The box did not stop in time, killing it.");
                        (void)send_signal(p, SIGKILL);
                        s.kill_deadline = 0;
                }

                bool child = false;
                for (int i = 0; i < n; i++) {
                        int fd = evs[i].data.fd;
                        if (fd == sfd) {
                                r = handle_signals(&s, sfd, &child);
                                if (r < 0)
                                        goto fail;
                        } else if (fd == p->pidfd) {
                                child = true;
                        } else if (fd == p->watch_fd && p->watch_fd >= 0 && p->on_watch) {
                                p->on_watch(p->userdata);
                        } else if (s.relay && tty_relay_owns_fd(s.relay, fd)) {
                                r = tty_relay_dispatch(s.relay, fd, evs[i].events);
                                if (r < 0) {
                                        /* Lose the console, not the box. */
                                        log_warn_errno(r, "Terminal relay failed");
                                        tty_relay_free(TAKE_PTR(s.relay));
                                }
                                /* r == 1: the box closed its console; PID 1 may live on, and
                                 * the hung-up master is out of the epoll set already. */
                        }
                }
                r = child ? check_exit(p, &code) : 0;
                /* Signals read from the signalfd are handled by now; those still queued stay
                 * pending across the execve, for the slim supervisor's signalfd. */
                if (r == 0 && s.slim_at && !s.stopping && now_usec() >= s.slim_at) {
                        s.slim_at = 0;
                        p->slim(p->userdata); /* returns only if it could not */
                }
        }
        if (r < 0)
                goto fail;
        tty_relay_free(s.relay); /* writes the last output, restores the terminal */
        return code;

fail:
        /* The caller cannot supervise a box it lost track of: do not leave it running. */
        (void)send_signal(p, SIGKILL);
        (void)RETRY_EINTR(waitpid(p->pid, NULL, 0));
        tty_relay_free(s.relay);
        return r;
}
