#!/bin/sh
# install.sh - set up boxlaunch on a Debian-like machine, as root. Idempotent.
#   1. installs every build, run and test dependency with apt-get,
#   2. builds and installs boxlaunch, its man pages, units and examples (PREFIX=/usr/local),
#   3. makes the example root filesystem /var/lib/machines/hello from the host's busybox-static.
# Options: --no-deps (skip apt-get), --prefix DIR.
set -eu

PREFIX=/usr/local
DEPS=yes
while [ $# -gt 0 ]; do
	case $1 in
	--no-deps) DEPS=no ;;
	--prefix) PREFIX=${2:?--prefix needs a directory}; shift ;;
	-h | --help) sed -n '2,7p' "$0"; exit 0 ;;
	*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run me as root (boxlaunch creates namespaces, mounts and cgroups)"
command -v apt-get >/dev/null 2>&1 && [ -r /etc/debian_version ] ||
	die "this is not a Debian-like system (no apt-get or /etc/debian_version); install the packages listed in install.sh by hand and run 'make install'"

cd "$(dirname "$0")"

# Build: compiler, the mandated libraries, pkg-config. Tests: cmocka, bats, clang (libFuzzer,
# sanitizers), clang-format. Run: busybox-static for the example root filesystem, iproute2,
# util-linux, xz-utils and zstd (distribution tarballs). Tests also use tmux and python3 (pty and
# sd_notify listeners). Machine boxes and the benchmark: debootstrap, systemd (systemd-analyze),
# jq, hyperfine. musl-tools builds the tiny static stub init. Networking: libnl-3-dev (netlink,
# linked statically; boxlaunch also builds its nftables tables with it), nftables (nft(8): for
# looking at the boxes' tables, and for the tests' assertions). The OCI
# runtime's client tests (85-oci-clients.bats): podman, conmon and containerd (ctr), which pull
# runc and crun.
PACKAGES="build-essential pkg-config libiniparser-dev libseccomp-dev libcap-dev libapparmor-dev
libmount-dev libcmocka-dev bats clang clang-format libclang-rt-14-dev musl-tools busybox-static
iproute2 util-linux procps psmisc debootstrap systemd jq hyperfine bsdextrautils groff-base python3
man-db tmux xz-utils zstd libnl-3-dev nftables libjson-c-dev podman conmon containerd curl
systemd-container"

if [ "$DEPS" = yes ]; then
	missing=
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		say "installing:$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	else
		say "all packages present"
	fi
fi

say "building"
make -s PREFIX="$PREFIX"
make -s install PREFIX="$PREFIX"
say "installed $PREFIX/bin/boxlaunch, man pages, units and examples in $PREFIX/share/boxlaunch"

sh examples/mkrootfs-busybox.sh /var/lib/machines/hello
say "example root filesystem ready in /var/lib/machines/hello"
