package shield

import (
	"context"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	"github.com/aws/aws-sdk-go-v2/service/shield/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	shm "github.com/demarc-sec/demarc/internal/model/shield"
)

// moto 5.2 implements CreateSubscription, DescribeSubscription,
// CreateProtection and ListProtections, but not GetSubscriptionState or
// the Shield Response Team settings: the collector falls back to
// DescribeSubscription for the state. With a subscription, moto's
// DescribeSubscription writes its dates as text the SDK cannot parse, so an
// active subscription can only be tested with the fake (TestActive); here
// it must come out unknown, never inactive.
func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"us-east-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect without a subscription: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	if sub := kittest.Known(t, "subscription", snap.Shield.Subscription); sub.Active() || sub.State != shm.StateInactive {
		t.Errorf("no subscription: %+v", sub)
	}
	if ps := kittest.Known(t, "protections", snap.Shield.Protections); len(ps) != 0 {
		t.Errorf("protections without a subscription = %+v", ps)
	}

	c := awsshield.NewFromConfig(m.Config("us-east-1"))
	kittest.Must(c.CreateSubscription(ctx, &awsshield.CreateSubscriptionInput{}))
	dist := "arn:aws:cloudfront::" + m.Env.AccountID + ":distribution/E1"
	kittest.Must(c.CreateProtection(ctx, &awsshield.CreateProtectionInput{Name: sdk.String("edge"), ResourceArn: sdk.String(dist)}))

	snap = model.New(m.Env.AccountID, m.Env.Partition, []string{"us-east-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err == nil {
		t.Error("want the unreadable subscription reported")
	}
	if snap.Shield.Subscription.Ok {
		t.Errorf("subscription = %+v, want unknown", snap.Shield.Subscription)
	}
	ps := kittest.Known(t, "protections", snap.Shield.Protections)
	if len(ps) != 1 || ps[0].ResourceARN != dist || ps[0].Name != "edge" || ps[0].ARN == "" || ps[0].Region != core.GlobalRegion {
		t.Fatalf("protections = %+v", ps)
	}
	if prot, ok := snap.Shield.Protected(); !ok || !prot[dist] {
		t.Errorf("Protected() = %v %v", prot, ok)
	}
	if snap.Shield.EmergencyContacts.Ok || snap.Shield.DRTAccess.Ok {
		t.Errorf("SRT settings: %+v %+v", snap.Shield.EmergencyContacts, snap.Shield.DRTAccess)
	}
}

// fake is a scripted Shield API.
type fake struct {
	state        string
	stateErr     error
	describe     *types.Subscription
	describeErr  error
	pages        [][]types.Protection
	listErr      error
	listCalls    int
	contactsErr  error
	drtRole      string
	describeSeen int
}

func (f *fake) GetSubscriptionState(context.Context, *awsshield.GetSubscriptionStateInput, ...func(*awsshield.Options)) (*awsshield.GetSubscriptionStateOutput, error) {
	if f.stateErr != nil {
		return nil, f.stateErr
	}
	return &awsshield.GetSubscriptionStateOutput{SubscriptionState: types.SubscriptionState(f.state)}, nil
}

func (f *fake) DescribeSubscription(context.Context, *awsshield.DescribeSubscriptionInput, ...func(*awsshield.Options)) (*awsshield.DescribeSubscriptionOutput, error) {
	f.describeSeen++
	if f.describeErr != nil {
		return nil, f.describeErr
	}
	return &awsshield.DescribeSubscriptionOutput{Subscription: f.describe}, nil
}

func (f *fake) ListProtections(_ context.Context, in *awsshield.ListProtectionsInput, _ ...func(*awsshield.Options)) (*awsshield.ListProtectionsOutput, error) {
	f.listCalls++
	if f.listErr != nil {
		return nil, f.listErr
	}
	i := 0
	if in.NextToken != nil {
		i = 1
	}
	out := &awsshield.ListProtectionsOutput{Protections: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = sdk.String("next")
	}
	return out, nil
}

func (f *fake) DescribeEmergencyContactSettings(context.Context, *awsshield.DescribeEmergencyContactSettingsInput, ...func(*awsshield.Options)) (*awsshield.DescribeEmergencyContactSettingsOutput, error) {
	if f.contactsErr != nil {
		return nil, f.contactsErr
	}
	return &awsshield.DescribeEmergencyContactSettingsOutput{EmergencyContactList: []types.EmergencyContact{{EmailAddress: sdk.String("soc@example.com")}}}, nil
}

func (f *fake) DescribeDRTAccess(context.Context, *awsshield.DescribeDRTAccessInput, ...func(*awsshield.Options)) (*awsshield.DescribeDRTAccessOutput, error) {
	return &awsshield.DescribeDRTAccessOutput{RoleArn: sdk.String(f.drtRole), LogBucketList: []string{"b2", "b1"}}, nil
}

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func env() *aws.Env { return &aws.Env{AccountID: "111122223333", Partition: "aws"} }

func TestActive(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fake{state: "ACTIVE", describe: &types.Subscription{SubscriptionArn: sdk.String("arn:aws:shield::111122223333:subscription/s"),
		StartTime: &start, AutoRenew: types.AutoRenewEnabled},
		pages: [][]types.Protection{
			{{Id: sdk.String("p2"), ResourceArn: sdk.String("arn:b"), ProtectionArn: sdk.String("arn:aws:shield::111122223333:protection/p2")}},
			{{Id: sdk.String("p1"), ResourceArn: sdk.String("arn:a")}},
		},
		contactsErr: apiErr("ResourceNotFoundException"), drtRole: "arn:aws:iam::111122223333:role/drt"}
	e := env()
	st, err := CollectState(context.Background(), e, f, "arn:aws", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	sub := kittest.Known(t, "subscription", st.Subscription)
	if !sub.Active() || sub.ARN == "" || sub.AutoRenew != "ENABLED" || sub.StartTime == nil {
		t.Errorf("subscription = %+v", sub)
	}
	ps := kittest.Known(t, "protections", st.Protections)
	if len(ps) != 2 || ps[0].ResourceARN != "arn:a" || ps[0].ARN != "arn:aws:shield::111122223333:protection/p1" || ps[1].ResourceARN != "arn:b" {
		t.Errorf("protections (both pages, sorted) = %+v", ps)
	}
	if cs := kittest.Known(t, "contacts", st.EmergencyContacts); len(cs) != 0 {
		t.Errorf("ResourceNotFound means no contacts: %+v", cs)
	}
	if d := kittest.Known(t, "drt", st.DRTAccess); d.RoleARN == "" || d.LogBuckets[0] != "b1" {
		t.Errorf("drt = %+v", d)
	}
	kittest.NoErrors(t, e)
}

func TestInactive(t *testing.T) {
	f := &fake{state: "INACTIVE"}
	st, err := CollectState(context.Background(), env(), f, "arn:aws", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if sub := kittest.Known(t, "subscription", st.Subscription); sub.Active() {
		t.Errorf("subscription = %+v", sub)
	}
	if f.listCalls != 0 || f.describeSeen != 0 {
		t.Errorf("an inactive account needs no more calls: list %d describe %d", f.listCalls, f.describeSeen)
	}
	if ps := kittest.Known(t, "protections", st.Protections); len(ps) != 0 {
		t.Errorf("protections = %+v", ps)
	}
}

func TestDenied(t *testing.T) {
	f := &fake{stateErr: apiErr("AccessDeniedException"), describeErr: apiErr("AccessDeniedException"), listErr: apiErr("AccessDeniedException")}
	e := env()
	st, err := CollectState(context.Background(), e, f, "arn:aws", "us-east-1")
	if err == nil {
		t.Fatal("want an error when the subscription state is unreadable")
	}
	if st.Subscription.Ok || st.Subscription.Why() != "access denied (shield:GetSubscriptionState)" {
		t.Errorf("subscription = %+v", st.Subscription)
	}
	if st.Protections.Ok || st.Protections.Why() != "access denied (shield:ListProtections)" {
		t.Errorf("protections = %+v", st.Protections)
	}
	if st.EmergencyContacts.Ok || st.DRTAccess.Ok {
		t.Errorf("SRT settings must stay unknown: %+v %+v", st.EmergencyContacts, st.DRTAccess)
	}
	if n := len(e.Errors()); n != 2 {
		t.Errorf("recorded errors = %+v", e.Errors())
	}
}

// When GetSubscriptionState is refused, DescribeSubscription still answers:
// ResourceNotFound is "no subscription", and an ended subscription is not
// active.
func TestFallback(t *testing.T) {
	for name, tc := range map[string]struct {
		f      *fake
		active bool
	}{
		"not found": {f: &fake{stateErr: apiErr("AccessDeniedException"), describeErr: apiErr("ResourceNotFoundException")}},
		"ended": {f: &fake{stateErr: apiErr("AccessDeniedException"),
			describe: &types.Subscription{EndTime: sdk.Time(time.Now().Add(-24 * time.Hour))}}},
		"current": {f: &fake{stateErr: apiErr("AccessDeniedException"),
			describe: &types.Subscription{EndTime: sdk.Time(time.Now().Add(24 * time.Hour))}, pages: [][]types.Protection{{}}}, active: true},
		"odd state": {f: &fake{state: "", describeErr: apiErr("ResourceNotFoundException")}},
	} {
		t.Run(name, func(t *testing.T) {
			st, err := CollectState(context.Background(), env(), tc.f, "arn:aws", "us-east-1")
			if err != nil {
				t.Fatal(err)
			}
			if sub := kittest.Known(t, "subscription", st.Subscription); sub.Active() != tc.active {
				t.Errorf("subscription = %+v, want active %v", sub, tc.active)
			}
		})
	}
}

func TestListNotFound(t *testing.T) {
	f := &fake{state: "ACTIVE", describe: &types.Subscription{}, listErr: apiErr("ResourceNotFoundException")}
	st, err := CollectState(context.Background(), env(), f, "arn:aws", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if ps := kittest.Known(t, "protections", st.Protections); len(ps) != 0 {
		t.Errorf("protections = %+v", ps)
	}
}

func TestPartition(t *testing.T) {
	snap := model.New("111122223333", "aws-cn", []string{"cn-north-1"})
	if err := New().Collect(context.Background(), env(), "cn-north-1", snap); err != nil {
		t.Fatal(err)
	}
	if snap.Shield.Subscription.Ok || snap.Shield.Protections.Ok {
		t.Errorf("aws-cn: %+v", snap.Shield)
	}
}
