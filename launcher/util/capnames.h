/* capnames.h - capability names and masks (libcap's names), for the front-ends that read them
 * and the launch that applies them (launch/caps.h). A mask has bit N for capability N. */
#pragma once
#include "util/util.h"

/* How many capabilities the running kernel knows (at most 64), and all of them as a mask. */
unsigned caps_max(void);
uint64_t caps_all(void);

/* Adds the capability `name` ("CAP_CHOWN", in any case; "all": every capability the running
 * kernel knows) to *mask. -EINVAL for anything else, numbers and unprefixed names included. */
int caps_add_name(uint64_t *mask, const char *name);

/* Space- or comma-separated names as caps_add_name() takes them, into *ret (left alone on
 * error). -EINVAL at an unknown name: a caller that names it tests the tokens (split_tokens())
 * one by one with caps_add_name(). */
int caps_parse(const char *text, uint64_t *ret);

/* "cap_chown cap_kill ..." (malloc'd), "" for an empty mask. */
char *caps_to_string(uint64_t mask);
