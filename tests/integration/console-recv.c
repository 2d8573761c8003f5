/* console-recv.c - the receiving end of an OCI runtime's --console-socket, as conmon and
 * containerd's shim have it: listen on a unix stream socket, take one connection, receive one
 * fd (SCM_RIGHTS), report what it is, then copy what arrives on it to stdout until the other
 * side is gone.
 *
 *   console-recv SOCKET [INPUT]
 *
 * Prints "ready" once listening, then "fd: tty=1 bytes=N" for the received fd (N: the data
 * bytes with it), writes INPUT (if given) to it, and copies its output. Exits 2 if no fd came. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: console-recv SOCKET [INPUT]\n");
                return 1;
        }
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
        int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0) {
                perror("console-recv: socket");
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
                perror("console-recv: accept");
                return 1;
        }
        char data[64];
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } u;
        struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                           .msg_controllen = sizeof(u.buf)};
        ssize_t n = recvmsg(c, &m, MSG_CMSG_CLOEXEC);
        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
        if (n < 0 || !h || h->cmsg_type != SCM_RIGHTS) {
                printf("no fd received\n");
                return 2;
        }
        int fd;
        memcpy(&fd, CMSG_DATA(h), sizeof(fd));
        close(c);
        printf("fd: tty=%d bytes=%zd\n", isatty(fd), n);
        fflush(stdout);
        if (argc > 2 && write(fd, argv[2], strlen(argv[2])) < 0)
                perror("console-recv: write");
        char buf[4096];
        for (;;) {
                ssize_t k = read(fd, buf, sizeof(buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break; /* EIO: every slave is closed */
                fwrite(buf, 1, (size_t)k, stdout);
                fflush(stdout);
        }
        return 0;
}
