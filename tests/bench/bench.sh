#!/usr/bin/env bash
# bench.sh - side-by-side start-up benchmark: boxlaunch next to crun, runc,
# systemd-nspawn and a C floor (nsfloor.c), on THIS machine. Run via tests/bench/run.sh
# (`make bench`). Missing tools are installed with apt-get (crun runc systemd-container
# hyperfine jq busybox-static strace time) unless BENCH_NO_INSTALL=1.
#
# usage: bench.sh [options] [RUNTIME...]        (root)
#   RUNTIME   any runtimes.d/*.sh plugin: bare floor-unshare floor-c crun runc nspawn nspawn-veth
#             crun-seccomp runc-seccomp boxlaunch boxlaunch-veth boxlaunch-oci podman-crun
#             podman-boxlaunch
#             (default: $DEFAULT_RTS)
#   -m LIST   measures, comma list of latency,userns,seq,par,mem,split,boxsplit,
#             exec,density,boot (default: all). split = crun latency split: strace phases,
#             ablation, nsfloor steps; boxsplit = boxlaunch ablation + strace -c / phase
#             timeline; exec, density, boot: tests/bench/{exec,density,boot}.sh
#   -N N      density: idle boxes started side by side (1000)
#   -r N      hyperfine runs per runtime, pooled over rounds (default 50)
#   -k N      rounds: runs are split into N interleaved rounds, runtime order rotated (5)
#   -w N      hyperfine warmup runs per round (3)
#   -n N      sequential throughput container count (100)
#   -p N      parallel throughput container count (20)
#   -t N      repeats of each throughput measurement (3)
#   -o DIR    output dir (default tests/bench/results/<timestamp>); report.md is written there
#   -l        list plugins and whether they are available, then exit
#
# Plugin API (one file per runtime in runtimes.d/NAME.sh; '-' in NAME becomes '_'
# in function names). See runtimes.d/boxlaunch.sh for a documented template.
#   KIND_<n>=floor|runtime         floor rows are marked in the tables
#   avail_<n>                      return 0 if usable, else print why and return 1
#   prep_<n> MODE USERNS ID        optional; build per-instance config (not timed)
#   run_<n>  MODE USERNS ID        print ONE command line (plain words, no shell syntax)
#                                  MODE=true : payload /bin/true
#                                  MODE=sleep: payload /bin/sleep $SLEEP_S
#                                  USERNS=1  : root mapped to $UID_BASE:$UID_COUNT
#                                  return 3 if the combination is unsupported
#   clean_<n> ID                   optional; after all measures
#   notes_<n>                      optional; markdown bullet(s) on (non-)equivalence
# Limitation: nsfloor -c and verify() read cgroup v1 paths (this host is v1/hybrid).
# Helpers for plugins: $ROOTFS $ROOTFS_USERNS $WORK $CG_PARENT $MEM_LIMIT $PIDS_LIMIT
#   $UID_BASE $UID_COUNT $SLEEP_S, oci_bundle RT MODE USERNS ID [SECCOMP] -> bundle dir.
set -uo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" = 0 ] || { echo "bench.sh: must run as root" >&2; exit 1; }
# ---------------------------------------------------------------------------
# tools: installed from Debian's archive when missing (once, before the re-exec)
install_deps() {
	local need=() c p
	for c in crun:crun runc:runc systemd-nspawn:systemd-container hyperfine:hyperfine jq:jq \
		strace:strace /usr/bin/time:time; do
		command -v "${c%%:*}" >/dev/null 2>&1 || need+=("${c#*:}")
	done
	p=$(command -v busybox 2>/dev/null)
	{ [ -n "$p" ] && file -L "$p" 2>/dev/null | grep -q 'statically linked'; } || need+=(busybox-static)
	command -v file >/dev/null || need+=(file)
	[ ${#need[@]} = 0 ] && return 0
	echo "bench.sh: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null ||
		echo "bench.sh: apt-get install ${need[*]} failed; runtimes without their tool are skipped" >&2
}
[ -z "${BENCH_PRIVATE_NS:-}" ] && [ -z "${BENCH_NO_INSTALL:-}" ] && install_deps
export BENCH_CMDLINE=${BENCH_CMDLINE:-$0 $*}
# ---------------------------------------------------------------------------
# cgroup view. On a hybrid host (tmpfs /sys/fs/cgroup + cgroup2 at unified/) crun
# refuses to run. Re-exec the WHOLE harness once in a private mount namespace and
# unmount unified/ there, so every runtime sees the same pure-v1 hierarchy. The
# host mount namespace is never modified.
if [ -z "${BENCH_PRIVATE_NS:-}" ] && [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] &&
	[ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	export BENCH_PRIVATE_NS=hybrid-to-v1
	exec unshare -m --propagation private -- "$HERE/$(basename "$0")" "$@"
fi
if [ "${BENCH_PRIVATE_NS:-}" = hybrid-to-v1 ]; then
	umount /sys/fs/cgroup/unified || { echo "cannot umount unified in private ns" >&2; exit 1; }
fi

DEFAULT_RTS="floor-c crun crun-seccomp runc nspawn nspawn-veth boxlaunch boxlaunch-veth boxlaunch-oci podman-crun podman-boxlaunch"
WORK=${WORK:-${TMPDIR:-/tmp}/boxbench}
ROOTFS=$WORK/rootfs
ROOTFS_USERNS=$WORK/rootfs-userns
CG_PARENT=boxbench
MEM_LIMIT=268435456
PIDS_LIMIT=1024
UID_BASE=100000
UID_COUNT=65536
SLEEP_S=${SLEEP_S:-3}
RUNS=50 ROUNDS=5 WARMUP=3 SEQ_N=100 PAR_N=20 TP_REPEAT=3
MEASURES=latency,userns,seq,par,mem,split,boxsplit,exec,density,boot
EXTRA_MEASURES="exec density boot" # each in its own file: measure_X, report_X
OUT="" LIST=0

while getopts "m:r:k:w:n:p:t:o:N:lh" o; do
	case $o in
	m) MEASURES=$OPTARG ;; r) RUNS=$OPTARG ;; k) ROUNDS=$OPTARG ;; w) WARMUP=$OPTARG ;;
	n) SEQ_N=$OPTARG ;; p) PAR_N=$OPTARG ;; t) TP_REPEAT=$OPTARG ;; o) OUT=$OPTARG ;;
	N) DENSITY_N=$OPTARG ;; l) LIST=1 ;; *) sed -n '2,35p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
RTS=("$@")
[ ${#RTS[@]} -eq 0 ] && read -ra RTS <<<"$DEFAULT_RTS"


log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
fn() { printf '%s' "${1//-/_}"; }          # plugin name -> function suffix
has_fn() { declare -F "$1" >/dev/null; }

# ---------------------------------------------------------------------------
# rootfs (static busybox only) and helpers
build_rootfs() {
	local r=$ROOTFS bb
	bb=$(command -v busybox) || { echo "busybox-static missing" >&2; exit 1; }
	file -L "$bb" | grep -q 'statically linked' || { echo "$bb is not static" >&2; exit 1; }
	if [ ! -f "$r/.stamp" ] || ! cmp -s "$bb" "$r/usr/bin/busybox"; then
		log "building busybox rootfs in $r"
		rm -rf "$r" "$ROOTFS_USERNS"
		mkdir -p "$r"/{usr/bin,etc,proc,sys,dev,tmp,run,root,var/tmp}
		ln -s usr/bin "$r/bin"
		ln -s usr/bin "$r/sbin"
		cp "$bb" "$r/usr/bin/busybox"
		for a in true sleep sh cat ls id hostname mount ps; do ln -s busybox "$r/usr/bin/$a"; done
		printf 'ID=busybox\nNAME=BusyBox\nPRETTY_NAME="boxbench busybox rootfs"\n' >"$r/etc/os-release"
		echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
		echo 'root:x:0:' >"$r/etc/group"
		touch "$r/etc/hostname" "$r/etc/resolv.conf" "$r/etc/machine-id" "$r/.stamp"
	fi
	if [ ! -f "$ROOTFS_USERNS/.stamp" ]; then
		# copy owned by the mapped root, so no runtime needs idmapped mounts or chown
		cp -a "$r" "$ROOTFS_USERNS"
		chown -hR "$UID_BASE:$UID_BASE" "$ROOTFS_USERNS"
	fi
}

build_nsfloor() {
	if [ "$HERE/nsfloor.c" -nt "$WORK/nsfloor" ] && command -v cc >/dev/null; then
		cc -O2 -Wall -o "$WORK/nsfloor" "$HERE/nsfloor.c" || rm -f "$WORK/nsfloor"
	fi
}

# oci_bundle RT MODE USERNS ID [SECCOMP] -> prints bundle dir. Base spec comes from
# `$RT spec`; we only change: args, terminal=false, absolute rootfs, hostname,
# cgroupsPath /$CG_PARENT/ID, memory+pids limits, optional userns + seccomp.
oci_bundle() {
	local rt=$1 mode=$2 u=$3 id=$4 sc=${5:-} b base args
	b=$WORK/bundles/$rt/$id-$mode-u$u
	base=$WORK/bundles/$rt/spec.json
	mkdir -p "$b"
	if [ ! -f "$base" ]; then
		(cd "$WORK/bundles/$rt" && rm -f config.json && "$rt" spec && mv config.json spec.json)
	fi
	if [ "$mode" = sleep ]; then args="[\"/bin/sleep\",\"$SLEEP_S\"]"; else args='["/bin/true"]'; fi
	jq --argjson args "$args" --arg root "$([ "$u" = 1 ] && echo "$ROOTFS_USERNS" || echo "$ROOTFS")" \
		--arg cg "/$CG_PARENT/$id" --argjson mem "$MEM_LIMIT" --argjson pids "$PIDS_LIMIT" \
		--argjson u "$u" --argjson ub "$UID_BASE" --argjson uc "$UID_COUNT" \
		--slurpfile sc "${sc:-/dev/null}" '
		.process.terminal = false | .process.args = $args
		| .root = {path: $root, readonly: true} | .hostname = "bench"
		| .linux.cgroupsPath = $cg
		| .linux.resources.memory = {limit: $mem} | .linux.resources.pids = {limit: $pids}
		| if $u == 1 then
			.linux.namespaces += [{type: "user"}]
			| .linux.uidMappings = [{containerID: 0, hostID: $ub, size: $uc}]
			| .linux.gidMappings = [{containerID: 0, hostID: $ub, size: $uc}]
		  else . end
		| if ($sc | length) > 0 then .linux.seccomp = $sc[0] else . end
		' "$base" >"$b/config.json"
	echo "$b"
}

# Docker-default-like seccomp profile: allow-list = every x86_64 syscall in the
# kernel headers minus ~40 "dangerous" ones; default action ERRNO(EPERM).
seccomp_profile() {
	local f=$WORK/seccomp.json
	[ -f "$f" ] && { echo "$f"; return; }
	local deny=" kexec_load kexec_file_load reboot swapon swapoff init_module finit_module delete_module acct settimeofday clock_settime clock_adjtime adjtimex pivot_root mount umount2 ptrace process_vm_readv process_vm_writev kcmp add_key request_key keyctl bpf perf_event_open userfaultfd lookup_dcookie quotactl nfsservctl vhangup iopl ioperm create_module get_kernel_syms query_module uselib ustat sysfs _sysctl open_by_handle_at name_to_handle_at fsopen fsmount move_mount open_tree fspick unshare setns "
	grep -oP '^#define __NR_\K\w+' /usr/include/x86_64-linux-gnu/asm/unistd_64.h | sort -u |
		while read -r s; do [[ $deny == *" $s "* ]] || echo "$s"; done |
		jq -R . | jq -s '{defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64"],
			syscalls: [{names: ., action: "SCMP_ACT_ALLOW"}]}' >"$f"
	echo "$f"
}

# ---------------------------------------------------------------------------
# stats: stdin = one number per line (ms) -> "n mean sd median min max"
# phase_medians ALL OUT: per-phase medians of columns 3-5 over the traces in ALL (lines
# "trace<TAB>phase<TAB>..."; phase order kept), then trace 1's "#count" lines.
phase_medians() {
	awk -F'\t' '$2 !~ /^#/ {print $2}' "$1" | awk '!seen[$0]++' | while IFS= read -r p; do
		printf '%s' "$p"
		for col in 3 4 5; do
			awk -F'\t' -v p="$p" -v c=$col '$2==p{print $c}' "$1" | stats | awk '{printf "\t%s", $4}'
		done
		echo
	done >"$2"
	awk -F'\t' '$1==1 && $2=="#count"{print $2"\t"$3"\t"$4}' "$1" >>"$2"
}

stats() {
	sort -g | awk '{v[NR]=$1; s+=$1; q+=$1*$1} END {
		if (NR==0) {print "0 nan nan nan nan nan"; exit}
		m=s/NR; sd=(NR>1)?sqrt((q-NR*m*m)/(NR-1)):0
		med=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2
		printf "%d %.2f %.2f %.2f %.2f %.2f\n", NR, m, sd, med, v[1], v[NR]}'
}
now_ns() { date +%s%N; }

# CPU accounting around a measure: machine busy%, steal%, our own (children) CPU.
cpu_mark() {
	local u n s i w q sq st
	read -r _ u n s i w q sq st _ </proc/stat
	times >"$OUT/raw/.times" # builtin in this shell: user+sys of all our reaped children
	CPU0=($((u + n + s + q + sq)) $((i + w)) "$st" "$(own_cpu)" "$(now_ns)")
}
own_cpu() { awk 'NR==2{split($1,a,/[ms]/); split($2,b,/[ms]/); printf "%.3f", a[1]*60+a[2]+b[1]*60+b[2]}' "$OUT/raw/.times"; }
cpu_report() { # sets CPU_RES="busy% steal% own% foreign%" over the interval (% of all cores)
	local u n s i w q sq st own wall
	read -r _ u n s i w q sq st _ </proc/stat
	times >"$OUT/raw/.times" # must run in this shell, not in $(...)
	local busy=$((u + n + s + q + sq - CPU0[0])) idle=$((i + w - CPU0[1])) stl=$((st - CPU0[2]))
	own=$(own_cpu) wall=$(($(now_ns) - CPU0[4]))
	CPU_RES=$(awk -v b="$busy" -v i="$idle" -v st="$stl" -v o0="${CPU0[3]}" -v o1="$own" -v w="$wall" \
		-v nc="$(nproc)" 'BEGIN { tot=b+i+st; if (tot<=0) tot=1
		own=(o1-o0)/(w/1e9*nc)*100; busy=b/tot*100
		printf "%.0f %.1f %.0f %.0f\n", busy, st/tot*100, own, (busy-own>0)?busy-own:0 }')
}
# wait_quiet: on a shared machine, wait (max $QUIET_MAX s) until the CPU busy
# share, measured over 1 s while we are idle, is below $QUIET_PCT %. Logged.
QUIET_PCT=${QUIET_PCT:-15} QUIET_MAX=${QUIET_MAX:-90}
wait_quiet() { # TAG
	local t=0 b u n s i w q sq st u2 n2 s2 i2 w2 q2 sq2 st2
	while :; do
		read -r _ u n s i w q sq st _ </proc/stat
		sleep 1
		read -r _ u2 n2 s2 i2 w2 q2 sq2 st2 _ </proc/stat
		b=$(((u2 + n2 + s2 + q2 + sq2 - u - n - s - q - sq) * 100 / (u2 + n2 + s2 + q2 + sq2 + i2 + w2 + st2 - u - n - s - q - sq - i - w - st + 1)))
		t=$((t + 1))
		if [ "$b" -lt "$QUIET_PCT" ] || [ "$t" -ge "$QUIET_MAX" ]; then break; fi
	done
	printf '%s\t%s\t%s\n' "$1" "$t" "$b" >>"$OUT/raw/quiet.tsv"
	[ "$b" -ge "$QUIET_PCT" ] && log "$1: machine not quiet after ${t}s (busy ${b}%), measuring anyway"
	return 0
}
foreign_rt() { # container-runtime processes on the machine that are not ours
	local mine; mine=$(ps -o sid= -p $$ | tr -d ' ')
	ps -eo sid=,comm= | awk -v s="$mine" '$1!=s && $2 ~ /^(runc|crun|systemd-nspawn|lxc-|bwrap|conmon|podman|containerd|dockerd)/' | wc -l
}

# ---------------------------------------------------------------------------
setup() {
	mkdir -p "$WORK"
	build_rootfs
	build_nsfloor
	for c in memory pids cpu cpuacct cpuset devices freezer blkio; do
		[ -d /sys/fs/cgroup/$c ] && mkdir -p /sys/fs/cgroup/$c/$CG_PARENT
	done
	# cpuset children need cpus/mems populated
	if [ -f /sys/fs/cgroup/cpuset/$CG_PARENT/cpuset.cpus ] && [ -z "$(cat /sys/fs/cgroup/cpuset/$CG_PARENT/cpuset.cpus)" ]; then
		cat /sys/fs/cgroup/cpuset/cpuset.cpus >/sys/fs/cgroup/cpuset/$CG_PARENT/cpuset.cpus
		cat /sys/fs/cgroup/cpuset/cpuset.mems >/sys/fs/cgroup/cpuset/$CG_PARENT/cpuset.mems
	fi
	for f in "$HERE"/runtimes.d/*.sh; do . "$f"; done
	for f in $EXTRA_MEASURES; do . "$HERE/$f.sh"; done
}

cleanup_cgroups() { # remove only our empty cgroup dirs, deepest first
	local d
	# crun 1.8 still "joins" unified/ after it was unmounted in our private ns and
	# creates plain dirs/files there on the /sys/fs/cgroup tmpfs: remove ours
	if [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = tmpfs ] && [ -d /sys/fs/cgroup/unified/$CG_PARENT ]; then
		rm -rf "/sys/fs/cgroup/unified/$CG_PARENT"
	fi
	for d in /sys/fs/cgroup/*/$CG_PARENT; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
}

# run_cmd RT MODE USERNS ID -> command line on stdout, rc 3 = unsupported
run_cmd() {
	local f; f=$(fn "$1")
	has_fn "prep_$f" && { "prep_$f" "$2" "$3" "$4" || return $?; }
	"run_$f" "$2" "$3" "$4"
}

# ---------------------------------------------------------------------------
# generic: run HF_NAMES/HF_CMDS through hyperfine in $ROUNDS interleaved rounds
# (order rotated each round); pooled per-run times -> $OUT/raw/TAG.tsv
# columns: name round ms exit_code
hf_rounds() { # TAG
	local tag=$1 per=$(((RUNS + ROUNDS - 1) / ROUNDS)) k i j n=${#HF_NAMES[@]} hf
	: >"$OUT/raw/$tag.tsv"
	[ "$n" = 0 ] && return
	for ((k = 0; k < ROUNDS; k++)); do
		hf=()
		for ((i = 0; i < n; i++)); do j=$(((i + k) % n)); hf+=(-n "${HF_NAMES[j]}" "${HF_CMDS[j]}"); done
		wait_quiet "$tag-r$k"
		log "$tag round $((k + 1))/$ROUNDS (${HF_NAMES[*]})"
		hyperfine -N -i -w "$WARMUP" -r "$per" --style none --export-json "$OUT/raw/$tag-r$k.json" "${hf[@]}" >/dev/null 2>>"$OUT/raw/hyperfine.err"
		jq -r --arg k "$k" '.results[] | . as $r | range(0; $r.times|length) |
			"\($r.command)\t\($k)\t\($r.times[.]*1000)\t\($r.exit_codes[.])"' "$OUT/raw/$tag-r$k.json" >>"$OUT/raw/$tag.tsv"
	done
}

# a/b) latency of /bin/true per runtime (USERNS=0|1)
measure_latency() {
	local u=$1 tag=lat-u$1 rt c rc
	HF_NAMES=() HF_CMDS=()
	for rt in "${ACTIVE[@]}"; do
		c=$(run_cmd "$rt" true "$u" "bb-$rt" 2>"$OUT/raw/$tag-$rt.err"); rc=$?
		if [ $rc = 3 ]; then echo "$rt	unsupported" >>"$OUT/raw/$tag.skip"; continue; fi
		if [ $rc != 0 ] || ! $c >/dev/null 2>>"$OUT/raw/$tag-$rt.err"; then
			echo "$rt	failed (see raw/$tag-$rt.err)" >>"$OUT/raw/$tag.skip"; continue
		fi
		HF_NAMES+=("$rt") HF_CMDS+=("$c")
		printf '%s\t%s\n' "$rt" "$c" >>"$OUT/raw/commands-u$u.tsv"
	done
	cpu_mark
	hf_rounds "$tag"
	cpu_report; echo "$tag $CPU_RES $(foreign_rt)" >>"$OUT/raw/cpu.txt"
	if [ "$u" = 0 ]; then measure_netfloor; fi
}

# The netlink floor of issue 16's veth target, measured here and now rather than taken from the
# research's machine: build/netcost's veth step (peer made in the box's namespace, addresses,
# both ends up, default route), the same libnl calls as boxlaunch, in scratch namespaces.
measure_netfloor() {
	local nc; nc=$(dirname "$(boxlaunch_bin)")/netcost
	[[ " ${HF_NAMES[*]} " == *" boxlaunch-veth "* ]] && [ -x "$nc" ] || return 0
	log "latency: netlink floor ($nc 200)"
	"$nc" 200 >"$OUT/raw/netcost.txt" 2>&1 || true
	# What the kernel itself takes for a veth and NAT from a box's start to its end, without
	# boxlaunch: the physical floor of the veth row's difference, as floor-c is the private row's.
	log "latency: the kernel's network cycle ($nc --cycle 20 10)"
	"$nc" --cycle 20 10 >"$OUT/raw/netcycle.txt" 2>&1 || true
}

# f) crun latency split: (1) strace -f -ttt -T timeline cut into phases,
# (2) untraced ablation (full config minus one feature at a time),
# (3) nsfloor -t: in-process timestamps of each kernel step (physical floor).
measure_split() {
	local d=$WORK/bundles/crun b full v
	avail_crun >/dev/null 2>&1 || return 0
	b=$(oci_bundle crun true 0 bb-split)
	full=$b/config.json
	mk() { mkdir -p "$d/split-$1"; jq "$2" "$full" >"$d/split-$1/config.json"; echo "crun run --bundle $d/split-$1 bb-split"; }
	HF_NAMES=(bare crun--version skeleton full-no-cgroup full-no-netns full-no-mounts full-no-masked-ro full-no-cgroupfs-mount full full+seccomp full+userns)
	HF_CMDS=(/bin/true "crun --version"
		"crun --cgroup-manager=disabled $(mk skeleton '.linux.namespaces |= map(select(.type != "network")) | .mounts = [] | .linux.maskedPaths = [] | .linux.readonlyPaths = []' | cut -d' ' -f2-)"
		"crun --cgroup-manager=disabled run --bundle $b bb-split"
		"$(mk nonet '.linux.namespaces |= map(select(.type != "network"))')"
		"$(mk nomounts '.mounts = [] | .linux.maskedPaths = [] | .linux.readonlyPaths = []')"
		"$(mk nomasks '.linux.maskedPaths = [] | .linux.readonlyPaths = []')"
		"$(mk nocgmount '.mounts |= map(select(.destination != "/sys/fs/cgroup"))')"
		"crun run --bundle $b bb-split"
		"crun run --bundle $(oci_bundle crun true 0 bb-split-sc "$(seccomp_profile)") bb-split"
		"crun run --bundle $(oci_bundle crun true 1 bb-split) bb-split")
	for v in "${!HF_CMDS[@]}"; do
		${HF_CMDS[v]} >/dev/null 2>>"$OUT/raw/split.err" || log "split: ${HF_NAMES[v]} failed"
		printf '%s\t%s\n' "${HF_NAMES[v]}" "${HF_CMDS[v]}" >>"$OUT/raw/commands-split.tsv"
	done
	cpu_mark
	hf_rounds split
	cpu_report; echo "split $CPU_RES $(foreign_rt)" >>"$OUT/raw/cpu.txt"

	# strace: 3 warm runs, then one traced run; per-syscall ptrace overhead
	# calibrated with 40000 read/write syscalls of dd, traced vs untraced
	log "split: strace"
	local t0 t1 t2 cal i
	t0=$(now_ns); dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null; t1=$(now_ns)
	strace -f -ttt -T -yy -s 100 -o /dev/null dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null; t2=$(now_ns)
	cal=$(awk -v a=$((t1 - t0)) -v b=$((t2 - t1)) 'BEGIN{printf "%.4f", (b-a)/40000/1e6}')
	echo "$cal" >"$OUT/raw/strace-overhead-ms"
	for i in 1 2 3; do crun run --bundle "$b" bb-split >/dev/null 2>&1; done
	wait_quiet split-strace
	for i in 1 2 3 4 5; do
		strace -f -ttt -T -yy -s 100 -o "$OUT/raw/crun.strace.$i" crun run --bundle "$b" bb-split >/dev/null 2>&1
		awk -v C="$cal" -v PAYLOAD=/bin/true -f "$HERE/strace-phases.awk" "$OUT/raw/crun.strace.$i" | sed "s/^/$i\t/"
	done >"$OUT/raw/crun.phases-all.tsv"
	# per-phase medians over the 5 traces (phase order kept)
	phase_medians "$OUT/raw/crun.phases-all.tsv" "$OUT/raw/crun.phases.tsv"
	strace -f -c -o "$OUT/raw/crun.strace-c" crun run --bundle "$b" bb-split >/dev/null 2>&1

	# nsfloor per-step timestamps (untraced), 200 runs without / 100 with userns
	if [ -x "$WORK/nsfloor" ]; then
		log "split: nsfloor steps"
		local i
		for i in $(seq 200); do "$WORK/nsfloor" -t -F -C -c "$CG_PARENT/bb-steps" "$ROOTFS" /bin/true 2>&1 | sed "s/^/$i /"; done >"$OUT/raw/nsfloor-steps-u0.txt"
		for i in $(seq 100); do "$WORK/nsfloor" -t -U -F -C -S -c "$CG_PARENT/bb-steps" "$ROOTFS_USERNS" /bin/true 2>&1 | sed "s/^/$i /"; done >"$OUT/raw/nsfloor-steps-u1.txt"
	fi
}

# perf_phases TAG SKIP UNTRACED_MS CMD...: 7 `perf trace record` runs of CMD, cut into
# phases by perf-phases-boxlaunch.awk -> $OUT/raw/boxlaunch.perf-phases-TAG.tsv (medians)
perf_phases() {
	local tag=$1 skip=$2 un=$3 i tt ns cal p col
	shift 3
	log "boxsplit: perf trace ($tag)"
	wait_quiet "boxsplit-perf-$tag"
	for i in 1 2 3 4 5 6 7; do
		perf trace record -q -o "$OUT/raw/perf-trace.data" -- "$@" >/dev/null 2>&1
		perf trace -i "$OUT/raw/perf-trace.data" >"$OUT/raw/boxlaunch.perf-trace-$tag.$i" 2>&1
	done
	rm -f "$OUT/raw/perf-trace.data"
	for i in 1 2 3 4 5 6 7; do awk -v C=0 -v SKIP="$skip" -f "$HERE/perf-phases-boxlaunch.awk" "$OUT/raw/boxlaunch.perf-trace-$tag.$i" | awk -F'\t' '$1=="TOTAL"{print $2, $3}'; done >"$OUT/raw/boxlaunch.perf-totals-$tag"
	tt=$(awk '{print $1}' "$OUT/raw/boxlaunch.perf-totals-$tag" | stats | awk '{print $4}')
	ns=$(awk '{print $2}' "$OUT/raw/boxlaunch.perf-totals-$tag" | stats | awk '{print $4}')
	cal=$(awk -v t="$tt" -v n="$ns" -v u="${un:-0}" 'BEGIN{c=(n>0)?(t-u)/n:0; if (c<0) c=0; printf "%.4f", c}')
	echo "$cal $tt $ns ${un:-?}" >"$OUT/raw/boxlaunch.perf-cal-$tag"
	for i in 1 2 3 4 5 6 7; do
		awk -v C="$cal" -v SKIP="$skip" -f "$HERE/perf-phases-boxlaunch.awk" "$OUT/raw/boxlaunch.perf-trace-$tag.$i" | sed "s/^/$i\t/"
	done >"$OUT/raw/boxlaunch.perf-phases-all-$tag.tsv"
	awk -F'\t' '$2 !~ /^#/ {print $2}' "$OUT/raw/boxlaunch.perf-phases-all-$tag.tsv" | awk '!seen[$0]++' | while IFS= read -r p; do
		printf '%s' "$p"
		for col in 3 4 5; do
			awk -F'\t' -v p="$p" -v c=$col '$2==p{print $c}' "$OUT/raw/boxlaunch.perf-phases-all-$tag.tsv" | stats | awk '{printf "\t%s", $4}'
		done
		# longest syscall: the name seen most often, with its median duration
		awk -F'\t' -v p="$p" '$2==p && $6!=""{split($6,a," "); n[a[1]]++; d[a[1]]=d[a[1]] " " a[2]}
			END{b=""; for (k in n) if (n[k]>n[b]) b=k; if (b!="") { m=split(d[b],v," "); srt(v,m); printf "\t%s %.2f", b, v[int((m+1)/2)] } }
			function srt(v,m,  i,j,x){for(i=2;i<=m;i++){x=v[i];j=i-1;while(j>0&&v[j]+0>x+0){v[j+1]=v[j];j--}v[j+1]=x}}' "$OUT/raw/boxlaunch.perf-phases-all-$tag.tsv"
		echo
	done >"$OUT/raw/boxlaunch.perf-phases-$tag.tsv"
}

# g) where boxlaunch's start-up time goes:
# (1) untraced ablation: the bench .box minus one feature at a time, plus `--version`
#     (exec + dynamic linking only) and `check` (+ parse/validate), all hyperfine rounds;
# (2) isolated starts: the same commands with 100 ms idle before each run (hyperfine
#     --prepare), which is what a lone start pays (the first cgroup attach after idle
#     waits for an RCU grace period, see cgcost);
# (3) strace -f -ttt timeline cut into phases (5 traced runs, calibrated), strace -f -c;
# (4) cgcost.c: untraced mkdir/limits/attach/rmdir of the hierarchies boxlaunch uses;
# (5) perf stat (task-clock, context switches, page faults) when perf works.
measure_boxsplit() {
	avail_boxlaunch >/dev/null 2>&1 || return 0
	local bl d=$WORK/box/split v i cal hier
	bl=$(boxlaunch_bin)
	mkdir -p "$d"
	bx() { boxlaunch_box "$d/$1.box" true 0 "$2"; echo "$bl --console=pipe -q --name bb-bsplit $d/$1.box"; }
	HF_NAMES=(bare "boxlaunch--version" "boxlaunch-check" full full-no-seccomp full-no-init
		full-no-netns full-no-cgroupns full-no-limits full-auto-parent minimal full+userns)
	HF_CMDS=(/bin/true "$bl --version" "$bl check $(bx full '' | awk '{print $NF}')"
		"$(bx full '')"
		"$(bx no-seccomp 'Security.Seccomp=no')"
		"$(bx no-init 'Exec.Init=no')"
		"$(bx no-netns 'Namespaces.Network=host')"
		"$(bx no-cgroupns 'Namespaces.Cgroup=no')"
		"$(bx no-limits $'Limits.MemoryMax=-\nLimits.TasksMax=-')"
		"$(bx auto-parent 'Limits.Parent=-')"
		"$(bx minimal $'Security.Seccomp=no\nExec.Init=no\nNamespaces.Network=host\nNamespaces.Cgroup=no\nNamespaces.UTS=no\nNamespaces.IPC=no\nLimits.MemoryMax=-\nLimits.TasksMax=-')"
		"$bl --console=pipe -q --name bb-bsplit $(prep_boxlaunch true 1 bb-bsplit; echo "$WORK/box/bb-bsplit-true-u1.box")")
	if avail_floor_c >/dev/null 2>&1; then HF_NAMES+=(floor-c); HF_CMDS+=("$(run_floor_c true 0 bb-bsplit)"); fi
	if avail_crun >/dev/null 2>&1; then HF_NAMES+=(crun); HF_CMDS+=("crun run --bundle $(oci_bundle crun true 0 bb-bsplit) bb-bsplit"); fi
	: >"$OUT/raw/commands-boxsplit.tsv"
	for v in "${!HF_CMDS[@]}"; do
		${HF_CMDS[v]} >/dev/null 2>>"$OUT/raw/boxsplit.err" || log "boxsplit: ${HF_NAMES[v]} failed"
		printf '%s\t%s\n' "${HF_NAMES[v]}" "${HF_CMDS[v]}" >>"$OUT/raw/commands-boxsplit.tsv"
	done
	cpu_mark
	hf_rounds boxsplit
	cpu_report; echo "boxsplit $CPU_RES $(foreign_rt)" >>"$OUT/raw/cpu.txt"

	# (2) isolated starts: 100 ms idle before each run
	log "boxsplit: isolated starts (100 ms idle before each)"
	local iso=() n
	for n in full floor-c crun; do
		for v in "${!HF_NAMES[@]}"; do [ "${HF_NAMES[v]}" = "$n" ] && iso+=(-n "$n" "${HF_CMDS[v]}"); done
	done
	wait_quiet boxsplit-iso
	hyperfine -N -i -w 2 -r "$(((RUNS + 1) / 2))" --prepare "sleep 0.1" --style none \
		--export-json "$OUT/raw/boxsplit-iso.json" "${iso[@]}" >/dev/null 2>>"$OUT/raw/hyperfine.err"
	jq -r '.results[] | . as $r | range(0; $r.times|length) | "\($r.command)\t0\t\($r.times[.]*1000)\t\($r.exit_codes[.])"' \
		"$OUT/raw/boxsplit-iso.json" >"$OUT/raw/boxsplit-iso.tsv"

	# (3) strace timeline
	log "boxsplit: strace"
	for i in 1 2 3; do ${HF_CMDS[3]} >/dev/null 2>&1; done
	wait_quiet boxsplit-strace
	for i in 1 2 3 4 5; do
		strace -f -ttt -T -yy -s 100 -o "$OUT/raw/boxlaunch.strace.$i" ${HF_CMDS[3]} >/dev/null 2>&1
	done
	# self-calibrated per-syscall overhead: (median traced total - untraced median of
	# "full") / syscalls, so the est. native phases add up to the untraced latency
	local tt ns un
	for i in 1 2 3 4 5; do awk -v C=0 -v PAYLOAD=/bin/true -f "$HERE/strace-phases-boxlaunch.awk" "$OUT/raw/boxlaunch.strace.$i" | awk -F'\t' '$1=="TOTAL"{print $2, $3}'; done >"$OUT/raw/boxlaunch.strace-totals"
	tt=$(awk '{print $1}' "$OUT/raw/boxlaunch.strace-totals" | stats | awk '{print $4}')
	ns=$(awk '{print $2}' "$OUT/raw/boxlaunch.strace-totals" | stats | awk '{print $4}')
	un=$(med_of "$OUT/raw/boxsplit.tsv" full)
	cal=$(awk -v t="$tt" -v n="$ns" -v u="${un:-0}" 'BEGIN{c=(n>0)?(t-u)/n:0; if (c<0) c=0; printf "%.4f", c}')
	echo "$cal $tt $ns $un" >"$OUT/raw/boxlaunch.strace-cal"
	for i in 1 2 3 4 5; do
		awk -v C="$cal" -v PAYLOAD=/bin/true -f "$HERE/strace-phases-boxlaunch.awk" "$OUT/raw/boxlaunch.strace.$i" | sed "s/^/$i\t/"
	done >"$OUT/raw/boxlaunch.phases-all.tsv"
	phase_medians "$OUT/raw/boxlaunch.phases-all.tsv" "$OUT/raw/boxlaunch.phases.tsv"
	strace -f -c -o "$OUT/raw/boxlaunch.strace-c" ${HF_CMDS[3]} >/dev/null 2>&1
	grep -o '/lib[^"]*\.so[.0-9]*' "$OUT/raw/boxlaunch.strace.1" | sort -u >"$OUT/raw/boxlaunch.libs"

	# (3b) perf trace record (tracepoints, ring buffer: much lower overhead than strace).
	# iso: each run alone (perf's own start-up comes first), calibrated against g2;
	# b2b: `sh -c 'bl; bl'`, the second start analysed, calibrated against g1.
	if command -v perf >/dev/null && perf trace record -q -o "$OUT/raw/perf-trace.probe" -- true >/dev/null 2>&1; then
		rm -f "$OUT/raw/perf-trace.probe"
		perf_phases iso 0 "$(med_of "$OUT/raw/boxsplit-iso.tsv" full)" ${HF_CMDS[3]}
		perf_phases b2b 1 "$(med_of "$OUT/raw/boxsplit.tsv" full)" sh -c "${HF_CMDS[3]}; ${HF_CMDS[3]}"
	fi

	# (4) cgroup cost, untraced, on the hierarchies boxlaunch made a directory in
	hier=$(grep -E 'mkdirat\([0-9]+</sys/fs/cgroup/[^>]+>, "[^"]*bb-bsplit\.box", [0-7]+\) = 0' "$OUT/raw/boxlaunch.strace.1" |
		sed -E 's|.*</sys/fs/cgroup/([^>/]+)>.*|\1|' | awk '!s[$0]++' | tr '\n' ' ')
	echo "$hier" >"$OUT/raw/cgcost.hier"
	if [ -n "$hier" ] && [ "$HERE/cgcost.c" -nt "$WORK/cgcost" ] && command -v cc >/dev/null; then
		cc -O2 -Wall -o "$WORK/cgcost" "$HERE/cgcost.c" || rm -f "$WORK/cgcost"
	fi
	if [ -n "$hier" ] && [ -x "$WORK/cgcost" ]; then
		log "boxsplit: cgcost ($hier)"
		# shellcheck disable=SC2086
		{ "$WORK/cgcost" -n 40 -p "$CG_PARENT" $hier >"$OUT/raw/cgcost-gap0.txt"
		  "$WORK/cgcost" -n 20 -g 100 -p "$CG_PARENT" $hier >"$OUT/raw/cgcost-gap100.txt"; } 2>"$OUT/raw/cgcost.err"
	fi
	# (5) perf stat
	if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then
		perf stat -r 20 -e task-clock,context-switches,cpu-migrations,page-faults ${HF_CMDS[3]} >/dev/null 2>"$OUT/raw/boxlaunch.perf-stat"
		perf stat -r 20 -e task-clock,context-switches,cpu-migrations,page-faults ${HF_CMDS[1]} >/dev/null 2>"$OUT/raw/boxlaunch-version.perf-stat"
	fi
	LD_DEBUG=statistics ${HF_CMDS[1]} >/dev/null 2>"$OUT/raw/boxlaunch.ld-debug" || true
}

# c) throughput: N sequential, N parallel (distinct IDs, per-instance configs)
measure_seq() {
	local rt c k t0 t1 fail i
	: >"$OUT/raw/seq.tsv"
	cpu_mark
	for ((k = 0; k < TP_REPEAT; k++)); do
		wait_quiet "seq-r$k"
		for rt in "${ACTIVE[@]}"; do
			c=$(run_cmd "$rt" true 0 "bb-$rt") || continue
			log "seq N=$SEQ_N $rt repeat $((k + 1))/$TP_REPEAT"
			fail=0 t0=$(now_ns)
			for ((i = 0; i < SEQ_N; i++)); do $c >/dev/null 2>&1 || fail=$((fail + 1)); done
			t1=$(now_ns)
			printf '%s\t%s\t%.1f\t%s\n' "$rt" "$k" "$(((t1 - t0) / 1000))e-3" "$fail" >>"$OUT/raw/seq.tsv"
		done
	done
	cpu_report; echo "seq $CPU_RES $(foreign_rt)" >>"$OUT/raw/cpu.txt"
}

measure_par() {
	local rt k t0 t1 fail i p
	: >"$OUT/raw/par.tsv"
	cpu_mark
	for ((k = 0; k < TP_REPEAT; k++)); do
		wait_quiet "par-r$k"
		for rt in "${ACTIVE[@]}"; do
			local cs=() pids=()
			for ((i = 0; i < PAR_N; i++)); do cs[i]=$(run_cmd "$rt" true 0 "bb-$rt-p$i") || continue 2; done
			log "par N=$PAR_N $rt repeat $((k + 1))/$TP_REPEAT"
			fail=0 t0=$(now_ns)
			for ((i = 0; i < PAR_N; i++)); do ${cs[i]} >/dev/null 2>&1 & pids[i]=$!; done
			for p in "${pids[@]}"; do wait "$p" || fail=$((fail + 1)); done
			t1=$(now_ns)
			printf '%s\t%s\t%.1f\t%s\n' "$rt" "$k" "$(((t1 - t0) / 1000))e-3" "$fail" >>"$OUT/raw/par.tsv"
		done
	done
	cpu_report; echo "par $CPU_RES $(foreign_rt)" >>"$OUT/raw/cpu.txt"
}

# d) memory + isolation check: start a sleeping container, find the payload
# (comm=sleep) among descendants, sample every other descendant (= runtime/supervisor).
descendants() { # PID -> "pid comm" lines of PID and all its descendants
	ps -e -o pid=,ppid=,comm= | awk -v r="$1" '{p[$1]=$2; c[$1]=$3} END {
		keep[r]=1; ch=1; while (ch) { ch=0; for (x in p) if (!(x in keep) && (p[x] in keep)) { keep[x]=1; ch=1 } }
		for (x in keep) if (x in c) print x, c[x] }'
}
kb() { awk -v k="$2:" '$1==k {print $2; f=1} END {if (!f) print 0}' "$1" 2>/dev/null; }

measure_mem() {
	: >"$OUT/raw/mem.tsv"
	: >"$OUT/raw/verify.tsv"
	local rt u c pid payload i line hwm rss pss procs ok
	for u in 0 1; do
		for rt in "${ACTIVE[@]}"; do
			c=$(run_cmd "$rt" sleep "$u" "bb-$rt-m") || continue
			log "mem/verify $rt userns=$u"
			$c >/dev/null 2>"$OUT/raw/mem-$rt-u$u.err" &
			pid=$! payload=""
			for ((i = 0; i < 100; i++)); do
				payload=$(descendants "$pid" | awk '$2=="sleep"{print $1}' | head -1)
				[ -n "$payload" ] && break
				sleep 0.05
			done
			if [ -z "$payload" ]; then
				echo "$rt	$u	no payload found" >>"$OUT/raw/verify.tsv"; wait "$pid"; continue
			fi
			sleep 0.5
			if [ "$u" = 0 ]; then
				hwm=0 rss=0 pss=0 procs=""
				while read -r p comm; do
					[ "$p" = "$payload" ] && continue
					hwm=$((hwm + $(kb /proc/$p/status VmHWM))) rss=$((rss + $(kb /proc/$p/status VmRSS)))
					pss=$((pss + $(kb /proc/$p/smaps_rollup Pss))) procs+="$comm($(kb /proc/$p/status VmHWM)) "
				done < <(descendants "$pid")
				# column 7: the launched process itself (the supervisor: boxlaunch, crun run, ...)
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rt" "$hwm" "$rss" "$pss" \
					"$(kb /proc/$payload/status VmHWM)" "${procs% }" "$(kb /proc/$pid/status VmHWM)" >>"$OUT/raw/mem.tsv"
			fi
			verify "$rt" "$u" "$payload" >>"$OUT/raw/verify.tsv"
			wait "$pid"
		done
	done
	# peak of the largest single process over the whole life (incl. transient
	# helpers such as `runc init`, nspawn's inner child): /usr/bin/time %M, 3 runs
	: >"$OUT/raw/maxrss.tsv"
	for rt in "${ACTIVE[@]}"; do
		c=$(run_cmd "$rt" true 0 "bb-$rt") || continue
		for i in 1 2 3; do /usr/bin/time -f %M -o "$OUT/raw/time.$$" $c >/dev/null 2>&1; cat "$OUT/raw/time.$$"; done |
			sort -n | awk -v r="$rt" '{v[NR]=$1} END {print r "\t" v[2]}' >>"$OUT/raw/maxrss.tsv"
	done
	rm -f "$OUT/raw/time.$$"
}

verify() { # RT USERNS PID -> one TSV line describing the payload's isolation, seen from the host
	local rt=$1 u=$2 p=$3 ns="" n cg mem pids ro um lo hn
	for n in mnt pid uts ipc net user cgroup; do
		[ "$(readlink /proc/$p/ns/$n)" != "$(readlink /proc/self/ns/$n)" ] && ns+="$n,"
	done
	cg=$(awk -F: '$2=="memory"{print $3}' /proc/$p/cgroup)
	mem=$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes" 2>/dev/null)
	[ "${mem:-0}" -ge 9223372036854000000 ] 2>/dev/null && mem=none
	[ "$mem" = "$MEM_LIMIT" ] && mem="256M"
	pids=$(cat "/sys/fs/cgroup/pids$(awk -F: '$2=="pids"{print $3}' /proc/$p/cgroup)/pids.max" 2>/dev/null || echo none)
	ro=$(awk '$5=="/"{print ($6 ~ /(^|,)ro(,|$)/)?"ro":"rw"}' /proc/$p/mountinfo | tail -1)
	um=$(awk 'NR==1{print ($3==4294967295)?"-":$1":"$2":"$3}' /proc/$p/uid_map)
	lo=$(nsenter -t "$p" -n ip -o link show lo 2>/dev/null | grep -q 'LOWER_UP' && echo up || echo down)
	hn=$(nsenter -t "$p" -u hostname 2>/dev/null)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rt" "$u" "${ns%,}" \
		"$(awk '$1=="CapEff:"{print $2}' /proc/$p/status | sed 's/^0*//')" \
		"$(awk '$1=="NoNewPrivs:"{print $2}' /proc/$p/status)" \
		"$(awk '$1=="Seccomp:"{print $2}' /proc/$p/status)" "$um" "${mem:-?}" "${pids:-?}" \
		"${ro:-rw(chroot)}" "$(wc -l </proc/$p/mountinfo)" "$lo" "$hn"
}

# e) noise probe: bare /bin/true, 5 x 100 runs
noise_probe() { # TAG
	local k
	wait_quiet "noise-$1"
	for k in 1 2 3 4 5; do
		hyperfine -N -w 5 -r 100 --style none --export-json "$OUT/raw/noise-$1-$k.json" /bin/true >/dev/null 2>&1
		jq -r '.results[0] | "\(.mean*1000) \(.median*1000) \(.min*1000) \(.max*1000)"' "$OUT/raw/noise-$1-$k.json"
	done >"$OUT/raw/noise-$1.txt"
}

# ---------------------------------------------------------------------------
report() {
	local R=$OUT/report.md
	{
		echo "# boxbench report $(date -u +%FT%TZ)"
		echo
		echo "Host: $(uname -r), $(nproc) CPU ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;" \
			"cgroup view: ${BENCH_PRIVATE_NS:-native} ; /run on $(stat -fc %T /run)."
		echo "Versions: $(crun --version 2>/dev/null | head -1); $(runc --version 2>/dev/null | head -1); $(systemd-nspawn --version 2>/dev/null | head -1); boxlaunch $($(boxlaunch_bin) --version 2>/dev/null | head -1); $(hyperfine --version)."
		echo "Parameters: runs=$RUNS rounds=$ROUNDS warmup=$WARMUP/round seq_n=$SEQ_N par_n=$PAR_N repeats=$TP_REPEAT sleep=${SLEEP_S}s"
		echo
		echo "Command: \`${BENCH_CMDLINE:-bench.sh}\`"
		echo
		echo "## summary: boxlaunch vs crun, crun with seccomp, and the C floor"
		echo
		summary_table
		echo
		echo "Not equivalent: see *what is not equivalent* at the end (boxlaunch keeps its seccomp allow-list, masked paths, cgroup ns and stub init; plain crun/runc have no seccomp; nspawn has no cgroup limits; floor-c has no seccomp/masking/state)."
		echo
		for u in 0 1; do
			[ -s "$OUT/raw/lat-u$u.tsv" ] || continue
			[ $u = 0 ] && echo "## a) start-to-exit latency, /bin/true (ms)" || echo "## b) latency with user namespace (root -> $UID_BASE:$UID_COUNT) (ms)"
			echo
			lat_table "$OUT/raw/lat-u$u.tsv"
			[ -f "$OUT/raw/lat-u$u.skip" ] && sed 's/\t/: /; s/^/- skipped /' "$OUT/raw/lat-u$u.skip"
			netfloor_line "$OUT/raw/lat-u$u.tsv"
			echo
		done
		for m in seq par; do
			[ -s "$OUT/raw/$m.tsv" ] || continue
			local N=$([ $m = seq ] && echo "$SEQ_N" || echo "$PAR_N")
			[ $m = seq ] && echo "## c1) throughput: $N containers sequentially (wall s, $TP_REPEAT repeats)" ||
				echo "## c2) throughput: $N containers in parallel on $(nproc) cores (wall s, $TP_REPEAT repeats)"
			echo
			echo "| runtime | median wall | min–max | ms/container | containers/s | x crun (median) | failed runs |"
			echo "|---|---|---|---|---|---|---|"
			local cmed; cmed=$(med_of "$OUT/raw/$m.tsv" crun)
			for rt in "${ACTIVE[@]}"; do
				local s
				s=$(awk -F'\t' -v r="$rt" '$1==r{print $3}' "$OUT/raw/$m.tsv" | stats)
				[ "${s%% *}" = 0 ] && continue
				read -r n mean sd med mn mx <<<"$s"
				echo "| $rt$([ "$(kind "$rt")" = floor ] && echo " (floor)") | $(awk -v v="$med" 'BEGIN{printf "%.3f", v/1000}') | $(awk -v a="$mn" -v b="$mx" 'BEGIN{printf "%.3f–%.3f", a/1000, b/1000}') | $(awk -v v="$med" -v n="$N" 'BEGIN{printf "%.1f", v/n}') | $(awk -v v="$med" -v n="$N" 'BEGIN{printf "%.0f", n/(v/1000)}') | $(ratio "$med" "$cmed") | $(awk -F'\t' -v r="$rt" '$1==r{s+=$4} END{print s+0}' "$OUT/raw/$m.tsv") |"
			done
			echo
		done
		if [ -s "$OUT/raw/mem.tsv" ]; then
			echo "## d) memory of the runtime while a container sleeps (KiB)"
			echo
			echo "Sum over all non-payload processes descending from the launched command, sampled 0.5 s after the payload started; *life peak* = /usr/bin/time %M (largest single process incl. transient helpers, median of 3)."
			echo
			echo "*supervisor VmHWM* = VmHWM of the launched foreground process alone (boxlaunch / \`crun run\` / \`runc run\` / systemd-nspawn / nsfloor)."
			echo
			echo "| runtime | supervisor VmHWM | all non-payload VmHWM | VmRSS | PSS | life peak %M | payload HWM | processes (HWM) |"
			echo "|---|---|---|---|---|---|---|---|"
			while IFS=$'\t' read -r rt hwm rss pss ph procs sup; do
				echo "| $rt | **$sup** | $hwm | $rss | $pss | $(awk -F'\t' -v r="$rt" '$1==r{print $2}' "$OUT/raw/maxrss.tsv") | $ph | $procs |"
			done <"$OUT/raw/mem.tsv"
			echo
		fi
		if [ -s "$OUT/raw/verify.tsv" ]; then
			echo "## isolation actually obtained (read from the host via /proc of the payload)"
			echo
			echo "| runtime | userns | new namespaces | CapEff | NNP | seccomp | uid_map | mem limit | pids.max | / | mounts | lo | hostname |"
			echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
			sed 's/\t/ | /g; s/^/| /; s/$/ |/' "$OUT/raw/verify.tsv"
			echo
		fi
		if [ -s "$OUT/raw/split.tsv" ]; then
			echo "## f) crun latency split"
			echo
			echo "### f1) ablation, untraced (hyperfine, same rounds scheme; Δ = median − median(full))"
			echo
			echo "| variant | n | median | Δ vs full | mean ± sd | min |"
			echo "|---|---|---|---|---|---|"
			local fullmed
			fullmed=$(awk -F'\t' '$1=="full"{print $3}' "$OUT/raw/split.tsv" | stats | awk '{print $4}')
			for v in $(cut -f1 "$OUT/raw/commands-split.tsv"); do
				read -r n m sd med mn mx <<<"$(awk -F'\t' -v r="$v" '$1==r{print $3}' "$OUT/raw/split.tsv" | stats)"
				echo "| $v | $n | **$med** | $(awk -v a="$med" -v b="$fullmed" 'BEGIN{printf "%+.2f", a-b}') | $m ± $sd | $mn |"
			done
			echo
			echo "### f2) \`strace -f -ttt -T -yy\` of crun cut into phases (median of 5 traced runs)"
			echo
			echo "strace adds ≈$(cat "$OUT/raw/strace-overhead-ms") ms per syscall here (calibrated: dd, 40k syscalls traced vs untraced); *est. native* = traced − syscalls × that."
			echo
			echo "| phase | traced ms | syscalls | est. native ms |"
			echo "|---|---|---|---|"
			grep -v '^#' "$OUT/raw/crun.phases.tsv" | awk -F'\t' '{printf "| %s | %.2f | %d | %.2f |\n", $1, $2, $3, $4}'
			echo
			echo "Counts: $(grep '^#count' "$OUT/raw/crun.phases.tsv" | awk -F'\t' '{printf "%s %s; ", $2, $3}')"
			echo
			for u in 0 1; do
				[ -s "$OUT/raw/nsfloor-steps-u$u.txt" ] || continue
				echo "### f3) physical floor per step: \`nsfloor -t -F -C -c$([ $u = 1 ] && echo " -U -S") …\` (full OCI-like setup$([ $u = 1 ] && echo " + userns + seccomp")), in-process CLOCK_MONOTONIC, $(cut -d' ' -f1 "$OUT/raw/nsfloor-steps-u$u.txt" | sort -u | wc -l) runs"
				echo
				echo "| step (who) | median Δ µs | p90 Δ µs | median t µs |"
				echo "|---|---|---|---|"
				steps_table "$OUT/raw/nsfloor-steps-u$u.txt"
				echo
			done
		fi
		if [ -s "$OUT/raw/boxsplit.tsv" ]; then
			echo "## g) where boxlaunch's start-up time goes"
			echo
			echo "### g1) ablation, untraced (hyperfine, same rounds scheme; Δ = median − median(full))"
			echo
			echo "*full* = the benchmark's .box (userns off); each *full-no-X* turns one feature off; *minimal* turns all of them off (no seccomp, Init=no, host network, no cgroup/UTS/IPC namespaces, no limits — cgroups are still made: boxlaunch has no switch for that); *boxlaunch--version* = exec + dynamic linking + exit; *boxlaunch-check* = that + read/parse/validate the .box."
			echo
			echo "| variant | n | median ms | Δ vs full | mean ± sd | min |"
			echo "|---|---|---|---|---|---|"
			local fm
			fm=$(med_of "$OUT/raw/boxsplit.tsv" full)
			for v in $(cut -f1 "$OUT/raw/commands-boxsplit.tsv"); do
				read -r n m sd med mn mx <<<"$(awk -F'\t' -v r="$v" '$1==r{print $3}' "$OUT/raw/boxsplit.tsv" | stats)"
				echo "| $v | $n | **$med** | $(awk -v a="$med" -v b="$fm" 'BEGIN{printf "%+.2f", a-b}') | $m ± $sd | $mn |"
			done
			echo
			if [ -s "$OUT/raw/boxsplit-iso.tsv" ]; then
				echo "### g2) isolated starts: 100 ms idle before each run (hyperfine --prepare 'sleep 0.1')"
				echo
				echo "| runtime | n | median ms (isolated) | median ms (back-to-back, g1) | isolated − back-to-back |"
				echo "|---|---|---|---|---|"
				for v in full floor-c crun; do
					local a b
					a=$(med_of "$OUT/raw/boxsplit-iso.tsv" "$v") b=$(med_of "$OUT/raw/boxsplit.tsv" "$v")
					[ -n "$a" ] || continue
					echo "| $v | $(awk -F'\t' -v r="$v" '$1==r' "$OUT/raw/boxsplit-iso.tsv" | wc -l) | **$a** | $b | $(awk -v a="$a" -v b="${b:-0}" 'BEGIN{printf "%+.2f", a-b}') |"
				done
				echo
			fi
			if [ -s "$OUT/raw/boxlaunch.phases.tsv" ]; then
				echo "### g3) \`strace -f -ttt -T -yy\` of boxlaunch (full) cut into phases (median of 5 traced runs)"
				echo
				local c tt ns un
				read -r c tt ns un <"$OUT/raw/boxlaunch.strace-cal"
				echo "Traced total (median) $tt ms for $ns syscalls vs $un ms untraced (g1 *full*): strace adds ≈$c ms per syscall; *est. native* = traced − syscalls × $c (self-calibrated so the phases add up to the untraced latency; syscall-heavy phases are the least certain — the ablation above is the untraced truth)."
				echo
				echo "| phase | traced ms | syscalls | est. native ms |"
				echo "|---|---|---|---|"
				grep -v '^#' "$OUT/raw/boxlaunch.phases.tsv" | awk -F'\t' '{printf "| %s | %.2f | %d | %.2f |\n", $1, $2, $3, $4}'
				echo
				par=$(awk -F'\t' '$2=="#parallel"{print $4}' "$OUT/raw/boxlaunch.phases-all.tsv" | stats | awk '{print $4}')
				[ -n "$par" ] && [ "$par" != nan ] && echo "Not in the total: while the child works through phases 5-6, the supervisor makes the cgroups and writes the state file ($par ms traced, median)." && echo
				echo "Counts (trace 1): $(grep '^#count' "$OUT/raw/boxlaunch.phases.tsv" | sort -t$'\t' -k2 | awk -F'\t' '{printf "%s %s; ", $2, $3}')"
				echo
				echo "Libraries loaded: $(sed 's|.*/||' "$OUT/raw/boxlaunch.libs" | sort -u | tr '\n' ' ')"
				echo
				echo "Top syscalls by traced time (\`strace -f -c\`):"
				echo
				echo '```'
				head -14 "$OUT/raw/boxlaunch.strace-c"
				echo '```'
				echo
			fi
			if [ -s "$OUT/raw/boxlaunch.perf-phases-b2b.tsv" ]; then
				local pc ptt pns pun
				echo "### g3b) \`perf trace record\` of boxlaunch (full) cut into phases (median of 7 traced runs each)"
				echo
				echo "perf trace reads syscall tracepoints into a ring buffer (no ptrace stops), so it barely slows the run. *est. native* = traced − syscalls × c, with c self-calibrated against the untraced median. *longest syscall* = the longest single syscall in the phase (median; a wait such as recvmsg/epoll_wait/wait4 overlaps the other process's work)."
				echo
				echo "| phase | back-to-back traced ms | est. native ms | longest syscall (ms) | isolated traced ms | est. native ms | longest syscall (ms) |"
				echo "|---|---|---|---|---|---|---|"
				join -t$'\t' -a1 <(awk -F'\t' '{printf "%02d\t%s\t%.2f\t%.2f\t%s\n", NR, $1, $2, $4, $5}' "$OUT/raw/boxlaunch.perf-phases-b2b.tsv") \
					<(awk -F'\t' '{printf "%02d\t%.2f\t%.2f\t%s\n", NR, $2, $4, $5}' "$OUT/raw/boxlaunch.perf-phases-iso.tsv" 2>/dev/null) |
					awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7, $8}'
				echo
				for t in b2b iso; do
					par=$(awk -F'\t' '$2=="#parallel"{print $4}' "$OUT/raw/boxlaunch.perf-phases-all-$t.tsv" 2>/dev/null | stats | awk '{print $4}')
					[ -n "$par" ] && [ "$par" != nan ] && echo "- $t: in parallel with phase 5, the supervisor's cgroups and state file take $par ms (median, not in the total)"
					[ -s "$OUT/raw/boxlaunch.perf-cal-$t" ] || continue
					read -r pc ptt pns pun <"$OUT/raw/boxlaunch.perf-cal-$t"
					echo "- $t: traced total $ptt ms for $pns syscalls vs $pun ms untraced ($([ $t = b2b ] && echo "g1" || echo "g2") *full*) → c = $pc ms per syscall"
				done
				echo
			fi
			if [ -s "$OUT/raw/cgcost-gap0.txt" ]; then
				echo "### g4) cgroup v1 cost alone, untraced (\`cgcost\` on the $(wc -w <"$OUT/raw/cgcost.hier") hierarchies boxlaunch uses: $(cat "$OUT/raw/cgcost.hier"))"
				echo
				echo "| step | median µs, back-to-back | median µs, 100 ms idle before each |"
				echo "|---|---|---|"
				for st in mkdir limits attach-first attach-rest reap rmdir total; do
					echo "| $st | $(awk -v s="$st" '$2==s{print $3}' "$OUT/raw/cgcost-gap0.txt" | stats | awk '{printf "%.0f", $4}') | $(awk -v s="$st" '$2==s{print $3}' "$OUT/raw/cgcost-gap100.txt" | stats | awk '{printf "%.0f", $4}') |"
				done
				echo
				echo "*attach-first* = the first write to a cgroup.procs; after an idle gap it waits for an RCU grace period (cgroup_threadgroup_rwsem switching to writer mode); every runtime here pays it (crun, runc, nsfloor too). *reap* includes the child's exit. $(sed 's/^cgcost: //' "$OUT/raw/cgcost.err" | tr '\n' ' ')"
				echo
			fi
			if [ -s "$OUT/raw/boxlaunch.perf-stat" ]; then
				echo "### g5) \`perf stat -r 20\`"
				echo
				echo "full: $(grep -E 'task-clock|context-switches|page-faults|elapsed' "$OUT/raw/boxlaunch.perf-stat" | awk '{$1=$1; print}' | sed 's/#.*(/(/' | tr '\n' ';')"
				echo
				echo "--version: $(grep -E 'task-clock|context-switches|page-faults|elapsed' "$OUT/raw/boxlaunch-version.perf-stat" | awk '{$1=$1; print}' | sed 's/#.*(/(/' | tr '\n' ';')"
				echo
			fi
			if [ -s "$OUT/raw/boxlaunch.ld-debug" ]; then
				echo "LD_DEBUG=statistics (boxlaunch --version): $(grep -E 'total startup time|relocations|objects' "$OUT/raw/boxlaunch.ld-debug" | sed 's/^ *[0-9]*: *//' | awk '{$1=$1; print}' | tr '\n' ';')"
				echo
			fi
		fi
		echo "## machine noise"
		echo
		for t in start end; do
			[ -s "$OUT/raw/noise-$t.txt" ] || continue
			echo "- bare /bin/true probe at $t (5 × 100 runs): batch means $(awk '{print $1}' "$OUT/raw/noise-$t.txt" | stats | awk '{printf "%.2f–%.2f ms", $5, $6}'), medians $(awk '{print $2}' "$OUT/raw/noise-$t.txt" | stats | awk '{printf "%.2f–%.2f ms", $5, $6}'), single-run min/max $(awk '{print $3}' "$OUT/raw/noise-$t.txt" | sort -g | head -1 | xargs printf %.2f)/$(awk '{print $4}' "$OUT/raw/noise-$t.txt" | sort -g | tail -1 | xargs printf %.2f) ms"
		done
		echo "- CPU during each measure (% of all $(nproc) cores; foreign = busy − ours, includes kernel work we caused such as netns teardown):"
		echo
		echo "  | measure | busy% | steal% | ours% | foreign% | foreign runtime procs at end |"
		echo "  |---|---|---|---|---|---|"
		awk '{printf "  | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6}' "$OUT/raw/cpu.txt" 2>/dev/null
		echo
		echo "- loadavg start: $(cat "$OUT/raw/loadavg-start") ; end: $(cat /proc/loadavg)"
		[ -s "$OUT/raw/quiet.tsv" ] && awk -F'\t' -v q="$QUIET_PCT" '{n++; w+=$2; if ($3>=q) {b++; l=l" "$1"("$3"%)"}} END {
			printf "- quiet gate (busy < %s%% over 1 s before each round/repeat): %d checks, %d s waited in total, %d started busy:%s\n", q, n, w, b, (b?l:" none") }' "$OUT/raw/quiet.tsv"
		echo
		echo "## exact commands"
		echo
		for u in 0 1; do
			[ -s "$OUT/raw/commands-u$u.tsv" ] || continue
			echo "userns=$u:"
			echo
			awk -F'\t' '{printf "- %s: `%s`\n", $1, $2}' "$OUT/raw/commands-u$u.tsv"
			echo
		done
		echo "## what is not equivalent (per-runtime notes)"
		echo
		for rt in "${ACTIVE[@]}"; do has_fn "notes_$(fn "$rt")" && "notes_$(fn "$rt")"; done
		for rt in "${SKIPPED[@]}"; do echo "- $rt: skipped ($(avail_"$(fn "$rt")" 2>&1 | head -1))"; done
	} >"$R"
	log "report: $R"
}

# med_of TSV RT [COL]: median of column COL (default 3) over the rows of runtime RT
med_of() { awk -F'\t' -v r="$2" -v c="${3:-3}" '$1==r{print $c}' "$1" | stats | awk '$1>0{print $4}'; }
# ratio A B -> A/B with 2 decimals, "-" if B is empty or 0
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN{ if (b>0 && a>0) printf "%.2f", a/b; else print "-"}'; }

# netfloor_line TSV: the veth row over the private one against the netlink floor + 1 ms.
netfloor_line() {
	local priv veth floor
	priv=$(med_of "$1" boxlaunch) veth=$(med_of "$1" boxlaunch-veth)
	floor=$(awk '/^veth \(peer in netns\)/ {for (i = 1; i < NF; i++) if ($i == "median") {print $(i+1) / 1000; exit}}' "$OUT/raw/netcost.txt" 2>/dev/null)
	[ -n "$priv" ] && [ -n "$veth" ] && [ -n "$floor" ] || return 0
	awk -v p="$priv" -v v="$veth" -v f="$floor" 'BEGIN {
		printf "- boxlaunch-veth over boxlaunch: **%+.2f ms**; netlink floor measured in this run (`build/netcost`: veth with its peer made in the box'"'"'s namespace, addresses, up, route; median of 200): %.2f ms; target (floor + 1 ms) %.2f ms: %s\n", v - p, f, f + 1, (v - p <= f + 1) ? "met" : "not met" }'
	# The same two rows paired per round (their blocks run one after the other in every round):
	# the machine's drift between rounds leaves the difference alone.
	awk -F'\t' '$1 == "boxlaunch" || $1 == "boxlaunch-veth" { n[$1, $2]++; v[$1, $2, n[$1, $2]] = $3; r[$2] = 1 }
		function med(k, a,   m, i, j, t, x) { m = n[a, k]; for (i = 1; i <= m; i++) x[i] = v[a, k, i]
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			return m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2 }
		END { for (k in r) if (n["boxlaunch", k] && n["boxlaunch-veth", k]) { d = med(k, "boxlaunch-veth") - med(k, "boxlaunch"); c++; s += d; q += d * d }
			if (c < 2) exit; m = s / c; se = sqrt((q - c * m * m) / (c - 1) / c)
			printf "- the same, paired per round (median of each round'"'"'s veth block minus its private block, mean of %d rounds): %+.2f ms (se %.2f)\n", c, m, se }' "$1"
	# Where the kernel's cycle alone is over the target, no launcher could meet it in this run.
	awk -v f="$floor" '/^cycle veth over private/ { for (i = 1; i <= NF; i++) if ($i ~ /^[+-][0-9.]+$/) { veth = $i / 1000; se1 = $(i + 3) / 1000 } }
		/^cycle veth\+nat over private/ { for (i = 1; i <= NF; i++) if ($i ~ /^[+-][0-9.]+$/) { nat = $i / 1000; se2 = $(i + 3) / 1000 } }
		END { if (nat != "") printf "- the kernel'"'"'s own share (`build/netcost --cycle`: a process in a new network namespace started and ended back to back by one thread, no boxlaunch; paired rounds): a veth %+.2f ms (se %.2f), a veth with the box'"'"'s table, its hooks anchor and the rename at the end %+.2f ms (se %.2f) over the private cycle%s\n", veth, se1, nat, se2, (nat > f + 1) ? sprintf(": **the kernel alone is over the target (%.2f ms)**", f + 1) : "" }' "$OUT/raw/netcycle.txt" 2>/dev/null
}

# lat_table TSV: markdown rows per runtime (pooled runs), ratio of medians to crun
lat_table() {
	local tsv=$1 base rt s rm r fails n m sd med mn mx
	echo "| runtime | n | mean ± sd | median | min | max | round medians | x crun (median) | failed |"
	echo "|---|---|---|---|---|---|---|---|---|"
	base=$(med_of "$tsv" crun)
	for rt in "${ACTIVE[@]}"; do
		s=$(awk -F'\t' -v r="$rt" '$1==r{print $3}' "$tsv" | stats)
		[ "${s%% *}" = 0 ] && continue
		rm=$(for k in $(seq 0 $((ROUNDS - 1))); do awk -F'\t' -v r="$rt" -v k="$k" '$1==r && $2==k{print $3}' "$tsv" | stats | awk '$1>0{print $4}'; done | sort -g | awk '{v[NR]=$1} END{printf "%.1f–%.1f", v[1], v[NR]}')
		fails=$(awk -F'\t' -v r="$rt" '$1==r && $4!=0' "$tsv" | wc -l)
		read -r n m sd med mn mx <<<"$s"
		r=$(ratio "$med" "$base")
		[ "$(kind "$rt")" = floor ] && rt="$rt (floor)"
		echo "| $rt | $n | $m ± $sd | **$med** | $mn | $mx | $rm | $r | $fails |"
	done
}

# summary: boxlaunch against crun, crun-seccomp and the C floor, per measure
summary_table() {
	local m f b c cs fl label
	echo "| measure | boxlaunch | crun | crun-seccomp | floor-c | boxlaunch / crun | boxlaunch / crun-seccomp | boxlaunch / floor-c |"
	echo "|---|---|---|---|---|---|---|---|"
	for m in lat-u0 lat-u1 seq par; do
		f=$OUT/raw/$m.tsv
		[ -s "$f" ] || continue
		case $m in
		lat-u0) label="latency /bin/true (ms, median)" ;;
		lat-u1) label="latency with userns (ms, median)" ;;
		seq) label="$SEQ_N sequential (s, median wall)" ;;
		par) label="$PAR_N parallel (s, median wall)" ;;
		esac
		b=$(med_of "$f" boxlaunch) c=$(med_of "$f" crun) cs=$(med_of "$f" crun-seccomp) fl=$(med_of "$f" floor-c)
		if [ "$m" = seq ] || [ "$m" = par ]; then
			for v in b c cs fl; do [ -n "${!v}" ] && printf -v "$v" '%.3f' "$(awk -v x="${!v}" 'BEGIN{print x/1000}')"; done
		fi
		echo "| $label | ${b:--} | ${c:--} | ${cs:--} | ${fl:--} | $(ratio "$b" "$c") | $(ratio "$b" "$cs") | $(ratio "$b" "$fl") |"
	done
	if [ -s "$OUT/raw/mem.tsv" ]; then
		b=$(awk -F'\t' '$1=="boxlaunch"{print $7}' "$OUT/raw/mem.tsv") c=$(awk -F'\t' '$1=="crun"{print $7}' "$OUT/raw/mem.tsv")
		cs=$(awk -F'\t' '$1=="crun-seccomp"{print $7}' "$OUT/raw/mem.tsv") fl=$(awk -F'\t' '$1=="floor-c"{print $7}' "$OUT/raw/mem.tsv")
		echo "| supervisor VmHWM while a box sleeps (KiB) | ${b:--} | ${c:--} | ${cs:--} | ${fl:--} | $(ratio "$b" "$c") | $(ratio "$b" "$cs") | $(ratio "$b" "$fl") |"
	fi
}

# steps_table FILE: lines "run nsfloor <us> <who> <step...>" -> per-step median/p90 of the
# delta to the previous timestamp of the same run, ordered by median position
steps_table() {
	sort -k1,1n -k3,3g "$1" | awk '$2=="nsfloor" {
		key=$4; for (i=5;i<=NF;i++) key=key " " $i
		d=($1==prun)? $3-prev : $3; prun=$1; prev=$3
		printf "%s\t%.1f\t%.1f\n", key, d, $3 }' | sort -t$'\t' -k1,1 -k2,2g | awk -F'\t' '
		function flush() { if (n) { med=(n%2)?v[(n+1)/2]:(v[n/2]+v[n/2+1])/2; p90=v[int(n*0.9+0.5)<1?1:int(n*0.9+0.5)]
			tm=t[1]; for(i=2;i<=n;i++) {} ; printf "%s\t%.1f\t%.1f\t%s\n", k, med, p90, tmed(n) } }
		function tmed(n,   i,j,x,a) { for(i=1;i<=n;i++) a[i]=t[i]; for(i=2;i<=n;i++){x=a[i];j=i-1; while(j>0&&a[j]>x){a[j+1]=a[j];j--} a[j+1]=x} return (n%2)?a[(n+1)/2]:(a[n/2]+a[n/2+1])/2 }
		$1!=k { flush(); k=$1; n=0 } { n++; v[n]=$2; t[n]=$3 } END { flush() }' |
		sort -t$'\t' -k4,4g | awk -F'\t' '{printf "| %s | %.0f | %.0f | %.0f |\n", $1, $2, $3, $4}'
}
kind() { local v="KIND_$(fn "$1")"; echo "${!v:-runtime}"; }

# ---------------------------------------------------------------------------
main() {
	setup
	if [ $LIST = 1 ]; then
		for f in "$HERE"/runtimes.d/*.sh; do
			local n; n=$(basename "$f" .sh)
			printf '%-14s %-8s %s\n' "$n" "$(kind "$n")" "$("avail_$(fn "$n")" >/dev/null 2>&1 && echo ok || "avail_$(fn "$n")")"
		done
		cleanup_cgroups
		exit 0
	fi
	ACTIVE=() SKIPPED=()
	for rt in "${RTS[@]}"; do
		if ! has_fn "run_$(fn "$rt")"; then echo "unknown runtime $rt (no runtimes.d/$rt.sh)" >&2; exit 2; fi
		if "avail_$(fn "$rt")" >/dev/null 2>&1; then ACTIVE+=("$rt"); else SKIPPED+=("$rt"); log "skip $rt: $("avail_$(fn "$rt")" 2>&1)"; fi
	done
	OUT=${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}
	mkdir -p "$OUT/raw"
	cat /proc/loadavg >"$OUT/raw/loadavg-start"
	: >"$OUT/raw/cpu.txt"
	log "runtimes: ${ACTIVE[*]} -> $OUT"
	noise_probe start
	[[ ,$MEASURES, == *,latency,* ]] && measure_latency 0
	[[ ,$MEASURES, == *,userns,* ]] && measure_latency 1
	[[ ,$MEASURES, == *,seq,* ]] && measure_seq
	[[ ,$MEASURES, == *,par,* ]] && measure_par
	[[ ,$MEASURES, == *,mem,* ]] && measure_mem
	[[ ,$MEASURES, == *,split,* ]] && measure_split
	[[ ,$MEASURES, == *,boxsplit,* ]] && measure_boxsplit
	for m in $EXTRA_MEASURES; do [[ ,$MEASURES, == *,$m,* ]] && "measure_$m"; done
	noise_probe end
	for rt in "${ACTIVE[@]}"; do has_fn "clean_$(fn "$rt")" && "clean_$(fn "$rt")"; done
	cleanup_cgroups
	report
	for m in $EXTRA_MEASURES; do "report_$m" >>"$OUT/report.md"; done
}
main
