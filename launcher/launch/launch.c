/* launch.c - a box's start as a short sequence of named phases (launch_box()), and the
 * supervisor's side of the sync protocol (sync.h).
 *
 * The supervisor clone3()s the child straight into the box's namespaces; no re-exec of the
 * boxlaunch binary is needed because C can do all set-up between clone and execve (child.c). One
 * SOCK_SEQPACKET socketpair carries the handshake:
 *
 *   supervisor                              child (PID 1 in the new pid namespace)
 *   clone3 ------------------------------->  joins its v1 cgroups itself
 *          <-------------------------------  MSG_JOINED, then blocks on the socket
 *   uid/gid maps, state, prestart hooks
 *   MSG_GO ------------------------------->  rootfs, /dev, mounts, pivot_root, ids, security
 *          <-------------------------------  MSG_LOG lines, MSG_ERROR {exit code} and _exit, or
 *          <-------------------------------  MSG_EXEC, right before execve, then
 *          <------------------- EOF ------  execve succeeded (the socket is O_CLOEXEC)
 *
 * Without hooks the go does not wait for MSG_JOINED (nothing needs the join before it).
 *
 * EOF without MSG_EXEC is a set-up process that died (a crash, a SIGKILL): a failed start. The
 * child logs as any code does; its lines arrive as MSG_LOG (only when something is logged) and
 * are printed by the supervisor's logger.
 *
 * An application box without hooks on a v1 or hybrid host joins late: the two sides work in
 * parallel, on two CPUs where there are two.
 *
 *   clone3 ------------------------------->  rootfs, /dev, mounts, pivot_root, ids
 *   cgroups, state
 *   MSG_GO + tasks fds -------------------->  joins its cgroups, security, execve (EOF as above)
 *
 * The child shares the supervisor's memory (clone_box_shared(): CLONE_VM | CLONE_VFORK, no page
 * table copied): the launching thread waits in clone() until the child executes, and the
 * supervisor's column above runs in a thread of its own meanwhile. Where clone() cannot do what
 * clone3() does, the child is a fork (clone_box()) and the launching thread runs that column.
 *
 * With a user namespace the child first waits for its maps: a MSG_GO (with the idmapped root)
 * right after they are written, and the groups are made while it mounts. It joins them as
 * its user namespace's root through descriptors the supervisor opened: the kernel checks a
 * migration against the credentials the file was opened with (Linux 5.16 and later; before,
 * such a box joins first).
 *
 * Every phase that acquires something on the host registers how to release it in struct
 * launch; launch_cleanup() runs those undos in reverse order on every path. The child's mounts
 * live in its own mount namespace and vanish with it. What a phase decides at run time (the
 * console, the id range, the notify socket's mount) goes into struct box_runtime: the config
 * stays as the front-end and validation made it. The phases before clone are in prepare.c;
 * struct launch and its undo registry in launch_internal.h. */
#include "launch/launch_internal.h"
#include "util/syscalls.h"

#include "cgroup/cgroup.h"
#include "core/config_json.h"
#include "core/exitcodes.h"
#include "launch/child.h"
#include "launch/hooks.h"
#include "launch/idmap.h"
#include "launch/net.h"
#include "launch/netsum.h"
#include "launch/notify.h"
#include "launch/nsjoin.h"
#include "launch/sync.h"
#include "core/state.h"
#include "supervisor/supervise.h"
#include "util/fdpass.h"
#include "util/image.h"
#include "util/log.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

static void launch_cleanup(struct launch *l)
{
        while (l->n_undo > 0)
                l->undo[--l->n_undo](l);
        free(l->rt.mounts);
        free(l->bundle);
        strv_free(l->rt.env);
        l->bundle = NULL;
        l->rt.mounts = NULL;
        l->rt.env = NULL;
}

/* ---- the network (launch/net.h) --------------------------------------------------------- */

static void release_net(struct launch *l)
{
        net_release(l->c, &l->net);
}

/* Names, leases and the files the box binds, before clone. */
static int prepare_net(struct launch *l)
{
        on_cleanup(l, release_net);
        return net_prepare(l->c, &l->net, &l->rt); /* logged */
}

static int wait_started(struct launch *l);

/* First thing at stop: the box's table, and its link out of the way of a restart (net.h). */
static void stop_net(struct launch *l)
{
        net_stop(l->c, &l->net);
}

/* -ESRCH: the child failed before its namespace could be reached (an image without /proc, say):
 * report its error, not the missing namespace. */
static int net_child_gone(struct launch *l, int r)
{
        if (r != -ESRCH)
                return r;
        r = wait_started(l);
        return r < 0 ? r : log_error_errno(-ESRCH, "network: the box's set-up is gone");
}

/* The network's early thread (net.h), done before the state names the box's addresses. */
static int join_net(struct launch *l)
{
        return net_child_gone(l, net_early_join(&l->net)); /* logged */
}

/* The links, addresses, routes and firewall, once the box's namespace exists and before the
 * child may run anything (it waits for the go). */
static int setup_net(struct launch *l)
{
        int r = net_child_gone(l, net_setup(l->c, &l->net, l->pid)); /* logged; release_net */
        if (r >= 0)
                on_cleanup(l, stop_net);
        return r;
}

/* ---- cgroups ----------------------------------------------------------------------------- */

static void destroy_cgroups(struct launch *l)
{
        close_many(l->join, l->n_join);
        l->n_join = 0;
        if (l->keep)
                cgroup_release(l->cg); /* OCI create: `delete` removes them */
        else
                /* After PID 1 is gone: kills whatever it left and removes the groups. */
                cgroup_destroy(l->cg);
        l->cg = NULL;
}

/* Since Linux 5.16 a cgroup migration is checked against the credentials its file was opened
 * with: a user namespace's root can join through descriptors the supervisor opened. Before,
 * cgroup2's check (the hybrid layout's unified hierarchy) used the writer's own and refused. */
static bool migration_checks_opener(void)
{
        struct utsname u;
        unsigned major = 0, minor = 0;
        return uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
               (major > 5 || (major == 5 && minor >= 16));
}

/* Whether the child joins its groups late (see the top of this file). Not where something needs
 * the groups earlier: a machine box or an OCI cgroup mount mounts them, and hooks may look at
 * them; on pure cgroup2 clone3(CLONE_INTO_CGROUP) is the cheap way in. */
static bool join_late(const struct box_config *c)
{
        enum cgroup_layout layout;
        return !c->boot && !c->api_listed && c->n_hooks == 0 &&
               (c->userns == BOX_USERNS_NO || migration_checks_opener()) &&
               cgroup_detect(CGROUP_ROOT, &layout) == 0 && layout != CGROUP_LAYOUT_V2;
}

/* Creates the box's groups and opens what the child joins them through. */
static int create_cgroups(struct launch *l, bool with_v2)
{
        const struct box_config *c = l->c;
        int r = cgroup_create_for(CGROUP_ROOT, c, c->boot ? CGROUP_MACHINE : 0, &l->cg);
        if (r < 0)
                return r; /* logged with the key that failed */
        l->rt.cgroup_path = cgroup_path(l->cg);
        if (c->boot && l->rt.userns &&
            (r = cgroup_chown(l->cg, l->rt.uid_base, l->rt.uid_base)) < 0)
                return log_error_errno(r, "handing the cgroup %s to the box's root",
                                       cgroup_path(l->cg));
        r = cgroup_join_fds(l->cg, with_v2, l->join);
        if (r < 0)
                return r; /* logged */
        l->n_join = r;
        return 0;
}

/* Decides when the child joins; the groups are made now, or (late) while the child sets up
 * (create_cgroups_late()). */
static int prepare_cgroups(struct launch *l)
{
        l->late = join_late(l->c);
        on_cleanup(l, destroy_cgroups);
        return l->late ? 0 : create_cgroups(l, false);
}

static int create_cgroups_late(struct launch *l)
{
        return l->late ? create_cgroups(l, true) : 0; /* logged; the child is killed */
}

/* ---- the child --------------------------------------------------------------------------- */

static void end_child(struct launch *l)
{
        if (l->pid > 0 && !l->keep) {
                /* Still alive only on an error path: it must not outlive us. */
                kill(l->pid, SIGKILL);
                while (waitpid(l->pid, NULL, __WALL) < 0 && errno == EINTR)
                        ;
                l->pid = 0;
        }
        closep(&l->sock);
        closep(&l->pidfd);
        l->sock = l->pidfd = -1;
}

static uint64_t clone_flags(const struct box_config *c)
{
        uint64_t f = CLONE_PIDFD;
        /* OCI: a mount or pid namespace joined by path is entered instead (nsjoin.h). */
        if (!c->ns_join[BOX_NS_MNT])
                f |= CLONE_NEWNS;
        /* OCI without a pid namespace: the host's (the payload is not PID 1 then). */
        if (!c->ns_pid_host && !c->ns_join[BOX_NS_PID])
                f |= CLONE_NEWPID;
        if (c->ns_uts)
                f |= CLONE_NEWUTS;
        if (c->ns_ipc)
                f |= CLONE_NEWIPC;
        /* With offsets, the child makes the time namespace itself (ns.h). */
        if (c->ns_time && !c->time_offsets_set)
                f |= CLONE_NEWTIME;
        if (c->net == BOX_NET_PRIVATE)
                f |= CLONE_NEWNET;
        if (c->userns != BOX_USERNS_NO)
                f |= CLONE_NEWUSER;
        return f;
}

/* A kernel that packs tasks onto few CPUs (this VM's does) queues the new child on our CPU while
 * another is idle, and the set-up it does is what the start waits for, not our work meanwhile
 * (perf sched: ~0.9 ms runnable behind us). When it waits on ours, we step aside to another of
 * our CPUs (the kernel moves us at once) and take our CPU set back. */
static void make_way(int child_cpu)
{
        cpu_set_t cpus;
        int self = sched_getcpu();
        if (self < 0 || self != child_cpu || sched_getaffinity(0, sizeof(cpus), &cpus) < 0 ||
            CPU_COUNT(&cpus) < 2)
                return;
        cpu_set_t others = cpus;
        CPU_CLR(self, &others);
        if (sched_setaffinity(0, sizeof(others), &others) == 0)
                (void)sched_setaffinity(0, sizeof(cpus), &cpus);
}

/* What the box's first process starts from, its end of the sync socket. */
static struct child_args child_args_of(struct launch *l, int sock)
{
        return (struct child_args){
                .c = l->c,
                .rt = &l->rt,
                .privs = &l->sec,
                .sock = sock,
                .stub = l->stub,
                .log_fd = l->log_fd,
                .oldmask = &l->oldmask,
                .fifo_fd = l->oci ? l->oci->fifo_fd : -1,
                .hs = &l->hs,
                .console_sock = l->oci ? l->oci->console_sock : -1,
                .preserve_fds = l->oci ? l->oci->preserve_fds : 0,
                .oci = l->oci != NULL,
                .late = l->late,
                .join = l->join,
                .n_join = l->n_join,
        };
}

/* The child runs: its start time (what pins the pid), our CPU, the join fds it has its copies of. */
static void child_started(struct launch *l, pid_t pid)
{
        l->pid = pid;
        struct proc_stat st;
        if (proc_stat(pid, &st) == 0) {
                l->pid_start = st.starttime;
                make_way(st.processor);
        }
        close_many(l->join, l->n_join);
        l->n_join = 0;
}

/* The sync socket (sync.h): ours in l->sock, the child's in sv[1]; the child ends with us. */
static int open_sync(struct launch *l, int sv[2])
{
        on_cleanup(l, end_child);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return log_error_errno(-errno, "socketpair");
        l->sock = sv[0];
        return 0;
}

/* The box's PID 1, in its namespaces (and on cgroup v2 in its group, before it runs a single
 * instruction); it goes on in child_main(). */
static int clone_box(struct launch *l)
{
        int sv[2], r = open_sync(l, sv);
        if (r < 0)
                return r; /* logged */
        struct clone_args_v2 args = {
                .flags = clone_flags(l->c),
                .pidfd = (uint64_t)(uintptr_t)&l->pidfd,
                .exit_signal = SIGCHLD,
        };
        int cgfd = l->late ? -1 : cgroup_v2_dirfd(l->cg);
        if (cgfd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)cgfd;
        }
        int own_pidns = -1;
        if (nsjoin_pid_for_children(l->c, &own_pidns) < 0) {
                close(sv[1]);
                return -EINVAL; /* logged */
        }
        pid_t pid = sys_clone3(&args);
        int err = errno;
        if (pid != 0)
                nsjoin_pid_restore(own_pidns);
        if (pid < 0) {
                close(sv[1]);
                return log_error_errno(-err, "creating the box's namespaces");
        }
        if (pid == 0) {
                image_prefault(); /* the fork copied no page-table entries of the code */
                close(sv[0]);
                struct child_args a = child_args_of(l, sv[1]);
                child_main(&a);
        }
        close(sv[1]);
        child_started(l, pid);
        return 0;
}

/* ---- after clone ------------------------------------------------------------------------- */

static void release_root_mount(struct launch *l)
{
        closep(&l->root_mount);
        l->root_mount = -1;
}

/* An idmapped clone of the root (kernel >= 5.12), so a tree owned by the host's root shows up
 * owned by the box's root without a recursive chown. Only when the tree's top is owned by uid 0
 * (a tree already shifted to the range, owned by BASE, is used as it is). Without support
 * (older kernel, file system without idmap support) the box still runs; host-owned files then
 * show up as nobody. Returns a detached mount or -1. */
static int idmapped_root(const struct box_config *c, int root_dir, pid_t pid)
{
        struct stat st;
        if (fstat(root_dir, &st) < 0 || st.st_uid != 0)
                return -1;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        _cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int m = open_tree(
                root_dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (ns < 0 || m < 0)
                return -1;
        struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns};
        if (mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0) {
                log_warn_errno(-errno,
                               "%s cannot be idmapped; files owned by host users will "
                               "show up as nobody in the box",
                               c->root);
                return -1;
        }
        return TAKE_FD(m);
}

/* The user namespace's id maps (the child waits for them), then the root idmapped to them. */
static int write_maps(struct launch *l)
{
        if (!l->rt.userns)
                return 0;
        const struct box_config *c = l->c;
        int r = c->n_uid_map ? idmap_write_maps(l->pid, c->uid_map, c->n_uid_map, c->gid_map,
                                                c->n_gid_map)
                             : idmap_write(l->pid, l->rt.uid_base, l->rt.uid_count);
        if (r < 0)
                return log_error_errno(r, "writing the user namespace's id maps");
        release_idmap_lock(l);
        on_cleanup(l, release_root_mount);
        l->root_mount = idmapped_root(l->c, l->root_dir, l->pid);
        return 0;
}

/* MSG_GO with the idmapped root, if any. A child that failed meanwhile has closed its end; its
 * MSG_ERROR waits in the socket for wait_started(). */
static int send_go(struct launch *l)
{
        int r = sync_send(l->sock, MSG_GO, 0, NULL, &l->root_mount, l->root_mount >= 0 ? 1 : 0);
        if (r == -EPIPE || r == -ECONNRESET)
                return 0;
        return r < 0 ? log_error_errno(r, "starting the box") : 0;
}

/* Late join with a user namespace: the maps are written, the child may become the box's root and
 * set up its tree (with the idmapped root) while the groups are made. */
static int go_mapped(struct launch *l)
{
        return l->late && l->rt.userns ? send_go(l) : 0;
}

/* The state file (state.h) as the verbs read it: PID 1 (host view) and its start time, the
 * supervisor, the creation time, the cgroup, and the box's configuration (what `exec` applies
 * to new processes). */
static int publish_state(struct launch *l)
{
        if (l->oci)
                return 0; /* recorded by the caller after the go (oci_record()) */

        /* root= lets `list` skip parsing the configuration (not a root with a newline) */
        const char *root = l->c->root && !strchr(l->c->root, '\n') ? l->c->root : NULL;
        /* network= lets `list --json` skip it too (its addresses are claimed by now) */
        struct net_status ns;
        net_launched_status(&l->net, &ns);
        _cleanup_free_ char *net = net_summary_line(l->c, &ns);
        _cleanup_free_ char *header = xasprintf(
                "pid=%d\npidstart=%llu\nsupervisor=%d\ncreated=%lld\ncgroup=%s\n%s%s%s%s%s%s",
                (int)l->pid, l->pid_start, (int)getpid(), (long long)time(NULL), cgroup_path(l->cg),
                root ? "root=" : "", root ? root : "", root ? "\n" : "", net ? "network=" : "",
                net ? net : "", net ? "\n" : "");
        _cleanup_free_ char *text = box_config_to_json_string(l->c);
        int r = state_publish(&l->state, "creating", header, text);
        if (r < 0)
                return log_error_errno(r, "writing the state of '%s'", l->c->name);
        return 0;
}

/* Reaps PID 1 after it reported a set-up error; its own exit code does not matter then. */
static void reap_child(struct launch *l)
{
        while (waitpid(l->pid, NULL, __WALL) < 0 && errno == EINTR)
                ;
        l->pid = 0;
}

/* MSG_ERROR: the child logged why (its lines came before) and gives the exit code. */
static int child_failed(struct launch *l, const struct sync_msg *m)
{
        l->code = m->code;
        reap_child(l);
        return -EIO;
}

/* The child's first message: MSG_JOINED, or MSG_ERROR if it could not join its cgroups. Not
 * inlined (nor is wait_started()): their 4 KiB message buffer would stay in launch_box()'s frame,
 * under the supervisor's loop, for the box's life. */
static int __attribute__((noinline)) wait_joined(struct launch *l)
{
        struct sync_msg m;
        int fd = -1;
        int n = sync_recv_fd(l->sock, &m, &fd);
        closep(&fd);
        if (n > 0 && m.type == MSG_JOINED)
                return 0;
        if (n > 0 && m.type == MSG_ERROR)
                return child_failed(l, &m);
        return log_error_errno(n < 0 ? n : -EPROTO, "waiting for the box to join its cgroups");
}

/* Late join: the groups were made while the child set up its mounts; MSG_GO hands it the fds. A
 * child that failed meanwhile has closed its end, and its MSG_ERROR waits in the socket. */
static int send_go_late(struct launch *l)
{
        int r = sync_send(l->sock, MSG_GO, 0, cgroup_path(l->cg), l->join, (size_t)l->n_join);
        close_many(l->join, l->n_join);
        l->n_join = 0;
        if (r == -EPIPE || r == -ECONNRESET)
                return 0;
        return r < 0 ? log_error_errno(r, "starting the box") : 0;
}

/* The prestart and createRuntime hooks, on the host, once the box is in its groups (the hooks
 * may look at them); then the go, with the idmapped root. */
static int run_prestart_hooks(struct launch *l)
{
        l->hs.pid = l->pid;
        if (l->late)
                return 0; /* a box with hooks never joins late */
        /* Without hooks nothing waits for the join: the go follows at once, and the child's
         * MSG_JOINED (or its MSG_ERROR) is read in wait_started(). */
        if (l->c->n_hooks == 0)
                return 0;
        int r = wait_joined(l);
        if (r < 0)
                return r; /* logged */
        /* OCI: prestart hooks are told "created", as runc's and crun's are (the validation
         * suite checks it); createRuntime ones "creating", as the spec says. */
        l->hs.status = l->oci ? "created" : "creating";
        if (hooks_run(l->c, BOX_HOOK_PRESTART, &l->hs, 0, true) < 0)
                return -ECHILD; /* logged by hooks_run, naming the hook */
        l->hs.status = "creating";
        if (hooks_run(l->c, BOX_HOOK_CREATE_RUNTIME, &l->hs, 0, true) < 0)
                return -ECHILD; /* logged by hooks_run, naming the hook */
        return 0;
}

static int go(struct launch *l)
{
        /* Without hooks the join is not awaited: a child that failed to join shows at
         * wait_started(). */
        return l->late ? send_go_late(l) : send_go(l);
}

/* Hooks in the box's namespaces, on the child's request. A startContainer hook runs a program
 * of the image, after pivot_root: it gets the box's cgroups, capabilities, no_new_privs, LSM
 * and seccomp, like the payload. createContainer hooks run before pivot_root, the admin's
 * programs from the host's tree, with the runtime's privileges (as in runc); both get a
 * session of their own. The child waits for the go. */
static int run_box_hooks(struct launch *l, enum box_hook_stage stage)
{
        int r;
        l->hs.status = stage == BOX_HOOK_START_CONTAINER ? "created" : "creating";
        if (stage != BOX_HOOK_START_CONTAINER) {
                r = hooks_run(l->c, stage, &l->hs, l->pid, true);
        } else {
                int fds[CGROUP_JOIN_MAX];
                int n = cgroup_join_fds(l->cg, true, fds);
                if (n < 0)
                        return n; /* logged */
                struct hook_confine conf = {
                        .c = l->c, .privs = &l->sec, .cgroup_fds = fds, .n_cgroup_fds = n};
                r = hooks_run_confined(l->c, stage, &l->hs, l->pid, true, &conf);
                close_many(fds, n);
        }
        if (r < 0)
                return r; /* logged */
        r = sync_send(l->sock, MSG_GO, 0, NULL, NULL, 0);
        return r < 0 ? log_error_errno(r, "resuming the box after its hooks") : 0;
}

/* EOF before MSG_EXEC: the set-up process died without a word (a crash, a kill). */
static int set_up_died(struct launch *l)
{
        int st = 0;
        while (waitpid(l->pid, &st, __WALL) < 0 && errno == EINTR)
                ;
        l->pid = 0;
        if (WIFSIGNALED(st))
                log_error("the box's set-up process was killed by signal %s before starting the "
                          "payload",
                          sigabbrev_np(WTERMSIG(st)) ?: "?");
        else
                log_error("the box's set-up process exited with status %d before starting the "
                          "payload",
                          WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return -ECHILD;
}

static void release_pty(struct launch *l)
{
        closep(&l->pty_master);
        l->pty_master = -1;
}

/* Serves the child's requests (its console, its hooks) until it executes the payload. */
static int __attribute__((noinline)) wait_started(struct launch *l)
{
        on_cleanup(l, release_pty);
        for (bool executing = false;;) {
                struct sync_msg m;
                int fd = -1;
                int n = sync_recv_fd(l->sock, &m, &fd); /* a reset reads as EOF (sync.c) */
                if (n < 0)
                        return log_error_errno(n, "waiting for the box to start");
                if (n == 0 && executing) {
                        cgroup_adopt(l->cg); /* from now on the box's own */
                        /* Not needed while the box runs: a thousand idle boxes would hold a
                         * thousand sockets (and files of the image PID 1 maps anyway). */
                        closep(&l->sock);
                        closep(&l->stub);
                        l->sock = l->stub = -1;
                }
                if (n == 0)
                        /* EOF: the payload (or the stub init) is executing, or set-up died. */
                        return executing ? 0 : set_up_died(l);
                if (m.type == MSG_PTY && fd >= 0 && l->pty_master < 0) {
                        l->pty_master = fd;
                        continue;
                }
                closep(&fd);
                if (m.type == MSG_EXEC)
                        executing = true;
                else if (m.type == MSG_HOOKS && m.code >= 0 && m.code < _BOX_HOOK_STAGE_MAX) {
                        int r = run_box_hooks(l, (enum box_hook_stage)m.code);
                        if (r < 0)
                                return r;
                } else if (m.type == MSG_ERROR)
                        return child_failed(l, &m);
        }
}

/* ---- the box runs ------------------------------------------------------------------------- */

/* NotifyReady=yes: pass the payload's READY=1 and STATUS= on to systemd. */
static void on_notify(void *userdata)
{
        struct launch *l = userdata;
        for (;;) {
                bool ready = false;
                _cleanup_free_ char *status = NULL;
                int r = notify_receive(l->notify_fd, 0, &ready, &status);
                if (r == -EAGAIN)
                        return;
                if (r < 0)
                        continue;
                if (status) {
                        _cleanup_free_ char *msg = xasprintf("STATUS=%s", status);
                        (void)notify_send(msg);
                }
                if (ready)
                        (void)notify_send("READY=1");
        }
}

static int on_stop(void *userdata)
{
        return notify_send("STOPPING=1\nSTATUS=Stopping the box...");
}

/* --detach: tell the caller how the start went; once the box runs, let go of its terminal and
 * pipes. */
static void detach_done(struct launch *l, int code)
{
        if (l->detach_fd < 0)
                return;
        (void)write_all(l->detach_fd, &code, sizeof(code));
        close(l->detach_fd);
        l->detach_fd = -1;
        if (code == 0 && l->log_fd >= 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        close(null);
                }
                dup2(l->log_fd, STDOUT_FILENO);
                dup2(l->log_fd, STDERR_FILENO);
        }
}

void launch_report_oom(const struct box_config *c, uint64_t ooms)
{
        log_error("box '%s': the OOM killer killed %llu process%s: the box reached its memory "
                  "limit (%s)",
                  c->name, (unsigned long long)ooms, ooms == 1 ? "" : "es",
                  BOX_WHERE(c, BOX_F_MEMORY_MAX, NULL, 0));
}

/* A box still running after this long is taken for a long-lived one: its supervisor slims
 * (launch/slim.c). Short-lived boxes never pay for the two more execve()s. */
#define SLIM_AFTER_USEC (500 * 1000)

/* The payload runs: status, poststart hooks, readiness; then the supervisor's loop until PID 1
 * is gone, whose exit code becomes ours. */
static int supervise_box(struct launch *l)
{
        const struct box_config *c = l->c;
        (void)state_set_status(&l->state, "running");
        l->started = true;
        l->hs.status = "running";
        (void)hooks_run(c, BOX_HOOK_POSTSTART, &l->hs, 0, false);
        if (!c->notify_ready)
                (void)notify_send("READY=1\nSTATUS=Box running.");
        detach_done(l, 0);
        struct supervise_params sp = {
                .pid = l->pid,
                .pidfd = l->pidfd,
                .kill_signal = box_config_kill_signal(c),
                .stop_timeout_usec = c->stop_timeout_usec,
                .pty_master = l->pty_master,
                .read_only_console = l->rt.console == BOX_CONSOLE_READ_ONLY,
                .boot = c->boot,
                .on_stop = on_stop,
                .watch_fd = l->notify_fd,
                .on_watch = l->notify_fd >= 0 ? on_notify : NULL,
                .slim_after_usec = launch_can_slim(l) ? SLIM_AFTER_USEC : 0,
                .slim = launch_slim,
                .userdata = l,
        };
        int code = supervise(&sp);
        /* supervise() reaped PID 1 in every case. */
        l->pid = 0;
        uint64_t ooms = 0;
        if (cgroup_oom_kills(l->cg, &ooms) == 0 && ooms > 0)
                launch_report_oom(c, ooms);
        if (code < 0) {
                log_error_errno(code, "supervising the box");
                code = EXIT_SETUP_FAILED;
        }
        return code;
}

/* OCI: the caller records the container (its state file) while the init mounts its root after
 * the go: that work overlaps the init's instead of following its execve. */
static int oci_record(struct launch *l)
{
        if (!l->oci || !l->oci->record)
                return 0;
        return l->oci->record(l->oci->userdata, l->pid, cgroup_path(l->cg)); /* logged */
}

/* OCI: the init is ready (and, for create, blocked on the exec FIFO): the caller says so;
 * create ends here, leaving the init, its groups and namespaces to `start` and `delete`. */
static int oci_created(struct launch *l)
{
        if (!l->oci)
                return 0;
        int r = l->oci->created(l->oci->userdata, l->pid, cgroup_path(l->cg));
        if (r < 0)
                return r; /* logged */
        if (l->oci->foreground)
                return 0;
        l->keep = true;
        l->code = 0;
        return -ECANCELED; /* not an error: no supervision */
}

/* ---- the start -------------------------------------------------------------------------- */

/* The supervisor's side of the set-up, from the child's clone to its execve. */
static int after_clone(struct launch *l)
{
        int r;
        if ((r = write_maps(l)) < 0 || (r = go_mapped(l)) < 0 || (r = create_cgroups_late(l)) < 0 ||
            (r = join_net(l)) < 0 || (r = publish_state(l)) < 0 || (r = setup_net(l)) < 0 ||
            (r = run_prestart_hooks(l)) < 0 || (r = go(l)) < 0 || (r = oci_record(l)) < 0 ||
            (r = wait_started(l)) < 0)
                return r;
        return 0;
}

/* A child that shares our memory. Copying our address space for it (a fork's page tables, then
 * a copy-on-write fault for each page either side writes, on a VM with shadow page tables each
 * dearer still) took ~1.3 ms of a start here (README "Performance"). Instead, as with vfork,
 * the launching thread stays in clone() until the child executes the stub or ends, while a
 * thread of ours does the supervisor's side (after_clone()). Of what is ours, the child writes
 * only its stack, its allocations (they stay in our heap), the log sink of the launching thread
 * (whose TLS it runs on; put back after: the set-up thread has a sink of its own), the
 * dumpable flag and the command line (both below). Not where clone() cannot carry what
 * clone3() does (a time namespace, CLONE_INTO_CGROUP on pure cgroup2), nor for the OCI runtime
 * (create leaves the init waiting for `start`) or namespaces joined by path. */
#define SETUP_STACK (512 * 1024)
#define CHILD_STACK (1024 * 1024)

struct shared_start {
        struct launch *l;
        struct child_args a;
        /* The child's own copies of what the set-up thread changes after the clone (a fork's
         * child had them by the copy): the runtime decisions, the join fds, the hook state. */
        struct box_runtime rt;
        int join[CGROUP_JOIN_MAX];
        struct hook_state hs;
        int parent_end; /* our end of the sync socket, which the child closes */
        pid_t pid;      /* set by clone() (CLONE_PARENT_SETTID); -1 when it failed */
        log_sink_t sink;
        void *sink_data;
        int result;
};

static bool child_shares_memory(const struct launch *l)
{
        const struct box_config *c = l->c;
        if (l->oci || c->ns_time || (!l->late && cgroup_v2_dirfd(l->cg) >= 0))
                return false;
        for (size_t i = 0; i < _BOX_NS_MAX; i++)
                if (c->ns_join[i])
                        return false;
        return true;
}

/* The set-up thread sleeps until clone() has written the pid: woken by the child, or by us
 * when clone() failed. */
static void wake_setup(struct shared_start *s)
{
        (void)syscall(SYS_futex, &s->pid, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static int shared_child(void *userdata)
{
        struct shared_start *s = userdata;
        wake_setup(s); /* the kernel wrote our pid there before we ran */
        close(s->parent_end);
        child_main(&s->a);
}

static void *shared_setup(void *userdata)
{
        struct shared_start *s = userdata;
        struct launch *l = s->l;
        log_set_sink(s->sink, s->sink_data);
        pid_t pid;
        while ((pid = __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE)) == 0)
                (void)syscall(SYS_futex, &s->pid, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        s->result = -ESRCH;
        if (pid < 0)
                return NULL;
        close(s->a.sock);
        l->pidfd = sys_pidfd_open(pid, 0);
        if (l->pidfd < 0) {
                s->result = log_error_errno(-errno, "opening the box's pidfd");
                kill(pid, SIGKILL);
                l->pid = pid; /* reaped by end_child() */
                return NULL;
        }
        child_started(l, pid);
        s->result = after_clone(l);
        /* The launching thread waits in clone() until the child executes or ends. */
        if (s->result < 0 && l->pid > 0)
                kill(l->pid, SIGKILL);
        return NULL;
}

static int clone_box_shared(struct launch *l)
{
        int sv[2], r = open_sync(l, sv);
        if (r < 0)
                return r; /* logged */
        struct shared_start s = {.l = l,
                                 .a = child_args_of(l, sv[1]),
                                 .rt = l->rt,
                                 .hs = l->hs,
                                 .parent_end = sv[0]};
        memcpy(s.join, l->join, sizeof(s.join));
        s.a.rt = &s.rt;
        s.a.join = s.join;
        s.a.hs = &s.hs;
        s.sink = log_get_sink(&s.sink_data);
        /* Both stacks in one mapping, a guard page under each. */
        size_t page = (size_t)sysconf(_SC_PAGESIZE), size = 2 * page + SETUP_STACK + CHILD_STACK;
        char *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (m == MAP_FAILED || mprotect(m, page, PROT_NONE) < 0 ||
            mprotect(m + page + SETUP_STACK, page, PROT_NONE) < 0) {
                int e = -errno;
                if (m != MAP_FAILED)
                        munmap(m, size);
                close(sv[1]);
                return log_error_errno(e, "mapping the set-up stacks");
        }
        /* What the child changes in memory that is ours too: it becomes non-dumpable at once
         * (the flag is the memory's: we are from now on), and it blanks the command line before
         * the payload runs (child.c), which we put back. */
        prctl(PR_SET_DUMPABLE, 0);
        uintptr_t args = 0, args_end = 0;
        _cleanup_free_ char *saved_args = NULL;
        if (proc_self_args(&args, &args_end) == 0) {
                saved_args = xmalloc(args_end - args);
                memcpy(saved_args, (const void *)args, args_end - args);
        }
        mallopt(M_ARENA_MAX, 1); /* the thread allocates from our arena (a second costs 64 MiB) */
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstack(&attr, m + page, SETUP_STACK);
        pthread_t t;
        r = pthread_create(&t, &attr, shared_setup, &s);
        pthread_attr_destroy(&attr);
        if (r != 0) {
                munmap(m, size);
                close(sv[1]);
                return log_error_errno(-r, "starting the set-up thread");
        }
        int flags = (int)(clone_flags(l->c) & ~(uint64_t)CLONE_PIDFD) | CLONE_VM | CLONE_VFORK |
                    CLONE_PARENT_SETTID | SIGCHLD;
        pid_t pid = clone(shared_child, m + size, flags, &s, &s.pid);
        int err = errno;
        if (pid < 0) {
                __atomic_store_n(&s.pid, -1, __ATOMIC_RELEASE);
                wake_setup(&s);
        }
        pthread_join(t, NULL);
        log_set_sink(s.sink, s.sink_data); /* the child ran on this thread's */
        if (saved_args)
                memcpy((void *)args, saved_args, args_end - args);
        munmap(m, size);
        if (pid < 0) {
                close(sv[1]);
                return log_error_errno(-err, "creating the box's namespaces");
        }
        return s.result;
}

/* The box's first process and the supervisor's side of the set-up up to its execve. */
static int start_box(struct launch *l)
{
        if (child_shares_memory(l))
                return clone_box_shared(l);
        /* A copy of our memory must not catch a thread of ours inside a lock. */
        int r = net_early_join(&l->net);
        if (r >= 0)
                r = clone_box(l);
        return r < 0 ? r : after_clone(l);
}

int launch_box(const struct box_config *c, const struct launch_opts *o)
{
        struct launch l = {
                .c = c,
                .code = EXIT_SETUP_FAILED,
                .detach_fd = o ? o->detach_fd : -1,
                .oci = o ? o->oci : NULL,
                .state = {.fd = -1},
                .root_dir = -1,
                .idmap_lock = -1,
                .log_fd = -1,
                .notify_fd = -1,
                .stub = -1,
                .sock = -1,
                .pidfd = -1,
                .root_mount = -1,
                .pty_master = -1,
        };
        net_init(&l.net);
        if (acquire_state(&l) >= 0 && prepare_security(&l) >= 0 && prepare_ids(&l) >= 0 &&
            prepare_console(&l) >= 0 && prepare_mounts(&l) >= 0 && prepare_net(&l) >= 0 &&
            prepare_stub(&l) >= 0 && block_signals(&l) >= 0 && prepare_hooks(&l) >= 0 &&
            prepare_cgroups(&l) >= 0 && start_box(&l) >= 0 && oci_created(&l) >= 0)
                l.code = supervise_box(&l);
        launch_cleanup(&l);
        detach_done(&l, l.code);
        return l.code;
}
