/* test_notify.c - sd_notify sending, the listener and sender filtering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "test_fork.h"
#include "launch/notify.h"

static char dir[] = "/tmp/boxlaunch-notifytest.XXXXXX";

static int setup(void **state)
{
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
        unsetenv("NOTIFY_SOCKET");
        return rmdir(dir);
}

struct listener {
        int fd;
        char *path;
};

static void listen_start(struct listener *l)
{
        _cleanup_free_ char *d = xasprintf("%s/n", dir);
        assert_int_equal(notify_listener_new(d, &l->fd, &l->path), 0);
        assert_true(l->fd >= 0);
        assert_int_equal(setenv("NOTIFY_SOCKET", l->path, 1), 0);
}

static void listen_stop(struct listener *l)
{
        close(l->fd);
        notify_listener_remove(l->path);
        free(l->path);
        unsetenv("NOTIFY_SOCKET");
}

static void test_unset(void **state)
{
        unsetenv("NOTIFY_SOCKET");
        assert_int_equal(notify_send("READY=1"), 0);
        setenv("NOTIFY_SOCKET", "", 1);
        assert_int_equal(notify_send("READY=1"), 0);
        setenv("NOTIFY_SOCKET", "relative/path", 1);
        assert_int_equal(notify_send("READY=1"), -EINVAL);
        /* Nobody listening there. */
        setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
        assert_int_equal(notify_send("READY=1"), -ENOENT);
        unsetenv("NOTIFY_SOCKET");
}

static void test_listener(void **state)
{
        struct listener l;
        struct stat s;
        bool ready = true;
        char *status = (char *)"x";

        listen_start(&l);
        assert_int_equal(strncmp(l.path, dir, strlen(dir)), 0);
        assert_int_equal(stat(l.path, &s), 0);
        assert_true(S_ISSOCK(s.st_mode));
        assert_int_equal(s.st_mode & 07777, 0666);
        assert_true(fcntl(l.fd, F_GETFD) & FD_CLOEXEC);

        /* Nothing queued: the socket does not block. */
        assert_int_equal(notify_receive(l.fd, 0, &ready, &status), -EAGAIN);
        assert_false(ready);
        assert_null(status);

        assert_int_equal(notify_send("READY=1"), 0);
        assert_int_equal(notify_send("STOPPING=1"), 0);
        assert_int_equal(notify_receive(l.fd, getpid(), &ready, &status), 0);
        assert_true(ready);
        assert_null(status);
        assert_int_equal(notify_receive(l.fd, getpid(), &ready, &status), 0);
        assert_false(ready);
        assert_null(status);
        assert_int_equal(notify_receive(l.fd, 0, &ready, &status), -EAGAIN);

        /* Several assignments, the last STATUS= wins. */
        assert_int_equal(notify_send("STATUS=starting\nREADY=1\nSTATUS=Serving on :80"), 0);
        assert_int_equal(notify_receive(l.fd, 0, &ready, &status), 0);
        assert_true(ready);
        assert_string_equal(status, "Serving on :80");
        free(status);

        /* READY=0 or READY=10 is not readiness. */
        assert_int_equal(notify_send("READY=10\nXREADY=1"), 0);
        assert_int_equal(notify_receive(l.fd, 0, &ready, &status), 0);
        assert_false(ready);

        _cleanup_free_ char *sub = xstrdup(l.path);
        *strrchr(sub, '/') = 0;
        listen_stop(&l);
        /* Both the socket and its directory are gone. */
        assert_int_equal(access(sub, F_OK), -1);
        assert_int_equal(errno, ENOENT);
}

static void test_too_long(void **state)
{
        struct listener l;
        bool ready;
        char *status;

        listen_start(&l);
        char big[5000];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        memcpy(big, "READY=1\n", 8);
        assert_int_equal(notify_send(big), 0);
        assert_int_equal(notify_receive(l.fd, 0, &ready, &status), -EMSGSIZE);
        assert_false(ready);
        assert_null(status);
        /* The datagram was consumed. */
        assert_int_equal(notify_receive(l.fd, 0, &ready, &status), -EAGAIN);
        listen_stop(&l);

        /* A directory too deep for a socket address. */
        char deep[200];
        memset(deep, 'd', sizeof(deep) - 1);
        deep[sizeof(deep) - 1] = 0;
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, deep);
        int fd = -1;
        char *path = NULL;
        assert_int_equal(notify_listener_new(p, &fd, &path), -ENAMETOOLONG);
        assert_int_equal(fd, -1);
        assert_null(path);
        /* ... and it removed the directory it made. */
        assert_int_equal(access(p, F_OK), -1);
}

static void test_abstract(void **state)
{
        char name[64];
        bool ready;
        char *status;
        int one = 1;

        snprintf(name, sizeof(name), "boxlaunch-notify-test-%d", (int)getpid());
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        memcpy(sa.sun_path + 1, name, strlen(name));
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(fd >= 0);
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
        assert_int_equal(
                bind(fd, (struct sockaddr *)&sa,
                     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))),
                0);

        _cleanup_free_ char *env = xasprintf("@%s", name);
        setenv("NOTIFY_SOCKET", env, 1);
        assert_int_equal(notify_send("READY=1\nSTATUS=abstract"), 0);
        assert_int_equal(notify_receive(fd, getpid(), &ready, &status), 0);
        assert_true(ready);
        assert_string_equal(status, "abstract");
        free(status);
        unsetenv("NOTIFY_SOCKET");
}

/* Forks a child that sends text and stays alive until released: the kernel reports a sender
 * that is already reaped as pid 0. */
static pid_t send_from_child(const char *text, int *release)
{
        int go[2], sent[2];
        char c;
        assert_int_equal(pipe2(go, O_CLOEXEC), 0);
        assert_int_equal(pipe2(sent, O_CLOEXEC), 0);
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(go[1]);
                int r = notify_send(text);
                if (write(sent[1], &c, 1) != 1 || r < 0)
                        _exit(1);
                (void)!read(go[0], &c, 1);
                _exit(0);
        }
        close(go[0]);
        close(sent[1]);
        assert_int_equal(read(sent[0], &c, 1), 1);
        close(sent[0]);
        *release = go[1];
        return pid;
}

static void child_done(pid_t pid, int release)
{
        int status;
        close(release);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_sender_filter(void **state)
{
        struct listener l;
        bool ready;
        char *status;
        int release;

        listen_start(&l);

        /* From someone else than the allowed pid: dropped and flagged. */
        pid_t pid = send_from_child("READY=1\nSTATUS=impostor", &release);
        assert_int_equal(notify_receive(l.fd, getpid(), &ready, &status), -EPERM);
        assert_false(ready);
        assert_null(status);
        assert_int_equal(notify_receive(l.fd, getpid(), &ready, &status), -EAGAIN);
        child_done(pid, release);

        /* From the allowed pid: accepted. */
        pid = send_from_child("READY=1", &release);
        assert_int_equal(notify_receive(l.fd, pid, &ready, &status), 0);
        assert_true(ready);
        child_done(pid, release);

        /* Our own message is not the allowed child's. */
        assert_int_equal(notify_send("READY=1"), 0);
        assert_int_equal(notify_receive(l.fd, pid, &ready, &status), -EPERM);

        listen_stop(&l);
}

static void test_passed_fds_closed(void **state)
{
        struct listener l;
        bool ready;
        char *status;

        listen_start(&l);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", l.path);
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(devnull >= 0);
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } ctl = {0};
        char msg[] = "FDSTORE=1";
        struct iovec iov = {.iov_base = msg, .iov_len = strlen(msg)};
        struct msghdr mh = {.msg_name = &sa,
                            .msg_namelen = sizeof(sa),
                            .msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = &ctl,
                            .msg_controllen = sizeof(ctl)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &devnull, sizeof(int));
        assert_true(sendmsg(s, &mh, 0) > 0);
        close(devnull);
        /* The lowest free descriptor is where a passed one would land. */
        int probe = dup(0);
        assert_true(probe >= 0);
        close(probe);

        assert_int_equal(notify_receive(l.fd, getpid(), &ready, &status), 0);
        assert_false(ready);
        assert_int_equal(fcntl(probe, F_GETFD), -1);
        assert_int_equal(errno, EBADF);
        listen_stop(&l);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unset),         cmocka_unit_test(test_listener),
                cmocka_unit_test(test_too_long),      cmocka_unit_test(test_abstract),
                cmocka_unit_test(test_sender_filter), cmocka_unit_test(test_passed_fds_closed),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
