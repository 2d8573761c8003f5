/* env.c - environment and PATH search for processes in a box. */
#include "launch/env.h"

void env_set(char ***env, const char *kv)
{
        size_t n = strcspn(kv, "=") + 1;
        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, kv, n) == 0) {
                        free(*e);
                        *e = xstrdup(kv);
                        return;
                }
        strv_push(env, xstrdup(kv));
}

const char *env_get(char *const *env, const char *name)
{
        size_t n = strlen(name);
        for (char *const *e = env; e && *e; e++)
                if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
                        return *e + n + 1;
        return NULL;
}

void box_uuid(const char *name, char buf[static 37])
{
        uint64_t h[2] = {14695981039346656037ULL, 0x9e3779b97f4a7c15ULL};
        for (int k = 0; k < 2; k++)
                for (const char *p = name; *p; p++)
                        h[k] = (h[k] ^ (unsigned char)*p) * 1099511628211ULL;
        unsigned char b[16];
        memcpy(b, h, 16);
        b[6] = (b[6] & 0x0f) | 0x40; /* version 4 layout, variant 1 */
        b[8] = (b[8] & 0x3f) | 0x80;
        snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                 b[13], b[14], b[15]);
}

char **box_env(const struct box_config *c, const struct box_ids *ids, const char *term,
               char *const *extra)
{
        char **env = NULL;
        char uuid[37];
        if (c->process_exact) {
                /* OCI: the environment as listed, HOME added when missing (as runc does). */
                for (char **e = c->env; e && *e; e++)
                        env_set(&env, *e);
                if (!env_get(env, "HOME")) {
                        _cleanup_free_ char *home =
                                xasprintf("HOME=%s", ids->home ? ids->home : "/");
                        env_set(&env, home);
                }
                for (char *const *e = extra; e && *e; e++)
                        env_set(&env, *e);
                return env;
        }
        box_uuid(c->name, uuid);
        env_set(&env, "PATH=" BOX_DEFAULT_PATH);
        env_set(&env, "container=boxlaunch");
        _cleanup_free_ char *u = xasprintf("container_uuid=%s", uuid);
        env_set(&env, u);
        _cleanup_free_ char *home = xasprintf("HOME=%s", ids->home ? ids->home : "/");
        env_set(&env, home);
        if (ids->name) {
                _cleanup_free_ char *user = xasprintf("USER=%s", ids->name);
                _cleanup_free_ char *logname = xasprintf("LOGNAME=%s", ids->name);
                env_set(&env, user);
                env_set(&env, logname);
        }
        if (term) {
                _cleanup_free_ char *t = xasprintf("TERM=%s", term);
                env_set(&env, t);
        }
        for (char **e = c->env; e && *e; e++)
                env_set(&env, *e);
        for (char *const *e = extra; e && *e; e++)
                env_set(&env, *e);
        return env;
}

int exec_in_path(char **argv, char **env)
{
        if (strchr(argv[0], '/')) {
                execve(argv[0], argv, env);
                return -errno;
        }
        const char *path = env_get(env, "PATH");
        int err = -ENOENT;
        _cleanup_free_ char *copy = xstrdup(path ? path : BOX_DEFAULT_PATH);
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = xasprintf("%s/%s", *dir ? dir : ".", argv[0]);
                execve(p, argv, env);
                if (errno != ENOENT && errno != ENOTDIR)
                        err = -errno;
        }
        return err;
}
