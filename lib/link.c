/* SPDX-License-Identifier: MIT */
/* Placeholder: being written. */
#include "timesync.h"
