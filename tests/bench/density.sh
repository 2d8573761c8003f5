# tests/bench/density.sh - sourced by bench.sh: many idle boxes on one machine (-m density).
# shellcheck shell=bash disable=SC2034 # sourced by bench.sh (its helpers and globals)
#   -N N   boxes (default 1000)
# N detached boxes (the benchmark's .box, payload a long sleep) are started one after another,
# each start timed; then, with all N running: host memory (MemAvailable, Slab, Percpu,
# PageTables, KernelStack deltas from /proc/meminfo, per box), the PSS of each supervisor, stub
# init and payload (smaps_rollup), what each box's memory cgroup charged, `list` and
# `list --json` times; then `stop` of every box one after another, timed, and what is left
# (state files, cgroups, processes). The boxes live in a runtime directory of their own
# (BOXLAUNCH_RUNTIME_DIR=/run/boxbench-density) and under $CG_PARENT/density.
# Kernel split: a second, smaller group (DENSITY_ABL_N, default N/5, at least 50) is started
# three times: as above, with Network=host, and without a memory limit (the memory cgroup stays:
# boxlaunch makes one for every box, for its OOM report and stats): the MemAvailable differences
# per box are the network namespace's and the memory limit's costs.
# crun + conmon as podman runs them: DENSITY_PODMAN_N containers (default min(N, 100); podman
# starts take ~0.2 s each) with `podman run -d --rootfs`, when podman is installed.
# Raw: raw/density-*.

DENSITY_N=${DENSITY_N:-1000}
DENSITY_RUNDIR=/run/boxbench-density
DENSITY_SLEEP=1000000

meminfo_kb() { awk -v k="$1:" '$1==k{print $2}' /proc/meminfo; }
# density_snap FILE: the meminfo fields we compare, one "key kB" a line
density_snap() {
	sleep 2 # let RCU-freed objects and per-cpu caches settle (no sync: it waits for others' I/O)
	awk '$1 ~ /^(MemAvailable|MemFree|Slab|SReclaimable|SUnreclaim|Percpu|PageTables|KernelStack|Shmem):$/ {sub(":", "", $1); print $1, $2}' /proc/meminfo >"$1"
	awk 'NR>2{print $1, $3*$4}' /proc/slabinfo 2>/dev/null | sort >"$1.slab"
}
snap_delta() { # BEFORE AFTER KEY N -> delta per box in KiB (after - before; MemAvailable: before - after)
	awk -v k="$3" -v n="$4" 'FNR==NR{a[$1]=$2; next} $1==k{d=$2-a[$1]; if (k=="MemAvailable"||k=="MemFree") d=-d; printf "%.0f", d/n}' "$1" "$2"
}

# density_box FILE EXTRA: the benchmark's .box with a long sleep, under $CG_PARENT/density
density_box() {
	boxlaunch_box "$1" sleep 0 "Exec.Command=/bin/sleep $DENSITY_SLEEP
Limits.Parent=$CG_PARENT/density${2:+
$2}"
}

# density_start BOX PREFIX N TIMES-FILE: start N boxes PREFIX-1..N, one start time (ms) a line
density_start() {
	local bl=$BL box=$1 p=$2 n=$3 i t0 t1 fail=0
	: >"$4"
	for ((i = 1; i <= n; i++)); do
		t0=${EPOCHREALTIME/./} # µs, no fork (now_ns's date would add its own start to each)
		BOXLAUNCH_RUNTIME_DIR=$DENSITY_RUNDIR $bl -d -q --name "$p-$i" "$box" >/dev/null 2>>"$OUT/raw/density.err" || fail=$((fail + 1))
		t1=${EPOCHREALTIME/./}
		echo "$((t1 - t0))e-3" >>"$4"
	done
	[ $fail = 0 ] || log "density: $fail of $n starts failed (raw/density.err)"
}

# density_stop PREFIX N: `stop --all` (each group is alone in $DENSITY_RUNDIR): every box is
# signalled first, then all are waited for; one after another with a boxlaunch without --all
density_stop() {
	local i
	if $BL stop --help 2>/dev/null | grep -q -- --all; then
		BOXLAUNCH_RUNTIME_DIR=$DENSITY_RUNDIR $BL stop --all >/dev/null 2>>"$OUT/raw/density.err"
		echo all >"$OUT/raw/density-stop-how"
		return
	fi
	for ((i = 1; i <= $2; i++)); do BOXLAUNCH_RUNTIME_DIR=$DENSITY_RUNDIR $BL stop "$1-$i" >/dev/null 2>>"$OUT/raw/density.err"; done
	echo one >"$OUT/raw/density-stop-how"
}

density_leftovers() { # -> "state=N cgroups=N procs=N"
	local st cg pr
	st=$(find "$DENSITY_RUNDIR" -mindepth 1 2>/dev/null | wc -l)
	cg=$(find /sys/fs/cgroup/*/"$CG_PARENT"/density /sys/fs/cgroup/unified/"$CG_PARENT"/density -mindepth 1 -type d 2>/dev/null | wc -l)
	pr=$(ps -eo args= | grep -c "[b]oxlaunch.*bb-dens\|^/bin/sleep $DENSITY_SLEEP")
	echo "state=$st cgroups=$cg procs=$pr"
}

measure_density() {
	avail_boxlaunch >/dev/null 2>&1 || { log "density: no boxlaunch, skipped"; return 0; }
	BL=$(boxlaunch_bin)
	local n=$DENSITY_N box=$WORK/box/bb-density.box d=$OUT/raw t0 t1 abl
	mkdir -p "$WORK/box" "$DENSITY_RUNDIR"
	density_box "$box"
	: >"$d/density.err"
	if [ -n "$(find "$DENSITY_RUNDIR" -mindepth 1 2>/dev/null)" ]; then
		log "density: $DENSITY_RUNDIR is not empty (a previous run's boxes?), skipped"
		return 0
	fi
	wait_quiet density
	cpu_mark
	density_snap "$d/density-mem-before"
	log "density: starting $n boxes"
	density_start "$box" bb-dens "$n" "$d/density-start.txt"
	density_snap "$d/density-mem-after"
	# per-process PSS of what runs: supervisor, PID 1 (stub init), the payload (PID 1's child)
	BOXLAUNCH_RUNTIME_DIR=$DENSITY_RUNDIR $BL list --json >"$d/density-list.json" 2>>"$d/density.err"
	jq -r '.[] | "\(.supervisor) \(.pid) \(.cgroup)"' "$d/density-list.json" | while read -r s p cg; do
		c=$(cat "/proc/$p/task/$p/children" 2>/dev/null | awk '{print $1}')
		printf '%s %s %s %s %s\n' "$(kb /proc/$s/smaps_rollup Pss)" "$(kb /proc/$p/smaps_rollup Pss)" \
			"$(kb /proc/${c:-0}/smaps_rollup Pss)" "$(cat /sys/fs/cgroup/memory/"$cg"/memory.usage_in_bytes 2>/dev/null || echo 0)" \
			"$(kb /proc/$s/status VmRSS)"
	done >"$d/density-pss.txt"
	log "density: list / list --json with $n boxes"
	hyperfine -N -w 2 -r 10 --style none --export-json "$d/density-list-hf.json" \
		-n list "env BOXLAUNCH_RUNTIME_DIR=$DENSITY_RUNDIR $BL list" \
		-n list-json "env BOXLAUNCH_RUNTIME_DIR=$DENSITY_RUNDIR $BL list --json" >/dev/null 2>>"$d/hyperfine.err"
	log "density: stopping $n boxes"
	t0=$(now_ns)
	density_stop bb-dens "$n"
	t1=$(now_ns)
	echo "$(((t1 - t0) / 1000000))" >"$d/density-stop-ms"
	sleep 1
	density_leftovers >"$d/density-leftovers"
	cpu_report; echo "density $CPU_RES $(foreign_rt)" >>"$d/cpu.txt"

	# kernel split: full / Network=host / no memory limit, M boxes each
	abl=${DENSITY_ABL_N:-$((n / 5 < 50 ? 50 : n / 5))}
	echo "$abl" >"$d/density-abl-n"
	density_box "$WORK/box/bb-density-hostnet.box" "Namespaces.Network=host"
	density_box "$WORK/box/bb-density-nomem.box" "Limits.MemoryMax=-"
	local v
	for v in full hostnet nomem; do
		local f=$box
		[ $v != full ] && f=$WORK/box/bb-density-$v.box
		log "density: kernel split, $abl boxes ($v)"
		density_snap "$d/density-abl-$v-before"
		density_start "$f" "bb-dens-$v" "$abl" "$d/density-abl-$v-start.txt"
		density_snap "$d/density-abl-$v-after"
		density_stop "bb-dens-$v" "$abl"
	done
	density_leftovers >>"$d/density-leftovers"
	measure_density_podman
}

# crun + conmon, as podman runs them (podman's own state and storage are not per container)
measure_density_podman() {
	local d=$OUT/raw n=${DENSITY_PODMAN_N:-$((DENSITY_N < 100 ? DENSITY_N : 100))} i t0 t1
	if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
		echo "podman/conmon not installed" >"$d/density-podman.skip"; return 0
	fi
	[ "$n" -gt 0 ] || { echo "DENSITY_PODMAN_N=0" >"$d/density-podman.skip"; return 0; }
	log "density: podman (crun + conmon), $n containers"
	# shellcheck disable=SC2054 # the capability list is one argument
	local pa=(--runtime crun --cgroup-manager cgroupfs --network none --read-only --cap-drop all
		--cap-add AUDIT_WRITE,KILL,NET_BIND_SERVICE --security-opt no-new-privileges
		--memory "$MEM_LIMIT" --pids-limit "$PIDS_LIMIT" --cgroup-parent "/$CG_PARENT/podman"
		--log-driver none
		--ulimit nofile=1024:1024 --ulimit nproc=4096:4096 # podman raises both; no CAP_SYS_RESOURCE here
		--rootfs "$ROOTFS") # last: its path is the first positional, and options after it go to the command
	if ! podman run -d --name bb-pod-probe "${pa[@]}" /bin/sleep 1 >/dev/null 2>"$d/density-podman.err"; then
		echo "podman run failed: $(head -c 300 "$d/density-podman.err")" >"$d/density-podman.skip"
		podman rm -f bb-pod-probe >/dev/null 2>&1; return 0
	fi
	podman rm -f bb-pod-probe >/dev/null 2>&1
	density_snap "$d/density-podman-before"
	: >"$d/density-podman-start.txt"
	for ((i = 1; i <= n; i++)); do
		t0=${EPOCHREALTIME/./}
		podman run -d --name "bb-pod-$i" "${pa[@]}" /bin/sleep "$DENSITY_SLEEP" >/dev/null 2>>"$d/density-podman.err"
		t1=${EPOCHREALTIME/./}
		echo "$((t1 - t0))e-3" >>"$d/density-podman-start.txt"
	done
	density_snap "$d/density-podman-after"
	for c in $(pgrep -x conmon); do
		grep -qa bb-pod- "/proc/$c/cmdline" 2>/dev/null || continue
		echo "$(kb /proc/$c/smaps_rollup Pss) $(kb /proc/$c/status VmRSS)"
	done >"$d/density-podman-conmon.txt"
	t0=$(now_ns)
	podman ps -a --format json >/dev/null 2>&1
	t1=$(now_ns)
	echo "$(((t1 - t0) / 1000000))" >"$d/density-podman-ps-ms"
	t0=$(now_ns)
	for ((i = 1; i <= n; i++)); do podman rm -f -t 1 "bb-pod-$i" >/dev/null 2>>"$d/density-podman.err"; done
	t1=$(now_ns)
	echo "$(((t1 - t0) / 1000000))" >"$d/density-podman-stop-ms"
	echo "$n" >"$d/density-podman-n"
}

# first/last: the median of the first and of the last 10 starts (single starts are noisy)
density_firstlast() { # FILE -> "first last first10 last10"
	awk '{v[NR]=$1} END{n=NR; k=(n<10)?n:10
		for(i=1;i<=k;i++) a[i]=v[i]; for(i=1;i<=k;i++) b[i]=v[n-k+i]
		printf "%.2f %.2f %.2f %.2f\n", v[1], v[n], med(a,k), med(b,k)}
		function med(x,k,  i,j,t){for(i=2;i<=k;i++){t=x[i];j=i-1;while(j>0&&x[j]>t){x[j+1]=x[j];j--}x[j+1]=t} return (k%2)?x[(k+1)/2]:(x[k/2]+x[k/2+1])/2}' "$1"
}

# the medians of the first and the last tenth of the starts (at least 10 each): ten single
# starts on a shared machine vary by more than what N changes
density_tenth() { # FILE -> "first last"
	sort_med() { sort -g | awk '{v[NR]=$1} END{print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}'; }
	local n k
	n=$(wc -l <"$1")
	k=$((n / 10 < 10 ? (n < 10 ? n : 10) : n / 10))
	printf '%.2f %.2f\n' "$(head -n "$k" "$1" | sort_med)" "$(tail -n "$k" "$1" | sort_med)"
}

report_density() {
	local d=$OUT/raw n f l f10 l10 ma sl pc pt ks ps si pl mc vr abl lj lp
	[ -s "$d/density-start.txt" ] || return 0
	n=$(wc -l <"$d/density-start.txt")
	read -r f l f10 l10 <<<"$(density_firstlast "$d/density-start.txt")"
	echo "## i) density: $n idle boxes, started one after another"
	echo
	ma=$(snap_delta "$d/density-mem-before" "$d/density-mem-after" MemAvailable "$n")
	sl=$(snap_delta "$d/density-mem-before" "$d/density-mem-after" Slab "$n")
	pc=$(snap_delta "$d/density-mem-before" "$d/density-mem-after" Percpu "$n")
	pt=$(snap_delta "$d/density-mem-before" "$d/density-mem-after" PageTables "$n")
	ks=$(snap_delta "$d/density-mem-before" "$d/density-mem-after" KernelStack "$n")
	read -r ps si pl mc vr <<<"$(awk '{a+=$1; b+=$2; c+=$3; m+=$4; r+=$5} END{n=NR?NR:1; printf "%.0f %.0f %.0f %.0f %.0f", a/n, b/n, c/n, m/n/1024, r/n}' "$d/density-pss.txt")"
	lp=$(jq -r '.results[] | select(.command=="list") | .median*1000' "$d/density-list-hf.json" 2>/dev/null | xargs printf '%.1f' 2>/dev/null)
	lj=$(jq -r '.results[] | select(.command=="list-json") | .median*1000' "$d/density-list-hf.json" 2>/dev/null | xargs printf '%.1f' 2>/dev/null)
	echo "| measure | boxlaunch | target |"
	echo "|---|---|---|"
	echo "| start, first / last (ms) | $f / $l | |"
	local fp lp10
	read -r fp lp10 <<<"$(density_tenth "$d/density-start.txt")"
	echo "| start, median of the first 10 / last 10 (ms) | $f10 / $l10 ($(ratio "$l10" "$f10")×) | |"
	echo "| start, median of the first / last tenth (ms) | $fp / $lp10 (**$(ratio "$lp10" "$fp")×**) | last ≤ 1.25× first |"
	echo "| start, median of all (ms) | $(stats <"$d/density-start.txt" | awk '{print $4}') | |"
	echo "| host memory per box: MemAvailable delta (KiB) | **$ma** | ≤ 768 |"
	echo "| of which Slab / Percpu / PageTables / KernelStack (KiB per box) | $sl / $pc / $pt / $ks | |"
	echo "| PSS per box: supervisor / stub init / payload (sleep) (KiB) | $ps / $si / $pl | |"
	echo "| supervisor VmRSS (KiB) | $vr | |"
	echo "| charged to each box's memory cgroup (KiB) | $mc | |"
	echo "| \`list\` / \`list --json\` with $n boxes (ms, median of 10) | $lp / **$lj** | list --json ≤ 50 |"
	if [ "$(cat "$d/density-stop-how" 2>/dev/null)" = all ]; then
		echo "| stop all, \`stop --all\` (ms) | **$(cat "$d/density-stop-ms")** | ≤ 5000 |"
	else
		echo "| stop all, one after another (ms) | **$(cat "$d/density-stop-ms")** | ≤ 5000 |"
	fi
	echo "| left after | $(head -1 "$d/density-leftovers") | nothing |"
	echo
	[ -s "$d/density-mem-after.slab" ] && echo "Largest slab caches, KiB per box: $(join "$d/density-mem-before.slab" "$d/density-mem-after.slab" |
		awk -v n="$n" '{printf "%s %.1f\n", $1, ($3-$2)/n/1024}' | sort -k2 -gr | head -8 | awk '{printf "%s %s; ", $1, $2}')" && echo
	if [ -s "$d/density-abl-n" ]; then
		abl=$(cat "$d/density-abl-n")
		local full hn nm
		full=$(snap_delta "$d/density-abl-full-before" "$d/density-abl-full-after" MemAvailable "$abl")
		hn=$(snap_delta "$d/density-abl-hostnet-before" "$d/density-abl-hostnet-after" MemAvailable "$abl")
		nm=$(snap_delta "$d/density-abl-nomem-before" "$d/density-abl-nomem-after" MemAvailable "$abl")
		echo "Split of the host memory per box (KiB; kernel parts from $abl-box groups started as the full box, with Network=host and without a memory limit): supervisor $ps, stub init $si, payload $pl (PSS); network namespace ≈ $((full - hn)); the memory limit ≈ $((full - nm)); the rest (mount, pid, uts, ipc, cgroup namespaces, pids/devices cgroups, page tables, kernel stacks, state file) ≈ $((full - (full - hn) - (full - nm) - ps - si - pl)); MemAvailable per box in these groups: full $full, Network=host $hn, no memory limit $nm. Left after: $(tail -1 "$d/density-leftovers")."
		echo
	fi
	if [ -s "$d/density-podman-n" ]; then
		local pn pf pls pf10 pl10 pma cp cr
		pn=$(cat "$d/density-podman-n")
		read -r pf pls pf10 pl10 <<<"$(density_firstlast "$d/density-podman-start.txt")"
		pma=$(snap_delta "$d/density-podman-before" "$d/density-podman-after" MemAvailable "$pn")
		read -r cp cr <<<"$(awk '{a+=$1; b+=$2} END{n=NR?NR:1; printf "%.0f %.0f", a/n, b/n}' "$d/density-podman-conmon.txt")"
		echo "crun + conmon as podman runs them ($pn containers, \`podman run -d --rootfs\`, same limits, --network none): start first 10 / last 10 median $pf10 / $pl10 ms; MemAvailable per container $pma KiB; conmon PSS $cp KiB, VmRSS $cr KiB each; \`podman ps -a --format json\` $(cat "$d/density-podman-ps-ms") ms; \`podman rm -f\` of all $(cat "$d/density-podman-stop-ms") ms."
		echo
	elif [ -s "$d/density-podman.skip" ]; then
		echo "- podman row skipped: $(cat "$d/density-podman.skip")"
		echo
	fi
}
