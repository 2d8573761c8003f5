/* notify.c - sd_notify(3) over AF_UNIX datagrams, both directions. */
#include "launch/notify.h"

#include "util/log.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

/* systemd reads notifications into a buffer of this size; longer ones are not the protocol. */
#define NOTIFY_MSG_MAX 4096

/* Fills a sockaddr_un from "/path" or "@abstract"; returns the address length or -errno. */
static int sockaddr_from_string(const char *s, struct sockaddr_un *sa)
{
        size_t n = strlen(s);

        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        if (s[0] != '/' && s[0] != '@')
                return -EINVAL;
        if (n > sizeof(sa->sun_path) || (s[0] == '/' && n == sizeof(sa->sun_path)))
                return -ENAMETOOLONG;
        memcpy(sa->sun_path, s, n);
        if (s[0] == '@')
                sa->sun_path[0] = 0; /* abstract: no NUL terminator, the length says it all */
        else
                n++;
        return (int)(offsetof(struct sockaddr_un, sun_path) + n);
}

int notify_send(const char *text)
{
        const char *e = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa;

        if (!e || !*e)
                return 0;
        int len = sockaddr_from_string(e, &sa);
        if (len < 0)
                return len;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* The receiver's SO_PASSCRED makes the kernel attach our credentials. */
        if (RETRY_EINTR(sendto(fd, text, strlen(text), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                               (socklen_t)len)) < 0)
                return -errno;
        return 0;
}

int notify_listener_new(const char *dir, int *ret_fd, char **ret_path)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *path = xasprintf("%s/notify", dir);
        struct sockaddr_un sa;
        int one = 1, r;

        /* A leftover of a supervisor that died: reuse it, without its socket. */
        if (mkdir(dir, 0700) < 0 && (errno != EEXIST || (unlink(path) < 0 && errno != ENOENT)))
                return -errno;
        int len = sockaddr_from_string(path, &sa);
        if (len < 0) {
                r = len;
                goto fail;
        }
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
            bind(fd, (struct sockaddr *)&sa, (socklen_t)len) < 0) {
                r = -errno;
                goto fail;
        }
        /* Sending needs write permission on the socket; the box's root is not the host's. */
        if (chmod(path, 0666) < 0) {
                r = -errno;
                goto fail;
        }
        *ret_fd = TAKE_FD(fd);
        *ret_path = TAKE_PTR(path);
        return 0;
fail:
        (void)unlink(path);
        (void)rmdir(dir);
        return r;
}

void notify_listener_remove(const char *path)
{
        if (!path)
                return;
        _cleanup_free_ char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        (void)unlink(path);
        if (slash) {
                *slash = 0;
                (void)rmdir(dir);
        }
}

/* Closes any descriptors the sender passed along (FDSTORE=1): we keep none of them. */
static void close_passed_fds(struct msghdr *mh)
{
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int fds[n ? n : 1];
                memcpy(fds, CMSG_DATA(c), n * sizeof(int));
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
        }
}

int notify_receive(int fd, pid_t allowed_pid, bool *ready, char **status)
{
        char buf[NOTIFY_MSG_MAX + 1];
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 253)];
        } ctl;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &ctl,
                .msg_controllen = sizeof(ctl),
        };
        const struct ucred *cred = NULL;

        *ready = false;
        *status = NULL;
        ssize_t n = RETRY_EINTR(recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_TRUNC | MSG_DONTWAIT));
        if (n < 0)
                return -errno;
        close_passed_fds(&mh);
        if ((size_t)n > sizeof(buf) - 1 || (mh.msg_flags & MSG_TRUNC)) {
                log_debug("dropping an over-long notification (%zd bytes)", n);
                return -EMSGSIZE;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
                    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                        cred = (const struct ucred *)CMSG_DATA(c);
        if (allowed_pid > 0 && (!cred || cred->pid != allowed_pid)) {
                log_debug("dropping a notification from pid %d, not from %d",
                          cred ? (int)cred->pid : 0, (int)allowed_pid);
                return -EPERM;
        }

        /* Newline-separated VAR=VALUE assignments; a NUL ends the message. */
        buf[n] = 0;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (streq(line, "READY=1"))
                        *ready = true;
                else if (strncmp(line, "STATUS=", 7) == 0) {
                        free(*status);
                        *status = xstrdup(line + 7);
                }
        }
        return 0;
}
