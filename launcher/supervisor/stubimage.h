/* stubimage.h - the stub init's image: the static program built from supervisor/stubinit.c,
 * embedded in boxlaunch (stubinit_blob.S), run as the box's PID 1 from a sealed memfd. Its
 * process, memfd and messages are all called STUBINIT_NAME. */
#pragma once
#include "util/util.h"

/* The name the stub init goes by (stubinit.c says it once more: it includes nothing of ours). */
#define STUBINIT_NAME "boxlaunch-init"

/* Default time the stub gives the payload's leftovers between SIGTERM and its own exit. */
#define STUBINIT_GRACE_MS_DEFAULT 2000U

/* Supervisor, before clone: a memfd (MFD_CLOEXEC|MFD_ALLOW_SEALING) holding the embedded stub
 * image, sealed with F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE so that no box process
 * can modify it through /proc/<pid>/exe (CVE-2019-5736). Returns the fd or a negative errno. */
int stubinit_memfd(void);

/* The same image, shared: the sealed memfd another running box (of this runtime directory) has
 * as its PID 1, when it is byte for byte ours (stubinit_is_image()); a new one otherwise. A
 * thousand idle boxes hold one copy of the image instead of a thousand (24 KiB each). */
int stubinit_memfd_shared(void);
/* Whether fd is an image a box may run: sealed as stubinit_memfd() seals it (so it stays as
 * it is now), executable, and byte for byte the embedded one. */
bool stubinit_is_image(int fd);

/* Child, last step: execveat(memfd, "", {STUBINIT_NAME, "-g", grace, "--", argv...}, envp,
 * AT_EMPTY_PATH). argv must not be empty. With running > 0 the payload already runs as that child
 * of the caller ("-p PID"): the stub only serves it. Returns only on failure (-errno). */
int stubinit_exec(int memfd, char *const *argv, char *const *envp, unsigned grace_ms,
                  pid_t running);

/* Supervisor, slimming (supervise.h): execveat(memfd, "", {"boxlaunch", "--supervise", name,
 * ..., steps...}, environ, AT_EMPTY_PATH), the slim supervisor of stubsup.c, handing it PID 1
 * (pid and pidfd), the state file's locked fd, an fd of our own binary for the clean-up (O_PATH
 * will do), the stop protocol and the clean-up steps (pairs, stubsup.h; NULL-terminated). The
 * three fds must be inheritable. Returns only on failure (-errno). */
int stubsup_exec(int memfd, const char *name, pid_t pid, int pidfd, int lock_fd, int exe_fd,
                 int kill_signal, uint64_t stop_timeout_usec, bool boot, char *const *steps);
