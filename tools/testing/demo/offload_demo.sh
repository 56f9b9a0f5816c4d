#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device offload in the VM (make demo-offload): two network namespaces
# joined by the simulated TLS-offload NIC, one TLS 1.2 and one TLS 1.3
# transfer whose TX tls_rekey puts on the device, checked byte for byte by
# a software kTLS receiver; then the NIC's and the ULP's counters.
set -e
. /src/tools/testing/selftests/tls_rekey/device.sh

insmod "/build/module/$VARIANT/tlsnic/tlsnic.ko"
tnic_pair
for v in 12 13; do
	before=$(tnic_counter tx_records_encrypted)
	transfer "TLS 1.${v#1} AES-GCM-128, 4 MiB" 4194304 $v gcm128
	echo "  records sealed by the device: $(($(tnic_counter tx_records_encrypted) - before)) (256 records sent)"
done
echo "/proc/net/tls_stat of the sender's namespace:"
ip netns exec tna grep -E "Device|TxSw" /proc/net/tls_stat
tnic_unpair
rmmod tlsnic
