package web

import (
	"fmt"
	"strconv"
	"time"
)

// The trend charts are drawn server-side as SVG elements in the page (no
// script): a line per framework score, and a bar per scan of its failing
// results stacked by severity. Geometry is computed here; the template
// only prints numbers and escaped labels, and colours come from classes.

// trendPoint is one scan of a trend.
type trendPoint struct {
	ScanID int64
	URL    string
	When   time.Time
	Scores map[string]float64 // framework key → score; absent when unknown
	Names  map[string]string  // framework key → name
	Fails  map[string]int     // severity → FAIL results
	// FailsApprox is true when Fails includes suppressed results (the
	// scan has no scores artifact, only its summary).
	FailsApprox bool
}

type chartSVG struct {
	Width, Height int
	Title         string
	Lines         []chartLine
	Bars          []chartBar
	XLabels       []chartLabel
	YLabels       []chartLabel
	Grid          []float64 // y of horizontal grid lines
	Legend        []chartLegend
	Empty         bool
}

type chartLine struct {
	Class  string
	Points string // "x,y x,y …"
	Dots   []chartDot
}

type chartDot struct {
	X, Y  string
	Title string
	URL   string
}

type chartBar struct {
	X, Y, W, H string
	Class      string
	Title      string
	URL        string
}

type chartLabel struct {
	X, Y   string
	Text   string
	Anchor string
}

type chartLegend struct {
	Class, Text string
}

const (
	chartW, chartH         = 560, 170
	padL, padR, padT, padB = 40, 10, 10, 28
)

func fmtF(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// inset keeps the first and last points (and their bars) off the axes.
const inset = 22

// xOf places point i of n across the plot.
func xOf(i, n int) float64 {
	w := float64(chartW - padL - padR - 2*inset)
	if n <= 1 {
		return float64(padL+inset) + w/2
	}
	return float64(padL+inset) + w*float64(i)/float64(n-1)
}

func xLabels(pts []trendPoint) []chartLabel {
	var out []chartLabel
	n := len(pts)
	step := max(1, (n+5)/6) // at most about six labels
	for i := 0; i < n; i += step {
		out = append(out, chartLabel{X: fmtF(xOf(i, n)), Y: strconv.Itoa(chartH - 8), Text: pts[i].When.UTC().Format("01-02"), Anchor: "middle"})
	}
	return out
}

// scoreChart draws the framework scores (0–100 %) over the scans.
func scoreChart(pts []trendPoint, keys []string) chartSVG {
	c := chartSVG{Width: chartW, Height: chartH, Title: "Framework scores over the last scans"}
	plotH := float64(chartH - padT - padB)
	yOf := func(v float64) float64 { return float64(padT) + plotH*(1-v/100) }
	for _, v := range []float64{0, 50, 100} {
		c.Grid = append(c.Grid, yOf(v))
		c.YLabels = append(c.YLabels, chartLabel{X: strconv.Itoa(padL - 4), Y: fmtF(yOf(v) + 4), Text: fmt.Sprintf("%.0f%%", v), Anchor: "end"})
	}
	any := false
	for ki, k := range keys {
		l := chartLine{Class: fmt.Sprintf("series-%d", ki)}
		name := k
		for i, p := range pts {
			v, ok := p.Scores[k]
			if !ok {
				continue
			}
			any = true
			if n := p.Names[k]; n != "" {
				name = n
			}
			x, y := fmtF(xOf(i, len(pts))), fmtF(yOf(v))
			if l.Points != "" {
				l.Points += " "
			}
			l.Points += x + "," + y
			l.Dots = append(l.Dots, chartDot{X: x, Y: y, URL: p.URL,
				Title: fmt.Sprintf("%s: %s%% (scan %d, %s)", name, fmtF(v), p.ScanID, p.When.UTC().Format("2006-01-02 15:04"))})
		}
		c.Lines = append(c.Lines, l)
		c.Legend = append(c.Legend, chartLegend{Class: l.Class, Text: name})
	}
	c.Empty = !any
	c.XLabels = xLabels(pts)
	return c
}

// failChart draws each scan's FAIL results stacked by severity.
func failChart(pts []trendPoint) chartSVG {
	c := chartSVG{Width: chartW, Height: chartH, Title: "Failing results per scan, by severity"}
	top := 0
	for _, p := range pts {
		t := 0
		for _, n := range p.Fails {
			t += n
		}
		top = max(top, t)
	}
	if top == 0 {
		c.Empty = len(pts) == 0
		top = 1
	}
	plotH := float64(chartH - padT - padB)
	yOf := func(v float64) float64 { return float64(padT) + plotH*(1-v/float64(top)) }
	for _, v := range []int{0, top / 2, top} {
		c.Grid = append(c.Grid, yOf(float64(v)))
		c.YLabels = append(c.YLabels, chartLabel{X: strconv.Itoa(padL - 4), Y: fmtF(yOf(float64(v)) + 4), Text: thousands(v), Anchor: "end"})
	}
	n := len(pts)
	bw := float64(chartW-padL-padR-2*inset) / float64(max(n, 1)) * 0.6
	bw = min(bw, 28)
	for i, p := range pts {
		acc := 0
		for _, sev := range severities {
			v := p.Fails[sev]
			if v == 0 {
				continue
			}
			y0, y1 := yOf(float64(acc)), yOf(float64(acc+v))
			acc += v
			title := fmt.Sprintf("%s %s FAIL (scan %d, %s)", thousands(v), sev, p.ScanID, p.When.UTC().Format("2006-01-02 15:04"))
			if p.FailsApprox {
				title += ", including suppressed"
			}
			c.Bars = append(c.Bars, chartBar{X: fmtF(xOf(i, n) - bw/2), Y: fmtF(y1), W: fmtF(bw), H: fmtF(y0 - y1),
				Class: "sev-" + sev, Title: title, URL: p.URL})
		}
	}
	for _, sev := range severities {
		c.Legend = append(c.Legend, chartLegend{Class: "sev-" + sev, Text: sev})
	}
	c.XLabels = xLabels(pts)
	return c
}

// severities, most severe first.
var severities = []string{"critical", "high", "medium", "low", "info"}
