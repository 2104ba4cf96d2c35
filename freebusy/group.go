package freebusy

import "github.com/emersion/go-ical"

// componentGroup is a master component and its overrides: the
// components of one name with one UID.
type componentGroup struct {
	uid   string
	comps []*ical.Component
}

// eachGroup calls fn for each group of children named name with one UID,
// in order of first appearance. In the usual object, where those children
// are adjacent and share one UID, it allocates nothing.
func eachGroup(children []*ical.Component, name string, fn func(uid string, comps []*ical.Component)) {
	first, last := -1, -1
	uid := ""
	for i, child := range children {
		if child.Name != name {
			continue
		}
		u := propValue(child, "UID")
		switch {
		case first < 0:
			first, uid = i, u
		case u != uid || last != i-1:
			for _, g := range groupComponents(children, name) {
				fn(g.uid, g.comps)
			}
			return
		}
		last = i
	}
	if first >= 0 {
		fn(uid, children[first:last+1])
	}
}

// groupComponents returns the children named name grouped by UID, in
// order of first appearance. The usual case (one UID) costs one
// allocation.
func groupComponents(children []*ical.Component, name string) []componentGroup {
	var groups []componentGroup
	var index map[string]int
	for _, child := range children {
		if child.Name != name {
			continue
		}
		uid := propValue(child, "UID")
		switch {
		case len(groups) == 0:
			groups = append(groups, componentGroup{uid: uid, comps: []*ical.Component{child}})
			continue
		case index == nil && groups[0].uid == uid:
			groups[0].comps = append(groups[0].comps, child)
			continue
		case index == nil:
			index = map[string]int{groups[0].uid: 0}
		}
		if i, ok := index[uid]; ok {
			groups[i].comps = append(groups[i].comps, child)
		} else {
			index[uid] = len(groups)
			groups = append(groups, componentGroup{uid: uid, comps: []*ical.Component{child}})
		}
	}
	return groups
}

func propValue(c *ical.Component, name string) string {
	if ps := c.Props[name]; len(ps) > 0 {
		return ps[0].Value
	}
	return ""
}
