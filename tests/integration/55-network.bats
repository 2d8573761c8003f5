#!/usr/bin/env bats
# Networking (issue 16): veth boxes with addresses, NAT and published ports (also on the host's
# own 127.0.0.1), zones, resolv.conf, the guard that keeps boxes off the host's loopback
# services, and clean-up on every path. A peer network namespace plays the outside world (its
# web server, no route back to the boxes' subnets): no traffic leaves the machine.
load helpers

setup_file() {
	ensure_rootfs
	# Names and a subnet of this run's own (10.99.N.0/24: not the machine's uplink).
	local n=$((20 + RANDOM % 200))
	while ip -o addr show 2>/dev/null | grep -q "inet 10\.99\.$n\."; do n=$((20 + RANDOM % 200)); done
	export PEER=blpeer$n PH=blh$n PP=blq$n NET=10.99.$n ZONE=blz$n BR=blbr$n
	# An admin's bridge for Bridge= (here for the whole file: in every test's host snapshot).
	ip link add "$BR" type bridge
	ip link set "$BR" up
	ip netns add "$PEER"
	ip link add "$PH" type veth peer name "$PP" netns "$PEER"
	ip addr add "$NET.1/24" dev "$PH"
	ip link set "$PH" up
	ip -n "$PEER" link set lo up
	ip -n "$PEER" addr add "$NET.2/24" dev "$PP"
	ip -n "$PEER" link set "$PP" up
	mkdir -p "$BATS_FILE_TMPDIR/outside" "$BATS_FILE_TMPDIR/www"
	echo outside-world >"$BATS_FILE_TMPDIR/outside/index.html"
	echo hello-from-the-box >"$BATS_FILE_TMPDIR/www/index.html"
	# busybox httpd without -f goes to the background by itself, in the peer's namespace.
	ip netns exec "$PEER" "$ROOTFS/bin/busybox" httpd -p "$NET.2:80" -h "$BATS_FILE_TMPDIR/outside"
}

teardown_file() {
	local p
	for p in $(ip netns pids "$PEER" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
	ip link del "$PH" 2>/dev/null || true
	ip link del "$BR" 2>/dev/null || true
	ip link del "blif${PEER#blpeer}" 2>/dev/null || true
	ip netns del "blhold${PEER#blpeer}" 2>/dev/null || true
	ip netns del "$PEER" 2>/dev/null || true
}

setup() {
	snapshot_before
	BG=()
}

teardown() {
	local rc=0
	reap_bg "${BG[@]}"
	assert_host_unchanged || rc=1
	return $rc
}

# httpbox NAME NETWORK: a box serving $BATS_FILE_TMPDIR/www with busybox httpd on port 80; the
# lines NETWORK end its [Network] section (and may add sections after it).
httpbox() {
	mkbox "$1" <<EOF
[Exec]
Command = /bin/httpd -f -p 80 -h /www
[Mount www]
Source = $BATS_FILE_TMPDIR/www
Target = /www
Options = ro
[Network]
$2
EOF
}

# webbox NAME PORT [EXTRA]: an httpbox on a veth, published on the host's PORT.
webbox() {
	httpbox "$1" "VirtualEthernet = yes
${3:-}
[Port web]
HostPort = $2
BoxPort = 80"
}

# start_bg FILE: starts a box in the background (killed in teardown) and waits for its state.
start_bg() {
	local name
	name=$(basename "$1" .box)
	"$BOXLAUNCH" "$1" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>&1 3>&- &
	BG+=($!)
	wait_state "$name" running
}

# (busybox wget -T crashes with this busybox: timeouts in boxes use the timeout applet.)
# http URL [NETNS]: the page, or nothing after a few seconds.
http() {
	if [ -n "${2:-}" ]; then
		ip netns exec "$2" curl -sS -m 5 "$1"
	else
		curl -sS -m 5 "$1"
	fi
}

@test "a veth box: host0 with its address and default route, ve-NAME up with the gateway" {
	f=$(mkbox vt1 <<'EOF'
[Exec]
Command = "/bin/sh -c 'ip -4 addr show host0 && ip -6 addr show host0 scope global && ip -6 route show default && ip route && cat /sys/class/net/host0/operstate && sleep 30'"
[Network]
VirtualEthernet = yes
EOF
)
	start_bg "$f"
	wait_for "$BATS_TEST_TMPDIR/vt1.out" '^(up|down|unknown)$'
	cat "$BATS_TEST_TMPDIR/vt1.out"
	# Where the host has IPv6: a ULA /64 of fd77::/16 and a default route through the host end.
	if [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" = 0 ]; then
		grep -qE 'inet6 fd77:[0-9a-f:]+::2/64' "$BATS_TEST_TMPDIR/vt1.out"
		grep -qE '^default via fd77:[0-9a-f:]+::1 dev host0' "$BATS_TEST_TMPDIR/vt1.out"
	fi
	grep -qE 'inet 10\.77\.[0-9]+\.[0-9]+/28' "$BATS_TEST_TMPDIR/vt1.out"
	gw=$(awk '/^default via/ { print $3 }' "$BATS_TEST_TMPDIR/vt1.out")
	[ -n "$gw" ]
	grep -qx up "$BATS_TEST_TMPDIR/vt1.out"
	# The host end: up, with the gateway, and the box reachable from the host.
	ip -br addr show ve-vt1 | grep -q "UP.*$gw/28"
	# One queue each end, asked for at creation (netlink.c: no queue cut under the rtnl lock).
	ip -d link show ve-vt1 | grep -q 'numtxqueues 1 numrxqueues 1 '
	nsenter -t "$(state_key vt1 pid)" -n ip -d link show host0 |
		grep -q 'numtxqueues 1 numrxqueues 1 '
	box=$(awk '/inet / { sub(/\/.*/, "", $2); print $2 }' "$BATS_TEST_TMPDIR/vt1.out")
	"$ROOTFS/bin/busybox" ping -c1 -W5 "$box"
	# status and list --json tell the interface and the address.
	"$BOXLAUNCH" status vt1 | grep -q "^Network:    ve-vt1 $box/28 via $gw"
	"$BOXLAUNCH" list --json | grep -q "\"interface\":\"ve-vt1\",.*\"address\":\"$box/28\""
	"$BOXLAUNCH" stop vt1
}

@test "a published port answers on the host's 127.0.0.1, on its address and from a peer namespace" {
	port=$(free_port)
	f=$(webbox web1 "$port")
	start_bg "$f"
	for _ in $(seq 100); do http "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.1; done
	[ "$(http "http://127.0.0.1:$port/")" = hello-from-the-box ]
	[ "$(http "http://$NET.1:$port/")" = hello-from-the-box ]
	[ "$(http "http://$NET.1:$port/" "$PEER")" = hello-from-the-box ]
	"$BOXLAUNCH" status web1 | grep -qx "Port:       web tcp \*:$port -> 80"
	"$BOXLAUNCH" stop web1
}

@test "Localhost=no: the port answers from outside but not on the host's 127.0.0.1" {
	port=$(free_port)
	f=$(webbox web2 "$port" "Localhost = no")
	start_bg "$f"
	for _ in $(seq 100); do http "http://$NET.1:$port/" "$PEER" >/dev/null 2>&1 && break; sleep 0.1; done
	[ "$(http "http://$NET.1:$port/" "$PEER")" = hello-from-the-box ]
	run http "http://127.0.0.1:$port/"
	[ "$status" -ne 0 ]
	"$BOXLAUNCH" stop web2
}

@test "NAT: a box reaches the peer's web server; without Masquerade= it does not" {
	f=$(mkbox nat1 <<EOF
[Exec]
Command = /bin/timeout 10 /bin/wget -qO- http://$NET.2/
[Network]
VirtualEthernet = yes
EOF
)
	run_box "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = outside-world ]
	f=$(mkbox nat2 <<EOF
[Exec]
Command = /bin/timeout 3 /bin/wget -qO- http://$NET.2/
[Network]
VirtualEthernet = yes
Masquerade = no
EOF
)
	run_box "$f"
	echo "$output"
	[ "$status" -ne 0 ]
}

@test "the hooks anchor: a box with a firewall has table inet boxlaunch (four empty base chains) in its own namespace; one without has none" {
	f=$(mkbox anc1 <<'EOF'
[Exec]
Command = /bin/sleep 30
[Network]
VirtualEthernet = yes
EOF
)
	start_bg "$f"
	ruleset=$(nsenter -t "$(state_key anc1 pid)" -n nft list ruleset)
	echo "$ruleset"
	[ "$(grep -c '^table ' <<<"$ruleset")" -eq 1 ]
	grep -q '^table inet boxlaunch {' <<<"$ruleset"
	for hook in prerouting input output postrouting; do
		grep -q "type filter hook $hook priority filter; policy accept;" <<<"$ruleset"
	done
	# Nothing else in it: the four chains, no rule.
	[ "$(grep -c 'chain ' <<<"$ruleset")" -eq 4 ]
	[ "$(grep -cvE '^[[:space:]]*(table |chain |type |}|$)' <<<"$ruleset")" -eq 0 ]
	"$BOXLAUNCH" stop anc1
	f=$(mkbox anc2 <<'EOF'
[Exec]
Command = /bin/sleep 30
[Network]
VirtualEthernet = yes
Masquerade = no
EOF
)
	start_bg "$f"
	ruleset=$(nsenter -t "$(state_key anc2 pid)" -n nft list ruleset)
	echo "$ruleset"
	[ -z "$ruleset" ]
	"$BOXLAUNCH" stop anc2
}

@test "the box gets the host's reachable nameservers in a read-only resolv.conf; the image is not written" {
	before=$(sha256sum "$ROOTFS/etc/resolv.conf")
	f=$(mkbox dns1 <<'EOF'
[Exec]
Command = "/bin/sh -c 'cat /etc/resolv.conf; echo x >>/etc/resolv.conf && echo WRITABLE; true'"
[Network]
VirtualEthernet = yes
EOF
)
	run_box "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	refute grep -q WRITABLE <<<"$output"
	refute grep -qE '^nameserver (127\.|::1)' <<<"$output"
	# A loopback resolver of the host is replaced by the gateway; other servers are kept.
	for ns in $(awk '/^nameserver/ { print $2 }' /etc/resolv.conf); do
		case $ns in 127.* | ::1) grep -qE '^nameserver 10\.77\.' <<<"$output" ;; *) grep -qx "nameserver $ns" <<<"$output" ;; esac
	done
	[ "$(sha256sum "$ROOTFS/etc/resolv.conf")" = "$before" ]
}

@test "the guard: a box with CAP_NET_ADMIN cannot reach a host service bound to 127.0.0.1" {
	port=$(free_port)
	secret=$(free_port)
	"$ROOTFS/bin/busybox" httpd -f -p "127.0.0.1:$secret" -h "$BATS_FILE_TMPDIR/outside" 3>&- &
	BG+=($!)
	for _ in $(seq 50); do http "http://127.0.0.1:$secret/" >/dev/null 2>&1 && break; sleep 0.1; done
	[ "$(http "http://127.0.0.1:$secret/")" = outside-world ]
	# The research's route: 127.0.0.1 sent to the gateway, with route_localnet on inside (a
	# published port turns it on on the host end).
	cat >"$BATS_TEST_TMPDIR/guard.sh" <<EOF
gw=\$(ip route | awk '/^default/ { print \$3 }')
me=\$(ip -4 addr show host0 | awk '/inet / { sub(/\/.*/, "", \$2); print \$2 }')
sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.host0.route_localnet=1
ip rule add pref 10 to 127.0.0.1 lookup 100
ip rule add pref 100 lookup local
ip rule del pref 0
ip route add 127.0.0.1/32 via \$gw dev host0 src \$me table 100
ip rule
timeout 3 wget -qO- http://127.0.0.1:$secret/ && echo REACHED
true
EOF
	f=$(mkbox guard <<EOF
[Exec]
Command = /bin/sh /t/guard.sh
[Mount t]
Source = $BATS_TEST_TMPDIR
Target = /t
[Capabilities]
Add = CAP_NET_ADMIN
[Network]
VirtualEthernet = yes
[Port web]
HostPort = $port
EOF
)
	run_box "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "lookup 100" <<<"$output" # the route was in place
	refute grep -q REACHED <<<"$output"
	[ "$(cat /proc/sys/net/ipv4/conf/lo/route_localnet)" = 0 ]
}

# A zone under br_netfilter (bridged frames traverse the IP hooks here): the bridge made up,
# both boxes' ports in it, addresses from the zone's /24, one box's web server reached from the
# other (by HTTP and ping), the bridge gone with the last box.
@test "a zone: its bridge is made up, its boxes reach each other, and it goes with the last box" {
	a=$(httpbox za "Zone = $ZONE")
	start_bg "$a"
	ip -br link show "vz-$ZONE" | grep -q UP
	ip -o link show vb-za | grep -q "master vz-$ZONE"
	addr=$("$BOXLAUNCH" status --json za | grep -o '"address":"[^"/]*' | cut -d'"' -f4)
	[[ "$addr" =~ ^10\.77\.(1[2-9][0-9]|2[0-5][0-9])\. ]]
	# Where the host has IPv6, the zone has a ULA /64 too: the box's ::N for its .N.
	addr6= p6=
	if [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" = 0 ]; then
		addr6=$("$BOXLAUNCH" status --json za | grep -o '"address6":"[^"/]*' | cut -d'"' -f4)
		[[ "$addr6" =~ ^fd77:[0-9a-f:]+::[0-9a-f]+$ ]]
		ip -6 addr show "vz-$ZONE" | grep -q "inet6 ${addr6%::*}::1/64"
		p6="ping -c1 -W5 $addr6 && echo PING6-OK; "
	fi
	b=$(mkbox zb <<EOF
[Exec]
Command = "/bin/sh -c 'ip -4 addr show host0; ip -6 addr show host0 scope global; ping -c1 -W5 $addr && echo PING-OK; ${p6}for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -qO- http://$addr/ && exit 0; sleep 0.2; done; exit 1'"
[Network]
Zone = $ZONE
EOF
)
	run_box "$b"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qE "inet ${addr%.*}\.[0-9]+/24" <<<"$output"
	grep -qx PING-OK <<<"$output"
	if [ -n "$addr6" ]; then
		grep -qE "inet6 ${addr6%::*}::[0-9a-f]+/64" <<<"$output"
		grep -qx PING6-OK <<<"$output"
	fi
	grep -qx hello-from-the-box <<<"$output"
	"$BOXLAUNCH" stop za
	for _ in $(seq 100); do ip link show "vz-$ZONE" >/dev/null 2>&1 || break; sleep 0.1; done
	refute ip link show "vz-$ZONE"
}

# Two boxes on a bridge of the admin's (made here), with static addresses: they reach each other.
@test "Bridge=: two boxes on an existing bridge with static addresses reach each other" {
	local br=$BR sub=10.98.${PEER#blpeer}
	a=$(httpbox ba "Bridge = $br
Address = $sub.2/24")
	start_bg "$a"
	ip -o link show vb-ba | grep -q "master $br"
	b=$(mkbox bb <<EOF
[Exec]
Command = "/bin/sh -c 'ip -4 addr show host0; for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -qO- http://$sub.2/ && exit 0; sleep 0.2; done; exit 1'"
[Network]
Bridge = $br
Address = $sub.3/24
EOF
)
	run_box "$b"
	"$BOXLAUNCH" stop ba
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "inet $sub.3/24" <<<"$output"
	grep -qx hello-from-the-box <<<"$output"
}

@test "100 veth boxes in sequence and 20 at once leave no link, table, lease or sysctl change" {
	f=$(mkbox seq <<'EOF'
[Exec]
Command = /bin/true
[Network]
VirtualEthernet = yes
EOF
)
	for i in $(seq 100); do
		run_box "$f"
		[ "$status" -eq 0 ] || { echo "start $i: $output"; return 1; }
	done
	pids=()
	for i in $(seq 20); do
		g=$(mkbox "par$i" <<'EOF'
[Exec]
Command = /bin/sh -c "ip -4 addr show host0 | grep -q 'inet 10.77.'"
[Network]
VirtualEthernet = yes
EOF
)
		"$BOXLAUNCH" "$g" </dev/null >"$BATS_TEST_TMPDIR/par$i.out" 2>&1 3>&- &
		pids+=($!)
	done
	for i in $(seq 20); do
		wait "${pids[$((i - 1))]}" || { echo "box par$i:"; cat "$BATS_TEST_TMPDIR/par$i.out"; return 1; }
	done
	assert_host_unchanged
}

# A veth box NAME ends while something holds its namespace past its end (as the kernel does for
# ~40 ms), stopped (MODE stop) or with its supervisor killed (kill), then starts again: $old is
# the index its link had, $ended what `ip -d link` showed of that link by its old name and by
# vg-INDEX between the runs, $retired the latter after the restart (GONE if deleted), $output and
# $status the new run's.
restart_held() {
	local name=$1 mode=$2 hold=blhold${PEER#blpeer}
	f=$(mkbox "$name" <<'EOF'
[Exec]
Command = "/bin/sh -c 'echo ready; sleep 30'"
[Network]
VirtualEthernet = yes
EOF
)
	start_bg "$f"
	wait_ready "$BATS_TEST_TMPDIR/$name.out"
	ip netns attach "$hold" "$(state_key "$name" pid)"
	# (a name too long for a link gets a shortened one, the full one as altname: ip finds both)
	old=$(ip -j link show dev "ve-$name" | jq -r '.[0].ifindex')
	if [ "$mode" = kill ]; then
		kill -KILL "$(state_key "$name" supervisor)"
	else
		"$BOXLAUNCH" stop "$name"
	fi
	wait_exit "${BG[0]}" 30
	ended="by name: $(ip -d link show "ve-$name" 2>&1) by index: $(ip -d link show "vg-$old" 2>&1)" || true
	g=$(mkbox "$name" <<'EOF'
[Exec]
Command = "/bin/sh -c 'ip -4 addr show host0'"
[Network]
VirtualEthernet = yes
EOF
)
	run_box -v "$g"
	retired=$(ip -d link show "vg-$old") || retired=GONE
	ip netns del "$hold"
	echo "$output"
	echo "between the runs: $ended"
}

@test "a stopped box's link is renamed out of the way at once; the restart finds the name free" {
	restart_held rs1 stop
	[ "$status" -eq 0 ]
	grep -q 'inet 10\.77\.' <<<"$output"
	[[ "$ended" == *'by name: Device "ve-rs1" does not exist.'* ]]
	[[ "$ended" == *"by index: $old: vg-$old@"*"alias boxlaunch:rs1 "* ]]
	# (the restart retired nothing; its own end renames its own link, another index)
	[[ "$output" != *"is now vg-$old"* ]]
	[ "$retired" != GONE ]
}

@test "a long-named box's link gives up its altname at stop, so its restart is not held up" {
	restart_held rs-long-box-name stop
	[ "$status" -eq 0 ]
	grep -q 'inet 10\.77\.' <<<"$output"
	[[ "$ended" == *"by index: $old: vg-$old@"* ]]
	[[ "$ended" != *altname* ]]
	# Had the new link met the altname, the old one would have been deleted (the slow way).
	[ "$retired" != GONE ]
}

@test "a restart meets the link a killed supervisor left (namespace still alive): renamed, not waited for" {
	restart_held rs2 kill
	[ "$status" -eq 0 ]
	grep -q 'inet 10\.77\.' <<<"$output"
	[[ "$ended" == *"by name: $old: ve-rs2@"* ]]
	grep -q "ve-rs2 is now vg-$old" <<<"$output"
	[ "$retired" != GONE ]
}

@test "a SIGKILLed supervisor leaves its link, table and lease; gc removes them all" {
	port=$(free_port)
	f=$(webbox kill1 "$port")
	"$BOXLAUNCH" -d "$f" </dev/null
	wait_state kill1 running
	sup=$(state_key kill1 supervisor)
	kill -KILL "$sup"
	# What the supervisor would have removed is still there.
	ip link show ve-kill1
	nft list table inet boxlaunch-kill1 >/dev/null
	[ -n "$(find "$STATE_DIR/.net/boxes" -type f)" ]
	run "$BOXLAUNCH" gc
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "removed 1 firewall table" <<<"$output"
	assert_host_unchanged
}

@test "a veth box whose image fails before its namespace is reached: the image's error, nothing left" {
	# The set-up child dies at once (no /proc in the image), before the supervisor opens its
	# network namespace: the child's error is the one reported, not the namespace it left.
	img=$BATS_TEST_TMPDIR/noproc
	mkdir -p "$img/bin" "$img/dev" "$img/sys"
	cp "$ROOTFS/bin/busybox" "$img/bin/"
	f=$(mkbox np1 <<EOF
[Box]
Directory = $img
[Exec]
Command = /bin/busybox true
[Network]
VirtualEthernet = yes
EOF
)
	# Which side gets there first varies: ten starts, every one with the image's error.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run_box "$f"
		echo "$output"
		[ "$status" -eq 125 ]
		grep -q 'the image has no directory /proc' <<<"$output"
		refute grep -q 'ns/net' <<<"$output"
	done
	assert_host_unchanged
}

@test "bad network settings fail before anything is made, naming file, line and key" {
	f=$(mkbox bad1 <<'EOF'
[Network]
Bridge = nosuchbridge0
EOF
)
	run_box "$f"
	echo "$output"
	[ "$status" -ne 0 ]
	grep -q "nosuchbridge0" <<<"$output"
	f=$(mkbox bad2 <<'EOF'
[Namespaces]
Network = host
[Port web]
HostPort = 8080
EOF
)
	run_box "$f"
	echo "$output"
	[ "$status" -ne 0 ]
	grep -q "bad2.box:6: \[Port web\]: a published port needs a virtual Ethernet link" <<<"$output"
}

# A virtual link of the test's own to move in: a dummy where the kernel has the dummy driver,
# else an ifb (this machine's kernel has no dummy: "Unknown device type"), said in the output.
mk_movable() {
	if ip link add "$1" type dummy 2>/dev/null; then
		echo "moving a dummy interface"
	else
		echo "no dummy driver in this kernel ($(ip link add "$1" type dummy 2>&1)); moving an ifb instead"
		ip link add "$1" type ifb
	fi
}

@test "Interface=: a host link is moved in (gone from the host meanwhile) and back at the end" {
	local ifc=blif${PEER#blpeer}
	mk_movable "$ifc"
	f=$(mkbox if1 <<EOF
[Exec]
Command = "/bin/sh -c 'ip -o link show $ifc && echo ready && sleep 30'"
[Network]
Interface = $ifc
EOF
)
	start_bg "$f"
	wait_ready "$BATS_TEST_TMPDIR/if1.out"
	cat "$BATS_TEST_TMPDIR/if1.out"
	grep -q ": $ifc[:@]" "$BATS_TEST_TMPDIR/if1.out"
	run ip link show "$ifc"
	[ "$status" -ne 0 ] # not on the host while the box has it
	"$BOXLAUNCH" stop if1
	wait_exit "${BG[0]}" 30
	ip link show "$ifc" # back
	ip link del "$ifc"
}

@test "MACVLAN=: mv-PARENT is made in the box on a host link; IPVLAN= is refused where the kernel has no ipvlan" {
	# The parent: the host end of the peer's veth (a dummy would do where the kernel has one).
	if ! ip link add blmvprobe link "$PH" type macvlan mode bridge 2>"$BATS_TEST_TMPDIR/probe"; then
		echo "this kernel has no macvlan: $(cat "$BATS_TEST_TMPDIR/probe")"
		return 1
	fi
	ip link del blmvprobe
	f=$(mkbox mv1 <<EOF
[Exec]
Command = "/bin/sh -c 'ip -o link show mv-$PH'"
[Network]
MACVLAN = $PH
EOF
)
	run_box "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q ": mv-$PH@" <<<"$output"
	f=$(mkbox iv1 <<EOF
[Exec]
Command = "/bin/sh -c 'ip -o link show iv-$PH'"
[Network]
IPVLAN = $PH
EOF
)
	run_box "$f"
	echo "$output"
	if ip link add blivprobe link "$PH" type ipvlan mode l2 2>/dev/null; then
		ip link del blivprobe
		echo "this kernel has ipvlan: IPVLAN= must work"
		[ "$status" -eq 0 ]
		grep -q ": iv-$PH@" <<<"$output"
	else
		[ "$status" -ne 0 ]
		grep -q "iv1.box:[0-9]*: \[Network\] IPVLAN: this kernel has no ipvlan links" <<<"$output"
	fi
}

# --- a booted Debian 12 machine (the rootfs of 70-boot.bats) -----------------------------------

# deb_running NAME: until `systemctl is-system-running` settles.
deb_running() {
	local st=
	for _ in $(seq 480); do
		st=$("$BOXLAUNCH" exec "$1" -- /bin/systemctl is-system-running 2>/dev/null) || true
		case "$st" in running | degraded) return 0 ;; esac
		sleep 0.5
	done
	echo "is-system-running: $st"
	return 1
}

# deb_net_checks NAME PORT: host0 addressed with a default route before anything in the guest
# configures it, the peer's server reached through NAT, a page served on the published port.
deb_net_checks() {
	run "$BOXLAUNCH" exec "$1" -- /bin/sh -c 'ip -4 addr show host0; ip -4 route; cat /etc/resolv.conf'
	echo "$output"
	grep -qE 'inet 10\.77\.[0-9]+\.[0-9]+/28' <<<"$output"
	grep -qE '^default via 10\.77\.' <<<"$output"
	grep -q '^nameserver ' <<<"$output"
	run "$BOXLAUNCH" exec "$1" -- /usr/local/bin/busybox timeout 10 /usr/local/bin/busybox wget -qO- "http://$NET.2/"
	echo "$output"
	[ "$output" = outside-world ]
	"$BOXLAUNCH" exec "$1" -- /bin/sh -c 'mkdir -p /tmp/w && echo machine-page >/tmp/w/index.html && /usr/local/bin/busybox httpd -p 8080 -h /tmp/w'
	for _ in $(seq 100); do http "http://127.0.0.1:$2/" >/dev/null 2>&1 && break; sleep 0.1; done
	[ "$(http "http://127.0.0.1:$2/")" = machine-page ]
	[ "$(http "http://$NET.1:$2/" "$PEER")" = machine-page ]
}

@test "a booted Debian 12 has its address and route with networkd off and on, reaches the outside and serves its port" {
	[ "${BATS_TEST_TIMEOUT:-0}" -ge 900 ] || BATS_TEST_TIMEOUT=900
	local src=${BOXLAUNCH_TEST_DEBIAN:-/var/tmp/boxlaunch-test/debian}
	mkdir -p "$(dirname "$src")"
	flock "$(dirname "$src")" "$ROOT_DIR/examples/mkrootfs-debian.sh" "$src" >/dev/null 2>&1
	deb=$BATS_TEST_TMPDIR/debian
	cp -a --reflink=auto "$src" "$deb"
	port=$(free_port)
	f=$(mkbox deb55 <<EOF
[Box]
Directory = $deb
[Exec]
Boot = yes
StopTimeout = 60s
[Limits]
TasksMax = 4096
[Mount busybox]
Source = $ROOTFS/bin/busybox
Target = /usr/local/bin/busybox
Options = ro
[Port web]
HostPort = $port
BoxPort = 8080
EOF
)
	# The machine default: a veth with NAT, no Network= needed.
	"$BOXLAUNCH" check --show "$f" | grep -qx 'VirtualEthernet = yes'
	# 1. networkd disabled (debootstrap's default): nothing in the guest configures host0.
	"$BOXLAUNCH" "$f" </dev/null >"$BATS_TEST_TMPDIR/console1" 2>&1 3>&- &
	BG+=($!)
	deb_running deb55
	refute "$BOXLAUNCH" exec deb55 -- /bin/systemctl -q is-active systemd-networkd
	deb_net_checks deb55 "$port"
	"$BOXLAUNCH" stop deb55 --timeout 60
	wait_exit "${BG[0]}" 120
	# 2. networkd enabled: the /run file keeps what boxlaunch configured, also after a
	# reconfigure (research networking.md, case C3).
	ln -sf /lib/systemd/system/systemd-networkd.service \
		"$deb/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
	"$BOXLAUNCH" "$f" </dev/null >"$BATS_TEST_TMPDIR/console2" 2>&1 3>&- &
	BG+=($!)
	deb_running deb55
	"$BOXLAUNCH" exec deb55 -- /bin/systemctl -q is-active systemd-networkd
	"$BOXLAUNCH" exec deb55 -- /bin/networkctl reconfigure host0
	sleep 2
	"$BOXLAUNCH" exec deb55 -- /bin/networkctl status host0 | grep -q 10-boxlaunch-host0.network
	deb_net_checks deb55 "$port"
	"$BOXLAUNCH" stop deb55 --timeout 60
	wait_exit "${BG[1]}" 120
}

@test "NamespacePath= joins a prepared network namespace; boxlaunch makes nothing in it" {
	local ns=bljoin${PEER#blpeer}
	ip netns add "$ns"
	ip -n "$ns" link add bljx type veth peer name bljy
	ip -n "$ns" addr add 10.98.7.1/24 dev bljx
	f=$(mkbox join1 <<EOF
[Exec]
Command = "/bin/sh -c 'ip -o link | cut -d: -f2; ip -o -4 addr show bljx'"
[Namespaces]
User = no
[Network]
NamespacePath = /run/netns/$ns
EOF
)
	run_box "$f"
	ip netns del "$ns"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q ' bljx@bljy' <<<"$output"
	grep -q 'inet 10.98.7.1/24' <<<"$output"
	refute grep -q host0 <<<"$output"
}
