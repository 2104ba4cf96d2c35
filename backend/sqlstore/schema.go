package sqlstore

// migrations lists the schema changes in order: migrations[i] brings a
// database from version i to version i+1. Released entries are never
// edited; a change to the schema is a new entry at the end. Each entry
// runs in one transaction together with the update of schema_version.
//
// Times are stored as integers (Unix seconds for the time-range index,
// Unix microseconds for modification times) so both dialects compare
// them the same way; span.go explains span_class and the range index.
var migrations = [][]string{
	// Version 1: principals, calendars, calendar objects, inboxes.
	{
		`CREATE TABLE principals (
			id {id},
			path TEXT NOT NULL,
			display_name TEXT NOT NULL,
			type TEXT NOT NULL,
			home_path TEXT NOT NULL,
			inbox_path TEXT NOT NULL,
			outbox_path TEXT NOT NULL,
			CONSTRAINT principals_path_key UNIQUE (path)
		)`,
		`CREATE INDEX principals_home_path ON principals (home_path)`,
		`CREATE INDEX principals_inbox_path ON principals (inbox_path)`,
		`CREATE INDEX principals_outbox_path ON principals (outbox_path)`,
		`CREATE TABLE principal_addresses (
			principal_id BIGINT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
			seq INTEGER NOT NULL,
			address TEXT NOT NULL,
			PRIMARY KEY (principal_id, seq)
		)`,
		`CREATE TABLE principal_keys (
			address_key TEXT NOT NULL,
			principal_id BIGINT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
			CONSTRAINT principal_keys_pkey PRIMARY KEY (address_key)
		)`,
		`CREATE INDEX principal_keys_principal ON principal_keys (principal_id)`,
		`CREATE TABLE calendars (
			id {id},
			principal_id BIGINT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
			path TEXT NOT NULL,
			display_name TEXT NOT NULL,
			description TEXT NOT NULL,
			components TEXT NOT NULL,
			transparent {bool} NOT NULL,
			max_resource_size BIGINT NOT NULL,
			CONSTRAINT calendars_path_key UNIQUE (path)
		)`,
		`CREATE INDEX calendars_principal ON calendars (principal_id)`,
		`CREATE TABLE default_calendars (
			principal_id BIGINT NOT NULL PRIMARY KEY REFERENCES principals (id) ON DELETE CASCADE,
			calendar_id BIGINT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE
		)`,
		`CREATE INDEX default_calendars_calendar ON default_calendars (calendar_id)`,
		`CREATE TABLE objects (
			id {id},
			calendar_id BIGINT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
			principal_id BIGINT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
			name TEXT NOT NULL,
			data {blob} NOT NULL,
			etag TEXT NOT NULL,
			schedule_tag TEXT NOT NULL,
			mod_time BIGINT NOT NULL,
			uid TEXT NOT NULL,
			component TEXT NOT NULL,
			first_ts BIGINT,
			last_ts BIGINT,
			span_class INTEGER NOT NULL,
			unbounded {bool} NOT NULL,
			CONSTRAINT objects_name_key UNIQUE (calendar_id, name),
			CONSTRAINT objects_uid_key UNIQUE (calendar_id, uid)
		)`,
		`CREATE INDEX objects_principal_uid ON objects (principal_id, uid)`,
		`CREATE INDEX objects_calendar_range ON objects (calendar_id, span_class, first_ts, last_ts)`,
		`CREATE TABLE inbox (
			id {id},
			principal_id BIGINT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
			name TEXT NOT NULL,
			data {blob} NOT NULL,
			etag TEXT NOT NULL,
			mod_time BIGINT NOT NULL,
			CONSTRAINT inbox_name_key UNIQUE (principal_id, name)
		)`,
		`CREATE INDEX inbox_principal_time ON inbox (principal_id, mod_time, id)`,
		`CREATE INDEX inbox_time ON inbox (mod_time)`,
	},
	// Version 2: the outbox, a durable queue of messages for remote
	// recipients (outbox.go). id is the queue order; pair_key groups the
	// messages sent one at a time, oldest first; times are Unix
	// microseconds, 0 for none; lease is '' while no claim holds a row.
	{
		`CREATE TABLE outbox (
			id {id},
			msg_id TEXT NOT NULL,
			pair_key TEXT NOT NULL,
			sender TEXT NOT NULL,
			object_path TEXT NOT NULL,
			uid TEXT NOT NULL,
			recipient TEXT NOT NULL,
			method TEXT NOT NULL,
			supersedes {bool} NOT NULL,
			data {blob} NOT NULL,
			enqueued BIGINT NOT NULL,
			attempts INTEGER NOT NULL,
			next_attempt BIGINT NOT NULL,
			last_error TEXT NOT NULL,
			lease TEXT NOT NULL,
			lease_until BIGINT NOT NULL,
			CONSTRAINT outbox_msg_id_key UNIQUE (msg_id)
		)`,
		`CREATE INDEX outbox_pair ON outbox (pair_key, id)`,
	},
	// Version 3: what the recipient saw before an update
	// (backend.OutboundMessage.Previous), so that a queued update mail
	// lists what changed. NULL when unknown, as in rows queued before.
	{
		`ALTER TABLE outbox ADD COLUMN previous {blob}`,
	},
	// Version 4: a calendar's CALDAV:calendar-timezone (iCalendar text,
	// '' for none) and each principal's CALDAV:calendar-availability
	// (backend.AvailabilityStore, availability.go).
	{
		`ALTER TABLE calendars ADD COLUMN time_zone TEXT NOT NULL DEFAULT ''`,
		`CREATE TABLE availability (
			principal_id BIGINT NOT NULL PRIMARY KEY REFERENCES principals (id) ON DELETE CASCADE,
			data {blob} NOT NULL
		)`,
	},
}

// SchemaVersion is the schema version this package writes. Open migrates
// older databases to it and refuses newer ones.
const SchemaVersion = 4
