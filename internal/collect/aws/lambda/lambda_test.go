package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	lambdam "github.com/demarc-sec/demarc/internal/model/lambda"
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func zipped(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("index.py")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("def handler(e, c):\n    return 1\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	s := sdk.String
	role := kittest.Must(awsiam.NewFromConfig(m.Config("us-east-1")).CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName: s("fn-role"), AssumeRolePolicyDocument: s(trust)}))
	c := awslambda.NewFromConfig(m.Config("eu-central-1"))
	code := &types.FunctionCode{ZipFile: zipped(t)}

	kittest.Must(c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: s("public-fn"), Runtime: types.RuntimePython312, Role: role.Role.Arn, Handler: s("index.handler"), Code: code,
		Environment: &types.Environment{Variables: map[string]string{"DB_PASSWORD": "hunter2", "API_URL": "https://x"}},
		VpcConfig:   &types.VpcConfig{SubnetIds: []string{"subnet-b", "subnet-a"}, SecurityGroupIds: []string{"sg-1"}},
	}))
	kittest.Must(c.AddPermission(ctx, &awslambda.AddPermissionInput{FunctionName: s("public-fn"), StatementId: s("anyone"),
		Action: s("lambda:InvokeFunctionUrl"), Principal: s("*"), FunctionUrlAuthType: types.FunctionUrlAuthTypeNone}))
	kittest.Must(c.CreateFunctionUrlConfig(ctx, &awslambda.CreateFunctionUrlConfigInput{FunctionName: s("public-fn"),
		AuthType: types.FunctionUrlAuthTypeNone}))
	kittest.Must(c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: s("old-fn"), Runtime: types.RuntimePython37, Role: role.Role.Arn, Handler: s("index.handler"), Code: code,
	}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-central-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	// moto 5.2 has no ListFunctionUrlConfigs (404): URLs stay unknown there,
	// which is what a scan must report; the conversion is tested below.
	for _, e := range m.Env.Errors() {
		if e.Operation != "ListFunctionUrlConfigs" || e.Reason != "not supported" {
			t.Errorf("collect error: %+v", e)
		}
	}
	urlsKnown := func(f lambdam.Function) bool {
		if !f.URLs.Ok && !strings.HasPrefix(f.URLs.Why(), "not supported (lambda:ListFunctionUrlConfigs)") {
			t.Errorf("%s urls: %s", f.Name, f.URLs.Why())
		}
		return f.URLs.Ok
	}
	fns := kittest.Known(t, "functions", snap.Lambda[0].Functions)
	if len(fns) != 2 || fns[0].Name != "old-fn" || fns[1].Name != "public-fn" {
		t.Fatalf("functions = %+v", fns)
	}
	old, pub := fns[0], fns[1]
	acct := m.Env.AccountID
	if pub.ARN != "arn:aws:lambda:eu-central-1:"+acct+":function:public-fn" || pub.Account != acct || pub.Region != "eu-central-1" {
		t.Errorf("meta = %+v", pub.Meta)
	}
	if pub.Runtime != "python3.12" || pub.Role != *role.Role.Arn || strings.Join(pub.EnvVarNames, ",") != "API_URL,DB_PASSWORD" {
		t.Errorf("public-fn = %+v", pub)
	}
	if pub.VPC == nil || strings.Join(pub.VPC.SubnetIDs, ",") != "subnet-a,subnet-b" || strings.Join(pub.VPC.SecurityGroupIDs, ",") != "sg-1" {
		t.Errorf("vpc = %+v", pub.VPC)
	}
	if p := kittest.Known(t, "policy", pub.Policy); !strings.Contains(p, `"anyone"`) || !strings.Contains(p, "lambda:InvokeFunctionUrl") {
		t.Errorf("policy = %s", p)
	}
	if urlsKnown(pub) && (len(pub.URLs.V) != 1 || pub.URLs.V[0].AuthType != "NONE") {
		t.Errorf("urls = %+v", pub.URLs)
	}
	if old.Runtime != "python3.7" || old.VPC != nil || len(old.EnvVarNames) != 0 {
		t.Errorf("old-fn = %+v", old)
	}
	if p := kittest.Known(t, "old policy", old.Policy); p != "" {
		t.Errorf("old policy = %q, want none", p)
	}
	if urlsKnown(old) && len(old.URLs.V) != 0 {
		t.Errorf("old urls = %+v", old.URLs)
	}
}

// TestNoEnvValues: the converted function carries no variable value, in any
// field.
func TestNoEnvValues(t *testing.T) {
	f := convFunction("arn:aws", "111122223333", "eu-west-1", types.FunctionConfiguration{
		FunctionName: sdk.String("f"),
		Environment:  &types.EnvironmentResponse{Variables: map[string]string{"TOKEN": "s3cr3t-value"}},
	})
	if strings.Contains(strings.ToLower(strings.Join(append(f.EnvVarNames, f.Name, f.ARN), " ")), "s3cr3t") {
		t.Fatalf("value leaked: %+v", f)
	}
	if len(f.EnvVarNames) != 1 || f.EnvVarNames[0] != "TOKEN" || f.ARN != "arn:aws:lambda:eu-west-1:111122223333:function:f" {
		t.Fatalf("f = %+v", f)
	}
}

// urlFake pages function URLs and denies policies.
type urlFake struct{ calls int }

func (*urlFake) ListFunctions(context.Context, *awslambda.ListFunctionsInput, ...func(*awslambda.Options)) (*awslambda.ListFunctionsOutput, error) {
	return &awslambda.ListFunctionsOutput{Functions: []types.FunctionConfiguration{{FunctionName: sdk.String("f")}}}, nil
}

func (u *urlFake) ListFunctionUrlConfigs(_ context.Context, in *awslambda.ListFunctionUrlConfigsInput, _ ...func(*awslambda.Options)) (*awslambda.ListFunctionUrlConfigsOutput, error) {
	u.calls++
	if in.Marker == nil {
		return &awslambda.ListFunctionUrlConfigsOutput{NextMarker: sdk.String("2"), FunctionUrlConfigs: []types.FunctionUrlConfig{
			{FunctionArn: sdk.String("arn:aws:lambda:eu-west-1:111122223333:function:f:live"), AuthType: types.FunctionUrlAuthTypeNone}}}, nil
	}
	return &awslambda.ListFunctionUrlConfigsOutput{FunctionUrlConfigs: []types.FunctionUrlConfig{
		{FunctionArn: sdk.String("arn:aws:lambda:eu-west-1:111122223333:function:f"), AuthType: types.FunctionUrlAuthTypeAwsIam}}}, nil
}

func (*urlFake) GetPolicy(context.Context, *awslambda.GetPolicyInput, ...func(*awslambda.Options)) (*awslambda.GetPolicyOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
}

// TestURLsAndDeniedPolicy: alias URLs on later pages are read; a denied
// policy read is unknown, never "no policy".
func TestURLsAndDeniedPolicy(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	f := &urlFake{}
	r, err := CollectRegion(context.Background(), env, f, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	fn := kittest.Known(t, "functions", r.Functions)[0]
	urls := kittest.Known(t, "urls", fn.URLs)
	if len(urls) != 2 || urls[1].AuthType != "NONE" || !strings.HasSuffix(urls[1].FunctionARN, ":live") || f.calls != 2 {
		t.Errorf("urls = %+v (calls %d)", urls, f.calls)
	}
	if fn.Policy.Ok || !strings.HasPrefix(fn.Policy.Why(), "access denied (lambda:GetPolicy)") {
		t.Errorf("policy = %+v", fn.Policy)
	}
}
