/* Temporary stand-in until the signals module lands. */
#pragma once
#include "util.h"
#include <signal.h>
int signal_from_string(const char *s);
