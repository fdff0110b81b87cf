// Command dap is VS Code's path to a grr trace, without VS Code: it starts
// `dlv dap` (Delve's Debug Adapter Protocol server, which the Go extension
// drives), launches it with "mode": "replay" on a trace directory (Delve
// runs rr, which is grr), sets a breakpoint, continues to it, reads the
// stack and the variables, continues to its next hit, then sends
// reverseContinue and stepBack, as VS Code's buttons do.  It prints one
// line per step and exits 1 at the first that fails (tests/e2e/t_dap.sh).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"time"

	"github.com/google/go-dap"
)

type client struct {
	conn net.Conn
	rd   *bufio.Reader
	seq  int
}

func (c *client) send(command string, args any) {
	c.seq++
	raw, _ := json.Marshal(args)
	req := map[string]any{"seq": c.seq, "type": "request", "command": command, "arguments": json.RawMessage(raw)}
	b, _ := json.Marshal(req)
	fmt.Fprintf(c.conn, "Content-Length: %d\r\n\r\n%s", len(b), b)
}

// until reads messages until one satisfies ok; fails on an error response.
func (c *client) until(what string, ok func(dap.Message) bool) dap.Message {
	c.conn.SetReadDeadline(time.Now().Add(120 * time.Second))
	for {
		m, err := dap.ReadProtocolMessage(c.rd)
		if err != nil {
			fail("%s: %v", what, err)
		}
		if r, isResp := m.(dap.ResponseMessage); isResp && !r.GetResponse().Success {
			fail("%s: %s: %s", what, r.GetResponse().Command, r.GetResponse().Message)
		}
		if ok(m) {
			return m
		}
	}
}

func (c *client) stopped(what string) *dap.StoppedEvent {
	m := c.until(what, func(m dap.Message) bool {
		_, ok := m.(*dap.StoppedEvent)
		_, ended := m.(*dap.TerminatedEvent)
		if ended {
			fail("%s: the session terminated", what)
		}
		return ok
	})
	return m.(*dap.StoppedEvent)
}

func fail(format string, a ...any) {
	fmt.Printf("FAIL "+format+"\n", a...)
	os.Exit(1)
}

// where is the top frame of thread TID: "func file:line".
func (c *client) where(tid int) (string, int, int) {
	c.send("stackTrace", dap.StackTraceArguments{ThreadId: tid, Levels: 5})
	r := c.until("stackTrace", func(m dap.Message) bool { _, ok := m.(*dap.StackTraceResponse); return ok }).(*dap.StackTraceResponse)
	if len(r.Body.StackFrames) == 0 {
		fail("stackTrace: no frames")
	}
	f := r.Body.StackFrames[0]
	return f.Name, f.Line, f.Id
}

func (c *client) locals(frame int) map[string]string {
	c.send("scopes", dap.ScopesArguments{FrameId: frame})
	s := c.until("scopes", func(m dap.Message) bool { _, ok := m.(*dap.ScopesResponse); return ok }).(*dap.ScopesResponse)
	vars := map[string]string{}
	for _, sc := range s.Body.Scopes {
		if sc.VariablesReference == 0 || sc.Name == "Globals" {
			continue
		}
		c.send("variables", dap.VariablesArguments{VariablesReference: sc.VariablesReference})
		v := c.until("variables", func(m dap.Message) bool { _, ok := m.(*dap.VariablesResponse); return ok }).(*dap.VariablesResponse)
		for _, x := range v.Body.Variables {
			vars[x.Name] = x.Value
		}
	}
	return vars
}

func main() {
	dlv := flag.String("dlv", "dlv", "the dlv command")
	trace := flag.String("trace", "", "trace directory")
	file := flag.String("file", "", "source file of the breakpoint")
	line := flag.Int("line", 0, "line of the breakpoint")
	variable := flag.String("var", "", "a local variable to read at the breakpoint")
	flag.Parse()

	cmd := exec.Command(*dlv, "dap", "--listen=127.0.0.1:0")
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fail("dlv dap: %v", err)
	}
	defer cmd.Process.Kill()
	addr := regexp.MustCompile(`listening at: (\S+)`)
	sc := bufio.NewScanner(out)
	var where string
	for sc.Scan() {
		if m := addr.FindStringSubmatch(sc.Text()); m != nil {
			where = m[1]
			break
		}
	}
	go func() {
		for sc.Scan() {
			fmt.Fprintln(os.Stderr, "dlv:", sc.Text())
		}
	}()
	conn, err := net.Dial("tcp", where)
	if err != nil {
		fail("connect to dlv dap at %q: %v", where, err)
	}
	c := &client{conn: conn, rd: bufio.NewReader(conn)}

	c.send("initialize", dap.InitializeRequestArguments{AdapterID: "go", ClientID: "grr-test", LinesStartAt1: true, ColumnsStartAt1: true, PathFormat: "path"})
	c.until("initialize", func(m dap.Message) bool { _, ok := m.(*dap.InitializeResponse); return ok })
	c.send("launch", map[string]any{"request": "launch", "mode": "replay", "traceDirPath": *trace})
	c.until("launch", func(m dap.Message) bool { _, ok := m.(*dap.InitializedEvent); return ok })
	fmt.Println("ok launch mode=replay")
	c.send("setBreakpoints", dap.SetBreakpointsArguments{Source: dap.Source{Path: *file}, Breakpoints: []dap.SourceBreakpoint{{Line: *line}}})
	bp := c.until("setBreakpoints", func(m dap.Message) bool { _, ok := m.(*dap.SetBreakpointsResponse); return ok }).(*dap.SetBreakpointsResponse)
	if len(bp.Body.Breakpoints) != 1 || !bp.Body.Breakpoints[0].Verified {
		fail("setBreakpoints: not verified: %+v", bp.Body.Breakpoints)
	}
	fmt.Println("ok setBreakpoints")
	c.send("configurationDone", nil)
	c.until("configurationDone", func(m dap.Message) bool { _, ok := m.(*dap.ConfigurationDoneResponse); return ok })

	// the first stop may be at the entry; continue to the breakpoint
	st := c.stopped("first stop")
	for st.Body.Reason != "breakpoint" {
		c.send("continue", dap.ContinueArguments{ThreadId: st.Body.ThreadId})
		st = c.stopped("continue to the breakpoint")
	}
	fn, ln, frame := c.where(st.Body.ThreadId)
	vars := c.locals(frame)
	first := vars[*variable]
	fmt.Printf("ok breakpoint %s:%d %s=%s\n", fn, ln, *variable, first)
	if ln != *line || first == "" {
		fail("breakpoint: at %s:%d, %s=%q", fn, ln, *variable, first)
	}

	c.send("continue", dap.ContinueArguments{ThreadId: st.Body.ThreadId})
	st = c.stopped("continue")
	_, ln, frame = c.where(st.Body.ThreadId)
	second := c.locals(frame)[*variable]
	fmt.Printf("ok continue %d %s=%s\n", ln, *variable, second)
	if ln != *line || second == first {
		fail("continue: at line %d, %s=%q (first hit %q)", ln, *variable, second, first)
	}

	c.send("reverseContinue", dap.ReverseContinueArguments{ThreadId: st.Body.ThreadId})
	st = c.stopped("reverseContinue")
	_, ln, frame = c.where(st.Body.ThreadId)
	back := c.locals(frame)[*variable]
	fmt.Printf("ok reverseContinue %d %s=%s\n", ln, *variable, back)
	if ln != *line || back != first {
		fail("reverseContinue: at line %d, %s=%q, want %q", ln, *variable, back, first)
	}

	c.send("stepBack", dap.StepBackArguments{ThreadId: st.Body.ThreadId})
	st = c.stopped("stepBack")
	fn, ln, _ = c.where(st.Body.ThreadId)
	fmt.Printf("ok stepBack %s:%d\n", fn, ln)
	if ln == *line && st.Body.Reason != "step" {
		fail("stepBack: did not move (%s:%d, %s)", fn, ln, st.Body.Reason)
	}

	c.send("disconnect", dap.DisconnectArguments{TerminateDebuggee: true})
	c.until("disconnect", func(m dap.Message) bool { _, ok := m.(*dap.DisconnectResponse); return ok })
	fmt.Println("PASS")
}
