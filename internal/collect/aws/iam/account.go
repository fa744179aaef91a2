package iam

import (
	"context"
	"sort"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model/core"
	iamm "github.com/demarc-sec/demarc/internal/model/iam"
)

// passwordPolicy reads the account password policy. IAM answers NoSuchEntity
// when the account has none (AWS defaults apply): that is Known(nil).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountPasswordPolicy.html
func passwordPolicy(ctx context.Context, env *aws.Env, client *awsiam.Client) core.Val[*iamm.PasswordPolicy] {
	out, err := client.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	switch {
	case aws.ErrorCode(err) == "NoSuchEntity":
		return core.Known[*iamm.PasswordPolicy](nil)
	case err == nil && out.PasswordPolicy == nil:
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[*iamm.PasswordPolicy](env.Unknown(service, core.GlobalRegion, "GetAccountPasswordPolicy", "", err))
	}
	p := out.PasswordPolicy
	return core.Known(&iamm.PasswordPolicy{
		MinimumPasswordLength:      sdkaws.ToInt32(p.MinimumPasswordLength),
		RequireSymbols:             p.RequireSymbols,
		RequireNumbers:             p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters,
		RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword,
		ExpirePasswords:            p.ExpirePasswords,
		MaxPasswordAge:             sdkaws.ToInt32(p.MaxPasswordAge),
		PasswordReusePrevention:    sdkaws.ToInt32(p.PasswordReusePrevention),
		HardExpiry:                 sdkaws.ToBool(p.HardExpiry),
	})
}

func accountSummary(ctx context.Context, env *aws.Env, client *awsiam.Client) core.Val[map[string]int32] {
	out, err := client.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err == nil && out.SummaryMap == nil {
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[map[string]int32](env.Unknown(service, core.GlobalRegion, "GetAccountSummary", "", err))
	}
	m := make(map[string]int32, len(out.SummaryMap))
	for k, v := range out.SummaryMap {
		m[k] = v
	}
	return core.Known(m)
}

// virtualMFA lists assigned and unassigned virtual MFA devices: the root
// user's virtual device is only visible here.
func virtualMFA(ctx context.Context, env *aws.Env, client *awsiam.Client) core.Val[[]iamm.VirtualMFADevice] {
	devs := []iamm.VirtualMFADevice{}
	p := awsiam.NewListVirtualMFADevicesPaginator(client, &awsiam.ListVirtualMFADevicesInput{
		AssignmentStatus: iamtypes.AssignmentStatusTypeAny,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return core.Unknown[[]iamm.VirtualMFADevice](env.Unknown(service, core.GlobalRegion, "ListVirtualMFADevices", "", err))
		}
		for _, d := range page.VirtualMFADevices {
			dev := iamm.VirtualMFADevice{SerialNumber: sdkaws.ToString(d.SerialNumber)}
			if d.User != nil {
				dev.User = sdkaws.ToString(d.User.Arn)
			}
			devs = append(devs, dev)
		}
	}
	sort.Slice(devs, func(i, j int) bool { return devs[i].SerialNumber < devs[j].SerialNumber })
	return core.Known(devs)
}

// serverCertificates lists the SSL/TLS certificates stored in IAM, for CIS
// 1.18 / FSBP IAM.26 (expired ones should be deleted).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListServerCertificates.html
func serverCertificates(ctx context.Context, env *aws.Env, client *awsiam.Client) core.Val[[]iamm.ServerCertificate] {
	certs := []iamm.ServerCertificate{}
	p := awsiam.NewListServerCertificatesPaginator(client, &awsiam.ListServerCertificatesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return core.Unknown[[]iamm.ServerCertificate](env.Unknown(service, core.GlobalRegion, "ListServerCertificates", "", err))
		}
		for _, m := range page.ServerCertificateMetadataList {
			arn := sdkaws.ToString(m.Arn)
			certs = append(certs, iamm.ServerCertificate{
				Meta:       core.Meta{ARN: arn, Account: arnAccount(arn), Region: core.GlobalRegion},
				Name:       sdkaws.ToString(m.ServerCertificateName),
				ID:         sdkaws.ToString(m.ServerCertificateId),
				Path:       sdkaws.ToString(m.Path),
				UploadDate: m.UploadDate,
				Expiration: m.Expiration,
			})
		}
	}
	sort.Slice(certs, func(i, j int) bool { return certs[i].ARN < certs[j].ARN })
	return core.Known(certs)
}
