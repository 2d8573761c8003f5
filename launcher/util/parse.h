/* parse.h - value parsers for every front-end. Never iniparser's typed getters (they accept
 * "12abc", wrap integers and crash on section names: CVE-2023-33461). All return 0 or -EINVAL
 * (-ERANGE for out-of-range numbers) and leave *ret untouched on failure. */
#pragma once
#include "util/util.h"

/* yes/no/true/false/on/off/1/0, case-insensitive. */
int parse_boolean(const char *s, bool *ret);
/* Decimal only: no sign, no 0x, no leading garbage; range [0, max]. */
int parse_uint64(const char *s, uint64_t max, uint64_t *ret);
int parse_int(const char *s, int min, int max, int *ret);
/* Bytes with an optional K/M/G/T suffix (powers of 1024), e.g. "256M", "1G", "4096". */
int parse_size(const char *s, uint64_t *ret);
/* Time spans like systemd's: "10s", "1min 30s", "500ms", "2h"; a bare number is seconds. */
int parse_timespan(const char *s, uint64_t *ret_usec);
/* "BASE:COUNT" with COUNT > 0 and BASE+COUNT within 32 bits. */
int parse_id_range(const char *s, uint32_t *base, uint32_t *count);
/* "150%" -> 1500000 (millionths of one CPU). */
int parse_percent_ppm(const char *s, uint64_t *ret);
/* CPU or node list "0-3,5": validated, returned normalised (no spaces). */
int parse_cpu_list(const char *s, char **ret);
/* Octal file mode, up to 07777. */
int parse_mode(const char *s, mode_t *ret);

/* Split a command line into words with shell-like quoting ('…', "…" with \" \\ \$ \`
 * escapes, and \ outside quotes), without a shell: no expansion of any kind. On error *err
 * points to a static description ("unterminated quote"). An empty string yields an empty
 * vector. */
int split_quoted(const char *s, char ***ret, const char **err);
/* Space- or comma-separated tokens. */
char **split_tokens(const char *s);

/* Levenshtein distance, for did-you-mean suggestions. */
unsigned edit_distance(const char *a, const char *b);
