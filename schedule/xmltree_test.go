package schedule

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseXML: parseXML never panics, and whatever it accepts writes back
// as a document that parses to the same tree.
func FuzzParseXML(f *testing.F) {
	for _, s := range []string{
		propfindPrincipal,
		`<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x:a xmlns:x="urn:x" x:attr="1">t&amp;</x:a></D:prop></D:set></D:propertyupdate>`,
		`<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>`,
		`<a><b>`, `<a></b>`, `<a/><b/>`, ``, `<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := parseXML(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := writeXML(&out, root); err != nil {
			t.Fatal(err)
		}
		again, err := parseXML(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out.Bytes())
		}
		if a, b := dump(root), dump(again); a != b {
			t.Fatalf("round trip changed the tree:\n%s\n%s", a, b)
		}
	})
}

// dump renders a tree for comparison.
func dump(n *node) string {
	var b strings.Builder
	var walk func(*node)
	walk = func(n *node) {
		b.WriteString("<" + n.name.Space + "|" + n.name.Local)
		for _, a := range n.attrs {
			b.WriteString(" " + a.Name.Space + "|" + a.Name.Local + "=" + a.Value)
		}
		b.WriteString(">" + n.text)
		for _, c := range n.children {
			walk(c)
		}
		b.WriteString("</>")
	}
	walk(n)
	return b.String()
}

func TestParseXMLLimits(t *testing.T) {
	deep := strings.Repeat("<a>", maxXMLDepth+1) + strings.Repeat("</a>", maxXMLDepth+1)
	if _, err := parseXML(strings.NewReader(deep)); err == nil {
		t.Error("too deep a document was accepted")
	}
	if _, err := parseXML(strings.NewReader("<a/><b/>")); err == nil {
		t.Error("two roots accepted")
	}
}
