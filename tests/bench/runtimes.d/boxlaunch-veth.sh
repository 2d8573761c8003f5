# boxlaunch-veth: the boxlaunch row with a virtual Ethernet link and NAT ([Network]
# VirtualEthernet = yes, Masquerade = yes by default): ve-ID on the host, host0 addressed with
# a default route in the box, a lease, the box's nftables table; all undone at exit (the veth
# goes with the box's network namespace). Uses boxlaunch.sh's box writer.
KIND_boxlaunch_veth=runtime

avail_boxlaunch_veth() { avail_boxlaunch; }

prep_boxlaunch_veth() {
	mkdir -p "$WORK/box"
	boxlaunch_box "$WORK/box/$3-$1-u$2-veth.box" "$1" "$2" "Network.VirtualEthernet=yes"
}

run_boxlaunch_veth() {
	echo "$(boxlaunch_bin) --console=pipe -q --name $3 $WORK/box/$3-$1-u$2-veth.box"
}

clean_boxlaunch_veth() { rmdir /run/boxlaunch 2>/dev/null; :; }

notes_boxlaunch_veth() {
	echo "- **boxlaunch-veth**: the boxlaunch row plus \`[Network] VirtualEthernet = yes\`: a veth made with its box end straight in the box's namespace (rtnetlink), addresses and a default route on both ends, an IPAM lease file, and one nftables table (guard + masquerade) loaded as one nf_tables netlink transaction; at exit the table is deleted and the lease released, the veth goes with the namespace."
}
