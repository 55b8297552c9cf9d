// Package prcomment speaks to GitHub for a pull request's preview: it keeps one sticky
// comment up to date (the first run creates it, later runs edit it in place), keeps
// portalctl's labels in step with the change, and writes the GitHub Actions step
// summary, which is all a pull request from a fork gets (its token is read-only).
package prcomment

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
)

// DefaultMarker is the hidden HTML comment that identifies the preview comment: a
// comment of ours starts with it.
const DefaultMarker = "<!-- portalctl:preview -->"

// DefaultAuthor is the login GitHub shows for comments written with the token
// GitHub Actions gives a workflow (GITHUB_TOKEN).
const DefaultAuthor = "github-actions[bot]"

// MaxBodyLen is GitHub's limit on a comment body, in characters. Upsert cuts a longer
// body (marker included) at a paragraph boundary and says so at the end.
const MaxBodyLen = 65536

// truncatedNote ends a body that Upsert had to cut.
const truncatedNote = "\n\n> [!WARNING]\n> This preview was cut to fit GitHub's 65,536-character comment limit. " +
	"The job summary and `portalctl preview` show it in full.\n"

// Errors that callers may branch on (errors.Is). A 403 on a pull request from a fork is
// expected: its token is read-only, so the caller should fall back to the step summary.
var (
	ErrUnauthorized = errors.New("GitHub rejected the token")
	ErrForbidden    = errors.New("the token may not comment on this pull request")
	ErrNotFound     = errors.New("repository or pull request not found")
)

// Options says where the comment goes and how to reach GitHub.
type Options struct {
	Token  string // GITHUB_TOKEN
	Repo   string // "owner/name" (GITHUB_REPOSITORY)
	PR     int    // pull request number
	APIURL string // GITHUB_API_URL; "" or https://api.github.com for github.com, else GitHub Enterprise Server
	Marker string // hidden marker identifying the comment; DefaultMarker when empty
	// Author is the login the token acts as, whose comments are ours to edit:
	// DefaultAuthor when empty; a personal access token's user, or an app's
	// "name[bot]", otherwise.
	Author     string
	HTTPClient *http.Client // optional
}

// Upsert finds the earlier comment of ours (searching every page of the pull
// request's comments, 100 per page), edits it in place when found, else creates it
// once. The marker is put first in body unless it is there already. It returns the
// comment's HTML URL and whether it was created.
//
// A comment is ours only when it starts with the marker and its author is the
// identity the token acts as (Options.Author): anyone may quote the marker, and
// another app's bot may echo it from a pull request's title; editing their
// comment would put the preview under their name, free for them to alter, and
// lose what they wrote.
func Upsert(ctx context.Context, opts Options, body string) (url string, created bool, err error) {
	c, err := newCommenter(opts)
	if err != nil {
		return "", false, err
	}
	return c.upsert(ctx, body)
}

type commenter struct {
	gh          *github.Client
	owner, name string
	pr          int
	marker      string
	author      string
	token       string
}

func newCommenter(opts Options) (*commenter, error) {
	if opts.Token == "" {
		return nil, errors.New("no GitHub token: set GITHUB_TOKEN")
	}
	owner, name, err := splitRepo(opts.Repo)
	if err != nil {
		return nil, err
	}
	if opts.PR <= 0 {
		return nil, fmt.Errorf("invalid pull request number %d: pass --pr N", opts.PR)
	}
	author := strings.TrimSpace(opts.Author)
	if author == "" {
		author = DefaultAuthor
	}
	if err := CheckAuthor(author); err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: time.Minute}
	if opts.HTTPClient != nil {
		own := *opts.HTTPClient // the caller's client is left as it is
		hc = &own
	}
	hc.CheckRedirect = sameOrigin(hc.CheckRedirect)
	gh := github.NewClient(hc).WithAuthToken(opts.Token)
	if base := strings.TrimSpace(opts.APIURL); !isGitHubDotCom(base) {
		api, uploads, err := enterpriseURLs(base)
		if err != nil {
			return nil, err
		}
		if gh, err = gh.WithEnterpriseURLs(api, uploads); err != nil {
			return nil, fmt.Errorf("GITHUB_API_URL %q: %w", base, err)
		}
	}
	marker := opts.Marker
	if marker == "" {
		marker = DefaultMarker
	}
	return &commenter{gh: gh, owner: owner, name: name, pr: opts.PR, marker: marker, author: author, token: opts.Token}, nil
}

// CheckAuthor refuses what cannot be the GitHub login a token acts as
// (Options.Author), saying what to write.
func CheckAuthor(login string) error {
	if !validLogin(login) {
		return fmt.Errorf("invalid comment author %q: want the GitHub login the token acts as, e.g. %s (GITHUB_TOKEN), my-user (a personal access token) or my-app[bot] (a GitHub App)", login, DefaultAuthor)
	}
	return nil
}

// validLogin says whether s may be a GitHub login: a user's (letters, digits and
// inner hyphens, at most 39) or an app's bot, the same followed by "[bot]".
func validLogin(s string) bool {
	s = strings.TrimSuffix(s, "[bot]")
	if s == "" || len(s) > 39 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// maxRedirects is how many redirects a call follows, as net/http's default does.
const maxRedirects = 10

// sameOrigin is the redirect policy of the GitHub client: a redirect to another
// scheme or host (its port included) is refused, with an error naming where it
// pointed. go-github's WithAuthToken puts the token on every request its client
// sends, redirected ones included, whatever net/http strips: following such a
// redirect would hand the token to whoever the redirect names. A redirect within
// the API's own origin (a renamed repository, say) is followed; then next, the
// caller's own policy, if any, has its say.
func sameOrigin(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		from, to := via[0].URL, req.URL
		if to.Scheme != from.Scheme || !strings.EqualFold(to.Host, from.Host) {
			where := url.URL{Scheme: to.Scheme, Host: to.Host, Path: to.Path}
			return fmt.Errorf("GitHub's answer redirects to %s, away from %s://%s: not followed, so the token is not sent there; check GITHUB_API_URL", where.String(), from.Scheme, from.Host)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
}

func (c *commenter) upsert(ctx context.Context, body string) (string, bool, error) {
	if !strings.HasPrefix(body, c.marker) {
		body = c.marker + "\n" + body
	}
	body = fit(body)

	existing, err := c.find(ctx)
	if err != nil {
		return "", false, err
	}
	if existing != nil {
		if existing.GetBody() == body {
			return existing.GetHTMLURL(), false, nil
		}
		edited, _, err := c.gh.Issues.EditComment(ctx, c.owner, c.name, existing.GetID(), &github.IssueComment{Body: &body})
		if err == nil {
			return edited.GetHTMLURL(), false, nil
		}
		// Deleted between listing and editing: post a fresh one.
		if status(err) != http.StatusNotFound {
			return "", false, c.explain("edit comment", err)
		}
	}
	made, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.name, c.pr, &github.IssueComment{Body: &body})
	if err != nil {
		return "", false, c.explain("create comment", err)
	}
	return made.GetHTMLURL(), true, nil
}

// The labels SyncLabels keeps in step with a change. Labels of other names are never
// touched.
const (
	LabelOpens    = "access:opens"    // a blueprint becomes open to every member
	LabelRemovals = "access:removals" // a member is removed from the portal
	LabelAdmins   = "access:admins"   // a member becomes an admin
	LabelPolicy   = "access:policy"   // the file's policy: section changes, or is broken
	// LabelOwnership: the root file's codeowners: or include: section changes
	// (docs/large-organizations.md).
	LabelOwnership = "access:ownership"
)

// ManagedLabels lists the labels SyncLabels manages.
func ManagedLabels() []string {
	return []string{LabelOpens, LabelRemovals, LabelAdmins, LabelPolicy, LabelOwnership}
}

// SyncLabels makes the pull request carry, of ManagedLabels, exactly those in want:
// it adds the ones absent (GitHub creates a label the repository lacks) and removes
// the others, leaving every other label alone. It returns what it changed.
func SyncLabels(ctx context.Context, opts Options, want []string) (added, removed []string, err error) {
	for _, l := range want {
		if !slices.Contains(ManagedLabels(), l) {
			return nil, nil, fmt.Errorf("label %q is not one portalctl manages (%s)", l, strings.Join(ManagedLabels(), ", "))
		}
	}
	c, err := newCommenter(opts)
	if err != nil {
		return nil, nil, err
	}
	have := map[string]bool{}
	opt := &github.ListOptions{Page: 1, PerPage: 100}
	for pages := 1; ; pages++ {
		labels, resp, err := c.gh.Issues.ListLabelsByIssue(ctx, c.owner, c.name, c.pr, opt)
		if err != nil {
			return nil, nil, c.explain("list labels", err)
		}
		for _, l := range labels {
			have[l.GetName()] = true
		}
		if resp.NextPage <= opt.Page {
			break
		}
		if pages == maxPages {
			return nil, nil, c.tooManyPages("/repos/{owner}/{repo}/issues/{number}/labels")
		}
		opt.Page = resp.NextPage
	}
	for _, l := range ManagedLabels() {
		switch {
		case slices.Contains(want, l) && !have[l]:
			added = append(added, l)
		case !slices.Contains(want, l) && have[l]:
			removed = append(removed, l)
		}
	}
	if len(added) > 0 {
		if _, _, err := c.gh.Issues.AddLabelsToIssue(ctx, c.owner, c.name, c.pr, added); err != nil {
			return nil, nil, c.explain("add labels "+strings.Join(added, ", "), err)
		}
	}
	for i, l := range removed {
		_, err := c.gh.Issues.RemoveLabelForIssue(ctx, c.owner, c.name, c.pr, url.PathEscape(l))
		// Removed by someone else meanwhile: that is what we wanted.
		if err != nil && status(err) != http.StatusNotFound {
			return added, removed[:i], c.explain("remove label "+l, err)
		}
	}
	return added, removed, nil
}

// maxPages bounds the pages of 100 a listing reads (100,000 comments or labels
// on one pull request, far more than GitHub shows on one): a Link header whose
// rel="next" keeps advancing would be followed forever.
const maxPages = 1000

// tooManyPages refuses a listing of route still going on after maxPages pages.
func (c *commenter) tooManyPages(route string) error {
	return fmt.Errorf("GET %s of %s/%s#%d: GitHub's Link header still names a next page after %d pages of 100, the most portalctl reads: a listing that does not end is not read", route, c.owner, c.name, c.pr, maxPages)
}

// find returns the first earlier comment of ours, or nil.
func (c *commenter) find(ctx context.Context) (*github.IssueComment, error) {
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{Page: 1, PerPage: 100}}
	for pages := 1; ; pages++ {
		comments, resp, err := c.gh.Issues.ListComments(ctx, c.owner, c.name, c.pr, opt)
		if err != nil {
			return nil, c.explain("list comments", err)
		}
		for _, cm := range comments {
			if c.ours(cm) {
				return cm, nil
			}
		}
		// A Link header that does not move forward would loop forever, and
		// so would one that moves forward for ever.
		if resp.NextPage <= opt.Page {
			return nil, nil
		}
		if pages == maxPages {
			return nil, c.tooManyPages("/repos/{owner}/{repo}/issues/{number}/comments")
		}
		opt.Page = resp.NextPage
	}
}

// ours reports whether a comment is one an earlier run wrote: it starts with the
// marker, and its author is the token's identity (logins compare regardless of
// case, as GitHub's do).
func (c *commenter) ours(cm *github.IssueComment) bool {
	return strings.HasPrefix(cm.GetBody(), c.marker) && strings.EqualFold(cm.GetUser().GetLogin(), c.author)
}

// apiError is an error whose message was written here (so it never carries the token)
// and that still unwraps to the sentinel and to go-github's error.
type apiError struct {
	msg  string
	errs []error
}

func (e *apiError) Error() string   { return e.msg }
func (e *apiError) Unwrap() []error { return e.errs }

// explain turns a go-github error into a message that says what to do. It is the one
// place errors leave this package, so it also redacts the token.
func (c *commenter) explain(op string, err error) error {
	where := fmt.Sprintf("%s/%s#%d", c.owner, c.name, c.pr)
	msg := fmt.Sprintf("%s on %s: %v", op, where, err)
	var kind error
	var (
		rate  *github.RateLimitError
		abuse *github.AbuseRateLimitError
		resp  *github.ErrorResponse
	)
	switch {
	case errors.As(err, &rate):
		msg = fmt.Sprintf("%s on %s: GitHub API rate limit exceeded, resets at %s", op, where, rate.Rate.Reset.Format(time.RFC3339))
	case errors.As(err, &abuse):
		msg = fmt.Sprintf("%s on %s: GitHub secondary rate limit hit, retry in %s", op, where, abuse.GetRetryAfter())
	case errors.As(err, &resp) && resp.Response != nil:
		detail := ""
		if resp.Message != "" {
			detail = fmt.Sprintf(": %q", resp.Message)
		}
		switch code := resp.Response.StatusCode; code {
		case http.StatusUnauthorized:
			kind = ErrUnauthorized
			msg = fmt.Sprintf("%s on %s: GitHub rejected GITHUB_TOKEN (401 Unauthorized%s): it is missing, expired or revoked",
				op, where, detail)
		case http.StatusForbidden:
			kind = ErrForbidden
			msg = fmt.Sprintf("%s on %s: the token lacks permission (403 Forbidden%s): give the workflow `permissions: pull-requests: write`; "+
				"pull requests from forks get a read-only token whatever the workflow asks", op, where, detail)
		case http.StatusNotFound:
			kind = ErrNotFound
			msg = fmt.Sprintf("%s on %s: repository %s/%s or pull request #%d not found (404%s): check GITHUB_REPOSITORY and --pr, "+
				"and that the token can read the repository", op, where, c.owner, c.name, c.pr, detail)
		default:
			msg = fmt.Sprintf("%s on %s: GitHub answered %d %s%s", op, where, code, http.StatusText(code), detail)
		}
	}
	if c.token != "" {
		msg = strings.ReplaceAll(msg, c.token, "[redacted]")
	}
	errs := []error{err}
	if kind != nil {
		errs = append([]error{kind}, errs...)
	}
	return &apiError{msg: msg, errs: errs}
}

// status returns the HTTP status of a go-github error, or 0.
func status(err error) int {
	var resp *github.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil {
		return resp.Response.StatusCode
	}
	return 0
}

func splitRepo(repo string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("invalid repository %q: want owner/name (GITHUB_REPOSITORY)", repo)
	}
	return owner, name, nil
}

func isGitHubDotCom(apiURL string) bool {
	return apiURL == "" || strings.TrimRight(apiURL, "/") == "https://api.github.com"
}

// enterpriseURLs derives go-github's base and upload URLs from GITHUB_API_URL, which
// on GitHub Enterprise Server is https://HOST/api/v3. Plain HTTP is refused except on
// loopback, so the token never crosses a network in clear text.
func enterpriseURLs(apiURL string) (api, uploads string, err error) {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", "", fmt.Errorf("invalid GITHUB_API_URL %q: want https://HOST/api/v3 (GitHub Enterprise Server) or https://api.github.com", apiURL)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", "", fmt.Errorf("GITHUB_API_URL %q uses plain HTTP: the token would travel in clear text; use https", apiURL)
	}
	u.RawQuery, u.Fragment = "", ""
	up := *u
	up.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v3") + "/api/uploads/"
	return u.String(), up.String(), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// fit cuts body to MaxBodyLen characters at a paragraph boundary, closes any
// <details> left open and appends a note. Bodies within the limit are returned as is.
func fit(body string) string {
	if utf8.RuneCountInString(body) <= MaxBodyLen {
		return body
	}
	const closeDetails = "\n</details>"
	budget := MaxBodyLen - utf8.RuneCountInString(truncatedNote)
	// Keep room to close every <details> the kept part could open.
	budget -= 8 * utf8.RuneCountInString(closeDetails)
	cut := byteOffset(body, budget)
	kept := body[:cut]
	if i := strings.LastIndex(kept, "\n\n"); i > 0 {
		kept = kept[:i]
	} else if i := strings.LastIndexByte(kept, '\n'); i > 0 {
		kept = kept[:i]
	}
	open := strings.Count(kept, "<details") - strings.Count(kept, "</details>")
	for i := 0; i < open && i < 8; i++ {
		kept += closeDetails
	}
	return kept + truncatedNote
}

// byteOffset returns the byte index of the n-th rune of s (len(s) if s is shorter).
func byteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}
