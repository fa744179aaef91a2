package responsibility

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable renders the matrix for a terminal: per service, AWS's side and
// yours, with the status of each of your layers.
func WriteTable(w io.Writer, m Matrix) error {
	fmt.Fprintf(w, "Shared responsibility, account %s\n", m.AccountID)
	fmt.Fprintln(w, "AWS secures the cloud (its layers are attested by third-party audits); you secure what is in it.")
	for _, s := range m.Services {
		var aws []string
		for _, l := range s.AWS {
			aws = append(aws, l.Layer)
		}
		fmt.Fprintf(w, "\n%s (%s) — %s service — your side: %s\n", s.Name, s.ID, s.Category, s.CustomerStatus)
		fmt.Fprintf(w, "  AWS:  %s\n", strings.Join(aws, ", "))
		if len(s.AWS) > 0 {
			fmt.Fprintf(w, "        attested by %s\n", strings.Join(s.AWS[0].Attestations, ", "))
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  YOU:\tLAYER\tSTATUS\tFAIL\tUNKNOWN\tPASS\tRULES")
		for _, l := range s.Customer {
			fmt.Fprintf(tw, "\t%s\t%s\t%d\t%d\t%d\t%d\n", l.Layer, l.Status, l.Counts["FAIL"], l.Counts["UNKNOWN"], l.Counts["PASS"], len(l.Rules))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
