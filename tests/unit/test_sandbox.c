/* test_sandbox.c - the replay sandbox (tracee/sandbox.h): what its filter
 * lets into the kernel, that it covers every call replay executes, and,
 * installed in a real process, that a forbidden call kills the process
 * before it does anything. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/run_suite.h"
#include "tracee/remote.h"
#include "tracee/sandbox.h"
#include "tracee/spawn.h"
#include "tracee/syscalls.h"
#include "tracee/task.h"

static enum grr_sandbox_verdict verdict(uint32_t nr, uint64_t a0, uint64_t a3, uint64_t ip)
{
	uint64_t a[6] = { a0, 0, 0, a3, 0, 0 };
	return grr_sandbox_verdict(nr, a, ip);
}

#define GO_THREAD 0x50f00ull       /* CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM */
#define GLIBC_THREAD 0x3d0f00ull   /* ... |SETTLS|PARENT_SETTID|CHILD_CLEARTID */

START_TEST(test_verdicts)
{
	ck_assert_int_gt(grr_sandbox_length(), 0);
	uint64_t site = GRR_SANDBOX_FORK_SITE + 2;
	/* allowed */
	ck_assert_int_eq(verdict(SYS_mmap, 0, MAP_PRIVATE | MAP_ANONYMOUS, 0), GRR_SANDBOX_ALLOW);
	ck_assert_int_eq(verdict(SYS_mprotect, 0, 0, 0), GRR_SANDBOX_ALLOW);
	ck_assert_int_eq(verdict(SYS_clone, GO_THREAD, 0, 0), GRR_SANDBOX_ALLOW);
	ck_assert_int_eq(verdict(SYS_clone, GLIBC_THREAD, 0, 0), GRR_SANDBOX_ALLOW);
	ck_assert_int_eq(verdict(SYS_clone, GRR_SANDBOX_FORK_FLAGS, 0, site), GRR_SANDBOX_ALLOW);
	ck_assert_int_eq(verdict(SYS_clone3, 0, 0, 0), GRR_SANDBOX_TRACE);
	ck_assert_int_eq(verdict(SYS_arch_prctl, 0x1002, 0, 0), GRR_SANDBOX_ALLOW);
	ck_assert_int_eq(verdict(SYS_prctl, 65 /* PR_SET_MDWE */, 0, 0), GRR_SANDBOX_ALLOW);
	ck_assert_int_eq(verdict(0xffffffffu, 0, 0, 0), GRR_SANDBOX_ALLOW);
	uint32_t calls[] = { SYS_futex, SYS_clock_gettime, SYS_gettimeofday, SYS_nanosleep,
			     SYS_sched_yield, SYS_rt_sigprocmask, SYS_sigaltstack, SYS_rt_sigaction,
			     SYS_getpid, SYS_gettid, SYS_getrandom, SYS_sched_getaffinity,
			     SYS_clock_nanosleep, SYS_rt_sigreturn, SYS_exit_group, SYS_exit,
			     SYS_munmap, SYS_madvise, SYS_userfaultfd, SYS_close };
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		ck_assert_msg(verdict(calls[i], 0, 0, 0) == GRR_SANDBOX_ALLOW, "%s refused",
			      grr_syscall_name(calls[i]));
	/* killed */
	uint32_t never[] = { SYS_open, SYS_openat, SYS_openat2, SYS_creat, SYS_connect,
			     SYS_socket, SYS_bind, SYS_sendto, SYS_execve, SYS_execveat,
			     SYS_kill, SYS_tkill, SYS_tgkill, SYS_ptrace, SYS_read, SYS_write,
			     SYS_fork, SYS_vfork, SYS_unlink, SYS_mkdir, SYS_rename,
			     SYS_process_vm_writev, SYS_pidfd_send_signal, SYS_seccomp,
			     SYS_setuid, SYS_ioctl, SYS_io_uring_setup, 500, 0x40000001u };
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		ck_assert_msg(verdict(never[i], 0, 0, 0) == GRR_SANDBOX_KILL, "%s allowed",
			      grr_syscall_name(never[i]));
	ck_assert_int_eq(verdict(SYS_mmap, 0, MAP_PRIVATE, 0), GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_mmap, 0, MAP_SHARED, 0), GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_clone, 0x1200011 /* a fork */, 0, 0), GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_clone, 0x4111 /* vfork */, 0, 0), GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_clone, GO_THREAD | 0x800000 /* UNTRACED */, 0, 0),
			 GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_clone, GO_THREAD | 0x10000000 /* NEWUSER */, 0, 0),
			 GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_clone, 0x10000 /* THREAD alone */, 0, 0), GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_clone, GRR_SANDBOX_FORK_FLAGS, 0, 0x401002), GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_clone, GRR_SANDBOX_FORK_FLAGS, 0, site + (1ull << 32)),
			 GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_clone, 0x1200011, 0, site), GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_prctl, 15 /* PR_SET_NAME */, 0, 0), GRR_SANDBOX_KILL);
	ck_assert_int_eq(verdict(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, 0, 0), GRR_SANDBOX_KILL);
	ck_assert(grr_sandbox_thread_flags(GO_THREAD));
	ck_assert(!grr_sandbox_thread_flags(0x11));
}
END_TEST

/* Every call the syscall table has replay execute gets into the kernel:
 * the sandbox covers the policy (with the arguments that make it
 * EXECUTE where the policy depends on them). */
START_TEST(test_covers_execute_policy)
{
	for (uint32_t nr = 0; nr < GRR_MAX_SYSCALL; nr++) {
		struct grr_syscall_call c = { .nr = nr };
		if (nr == SYS_mmap)
			c.args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
		if (grr_syscall_policy(&c) != GRR_REPLAY_EXECUTE)
			continue;
		ck_assert_msg(grr_sandbox_verdict(nr, c.args, 0) == GRR_SANDBOX_ALLOW,
			      "%s: the table executes it, the sandbox refuses it", grr_syscall_name(nr));
	}
	for (uint64_t code = 0x1000; code < 0x6000; code++) {
		struct grr_syscall_call c = { .nr = SYS_arch_prctl, .args = { code } };
		enum grr_sandbox_verdict v = grr_sandbox_verdict(SYS_arch_prctl, c.args, 0);
		ck_assert_msg((grr_syscall_policy(&c) == GRR_REPLAY_EXECUTE) == (v == GRR_SANDBOX_ALLOW),
			      "arch_prctl 0x%llx: table and sandbox disagree", (unsigned long long)code);
	}
	for (uint64_t opt = 0; opt < 100; opt++) {
		struct grr_syscall_call c = { .nr = SYS_prctl, .args = { opt } };
		enum grr_sandbox_verdict v = grr_sandbox_verdict(SYS_prctl, c.args, 0);
		ck_assert_msg((grr_syscall_policy(&c) == GRR_REPLAY_EXECUTE) == (v == GRR_SANDBOX_ALLOW),
			      "prctl %llu: table and sandbox disagree", (unsigned long long)opt);
	}
}
END_TEST

/* A process at its exec stop, with the sandbox installed. */
static pid_t confined(struct grr_mem *m)
{
	char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
	struct grr_spawn_opts so = { .path = "/bin/true", .argv = argv, .envp = envp,
				     .stdio_devnull = true, .isolate = true };
	pid_t pid;
	char err[256];
	const char *why = "";
	ck_assert_msg(grr_spawn(&so, &pid, err, sizeof(err)) == 0, "spawn: %s", err);
	ck_assert_int_eq(grr_mem_open(m, pid), 0);
	ck_assert_msg(grr_sandbox_install(m, pid, &why) == 0, "install: %s", why);
	return pid;
}

/* Lets PID (stopped) go on to its end; its wait status. */
static int reap(pid_t pid)
{
	int status = 0;
	for (;;) {
		ptrace(PTRACE_CONT, pid, 0, 0);
		if (waitpid(pid, &status, __WALL) < 0)
			return -1;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return status;
	}
}

START_TEST(test_kernel_kills)
{
	struct grr_mem m;
	pid_t pid = confined(&m);
	/* allowed calls run */
	uint64_t none[6] = { 0 };
	int64_t ret = 0;
	ck_assert_int_eq(grr_remote_syscall(&m, pid, SYS_getpid, none, &ret), 0);
	ck_assert_int_eq(ret, pid);
	uint64_t mm[6] = { 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0 };
	ck_assert_int_eq(grr_remote_syscall(&m, pid, SYS_mmap, mm, &ret), 0);
	ck_assert_int_gt(ret, 0);
	/* a forbidden one ends the process before it does anything */
	char path[64];
	snprintf(path, sizeof(path), "/tmp/grr-test-sandbox-%d", (int)getpid());
	unlink(path);
	struct user_regs_struct regs;
	ck_assert_int_eq(grr_task_getregs(pid, &regs), 0);
	uint64_t at = (regs.rsp - 4096) & ~15ull;
	ck_assert_int_eq(grr_mem_write(&m, at, path, strlen(path) + 1), 0);
	uint64_t op[6] = { (uint64_t)AT_FDCWD, at, O_CREAT | O_WRONLY, 0644, 0, 0 };
	/* (the kernel skips the call, reports its exit with the registers
	 * rolled back, and the SIGSYS that follows ends the process) */
	grr_remote_syscall(&m, pid, SYS_openat, op, &ret);
	int status = reap(pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status 0x%x", status);
	ck_assert_int_ne(access(path, F_OK), 0);
	grr_mem_close(&m);
}
END_TEST

START_TEST(test_kernel_kills_fork)
{
	struct grr_mem m;
	pid_t pid = confined(&m);
	/* a fork from anywhere but grr's site */
	uint64_t a[6] = { GRR_SANDBOX_FORK_FLAGS, 0, 0, 0, 0, 0 };
	int64_t ret = 0;
	grr_remote_syscall(&m, pid, SYS_clone, a, &ret);
	ck_assert_int_eq(ret, SYS_clone);   /* (rolled back: no child) */
	int status = reap(pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "status 0x%x", status);
	grr_mem_close(&m);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_verdicts, test_covers_execute_policy, test_kernel_kills,
				       test_kernel_kills_fork };
	return run_tests("sandbox", tests, sizeof(tests) / sizeof(tests[0]));
}
