# tests/bench/exec.sh - sourced by bench.sh: measure `exec` (-m exec).
# shellcheck shell=bash disable=SC2034 # sourced by bench.sh (its helpers and globals)
# One idle box per runtime, started once (not timed): a boxlaunch box (the benchmark's .box
# running a long sleep) and a crun container on the equivalent bundle. Then, in interleaved
# hyperfine rounds (hf_rounds), /bin/true is run inside them:
#   boxlaunch exec NAME -- /bin/true     crun exec ID /bin/true
#   nsenter -t PID -a /bin/true          (the floor: every namespace of the boxlaunch box's
#                                        PID 1, no cgroup join, no seccomp, no capability drop)
# and the same three with a pty (-t; nsenter gets ptyrun's pty): each command runs under
# ptyrun (ptyrun.c: a new pty as controlling terminal and stdio, drained until the command
# exits), so a terminal exists without one on our stdin; ptyrun's own cost is in all three rows
# alike (and alone in the ptyrun-only row). script(1) would do too, but its shell costs 20 ms.
# Raw: raw/exec.tsv (hf_rounds format), raw/commands-exec.tsv.

EXEC_SLEEP=1000000

exec_cleanup() {
	local bl=$1
	[ -n "$bl" ] && $bl stop bb-exec >/dev/null 2>&1
	if avail_crun >/dev/null 2>&1; then
		crun kill bb-exec-crun KILL >/dev/null 2>&1
		for _ in $(seq 50); do crun state bb-exec-crun 2>/dev/null | grep -q '"running"' || break; sleep 0.1; done
		crun delete -f bb-exec-crun >/dev/null 2>&1
	fi
	return 0
}

measure_exec() {
	avail_boxlaunch >/dev/null 2>&1 || { log "exec: no boxlaunch, skipped"; return 0; }
	local bl pid b scr
	bl=$(boxlaunch_bin)
	mkdir -p "$WORK/box"
	boxlaunch_box "$WORK/box/bb-exec.box" sleep 0 "Exec.Command=/bin/sleep $EXEC_SLEEP"
	exec_cleanup "$bl"
	if ! $bl -d -q --name bb-exec "$WORK/box/bb-exec.box" >/dev/null 2>"$OUT/raw/exec.err"; then
		log "exec: the box did not start (raw/exec.err), skipped"
		return 0
	fi
	pid=$($bl status --json bb-exec | jq -r .pid)
	HF_NAMES=(boxlaunch nsenter-a) HF_CMDS=("$bl exec bb-exec -- /bin/true" "nsenter -t $pid -a /bin/true")
	if avail_crun >/dev/null 2>&1; then
		b=$(SLEEP_S=$EXEC_SLEEP oci_bundle crun sleep 0 bb-exec-crun)
		if crun run -d --bundle "$b" bb-exec-crun >/dev/null 2>>"$OUT/raw/exec.err"; then
			HF_NAMES+=(crun) HF_CMDS+=("crun exec bb-exec-crun /bin/true")
		else
			echo "crun: crun run -d failed (raw/exec.err)" >"$OUT/raw/exec.skip"
		fi
	else
		echo "crun: $(avail_crun)" >"$OUT/raw/exec.skip"
	fi
	if [ "$HERE/ptyrun.c" -nt "$WORK/ptyrun" ] && command -v cc >/dev/null; then
		cc -O2 -Wall -o "$WORK/ptyrun" "$HERE/ptyrun.c" || rm -f "$WORK/ptyrun"
	fi
	if [ -x "$WORK/ptyrun" ]; then
		scr=$WORK/ptyrun
		HF_NAMES+=(ptyrun-only boxlaunch-t nsenter-a-t)
		HF_CMDS+=("$scr /bin/true" "$scr $bl exec -t bb-exec -- /bin/true" "$scr nsenter -t $pid -a /bin/true")
		[[ " ${HF_NAMES[*]} " == *" crun "* ]] && HF_NAMES+=(crun-t) HF_CMDS+=("$scr crun exec -t bb-exec-crun /bin/true")
	else
		echo "-t rows: no C compiler for ptyrun.c" >>"$OUT/raw/exec.skip"
	fi
	: >"$OUT/raw/commands-exec.tsv"
	local v
	for v in "${!HF_CMDS[@]}"; do
		# hyperfine -N splits on spaces and keeps quotes: check each command once the same way
		bash -c "${HF_CMDS[v]}" >/dev/null 2>>"$OUT/raw/exec.err" || log "exec: ${HF_NAMES[v]} failed"
		printf '%s\t%s\n' "${HF_NAMES[v]}" "${HF_CMDS[v]}" >>"$OUT/raw/commands-exec.tsv"
	done
	cpu_mark
	hf_rounds exec
	cpu_report; echo "exec $CPU_RES $(foreign_rt)" >>"$OUT/raw/cpu.txt"
	exec_cleanup "$bl"
}

report_exec() {
	[ -s "$OUT/raw/exec.tsv" ] || return 0
	local v n m sd med mn mx b f c
	echo "## h) exec latency: /bin/true in a running box (ms)"
	echo
	echo "Same idle box for boxlaunch and nsenter (the floor: \`nsenter -a\` into its PID 1, no cgroup join, no seccomp, no capability drop); crun on the equivalent bundle (no seccomp). *-t* rows run under \`ptyrun\` (tests/bench/ptyrun.c: a new pty for each, drained; *ptyrun-only* is its own cost)."
	echo
	echo "| command | n | median | mean ± sd | min |"
	echo "|---|---|---|---|---|"
	while IFS=$'\t' read -r v _; do
		read -r n m sd med mn mx <<<"$(awk -F'\t' -v r="$v" '$1==r{print $3}' "$OUT/raw/exec.tsv" | stats)"
		echo "| $v | $n | **$med** | $m ± $sd | $mn |"
	done <"$OUT/raw/commands-exec.tsv"
	echo
	b=$(med_of "$OUT/raw/exec.tsv" boxlaunch) f=$(med_of "$OUT/raw/exec.tsv" nsenter-a) c=$(med_of "$OUT/raw/exec.tsv" crun)
	echo "Ratios (medians): boxlaunch exec / nsenter -a = **$(ratio "$b" "$f")** (target ≤ 1.3), / crun exec = **$(ratio "$b" "$c")** (target ≤ 0.4)."
	b=$(med_of "$OUT/raw/exec.tsv" boxlaunch-t) f=$(med_of "$OUT/raw/exec.tsv" nsenter-a-t) c=$(med_of "$OUT/raw/exec.tsv" crun-t)
	local p; p=$(med_of "$OUT/raw/exec.tsv" ptyrun-only)
	[ -n "$b" ] && echo "With -t: boxlaunch / nsenter -a = **$(ratio "$b" "$f")**, / crun = **$(ratio "$b" "$c")**; without ptyrun's own $p ms: $(ratio "$(awk -v a="$b" -v p="$p" 'BEGIN{print a-p}')" "$(awk -v a="$f" -v p="$p" 'BEGIN{print a-p}')") and $(ratio "$(awk -v a="$b" -v p="$p" 'BEGIN{print a-p}')" "$(awk -v a="$c" -v p="$p" 'BEGIN{print a-p}')")."
	[ -s "$OUT/raw/exec.skip" ] && sed 's/^/- skipped /' "$OUT/raw/exec.skip"
	echo
}
