# perf-phases-boxlaunch.awk - split the output of `perf trace -i FILE` (recorded with
# `perf trace record -- boxlaunch ...`) into the phases of a boxlaunch start. perf trace
# records from kernel tracepoints into a ring buffer: far less overhead per syscall than
# strace's ptrace stops, but no file names, so the markers are syscall kinds, in order.
# usage: awk -v C=<overhead per syscall, ms> [-v SKIP=N] -f perf-phases-boxlaunch.awk TRACE
# SKIP=N: the trace holds several boxlaunch runs one after the other (sh -c 'bl; bl');
# analyse the (N+1)-th, i.e. a start right after another one (back-to-back).
# Output (TSV): phase  traced_ms  syscalls  est_native_ms  longest_syscall
# est = traced - syscalls*C (>= 0); longest = the longest syscall in the phase (name ms).
BEGIN {
	SKIP += 0
	nm = split("state memfd clone child pivot join seccomp init exec pexit p1exit", MK, " ")
	next_mk = 1
}
# "  12.345 ( 0.163 ms): comm/pid name(args) = ret" or "? (   ): comm/pid  ... [continued]: name()) = ret"
{
	if (!match($0, /^ *[0-9.?]+ \( *[0-9.]* *(ms)?\): [^ ]+\/[0-9]+ /)) next
	head = substr($0, RSTART, RLENGTH); rest = substr($0, RSTART + RLENGTH)
	t = head; sub(/^ */, "", t); sub(/ .*/, "", t)
	d = head; sub(/^[^(]*\( */, "", d); sub(/ *(ms)?\).*/, "", d)
	who = head; sub(/^[^:]*: /, "", who); sub(/ $/, "", who)
	pid = who; sub(/.*\//, "", pid)
	cont = (rest ~ /^ *\.\.\. \[continued\]: /)
	name = rest; sub(/^ *\.\.\. \[continued\]: /, "", name); sub(/\(.*/, "", name)
	if (t == "?") {                 # resumed without a start time: count the duration only
		if (d != "" && cur > 0) longest(cur, name, d + 0)
		next
	}
	# which boxlaunch run is this? a top-level supervisor is a "boxlaunch" process that
	# no clone3 of ours created
	if (rest ~ /^clone3\(/ && match(rest, /= [0-9]+/)) {
		CH[substr(rest, RSTART + 2, RLENGTH - 2)] = 1
		if (runs == SKIP + 1 && child == "") { child = substr(rest, RSTART + 2, RLENGTH - 2); supfree = t + d / 1.0 }
	}
	c = who; sub(/\/[0-9]+$/, "", c)
	if (c == "sh" || c == "perf" || c == "bash") next  # the wrapper, not boxlaunch
	if (c == "boxlaunch" && !(pid in SEEN) && !(pid in CH)) { SEEN[pid] = 1; runs++ }
	if (runs != SKIP + 1) next
	t += 0
	if (!started) { M["start"] = t; started = 1; cur = 1 }
	last = t
	if (cont) { if (d != "") longest(cur, name, d + 0); next }
	n_sys++; S[n_sys] = t
	if (child != "" && go == "" && pid == sup && name == "sendmsg") go = t
	if (next_mk <= nm) {
		k = MK[next_mk]; hit = 0
		if (k == "state" && name == "flock") hit = 1          # state dir made and locked
		if (k == "memfd" && name == "memfd_create") hit = 1
		if (k == "clone" && name == "clone3") { hit = 1; sup = pid }
		if (k == "pivot" && name == "pivot_root") hit = 1
		if (k == "join" && name == "recvmsg" && pid == child) hit = 1   # MSG_GO: the cgroups' fds
		if (k == "seccomp" && name == "seccomp") hit = 1
		if (k == "init" && name == "execveat") { hit = 1; pid1 = pid }
		if (k == "exec" && name == "execve" && pid != pid1 && pid != sup) { hit = 1; payload = pid }
		if (k == "pexit" && name == "exit_group" && pid == payload) hit = 1
		if (k == "p1exit" && name == "exit_group" && pid == pid1) hit = 1
		if (hit) {
			M[k] = t; next_mk++; cur = next_mk
			# the child may run before clone3 returns in the supervisor: phase 4 is clone3 itself
			if (k == "clone") {
				M["child"] = t + d; longest(cur, name, d + 0); next_mk++; cur = next_mk
				next
			}
		}
	}
	if (d != "") longest(cur, name, d + 0)
}
function longest(p, name, d) { if (d > L[p]) { L[p] = d; LN[p] = name } }
function ph(i, label, a, b,    t, n, j, e) {
	if (!(a in M) || !(b in M)) { printf "%s\tn/a\tn/a\tn/a\t\n", label; return }
	t = M[b] - M[a]; n = 0
	for (j = 1; j <= n_sys; j++) if (S[j] >= M[a] && S[j] < M[b]) n++
	e = t - n * C; if (e < 0) e = 0
	printf "%s\t%.2f\t%d\t%.2f\t%s %.2f\n", label, t, n, e, LN[i], L[i]
	tot_t += t; tot_n += n; tot_e += e
}
END {
	M["end"] = last
	ph(1, "1 exec (static) + parse/validate .box + state file and lock", "start", "state")
	ph(2, "2 capability probe, seccomp BPF from cache, stub-init memfd", "state", "memfd")
	ph(3, "3 signal mask, socketpair", "memfd", "clone")
	ph(4, "4 clone3(new namespaces)", "clone", "child")
	ph(5, "5 child: rootfs bind, /proc /sys /dev(+nodes) devpts shm mqueue, pivot_root (supervisor: cgroups, state)", "child", "pivot")
	ph(6, "6 ro root, masked/ro paths, console, hostname, lo, limits; MSG_GO, joins its cgroups", "pivot", "join")
	ph(7, "7 caps, NNP, close fds", "join", "seccomp")
	ph(8, "8 seccomp load, execveat(stub init)", "seccomp", "init")
	ph(9, "9 stub init (PID 1) starts, forks the payload, payload execve", "init", "exec")
	ph(10, "10 payload runs and exits", "exec", "pexit")
	ph(11, "11 PID 1 reaps, exits", "pexit", "p1exit")
	ph(12, "12 teardown: reap PID 1, OOM check, rmdir cgroups, remove state file", "p1exit", "end")
	printf "TOTAL\t%.2f\t%d\t%.2f\t\n", tot_t, tot_n, tot_e
	# in parallel with 5-6, not part of the total
	if (go != "" && supfree != "") printf "#parallel\tsupervisor meanwhile: cgroup v1 groups, limits, device rules, state file\t%.2f\n", go - supfree
}
