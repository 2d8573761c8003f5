/* runtime.h - what the launch decides when it runs, beside the config it was given: the console
 * mode (whether there is a terminal), the user namespace's id range (User=pick), the mounts and
 * environment the launch adds itself (NotifyReady='s socket). The config stays as the front-end
 * and validation made it (the state file stores it); the set-up child gets both. */
#pragma once
#include "core/config.h"

struct box_runtime {
        enum box_console_mode console; /* resolved: interactive, read-only or pipe */
        bool userns;                   /* a user namespace, mapping the range below */
        uid_t uid_base;                /* host uid of the box's root */
        uint32_t uid_count;
        /* Every mount to make, in order: the config's, then the launch's own. */
        const struct box_mount **mounts;
        size_t n_mounts;
        struct box_mount notify_mount; /* NotifyReady=yes: the socket at /run/host/notify */
        char **env;                    /* "K=V" entries after Environment=, or NULL */
        const char *cgroup_path;       /* the box's groups; NULL while they do not exist yet */
        int *idmap_fd;   /* per config mount: its idmapped detached copy, or -1 (NULL: none) */
        bool nft_anchor; /* the child adds nft_hooks_anchor() to its network namespace */
};
