/* scan.h - the .box pre-scan: the line grammar of iniparser 4.1, mirrored to report what it
 * would swallow silently (repeated keys and sections, `[]`, keys before any section, '#' or ';'
 * glued to an unquoted value, text after a closing quote, over-long lines, unknown sections), each
 * with file and line. It records where every section and key stands for the reader. */
#pragma once
#include "util/util.h"

#define BOX_LABEL_MAX 64 /* longest [Mount NAME] label */

struct scan_kv {
        char *key; /* as written */
        unsigned line;
};

struct scan_section {
        char *raw;   /* name as written between the brackets, trimmed */
        char *type;  /* canonical section type ("Exec"), NULL if unknown */
        char *label; /* for [Mount NAME]: NAME, lowercased as iniparser stores it */
        unsigned line;
        struct scan_kv *kv;
        size_t n_kv;
};

struct scan {
        const char *file;
        struct scan_section *sec;
        size_t n_sec;
        unsigned errors;
};

/* The section types: one of each, and named ones ([Mount NAME]). */
extern const char *const box_singleton_sections[7];
extern const char *const box_labelled_sections[4];

/* Scans len bytes of data into s (s->file set, the rest zero); every problem is logged as
 * "FILE:LINE: ..." and counted in s->errors. */
void scan_text(struct scan *s, const char *data, size_t len);
void scan_free(struct scan *s);
/* Logs "FILE:LINE: message" and counts it. */
void scan_error(struct scan *s, unsigned line, const char *fmt, ...) _printf_(3, 4);
/* The candidate closest to word (edit distance up to 2; 1 for words of 3 letters or fewer), for
 * a did-you-mean; NULL if none is close. */
const char *scan_best_match(const char *word, const char *const *cands, size_t n);
/* p without leading and trailing blanks (cut in place). */
char *scan_trim(char *p);
