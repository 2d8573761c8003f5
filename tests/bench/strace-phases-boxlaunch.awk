# strace-phases-boxlaunch.awk - split one `strace -f -ttt -T -yy -o FILE boxlaunch ...` trace
# into the phases of a boxlaunch start. usage:
#   awk -v C=<strace overhead per syscall, ms> -v PAYLOAD=/bin/true -f strace-phases-boxlaunch.awk FILE
# Output (TSV): phase  traced_ms  syscalls  est_native_ms  (est = traced - syscalls*C, >= 0)
# followed by "#count <category> <n>" lines.
# Markers are taken in order: each is the first matching line after the previous marker.
BEGIN {
	nm = split("box state cg0 clone go pivot seccomp init exec exit", MK, " ")
	RX["box"] = "^openat\\(.*\\.box\", O_RDONLY"
	RX["state"] = "^mkdir\\(\"/run/boxlaunch/"
	RX["cg0"] = "^openat\\(AT_FDCWD[^,]*, \"/sys/fs/cgroup\""
	RX["clone"] = "^clone3?\\(.*CLONE_NEW"
	RX["go"] = "^sendmsg\\("
	RX["pivot"] = "^pivot_root\\("
	RX["seccomp"] = "^(seccomp\\(SECCOMP_SET_MODE_FILTER|prctl\\(PR_SET_SECCOMP)"
	RX["init"] = "^execveat\\("
	RX["exec"] = "^execve\\(\"" PAYLOAD "\""
	next_mk = 1
}
{
	pid = $1; ts = $2 * 1000.0; line = $0
	sub(/^[0-9]+ +[0-9.]+ +/, "", line)
	if (NR == 1) M["start"] = ts
	last = ts
	if (line ~ /^\+\+\+ exited/) {
		if (pid == payload && !("exit" in M)) { M["exit"] = ts; next_mk = nm + 1 }
		next
	}
	if (line ~ /^---/ || line ~ /^\+\+\+/) next
	if (line ~ /^<\.\.\. /) {
		name = line; sub(/^<\.\.\. /, "", name); sub(/ .*/, "", name)
		if ((name == "clone3" || name == "clone") && pid == clonepid && match(line, /= [0-9]+/)) child = substr(line, RSTART + 2, RLENGTH - 2)
		next
	}
	name = line; sub(/\(.*/, "", name)
	n_sys++; S[n_sys] = ts
	count_line(pid, name, line)
	if (next_mk <= nm) {
		k = MK[next_mk]
		if (k != "exit" && line ~ RX[k]) {
			M[k] = ts; next_mk++
			if (k == "clone") { clonepid = pid; if (match(line, /\) = [0-9]+/)) child = substr(line, RSTART + 4, RLENGTH - 4) }
			if (k == "exec") payload = pid
		}
	}
}
function count_line(pid, name, line) {
	if (name == "openat" && line ~ /\.so[.0-9]*"/ && line !~ /ENOENT/) K["shared libraries loaded (openat *.so)"]++
	if ((name == "mkdirat" || name == "mkdir") && line ~ /sys\/fs\/cgroup/ && line ~ /\) = 0/) K["cgroup directories created (mkdir)"]++
	if ((name == "unlinkat" && line ~ /AT_REMOVEDIR/ || name == "rmdir") && line ~ /sys\/fs\/cgroup/) K["cgroup directories removed (rmdir)"]++
	if (line ~ /cgroup\.procs/ && name == "write") K["cgroup attaches (write cgroup.procs)"]++
	if (name == "write" && line ~ /sys\/fs\/cgroup/ && line !~ /cgroup\.procs/) K["cgroup limit/rule writes"]++
	if (name ~ /^(mount|umount2|pivot_root|mount_setattr|move_mount|open_tree|fsopen|fsconfig|fsmount)$/) K["mount-family syscalls"]++
	if (name == "renameat" || name == "renameat2") K["state files written (rename)"]++
	if (name == "seccomp" || line ~ /PR_SET_SECCOMP/) K["seccomp filter loads"]++
	if (line ~ /\/var\/cache\/boxlaunch\/seccomp\/[^"]*\.bpf/ && name == "openat") K["seccomp cache files read"]++
	if (name ~ /^(execve|execveat)$/) K["execve/execveat"]++
	if (name ~ /^(clone|clone3|fork|vfork)$/) K["clone/fork"]++
	if (name ~ /^(nanosleep|clock_nanosleep)$/) K["sleeps (nanosleep)"]++
	if (line ~ /= -1 EBUSY/) K["EBUSY errors"]++
}
function ph(label, a, b,    t, n, i, e) {
	if (!(a in M) || !(b in M)) { printf "%s\tn/a\tn/a\tn/a\n", label; return }
	t = M[b] - M[a]; n = 0
	for (i = 1; i <= n_sys; i++) if (S[i] >= M[a] && S[i] < M[b]) n++
	e = t - n * C; if (e < 0) e = 0
	printf "%s\t%.2f\t%d\t%.2f\n", label, t, n, e
	tot_t += t; tot_n += n; tot_e += e
}
END {
	M["end"] = last
	ph("1 exec boxlaunch + ld.so (" K["shared libraries loaded (openat *.so)"] + 0 " libs) + constructors", "start", "box")
	ph("2 read, parse and validate the .box file", "box", "state")
	ph("3 state dir + lock, capability probe, seccomp BPF (cache), stub-init memfd", "state", "cg0")
	ph("4 cgroup v1: find hierarchies, mkdir per hierarchy, limits, device rules", "cg0", "clone")
	ph("5 clone3(new ns) + attach child to each cgroup + state files, release child", "clone", "go")
	ph("6 child: cgroup ns, rootfs bind, /proc /sys /dev(+nodes) devpts shm mqueue", "go", "pivot")
	ph("7 pivot_root, ro root, masked/ro /proc paths, hostname, caps, NNP", "pivot", "seccomp")
	ph("8 seccomp load, close fds, execveat(stub init from memfd)", "seccomp", "init")
	ph("9 stub init (PID 1) starts, forks the payload, payload execve", "init", "exec")
	ph("10 payload " PAYLOAD " runs and exits", "exec", "exit")
	ph("11 teardown: PID 1 exits, ns teardown, reap, rmdir cgroups, remove state dir", "exit", "end")
	printf "TOTAL\t%.2f\t%d\t%.2f\n", tot_t, tot_n, tot_e
	for (k in K) printf "#count\t%s\t%d\n", k, K[k]
	printf "#count\tall syscalls\t%d\n", n_sys
}
