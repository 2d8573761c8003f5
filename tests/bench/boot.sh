# tests/bench/boot.sh - sourced by bench.sh: a Debian 12 machine box to
# shellcheck shell=bash disable=SC2034 # sourced by bench.sh (its helpers and globals)
# `systemctl is-system-running` = running, against `systemd-nspawn -b` on the same tree (-m boot).
# The tree: a copy (made once, in $WORK/debian) of BOXBENCH_DEBIAN, default
# /var/tmp/boxlaunch-test/debian (tests/integration/70-boot.bats makes it), else one made with
# examples/mkrootfs-debian.sh in /var/tmp/boxbench-debian. BOOT_ROUNDS (default 3) rounds, the
# order swapped each round. Each boot is polled every 50 ms: boxlaunch through
# `boxlaunch exec NAME -- /bin/systemctl is-system-running`, nspawn through
# `nsenter -t PID -a` into its systemd; then the machine is powered off (timed as well).
# Raw: raw/boot.tsv (runtime round ms-to-running final-state ms-to-exit).

BOOT_ROUNDS=${BOOT_ROUNDS:-3}
BOOT_MAX_S=${BOOT_MAX_S:-120}

boot_tree() {
	local src=${BOXBENCH_DEBIAN:-/var/tmp/boxlaunch-test/debian}
	if [ ! -x "$src/lib/systemd/systemd" ]; then
		src=/var/tmp/boxbench-debian
		if [ ! -x "$src/lib/systemd/systemd" ]; then
			log "boot: building a Debian 12 tree in $src (debootstrap)"
			"$HERE/../../examples/mkrootfs-debian.sh" "$src" >"$OUT/raw/boot-mkrootfs.log" 2>&1 || return 1
		fi
	fi
	if [ ! -f "$WORK/debian/.stamp" ]; then
		rm -rf "$WORK/debian"
		cp -a --reflink=auto "$src" "$WORK/debian" || return 1
		touch "$WORK/debian/.stamp"
	fi
}

# boot_poll MS-FILE STATE-FILE CMD...: poll CMD until it prints running/degraded (or time out)
boot_poll() {
	local out=$1 stf=$2 t0=$3 st="" end
	shift 3
	end=$((t0 + BOOT_MAX_S * 1000000000))
	while [ "$(now_ns)" -lt "$end" ]; do
		st=$("$@" 2>/dev/null) || true
		case "$st" in running | degraded) break ;; esac
		sleep 0.05
	done
	echo "$((($(now_ns) - t0) / 1000))e-3" >"$out"
	echo "${st:-none}" >"$stf"
}

boot_boxlaunch() { # ROUND
	local bl t0 t1 pid
	bl=$(boxlaunch_bin)
	t0=$(now_ns)
	$bl -q --name bb-boot "$WORK/box/bb-boot.box" </dev/null >"$OUT/raw/boot-boxlaunch-$1.console" 2>&1 &
	pid=$!
	for _ in $(seq 200); do $bl status bb-boot >/dev/null 2>&1 && break; sleep 0.01; done
	boot_poll "$OUT/raw/.boot-ms" "$OUT/raw/.boot-st" "$t0" $bl exec bb-boot -- /bin/systemctl is-system-running
	t1=$(now_ns)
	$bl stop bb-boot >/dev/null 2>&1
	wait "$pid"
	printf 'boxlaunch\t%s\t%s\t%s\t%s\n' "$1" "$(cat "$OUT/raw/.boot-ms")" "$(cat "$OUT/raw/.boot-st")" \
		"$((($(now_ns) - t1) / 1000))e-3" >>"$OUT/raw/boot.tsv"
}

boot_nspawn() { # ROUND
	local t0 t1 pid init=""
	t0=$(now_ns)
	systemd-nspawn -q -b --register=no --keep-unit -M bb-boot -D "$WORK/debian" --private-network \
		--link-journal=no --console=pipe </dev/null >"$OUT/raw/boot-nspawn-$1.console" 2>&1 &
	pid=$!
	for _ in $(seq 500); do
		init=$(cat /proc/$pid/task/*/children 2>/dev/null | awk '{print $1; exit}')
		[ -n "$init" ] && [ "$(cat /proc/$init/comm 2>/dev/null)" = systemd ] && break
		sleep 0.01
	done
	boot_poll "$OUT/raw/.boot-ms" "$OUT/raw/.boot-st" "$t0" nsenter -t "$init" -a /bin/systemctl is-system-running
	t1=$(now_ns)
	kill -RTMIN+4 "$init" 2>/dev/null # systemd: poweroff
	wait "$pid"
	printf 'nspawn\t%s\t%s\t%s\t%s\n' "$1" "$(cat "$OUT/raw/.boot-ms")" "$(cat "$OUT/raw/.boot-st")" \
		"$((($(now_ns) - t1) / 1000))e-3" >>"$OUT/raw/boot.tsv"
}

measure_boot() {
	avail_boxlaunch >/dev/null 2>&1 || { log "boot: no boxlaunch, skipped"; return 0; }
	: >"$OUT/raw/boot.tsv"
	boot_tree || { echo "no Debian tree (raw/boot-mkrootfs.log)" >"$OUT/raw/boot.skip"; return 0; }
	mkdir -p "$WORK/box"
	printf '[Box]\nDirectory = %s\n[Exec]\nBoot = yes\nStopTimeout = 60s\n[Namespaces]\nNetwork = private\n[Limits]\nTasksMax = 4096\n' \
		"$WORK/debian" >"$WORK/box/bb-boot.box"
	local k have_nspawn=1
	avail_nspawn >/dev/null 2>&1 || { have_nspawn=0; echo "nspawn: $(avail_nspawn)" >"$OUT/raw/boot.skip"; }
	for ((k = 0; k < BOOT_ROUNDS; k++)); do
		wait_quiet "boot-r$k"
		log "boot round $((k + 1))/$BOOT_ROUNDS"
		if [ $((k % 2)) = 0 ]; then
			boot_boxlaunch "$k"; [ $have_nspawn = 1 ] && boot_nspawn "$k"
		else
			[ $have_nspawn = 1 ] && boot_nspawn "$k"; boot_boxlaunch "$k"
		fi
	done
	rm -f "$OUT/raw/.boot-ms" "$OUT/raw/.boot-st"
}

report_boot() {
	[ -s "$OUT/raw/boot.tsv" ] || { [ -s "$OUT/raw/boot.skip" ] && echo "- boot skipped: $(cat "$OUT/raw/boot.skip")"; return 0; }
	local rt b s
	echo "## j) machine boot: Debian 12 to \`systemctl is-system-running\` = running (s)"
	echo
	echo "Same tree ($WORK/debian), private network for both; polled every 50 ms (boxlaunch through \`boxlaunch exec\`, nspawn through \`nsenter -a\`)."
	echo
	echo "| runtime | rounds | median to running (s) | all (s) | final states | power-off to exit (s, median) |"
	echo "|---|---|---|---|---|---|"
	for rt in boxlaunch nspawn; do
		awk -F'\t' -v r="$rt" '$1==r' "$OUT/raw/boot.tsv" | grep -q . || continue
		echo "| $rt | $(awk -F'\t' -v r="$rt" '$1==r' "$OUT/raw/boot.tsv" | wc -l) | **$(awk -F'\t' -v r="$rt" '$1==r{print $3/1000}' "$OUT/raw/boot.tsv" | stats | awk '{print $4}')** | $(awk -F'\t' -v r="$rt" '$1==r{printf "%.2f ", $3/1000}' "$OUT/raw/boot.tsv") | $(awk -F'\t' -v r="$rt" '$1==r{print $4}' "$OUT/raw/boot.tsv" | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}') | $(awk -F'\t' -v r="$rt" '$1==r{print $5/1000}' "$OUT/raw/boot.tsv" | stats | awk '{print $4}') |"
	done
	echo
	b=$(med_of "$OUT/raw/boot.tsv" boxlaunch) s=$(med_of "$OUT/raw/boot.tsv" nspawn)
	echo "Ratio (medians): boxlaunch / nspawn = **$(ratio "$b" "$s")** (target ≤ 1)."
	echo
}
