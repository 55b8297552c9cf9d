package report

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/reconcile"
)

// ApplyProgress writes the progress line of one operation of an apply, e.g.
// "[ 3/40] invite bob@company.com as user", followed by its outcome unless it is
// plainly done. width is the number of digits of total. Like every line about
// members and blueprints of the portal, it is terminal-safe (termSafe).
func ApplyProgress(w io.Writer, width, done, total int, r reconcile.Result) error {
	line := fmt.Sprintf("[%*d/%d] %s", width, done, total, r.Op)
	switch r.Outcome {
	case reconcile.Done:
		if r.Note != "" {
			line += " (" + r.Note + ")"
		}
	case reconcile.Failed:
		line += ": FAILED: " + failReason(r.Err)
	case reconcile.Uncertain:
		line += ": UNCERTAIN: " + failReason(r.Err)
	default:
		line += ": not sent: " + notSentReason(r.Err)
	}
	_, err := io.WriteString(w, termSafe(line)+"\n")
	return err
}

// ApplySummary writes the end of an apply: how many operations were done, failed,
// uncertain and not sent; why the run stopped, if it did; every operation that is
// not done, with its reason; and how to finish.
func ApplySummary(w io.Writer, s reconcile.Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\nApply finished: %d done, %d failed, %d uncertain, %d not sent.\n",
		s.Count(reconcile.Done), s.Count(reconcile.Failed), s.Count(reconcile.Uncertain), s.Count(reconcile.NotSent))
	if s.Stopped != nil {
		fmt.Fprintf(&b, "Stopped: %s.\n", termSafe(s.Stopped.Error()))
	}
	if !s.Complete() {
		b.WriteString("Not done:\n")
		for _, r := range s.Results {
			if r.Outcome == reconcile.Done {
				continue
			}
			why := failReason(r.Err)
			if r.Outcome == reconcile.NotSent {
				why = notSentReason(r.Err)
			}
			fmt.Fprintf(&b, "  %s: %s\n", r.Outcome, termSafe(fmt.Sprintf("%s: %s", r.Op, why)))
		}
		if s.Count(reconcile.Uncertain) > 0 {
			b.WriteString("An uncertain operation may or may not have been carried out: the next plan reads the portal and shows what is left.\n")
		}
		b.WriteString("To finish, plan again and apply (apply -f, or plan --out then apply --plan): it converges from where this run stopped.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func failReason(err error) string {
	if err == nil {
		return "no reason given"
	}
	return err.Error()
}

// notSentReason is short when the summary already says why the run stopped.
func notSentReason(err error) string {
	switch {
	case errors.Is(err, reconcile.ErrInterrupted):
		return "interrupted"
	case errors.Is(err, qovery.ErrUnavailable):
		return "the portal API is unavailable (see Stopped)"
	}
	return failReason(err)
}
