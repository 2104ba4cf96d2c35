package freebusy

import mathbits "math/bits"

// radixBits is the width of one digit of sortBusy's radix sort: 2,048
// counters, which stay in the first-level cache.
const radixBits = 11

// sortBusy sorts bt in place by type, then start (stably), as mergeBusy
// needs it, with a least-significant-digit radix sort on the start's
// offset from base (no busy time starts before it: add clips to the
// range) and a last counting pass on the type. *scratch is memory for
// the passes, grown as needed and kept for the next call; it must not
// overlap bt. A month of starts takes two digit passes, a year three,
// where a comparison sort would call its comparator a dozen times per
// element.
func sortBusy(bt []busyTime, scratch *[]busyTime, base int64) {
	if len(bt) < 2 {
		return
	}
	if cap(*scratch) < len(bt) {
		*scratch = make([]busyTime, len(bt))
	}
	tmp := (*scratch)[:len(bt)]
	var maxOff uint64
	for _, x := range bt {
		maxOff = max(maxOff, uint64(x.start-base))
	}
	src, dst := bt, tmp
	var count [1 << radixBits]int
	for shift := 0; shift < mathbits.Len64(maxOff); shift += radixBits {
		clear(count[:])
		for _, x := range src {
			count[(uint64(x.start-base)>>shift)&(1<<radixBits-1)]++
		}
		sum := 0
		for i, n := range count {
			count[i] = sum
			sum += n
		}
		for _, x := range src {
			d := (uint64(x.start-base) >> shift) & (1<<radixBits - 1)
			dst[count[d]] = x
			count[d]++
		}
		src, dst = dst, src
	}
	var kinds [kindUnavailable + 2]int
	for _, x := range src {
		kinds[x.kind+1]++
	}
	if kinds[1] != len(src) && kinds[2] != len(src) && kinds[3] != len(src) {
		for k := 1; k < len(kinds); k++ {
			kinds[k] += kinds[k-1]
		}
		for _, x := range src {
			dst[kinds[x.kind]] = x
			kinds[x.kind]++
		}
		src, dst = dst, src
	} // else one type: already in order
	if &src[0] != &bt[0] {
		copy(bt, src)
	}
}
