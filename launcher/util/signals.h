/* signals.h - signal names and numbers. */
#pragma once
#include "util/util.h"

/* "TERM", "SIGTERM", "term", "15", "RTMIN", "RTMIN+3", "SIGRTMIN+3", "RTMAX-2" -> the number, or
 * -EINVAL. Numbers must be valid signals (1..SIGRTMAX). */
int signal_from_string(const char *s);
/* "SIGTERM", "SIGRTMIN+3", "SIGRTMAX"; a number for anything else. Returns buf. */
const char *signal_to_string(int sig, char buf[static 16]);
