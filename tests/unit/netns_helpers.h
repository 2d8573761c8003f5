/* netns_helpers.h - running a piece of a test in throw-away network namespaces.
 *
 * in_scratch_netns() forks; the child unshares a new network (and UTS) namespace and runs fn
 * there, so links, addresses, sysctls and nft tables it makes die with it and the host's are
 * never touched. cmocka's asserts cannot cross the fork: fn reports with CHECK(), which prints the
 * failing expression and returns 1, and the parent asserts that the child exited 0. */
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>

#define CHECK(expr)                                                                                \
        do {                                                                                       \
                if (!(expr)) {                                                                     \
                        fprintf(stderr, "%s:%d: check failed: %s (errno %m)\n", __FILE__,          \
                                __LINE__, #expr);                                                  \
                        return 1;                                                                  \
                }                                                                                  \
        } while (0)

/* A check of a function returning 0 or a negative errno. */
#define CHECK_OK(call)                                                                             \
        do {                                                                                       \
                int r_ = (call);                                                                   \
                if (r_ < 0) {                                                                      \
                        fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,              \
                                strerror(-r_));                                                    \
                        return 1;                                                                  \
                }                                                                                  \
        } while (0)

static inline void in_scratch_netns(int (*fn)(void *), void *arg)
{
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (unshare(CLONE_NEWNET | CLONE_NEWUTS) < 0) {
                        perror("unshare(CLONE_NEWNET|CLONE_NEWUTS)");
                        _exit(2);
                }
                int r = fn(arg);
                fflush(NULL);
                _exit(r);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

/* A new network namespace, returned as an fd, while the caller stays in its own. */
static inline int new_netns(void)
{
        int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return -1;
        int fd = -1;
        if (unshare(CLONE_NEWNET) == 0)
                fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (setns(self, CLONE_NEWNET) < 0)
                abort();
        close(self);
        return fd;
}

/* Runs the calling thread in netns for the duration of one socket() call. */
static inline int socket_in(int netns, int domain, int type)
{
        int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (self < 0 || setns(netns, CLONE_NEWNET) < 0)
                return -1;
        int fd = socket(domain, type | SOCK_CLOEXEC, 0);
        if (setns(self, CLONE_NEWNET) < 0)
                abort();
        close(self);
        return fd;
}
