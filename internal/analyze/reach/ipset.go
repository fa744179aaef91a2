package reach

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strings"
)

// Address sets.
//
// The analyzer answers "which internet addresses get through every control"
// rather than "does 0.0.0.0/0 get through", so that a security group open to
// 0.0.0.0/1, a NACL that denies one /8 or a route to the internet gateway for
// a single /24 are all judged exactly. A set is a sorted list of disjoint,
// non-adjacent inclusive ranges within one address family; IPv4 and IPv6 are
// never mixed in one set (a fam value says which universe a set lives in).

// fam is an address family: 4 or 6.
type fam uint8

const (
	v4 fam = 4
	v6 fam = 6
)

func (f fam) String() string {
	if f == v6 {
		return "IPv6"
	}
	return "IPv4"
}

// u128 is an unsigned 128-bit integer; IPv4 addresses use the low 32 bits.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a u128) inc() u128 {
	lo, c := bits.Add64(a.lo, 1, 0)
	return u128{a.hi + c, lo}
}

func (a u128) dec() u128 {
	lo, b := bits.Sub64(a.lo, 1, 0)
	return u128{a.hi - b, lo}
}

// maxAddr is the last address of a family's universe.
func maxAddr(f fam) u128 {
	if f == v6 {
		return u128{^uint64(0), ^uint64(0)}
	}
	return u128{0, 1<<32 - 1}
}

// span is an inclusive range of addresses.
type span struct{ lo, hi u128 }

// set is a sorted list of disjoint, non-adjacent spans of one family.
type set []span

// universe is every address of a family.
func universe(f fam) set { return set{{u128{}, maxAddr(f)}} }

func (s set) empty() bool { return len(s) == 0 }

// contains reports whether the address is in the set.
func (s set) contains(a u128) bool {
	lo, hi := 0, len(s)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case a.less(s[m].lo):
			hi = m
		case s[m].hi.less(a):
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// covers reports whether every address of t is in s.
func (s set) covers(t set) bool { return minus(t, s).empty() }

// first returns the lowest address of a non-empty set.
func (s set) first() u128 { return s[0].lo }

// union returns a ∪ b.
func union(a, b set) set {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make(set, 0, len(a)+len(b))
	i, j := 0, 0
	push := func(x span) {
		if n := len(out); n > 0 {
			last := &out[n-1]
			// Merge overlapping or adjacent spans (last.hi+1 >= x.lo).
			if !last.hi.less(x.lo) || (last.hi != maxAddr(v6) && !last.hi.inc().less(x.lo)) {
				if last.hi.less(x.hi) {
					last.hi = x.hi
				}
				return
			}
		}
		out = append(out, x)
	}
	for i < len(a) || j < len(b) {
		if j >= len(b) || (i < len(a) && a[i].lo.less(b[j].lo)) {
			push(a[i])
			i++
		} else {
			push(b[j])
			j++
		}
	}
	return out
}

// intersect returns a ∩ b.
func intersect(a, b set) set {
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	// Sets are never changed in place, so a side that already holds the
	// other can be returned as is; most intersections are with the
	// universe or the whole internet.
	if len(a) == 1 && !b[0].lo.less(a[0].lo) && !a[0].hi.less(b[len(b)-1].hi) {
		return b
	}
	if len(b) == 1 && !a[0].lo.less(b[0].lo) && !b[0].hi.less(a[len(a)-1].hi) {
		return a
	}
	out := make(set, 0, max(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := a[i].lo, a[i].hi
		if lo.less(b[j].lo) {
			lo = b[j].lo
		}
		if b[j].hi.less(hi) {
			hi = b[j].hi
		}
		if !hi.less(lo) {
			out = append(out, span{lo, hi})
		}
		if a[i].hi.less(b[j].hi) {
			i++
		} else {
			j++
		}
	}
	return out
}

// meet reports whether the sets have an address in common, without
// building the intersection (the hot path of Exposure only needs yes/no).
func meet(ss ...set) bool {
	var idx [8]int
	if len(ss) > len(idx) {
		panic("reach: meet of too many sets")
	}
	for _, s := range ss {
		if len(s) == 0 {
			return false
		}
	}
	for {
		// The candidate is the highest current start; every set must
		// have a span that reaches it.
		lo := ss[0][idx[0]].lo
		for k, s := range ss {
			if lo.less(s[idx[k]].lo) {
				lo = s[idx[k]].lo
			}
		}
		ok := true
		for k, s := range ss {
			for s[idx[k]].hi.less(lo) {
				idx[k]++
				if idx[k] == len(s) {
					return false
				}
			}
			if lo.less(s[idx[k]].lo) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
}

// minus returns a \ b.
func minus(a, b set) set {
	if len(a) == 0 || len(b) == 0 {
		return a
	}
	var out set
	j := 0
	for _, x := range a {
		lo := x.lo
		done := false
		for j < len(b) && b[j].hi.less(lo) {
			j++
		}
		k := j
		for k < len(b) && !x.hi.less(b[k].lo) {
			if lo.less(b[k].lo) {
				out = append(out, span{lo, b[k].lo.dec()})
			}
			if !b[k].hi.less(x.hi) {
				done = true
				break
			}
			lo = b[k].hi.inc()
			k++
		}
		if !done {
			out = append(out, span{lo, x.hi})
		}
	}
	return out
}

// prefixSet is the set of one CIDR. ok is false when the text is not a CIDR
// (or a bare address, read as /32 or /128).
func prefixSet(cidr string) (set, fam, bool) {
	cidr = strings.TrimSpace(cidr)
	var p netip.Prefix
	var err error
	if strings.Contains(cidr, "/") {
		p, err = netip.ParsePrefix(cidr)
	} else {
		var a netip.Addr
		a, err = netip.ParseAddr(cidr)
		if err == nil {
			p = netip.PrefixFrom(a, a.BitLen())
		}
	}
	if err != nil {
		return nil, 0, false
	}
	p = p.Masked()
	a := p.Addr()
	if a.Is4In6() {
		a = a.Unmap()
		p = netip.PrefixFrom(a, p.Bits()-96)
	}
	f, lo := addrBits(a)
	hostBits := a.BitLen() - p.Bits()
	return set{{lo, lo.orMask(hostBits)}}, f, true
}

// orMask sets the low n bits.
func (a u128) orMask(n int) u128 {
	switch {
	case n <= 0:
		return a
	case n >= 128:
		return u128{^uint64(0), ^uint64(0)}
	case n >= 64:
		return u128{a.hi | (1<<(n-64) - 1), ^uint64(0)}
	default:
		return u128{a.hi, a.lo | (1<<n - 1)}
	}
}

// addrBits converts an address to its family and integer.
func addrBits(a netip.Addr) (fam, u128) {
	if a.Is4() || a.Is4In6() {
		b := a.Unmap().As4()
		return v4, u128{0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}
	}
	b := a.As16()
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return v6, u128{hi, lo}
}

// parseAddr reads one address.
func parseAddr(s string) (fam, u128, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return 0, u128{}, false
	}
	f, x := addrBits(a)
	return f, x, true
}

// addrString renders an address of a family.
func addrString(f fam, x u128) string {
	if f == v4 {
		return netip.AddrFrom4([4]byte{byte(x.lo >> 24), byte(x.lo >> 16), byte(x.lo >> 8), byte(x.lo)}).String()
	}
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(x.hi >> (56 - 8*i))
		b[8+i] = byte(x.lo >> (56 - 8*i))
	}
	return netip.AddrFrom16(b).String()
}

// singleton is the set holding one address.
func singleton(x u128) set { return set{{x, x}} }

// mustSet builds a set from CIDRs of one family; it panics on bad input and
// is meant for package-level tables.
func mustSet(f fam, cidrs ...string) set {
	var s set
	for _, c := range cidrs {
		p, pf, ok := prefixSet(c)
		if !ok || pf != f {
			panic(fmt.Sprintf("reach: bad %s CIDR %q", f, c))
		}
		s = union(s, p)
	}
	return s
}

// Non-public address space. The "internet" source is every address outside
// these ranges: private (RFC 1918), shared CGNAT (RFC 6598), loopback,
// link-local, "this network", multicast and reserved for IPv4; everything but
// global unicast (2000::/3) for IPv6.
var (
	publicV4 = minus(universe(v4), mustSet(v4,
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"))
	publicV6 = mustSet(v6, "2000::/3")
)

// internet is the public address space of a family.
func internet(f fam) set {
	if f == v6 {
		return publicV6
	}
	return publicV4
}

// isPublic reports whether an address is in the family's public space.
func isPublic(f fam, x u128) bool { return internet(f).contains(x) }

// cidrs renders a set for people: the whole public space as the default
// route, most of it as the default route "except" a few ranges (the VPC's
// own CIDR, a denied /8), otherwise as a minimal list of CIDRs, at most max
// entries (the last one then says how many were left out).
func (s set) cidrs(f fam, max int) []string {
	if s.empty() {
		return nil
	}
	world := "0.0.0.0/0"
	if f == v6 {
		world = "::/0"
	}
	pub := internet(f)
	if s.covers(pub) {
		return []string{world}
	}
	if in := intersect(s, pub); !in.empty() {
		holes := minus(pub, s)
		if hs, n := holes.prefixes(f, 3); n <= 3 && in.size() > holes.size() {
			return []string{world + " except " + strings.Join(hs, ", ")}
		}
	}
	out, n := s.prefixes(f, max)
	if n > max && max > 0 {
		out[max-1] = fmt.Sprintf("(+%d more)", n-max+1)
	}
	return out
}

// prefixes splits a set into a minimal list of CIDRs, returning at most max
// of them and how many there are in all.
func (s set) prefixes(f fam, max int) ([]string, int) {
	width := 32
	if f == v6 {
		width = 128
	}
	var out []string
	n := 0
	for _, sp := range s {
		lo := sp.lo
		for {
			// Largest aligned block starting at lo that stays within sp.hi.
			size := trailingZeros(lo, width)
			for size > 0 && sp.hi.less(lo.orMask(size)) {
				size--
			}
			if len(out) < max {
				out = append(out, fmt.Sprintf("%s/%d", addrString(f, lo), width-size))
			}
			n++
			end := lo.orMask(size)
			if end == sp.hi {
				break
			}
			lo = end.inc()
		}
	}
	return out, n
}

// size is the bit length of the largest span of a set: a log-scale measure
// enough to tell "most of the internet" from "a few ranges".
func (s set) size() int {
	best := 0
	for _, sp := range s {
		lo, borrow := bits.Sub64(sp.hi.lo, sp.lo.lo, 0)
		hi := sp.hi.hi - sp.lo.hi - borrow
		n := bits.Len64(lo)
		if hi != 0 {
			n = 64 + bits.Len64(hi)
		}
		if n > best {
			best = n
		}
	}
	return best
}

// trailingZeros counts the zero low bits of x, capped at width.
func trailingZeros(x u128, width int) int {
	var n int
	if x.lo != 0 {
		n = bits.TrailingZeros64(x.lo)
	} else if x.hi != 0 {
		n = 64 + bits.TrailingZeros64(x.hi)
	} else {
		n = 128
	}
	if n > width {
		n = width
	}
	return n
}
