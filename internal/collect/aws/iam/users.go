package iam

import (
	"context"
	"errors"
	"sort"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/sync/errgroup"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model/core"
	iamm "github.com/demarc-sec/demarc/internal/model/iam"
)

// errEmptyResponse stands for a successful call whose answer lacks the data
// asked for: the value is then unknown, never a default.
var errEmptyResponse = errors.New("response without the expected data")

// userCredentials fills each user's access keys, MFA devices and login
// profile. Goroutine i writes only users[i].
func userCredentials(ctx context.Context, env *aws.Env, client *awsiam.Client, users []iamm.User) {
	var g errgroup.Group
	g.SetLimit(userConcurrency)
	for i := range users {
		g.Go(func() error {
			u := &users[i]
			u.AccessKeys = accessKeys(ctx, env, client, u.Name)
			u.MFADevices = mfaDevices(ctx, env, client, u.Name)
			u.LoginProfile = loginProfile(ctx, env, client, u.Name)
			return nil
		})
	}
	_ = g.Wait()
}

func accessKeys(ctx context.Context, env *aws.Env, client *awsiam.Client, user string) core.Val[[]iamm.AccessKey] {
	keys := []iamm.AccessKey{}
	p := awsiam.NewListAccessKeysPaginator(client, &awsiam.ListAccessKeysInput{UserName: sdkaws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return core.Unknown[[]iamm.AccessKey](env.Unknown(service, core.GlobalRegion, "ListAccessKeys", user, err))
		}
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, iamm.AccessKey{
				ID:         sdkaws.ToString(k.AccessKeyId),
				Status:     string(k.Status),
				CreateDate: sdkaws.ToTime(k.CreateDate),
			})
		}
	}
	for i := range keys {
		keyLastUsed(ctx, env, client, &keys[i])
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].ID < keys[j].ID })
	return core.Known(keys)
}

// keyLastUsed sets k.LastUsed. AWS answers a never-used key with a null
// LastUsedDate and "N/A" service and region; that is Known(nil).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKeyLastUsed.html
func keyLastUsed(ctx context.Context, env *aws.Env, client *awsiam.Client, k *iamm.AccessKey) {
	out, err := client.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: sdkaws.String(k.ID)})
	if err == nil && out.AccessKeyLastUsed == nil {
		err = errEmptyResponse
	}
	if err != nil {
		k.LastUsed = core.Unknown[*time.Time](env.Unknown(service, core.GlobalRegion, "GetAccessKeyLastUsed", k.ID, err))
		return
	}
	lu := out.AccessKeyLastUsed
	k.LastUsed = core.Known[*time.Time](nil)
	if lu.LastUsedDate != nil {
		t := lu.LastUsedDate.UTC()
		k.LastUsed = core.Known(&t)
	}
	if s := sdkaws.ToString(lu.ServiceName); s != "N/A" {
		k.LastUsedService = s
	}
	if r := sdkaws.ToString(lu.Region); r != "N/A" {
		k.LastUsedRegion = r
	}
}

func mfaDevices(ctx context.Context, env *aws.Env, client *awsiam.Client, user string) core.Val[[]iamm.MFADevice] {
	devs := []iamm.MFADevice{}
	p := awsiam.NewListMFADevicesPaginator(client, &awsiam.ListMFADevicesInput{UserName: sdkaws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return core.Unknown[[]iamm.MFADevice](env.Unknown(service, core.GlobalRegion, "ListMFADevices", user, err))
		}
		for _, d := range page.MFADevices {
			devs = append(devs, iamm.MFADevice{
				SerialNumber: sdkaws.ToString(d.SerialNumber),
				EnableDate:   sdkaws.ToTime(d.EnableDate),
			})
		}
	}
	sort.Slice(devs, func(i, j int) bool { return devs[i].SerialNumber < devs[j].SerialNumber })
	return core.Known(devs)
}

// loginProfile reports whether the user has a console password: IAM answers
// NoSuchEntity when it does not.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetLoginProfile.html
func loginProfile(ctx context.Context, env *aws.Env, client *awsiam.Client, user string) core.Val[bool] {
	out, err := client.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: sdkaws.String(user)})
	switch {
	case aws.ErrorCode(err) == "NoSuchEntity":
		return core.Known(false)
	case err == nil && out.LoginProfile == nil:
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[bool](env.Unknown(service, core.GlobalRegion, "GetLoginProfile", user, err))
	}
	return core.Known(true)
}

// fillPasswordLastUsed copies the credential report's password_last_used
// into the users: GetAccountAuthorizationDetails does not carry it.
func fillPasswordLastUsed(users core.Val[[]iamm.User], report core.Val[[]iamm.CredentialReportRow]) {
	us, ok1 := users.Get()
	rows, ok2 := report.Get()
	if !ok1 || !ok2 {
		return
	}
	byARN := make(map[string]*time.Time, len(rows))
	for _, r := range rows {
		byARN[r.ARN] = r.PasswordLastUsed
	}
	for i := range us {
		if t := byARN[us[i].ARN]; t != nil {
			c := *t
			us[i].PasswordLastUsed = &c
		}
	}
}
