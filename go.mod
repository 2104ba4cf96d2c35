module github.com/go-autoschedule/autoschedule

go 1.22

require (
	github.com/emersion/go-ical v0.0.0-20250609112844-439c63cef608
	github.com/emersion/go-message v0.18.2
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6
	github.com/emersion/go-smtp v0.25.1
	github.com/emersion/go-webdav v0.7.0
	github.com/teambition/rrule-go v1.8.2
)
