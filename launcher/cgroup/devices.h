/* devices.h - the box's device policy: a default allow-list (the devices every container needs)
 * plus the configured devices, enforced by the v1 devices controller or, on cgroup2, by a
 * BPF_PROG_TYPE_CGROUP_DEVICE program. */
#pragma once
#include "cgroup/cgutil.h"

struct bpf_insn;

/* Checks every device's type and access before anything is created; logs the bad one. */
int devices_check(const struct box_device *devs, size_t n_devs);
/* Applies the policy to the box's groups: devices.deny/devices.allow in the v1 devices group,
 * else the program attached to the cgroup2 group (in a fake tree only built, to catch bad
 * rules). Logs failures, naming the device where the config says where it was set. Inside a
 * container that refuses bpf() (devices hierarchy read-only, or cgroup v2) the container's own
 * device policy binds the box: a warning, not an error. */
int devices_apply(const struct box_cgroup *cg, const struct box_device *devs, size_t n_devs);
/* The BPF_PROG_TYPE_CGROUP_DEVICE program for the default allow-list plus devs. */
int devices_build_bpf(const struct box_device *devs, size_t n_devs, struct bpf_insn **ret,
                      size_t *len);
/* Builds, loads and attaches the program to the cgroup2 directory dirfd (BPF_F_ALLOW_MULTI).
 * -EPERM (not logged) when bpf() may not load it here; other failures are logged. */
int devices_attach_bpf(int dirfd, const struct box_device *devs, size_t n_devs);
