/* env.h - the environment of processes in a box, and the PATH search within it. */
#pragma once
#include "core/config.h"
#include "launch/user.h"

#define BOX_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Sets "K=V" in *env, replacing an earlier K. */
void env_set(char ***env, const char *kv);
const char *env_get(char *const *env, const char *name);

/* A UUID derived from the box's name: a booted systemd fills an empty /etc/machine-id from
 * container_uuid, so the same box gets the same machine id at every boot. */
void box_uuid(const char *name, char buf[static 37]);

/* What a process in the box starts with, for PID 1 and for `exec` alike: PATH, container=,
 * container_uuid=, HOME, USER and LOGNAME of ids, TERM when term is not NULL, then the box's
 * Environment=, then extra ("K=V" entries, e.g. exec --env). Nothing of the host's own
 * environment. */
char **box_env(const struct box_config *c, const struct box_ids *ids, const char *term,
               char *const *extra);

/* execve() searching the box's PATH from env (execvpe(3) would search the caller's). Returns
 * only on failure: -ENOENT when nothing was found, else the most telling error. */
int exec_in_path(char **argv, char **env);

/* Whether argv[0] can be found as exec_in_path() would look (the OCI runtime checks before it
 * reports a container or process created: podman and containerd tell a missing command by this
 * wording). 0, or a negative errno after logging "... No such file or directory". */
int exec_check_path(char **argv, char **env);
