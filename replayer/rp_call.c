/* rp_call.c - calling a Go function inside a disposable copy of the
 * replay (a grr_replay_fork), through the runtime's own debugger-call
 * protocol, runtime.debugCallV2 (Go >= 1.17; see its comment in the Go
 * runtime's asm_amd64.s), as Delve's client does:
 *
 *   push the thread's pc, write the argument frame size at SP-16, jump to
 *   debugCallV2; it checks that the goroutine is at a safe point and traps
 *   (int3) with a code in R12:
 *     0   frame ready: the debugger sets the argument registers and stack
 *         arguments, pushes the trapping pc, jumps to the function
 *     1   the function returned: results are in registers (and at SP)
 *     2   the function panicked: the panic value (an interface) is at SP
 *     8   refused: the reason (a Go string) is at SP
 *     16  done: the debugger would restore the registers
 *
 * Only the calling thread runs; the copy's other threads stay stopped.
 * Its syscalls are filtered (call_syscall below): memory management, time
 * and futexes run for real inside the copy; writes to the program's
 * stdout/stderr are captured and shown; everything that would reach the
 * outside world is refused with EPERM.  The copy is discarded by the
 * caller afterwards, so nothing of the call remains in the replay. */
#include "replayer/rp_private.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define R12_READY     0
#define R12_RETURNED  1
#define R12_PANICKED  2
#define R12_REFUSED   8
#define R12_RESTORE   16

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits for TID's next stop until DEADLINE: 0, 1 on timeout, -1 error. */
static int wait_until(pid_t tid, double deadline, struct grr_stop *st)
{
	for (;;) {
		int status;
		pid_t p = waitpid(tid, &status, __WALL | WNOHANG);
		if (p == tid) {
			grr_stop_decode(status, st);
			return 0;
		}
		if (p < 0 && errno != EINTR)
			return -1;
		if (now_sec() > deadline)
			return 1;
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
}

/* What a syscall made by the called function does: run (1), or return
 * *RET without running (0). */
static int call_syscall(struct grr_replay *rp, pid_t tid, const struct grr_sysinfo *si,
			struct grr_call_result *res, int64_t *ret)
{
	uint64_t nr = si->entry.nr;
	const uint64_t *a = si->entry.args;
	switch (nr) {
	case SYS_mmap: case SYS_munmap: case SYS_madvise: case SYS_mprotect:
	case SYS_futex: case SYS_clock_gettime: case SYS_gettimeofday: case SYS_nanosleep:
	case SYS_sched_yield: case SYS_rt_sigprocmask: case SYS_sigaltstack:
	case SYS_rt_sigaction: case SYS_getpid: case SYS_gettid: case SYS_getrandom:
	case SYS_sched_getaffinity: case SYS_clock_nanosleep: case SYS_rt_sigreturn:
	case SYS_exit_group: case SYS_exit:
		return 1;
	case SYS_tgkill: case SYS_tkill:
		*ret = 0;  /* preemption signals between threads: not needed */
		return 0;
	case SYS_write:
		if (a[0] == 1 || a[0] == 2) {
			size_t n = a[2] < 65536 ? a[2] : 65536;
			size_t room = sizeof(res->output) - 1 - res->noutput;
			size_t keep = n < room ? n : room;
			if (keep && grr_mem_read(&rp->mem, a[1], res->output + res->noutput, keep) == 0)
				res->noutput += keep;
			res->output[res->noutput] = 0;
			*ret = (int64_t)n;
			return 0;
		}
		break;
	default:
		break;
	}
	(void)tid;
	if (!res->refused_nr)
		res->refused_nr = (int)nr;
	*ret = -EPERM;
	return 0;
}

/* Skips the syscall at TID's entry stop, making it return RET. */
static int fake_syscall(pid_t tid, int64_t ret, double deadline)
{
	struct user_regs_struct regs;
	struct grr_stop st;
	if (grr_task_getregs(tid, &regs) < 0)
		return -1;
	regs.orig_rax = (uint64_t)-1;
	if (grr_task_setregs(tid, &regs) < 0 || grr_task_resume_syscall(tid, 0) < 0 ||
	    wait_until(tid, deadline, &st) != 0 || grr_task_getregs(tid, &regs) < 0)
		return -1;
	regs.rax = (uint64_t)ret;
	return grr_task_setregs(tid, &regs);
}

/* Sets the argument registers and the function's stack arguments at the
 * R12=0 trap, pushes the trapping pc and jumps to the function. */
static int start_function(struct grr_replay *rp, pid_t tid, const struct grr_call_request *req)
{
	struct user_regs_struct regs;
	struct user_fpregs_struct fp;
	if (grr_task_getregs(tid, &regs) < 0 || grr_task_getfpregs(tid, &fp) < 0)
		return -1;
	if (req->stack_len && grr_mem_write(&rp->mem, regs.rsp, req->stack, req->stack_len) < 0)
		return -1;
	uint64_t *ints[9] = { (uint64_t *)&regs.rax, (uint64_t *)&regs.rbx, (uint64_t *)&regs.rcx,
			      (uint64_t *)&regs.rdi, (uint64_t *)&regs.rsi, (uint64_t *)&regs.r8,
			      (uint64_t *)&regs.r9, (uint64_t *)&regs.r10, (uint64_t *)&regs.r11 };
	for (int i = 0; i < req->nint && i < 9; i++)
		*ints[i] = req->ints[i];
	for (int i = 0; i < req->nfloat && i < 15; i++)
		memcpy((uint8_t *)fp.xmm_space + 16 * i, &req->floats[i], 8);
	regs.rsp -= 8;
	if (grr_mem_write(&rp->mem, regs.rsp, &regs.rip, 8) < 0)
		return -1;
	regs.rip = req->fn;
	regs.rdx = req->closure;
	if (grr_task_setfpregs(tid, &fp) < 0 || grr_task_setregs(tid, &regs) < 0)
		return -1;
	return 0;
}

/* Reads a Go string header at ADDR into BUF. */
static void read_gostring(struct grr_replay *rp, uint64_t addr, char *buf, size_t len)
{
	uint64_t hdr[2];
	buf[0] = 0;
	if (grr_mem_read(&rp->mem, addr, hdr, sizeof(hdr)) < 0)
		return;
	size_t n = hdr[1] < len - 1 ? hdr[1] : len - 1;
	if (grr_mem_read(&rp->mem, hdr[0], buf, n) == 0)
		buf[n] = 0;
}

/* Puts the session's breakpoints into the copy (int3), keeping the bytes
 * they cover in RES. */
static int insert_breaks(struct grr_replay *rp, const struct grr_call_request *req,
			 struct grr_call_result *res)
{
	static const uint8_t int3 = 0xcc;
	for (int i = 0; i < req->nbreaks; i++)
		if (grr_mem_read(&rp->mem, req->breaks[i], &res->break_orig[i], 1) < 0 ||
		    grr_mem_write(&rp->mem, req->breaks[i], &int3, 1) < 0)
			return -1;
	return 0;
}

/* The index of the breakpoint whose int3 TID just executed, or -1. */
static int break_hit(pid_t tid, const struct grr_call_request *req)
{
	struct user_regs_struct regs;
	if (grr_task_getregs(tid, &regs) < 0)
		return -1;
	for (int i = 0; i < req->nbreaks; i++)
		if (regs.rip - 1 == req->breaks[i])
			return i;
	return -1;
}

/* Stops the call at breakpoint I: the thread back on its address. */
static int stop_at_break(pid_t tid, const struct grr_call_request *req, int i,
			 struct grr_call_result *res)
{
	struct user_regs_struct regs;
	if (grr_task_getregs(tid, &regs) < 0)
		return -1;
	regs.rip = req->breaks[i];
	res->how = GRR_CALL_STOPPED;
	res->stop_pc = req->breaks[i];
	return grr_task_setregs(tid, &regs);
}

/* At an int3 of the protocol: 1 to go on, 0 when the call is over. */
static int protocol_trap(struct grr_replay *rp, pid_t tid, const struct grr_call_request *req,
			 struct grr_call_result *res)
{
	struct user_regs_struct regs;
	if (grr_task_getregs(tid, &regs) < 0)
		return -1;
	switch (regs.r12) {
	case R12_READY:
		return start_function(rp, tid, req) < 0 ? -1 : 1;
	case R12_RETURNED: {
		uint64_t ints[9] = { regs.rax, regs.rbx, regs.rcx, regs.rdi, regs.rsi,
				     regs.r8, regs.r9, regs.r10, regs.r11 };
		struct user_fpregs_struct fp;
		memcpy(res->ints, ints, sizeof(ints));
		if (grr_task_getfpregs(tid, &fp) == 0)
			for (int i = 0; i < 15; i++)
				memcpy(&res->floats[i], (uint8_t *)fp.xmm_space + 16 * i, 8);
		res->stack_at = regs.rsp;
		res->how = GRR_CALL_RETURNED;
		return 0;
	}
	case R12_PANICKED:
		res->how = GRR_CALL_PANICKED;
		grr_mem_read(&rp->mem, regs.rsp, res->panic, sizeof(res->panic));
		return 0;
	case R12_REFUSED:
		res->how = GRR_CALL_REFUSED;
		read_gostring(rp, regs.rsp, res->reason, sizeof(res->reason));
		return 0;
	default:
		res->how = GRR_CALL_FAILED;
		snprintf(res->reason, sizeof(res->reason),
			 "unexpected trap at pc 0x%llx (R12 %llu, not a protocol code)",
			 (unsigned long long)regs.rip, (unsigned long long)regs.r12);
		return 0;
	}
}

/* Runs the call until the protocol says it is over, a timeout, or the
 * thread dies. */
static int run_call(struct grr_replay *rp, pid_t tid, const struct grr_call_request *req,
		    struct grr_call_result *res)
{
	double deadline = now_sec() + (req->timeout > 0 ? req->timeout : 5.0);
	int sig = 0;
	for (;;) {
		struct grr_stop st;
		if (grr_task_resume_syscall(tid, sig) < 0)
			return -1;
		sig = 0;
		int w = wait_until(tid, deadline, &st);
		if (w < 0)
			return -1;
		if (w == 1) {
			res->how = GRR_CALL_TIMEOUT;
			snprintf(res->reason, sizeof(res->reason),
				 "the call did not return within %.1f s (blocked?)", req->timeout);
			return 0;
		}
		if (st.kind == GRR_STOP_EXITED || st.kind == GRR_STOP_KILLED) {
			res->how = GRR_CALL_FAILED;
			snprintf(res->reason, sizeof(res->reason), "the program died during the call%s",
				 res->refused_nr == SYS_clone || res->refused_nr == SYS_clone3
					 ? " (the runtime wanted a new thread, which calls cannot start)"
					 : "");
			return 0;
		}
		if (st.kind == GRR_STOP_SYSCALL) {
			struct grr_sysinfo si;
			int64_t ret;
			if (grr_task_sysinfo(tid, &si) < 0)
				return -1;
			if (si.op != GRR_SYSINFO_ENTRY)
				continue;
			if (call_syscall(rp, tid, &si, res, &ret) == 0 && fake_syscall(tid, ret, deadline) < 0)
				return -1;
			continue;
		}
		if (st.kind == GRR_STOP_SIGNAL && st.sig == SIGTRAP) {
			int b = break_hit(tid, req);
			if (b >= 0)
				return stop_at_break(tid, req, b, res);
			int r = protocol_trap(rp, tid, req, res);
			if (r <= 0)
				return r;
			continue;
		}
		if (st.kind == GRR_STOP_SIGNAL)
			sig = st.sig;  /* a fault in the callee: the runtime's to handle */
	}
}

int grr_replay_debug_call(struct grr_replay *rp, uint32_t rec_tid, const struct grr_call_request *req,
			  struct grr_call_result *res)
{
	memset(res, 0, sizeof(*res));
	struct rp_thread *t = rp_thread_by_rec(rp, rec_tid);
	if (!t || t->park != RP_STOPPED) {
		res->how = GRR_CALL_REFUSED;
		snprintf(res->reason, sizeof(res->reason), "the thread is not stopped in Go code");
		return 0;
	}
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return -1;
	if (req->data_len && (!rp->stub_mapped ||
			      grr_mem_write(&rp->mem, GRR_CALL_DATA_ADDR, req->data, req->data_len) < 0))
		return -1;
	/* push the pc, the argument frame size below it, and enter the protocol */
	uint64_t sp = regs.rsp - 8;
	if (grr_mem_write(&rp->mem, sp, &regs.rip, 8) < 0 ||
	    grr_mem_write(&rp->mem, sp - 16, &req->frame_size, 8) < 0)
		return -1;
	regs.rsp = sp;
	regs.rip = req->debug_call;
	regs.orig_rax = (uint64_t)-1;
	/* the syscall buffer's records waiting there are the recording's,
	 * not the call's: its syscalls go through the filter below */
	if (rp->sb.active && grr_sysbuf_drop_records(&rp->mem) < 0)
		return -1;
	if (grr_task_setregs(t->tid, &regs) < 0 || insert_breaks(rp, req, res) < 0)
		return -1;
	return run_call(rp, t->tid, req, res);
}

int grr_replay_debug_call_resume(struct grr_replay *rp, uint32_t rec_tid,
				 const struct grr_call_request *req, struct grr_call_result *res)
{
	struct rp_thread *t = rp_thread_by_rec(rp, rec_tid);
	int i = 0;
	while (i < req->nbreaks && req->breaks[i] != res->stop_pc)
		i++;
	if (!t || res->how != GRR_CALL_STOPPED || i == req->nbreaks)
		return -1;
	/* step over the breakpoint's instruction with its own byte back */
	static const uint8_t int3 = 0xcc;
	struct grr_stop st;
	if (grr_mem_write(&rp->mem, res->stop_pc, &res->break_orig[i], 1) < 0 ||
	    grr_task_singlestep(t->tid, 0) < 0 ||
	    wait_until(t->tid, now_sec() + (req->timeout > 0 ? req->timeout : 5.0), &st) != 0 ||
	    grr_mem_write(&rp->mem, res->stop_pc, &int3, 1) < 0)
		return -1;
	if (st.kind == GRR_STOP_EXITED || st.kind == GRR_STOP_KILLED) {
		res->how = GRR_CALL_FAILED;
		snprintf(res->reason, sizeof(res->reason), "the program died during the call");
		return 0;
	}
	res->how = GRR_CALL_RETURNED;
	res->stop_pc = 0;
	return run_call(rp, t->tid, req, res);
}
