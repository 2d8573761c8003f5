/* image.h - this binary's own image: its build id, and its read-only segments mapped ahead. */
#pragma once
#include "util/util.h"

/* This binary's GNU build id (the linker's hash of its contents), or -ENODATA without one. */
int self_build_id(const void **ret, size_t *len);

/* Maps all pages of the binary's code in one madvise(MADV_POPULATE_READ): a start touches code
 * all over its 1.25 MiB, ~40 faults in the supervisor and ~20 in the box's first process, and a
 * fault costs 10-16 us on a paravirtualized machine (a trap to the hypervisor) against ~0.2 us a
 * page populated. Fault-around maps most of the code anyway: the supervisor's RSS stays the
 * same. A fork copies no page-table entries of file mappings, so the box's first process calls
 * it again, first thing. Without MADV_POPULATE_READ (before Linux 5.14) nothing happens. */
void image_prefault(void);

/* The binary's entry point on x86-64 (boxlaunch_entry, Makefile) calls this before glibc's own
 * start, which relocates the image (a static PIE) and touches code and data all over it: each
 * fault a trap to the hypervisor on a paravirtualized machine. It maps the code and the first
 * segment (ELF headers and the relocation table, read whole by the relocation) and copies the
 * written part of the data segment, one madvise() each; the constants are left to faults (a
 * start reads few of them). 0.5-0.7 ms less a start here (README "Performance"). It runs before
 * relocation and before the thread pointer exists: only addresses relative to the code, and raw
 * system calls. Nothing happens on other architectures. */
void image_prefault_early(void);

/* main()'s: image_prefault(), unless image_prefault_early() mapped the code already. */
void image_prefault_main(void);
