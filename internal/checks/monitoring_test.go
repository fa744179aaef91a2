package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/logs"
	"github.com/demarc-sec/demarc/internal/model/sns"
)

// The compliant world's CIS section 4 chain lives in the trail's home
// region: log group "ct" with one filter and one alarm per control, all
// notifying topic cis-alarms, which has a confirmed e-mail subscription.

const (
	monRegion   = "us-east-1"
	cisTopicARN = "arn:aws:sns:" + monRegion + ":" + acct + ":cis-alarms"
)

func cisFilterName(control string) string { return "cis-" + control }
func cisMetricName(control string) string {
	return "cis_" + strings.ReplaceAll(control, ".", "_")
}

// addCompliantMonitoring adds the CloudWatch Logs, alarm and SNS data that
// make every CIS section 4 rule pass, and known empty lists elsewhere.
func addCompliantMonitoring(s *model.Snapshot) {
	var filters []logs.MetricFilter
	var alarms []logs.Alarm
	for _, m := range cisMetrics {
		name, metric := cisFilterName(m.control), cisMetricName(m.control)
		filters = append(filters, logs.MetricFilter{
			Name: name, LogGroupName: "ct", Pattern: m.variants[0],
			Transformations: []logs.MetricTransformation{{MetricName: metric, MetricNamespace: "CISBenchmark", MetricValue: "1"}},
		})
		one := 1.0
		alarms = append(alarms, logs.Alarm{
			Meta: core.Meta{ARN: "arn:aws:cloudwatch:" + monRegion + ":" + acct + ":alarm:" + name, Account: acct, Region: monRegion},
			Name: name, MetricName: metric, Namespace: "CISBenchmark", Statistic: "Sum", ComparisonOperator: "GreaterThanOrEqualToThreshold",
			Threshold: &one, EvaluationPeriods: 1, PeriodSeconds: 300, ActionsEnabled: true, AlarmActions: []string{cisTopicARN}, State: "OK",
		})
	}
	for _, r := range testRegions {
		lr := logs.Region{Name: r, LogGroups: core.Known([]logs.LogGroup{}), MetricFilters: core.Known([]logs.MetricFilter{}), Alarms: core.Known([]logs.Alarm{})}
		if r == monRegion {
			lr.LogGroups = core.Known([]logs.LogGroup{{
				Meta: core.Meta{ARN: "arn:aws:logs:" + monRegion + ":" + acct + ":log-group:ct", Account: acct, Region: monRegion},
				Name: "ct", RetentionDays: 365, KMSKeyID: "arn:aws:kms:" + monRegion + ":" + acct + ":key/ct",
			}})
			lr.MetricFilters, lr.Alarms = core.Known(filters), core.Known(alarms)
		}
		if logsRegion(s, r) == nil {
			s.Logs = append(s.Logs, lr)
		}
	}
	topic := sns.Topic{
		Meta: core.Meta{ARN: cisTopicARN, Account: acct, Region: monRegion}, Name: "cis-alarms",
		Attributes: core.Known(sns.TopicAttributes{
			Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"SNS:Publish",` +
				`"Resource":"` + cisTopicARN + `","Condition":{"StringEquals":{"AWS:SourceAccount":"` + acct + `"}}}]}`,
			KMSMasterKeyID: "alias/aws/sns", Owner: acct, SubscriptionsConfirmed: 1,
		}),
	}
	sub := sns.Subscription{ARN: cisTopicARN + ":0f0e0d0c", TopicARN: cisTopicARN, Protocol: "email", Endpoint: "security@example.com", Owner: acct}
	for _, r := range testRegions {
		if snsRegionOf(s, r) == nil {
			s.SNS = append(s.SNS, sns.Region{Name: r, Topics: core.Known([]sns.Topic{}), Subscriptions: core.Known([]sns.Subscription{})})
		}
	}
	r := snsRegionOf(s, monRegion)
	r.Topics = core.Known(append(r.Topics.V, topic))
	r.Subscriptions = core.Known(append(r.Subscriptions.V, sub))
}

func monitoringFixtures() map[string]fixture {
	out := map[string]fixture{}
	for _, m := range cisMetrics {
		control := m.control
		out["cloudwatch-alarm-"+m.id] = failWhen(func(s *model.Snapshot) {
			lr := logsRegion(s, monRegion)
			kept := lr.MetricFilters.V[:0]
			for _, f := range lr.MetricFilters.V {
				if f.Name != cisFilterName(control) {
					kept = append(kept, f)
				}
			}
			lr.MetricFilters.V = kept
		})
	}
	return out
}

func monitoringResult(t *testing.T, s *model.Snapshot, control string) Result {
	t.Helper()
	for _, m := range cisMetrics {
		if m.control == control {
			res := checkCISMetricAlarm(m)(s)
			if len(res) != 1 {
				t.Fatalf("want one result, got %d", len(res))
			}
			return res[0]
		}
	}
	t.Fatalf("no control %s", control)
	return Result{}
}

func setFilterPattern(s *model.Snapshot, control, pattern string) {
	lr := logsRegion(s, monRegion)
	for i := range lr.MetricFilters.V {
		if lr.MetricFilters.V[i].Name == cisFilterName(control) {
			lr.MetricFilters.V[i].Pattern = pattern
		}
	}
}

// TestCISMetricChain breaks each link of trail → log group → filter →
// alarm → topic → subscription, and makes each unknown.
func TestCISMetricChain(t *testing.T) {
	alarm := func(s *model.Snapshot, control string) *logs.Alarm {
		lr := logsRegion(s, monRegion)
		for i := range lr.Alarms.V {
			if lr.Alarms.V[i].Name == cisFilterName(control) {
				return &lr.Alarms.V[i]
			}
		}
		panic("no alarm")
	}
	cases := []struct {
		name    string
		control string
		mutate  func(s *model.Snapshot)
		want    Status
	}{
		{"compliant", "4.3", func(*model.Snapshot) {}, Pass},
		{"Security Hub form of 4.4 with eventSource", "4.4", func(s *model.Snapshot) { setFilterPattern(s, "4.4", cisMetrics[3].variants[1]) }, Pass},
		{"SSO form of 4.2", "4.2", func(s *model.Snapshot) { setFilterPattern(s, "4.2", cisMetrics[1].variants[1]) }, Pass},
		{"Security Hub form of 4.1", "4.1", func(s *model.Snapshot) { setFilterPattern(s, "4.1", cisMetrics[0].variants[1]) }, Pass},
		{"respaced and requoted 4.3", "4.3", func(s *model.Snapshot) {
			setFilterPattern(s, "4.3", `{$.userIdentity.type=Root&&$.userIdentity.invokedBy NOT EXISTS&&$.eventType!="AwsServiceEvent"}`)
		}, Pass},
		{"reordered 4.5", "4.5", func(s *model.Snapshot) {
			setFilterPattern(s, "4.5", `{ ($.eventName = StopLogging) || ($.eventName = StartLogging) || ($.eventName = DeleteTrail) || ($.eventName = UpdateTrail) || ($.eventName = CreateTrail) || ($.eventName = PutEventSelectors) }`)
		}, Pass},
		{"4.7 without the eventSource narrowing", "4.7", func(s *model.Snapshot) {
			setFilterPattern(s, "4.7", `{ ($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion) }`)
		}, Pass},
		{"4.3 missing the invokedBy exclusion", "4.3", func(s *model.Snapshot) {
			setFilterPattern(s, "4.3", `{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }`)
		}, Fail},
		{"4.3 root lower-case", "4.3", func(s *model.Snapshot) {
			setFilterPattern(s, "4.3", `{ $.userIdentity.type = "root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`)
		}, Fail},
		{"4.5 missing StopLogging", "4.5", func(s *model.Snapshot) {
			setFilterPattern(s, "4.5", `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) }`)
		}, Fail},
		{"4.5 terms joined by && match nothing", "4.5", func(s *model.Snapshot) {
			setFilterPattern(s, "4.5", `{ ($.eventName = CreateTrail) && ($.eventName = UpdateTrail) && ($.eventName = DeleteTrail) && ($.eventName = StartLogging) && ($.eventName = StopLogging) }`)
		}, Fail},
		{"4.5 catch-all", "4.5", func(s *model.Snapshot) {
			setFilterPattern(s, "4.5", `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) || ($.eventName = *) }`)
		}, Fail},
		{"4.6 text pattern", "4.6", func(s *model.Snapshot) { setFilterPattern(s, "4.6", `"Failed authentication"`) }, Fail},
		{"filter on another log group", "4.6", func(s *model.Snapshot) {
			lr := logsRegion(s, monRegion)
			for i := range lr.MetricFilters.V {
				if lr.MetricFilters.V[i].Name == cisFilterName("4.6") {
					lr.MetricFilters.V[i].LogGroupName = "other"
				}
			}
		}, Fail},
		{"no alarm on the metric", "4.8", func(s *model.Snapshot) { alarm(s, "4.8").MetricName = "other" }, Fail},
		{"alarm in a metric-math expression", "4.8", func(s *model.Snapshot) {
			a := alarm(s, "4.8")
			a.MetricName, a.Namespace = "", ""
			a.Metrics = []logs.MetricRef{{ID: "m1", MetricName: cisMetricName("4.8"), Namespace: "CISBenchmark"}}
		}, Pass},
		{"alarm actions disabled", "4.9", func(s *model.Snapshot) { alarm(s, "4.9").ActionsEnabled = false }, Fail},
		{"alarm without SNS action", "4.10", func(s *model.Snapshot) {
			alarm(s, "4.10").AlarmActions = []string{"arn:aws:automate:us-east-1:ec2:stop"}
		}, Fail},
		{"topic without confirmed subscription", "4.11", func(s *model.Snapshot) {
			r := snsRegionOf(s, monRegion)
			for i := range r.Subscriptions.V {
				r.Subscriptions.V[i].ARN = "PendingConfirmation"
			}
			for i := range r.Topics.V {
				r.Topics.V[i].Attributes.V.SubscriptionsConfirmed = 0
			}
		}, Fail},
		{"subscriptions unreadable, topic counter says confirmed", "4.11", func(s *model.Snapshot) {
			snsRegionOf(s, monRegion).Subscriptions = core.Unknown[[]sns.Subscription]("access denied")
		}, Pass},
		{"subscriptions and topic attributes unreadable", "4.11", func(s *model.Snapshot) {
			r := snsRegionOf(s, monRegion)
			r.Subscriptions = core.Unknown[[]sns.Subscription]("access denied")
			for i := range r.Topics.V {
				r.Topics.V[i].Attributes = core.Unknown[sns.TopicAttributes]("access denied")
			}
		}, Unknown},
		{"topic in another account", "4.12", func(s *model.Snapshot) {
			alarm(s, "4.12").AlarmActions = []string{"arn:aws:sns:us-east-1:999999999999:central"}
		}, Unknown},
		{"metric filters unreadable", "4.13", func(s *model.Snapshot) {
			logsRegion(s, monRegion).MetricFilters = core.Unknown[[]logs.MetricFilter]("access denied")
		}, Unknown},
		{"alarms unreadable", "4.13", func(s *model.Snapshot) {
			logsRegion(s, monRegion).Alarms = core.Unknown[[]logs.Alarm]("access denied")
		}, Unknown},
		{"logs region not collected", "4.14", func(s *model.Snapshot) { s.Logs = nil }, Unknown},
		{"trail not logging", "4.15", func(s *model.Snapshot) { trailAt(s, 0).Status.V.IsLogging = false }, Fail},
		{"trail single-region", "4.15", func(s *model.Snapshot) { trailAt(s, 0).IsMultiRegion = false }, Fail},
		{"trail without CloudWatch Logs", "4.15", func(s *model.Snapshot) { trailAt(s, 0).CloudWatchLogsLogGroupARN = "" }, Fail},
		{"trail excludes KMS events", "4.7", func(s *model.Snapshot) {
			trailAt(s, 0).Selectors.V.Basic[0].ExcludeSources = []string{"kms.amazonaws.com"}
		}, Fail},
		{"trail write-only", "4.7", func(s *model.Snapshot) { trailAt(s, 0).Selectors.V.Basic[0].ReadWriteType = "WriteOnly" }, Fail},
		{"trail status unknown", "4.7", func(s *model.Snapshot) { trailAt(s, 0).Status = core.Unknown[cloudtrail.Status]("denied") }, Unknown},
		{"log group in the organization's account", "4.1", func(s *model.Snapshot) {
			trailAt(s, 0).CloudWatchLogsLogGroupARN = "arn:aws:logs:us-east-1:999999999999:log-group:org:*"
		}, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.mutate(s)
			if r := monitoringResult(t, s, c.control); r.Status != c.want {
				t.Errorf("got %s (%s), want %s", r.Status, r.Message, c.want)
			}
		})
	}
}

// Every published variant must satisfy its own control, and no control's
// pattern may satisfy another (they would be indistinguishable).
func TestCISPatternsSelfConsistent(t *testing.T) {
	for _, m := range cisMetrics {
		req := m.required()
		if len(req) == 0 {
			t.Errorf("%s: no required terms", m.control)
		}
		for i, v := range m.variants {
			if ok, why := m.judge(v, req); !ok {
				t.Errorf("%s variant %d rejected: %s", m.control, i, why)
			}
		}
		for _, other := range cisMetrics {
			if other == m {
				continue
			}
			if ok, _ := other.judge(m.variants[0], other.required()); ok {
				t.Errorf("%s pattern satisfies %s", m.control, other.control)
			}
		}
	}
}

func TestParseFilterPattern(t *testing.T) {
	ev := map[string]any{"a": "x", "n": 5.0, "b": true, "o": map[string]any{"k": "hello world"}, "l": []any{"p", "q"}, "z": nil}
	cases := []struct {
		pattern string
		want    bool
		err     bool
	}{
		{`{ $.a = x }`, true, false},
		{`{ $.a = "x" }`, true, false},
		{`{ $.a != x }`, false, false},
		{`{ $.missing != x }`, false, false},
		{`{ $.missing NOT EXISTS }`, true, false},
		{`{ $.a EXISTS }`, true, false},
		{`{ $.z IS NULL }`, true, false},
		{`{ $.b IS TRUE }`, true, false},
		{`{ $.b IS FALSE }`, false, false},
		{`{ $.n > 4 && $.n <= 5 }`, true, false},
		{`{ $.n = 5 }`, true, false},
		{`{ $.o.k = "hello*" }`, true, false},
		{`{ $.o.k = %hel+o% }`, true, false},
		{`{ $.l[1] = q }`, true, false},
		{`{ ($.a = y) || ($.a = x && $.n = 5) }`, true, false},
		{`{ $.a = y || $.a = x && $.n = 6 }`, false, false},
		{`{ (($.a = x)) }`, true, false},
		{`{ $.a = }`, false, true},
		{`{ $.a = x`, false, true},
		{`ERROR`, false, true},
		{`{ ($.a = x }`, false, true},
		{`{ $.a = "x }`, false, true},
		{`{ a = x }`, false, true},
		{`{ $.a IS MAYBE }`, false, true},
		{`{` + strings.Repeat("(", 100) + "$.a = x" + strings.Repeat(")", 100) + `}`, false, true},
	}
	for _, c := range cases {
		n, err := parseFilterPattern(c.pattern)
		if (err != nil) != c.err {
			t.Errorf("%s: err = %v, want error %v", c.pattern, err, c.err)
			continue
		}
		if err == nil && n.matches(ev) != c.want {
			t.Errorf("%s: matches = %v, want %v", c.pattern, !c.want, c.want)
		}
	}
}

func FuzzParseFilterPattern(f *testing.F) {
	for _, m := range cisMetrics {
		for _, v := range m.variants {
			f.Add(v)
		}
	}
	f.Add(`{ $.a = %x% || $.b IS NULL }`)
	f.Fuzz(func(t *testing.T, p string) {
		n, err := parseFilterPattern(p)
		if err == nil {
			n.matches(ctEvent("ec2.amazonaws.com", "RunInstances"))
			_ = n.terms()
		}
	})
}

func TestFilterPatternCanonical(t *testing.T) {
	same := [][2]string{
		{`{ ($.a = x) || (($.b = y) || $.c = "z") }`, `{$.c=z||$.a="x"||$.b=y}`},
		{`{ $.a = x && ($.b = y || ($.c = z && $.d = w)) }`, `{ (($.d = "w") && $.c = z || $.b = y) && $.a = x }`},
	}
	for _, p := range same {
		a, err1 := parseFilterPattern(p[0])
		b, err2 := parseFilterPattern(p[1])
		if err1 != nil || err2 != nil || a.canonical() != b.canonical() {
			t.Errorf("%s vs %s: %v %v\n%s\n%s", p[0], p[1], err1, err2, a.canonical(), b.canonical())
		}
	}
	x, _ := parseFilterPattern(`{ $.a = x && ($.b = y || $.c = z) }`)
	y, _ := parseFilterPattern(`{ ($.a = x && $.b = y) || $.c = z }`)
	if x.canonical() == y.canonical() {
		t.Error("different structures share a canonical form")
	}
}
