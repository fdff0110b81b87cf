/* sys_fcntl.c - fcntl(fd, cmd, arg): only a few commands write memory.
 * F_GETLK / F_OFD_GETLK fill the struct flock (32 bytes), F_GETOWN_EX the
 * struct f_owner_ex (8), F_GETOWNER_UIDS two uid_t (8), F_GET_RW_HINT and
 * F_GET_FILE_RW_HINT a u64.  Every command is emulated at replay (the
 * descriptors are the trace's); F_SETLKW and F_OFD_SETLKW may block. */
#include "tracee/syscall_private.h"

enum {
	FC_DUPFD = 0, FC_GETFD = 1, FC_SETFD = 2, FC_GETFL = 3, FC_SETFL = 4,
	FC_GETLK = 5, FC_SETLK = 6, FC_SETLKW = 7, FC_SETOWN = 8,
	FC_GETOWN = 9, FC_SETSIG = 10, FC_GETSIG = 11, FC_SETOWN_EX = 15,
	FC_GETOWN_EX = 16, FC_GETOWNER_UIDS = 17, FC_OFD_GETLK = 36,
	FC_OFD_SETLK = 37, FC_OFD_SETLKW = 38, FC_SETLEASE = 1024,
	FC_GETLEASE = 1025, FC_NOTIFY = 1026, FC_DUPFD_QUERY = 1027,
	FC_CREATED_QUERY = 1028, FC_CANCELLK = 1029,
	FC_DUPFD_CLOEXEC = 1030, FC_SETPIPE_SZ = 1031, FC_GETPIPE_SZ = 1032,
	FC_ADD_SEALS = 1033, FC_GET_SEALS = 1034, FC_GET_RW_HINT = 1035,
	FC_SET_RW_HINT = 1036, FC_GET_FILE_RW_HINT = 1037,
	FC_SET_FILE_RW_HINT = 1038,
};

static uint64_t fcntl_out_size(uint64_t cmd)
{
	switch (cmd & 0xffffffffu) {
	case FC_GETLK:
	case FC_OFD_GETLK:
		return 32;
	case FC_GETOWN_EX:
	case FC_GETOWNER_UIDS:
	case FC_GET_RW_HINT:
	case FC_GET_FILE_RW_HINT:
		return 8;
	default:
		return 0;
	}
}

bool sys_fcntl_known(uint64_t cmd)
{
	switch (cmd & 0xffffffffu) {
	case FC_DUPFD: case FC_GETFD: case FC_SETFD: case FC_GETFL:
	case FC_SETFL: case FC_GETLK: case FC_SETLK: case FC_SETLKW:
	case FC_SETOWN: case FC_GETOWN: case FC_SETSIG: case FC_GETSIG:
	case FC_SETOWN_EX: case FC_GETOWN_EX: case FC_GETOWNER_UIDS:
	case FC_OFD_GETLK: case FC_OFD_SETLK: case FC_OFD_SETLKW:
	case FC_SETLEASE: case FC_GETLEASE: case FC_NOTIFY:
	case FC_DUPFD_QUERY: case FC_CREATED_QUERY: case FC_CANCELLK:
	case FC_DUPFD_CLOEXEC:
	case FC_SETPIPE_SZ: case FC_GETPIPE_SZ: case FC_ADD_SEALS:
	case FC_GET_SEALS: case FC_GET_RW_HINT: case FC_SET_RW_HINT:
	case FC_GET_FILE_RW_HINT: case FC_SET_FILE_RW_HINT:
		return true;
	default:
		return false;
	}
}

int grr_sys_out_fcntl(const struct grr_syscall_call *c, grr_read_mem_fn rd,
		      void *ctx, struct grr_mem_range *out, int max)
{
	struct sys_out o;

	(void)rd;
	(void)ctx;
	sys_out_init(&o, out, max);
	if (c->ret >= 0)
		sys_emit(&o, c->args[2], fcntl_out_size(c->args[1]));
	return sys_out_done(&o);
}
