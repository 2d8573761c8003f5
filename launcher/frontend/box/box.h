/* box.h - the .box front-end, its public API: INI text -> struct box_config (reader.c, with the
 * pre-scan in scan.c and the key table in keys.c), and a config back to .box text (show.c). The
 * only module that includes iniparser. Every problem is logged as "FILE:LINE: message" (with the
 * section and key where there is one); all problems in a file are reported, not just the first.
 * A loaded config carries the .box describer (field.h), so messages from later layers name
 * "FILE:LINE: [Section] Key" too. */
#pragma once
#include "core/config.h"

#include <stdio.h>

/* Loads PATH into c (initialised by box_config_init). Returns 0, -EINVAL after logging every
 * problem, or a negative errno when the file cannot be read (logged too). */
int box_file_load(const char *path, struct box_config *c);

/* The same from memory; `name` stands for the file in messages and for the default box name. */
int box_file_load_buffer(const char *name, const char *data, size_t len, struct box_config *c);

/* Prints the resolved config in .box syntax (`check --show`); what it prints loads back to the
 * same config. */
void box_file_show(const struct box_config *c, FILE *f);

/* Key names of a section type ("Exec", "Mount", ...) for docs and tests; NULL if unknown. */
const char *const *box_file_section_keys(const char *section);
