/* gs_memory.c - memory: 'm' (hex) and 'x' (binary, lldb's form, which
 * Delve turns on with "x0,0") reads of the replayed program, the bytes
 * readable from the address up (E01 when none is); 'M' and 'X' writes,
 * refused as rr refuses them outside a diversion (a replay must follow
 * its recording), except the empty write clients send to probe. */
#include "replayer/gdbserver/gs_private.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 4096ull

/* "ADDR,LEN" followed by END (':' or NUL). */
static int addr_len(const char **args, uint64_t *addr, uint64_t *len, char end)
{
	if (gs_hex_u64(args, addr) < 0 || **args != ',')
		return -1;
	(*args)++;
	if (gs_hex_u64(args, len) < 0 || **args != end)
		return -1;
	return 0;
}

/* Reads as much of [ADDR, ADDR+LEN) as is mapped from ADDR on. */
static size_t read_prefix(struct gs *s, uint64_t addr, uint8_t *buf, size_t len)
{
	struct grr_replay *rp = grr_ctl_replay(s->ctl);
	if (grr_replay_read(rp, addr, buf, len) == 0)
		return len;
	size_t done = 0;
	while (done < len) {
		uint64_t at = addr + done;
		size_t n = (size_t)(PAGE - at % PAGE);
		if (n > len - done)
			n = len - done;
		if (grr_replay_read(rp, at, buf + done, n) < 0)
			break;
		done += n;
	}
	return done;
}

void gs_handle_m(struct gs *s, const char *args, bool binary)
{
	uint64_t addr, len;
	if (addr_len(&args, &addr, &len, 0) < 0) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	if (len == 0) {
		gs_send_str(&s->conn, binary ? "OK" : "");
		return;
	}
	size_t max = binary ? GS_PACKET_MAX / 2 : (GS_PACKET_MAX - 16) / 2;
	if (len > max)
		len = max;
	uint8_t *buf = malloc(len);
	char *hex = binary ? NULL : malloc(2 * len + 1);
	if (!buf || (!binary && !hex)) {
		free(buf);
		gs_send_str(&s->conn, "E01");
		return;
	}
	size_t n = read_prefix(s, addr, buf, len);
	if (n == 0) {
		gs_send_str(&s->conn, "E01");
	} else if (binary) {
		gs_send(&s->conn, buf, n);
	} else {
		gs_hex_encode(buf, n, hex);
		gs_send_str(&s->conn, hex);
	}
	free(buf);
	free(hex);
}

void gs_handle_write(struct gs *s, const char *args, size_t len, bool binary)
{
	(void)len;
	(void)binary;
	uint64_t addr, n;
	if (addr_len(&args, &addr, &n, ':') < 0) {
		gs_send_str(&s->conn, "E01");
		return;
	}
	gs_send_str(&s->conn, n == 0 ? "OK" : "E01");
}
