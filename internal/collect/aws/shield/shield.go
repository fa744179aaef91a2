// Package shield collects AWS Shield Advanced, a global service served from
// us-east-1: the subscription state (GetSubscriptionState), the subscription
// itself (DescribeSubscription), the protected resources (ListProtections),
// and the Shield Response Team settings (DescribeEmergencyContactSettings,
// DescribeDRTAccess). An account without a subscription is a known answer
// (INACTIVE), never a gap.
package shield

import (
	"context"
	"fmt"
	"sort"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	"github.com/aws/aws-sdk-go-v2/service/shield/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	shm "github.com/demarc-sec/demarc/internal/model/shield"
)

const service = "shield"

// apiRegion serves the Shield Advanced API of the aws partition.
// https://docs.aws.amazon.com/general/latest/gr/shield.html
const apiRegion = "us-east-1"

// codeNotFound is what Shield answers when the thing asked about does not
// exist: DescribeSubscription without a subscription, ListProtections
// without protections, the SRT settings when none were made.
const codeNotFound = "ResourceNotFoundException"

// API is the part of the Shield client the collector uses.
type API interface {
	GetSubscriptionState(context.Context, *awsshield.GetSubscriptionStateInput, ...func(*awsshield.Options)) (*awsshield.GetSubscriptionStateOutput, error)
	DescribeSubscription(context.Context, *awsshield.DescribeSubscriptionInput, ...func(*awsshield.Options)) (*awsshield.DescribeSubscriptionOutput, error)
	awsshield.ListProtectionsAPIClient
	DescribeEmergencyContactSettings(context.Context, *awsshield.DescribeEmergencyContactSettingsInput, ...func(*awsshield.Options)) (*awsshield.DescribeEmergencyContactSettingsOutput, error)
	DescribeDRTAccess(context.Context, *awsshield.DescribeDRTAccessInput, ...func(*awsshield.Options)) (*awsshield.DescribeDRTAccessOutput, error)
}

type collector struct{}

// New returns the Shield Advanced collector. It is global: called once, it
// writes only snap.Shield.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	if snap.Partition != "" && snap.Partition != "aws" {
		why := core.ReasonNotSupported + " (demarc reads Shield Advanced only in the aws partition)"
		snap.Shield = shm.State{
			Subscription:      core.Unknown[shm.Subscription](why),
			Protections:       core.Unknown[[]shm.Protection](why),
			EmergencyContacts: core.Unknown[[]shm.EmergencyContact](why),
			DRTAccess:         core.Unknown[shm.DRTAccess](why),
		}
		return nil
	}
	st, err := CollectState(ctx, env, awsshield.NewFromConfig(env.Config(apiRegion)), snap.ARNPrefix(), apiRegion)
	snap.Shield = st
	return err
}

// CollectState reads Shield Advanced through c (a client of region). The
// error is non-nil only when the subscription state could not be read.
func CollectState(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (shm.State, error) {
	var st shm.State
	sub, err := subscription(ctx, env, c, region)
	st.Subscription = sub
	if sub.Ok && !sub.V.Active() {
		// Protections and SRT settings exist only under a subscription.
		st.Protections = core.Known([]shm.Protection{})
		st.EmergencyContacts = core.Known([]shm.EmergencyContact{})
		st.DRTAccess = core.Known(shm.DRTAccess{})
		return st, nil
	}
	// Active, or unknown: the protections may still be readable.
	st.Protections = protections(ctx, env, c, arnPrefix, region)
	if sub.Ok {
		st.EmergencyContacts = contacts(ctx, env, c, region)
		st.DRTAccess = drtAccess(ctx, env, c, region)
	} else {
		st.EmergencyContacts = core.Unknown[[]shm.EmergencyContact]("subscription state unknown: " + sub.Why())
		st.DRTAccess = core.Unknown[shm.DRTAccess]("subscription state unknown: " + sub.Why())
	}
	return st, err
}

// subscription reads GetSubscriptionState and, when active, the
// subscription's details. When GetSubscriptionState itself fails,
// DescribeSubscription answers the same question: ResourceNotFound there
// means no subscription.
// https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_GetSubscriptionState.html
// https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_DescribeSubscription.html
func subscription(ctx context.Context, env *aws.Env, c API, region string) (core.Val[shm.Subscription], error) {
	gs, gerr := c.GetSubscriptionState(ctx, &awsshield.GetSubscriptionStateInput{})
	if gerr == nil {
		state := ""
		if gs != nil {
			state = string(gs.SubscriptionState)
		}
		switch state {
		case shm.StateInactive:
			return core.Known(shm.Subscription{State: shm.StateInactive}), nil
		case shm.StateActive:
			ds, derr := c.DescribeSubscription(ctx, &awsshield.DescribeSubscriptionInput{})
			if derr != nil {
				// Active is known; only the details are missing.
				env.Unknown(service, region, "DescribeSubscription", "", derr)
				return core.Known(shm.Subscription{State: shm.StateActive}), nil
			}
			return core.Known(convSubscription(shm.StateActive, ds)), nil
		}
		gerr = fmt.Errorf("shield:GetSubscriptionState answered the unexpected state %q", state)
	}
	ds, derr := c.DescribeSubscription(ctx, &awsshield.DescribeSubscriptionInput{})
	switch {
	case kit.IsCode(derr, codeNotFound):
		return core.Known(shm.Subscription{State: shm.StateInactive}), nil
	case derr == nil && ds != nil && ds.Subscription != nil:
		// A subscription that has ended is still described.
		state := shm.StateActive
		if end := ds.Subscription.EndTime; end != nil && end.Before(time.Now()) {
			state = shm.StateInactive
		}
		return core.Known(convSubscription(state, ds)), nil
	}
	return core.Unknown[shm.Subscription](env.Unknown(service, region, "GetSubscriptionState", "", gerr)), gerr
}

func convSubscription(state string, out *awsshield.DescribeSubscriptionOutput) shm.Subscription {
	s := shm.Subscription{State: state}
	if out == nil || out.Subscription == nil {
		return s
	}
	in := out.Subscription
	s.ARN = sdk.ToString(in.SubscriptionArn)
	s.StartTime, s.EndTime = in.StartTime, in.EndTime
	s.AutoRenew = string(in.AutoRenew)
	s.ProactiveEngagementStatus = string(in.ProactiveEngagementStatus)
	return s
}

func protections(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) core.Val[[]shm.Protection] {
	p := awsshield.NewListProtectionsPaginator(c, &awsshield.ListProtectionsInput{})
	items, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsshield.ListProtectionsOutput) []types.Protection {
		return o.Protections
	})
	switch {
	case kit.IsCode(err, codeNotFound):
		// Shield answers ResourceNotFound when there is nothing to list.
		items, err = nil, nil
	case err != nil:
		return core.Unknown[[]shm.Protection](env.Unknown(service, region, "ListProtections", "", err))
	}
	out := make([]shm.Protection, 0, len(items))
	for _, in := range items {
		id := sdk.ToString(in.Id)
		arn := sdk.ToString(in.ProtectionArn)
		if arn == "" {
			arn = arnPrefix + ":shield::" + env.AccountID + ":protection/" + id
		}
		out = append(out, shm.Protection{
			Meta:           core.Meta{ARN: arn, Account: env.AccountID, Region: core.GlobalRegion},
			ID:             id,
			Name:           sdk.ToString(in.Name),
			ResourceARN:    sdk.ToString(in.ResourceArn),
			HealthCheckIDs: append([]string(nil), in.HealthCheckIds...),
		})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].ResourceARN < out[j].ResourceARN || out[i].ResourceARN == out[j].ResourceARN && out[i].ID < out[j].ID
	})
	return core.Known(out)
}

func contacts(ctx context.Context, env *aws.Env, c API, region string) core.Val[[]shm.EmergencyContact] {
	out, err := c.DescribeEmergencyContactSettings(ctx, &awsshield.DescribeEmergencyContactSettingsInput{})
	switch {
	case kit.IsCode(err, codeNotFound):
		return core.Known([]shm.EmergencyContact{})
	case err != nil:
		return core.Unknown[[]shm.EmergencyContact](env.Unknown(service, region, "DescribeEmergencyContactSettings", "", err))
	}
	list := []shm.EmergencyContact{}
	if out != nil {
		for _, e := range out.EmergencyContactList {
			list = append(list, shm.EmergencyContact{Email: sdk.ToString(e.EmailAddress), Phone: sdk.ToString(e.PhoneNumber)})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Email < list[j].Email })
	return core.Known(list)
}

func drtAccess(ctx context.Context, env *aws.Env, c API, region string) core.Val[shm.DRTAccess] {
	out, err := c.DescribeDRTAccess(ctx, &awsshield.DescribeDRTAccessInput{})
	switch {
	case kit.IsCode(err, codeNotFound):
		return core.Known(shm.DRTAccess{})
	case err != nil:
		return core.Unknown[shm.DRTAccess](env.Unknown(service, region, "DescribeDRTAccess", "", err))
	}
	var d shm.DRTAccess
	if out != nil {
		d.RoleARN = sdk.ToString(out.RoleArn)
		d.LogBuckets = append([]string(nil), out.LogBucketList...)
		sort.Strings(d.LogBuckets)
	}
	return core.Known(d)
}
