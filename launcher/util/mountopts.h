/* mountopts.h - mount option words to MS_* flags with libmount, loaded on first use. */
#pragma once
#include "util/util.h"

/* Flags of an option string ("ro,nosuid,relatime") per libmount's built-in Linux map. Returns 0,
 * -EINVAL for a string libmount rejects, or -ELIBACC when libmount.so.1 cannot be loaded. */
int mountopts_flags(const char *optstr, unsigned long *ret);
