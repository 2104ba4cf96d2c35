package schedule

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"unicode"
)

// XML namespaces.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
)

// maxXMLDepth and maxXMLNodes bound the XML documents the middleware
// parses (request bodies and go-webdav's answers).
const (
	maxXMLDepth = 64
	maxXMLNodes = 200000
)

var errXMLTooComplex = errors.New("schedule: XML document too deep or too large")

// node is an XML element of a small document tree with namespaces
// resolved: enough to read request bodies and to patch multistatus
// answers, and to write them back.
type node struct {
	name     xml.Name
	attrs    []xml.Attr // without namespace declarations
	children []*node
	text     string // character data directly inside the element
}

// parseXML reads one XML document into a tree.
func parseXML(r io.Reader) (*node, error) {
	dec := xml.NewDecoder(r)
	var stack []*node
	var root *node
	count := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("schedule: malformed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if len(stack) >= maxXMLDepth || count > maxXMLNodes {
				return nil, errXMLTooComplex
			}
			if !isName(t.Name.Local) {
				return nil, fmt.Errorf("schedule: malformed XML: element name %q", t.Name.Local)
			}
			n := &node{name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				if !isName(a.Name.Local) {
					return nil, fmt.Errorf("schedule: malformed XML: attribute name %q", a.Name.Local)
				}
				n.attrs = append(n.attrs, a)
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("schedule: malformed XML: more than one root element")
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, errors.New("schedule: malformed XML: unbalanced end element")
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("schedule: malformed XML: no root element")
	}
	if len(stack) != 0 {
		return nil, errors.New("schedule: malformed XML: unclosed element")
	}
	return root, nil
}

// is reports whether the element has the given namespace and local name.
func (n *node) is(space, local string) bool {
	return n != nil && n.name.Space == space && n.name.Local == local
}

// child returns the first child element with that name, or nil.
func (n *node) child(space, local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.is(space, local) {
			return c
		}
	}
	return nil
}

// all returns every child element with that name.
func (n *node) all(space, local string) []*node {
	var out []*node
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.is(space, local) {
			out = append(out, c)
		}
	}
	return out
}

// el builds an element with children.
func el(space, local string, children ...*node) *node {
	return &node{name: xml.Name{Space: space, Local: local}, children: children}
}

// textEl builds an element holding text.
func textEl(space, local, text string) *node {
	return &node{name: xml.Name{Space: space, Local: local}, text: text}
}

// hrefEl builds a DAV:href.
func hrefEl(href string) *node { return textEl(nsDAV, "href", href) }

// prefix returns the prefix written for a well-known namespace.
func prefix(space string) (string, bool) {
	switch space {
	case nsDAV:
		return "D", true
	case nsCalDAV:
		return "C", true
	case nsCalendarServer:
		return "CS", true
	}
	return "", false
}

// nsCalendarServer is Apple's namespace, common in clients' requests.
const nsCalendarServer = "http://calendarserver.org/ns/"

// writeXML serialises the tree as a document with an XML declaration;
// the well-known namespaces are declared once on the root element.
func writeXML(w io.Writer, root *node) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	root.write(&buf, true)
	_, err := w.Write(buf.Bytes())
	return err
}

func (n *node) write(buf *bytes.Buffer, root bool) {
	buf.WriteByte('<')
	qname := n.qname()
	buf.WriteString(qname)
	if root {
		buf.WriteString(` xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/"`)
	}
	if _, ok := prefix(n.name.Space); !ok {
		buf.WriteString(` xmlns="`)
		xml.EscapeText(buf, []byte(n.name.Space))
		buf.WriteByte('"')
	}
	for i, a := range n.attrs {
		buf.WriteByte(' ')
		if a.Name.Space != "" {
			// Attributes in a namespace are written with their own
			// prefix declaration.
			fmt.Fprintf(buf, `xmlns:a%d="`, i)
			xml.EscapeText(buf, []byte(a.Name.Space))
			fmt.Fprintf(buf, `" a%d:`, i)
		}
		buf.WriteString(a.Name.Local)
		buf.WriteString(`="`)
		xml.EscapeText(buf, []byte(a.Value))
		buf.WriteByte('"')
	}
	if len(n.children) == 0 && n.text == "" {
		buf.WriteString("/>")
		return
	}
	buf.WriteByte('>')
	xml.EscapeText(buf, []byte(n.text))
	for _, c := range n.children {
		c.write(buf, false)
	}
	buf.WriteString("</")
	buf.WriteString(qname)
	buf.WriteByte('>')
}

func (n *node) qname() string {
	if p, ok := prefix(n.name.Space); ok {
		return p + ":" + n.name.Local
	}
	return n.name.Local
}

// marshalNode turns a value that encoding/xml marshals into a tree.
func marshalNode(v any) (*node, error) {
	data, err := xml.Marshal(v)
	if err != nil {
		return nil, err
	}
	return parseXML(bytes.NewReader(data))
}

// attrOf builds an attribute without namespace.
func attrOf(local, value string) xml.Attr {
	return xml.Attr{Name: xml.Name{Local: local}, Value: value}
}

// isName reports whether s is an XML name without colon (a simplified
// NCName test: encoding/xml accepts names that XML does not, which could
// not be written back).
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || unicode.IsLetter(r):
		case i > 0 && (r == '-' || r == '.' || unicode.IsDigit(r)):
		default:
			return false
		}
	}
	return true
}
