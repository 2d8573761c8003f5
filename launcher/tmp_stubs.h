/* Temporary stand-ins until the caps, seccomp and signals modules land. */
#pragma once
#include "util.h"
#include <signal.h>
int caps_parse(const char *text, uint64_t *ret, char **bad);
int seccomp_check_names(char *const *names, char **bad);
int signal_from_string(const char *s);
