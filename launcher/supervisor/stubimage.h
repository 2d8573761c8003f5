/* pid1.h - run the embedded stub init (launcher/stubinit.c) as the box's PID 1. */
#pragma once
#include "util/util.h"

/* Default time the stub gives the payload's leftovers between SIGTERM and its own exit. */
#define STUBINIT_GRACE_MS_DEFAULT 2000U

/* Supervisor, before clone: a memfd (MFD_CLOEXEC|MFD_ALLOW_SEALING) holding the embedded stub
 * image, sealed with F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE so that no box process
 * can modify it through /proc/<pid>/exe (CVE-2019-5736). Returns the fd or a negative errno. */
int stubinit_memfd(void);

/* Child, last step: execveat(memfd, "", {"boxlaunch-init", "-g", grace, "--", argv...}, envp,
 * AT_EMPTY_PATH). argv must not be empty. Returns only on failure (-errno). */
int stubinit_exec(int memfd, char *const *argv, char *const *envp, unsigned grace_ms);
