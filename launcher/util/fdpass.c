/* fdpass.c - SCM_RIGHTS over Unix sockets. */
#include "util/fdpass.h"

#include <sys/socket.h>

int fds_send(int sock, const int *fds, size_t n, const void *data, size_t len)
{
        char dummy = 0;
        /* Stream sockets drop an ancillary message without at least one byte of data. */
        struct iovec iov = {.iov_base = len ? (void *)data : &dummy, .iov_len = len ? len : 1};
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * FDS_MAX)];
        } ctl = {0};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

        if (n > FDS_MAX)
                return -E2BIG;
        if (n > 0) {
                msg.msg_control = ctl.buf;
                msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        }
        ssize_t k = RETRY_EINTR(sendmsg(sock, &msg, MSG_NOSIGNAL));
        if (k < 0)
                return -errno;
        return (size_t)k == iov.iov_len ? 0 : -EIO;
}

int fd_send(int sock, int fd, const void *data, size_t len)
{
        return fds_send(sock, &fd, fd >= 0 ? 1 : 0, data, len);
}

static void close_cmsg_fds(struct msghdr *msg)
{
        for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        close(fd);
                }
        }
}

int fds_recv(int sock, int *fds, size_t max, size_t *ret_n, void *data, size_t len)
{
        char dummy;
        struct iovec iov = {.iov_base = len ? data : &dummy, .iov_len = len ? len : 1};
        union {
                struct cmsghdr h;
                /* Room for more fds than expected, so extra ones are seen (and closed), not
                 * leaked. */
                char buf[CMSG_SPACE(sizeof(int) * (FDS_MAX + 8))];
        } ctl;
        struct msghdr msg = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = ctl.buf,
                .msg_controllen = sizeof(ctl.buf),
        };

        *ret_n = 0;
        ssize_t k = RETRY_EINTR(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC));
        if (k < 0)
                return -errno;
        if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) {
                close_cmsg_fds(&msg);
                return -EMSGSIZE;
        }

        /* One SCM_RIGHTS message of at most max fds, nothing else. */
        size_t n = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                size_t got =
                        c->cmsg_len >= CMSG_LEN(0) ? (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && n == 0 &&
                    got > 0 && got <= max) {
                        memcpy(fds, CMSG_DATA(c), sizeof(int) * got);
                        n = got;
                        continue;
                }
                close_cmsg_fds(&msg); /* closes the accepted ones too */
                return -EPROTO;
        }
        *ret_n = n;
        return len ? (int)k : 0;
}

int fd_recv(int sock, int *ret_fd, void *data, size_t len)
{
        size_t n;
        *ret_fd = -1;
        int r = fds_recv(sock, ret_fd, 1, &n, data, len);
        if (r < 0 || n == 0)
                *ret_fd = -1;
        return r;
}
