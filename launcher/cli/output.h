/* output.h - what the verbs print besides JSON (util/json.h): text from a box made safe for the
 * admin's terminal, and ages. */
#pragma once
#include "util/util.h"

/* The n bytes at s made safe for a terminal, malloc'd: printable ASCII and valid UTF-8 (but C1
 * controls) as they are, a backslash doubled, the C escapes for BEL BS HT LF VT FF CR, and \xHH
 * for every other byte (ESC included). For what a box writes (command lines) on its way to the
 * admin's screen. */
char *cescape_bytes(const char *s, size_t n);

/* The age of something created at unix time `created`: "12s", "5m", "3h", "2d"; "-" if
 * unknown. */
void format_age(long long created, char buf[static 32]);
