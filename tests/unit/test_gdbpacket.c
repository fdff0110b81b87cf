/* test_gdbpacket.c - the gdb protocol server's framing (gs_packet.c) over a
 * socket pair: acks and checksums, escapes both ways, the interrupt byte,
 * bad and oversized packets, the client going away; and its hex helpers. */
#include "replayer/gdbserver/gs_private.h"
#include "tests/unit/run_suite.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct gs_conn *conn;
static int peer;
static char buf[GS_PACKET_MAX + 1];

static void setup(bool ack)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	conn = calloc(1, sizeof(*conn));
	conn->fd = sv[0];
	conn->ack = ack;
	peer = sv[1];
}

static void teardown(void)
{
	close(conn->fd);
	if (peer >= 0)
		close(peer);
	free(conn);
}

static void say(const char *s) { ck_assert_int_eq(write(peer, s, strlen(s)), (ssize_t)strlen(s)); }

static enum gs_recv next(size_t *len) { return gs_recv(conn, buf, sizeof(buf), len); }

START_TEST(test_ack_and_checksum)
{
	setup(true);
	size_t len;
	say("+$qC#b4");
	ck_assert_int_eq(next(&len), GS_RECV_PACKET);
	ck_assert_str_eq(buf, "qC");
	char ack[4] = "";
	ck_assert_int_eq(read(peer, ack, 1), 1);
	ck_assert_int_eq(ack[0], '+');
	say("$qC#00$g#67");  /* a bad checksum: '-', then the next packet */
	ck_assert_int_eq(next(&len), GS_RECV_PACKET);
	ck_assert_str_eq(buf, "g");
	ck_assert_int_eq(read(peer, ack, 2), 2);
	ck_assert_int_eq(ack[0], '-');
	ck_assert_int_eq(ack[1], '+');
	teardown();
}
END_TEST

START_TEST(test_escapes_interrupt_eof)
{
	setup(false);
	size_t len;
	/* X's binary data: '}' escapes '#' (0x23 ^ 0x20 = 0x03) */
	say("\x03$X0,1:}\x03#00");
	ck_assert_int_eq(next(&len), GS_RECV_INTERRUPT);
	ck_assert_int_eq(next(&len), GS_RECV_PACKET);
	ck_assert_uint_eq(len, 6);
	ck_assert_int_eq(buf[5], '#');
	ck_assert_int_eq(gs_send(conn, "a$b*c", 5), 0);
	char out[32] = "";
	ssize_t n = read(peer, out, sizeof(out) - 1);
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(out, "$a}\x04" "b}\x0a" "c#2e");
	close(peer);
	peer = -1;
	ck_assert_int_eq(next(&len), GS_RECV_EOF);
	teardown();
}
END_TEST

START_TEST(test_too_long)
{
	setup(false);
	size_t len;
	char *big = malloc(GS_PACKET_MAX + 16);
	big[0] = '$';
	memset(big + 1, 'a', GS_PACKET_MAX + 14);
	big[GS_PACKET_MAX + 15] = 0;
	ck_assert_int_eq(write(peer, big, strlen(big)), (ssize_t)strlen(big));
	ck_assert_int_eq(next(&len), GS_RECV_BAD);
	free(big);
	teardown();
}
END_TEST

START_TEST(test_hex)
{
	char hex[16];
	uint8_t bytes[4];
	gs_hex_encode("\x01\xab", 2, hex);
	ck_assert_str_eq(hex, "01ab");
	ck_assert_int_eq(gs_hex_decode("01AB", 4, bytes, sizeof(bytes)), 2);
	ck_assert_int_eq(bytes[1], 0xab);
	ck_assert_int_eq(gs_hex_decode("0g", 2, bytes, sizeof(bytes)), -1);
	ck_assert_int_eq(gs_hex_decode("0102030405", 10, bytes, sizeof(bytes)), -1);
	const char *p = "49e140,1";
	uint64_t v;
	ck_assert_int_eq(gs_hex_u64(&p, &v), 0);
	ck_assert_uint_eq(v, 0x49e140);
	ck_assert_int_eq(*p, ',');
	p = "zz";
	ck_assert_int_eq(gs_hex_u64(&p, &v), -1);
}
END_TEST

int main(void)
{
	const TTest *tests[] = { test_ack_and_checksum, test_escapes_interrupt_eof, test_too_long,
				 test_hex };
	return run_tests("gdbpacket", tests, sizeof(tests) / sizeof(tests[0]));
}
