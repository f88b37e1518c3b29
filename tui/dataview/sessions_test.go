package dataview

import (
	"strings"
	"testing"

	"github.com/zkctl/zkctl/internal/fourlwtest"
)

func TestDataView_SessionsPanel(t *testing.T) {
	addr := fourlwtest.Serve(t, map[string]string{
		"cons": " /127.0.0.1:40214[1](queued=0,recved=5,sent=5,sid=0x100000abc,lop=GETD,est=1,to=10000,lcxid=0x0,lzxid=0x0,lresp=1,llat=0,minlat=0,avglat=0,maxlat=0)\n" +
			" /127.0.0.1:40216[1](queued=0,recved=5,sent=5,sid=0x200000abc,lop=PING,est=1,to=4000,lcxid=0x0,lzxid=0x0,lresp=1,llat=0,minlat=0,avglat=0,maxlat=0)\n\n",
		"wchp": "/app/config\n\t0x100000abc\n/app\n\t0x100000abc\n\n",
		"dump": "SessionTracker dump:\nephemeral nodes dump:\nSessions with Ephemerals (1):\n0x200000abc:\n\t/app/lock-0000000001\n",
	})
	d := newDriver(t, 1, nil) // the fake's session is 0x100000abc
	d.m.cfg.Servers = []Server{{ID: 1, Addr: addr}}
	d.m = d.m.SetSize(160, 24)
	d.keys("C")
	s := d.screen()
	for _, want := range []string{"zk1 " + addr + ": 2 sessions, 2 watched paths", "0x100000abc", "to 10000ms  GETD  ← this view",
		"watches: /app, /app/config", "0x200000abc", "ephemerals: /app/lock-0000000001"} {
		if !strings.Contains(s, want) {
			t.Errorf("sessions panel lacks %q:\n%s", want, s)
		}
	}
	// Apache's default whitelist refuses cons: say so.
	d.m.cfg.Servers = []Server{{ID: 2, Addr: fourlwtest.Serve(t, map[string]string{})}}
	d.keys("r")
	if s := d.screen(); !strings.Contains(s, "cons refused by 4lw.commands.whitelist") {
		t.Fatalf("a refused word is not named:\n%s", s)
	}
	d.keys("C")
	if strings.Contains(d.screen(), "sessions and watches") {
		t.Fatal("C did not close the panel")
	}
}
