// SPDX-License-Identifier: GPL-2.0
/* The module's AEAD helpers, compiled into the simulated NIC as well. */
#include "../../../rust/aead.c"
