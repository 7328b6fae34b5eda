/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "timesync.h"
#include "timesync_proto.h"

const char *ts_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case TS_EOF:
		return "the other end closed the connection";
	case TS_ENOTFIFO:
		return "exists but is not a FIFO (named pipe)";
	case TS_EPROTO:
		return "the other end broke the protocol";
	case TS_EDANGLING:
		return "is a symbolic link to nothing";
	case TS_EVERSION:
		return "the other end speaks another protocol version";
	case TS_EGOODBYE:
		return "the other end said goodbye";
	default:
		return err < 0 ? strerror(-err) : "unknown error";
	}
}
