/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module's own bindgen run sees (see Kbuild): the few kernel
 * types tls_rekey touches plus its C helpers. Everything else stays opaque.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/splice.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "uapi/tls_rekey.h"

#include "helpers.h"
#include "hmac.h"
#include "rx_queue.h"
#include "device/helpers.h"
#include "device/record.h"
#include "device/driver.h"

/*
 * Macros bindgen cannot evaluate (BIT()), as constants it can read, as the
 * kernel's own rust/bindings/bindings_helper.h does: the flag of an
 * asynchronous RX resync request (include/net/tls.h).
 */
const u64 TLSR_RESYNC_REQ_ASYNC = RESYNC_REQ_ASYNC;

/* The pieces a device TX record can have (tls_record_info's frags). */
const u32 TLSR_MAX_SKB_FRAGS = MAX_SKB_FRAGS;
