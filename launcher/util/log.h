/* log.h - one logger; errors are logged once, where they are handled. */
#pragma once
#include "util/util.h"

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level l);
enum log_level log_get_level(void);
/* Prefix for every line, "boxlaunch" by default. */
void log_set_prefix(const char *p);

/* Redirect formatted lines (without the prefix) to a callback, e.g. to capture them in tests or
 * to send them over the sync socket from inside the box. NULL restores stderr. */
typedef void (*log_sink_t)(enum log_level l, const char *line, void *userdata);
void log_set_sink(log_sink_t sink, void *userdata);
/* The calling thread's sink (each thread has its own; a new one starts without). */
log_sink_t log_get_sink(void **ret_userdata);

void log_msg(enum log_level l, const char *fmt, ...) _printf_(2, 3);
/* Logs "<message>: <strerror(-err)>" and returns err (a negative errno), systemd style. */
int log_errno(enum log_level l, int err, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
        do {                                                                                       \
                if (log_get_level() >= LOG_LVL_DEBUG)                                              \
                        log_msg(LOG_LVL_DEBUG, __VA_ARGS__);                                       \
        } while (0)
#define log_error_errno(err, ...) log_errno(LOG_LVL_ERROR, err, __VA_ARGS__)
#define log_warn_errno(err, ...)  log_errno(LOG_LVL_WARNING, err, __VA_ARGS__)
