/* notify.h - the sd_notify(3) protocol without libsystemd: sending to $NOTIFY_SOCKET (towards
 * systemd) and a listener the box's payload reports to (NotifyReady=yes). */
#pragma once
#include "util/util.h"

/* Sends text as one datagram to $NOTIFY_SOCKET (a path, or "@name" for the abstract
 * namespace), like sd_notify(0, text). Returns 0 without sending when the variable is unset or
 * empty, -EINVAL for an address that is neither. */
int notify_send(const char *text);

/* Creates the directory dir (mode 0700; a leftover is reused) with a SOCK_DGRAM socket "notify"
 * in it (SO_PASSCRED, non-blocking, mode 0666 so the box's users may send, while the directory
 * keeps the host's out). The caller bind-mounts *ret_path into the box at /run/host/notify, passes
 * NOTIFY_SOCKET=/run/host/notify to the payload and removes it with notify_listener_remove().
 * -ENAMETOOLONG if the path does not fit a socket address (dir is removed again). */
int notify_listener_new(const char *dir, int *ret_fd, char **ret_path);
/* Unlinks the socket and its directory; path NULL is a no-op. */
void notify_listener_remove(const char *path);

/* Reads one datagram. It is accepted only if its sender (SCM_CREDENTIALS, pid as the host sees
 * it) is allowed_pid, or any sender with allowed_pid 0. On acceptance *ready is set when it
 * carries READY=1 and *status to a malloc'd copy of its last STATUS= (NULL if none); returns 0.
 * A rejected datagram is consumed and dropped: -EPERM (wrong or unknown sender), -EMSGSIZE (too
 * long); -EAGAIN when nothing is queued. On every error *ready is false and *status NULL. */
int notify_receive(int fd, pid_t allowed_pid, bool *ready, char **status);
