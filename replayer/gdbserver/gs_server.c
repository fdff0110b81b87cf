/* gs_server.c - `grr replay --dbgport=PORT TRACE`: opens the replay,
 * listens on 127.0.0.1:PORT, prints rr's launch line on stderr (Delve
 * reads the port and the executable from it), serves one client until it
 * kills, detaches or goes away.  A second client is refused: the
 * listening socket is closed once the first one is in. */
#include "replayer/gdbserver/gs_private.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/trace.h"

/* How long a client has to connect after rr's launch line before the
 * legacy one is printed too. */
#define LEGACY_DELAY_MS 1500

static bool is_trace_file(const char *path)
{
	char magic[8];
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
		  memcmp(magic, "GRRTRACE", 8) == 0;
	fclose(f);
	return ok;
}

int gs_trace_in(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: no such trace", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(out, outlen, "%s", path);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "%s: cannot read the directory", path);
		return -1;
	}
	int found = 0;
	char cand[PATH_MAX];
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "latest-trace") == 0)
			continue;
		snprintf(cand, sizeof(cand), "%s/%s", path, e->d_name);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && is_trace_file(cand) &&
		    found++ == 0)
			snprintf(out, outlen, "%s", cand);
	}
	closedir(d);
	if (found != 1) {
		snprintf(err, errlen, "%s: a trace directory holds one grr trace (found %d)", path,
			 found);
		return -1;
	}
	return 0;
}

/* The recorded auxiliary vector, from the trace's header. */
static int load_auxv(struct gs *s, char *err, size_t errlen)
{
	struct grr_error e;
	struct grr_reader *r = grr_reader_open(s->trace, &e);
	if (!r) {
		snprintf(err, errlen, "%.400s: cannot read the trace's header", s->trace);
		return -1;
	}
	const struct grr_header *h = grr_reader_header(r);
	s->auxv_len = (size_t)h->nauxv * 16;
	s->auxv = malloc(s->auxv_len + 16);
	if (s->auxv) {
		for (uint32_t i = 0; i < h->nauxv; i++) {
			memcpy(s->auxv + 16 * i, &h->auxv[i].key, 8);
			memcpy(s->auxv + 16 * i + 8, &h->auxv[i].val, 8);
		}
	}
	grr_reader_close(r);
	return s->auxv ? 0 : -1;
}

static int open_session(struct gs *s, const struct gs_opts *o, char *err, size_t errlen)
{
	if (gs_trace_in(o->trace, s->trace, sizeof(s->trace), err, errlen) < 0)
		return -1;
	struct grr_ctl_opts co = { .quiet = o->quiet, .out = stdout, .err = stderr,
				   .own_hit_counts = true };
	s->ctl = grr_ctl_open(s->trace, &co, err, errlen);
	if (!s->ctl)
		return -1;
	/* the client sets its own breakpoints: none of control's */
	grr_ctl_clear(s->ctl, GRR_CTL_UNRECOVERED_PANIC);
	grr_ctl_clear(s->ctl, GRR_CTL_FATAL_THROW);
	s->pid = grr_ctl_current_tid(s->ctl);
	if (o->onprocess && o->onprocess != s->pid) {
		snprintf(err, errlen, "--onprocess=%u: the trace records one process, %u",
			 o->onprocess, s->pid);
		return -1;
	}
	const char *exe = grr_replay_program(grr_ctl_replay(s->ctl));
	if (!realpath(exe, s->exe))
		snprintf(s->exe, sizeof(s->exe), "%s", exe);
	if (load_auxv(s, err, errlen) < 0)
		return -1;
	s->last.tid = s->pid;
	s->last.sig = 5;
	return 0;
}

static int listen_on(int port, int *actual, char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		snprintf(err, errlen, "cannot listen on 127.0.0.1:%d: %m", port);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*actual = ntohs(a.sin_port);
	return fd;
}

/* rr's launch line, exactly: each argument quoted and followed by a blank. */
static void print_launch(const struct gs *s, int port)
{
	fprintf(stderr, "Launch debugger with\n  'gdb' '-l' '10000' '-ex' 'set sysroot /' "
		"'-ex' 'target extended-remote 127.0.0.1:%d' '%s' \n", port, s->exe);
	fflush(stderr);
}

/* The line rr printed before 5.6, which Delve before 1.21 looks for. */
static void print_legacy_launch(const struct gs *s, int port)
{
	fprintf(stderr, "Launch gdb with\n  gdb '-l' '10000' '-ex' 'set sysroot /' "
		"'-ex' 'target extended-remote 127.0.0.1:%d' %s\n", port, s->exe);
	fflush(stderr);
}

/* Whether a client connects to LFD within MS milliseconds. */
static bool connects_soon(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	return poll(&p, 1, ms) > 0;
}

/* Waits for the client.  A Delve that connects within a moment read rr's
 * line; an older one (Delve 1.20) waits for the legacy line, printed
 * then. */
static int accept_client(const struct gs *s, int lfd, int port)
{
	print_launch(s, port);
	if (!connects_soon(lfd, LEGACY_DELAY_MS))
		print_legacy_launch(s, port);
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

static void serve(struct gs *s)
{
	char *pkt = malloc(GS_PACKET_MAX + 1);
	while (pkt && !s->quit && !s->conn.closed) {
		size_t len;
		switch (gs_recv(&s->conn, pkt, GS_PACKET_MAX + 1, &len)) {
		case GS_RECV_PACKET:
			gs_dispatch(s, pkt, len);
			break;
		case GS_RECV_INTERRUPT:
			break;  /* nothing runs: the stop was reported already */
		case GS_RECV_BAD:
			gs_send_str(&s->conn, "E01");
			break;
		case GS_RECV_EOF:
			s->quit = true;
			break;
		}
	}
	free(pkt);
}

static void close_session(struct gs *s)
{
	grr_ctl_close(s->ctl);
	free(s->zp);
	free(s->auxv);
	free(s);
}

/* The server ends with the debugger that started it (Delve runs it in a
 * process group of its own), even one that never connected. */
static void end_with_parent(void)
{
	struct sigaction old;
	if (sigaction(SIGTERM, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		signal(SIGTERM, SIG_DFL);
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		raise(SIGTERM);
}

int gs_main(const struct gs_opts *o)
{
	char err[512];
	end_with_parent();
	struct gs *s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "grr replay: out of memory\n");
		return 1;
	}
	s->conn.ack = true;
	s->conn.fd = -1;
	s->conn.log = getenv("GRR_DEBUG_GDB") != NULL;
	int port, lfd = -1;
	if (open_session(s, o, err, sizeof(err)) < 0 ||
	    (lfd = listen_on(o->port, &port, err, sizeof(err))) < 0) {
		fprintf(stderr, "grr replay: %s\n", err);
		close_session(s);
		return 1;
	}
	s->conn.fd = accept_client(s, lfd, port);
	close(lfd);
	if (s->conn.fd < 0) {
		fprintf(stderr, "grr replay: accept: %m\n");
		close_session(s);
		return 1;
	}
	int one = 1;
	setsockopt(s->conn.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	serve(s);
	close(s->conn.fd);
	close_session(s);
	return 0;
}
