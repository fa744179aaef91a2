package ssm

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

// TestCollectMoto: moto 5.2 implements neither DescribeInstanceInformation
// nor the compliance API. The collector must still finish and leave both
// lists unknown with a reason: a scan against an endpoint without them must
// never report "no managed instances" or "all compliant". Documents the
// account owns are listed with the accounts they are shared with; "all"
// (public) is kept as AWS spells it.
func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awsssm.NewFromConfig(m.Config("eu-west-1"))
	content := `{"schemaVersion":"2.2","description":"demo","mainSteps":[{"action":"aws:runShellScript","name":"run","inputs":{"runCommand":["echo hi"]}}]}`
	for _, name := range []string{"private-doc", "public-doc", "shared-doc"} {
		kittest.Must(c.CreateDocument(ctx, &awsssm.CreateDocumentInput{Name: sdk.String(name), Content: sdk.String(content),
			DocumentType: types.DocumentTypeCommand, DocumentFormat: types.DocumentFormatJson}))
	}
	kittest.Must(c.ModifyDocumentPermission(ctx, &awsssm.ModifyDocumentPermissionInput{Name: sdk.String("public-doc"),
		PermissionType: types.DocumentPermissionTypeShare, AccountIdsToAdd: []string{"all"}}))
	kittest.Must(c.ModifyDocumentPermission(ctx, &awsssm.ModifyDocumentPermissionInput{Name: sdk.String("shared-doc"),
		PermissionType: types.DocumentPermissionTypeShare, AccountIdsToAdd: []string{"444455556666"}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1", "us-east-1"})
	err := New().Collect(ctx, m.Env, "us-east-1", snap)
	if len(snap.SSM) != 2 || snap.SSM[0].Name != "eu-west-1" {
		t.Fatalf("regions = %+v", snap.SSM)
	}
	r := snap.SSM[0]
	for what, v := range map[string]interface {
		Why() string
	}{"managed instances": r.ManagedInstances, "compliance": r.Compliance} {
		if w := v.Why(); w == "" || w == "not collected" {
			t.Errorf("%s: reason %q", what, w)
		}
	}
	if r.ManagedInstances.Ok && r.Compliance.Ok {
		// moto grew the APIs: then the collection must be clean.
		if err != nil {
			t.Errorf("Collect: %v", err)
		}
		kittest.NoErrors(t, m.Env)
	} else if err == nil && !r.ManagedInstances.Ok && !r.Compliance.Ok && !r.Documents.Ok {
		t.Error("every list failed but Collect returned no error")
	}

	for _, e := range m.Env.Errors() {
		if e.Operation == "ListDocuments" || e.Operation == "DescribeDocumentPermission" {
			t.Errorf("collect error: %+v", e)
		}
	}
	if docs := kittest.Known(t, "us-east-1 documents", snap.SSM[1].Documents); len(docs) != 0 {
		t.Errorf("us-east-1 documents = %+v", docs)
	}
	docs := kittest.Known(t, "eu-west-1 documents", r.Documents)
	if len(docs) != 3 {
		t.Fatalf("documents = %+v (AWS-owned documents must not be listed)", docs)
	}
	want := map[string]bool{"private-doc": false, "public-doc": true, "shared-doc": false}
	for _, d := range docs {
		pub, known := d.Public()
		if !known || pub != want[d.Name] {
			t.Errorf("%s: public=%v known=%v shared=%+v", d.Name, pub, known, d.SharedWith)
		}
		if d.ARN != "arn:aws:ssm:eu-west-1:"+m.Env.AccountID+":document/"+d.Name || d.DocumentType != "Command" || d.Region != "eu-west-1" {
			t.Errorf("document = %+v", d)
		}
	}
	if shared := kittest.Known(t, "shared", docs[2].SharedWith); len(shared) != 1 || shared[0] != "444455556666" {
		t.Errorf("shared-doc shared with %v", shared)
	}
}

// fake pages managed instances and compliance items.
type fake struct {
	calls    int
	docs     [][]types.DocumentIdentifier
	docErr   error
	perms    map[string][][]string
	permErr  map[string]error
	docCalls int
}

func (f *fake) ListDocuments(_ context.Context, in *awsssm.ListDocumentsInput, _ ...func(*awsssm.Options)) (*awsssm.ListDocumentsOutput, error) {
	f.docCalls++
	if f.docErr != nil {
		return nil, f.docErr
	}
	if len(in.Filters) != 1 || sdk.ToString(in.Filters[0].Key) != "Owner" || len(in.Filters[0].Values) != 1 || in.Filters[0].Values[0] != "Self" {
		return nil, fmt.Errorf("want the filter Owner=Self, got %+v", in.Filters)
	}
	i := 0
	if in.NextToken != nil {
		fmt.Sscanf(*in.NextToken, "%d", &i)
	}
	if i >= len(f.docs) {
		return &awsssm.ListDocumentsOutput{}, nil
	}
	out := &awsssm.ListDocumentsOutput{DocumentIdentifiers: f.docs[i]}
	if i+1 < len(f.docs) {
		out.NextToken = sdk.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

func (f *fake) DescribeDocumentPermission(_ context.Context, in *awsssm.DescribeDocumentPermissionInput, _ ...func(*awsssm.Options)) (*awsssm.DescribeDocumentPermissionOutput, error) {
	name := sdk.ToString(in.Name)
	if in.PermissionType != types.DocumentPermissionTypeShare {
		return nil, fmt.Errorf("PermissionType %q", in.PermissionType)
	}
	if err := f.permErr[name]; err != nil {
		return nil, err
	}
	pages := f.perms[name]
	i := 0
	if in.NextToken != nil {
		fmt.Sscanf(*in.NextToken, "%d", &i)
	}
	if i >= len(pages) {
		return &awsssm.DescribeDocumentPermissionOutput{}, nil
	}
	out := &awsssm.DescribeDocumentPermissionOutput{AccountIds: pages[i]}
	if i+1 < len(pages) {
		out.NextToken = sdk.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

func (f *fake) DescribeInstanceInformation(_ context.Context, in *awsssm.DescribeInstanceInformationInput, _ ...func(*awsssm.Options)) (*awsssm.DescribeInstanceInformationOutput, error) {
	f.calls++
	if in.NextToken == nil {
		return &awsssm.DescribeInstanceInformationOutput{NextToken: sdk.String("t"), InstanceInformationList: []types.InstanceInformation{
			{InstanceId: sdk.String("mi-0123"), PingStatus: types.PingStatusConnectionLost, ResourceType: types.ResourceTypeManagedInstance}}}, nil
	}
	return &awsssm.DescribeInstanceInformationOutput{InstanceInformationList: []types.InstanceInformation{
		{InstanceId: sdk.String("i-0abc"), PingStatus: types.PingStatusOnline, PlatformType: types.PlatformTypeLinux,
			AgentVersion: sdk.String("3.3.0"), IsLatestVersion: sdk.Bool(true), LastPingDateTime: sdk.Time(time.Unix(1700000000, 0))}}}, nil
}

func (f *fake) ListResourceComplianceSummaries(context.Context, *awsssm.ListResourceComplianceSummariesInput, ...func(*awsssm.Options)) (*awsssm.ListResourceComplianceSummariesOutput, error) {
	return &awsssm.ListResourceComplianceSummariesOutput{ResourceComplianceSummaryItems: []types.ResourceComplianceSummaryItem{
		{ResourceId: sdk.String("i-0abc"), ResourceType: sdk.String("ManagedInstance"), ComplianceType: sdk.String("Patch"),
			Status: types.ComplianceStatusNonCompliant, OverallSeverity: types.ComplianceSeverityCritical,
			NonCompliantSummary: &types.NonCompliantSummary{NonCompliantCount: 3}, CompliantSummary: &types.CompliantSummary{CompliantCount: 40}},
		{ResourceId: sdk.String("i-0abc"), ResourceType: sdk.String("ManagedInstance"), ComplianceType: sdk.String("Association"),
			Status: types.ComplianceStatusCompliant},
	}}, nil
}

func TestCollectRegion(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	f := &fake{}
	r, err := CollectRegion(context.Background(), env, f, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	kittest.NoErrors(t, env)
	mi := kittest.Known(t, "managed", r.ManagedInstances)
	if len(mi) != 2 || f.calls != 2 || mi[0].ID != "i-0abc" || mi[0].ARN != "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc" ||
		mi[0].PingStatus != "Online" || !mi[0].AgentLatest || mi[0].LastPing == nil {
		t.Fatalf("managed = %+v", mi)
	}
	if mi[1].ARN != "arn:aws:ssm:eu-west-1:111122223333:managed-instance/mi-0123" || mi[1].PingStatus != "ConnectionLost" {
		t.Errorf("hybrid = %+v", mi[1])
	}
	if docs := kittest.Known(t, "documents", r.Documents); len(docs) != 0 || f.docCalls != 1 {
		t.Errorf("documents = %+v after %d calls", docs, f.docCalls)
	}
	comp := kittest.Known(t, "compliance", r.Compliance)
	if len(comp) != 2 || comp[0].ComplianceType != "Association" || comp[1].ComplianceType != "Patch" ||
		comp[1].Status != "NON_COMPLIANT" || comp[1].NonCompliantCount != 3 || comp[1].CompliantCount != 40 || comp[1].OverallSeverity != "CRITICAL" {
		t.Errorf("compliance = %+v", comp)
	}
}

// TestCollectDocuments pages both lists; a document whose permissions are
// unreadable stays unknown (it may be public), a failed listing is unknown
// as a whole, never an empty list.
func TestCollectDocuments(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: ssm:DescribeDocumentPermission"}
	doc := func(name string) types.DocumentIdentifier {
		return types.DocumentIdentifier{Name: sdk.String(name), DocumentType: types.DocumentTypeAutomation, Owner: sdk.String("111122223333")}
	}
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	f := &fake{
		docs:    [][]types.DocumentIdentifier{{doc("b-public")}, {doc("a-private"), doc("c-denied")}},
		perms:   map[string][][]string{"b-public": {{"444455556666"}, {"All"}}},
		permErr: map[string]error{"c-denied": denied},
	}
	r, err := CollectRegion(context.Background(), env, f, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	docs := kittest.Known(t, "documents", r.Documents)
	if len(docs) != 3 || docs[0].Name != "a-private" || docs[1].Name != "b-public" || docs[2].Name != "c-denied" {
		t.Fatalf("documents = %+v", docs)
	}
	if pub, known := docs[0].Public(); pub || !known {
		t.Errorf("a-private: public=%v known=%v", pub, known)
	}
	if pub, known := docs[1].Public(); !pub || !known {
		t.Errorf("b-public (shared with All on the second page): public=%v known=%v %+v", pub, known, docs[1].SharedWith)
	}
	if _, known := docs[2].Public(); known || docs[2].SharedWith.Why() != "access denied (ssm:DescribeDocumentPermission)" {
		t.Errorf("c-denied: %+v", docs[2].SharedWith)
	}
	if docs[1].ARN != "arn:aws:ssm:eu-west-1:111122223333:document/b-public" || docs[1].DocumentType != "Automation" {
		t.Errorf("b-public = %+v", docs[1])
	}

	f = &fake{docErr: denied}
	r, _ = CollectRegion(context.Background(), env, f, "arn:aws", "eu-west-1")
	if r.Documents.Ok || !strings.HasPrefix(r.Documents.Why(), "access denied") {
		t.Errorf("denied listing = %+v", r.Documents)
	}
}
