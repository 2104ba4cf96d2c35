package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Bounds of a run.
const (
	maxRequests = 1_000_000
	maxDuration = 10 * time.Minute
	maxClients  = 256
	maxUsers    = 10_000
)

// errUsage is returned for a bad command line (exit status 2).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	base      *url.URL
	users     []account
	clients   int
	requests  int
	duration  time.Duration
	scenarios []string
}

// account is a user of the server, from its users file.
type account struct {
	Username  string   `json:"username"`
	Password  string   `json:"password"`
	Addresses []string `json:"addresses"`
}

// scenarioNames are the scenarios in the order they run.
var scenarioNames = []string{"organizer-put", "attendee-accept", "freebusy-post"}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", "", "root `URL` of the server (loopback only), e.g. http://127.0.0.1:8080/")
	usersFile := fs.String("users", "", "the server's users `file` (plain-text passwords, at least 4 users)")
	c := &config{}
	fs.IntVar(&c.clients, "c", 8, "concurrent clients")
	fs.IntVar(&c.requests, "n", 2000, "requests per scenario (ignored with -duration)")
	fs.DurationVar(&c.duration, "duration", 0, "run each scenario for this long instead of -n requests")
	only := fs.String("scenarios", strings.Join(scenarioNames, ","), "comma-separated scenarios to run")
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	fail := func(format string, a ...any) (*config, error) {
		fmt.Fprintf(stderr, format+"\n", a...)
		return nil, errUsage
	}
	if *rawURL == "" || *usersFile == "" {
		return fail("-url and -users are required")
	}
	switch {
	case c.clients < 1 || c.clients > maxClients:
		return fail("-c must be between 1 and %d", maxClients)
	case c.duration == 0 && (c.requests < 1 || c.requests > maxRequests):
		return fail("-n must be between 1 and %d", maxRequests)
	case c.duration < 0 || c.duration > maxDuration:
		return fail("-duration must be between 0 and %s", maxDuration)
	}
	base, err := loopbackURL(*rawURL)
	if err != nil {
		return fail("-url: %v", err)
	}
	c.base = base
	if c.users, err = readAccounts(*usersFile); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(*only, ",") {
		s = strings.TrimSpace(s)
		known := false
		for _, n := range scenarioNames {
			known = known || n == s
		}
		if !known {
			return fail("unknown scenario %q (known: %s)", s, strings.Join(scenarioNames, ", "))
		}
		c.scenarios = append(c.scenarios, s)
	}
	return c, nil
}

// loopbackURL parses raw and refuses hosts that are not loopback
// addresses: loadgen is for a server on this machine.
func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("host %q is not a loopback address", host)
	}
	u.Path = "/" + strings.Trim(u.Path, "/")
	if u.Path != "/" {
		u.Path += "/"
	}
	return u, nil
}

// readAccounts reads the users file: at least four accounts with
// plain-text passwords and an address each.
func readAccounts(path string) ([]account, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var users []account
	if err := json.NewDecoder(io.LimitReader(f, 16<<20)).Decode(&users); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(users) < 4 || len(users) > maxUsers {
		return nil, fmt.Errorf("%s: need between 4 and %d users, have %d", path, maxUsers, len(users))
	}
	for _, u := range users {
		if strings.HasPrefix(u.Password, "$2") || len(u.Addresses) == 0 || u.Username == "" {
			return nil, fmt.Errorf("%s: user %q needs a plain-text password and an address", path, u.Username)
		}
	}
	return users, nil
}

// run parses the command line, runs the scenarios and prints the table.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        cfg.clients * 2,
			MaxIdleConnsPerHost: cfg.clients * 2,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	g := &generator{cfg: cfg, client: client, stderr: stderr, runID: time.Now().UTC().Format("150405.000000")}
	var results []*result
	for _, name := range cfg.scenarios {
		r, err := g.scenario(ctx, name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		results = append(results, r)
	}
	fmt.Fprintf(stdout, "%s, %d clients, %d users\n", cfg.base, cfg.clients, len(cfg.users))
	printResults(stdout, results)
	return nil
}
