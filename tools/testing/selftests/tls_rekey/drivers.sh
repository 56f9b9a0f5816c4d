# SPDX-License-Identifier: GPL-2.0
#
# In-tree kTLS drivers against tls_rekey (sourced by vm_tests.sh, which
# provides check/loaded): with tls_rekey installed by
# scripts/install-module.sh and tls.ko present in /lib/modules, every driver
# of config.drivers loads without hardware, its TLS symbols resolve to
# tls_rekey, tls.ko stays unloaded, and unloading works in the orders the
# kernel allows. Needs the lean kernel's module tree ($KDIR/modroot).

TLS_DRIVERS="mlx5_core bonding funeth"
TLS_ABI="tls_get_record tls_encrypt_skb tls_validate_xmit_skb tls_device_sk_destruct tls_offload_tx_resync_request"

# Symbol $1 is defined by module $2 (/proc/kallsyms: "addr t name [module]").
owned_by() { grep -qE " $1	\[$2\]$" /proc/kallsyms; }
# Module $1 uses symbols of tls_rekey.
holds_tls_rekey() { [ -e "/sys/module/tls_rekey/holders/$1" ]; }
modules_dep() { grep "/$1.ko:" "/lib/modules/$KVER/modules.dep"; }

driver_tests() {
	KVER=$(uname -r)
	local tree=$KDIR/modroot/lib/modules/$KVER d s
	if [ ! -d "$tree" ]; then
		result fail "drivers.module_tree_present ($tree)"
		return
	fi
	# A writable copy of the kernel's module tree and of the config folders
	# the installer writes to (the guest root is read-only).
	mount -t tmpfs tmpfs /lib/modules && cp -a "$tree" /lib/modules/ &&
		mount -t tmpfs tmpfs /etc/modprobe.d ||
		{ result fail drivers.setup; return; }
	check drivers.tls_ko_in_module_tree test -f "/lib/modules/$KVER/kernel/net/tls/tls.ko"
	rmmod tls_rekey 2>/dev/null
	check drivers.install /src/scripts/install-module.sh "$MODULE" "$KVER"
	for d in $TLS_DRIVERS; do
		echo "modules.dep: $(modules_dep "$d")"
		check "drivers.depmod_resolves_$d" eval 'modules_dep $d | grep -q "updates/tls_rekey.ko" && ! modules_dep $d | grep -q "net/tls/tls.ko"'
	done
	check drivers.ulp_alias_resolves_to_tls_rekey eval '[ "$(modprobe -R tcp-ulp-tls)" = tls_rekey ]'

	# Order 1: modprobe of a driver pulls tls_rekey in.
	for d in $TLS_DRIVERS; do
		check "drivers.modprobe_$d" modprobe "$d"
		check "drivers.${d}_binds_to_tls_rekey" holds_tls_rekey "$d"
	done
	for s in $TLS_ABI; do
		check "drivers.symbol_${s}_from_tls_rekey" owned_by "$s" tls_rekey
	done
	check drivers.tls_ko_not_loaded eval '! loaded tls'
	check drivers.rmmod_tls_rekey_refused_while_drivers_use_it eval '! rmmod tls_rekey 2>/dev/null && loaded tls_rekey'
	check drivers.insmod_tls_ko_refused eval '! insmod "$TLS_KO" 2>/dev/null && ! loaded tls'
	for d in $TLS_DRIVERS; do
		check "drivers.rmmod_$d" eval 'rmmod "$d" && ! loaded "$d"'
	done
	check drivers.rmmod_tls_rekey_after_drivers eval 'rmmod tls_rekey && ! loaded tls_rekey'
	modprobe -r funcore

	# Order 2: tls_rekey first (by the name "tls"), then the drivers.
	check drivers.modprobe_tls_loads_tls_rekey eval 'modprobe tls && loaded tls_rekey && ! loaded tls'
	for d in $TLS_DRIVERS; do
		check "drivers.modprobe_after_tls_rekey_$d" eval 'modprobe "$d" && holds_tls_rekey "$d"'
	done
	# modprobe -r takes tls_rekey out with the last driver that used it.
	for d in $TLS_DRIVERS; do
		check "drivers.modprobe_r_$d" eval 'modprobe -r "$d" && ! loaded "$d"'
	done
	check drivers.modprobe_r_unloads_tls_rekey_with_last_driver eval '! loaded tls_rekey'

	# The kernel's ULP autoload (request_module("tcp-ulp-tls")) picks tls_rekey.
	check drivers.ulp_autoload_loads_tls_rekey eval 'python3 -c "
import socket
s = socket.create_server((\"127.0.0.1\", 4434))
c = socket.create_connection((\"127.0.0.1\", 4434))
c.setsockopt(socket.SOL_TCP, 31, b\"tls\")
" && loaded tls_rekey && ! loaded tls'
}
