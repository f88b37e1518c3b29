package tests

import (
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/launcher"
)

// chromiumPath is Debian's chromium (apt-get install chromium; .ci/run
// installs it).
const chromiumPath = "/usr/bin/chromium"

// The colours cmd/zkctl/trace_html.go draws with crisp edges, as RGB.
var (
	electionRGB = [3]uint8{0x09, 0x69, 0xda}
	zabRGB      = [3]uint8{0x1a, 0x7f, 0x37}
	lifelineRGB = [3]uint8{0x8c, 0x95, 0x9f}
)

// TestTraceExportHTML_RendersInChromium checks that the page `zkctl trace
// export --format html` writes is drawn by a real browser, offline and
// without JavaScript: headless Chromium screenshots it from file://, and the
// screenshot must show the arrows' colours and a lifeline per server. The
// unit tests check the markup; only a browser shows that the SVG draws.
func TestTraceExportHTML_RendersInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("ZKCTL_REQUIRE_ORACLE") == "1" {
			t.Fatalf("%s is required (apt-get install chromium)", chromiumPath)
		}
		t.Skipf("%s not installed (apt-get install chromium)", chromiumPath)
	}
	bin := zkproc.Build(t)
	dir := t.TempDir()

	// Four servers: an election round, a dropped and a duplicated
	// notification, and a sync with a hostile path.
	var lines []string
	add := func(m launcher.Message) {
		m.Seq = uint64(len(lines) + 1)
		m.TimeNs = 1796661238215767000 + int64(len(lines))*1_000_000
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	for from := 1; from <= 4; from++ {
		for to := 1; to <= 4; to++ {
			if from == to {
				continue
			}
			fault := ""
			if from == 2 && to == 3 {
				fault = "dropped"
			} else if from == 3 && to == 1 {
				fault = "duplicated"
			}
			add(launcher.Message{From: from, To: to, Kind: launcher.MsgElection, Type: "notification", Fault: fault,
				Fields: map[string]any{"state": "LOOKING", "leader": 4, "zxid": "0x0", "round": "0x1"}})
		}
	}
	for _, f := range []int{1, 2, 3} {
		add(launcher.Message{From: f, To: 4, Kind: launcher.MsgZab, Type: "FOLLOWERINFO", Summary: "FOLLOWERINFO sid=" + string(rune('0'+f))})
		add(launcher.Message{From: 4, To: f, Kind: launcher.MsgZab, Type: "PROPOSAL", Summary: "PROPOSAL 0x400000001 create </script><b>",
			Fields: map[string]any{"path": "</script><b>"}})
	}
	input := filepath.Join(dir, "msgs.jsonl")
	if err := os.WriteFile(input, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "trace.html")
	if out, err := exec.Command(bin, "trace", "export", "--format", "html", "--input", input, page).CombinedOutput(); err != nil {
		t.Fatalf("zkctl trace export: %v\n%s", err, out)
	}

	shot := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Every flag that could make Chromium reach the network is off, and it
	// only ever loads the file:// page (whose CSP forbids fetches anyway).
	cmd := exec.CommandContext(ctx, chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--force-device-scale-factor=1", "--force-color-profile=srgb", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "chromium-profile"), "--screenshot="+shot, "--window-size=1200,800",
		"file://"+page)
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v (context: %v)\n%s", err, ctx.Err(), out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}

	count := map[[3]uint8]int{}
	lifelineAt := map[int]int{} // lifeline pixels per x
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := rgbAt(img, x, y)
			count[c]++
			if c == lifelineRGB {
				lifelineAt[x]++
			}
		}
	}
	if len(count) < 10 {
		t.Fatalf("the screenshot is blank: %d colours", len(count))
	}
	// 12 election arrows of 130 px or more, 2 px thick; a third of that
	// leaves room for labels and arrowheads drawn over them.
	if count[electionRGB] < 1000 || count[zabRGB] < 500 {
		t.Errorf("arrow pixels: election %d, zab %d", count[electionRGB], count[zabRGB])
	}
	// A lifeline is a run of columns, each with lifeline pixels down most of
	// the 18 rows (20 px each); arrows cross it, so not every pixel.
	columns, prev := 0, -10
	for x := b.Min.X; x < b.Max.X; x++ {
		if lifelineAt[x] >= 200 {
			if x > prev+1 {
				columns++
			}
			prev = x
		}
	}
	if columns != 4 {
		t.Errorf("lifelines in %d columns, want 4 (pixels per x: %v)", columns, lifelineAt)
	}
	t.Logf("arrow pixels: election %d, zab %d; %d lifelines", count[electionRGB], count[zabRGB], columns)
	if t.Failed() {
		t.Logf("page %s, screenshot %s", page, shot)
	}
}

// rgbAt returns the 8-bit colour of one pixel.
func rgbAt(img image.Image, x, y int) [3]uint8 {
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}
