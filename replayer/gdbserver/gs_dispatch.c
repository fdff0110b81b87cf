/* gs_dispatch.c - one packet to its handler, by its first letters.  An
 * unknown packet gets the empty reply (not supported), a malformed one
 * E01; k ends the session without a reply, D after its OK. */
#include "replayer/gdbserver/gs_private.h"

#include <string.h>

static bool is(const char *pkt, const char *name)
{
	size_t n = strlen(name);
	return strncmp(pkt, name, n) == 0 && (pkt[n] == 0 || pkt[n] == ';' || pkt[n] == ':' ||
					      pkt[n] == '?');
}

static void dispatch_v(struct gs *s, char *pkt)
{
	if (is(pkt, "vCont"))
		gs_handle_vcont(s, pkt + 5);
	else if (is(pkt, "vRun"))
		gs_handle_vrun(s, pkt + 4);
	else if (is(pkt, "vKill"))
		gs_send_str(&s->conn, "OK");  /* rr: a vRun follows */
	else
		gs_send_str(&s->conn, "");
}

void gs_dispatch(struct gs *s, char *pkt, size_t len)
{
	switch (pkt[0]) {
	case '?':
		gs_send_stop(s, &s->last);
		break;
	case 'q':
		gs_handle_query(s, pkt);
		break;
	case 'Q':
		gs_handle_set(s, pkt);
		break;
	case 'H':
		gs_handle_H(s, pkt + 1);
		break;
	case 'T':
		gs_handle_T(s, pkt + 1);
		break;
	case 'g':
		gs_handle_g(s);
		break;
	case 'G':
		gs_send_str(&s->conn, "E01");  /* as rr: no writes outside a diversion */
		break;
	case 'p':
		gs_handle_p(s, pkt + 1);
		break;
	case 'P':
		gs_handle_P(s, pkt + 1);
		break;
	case 'm':
	case 'x':
		gs_handle_m(s, pkt + 1, pkt[0] == 'x');
		break;
	case 'M':
	case 'X':
		gs_handle_write(s, pkt + 1, len - 1, pkt[0] == 'X');
		break;
	case 'Z':
	case 'z':
		gs_handle_Z(s, pkt + 1, pkt[0] == 'Z');
		break;
	case 'c':
	case 'C':
	case 's':
	case 'S':
		gs_handle_resume(s, pkt[0] == 's' || pkt[0] == 'S');
		break;
	case 'b':
		if (strcmp(pkt, "bc") == 0 || strcmp(pkt, "bs") == 0)
			gs_handle_reverse(s, pkt[1] == 's');
		else
			gs_send_str(&s->conn, "");
		break;
	case 'v':
		dispatch_v(s, pkt);
		break;
	case '!':
		gs_send_str(&s->conn, "OK");
		break;
	case 'D':
		gs_send_str(&s->conn, "OK");
		s->quit = true;
		break;
	case 'k':
		s->quit = true;
		break;
	default:
		gs_send_str(&s->conn, "");
		break;
	}
}
