/* fdpass.h - passing file descriptors over a Unix socket (SCM_RIGHTS), one message at a time: the
 * launch's sync socket, `exec`'s pty hand-over. */
#pragma once
#include "util/util.h"

/* The most fds one message carries (fds_send/fds_recv). */
#define FDS_MAX 16
/* One sendmsg() carrying data (len may be 0) and the n fds (n <= FDS_MAX) in SCM_RIGHTS. */
int fds_send(int sock, const int *fds, size_t n, const void *data, size_t len);
/* One recvmsg(): returns the number of data bytes (0 with *ret_n == 0 is EOF) and stores up to
 * max received fds (O_CLOEXEC) in fds, their count in *ret_n. -EMSGSIZE if data or control was
 * truncated, -EPROTO for more than max fds or another control message; no fd leaks on either. */
int fds_recv(int sock, int *fds, size_t max, size_t *ret_n, void *data, size_t len);
/* One sendmsg() carrying data (len may be 0) and, if fd >= 0, the fd in SCM_RIGHTS. */
int fd_send(int sock, int fd, const void *data, size_t len);
/* One recvmsg(): returns the number of data bytes (0 with *ret_fd == -1 is EOF); *ret_fd is the
 * received fd (O_CLOEXEC) or -1. -EMSGSIZE if data or control was truncated, -EPROTO for a
 * malformed control message; no fd leaks on either. */
int fd_recv(int sock, int *ret_fd, void *data, size_t len);
