package imip

import (
	htmltemplate "html/template"
	texttemplate "text/template"
)

// Templates render the human-readable parts of a mail from a *Summary.
// A server author replaces either with their own; the HTML one is an
// html/template, so every value taken from calendar data (SUMMARY,
// LOCATION, names …) is escaped for its context.
type Templates struct {
	// Text renders the text/plain part.
	Text *texttemplate.Template
	// HTML renders the text/html part.
	HTML *htmltemplate.Template
}

// DefaultTemplates returns the built-in templates (English).
func DefaultTemplates() Templates {
	return Templates{
		Text: texttemplate.Must(texttemplate.New("text").Parse(defaultText)),
		HTML: htmltemplate.Must(htmltemplate.New("html").Parse(defaultHTML)),
	}
}

// defaultText is the built-in text/plain template.
const defaultText = `{{.Headline}}

{{with .ReplyPhrase}}{{.}}

{{end -}}
Title:     {{.Title}}
When:      {{.When}}
{{with .Repeats}}Repeats:   {{.}}
{{end}}{{with .Location}}Where:     {{.}}
{{end}}{{with .Organizer.Email}}Organizer: {{$.Organizer}}
{{end}}{{if .Attendees}}Who:
{{range .Attendees}}  - {{.}}{{with .PartStat}} ({{.}}){{end}}
{{end}}{{with .MoreAttendees}}  … and {{.}} more
{{end}}{{end}}{{if .Changes}}
What changed:
{{range .Changes}}  - {{.Field}}: {{with .Old}}{{.}} -> {{end}}{{.New}}
{{end}}{{end}}{{with .Comment}}
Comment: {{.}}
{{end}}{{with .Description}}
{{.}}
{{end}}{{with .URL}}
{{.}}
{{end}}
--
{{.ProductName}}: the attached calendar data (text/calendar) can be
opened by any calendar application.
`

// defaultHTML is the built-in text/html template.
const defaultHTML = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif">
<h2>{{.Headline}}</h2>
{{with .ReplyPhrase}}<p>{{.}}</p>{{end}}
<table>
<tr><th align="left">Title</th><td>{{.Title}}</td></tr>
<tr><th align="left">When</th><td>{{.When}}</td></tr>
{{with .Repeats}}<tr><th align="left">Repeats</th><td>{{.}}</td></tr>{{end}}
{{with .Location}}<tr><th align="left">Where</th><td>{{.}}</td></tr>{{end}}
{{with .Organizer.Email}}<tr><th align="left">Organizer</th><td>{{with $.Organizer.Name}}{{.}} {{end}}&lt;<a href="mailto:{{$.Organizer.Email}}">{{$.Organizer.Email}}</a>&gt;</td></tr>{{end}}
{{if .Attendees}}<tr><th align="left" valign="top">Who</th><td><ul>{{range .Attendees}}<li>{{.}}{{with .PartStat}} ({{.}}){{end}}</li>{{end}}{{with .MoreAttendees}}<li>… and {{.}} more</li>{{end}}</ul></td></tr>{{end}}
</table>
{{if .Changes}}<h3>What changed</h3><ul>{{range .Changes}}<li>{{.Field}}: {{with .Old}}<s>{{.}}</s> → {{end}}{{.New}}</li>{{end}}</ul>{{end}}
{{with .Comment}}<p><b>Comment:</b> {{.}}</p>{{end}}
{{with .Description}}<p style="white-space: pre-wrap">{{.}}</p>{{end}}
{{with .URL}}<p><a href="{{.}}">{{.}}</a></p>{{end}}
<hr><p style="color: #666; font-size: small">{{.ProductName}}: the attached calendar data can be opened by any calendar application.</p>
</body></html>
`
