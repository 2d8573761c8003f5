/* log.c - stderr logger with levels and a prefix. */
#include "util/log.h"

#include <stdarg.h>

static enum log_level level = LOG_LVL_INFO;
static const char *prefix = "boxlaunch";
/* Per thread: a box's first process that shares our memory (launch.c) runs on the launching
 * thread's and redirects it to the sync socket, while the set-up thread logs as we do. */
static __thread log_sink_t sink;
static __thread void *sink_data;

void log_set_sink(log_sink_t s, void *userdata)
{
        sink = s;
        sink_data = userdata;
}

log_sink_t log_get_sink(void **ret_userdata)
{
        *ret_userdata = sink_data;
        return sink;
}

void log_set_level(enum log_level l)
{
        level = l;
}

enum log_level log_get_level(void)
{
        return level;
}

void log_set_prefix(const char *p)
{
        prefix = p;
}

static void vlog(enum log_level l, int err, const char *fmt, va_list ap)
{
        static const char *const names[] = {"error", "warning", "", "debug"};
        char buf[4096];
        size_t n = 0;

        if (l > level)
                return;
        if (sink) {
                vsnprintf(buf, sizeof(buf), fmt, ap);
                if (err < 0) {
                        n = strlen(buf);
                        snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(-err));
                }
                sink(l, buf, sink_data);
                return;
        }
        if (l == LOG_LVL_INFO)
                n = (size_t)snprintf(buf, sizeof(buf), "%s: ", prefix);
        else
                n = (size_t)snprintf(buf, sizeof(buf), "%s: %s: ", prefix, names[l]);
        if (n < sizeof(buf))
                n += (size_t)vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
        if (err < 0 && n < sizeof(buf))
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(-err));
        if (n >= sizeof(buf) - 1)
                n = sizeof(buf) - 2;
        buf[n++] = '\n';
        /* One write so lines from the supervisor and the box do not interleave mid-line. */
        (void)!write(STDERR_FILENO, buf, n);
}

void log_msg(enum log_level l, const char *fmt, ...)
{
        va_list ap;
        int saved = errno;

        va_start(ap, fmt);
        vlog(l, 0, fmt, ap);
        va_end(ap);
        errno = saved;
}

int log_errno(enum log_level l, int err, const char *fmt, ...)
{
        va_list ap;
        int saved = errno;

        va_start(ap, fmt);
        vlog(l, err, fmt, ap);
        va_end(ap);
        errno = saved;
        return err;
}
