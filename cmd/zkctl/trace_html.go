package main

import (
	"bytes"
	"fmt"
	"html/template"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

// The page's colours. They are exact sRGB values drawn with crisp edges, so
// that tests/trace_html_chromium_test.go can find them pixel for pixel in a
// screenshot; change them there too.
const (
	htmlElectionColour = "#0969da"
	htmlZabColour      = "#1a7f37"
	htmlDroppedColour  = "#cf222e"
	htmlLifelineColour = "#8c959f"
)

// Geometry of the diagram, in CSS pixels. Labels go in a column of their
// own right of the lanes (as in the dashboard's timeline) rather than on the
// arrows, where they would overlap between adjacent columns.
const (
	htmlTimeW  = 110 // the time column left of the lanes
	htmlLaneW  = 130 // one server's lane
	htmlLabelW = 520 // the label column
	htmlTopH   = 40  // server names above the first row
	htmlRowH   = 20  // one message
)

// htmlArrow is one message as the template draws it.
type htmlArrow struct {
	Y, X1, X2, LabelX int
	// Head is where the line stops: short of the receiver's lifeline for
	// the arrowhead, or halfway for a dropped message.
	Head   int
	Colour string
	// Marker names the arrowhead: "" for none (dropped), "dup" for the
	// double head of a duplicated message.
	Marker  string
	Dropped bool
	Self    bool
	Time    string
	Label   string
	Detail  string
}

// htmlLane is one server's column.
type htmlLane struct {
	Name string
	X    int
}

// htmlPage is everything the template needs; every string in it is
// escaped by html/template, so a hostile path or summary stays text.
type htmlPage struct {
	Cluster          string
	Start, End, Span string
	Shown, Total     int
	Width, Height    int
	Bottom           int
	Lanes            []htmlLane
	Arrows           []htmlArrow
	ElectionColour   string
	ZabColour        string
	DroppedColour    string
	LifelineColour   string
}

// htmlTemplate is the whole page: inline CSS and SVG only, no script and a
// Content-Security-Policy that forbids every fetch, so the file renders the
// same offline and cannot reach the network when opened from disk. Hover
// details are SVG <title> tooltips, which need no JavaScript.
var htmlTemplate = template.Must(template.New("trace").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>
<title>zkctl trace: {{.Cluster}}</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #1f2328; background: #ffffff; }
h1 { font-size: 18px; margin: 0 0 4px 0; }
p.meta { margin: 0 0 8px 0; color: #59636e; }
p.note { margin: 0 0 8px 0; color: #9a6700; }
svg text { font: 11px ui-monospace, monospace; }
svg text.server { font: bold 13px system-ui, sans-serif; }
svg text.cross { font: bold 15px ui-monospace, monospace; }
g.msg:hover text.label { font-weight: bold; }
</style>
</head>
<body>
<h1>zkctl trace: cluster {{.Cluster}}</h1>
<p class="meta">{{if .Total}}{{.Start}} to {{.End}} ({{.Span}}), {{.Total}} messages{{else}}No messages in the log{{end}}; blue: election, green: Zab, red dashed: dropped, double head: duplicated. Hover an arrow for its fields.</p>
{{if lt .Shown .Total}}<p class="note">Showing the first {{.Shown}} of {{.Total}} messages (--max-messages).</p>
{{end}}<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}">
<defs>
<marker id="head-election" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{{.ElectionColour}}"/></marker>
<marker id="head-zab" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{{.ZabColour}}"/></marker>
<marker id="dup-election" viewBox="0 0 20 10" refX="20" refY="5" markerWidth="16" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z M10,0 L20,5 L10,10 z" fill="{{.ElectionColour}}"/></marker>
<marker id="dup-zab" viewBox="0 0 20 10" refX="20" refY="5" markerWidth="16" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z M10,0 L20,5 L10,10 z" fill="{{.ZabColour}}"/></marker>
</defs>
{{range .Lanes}}<text class="server" x="{{.X}}" y="20" text-anchor="middle">{{.Name}}</text>
<line class="lifeline" x1="{{.X}}" y1="28" x2="{{.X}}" y2="{{$.Bottom}}" stroke="{{$.LifelineColour}}" stroke-width="2" shape-rendering="crispEdges"/>
{{end}}{{range .Arrows}}<g class="msg"><title>{{.Detail}}</title>
<text x="4" y="{{.Y}}" dy="4" fill="#59636e">{{.Time}}</text>
{{if .Self}}<path class="arrow" d="M{{.X1}},{{.Y}} h24 v6 h-24" fill="none" stroke="{{.Colour}}" stroke-width="2" shape-rendering="crispEdges"/>
{{else if .Dropped}}<line class="arrow" x1="{{.X1}}" y1="{{.Y}}" x2="{{.Head}}" y2="{{.Y}}" stroke="{{.Colour}}" stroke-width="2" stroke-dasharray="6 3" shape-rendering="crispEdges"/><text x="{{.Head}}" y="{{.Y}}" dy="4" class="cross" text-anchor="middle" fill="{{.Colour}}">✗</text>
{{else}}<line class="arrow" x1="{{.X1}}" y1="{{.Y}}" x2="{{.Head}}" y2="{{.Y}}" stroke="{{.Colour}}" stroke-width="2" shape-rendering="crispEdges" marker-end="url(#{{.Marker}})"/>
{{end}}<text class="label" x="{{.LabelX}}" y="{{.Y}}" dy="4" fill="{{.Colour}}">{{.Label}}</text>
</g>
{{end}}</svg>
</body>
</html>
`))

// htmlDetail is the hover text: every field, one per line, in a stable order.
func htmlDetail(m *launcher.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s %s %d -> %d, %d bytes", m.Seq, m.Link, m.Type, m.From, m.To, m.Size)
	if m.Fault != "" {
		fmt.Fprintf(&b, " [%s]", m.Fault)
	}
	keys := make([]string, 0, len(m.Fields))
	for k := range m.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n%s: %v", k, m.Fields[k])
	}
	return b.String()
}

// htmlTrace renders msgs as one self-contained HTML page holding an SVG
// sequence diagram, drawn here rather than in the browser so that the page
// shows without JavaScript. Only the first limit messages (in time order)
// are drawn, so that a long log still gives a page a browser can open; the
// header says how many were left out. The lanes are the servers of all
// messages, not only of those drawn.
func htmlTrace(msgs []launcher.Message, cluster string, limit int) ([]byte, error) {
	msgs = append([]launcher.Message(nil), msgs...)
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].TimeNs < msgs[j].TimeNs })
	seen := map[int]bool{}
	var ids []int
	for _, m := range msgs {
		for _, id := range []int{m.From, m.To} {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Ints(ids)
	laneX := map[int]int{}
	p := htmlPage{Cluster: cluster, Total: len(msgs),
		ElectionColour: htmlElectionColour, ZabColour: htmlZabColour,
		DroppedColour: htmlDroppedColour, LifelineColour: htmlLifelineColour}
	for i, id := range ids {
		x := htmlTimeW + i*htmlLaneW + htmlLaneW/2
		laneX[id] = x
		p.Lanes = append(p.Lanes, htmlLane{Name: fmt.Sprintf("zk%d", id), X: x})
	}
	shown := msgs
	if limit > 0 && len(shown) > limit {
		shown = shown[:limit]
	}
	p.Shown = len(shown)
	labelX := htmlTimeW + len(ids)*htmlLaneW + 8
	p.Width = labelX + htmlLabelW
	p.Bottom = htmlTopH + len(shown)*htmlRowH
	p.Height = p.Bottom + 8
	if len(msgs) > 0 {
		first, last := time.Unix(0, msgs[0].TimeNs).UTC(), time.Unix(0, msgs[len(msgs)-1].TimeNs).UTC()
		p.Start = first.Format("2006-01-02 15:04:05.000000 UTC")
		p.End = last.Format("15:04:05.000000")
		p.Span = last.Sub(first).String()
	}
	for i := range shown {
		m := &shown[i]
		a := htmlArrow{Y: htmlTopH + i*htmlRowH + htmlRowH/2, X1: laneX[m.From], X2: laneX[m.To], LabelX: labelX,
			Label: m.Label(), Detail: htmlDetail(m), Colour: htmlElectionColour, Marker: "head-election",
			Time: "+" + fmtOffset(m.TimeNs-msgs[0].TimeNs)}
		if m.Kind == launcher.MsgZab {
			a.Colour, a.Marker = htmlZabColour, "head-zab"
		}
		if m.Fault == "duplicated" {
			a.Marker = strings.Replace(a.Marker, "head", "dup", 1)
		}
		// Stop 1 px short of the receiver's lifeline: the arrowhead's tip
		// touches it without covering the lifeline's colour.
		dir := 1
		if a.X2 < a.X1 {
			dir = -1
		}
		a.Head = a.X2 - dir*2
		switch {
		case m.From == m.To:
			a.Self = true
		case m.Fault == "dropped":
			a.Dropped, a.Colour = true, htmlDroppedColour
			a.Head = (a.X1 + a.X2) / 2
		}
		p.Arrows = append(p.Arrows, a)
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fmtOffset prints a time offset in milliseconds with µs precision, which
// keeps the time column aligned and comparable between rows.
func fmtOffset(ns int64) string {
	return fmt.Sprintf("%.3f ms", float64(ns)/1e6)
}

// clusterFromInput guesses the cluster's name from a log's path,
// <dir>/<name>/trace/<start>.jsonl, for the page's header when --name was
// not given; it returns def for any other path.
func clusterFromInput(path, def string) string {
	dir := filepath.Dir(path)
	if filepath.Base(dir) != "trace" {
		return def
	}
	if name := filepath.Base(filepath.Dir(dir)); name != "." && name != string(filepath.Separator) {
		return name
	}
	return def
}
