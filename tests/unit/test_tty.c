/* test_tty.c - pty allocation on a private devpts, fd passing, and the terminal relay between a
 * fake host terminal (a pty whose slave is the child's fds 0/1) and a fake box pty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test_fork.h"
#include "launch/console.h"
#include "supervisor/tty.h"
#include "util/fdpass.h"

/* Checks inside forked children: report and exit non-zero, never longjmp out of a child. */
#define CHECK(x)                                                                                   \
        do {                                                                                       \
                if (!(x)) {                                                                        \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x);      \
                        _exit(1);                                                                  \
                }                                                                                  \
        } while (0)

static int wait_child(pid_t pid)
{
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int count_fds(void)
{
        int n = 0;
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        while ((de = readdir(d)))
                n += de->d_name[0] != '.';
        closedir(d);
        return n - 1; /* the directory itself */
}

static bool cloexec(int fd)
{
        return fcntl(fd, F_GETFD) & FD_CLOEXEC;
}

/* A pty pair from the host's devpts (tests only: the box uses console_pty_open on its own). */
static void host_pty(int *m, int *s)
{
        *m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(*m >= 0);
        int unlock = 0;
        assert_int_equal(ioctl(*m, TIOCSPTLCK, &unlock), 0);
        *s = ioctl(*m, _IO('T', 0x41), O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert_true(*s >= 0);
}

static void test_open_pty(void **state)
{
        if (geteuid() != 0)
                skip();
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* A fresh devpts instance on /dev/pts, visible to this child only. */
                CHECK(unshare(CLONE_NEWNS) == 0);
                CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
                CHECK(mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                            "newinstance,ptmxmode=0666,mode=620") == 0);

                struct winsize ws = {.ws_row = 33, .ws_col = 111};
                int m = -1, s = -1;
                CHECK(console_pty_open(&m, &s, &ws) == 0);
                CHECK(cloexec(m) && cloexec(s));
                int n = -1;
                CHECK(ioctl(m, TIOCGPTN, &n) == 0 && n == 0); /* first pty of the instance */
                struct winsize got;
                CHECK(ioctl(m, TIOCGWINSZ, &got) == 0);
                CHECK(got.ws_row == 33 && got.ws_col == 111);
                /* The slave is not our controlling tty (O_NOCTTY). */
                pid_t sid = 0;
                CHECK(ioctl(s, TIOCGSID, &sid) < 0 && errno == ENOTTY);
                /* Data passes. */
                struct termios t;
                CHECK(tcgetattr(s, &t) == 0);
                cfmakeraw(&t);
                CHECK(tcsetattr(s, TCSANOW, &t) == 0);
                CHECK(write(m, "ping", 4) == 4);
                char buf[8] = {0};
                CHECK(read(s, buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0);

                /* A second one gets pts/1; no size requested keeps 0x0. */
                int m2, s2;
                CHECK(console_pty_open(&m2, &s2, NULL) == 0);
                CHECK(ioctl(m2, TIOCGPTN, &n) == 0 && n == 1);
                _exit(0);
        }
        assert_int_equal(wait_child(pid), 0);
}

static void test_open_pty_rejects(void **state)
{
        int m = -7, s = -7;
        /* The host's /dev/ptmx is a devtmpfs node, not devpts's own ptmx. */
        struct stat st;
        if (lstat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode))
                assert_int_equal(console_pty_open_at("/dev/ptmx", &m, &s, NULL), -EINVAL);
        assert_int_equal(console_pty_open_at("/dev/null", &m, &s, NULL), -EINVAL);
        assert_int_equal(console_pty_open_at("/nonexistent/ptmx", &m, &s, NULL), -ENOENT);
        assert_int_equal(m, -7);
        assert_int_equal(s, -7);
}

static void test_fd_passing(void **state)
{
        int sp[2], p[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        int before = count_fds();

        /* fd + data */
        assert_int_equal(fd_send(sp[0], p[1], "pts/0", 5), 0);
        char buf[64] = {0};
        int fd = -1;
        assert_int_equal(fd_recv(sp[1], &fd, buf, sizeof(buf)), 5);
        assert_memory_equal(buf, "pts/0", 5);
        assert_true(fd >= 0 && fd != p[1]);
        assert_true(cloexec(fd));
        assert_int_equal(write(fd, "x", 1), 1);
        assert_int_equal(read(p[0], buf, 1), 1);
        assert_int_equal(buf[0], 'x');
        close(fd);

        /* data only */
        assert_int_equal(fd_send(sp[0], -1, "abc", 3), 0);
        assert_int_equal(fd_recv(sp[1], &fd, buf, sizeof(buf)), 3);
        assert_int_equal(fd, -1);

        /* fd only */
        assert_int_equal(fd_send(sp[0], p[1], NULL, 0), 0);
        assert_int_equal(fd_recv(sp[1], &fd, NULL, 0), 0);
        assert_true(fd >= 0);
        close(fd);

        /* data truncated: error, and the fd that came with it is closed */
        assert_int_equal(fd_send(sp[0], p[1], "0123456789", 10), 0);
        assert_int_equal(fd_recv(sp[1], &fd, buf, 4), -EMSGSIZE);
        assert_int_equal(fd, -1);

        /* two fds in one message: protocol error, neither leaks */
        int two[2] = {p[0], p[1]};
        union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(two))];
        } ctl = {0};
        struct iovec iov = {.iov_base = "z", .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = ctl.b,
                             .msg_controllen = sizeof(ctl.b)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(two));
        memcpy(CMSG_DATA(c), two, sizeof(two));
        assert_int_equal(sendmsg(sp[0], &msg, 0), 1);
        assert_int_equal(fd_recv(sp[1], &fd, buf, sizeof(buf)), -EPROTO);
        assert_int_equal(fd, -1);

        assert_int_equal(count_fds(), before);

        /* EOF */
        close(sp[0]);
        assert_int_equal(fd_recv(sp[1], &fd, buf, sizeof(buf)), 0);
        assert_int_equal(fd, -1);
        close(sp[1]);
        close(p[0]);
        close(p[1]);
}

static void test_fds_passing(void **state)
{
        int sp[2], p[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        int before = count_fds();

        /* several fds in one message, in order */
        int three[3] = {p[0], p[1], p[1]}, got[4] = {-1, -1, -1, -1};
        size_t n = 99;
        char buf[16];
        assert_int_equal(fds_send(sp[0], three, 3, "go", 2), 0);
        assert_int_equal(fds_recv(sp[1], got, 4, &n, buf, sizeof(buf)), 2);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++)
                assert_true(got[i] >= 0 && cloexec(got[i]));
        assert_int_equal(write(got[2], "y", 1), 1);
        assert_int_equal(read(got[0], buf, 1), 1);
        assert_int_equal(buf[0], 'y');
        close_many(got, (int)n);
        assert_int_equal(count_fds(), before);

        /* none */
        assert_int_equal(fds_send(sp[0], NULL, 0, "x", 1), 0);
        assert_int_equal(fds_recv(sp[1], got, 4, &n, buf, sizeof(buf)), 1);
        assert_int_equal(n, 0);

        /* more than the receiver takes: a protocol error, and none of them leaks */
        assert_int_equal(fds_send(sp[0], three, 3, "go", 2), 0);
        assert_int_equal(fds_recv(sp[1], got, 2, &n, buf, sizeof(buf)), -EPROTO);
        assert_int_equal(n, 0);
        assert_int_equal(count_fds(), before);

        /* more than one message can carry */
        int many[FDS_MAX + 1];
        for (size_t i = 0; i < ARRAY_SIZE(many); i++)
                many[i] = p[0];
        assert_int_equal(fds_send(sp[0], many, ARRAY_SIZE(many), "z", 1), -E2BIG);

        close(sp[0]);
        close(sp[1]);
        close(p[0]);
        close(p[1]);
}

static bool termios_equal(const struct termios *a, const struct termios *b)
{
        return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag &&
               a->c_lflag == b->c_lflag && memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc)) == 0 &&
               cfgetispeed(a) == cfgetispeed(b) && cfgetospeed(a) == cfgetospeed(b);
}

static void read_exact(int fd, char *buf, size_t n)
{
        size_t got = 0;
        while (got < n) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                assert_int_equal(poll(&p, 1, 5000), 1);
                ssize_t k = read(fd, buf + got, n - got);
                assert_true(k > 0);
                got += (size_t)k;
        }
}

/* The child: fds 0/1 are the "host terminal" (slave of pty H); relays to the "box" master. */
static _Noreturn void relay_child(int host_slave, int box_master, int sync_fd)
{
        CHECK(dup2(host_slave, 0) == 0 && dup2(host_slave, 1) == 1);
        struct termios before, during;
        CHECK(tcgetattr(0, &before) == 0);
        int fl0 = fcntl(0, F_GETFL), fl1 = fcntl(1, F_GETFL);

        /* Read-only mode leaves the terminal as it is. */
        struct tty_relay *t = NULL;
        CHECK(tty_relay_new(box_master, true, &t) == 0);
        CHECK(tcgetattr(0, &during) == 0 && termios_equal(&before, &during));
        tty_relay_free(t);

        t = NULL;
        CHECK(tty_relay_new(box_master, false, &t) == 0);
        CHECK(tcgetattr(0, &during) == 0);
        CHECK(!(during.c_lflag & (ICANON | ECHO | ISIG)));
        CHECK(during.c_oflag == before.c_oflag); /* OPOST kept: stdout is the same tty */
        CHECK(!(fcntl(0, F_GETFL) & O_NONBLOCK) && !(fcntl(1, F_GETFL) & O_NONBLOCK));
        struct winsize ws;
        CHECK(ioctl(box_master, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 40 && ws.ws_col == 100);

        int ep = epoll_create1(EPOLL_CLOEXEC);
        CHECK(ep >= 0);
        CHECK(tty_relay_add(t, ep) == 0);
        CHECK(write(sync_fd, "R", 1) == 1);

        int r = 0;
        while (r == 0) {
                struct epoll_event ev[4];
                int n = epoll_wait(ep, ev, 4, 10000);
                CHECK(n > 0);
                for (int i = 0; i < n && r == 0; i++) {
                        CHECK(tty_relay_owns_fd(t, ev[i].data.fd));
                        r = tty_relay_dispatch(t, ev[i].data.fd, ev[i].events);
                }
        }
        CHECK(r == 1);
        tty_relay_free(t);

        struct termios after;
        CHECK(tcgetattr(0, &after) == 0 && termios_equal(&before, &after));
        CHECK(fcntl(0, F_GETFL) == fl0 && fcntl(1, F_GETFL) == fl1);
        tty_restore_saved(); /* idempotent */
        CHECK(tcgetattr(0, &after) == 0 && termios_equal(&before, &after));
        _exit(0);
}

static void test_relay(void **state)
{
        int hm, hs, bm, bs, sync[2];
        host_pty(&hm, &hs);
        host_pty(&bm, &bs);
        assert_int_equal(pipe2(sync, O_CLOEXEC), 0);
        struct winsize ws = {.ws_row = 40, .ws_col = 100};
        assert_int_equal(ioctl(hm, TIOCSWINSZ, &ws), 0);
        /* The box side talks raw so bytes arrive as typed. */
        struct termios t;
        assert_int_equal(tcgetattr(bs, &t), 0);
        cfmakeraw(&t);
        assert_int_equal(tcsetattr(bs, TCSANOW, &t), 0);

        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(hm);
                close(bs);
                close(sync[0]);
                relay_child(hs, bm, sync[1]);
        }
        close(hs);
        close(bm);
        close(sync[1]);
        char c;
        assert_int_equal(read(sync[0], &c, 1), 1);

        /* typing on the host terminal reaches the box, control characters included */
        char buf[64];
        assert_int_equal(write(hm, "hi\003\r", 4), 4);
        read_exact(bs, buf, 4);
        assert_memory_equal(buf, "hi\003\r", 4);

        /* box output reaches the host terminal, also in bulk */
        static char big[20000];
        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (char)('a' + i % 26);
        assert_int_equal(write(bs, "out-data", 8), 8);
        read_exact(hm, buf, 8);
        assert_memory_equal(buf, "out-data", 8);

        /* The box's last words are written before the relay reports the hangup. */
        pid_t w = test_fork();
        assert_true(w >= 0);
        if (w == 0) {
                CHECK(write(bs, big, sizeof(big)) == (ssize_t)sizeof(big));
                _exit(0);
        }
        static char got[sizeof(big)];
        read_exact(hm, got, sizeof(got));
        assert_memory_equal(got, big, sizeof(big));
        assert_int_equal(wait_child(w), 0);

        close(bs); /* the box hangs up */
        assert_int_equal(wait_child(pid), 0);
        close(hm);
        close(sync[0]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_open_pty),   cmocka_unit_test(test_open_pty_rejects),
                cmocka_unit_test(test_fd_passing), cmocka_unit_test(test_fds_passing),
                cmocka_unit_test(test_relay),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
