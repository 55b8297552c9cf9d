package prcomment

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxEventSize bounds how much of GITHUB_EVENT_PATH is read; real payloads are far
// smaller.
const maxEventSize = 32 << 20

// FromEnv fills Options from the GitHub Actions environment: GITHUB_TOKEN,
// GITHUB_REPOSITORY, GITHUB_API_URL, and the pull request number from the event at
// GITHUB_EVENT_PATH (pull_request.number, else number, else issue.number) unless pr > 0
// is given. getenv is os.Getenv in production.
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
	if pr <= 0 {
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

// eventPR reads the pull request number from the workflow's event payload.
func eventPR(getenv func(string) string) (int, error) {
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return 0, errors.New("no pull request number: GITHUB_EVENT_PATH is not set; pass --pr N")
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("no pull request number: read GITHUB_EVENT_PATH: %w; pass --pr N", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEventSize))
	if err != nil {
		return 0, fmt.Errorf("no pull request number: read GITHUB_EVENT_PATH: %w; pass --pr N", err)
	}
	var ev struct {
		Number      int `json:"number"`
		PullRequest struct {
			Number int `json:"number"`
		} `json:"pull_request"`
		Issue struct {
			Number int `json:"number"`
		} `json:"issue"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return 0, fmt.Errorf("no pull request number: GITHUB_EVENT_PATH %s is not valid JSON (%v); pass --pr N", path, err)
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
