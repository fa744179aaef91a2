package ec2

import (
	"context"
	"fmt"

	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
)

// pager is the shape shared by every SDK paginator of the EC2 client.
type pager[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*awsec2.Options)) (O, error)
}

// maxPages stops a service that keeps returning fresh tokens forever: the SDK
// only guards against a token repeated twice in a row. 20k pages of EC2
// results is far beyond any real account.
const maxPages = 20000

// all drains a paginator and concatenates the items of every page. It never
// returns a partial list: a failure on any page fails the whole read, so a
// half-listed collection can never look like the complete one.
func all[O any, T any](ctx context.Context, p pager[O], items func(O) []T) ([]T, error) {
	var out []T
	for n := 0; p.HasMorePages(); n++ {
		if n >= maxPages {
			return nil, fmt.Errorf("more than %d pages: giving up", maxPages)
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items(page)...)
	}
	return out, nil
}
