# strace-phases-boxlaunch.awk - split one `strace -f -ttt -T -yy -o FILE boxlaunch ...` trace
# into the phases of a boxlaunch start. usage:
#   awk -v C=<strace overhead per syscall, ms> -v PAYLOAD=/bin/true -f strace-phases-boxlaunch.awk FILE
# Output (TSV): phase  traced_ms  syscalls  est_native_ms  (est = traced - syscalls*C, >= 0)
# followed by "#count <category> <n>" lines.
# Markers are taken in order: each is the first matching line after the previous marker.
BEGIN {
	nm = split("box state clone child pivot join seccomp init exec exit", MK, " ")
	RX["box"] = "^openat\\(.*\\.box\", O_RDONLY"
	RX["state"] = "^openat\\(AT_FDCWD[^,]*, \"/run/boxlaunch/[^\"]*\", O_RDWR\\|O_CREAT\\|O_EXCL"
	RX["clone"] = "^clone3?\\(.*CLONE_NEW"
	RX["pivot"] = "^pivot_root\\("
	RX["join"] = "^write\\([0-9]+</sys/fs/cgroup/[^>]*/tasks>, \"0\""
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
		if ((name == "clone3" || name == "clone") && pid == clonepid && match(line, /= [0-9]+/)) {
			child = substr(line, RSTART + 2, RLENGTH - 2); M["supfree"] = ts
		}
		next
	}
	name = line; sub(/\(.*/, "", name)
	n_sys++; S[n_sys] = ts
	count_line(pid, name, line)
	# the supervisor's own work while the child sets up: from clone3's return to MSG_GO
	if (("supfree" in M) && !("go" in M) && pid == clonepid && name == "sendmsg") M["go"] = ts
	if (next_mk <= nm) {
		k = MK[next_mk]
		hit = (k == "child") ? (child != "" && pid == child) : (k != "exit" && line ~ RX[k])
		if (hit) {
			M[k] = ts; next_mk++
			if (k == "clone") {
				clonepid = pid
				if (match(line, /\) = [0-9]+/)) child = substr(line, RSTART + 4, RLENGTH - 4)
				if (child != "" && match(line, /<[0-9.]+>$/)) M["supfree"] = ts + substr(line, RSTART + 1, RLENGTH - 2) * 1000.0
			}
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
	ph("1 exec boxlaunch (static, " K["shared libraries loaded (openat *.so)"] + 0 " libs) + constructors", "start", "box")
	ph("2 read, parse and validate the .box file", "box", "state")
	ph("3 state file + lock, capability probe, seccomp BPF (cache), stub-init memfd", "state", "clone")
	ph("4 clone3(new namespaces)", "clone", "child")
	ph("5 child: rootfs bind, /proc /sys /dev(+nodes) devpts shm mqueue, pivot_root", "child", "pivot")
	ph("6 ro root, masked/ro paths, console, hostname, lo, limits; joins its cgroups (fds in MSG_GO)", "pivot", "join")
	ph("7 caps, NNP, close fds", "join", "seccomp")
	ph("8 seccomp load, execveat(stub init from memfd)", "seccomp", "init")
	ph("9 stub init (PID 1) starts, forks the payload, payload execve", "init", "exec")
	ph("10 payload " PAYLOAD " runs and exits", "exec", "exit")
	ph("11 teardown: PID 1 exits, ns teardown, reap, rmdir cgroups, remove state file", "exit", "end")
	printf "TOTAL\t%.2f\t%d\t%.2f\n", tot_t, tot_n, tot_e
	# in parallel with 5-6, not part of the total
	if (("supfree" in M) && ("go" in M)) {
		t = M["go"] - M["supfree"]; n = 0
		for (i = 1; i <= n_sys; i++) if (S[i] >= M["supfree"] && S[i] < M["go"]) n++
		printf "#parallel\tsupervisor meanwhile: cgroup v1 groups, limits, device rules, state file\t%.2f\n", t
	}
	for (k in K) printf "#count\t%s\t%d\n", k, K[k]
	printf "#count\tall syscalls\t%d\n", n_sys
}
