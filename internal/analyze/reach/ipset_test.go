package reach

import (
	"fmt"
	"math/rand"
	"testing"
)

// randomSet builds a set of prefixes inside 192.0.2.0/24 and the same set
// as a bitmap of its 256 addresses.
func randomSet(rng *rand.Rand) (set, [256]bool) {
	var s set
	var bm [256]bool
	for k := rng.Intn(5); k > 0; k-- {
		bits := 24 + rng.Intn(9)
		size := 1 << (32 - bits)
		start := rng.Intn(256) / size * size
		p, _, ok := prefixSet(fmt.Sprintf("192.0.2.%d/%d", start, bits))
		if !ok {
			panic("bad prefix")
		}
		s = union(s, p)
		for i := start; i < start+size; i++ {
			bm[i] = true
		}
	}
	return s, bm
}

func addr(i int) u128 { return u128{0, 0xc0000200 | uint64(i)} }

func checkSet(t *testing.T, op string, s set, want [256]bool) {
	t.Helper()
	for i := 0; i < 256; i++ {
		if s.contains(addr(i)) != want[i] {
			t.Fatalf("%s: address .%d: got %v, want %v (set %v)", op, i, !want[i], want[i], s.cidrs(v4, 20))
		}
	}
	for k := 1; k < len(s); k++ {
		if !s[k-1].hi.inc().less(s[k].lo) {
			t.Fatalf("%s: spans %d and %d overlap or touch: %v", op, k-1, k, s)
		}
	}
	if s.contains(addr(-1)) || s.contains(u128{0, 0xc0000300}) {
		t.Fatalf("%s: set leaks outside 192.0.2.0/24", op)
	}
}

func TestSetAlgebraAgainstBitmaps(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for n := 0; n < 2000; n++ {
		a, am := randomSet(rng)
		b, bm := randomSet(rng)
		c, cm := randomSet(rng)
		var u, in, mi, in3 [256]bool
		any3 := false
		for i := range u {
			u[i], in[i], mi[i] = am[i] || bm[i], am[i] && bm[i], am[i] && !bm[i]
			in3[i] = am[i] && bm[i] && cm[i]
			any3 = any3 || in3[i]
		}
		checkSet(t, "union", union(a, b), u)
		checkSet(t, "intersect", intersect(a, b), in)
		checkSet(t, "minus", minus(a, b), mi)
		checkSet(t, "intersect3", intersect(intersect(a, b), c), in3)
		if got := meet(a, b, c); got != any3 {
			t.Fatalf("meet(%v, %v, %v) = %v, want %v", a, b, c, got, any3)
		}
		if got := a.covers(b); got != (minus(b, a).empty()) {
			t.Fatalf("covers disagrees with minus")
		}
	}
}

func TestUniverseEdges(t *testing.T) {
	for _, f := range []fam{v4, v6} {
		u := universe(f)
		if !minus(u, u).empty() || !setEqual(intersect(u, u), u) || !setEqual(union(u, u), u) {
			t.Fatalf("%s universe algebra", f)
		}
		top := set{{maxAddr(f), maxAddr(f)}}
		if got := minus(u, top); len(got) != 1 || got[0].hi != maxAddr(f).dec() {
			t.Fatalf("%s: universe minus its last address = %v", f, got)
		}
		if got := union(minus(u, top), top); !setEqual(got, u) {
			t.Fatalf("%s: union does not rejoin the last address: %v", f, got)
		}
	}
}

func TestCIDRRendering(t *testing.T) {
	cases := []struct {
		f    fam
		in   []string
		want string
	}{
		{v4, []string{"0.0.0.0/0"}, "[0.0.0.0/0]"},
		{v4, []string{"203.0.113.0/24"}, "[203.0.113.0/24]"},
		{v4, []string{"0.0.0.0/1"}, "[0.0.0.0/1]"},
		{v6, []string{"::/0"}, "[::/0]"},
		{v4, []string{"10.0.0.0/9", "10.128.0.0/9"}, "[10.0.0.0/8]"},
	}
	for _, c := range cases {
		s := mustSet(c.f, c.in...)
		if got := fmt.Sprint(s.cidrs(c.f, 8)); got != c.want {
			t.Errorf("%v: got %s, want %s", c.in, got, c.want)
		}
	}
	// The internet less one /8 reads as an exception.
	s := minus(internet(v4), mustSet(v4, "198.0.0.0/8"))
	if got := fmt.Sprint(s.cidrs(v4, 8)); got != "[0.0.0.0/0 except 198.0.0.0/8]" {
		t.Errorf("got %s", got)
	}
}

func TestParsePort(t *testing.T) {
	cases := []struct {
		in                string
		proto, port, code int
		bad               bool
	}{
		{in: "22", proto: 6, port: 22, code: -1},
		{in: "53/udp", proto: 17, port: 53, code: -1},
		{in: "8/icmp", proto: 1, port: 8, code: -1},
		{in: "3:4/icmp", proto: 1, port: 3, code: 4},
		{in: "128/icmpv6", proto: 58, port: 128, code: -1},
		{in: "x/47", proto: 47, port: -1, code: -1},
		{in: "70000/tcp", bad: true},
		{in: "22/all", bad: true},
		{in: "22/bogus", bad: true},
	}
	for _, c := range cases {
		p, port, code, err := ParsePort(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%s: want an error", c.in)
			}
			continue
		}
		if err != nil || p != c.proto || port != c.port || code != c.code {
			t.Errorf("%s: got %d %d %d %v", c.in, p, port, code, err)
		}
	}
}

func FuzzPrefixSet(f *testing.F) {
	for _, s := range []string{"0.0.0.0/0", "10.0.0.0/8", "::/0", "2600:1f18::/36", "1.2.3.4", "::ffff:1.2.3.4/120", "300.0.0.0/8", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, fm, ok := prefixSet(s)
		if !ok {
			return
		}
		if len(p) != 1 || p[0].hi.less(p[0].lo) || maxAddr(fm).less(p[0].hi) {
			t.Fatalf("%q: bad span %v (%s)", s, p, fm)
		}
		if out := p.cidrs(fm, 4); len(out) == 0 {
			t.Fatalf("%q: renders as nothing", s)
		}
	})
}
