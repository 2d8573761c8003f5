/* mountopts.h - mount option words: the one table of the words boxlaunch accepts in a mount's
 * options with their MS_* flags and MOUNT_ATTR_* attributes (front-ends parse with it, `check
 * --show` prints with it, the rootfs phase converts with it), the propagation words, and
 * libmount's parser for a whole option string, loaded on first use. */
#pragma once
#include "util/util.h"

#include <sys/mount.h>

/* A flag word: "ro" sets MS_RDONLY, "rw" clears it. */
struct mount_word {
        char word[16];      /* an array: the table needs no relocation at start */
        unsigned long flag; /* MS_* */
        bool clear;         /* the word clears flag ("rw", "suid", "dev", "exec", ...) */
};

/* The flag words, in the order `check --show` prints them. */
extern const struct mount_word mount_words[];
extern const size_t n_mount_words;
/* Every MS_* flag a word of mount_words sets. */
#define MOUNT_WORD_FLAGS                                                                           \
        (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_RELATIME |                 \
         MS_STRICTATIME | MS_NODIRATIME | MS_NOSYMFOLLOW)

/* The row of word, or NULL. */
const struct mount_word *mountopts_word(const char *word);
/* "ro,nosuid,..." (malloc'd): the words of mount_words, in table order, that set a flag of
 * `set` or clear a flag of `cleared`. */
char *mountopts_to_string(unsigned long set, unsigned long cleared);
/* The MOUNT_ATTR_* attributes of MS_* flags (mount_setattr(2), fsmount(2)). */
uint64_t mountopts_attr(unsigned long flags);

/* "private", "slave", "shared", "unbindable", each with an optional "r" prefix (recursive):
 * the MS_* propagation flag, | MS_REC for the prefix. 0 or -EINVAL. */
int mountopts_propagation_from_string(const char *s, unsigned long *ret);
/* The word of one propagation flag (MS_PRIVATE, ...; MS_REC ignored), or NULL. */
const char *mountopts_propagation_to_string(unsigned long flag);
/* The propagation flags, in the order of their words. */
extern const unsigned long mount_propagation_flags[4];

/* Flags of an option string ("ro,nosuid,relatime") per libmount's built-in Linux map. Returns 0,
 * -EINVAL for a string libmount rejects, or -ELIBACC when libmount.so.1 cannot be loaded. */
int mountopts_flags(const char *optstr, unsigned long *ret);
