# nspawn-veth: the nspawn row with --network-veth instead of --private-network. Without a host
# systemd-networkd (none here) nspawn leaves both ends down and unaddressed and adds no NAT:
# it does less than boxlaunch-veth.
KIND_nspawn_veth=runtime
avail_nspawn_veth() { avail_nspawn; }
run_nspawn_veth() { run_nspawn "$@" | sed 's/--private-network/--network-veth/'; }
clean_nspawn_veth() { clean_nspawn "$@"; }
notes_nspawn_veth() { echo "- **nspawn-veth**: as nspawn, with \`--network-veth\` (ve-ID, host0): the veth is made but, without networkd on the host, neither end is brought up or addressed, and there is no NAT."; }
