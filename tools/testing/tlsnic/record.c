// SPDX-License-Identifier: GPL-2.0
/* The module's record reader, compiled into the simulated NIC as well. */
#include "../../../rust/device/record.c"
