package prcomment

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

// maxEventSize bounds how much of GITHUB_EVENT_PATH is read; real payloads are far
// smaller.
const maxEventSize = 32 << 20

// FromEnv fills Options from the GitHub Actions environment: GITHUB_TOKEN,
// GITHUB_REPOSITORY, GITHUB_API_URL, and the pull request number from the event at
// GITHUB_EVENT_PATH (pull_request.number, else number, else issue.number) unless pr > 0
// is given; a negative pr is an error. getenv is os.Getenv in production.
func FromEnv(getenv func(string) string, pr int) (Options, error) {
	opts := Options{
		Token:  strings.TrimSpace(getenv("GITHUB_TOKEN")),
		Repo:   strings.TrimSpace(getenv("GITHUB_REPOSITORY")),
		APIURL: strings.TrimSpace(getenv("GITHUB_API_URL")),
		Marker: DefaultMarker,
		PR:     pr,
	}
	var errs []error
	if opts.Token == "" {
		errs = append(errs, errors.New("GITHUB_TOKEN is not set: give the step `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`, or run without --comment"))
	}
	if opts.Repo == "" {
		errs = append(errs, errors.New("GITHUB_REPOSITORY is not set: set it to owner/name"))
	} else if _, _, err := splitRepo(opts.Repo); err != nil {
		errs = append(errs, err)
	}
	switch {
	case pr < 0:
		errs = append(errs, fmt.Errorf("--pr %d is not a pull request number: it must be positive", pr))
	case pr == 0:
		n, err := eventPR(getenv)
		if err != nil {
			errs = append(errs, err)
		}
		opts.PR = n
	}
	if len(errs) > 0 {
		return Options{}, fmt.Errorf("comment on the pull request: %w", errors.Join(errs...))
	}
	return opts, nil
}

// event is what portalctl reads of the workflow's event payload.
type event struct {
	Number      int `json:"number"`
	PullRequest struct {
		Number int `json:"number"`
		Head   struct {
			Repo struct {
				FullName string `json:"full_name"`
				Fork     bool   `json:"fork"`
			} `json:"repo"`
		} `json:"head"`
		Base struct {
			Repo struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"base"`
	} `json:"pull_request"`
	Issue struct {
		Number int `json:"number"`
	} `json:"issue"`
}

// readEvent reads the payload at GITHUB_EVENT_PATH.
func readEvent(getenv func(string) string) (*event, error) {
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return nil, errors.New("GITHUB_EVENT_PATH is not set")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read GITHUB_EVENT_PATH: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEventSize))
	if err != nil {
		return nil, fmt.Errorf("read GITHUB_EVENT_PATH: %w", err)
	}
	var ev event
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, fmt.Errorf("GITHUB_EVENT_PATH %s is not valid JSON (%v)", path, err)
	}
	return &ev, nil
}

// eventPR reads the pull request number from the workflow's event payload.
func eventPR(getenv func(string) string) (int, error) {
	ev, err := readEvent(getenv)
	if err != nil {
		return 0, fmt.Errorf("no pull request number: %w; pass --pr N", err)
	}
	for _, n := range []int{ev.PullRequest.Number, ev.Number, ev.Issue.Number} {
		if n > 0 {
			return n, nil
		}
	}
	name := getenv("GITHUB_EVENT_NAME")
	if name == "" {
		name = "this event"
	}
	return 0, fmt.Errorf("no pull request number in the %s event at GITHUB_EVENT_PATH: run on pull_request or pass --pr N", name)
}

// ForkOf returns the repository a pull request comes from when the workflow's event
// says it is a fork, else "". Such a pull request's workflow gets a read-only token.
func ForkOf(getenv func(string) string) string {
	ev, err := readEvent(getenv)
	if err != nil {
		return ""
	}
	head, base := ev.PullRequest.Head.Repo.FullName, ev.PullRequest.Base.Repo.FullName
	if ev.PullRequest.Head.Repo.Fork || head != "" && base != "" && !strings.EqualFold(head, base) {
		if head == "" {
			return "a fork"
		}
		return head
	}
	return ""
}

// RepositoryURL is the repository's web address from GITHUB_SERVER_URL and
// GITHUB_REPOSITORY, or "" when either is missing or malformed.
func RepositoryURL(getenv func(string) string) string {
	server := strings.TrimRight(strings.TrimSpace(getenv("GITHUB_SERVER_URL")), "/")
	u, err := url.Parse(server)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return ""
	}
	owner, name, err := splitRepo(strings.TrimSpace(getenv("GITHUB_REPOSITORY")))
	if err != nil {
		return ""
	}
	return server + "/" + url.PathEscape(owner) + "/" + url.PathEscape(name)
}

// RunURL is the web address of the workflow run (GITHUB_RUN_ID, and
// GITHUB_RUN_ATTEMPT past the first), or "".
func RunURL(getenv func(string) string) string {
	repo := RepositoryURL(getenv)
	id := strings.TrimSpace(getenv("GITHUB_RUN_ID"))
	if repo == "" || !digits(id) {
		return ""
	}
	out := repo + "/actions/runs/" + id
	if a := strings.TrimSpace(getenv("GITHUB_RUN_ATTEMPT")); digits(a) && strings.TrimLeft(a, "0") != "1" && strings.TrimLeft(a, "0") != "" {
		out += "/attempts/" + a
	}
	return out
}

func digits(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Warning formats a workflow command that shows msg as a warning annotation.
func Warning(title, msg string) string {
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	return "::warning title=" + prop.Replace(title) + "::" + data.Replace(msg) + "\n"
}

// MaxStepSummary is GitHub's limit on a step's summary, in bytes.
const MaxStepSummary = 1 << 20

// StepSummaryRoom says how many bytes of markdown the step summary still takes, and
// whether GITHUB_STEP_SUMMARY is set: the limit is on the file, so what an earlier
// command of the step wrote counts.
func StepSummaryRoom(getenv func(string) string) (int, bool) {
	path := getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return 0, false
	}
	used := int64(0)
	if fi, err := os.Stat(path); err == nil {
		used = fi.Size()
	}
	return max(0, MaxStepSummary-int(used)-1), true
}

// WriteStepSummary appends markdown to the file named by GITHUB_STEP_SUMMARY when it is
// set, and does nothing otherwise. Earlier steps' summaries in that file are kept.
func WriteStepSummary(getenv func(string) string, markdown string) error {
	path := getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("write step summary (GITHUB_STEP_SUMMARY): %w", err)
	}
	if _, err := io.WriteString(f, markdown); err != nil {
		_ = f.Close()
		return fmt.Errorf("write step summary %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write step summary %s: %w", path, err)
	}
	return nil
}
