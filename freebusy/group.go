package freebusy

import "github.com/emersion/go-ical"

// componentGroup is a master component and its overrides: the
// components of one name with one UID.
type componentGroup struct {
	uid   string
	comps []*ical.Component
}

// eachGroup calls fn for each group of children named name with one UID,
// in order of first appearance; the group's UID is that of comps[0]. In
// the usual object, where those children are adjacent and share one UID,
// it allocates nothing, and a lone child's UID is not even read.
func eachGroup(children []*ical.Component, name string, fn func(comps []*ical.Component)) {
	run, adjacent := adjacentRun(children, name)
	if !adjacent {
		eachGroupByUID(children, name, fn)
		return
	}
	if len(run) == 0 {
		return
	}
	if len(run) > 1 {
		uid := propValue(run[0], "UID")
		for _, c := range run[1:] {
			if propValue(c, "UID") != uid {
				eachGroupByUID(children, name, fn)
				return
			}
		}
	}
	fn(run)
}

// adjacentRun returns the children named name when they follow each
// other (none at all is an empty run), without reading their UIDs;
// adjacent is false when other children come between them.
func adjacentRun(children []*ical.Component, name string) (run []*ical.Component, adjacent bool) {
	first, last := -1, -1
	for i, child := range children {
		if child.Name != name {
			continue
		}
		if first >= 0 && last != i-1 {
			return nil, false
		}
		if first < 0 {
			first = i
		}
		last = i
	}
	if first < 0 {
		return nil, true
	}
	return children[first : last+1], true
}

// eachGroupByUID is eachGroup for children that are not one adjacent
// run of one UID.
func eachGroupByUID(children []*ical.Component, name string, fn func(comps []*ical.Component)) {
	for _, g := range groupComponents(children, name) {
		fn(g.comps)
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
