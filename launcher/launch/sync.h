/* sync.h - the protocol between the supervisor and the box's set-up child (its PID 1 until it
 * executes the payload), over one SOCK_SEQPACKET socketpair; see launch.c for the sequence.
 *
 * One error convention on both sides: code returns a negative errno and logs once, where the
 * error is handled. In the child a log sink (sync_forward_logs()) sends every line the logger
 * would print as MSG_LOG, and the supervisor prints it with its own logger: messages only travel
 * when something is logged, so a clean start costs no extra message. A failed child ends with
 * sync_child_exit(): MSG_ERROR carrying just its exit code. */
#pragma once
#include "util/util.h"

enum sync_msg_type {
        MSG_GO = 1,     /* supervisor -> child: go on (a late join: the tasks fds, text = path;
                         * with a user namespace a first one once the maps are written) */
        MSG_ERROR = 2,  /* child -> supervisor: set-up failed, code = the exit code */
        MSG_PTY = 3,    /* child -> supervisor: the console's pty master */
        MSG_HOOKS = 4,  /* child -> supervisor: run the hooks of stage `code` in my namespaces */
        MSG_JOINED = 5, /* child -> supervisor: I am in the box's cgroups */
        MSG_EXEC = 6,   /* child -> supervisor: set-up done, execve next */
        MSG_LOG = 7,    /* child -> supervisor: one log line, code = its level */
};

/* As long as the logger's longest line. */
#define SYNC_TEXT_MAX 4096

struct sync_msg {
        uint32_t type;
        int32_t code;
        char text[SYNC_TEXT_MAX]; /* NUL-terminated; only its used part is sent */
};

/* One message: type, code, text (NULL: none) and n fds (n <= FDS_MAX). */
int sync_send(int sock, enum sync_msg_type type, int code, const char *text, const int *fds,
              size_t n);
/* The next message other than MSG_LOG and its fds (at most max, O_CLOEXEC; their count in
 * *ret_n): returns > 0, 0 on EOF, or a negative errno. A peer that died with a message of ours
 * unread gives its messages first, then EOF. The MSG_LOG lines before it are logged here. */
int sync_recv(int sock, struct sync_msg *m, int *fds, size_t max, size_t *ret_n);
/* The same for messages with at most one fd (*ret_fd, else -1). */
int sync_recv_fd(int sock, struct sync_msg *m, int *ret_fd);

/* Child, first thing: every line logged from now on goes to the supervisor as MSG_LOG (to
 * stderr, as before, if the supervisor cannot be reached). */
void sync_forward_logs(int sock);

/* Child: set-up failed and what went wrong is logged (so forwarded): MSG_ERROR {code}, then
 * _exit(code). The one way a set-up child ends other than by executing its payload. */
_noreturn_ void sync_child_exit(int sock, int code);
