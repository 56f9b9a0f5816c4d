#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device offload in the VM (make demo-offload): two network namespaces
# joined by the simulated TLS-offload NIC, one TLS 1.2 and one TLS 1.3
# transfer with both ends on the device (the sender's NIC seals the
# records, the receiver's opens them), checked byte for byte by the
# receiver; then the NIC's and the ULP's counters.
set -e
. /src/tools/testing/selftests/tls_rekey/device.sh

insmod "/build/module/$VARIANT/tlsnic/tlsnic.ko"
tnic_pair
for v in 12 13; do
	sealed=$(tnic_counter tx_records_encrypted)
	opened=$(tnic_counter rx_records_decrypted)
	transfer "TLS 1.${v#1} AES-GCM-128, 4 MiB" 4194304 $v gcm128
	echo "  records sealed by the sender's device: $(($(tnic_counter tx_records_encrypted) - sealed)) (256 records sent)"
	echo "  records opened by the receiver's device: $(($(tnic_counter rx_records_decrypted) - opened))"
done
echo "/proc/net/tls_stat of the sender's namespace:"
ip netns exec tna grep -E "Device|TxSw" /proc/net/tls_stat
echo "/proc/net/tls_stat of the receiver's namespace:"
ip netns exec tnb grep -E "Device|RxSw|DecryptError" /proc/net/tls_stat
tnic_unpair
rmmod tlsnic
