/* gs_packet.c - the gdb remote protocol's framing: "$data#cc" packets
 * with a two-digit checksum, '+'/'-' acknowledgments until the client
 * turns them off (QStartNoAckMode), '}' escapes for binary data, and the
 * interrupt byte 0x03 between packets. */
#include "replayer/gdbserver/gs_private.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char hexdigits[] = "0123456789abcdef";

void gs_hex_encode(const void *data, size_t len, char *out)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hexdigits[p[i] >> 4];
		out[2 * i + 1] = hexdigits[p[i] & 15];
	}
	out[2 * len] = 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int gs_hex_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

int gs_hex_u64(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	int n = 0;
	for (int d; (d = hexval((unsigned char)*p)) >= 0; p++, n++) {
		if (n == 16)
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	if (n == 0)
		return -1;
	*v = x;
	*s = p;
	return 0;
}

/* Reads what the client sent into the input buffer; -1 at its end. */
static int fill(struct gs_conn *c)
{
	if (c->inlen == sizeof(c->in))
		return 0;
	ssize_t n;
	do
		n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		c->closed = true;
		return -1;
	}
	c->inlen += (size_t)n;
	return 0;
}

static void drop(struct gs_conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

static void send_raw(struct gs_conn *c, const char *p, size_t n)
{
	while (n && !c->closed) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			c->closed = true;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Unescapes the packet body IN[0..N) into BUF; its length, or -1. */
static long unescape(const uint8_t *in, size_t n, char *buf, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = in[i];
		if (ch == '}' && i + 1 < n)
			ch = in[++i] ^ 0x20;
		if (k + 1 >= cap)
			return -1;
		buf[k++] = (char)ch;
	}
	buf[k] = 0;
	return (long)k;
}

/* A whole packet at the start of the buffer: 1 (its body is IN[1..*END),
 * the checksum after it), 0 (not all there yet), -1 (too long). */
static int framed(const struct gs_conn *c, size_t *end)
{
	const uint8_t *hash = memchr(c->in, '#', c->inlen);
	if (!hash)
		return c->inlen >= GS_PACKET_MAX ? -1 : 0;
	size_t at = (size_t)(hash - c->in);
	if (at + 3 > c->inlen)
		return 0;
	*end = at;
	return 1;
}

static bool checksum_ok(const struct gs_conn *c, size_t end)
{
	uint8_t sum = 0;
	for (size_t i = 1; i < end; i++)
		sum += c->in[i];
	int hi = hexval(c->in[end + 1]), lo = hexval(c->in[end + 2]);
	return hi >= 0 && lo >= 0 && (uint8_t)(hi << 4 | lo) == sum;
}

enum gs_recv gs_recv(struct gs_conn *c, char *buf, size_t cap, size_t *len)
{
	for (;;) {
		/* skip acknowledgments and noise before a packet */
		size_t skip = 0;
		while (skip < c->inlen && c->in[skip] != '$' && c->in[skip] != 0x03)
			skip++;
		drop(c, skip);
		if (c->inlen && c->in[0] == 0x03) {
			drop(c, 1);
			return GS_RECV_INTERRUPT;
		}
		size_t end = 0;
		int f = c->inlen ? framed(c, &end) : 0;
		if (f < 0) {
			c->inlen = 0;
			return GS_RECV_BAD;
		}
		if (f == 0) {
			if (c->closed || fill(c) < 0)
				return GS_RECV_EOF;
			continue;
		}
		bool good = checksum_ok(c, end);
		if (c->ack)
			send_raw(c, good ? "+" : "-", 1);
		if (!good && c->ack) {
			drop(c, end + 3);
			continue;  /* the client sends it again */
		}
		long n = unescape(c->in + 1, end - 1, buf, cap);
		drop(c, end + 3);
		if (n < 0)
			return GS_RECV_BAD;
		*len = (size_t)n;
		if (c->log)
			fprintf(stderr, "gdb-> %.200s\n", buf);
		return GS_RECV_PACKET;
	}
}

int gs_send(struct gs_conn *c, const void *data, size_t len)
{
	char *out = c->out;
	const uint8_t *p = data;
	size_t k = 0;
	uint8_t sum = 0;
	out[k++] = '$';
	for (size_t i = 0; i < len && k + 6 < sizeof(c->out); i++) {
		uint8_t ch = p[i];
		if (ch == '$' || ch == '#' || ch == '}' || ch == '*') {
			out[k++] = '}';
			sum += '}';
			ch ^= 0x20;
		}
		out[k++] = (char)ch;
		sum += ch;
	}
	if (c->log)
		fprintf(stderr, "<-grr %.*s\n", (int)(k < 201 ? k - 1 : 200), out + 1);
	out[k++] = '#';
	out[k++] = hexdigits[sum >> 4];
	out[k++] = hexdigits[sum & 15];
	send_raw(c, out, k);
	return c->closed ? -1 : 0;
}

int gs_send_str(struct gs_conn *c, const char *s) { return gs_send(c, s, strlen(s)); }

/* Whether the bytes read hold an interrupt before any packet. */
static bool interrupt_first(const struct gs_conn *c)
{
	for (size_t i = 0; i < c->inlen; i++) {
		if (c->in[i] == 0x03)
			return true;
		if (c->in[i] == '$')
			break;
	}
	return false;
}

bool gs_wait_interrupt(struct gs_conn *c, int wakefd)
{
	for (;;) {
		if (interrupt_first(c) || c->closed)
			return true;
		struct pollfd pfd[2] = { { .fd = c->fd, .events = POLLIN },
					 { .fd = wakefd, .events = POLLIN } };
		int n = poll(pfd, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || pfd[1].revents)
			return false;
		if (c->inlen == sizeof(c->in))
			return false;  /* a client that talks while we run: wait */
		if (pfd[0].revents)
			fill(c);
	}
}
