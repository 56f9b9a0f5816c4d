/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a device TX record's bytes: shared by the module's software
 * fallback and the simulated NIC (tools/testing/tlsnic).
 */
#ifndef _TLS_REKEY_DEVICE_RECORD_H
#define _TLS_REKEY_DEVICE_RECORD_H

#include <linux/types.h>

struct tls_record_info;

unsigned int tlsr_record_copy(const struct tls_record_info *rec, u8 *dst,
			      unsigned int max);

#endif /* _TLS_REKEY_DEVICE_RECORD_H */
