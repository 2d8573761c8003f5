/* tty.c - the host-side terminal relay between boxlaunch's terminal and the box's pty. */
#include "supervisor/tty.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>

#define RELAY_BUF 4096

/* One per process: there is one host terminal, and fatal paths restore it without a handle. */
static struct {
        bool in_saved, out_saved;
        struct termios in, out;
} saved;

void tty_restore_saved(void)
{
        int e = errno; /* callable from signal handlers */
        if (saved.in_saved)
                (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved.in);
        if (saved.out_saved)
                (void)tcsetattr(STDOUT_FILENO, TCSANOW, &saved.out);
        saved.in_saved = saved.out_saved = false;
        errno = e;
}

struct watch {
        int fd;
        bool on;       /* registered in the epoll set */
        bool owned;    /* a reopened copy we close */
        bool pollable; /* epoll accepts it (regular files are not, and never block) */
        uint32_t ev;
};

struct buffer {
        char data[RELAY_BUF];
        size_t len;
};

struct tty_relay {
        bool read_only;
        bool in_eof, master_hup, out_dead;
        bool ignore_vhangup; /* boot mode: the guest's init hangs the console up on purpose */
        bool master_paused;  /* hung up for now: re-armed by the timer */
        int epfd;
        struct watch in, master, out, timer;
        struct buffer to_box, to_host;
};

static int watch_set(int epfd, struct watch *w, bool want, uint32_t ev)
{
        if (epfd < 0 || w->fd < 0 || !w->pollable)
                return 0;
        if (!want) {
                if (w->on)
                        (void)epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
                w->on = false;
                return 0;
        }
        if (w->on && w->ev == ev)
                return 0;
        struct epoll_event e = {.events = ev, .data.fd = w->fd};
        if (epoll_ctl(epfd, w->on ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, w->fd, &e) < 0) {
                if (errno == EPERM && !w->on) {
                        w->pollable = false; /* regular file: always ready */
                        return 0;
                }
                return -errno;
        }
        w->on = true;
        w->ev = ev;
        return 0;
}

/* Interest follows buffer state, so level-triggered epoll never spins on a full buffer. */
static int update_interest(struct tty_relay *t)
{
        int r;
        bool in_want = !t->read_only && !t->in_eof && !t->master_hup;
        r = watch_set(t->epfd, &t->in, in_want && t->to_box.len < RELAY_BUF, EPOLLIN);
        if (r < 0)
                return r;
        uint32_t mev =
                (t->to_host.len < RELAY_BUF ? EPOLLIN : 0) | (t->to_box.len > 0 ? EPOLLOUT : 0);
        /* With nothing asked for, a hung-up master would still report EPOLLHUP: take it out. */
        r = watch_set(t->epfd, &t->master, !t->master_hup && !t->master_paused && mev, mev);
        if (r < 0)
                return r;
        r = watch_set(t->epfd, &t->timer, t->master_paused, EPOLLIN);
        if (r < 0)
                return r;
        return watch_set(t->epfd, &t->out, !t->out_dead && t->to_host.len > 0, EPOLLOUT);
}

/* One read: safe on a blocking fd after a readiness report. 1 data, 0 nothing, -1 EOF/error. */
static int fill(int fd, struct buffer *b)
{
        if (b->len >= RELAY_BUF)
                return 0;
        ssize_t k = read(fd, b->data + b->len, RELAY_BUF - b->len);
        if (k > 0) {
                b->len += (size_t)k;
                return 1;
        }
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        return -1; /* EOF, or EIO from a master whose slaves are all closed */
}

/* 0 ok or would block, -1 the fd is unusable (data dropped). */
static int flush(int fd, struct buffer *b)
{
        while (b->len > 0) {
                ssize_t k = write(fd, b->data, b->len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        b->len = 0;
                        return -1;
                }
                memmove(b->data, b->data + k, b->len - (size_t)k);
                b->len -= (size_t)k;
        }
        return 0;
}

static void flush_all(struct tty_relay *t)
{
        if (t->to_box.len > 0 && !t->master_hup && flush(t->master.fd, &t->to_box) < 0)
                t->to_box.len = 0;
        if (t->to_host.len > 0 && !t->out_dead && flush(t->out.fd, &t->to_host) < 0)
                t->out_dead = true;
        if (t->out_dead)
                t->to_host.len = 0;
}

/* A private open file description of fd 0 or 1, so O_NONBLOCK does not leak into the shell that
 * shares the original one. Regular files are not reopened (the offset would not be shared). */
static struct watch watch_stdio(int fd, int flags)
{
        struct watch w = {.fd = fd, .pollable = true};
        struct stat st;
        char path[32];

        if (fstat(fd, &st) < 0)
                return (struct watch){.fd = -1};
        if (S_ISREG(st.st_mode))
                return w;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        int copy = open(path, flags | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (copy >= 0) {
                w.fd = copy;
                w.owned = true;
        }
        return w;
}

static bool same_tty(int a, int b)
{
        struct stat sa, sb;
        return isatty(a) && isatty(b) && fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
               sa.st_rdev == sb.st_rdev;
}

void tty_relay_winch(struct tty_relay *t)
{
        struct winsize ws;
        if (!t || t->master_hup)
                return;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
                return;
        (void)ioctl(t->master.fd, TIOCSWINSZ, &ws);
}

int tty_relay_new(int master, bool read_only, struct tty_relay **ret)
{
        if (master < 0)
                return -EBADF;
        int fl = fcntl(master, F_GETFL);
        if (fl < 0 || fcntl(master, F_SETFL, fl | O_NONBLOCK) < 0)
                return -errno;

        _cleanup_(tty_relay_freep) struct tty_relay *t = xcalloc(1, sizeof(*t));
        t->read_only = read_only;
        t->epfd = -1;
        t->master = (struct watch){.fd = master, .pollable = true};
        t->in = (struct watch){.fd = -1};
        t->timer = (struct watch){.fd = -1};
        t->out = watch_stdio(STDOUT_FILENO, O_WRONLY);
        if (t->out.fd < 0)
                t->out_dead = true;
        if (!read_only) {
                t->in = watch_stdio(STDIN_FILENO, O_RDONLY);
                if (t->in.fd < 0)
                        t->in_eof = true;
        }

        if (!saved.in_saved && !saved.out_saved) {
                saved.in_saved = tcgetattr(STDIN_FILENO, &saved.in) == 0;
                saved.out_saved = tcgetattr(STDOUT_FILENO, &saved.out) == 0;
        }
        /* Read-only keeps the terminal cooked: nothing is read from it and ^C must still reach
         * boxlaunch. */
        if (!read_only && saved.in_saved) {
                struct termios raw = saved.in;
                cfmakeraw(&raw);
                /* Keep output processing when stdin is also the output terminal. */
                if (same_tty(STDIN_FILENO, STDOUT_FILENO))
                        raw.c_oflag = saved.in.c_oflag;
                if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
                        return -errno;
        }
        tty_relay_winch(t);
        *ret = TAKE_PTR(t);
        return 0;
}

int tty_relay_add(struct tty_relay *t, int epfd)
{
        t->epfd = epfd;
        return update_interest(t);
}

bool tty_relay_owns_fd(const struct tty_relay *t, int fd)
{
        return t && fd >= 0 &&
               (fd == t->in.fd || fd == t->master.fd || fd == t->out.fd || fd == t->timer.fd);
}

int tty_relay_ignore_vhangup(struct tty_relay *t)
{
        /* A booted systemd vhangup()s /dev/console before it starts a getty there: the master
         * then reads EIO until the slave is opened again. Level-triggered epoll would spin on
         * that hangup, so the master is parked and looked at again every 100 ms. */
        t->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (t->timer.fd < 0)
                return -errno;
        t->timer.owned = t->timer.pollable = true;
        t->ignore_vhangup = true;
        return 0;
}

int tty_relay_dispatch(struct tty_relay *t, int fd, uint32_t events)
{
        if (fd == t->in.fd && !t->read_only && !t->in_eof) {
                if (fill(t->in.fd, &t->to_box) < 0)
                        t->in_eof = true; /* host stdin closed: stop reading, keep relaying */
        } else if (fd == t->master.fd && !t->master_hup) {
                if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && fill(fd, &t->to_host) < 0) {
                        if (t->ignore_vhangup && errno == EIO) {
                                struct itimerspec its = {.it_value = {0, 100 * 1000 * 1000}};
                                t->master_paused = true;
                                (void)timerfd_settime(t->timer.fd, 0, &its, NULL);
                        } else {
                                t->master_hup = true;
                        }
                }
        } else if (fd == t->timer.fd) {
                uint64_t ticks;
                (void)!read(t->timer.fd, &ticks, sizeof(ticks));
                t->master_paused = false;
        } else if (fd == t->out.fd && (events & (EPOLLERR | EPOLLHUP)) && t->to_host.len == 0) {
                t->out_dead = true; /* the host terminal went away */
        }
        flush_all(t);
        /* Stdout that epoll refused (regular file) never blocks, so keep going while data comes. */
        int r = update_interest(t);
        if (r < 0)
                return r;
        return t->master_hup && t->to_host.len == 0 ? 1 : 0;
}

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The last output of the box must not be lost, but a stuck terminal must not hang us either.
 * The pty moves data to the master asynchronously, so wait briefly for more until the hangup
 * (EIO once every slave is closed) or 100 ms of silence. */
static void drain(struct tty_relay *t)
{
        long long deadline = now_ms() + 1000;
        while (!t->out_dead && now_ms() < deadline) {
                if (t->to_host.len == 0) {
                        if (t->master_hup)
                                break;
                        struct pollfd p = {.fd = t->master.fd, .events = POLLIN};
                        if (poll(&p, 1, 100) <= 0)
                                break;
                        if (fill(t->master.fd, &t->to_host) < 0)
                                t->master_hup = true;
                        continue;
                }
                flush_all(t);
                if (t->to_host.len > 0) {
                        struct pollfd p = {.fd = t->out.fd, .events = POLLOUT};
                        (void)poll(&p, 1, 100);
                }
        }
}

void tty_relay_free(struct tty_relay *t)
{
        if (!t)
                return;
        if (t->master.fd >= 0)
                drain(t);
        (void)watch_set(t->epfd, &t->in, false, 0);
        (void)watch_set(t->epfd, &t->master, false, 0);
        (void)watch_set(t->epfd, &t->out, false, 0);
        (void)watch_set(t->epfd, &t->timer, false, 0);
        if (t->timer.owned)
                close(t->timer.fd);
        tty_restore_saved();
        if (t->in.owned)
                close(t->in.fd);
        if (t->out.owned)
                close(t->out.fd);
        free(t);
}
