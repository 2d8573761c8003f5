/* sync.c - sync messages and the child's log forwarding. */
#include "launch/sync.h"

#include "util/fdpass.h"
#include "util/log.h"

#define HEADER_SIZE offsetof(struct sync_msg, text)

int sync_send(int sock, enum sync_msg_type type, int code, const char *text, const int *fds,
              size_t n)
{
        struct sync_msg m = {.type = type, .code = code};
        size_t len = HEADER_SIZE;
        if (text) {
                size_t t = strnlen(text, sizeof(m.text) - 1);
                memcpy(m.text, text, t);
                m.text[t] = 0;
                len += t + 1;
        }
        return fds_send(sock, fds, n, &m, len);
}

/* Prints a line the child logged, as the supervisor's own. */
static void log_forwarded(const struct sync_msg *m)
{
        enum log_level l = m->code >= LOG_LVL_ERROR && m->code <= LOG_LVL_DEBUG
                                   ? (enum log_level)m->code
                                   : LOG_LVL_ERROR;
        log_msg(l, "%s", m->text);
}

int sync_recv(int sock, struct sync_msg *m, int *fds, size_t max, size_t *ret_n)
{
        for (;;) {
                int r = fds_recv(sock, fds, max, ret_n, m, sizeof(*m));
                /* A peer that died with a message of ours unread resets the connection, and the
                 * kernel reports the reset first, before the messages the peer sent (its log
                 * lines, its MSG_ERROR): read on, they follow, then EOF. */
                if (r == -ECONNRESET)
                        continue;
                if (r <= 0)
                        return r;
                if ((size_t)r < HEADER_SIZE) {
                        close_many(fds, (int)*ret_n);
                        *ret_n = 0;
                        return -EPROTO;
                }
                /* Text is sent with its NUL; make sure of one whatever arrived. */
                size_t t = (size_t)r - HEADER_SIZE;
                m->text[t < sizeof(m->text) ? t : sizeof(m->text) - 1] = 0;
                if (m->type != MSG_LOG)
                        return r;
                close_many(fds, (int)*ret_n);
                *ret_n = 0;
                log_forwarded(m);
        }
}

int sync_recv_fd(int sock, struct sync_msg *m, int *ret_fd)
{
        size_t n;
        *ret_fd = -1;
        int r = sync_recv(sock, m, ret_fd, 1, &n);
        if (r < 0 || n == 0)
                *ret_fd = -1;
        return r;
}

/* ---- child side -------------------------------------------------------------------------- */

static __thread int forward_sock = -1;

static void forward_line(enum log_level l, const char *line, void *userdata)
{
        if (sync_send(forward_sock, MSG_LOG, (int)l, line, NULL, 0) >= 0)
                return;
        /* Nobody to tell (the supervisor is gone, or a filter refuses sendmsg): stderr. */
        log_set_sink(NULL, NULL);
        log_msg(l, "%s", line);
        log_set_sink(forward_line, NULL);
}

void sync_forward_logs(int sock)
{
        forward_sock = sock;
        log_set_sink(forward_line, NULL);
}

void sync_child_exit(int sock, int code)
{
        (void)sync_send(sock, MSG_ERROR, code, NULL, NULL, 0);
        _exit(code);
}
