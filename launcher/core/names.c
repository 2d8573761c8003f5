/* names.c - names of the config's enumerated values (names.h). */
#include "core/names.h"

#define CAPBIT(c) (UINT64_C(1) << (c))

#define RLIMIT_NAME(n) [RLIMIT_##n] = "RLIMIT_" #n,
static const char *const rlimit_names[RLIM_NLIMITS] = {BOX_RLIMITS(RLIMIT_NAME)};
#undef RLIMIT_NAME

const char *box_rlimit_name(int resource)
{
        return resource >= 0 && resource < RLIM_NLIMITS ? rlimit_names[resource] : NULL;
}

int box_rlimit_from_name(const char *name)
{
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (rlimit_names[i] && streq(name, rlimit_names[i]))
                        return i;
        return -EINVAL;
}

static int index_of(const char *s, const char *const *names, int n)
{
        for (int i = 0; i < n; i++)
                if (strcaseeq(s, names[i]))
                        return i;
        return -EINVAL;
}

const char *const box_console_mode_names[_BOX_CONSOLE_MAX] = {
        [BOX_CONSOLE_AUTOPIPE] = "autopipe",
        [BOX_CONSOLE_INTERACTIVE] = "interactive",
        [BOX_CONSOLE_READ_ONLY] = "read-only",
        [BOX_CONSOLE_PIPE] = "pipe",
};

const char *box_console_mode_to_string(enum box_console_mode m)
{
        return m < _BOX_CONSOLE_MAX ? box_console_mode_names[m] : "invalid";
}

int box_console_mode_from_string(const char *s)
{
        return index_of(s, box_console_mode_names, _BOX_CONSOLE_MAX);
}

const char *const box_mount_type_names[_BOX_MOUNT_TYPE_MAX] = {
        [BOX_MOUNT_BIND] = "bind",
        [BOX_MOUNT_TMPFS] = "tmpfs",
        [BOX_MOUNT_OVERLAY] = "overlay",
        [BOX_MOUNT_FS] = "fs",
};

const char *box_mount_type_to_string(enum box_mount_type t)
{
        return t < _BOX_MOUNT_TYPE_MAX ? box_mount_type_names[t] : "invalid";
}

int box_mount_type_from_string(const char *s)
{
        return index_of(s, box_mount_type_names, _BOX_MOUNT_TYPE_MAX);
}

const char *const box_net_mode_names[_BOX_NET_MAX] = {
        [BOX_NET_HOST] = "host",
        [BOX_NET_PRIVATE] = "private",
};

int box_net_mode_from_string(const char *s)
{
        return index_of(s, box_net_mode_names, _BOX_NET_MAX);
}

const char *const box_net_proto_names[_BOX_PROTO_MAX] = {
        [BOX_PROTO_TCP] = "tcp",
        [BOX_PROTO_UDP] = "udp",
};

int box_net_proto_from_string(const char *s)
{
        return index_of(s, box_net_proto_names, _BOX_PROTO_MAX);
}

const char *const box_resolv_conf_names[_BOX_RESOLV_MAX] = {
        [BOX_RESOLV_AUTO] = "auto",
        [BOX_RESOLV_OFF] = "off",
        [BOX_RESOLV_BIND_HOST] = "bind-host",
        [BOX_RESOLV_BIND_BOX] = "bind-box",
};

int box_resolv_conf_from_string(const char *s)
{
        return index_of(s, box_resolv_conf_names, _BOX_RESOLV_MAX);
}

const char *const box_hook_stage_names[_BOX_HOOK_STAGE_MAX] = {
        [BOX_HOOK_PRESTART] = "prestart",
        [BOX_HOOK_CREATE_RUNTIME] = "createRuntime",
        [BOX_HOOK_CREATE_CONTAINER] = "createContainer",
        [BOX_HOOK_START_CONTAINER] = "startContainer",
        [BOX_HOOK_POSTSTART] = "poststart",
        [BOX_HOOK_POSTSTOP] = "poststop",
};

const char *box_hook_stage_to_string(enum box_hook_stage s)
{
        return s < _BOX_HOOK_STAGE_MAX ? box_hook_stage_names[s] : "invalid";
}

int box_hook_stage_from_string(const char *s)
{
        return index_of(s, box_hook_stage_names, _BOX_HOOK_STAGE_MAX);
}
