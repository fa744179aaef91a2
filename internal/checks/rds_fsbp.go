package checks

import (
	"strconv"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/rds"
)

// The FSBP RDS controls that need more than one resource's own fields:
// backtracking (RDS.14), event subscriptions (RDS.19-22), administrator
// usernames (RDS.24/25) and TLS enforcement through parameter groups
// (RDS.38/39), as documented at
// https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html

func rdsFSBPRules() []Rule {
	const guide = "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html"
	const eventsDoc = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.html"
	return []Rule{
		{
			ID:             "rds-aurora-mysql-backtracking",
			Title:          "Aurora MySQL DB clusters have backtracking enabled",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"RDS.14"}},
			Description: "Backtracking rewinds an Aurora MySQL cluster to a point in time in place, without restoring from a backup, which shortens recovery from a bad write or a destructive intrusion. " +
				"FSBP RDS.14 judges Aurora MySQL clusters and passes those with a backtrack window above zero.",
			Remediation: "Backtracking can only be turned on when a cluster is created or cloned; clone the cluster with a backtrack window:\n" +
				"  aws rds restore-db-cluster-to-point-in-time --source-db-cluster-identifier CLUSTER --db-cluster-identifier CLUSTER-bt \\\n" +
				"      --restore-type copy-on-write --use-latest-restorable-time --backtrack-window 86400\n" +
				"Terraform: resource \"aws_rds_cluster\" \"c\" { engine = \"aurora-mysql\", backtrack_window = 86400 }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Backtrack.html", guide + "#rds-14"},
			Check: eachRDSCluster(engineIs("aurora-mysql", "aurora"), func(c rds.Cluster) (bool, string, string) {
				return c.BacktrackWindowSeconds > 0, "has a backtrack window of " + strconv.FormatInt(c.BacktrackWindowSeconds, 10) + " seconds",
					"has backtracking disabled (backtrack window 0)"
			}),
		},
		rdsEventSubscriptionRule("rds-event-subscription-cluster", "RDS.19", "DB cluster", "db-cluster", "cluster", eventsDoc, guide+"#rds-19",
			"maintenance", "failure"),
		rdsEventSubscriptionRule("rds-event-subscription-instance", "RDS.20", "DB instance", "db-instance", "instance", eventsDoc, guide+"#rds-20",
			"maintenance", "configuration change", "failure"),
		rdsEventSubscriptionRule("rds-event-subscription-parameter-group", "RDS.21", "DB parameter group", "db-parameter-group", "parameter-group", eventsDoc, guide+"#rds-21",
			"configuration change"),
		rdsEventSubscriptionRule("rds-event-subscription-security-group", "RDS.22", "DB security group", "db-security-group", "security-group", eventsDoc, guide+"#rds-22",
			"configuration change", "failure"),
		{
			ID:             "rds-cluster-custom-admin-username",
			Title:          "RDS DB clusters use a custom administrator username",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"RDS.24"}},
			Description: "The default administrator usernames (admin, postgres) are public knowledge, so a password-guessing attack needs only the password. " +
				"As FSBP RDS.24 (rds-cluster-default-admin-check), Neptune and DocumentDB clusters are not judged.",
			Remediation: "The master username cannot be changed: restore a snapshot into a new cluster with another username, or create a new cluster:\n" +
				"  aws rds create-db-cluster --db-cluster-identifier CLUSTER-new --engine ENGINE --master-username app_owner --manage-master-user-password\n" +
				"Terraform: resource \"aws_rds_cluster\" \"c\" { master_username = \"app_owner\" }",
			Links: []string{"https://docs.aws.amazon.com/config/latest/developerguide/rds-cluster-default-admin-check.html", guide + "#rds-24"},
			Check: eachRDS(rdsClusters, func(it rdsItem, c rds.Cluster) *Result {
				if !rdsAdminUserScope(c.Engine) {
					return nil
				}
				return judgeRDSAdminUser(it, c.MasterUsername, "")
			}),
		},
		{
			ID:             "rds-instance-custom-admin-username",
			Title:          "RDS DB instances use a custom administrator username",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"RDS.25"}},
			Description: "The default administrator usernames (admin, postgres) are public knowledge, so a password-guessing attack needs only the password. " +
				"As FSBP RDS.25 (rds-instance-default-admin-check), Neptune and DocumentDB instances are not judged; a cluster member that reports no username is judged by its cluster's.",
			Remediation: "The master username cannot be changed: create a new instance with another username and migrate (or restore a snapshot into one):\n" +
				"  aws rds create-db-instance --db-instance-identifier DB-new --engine ENGINE --db-instance-class CLASS --master-username app_owner --manage-master-user-password\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { username = \"app_owner\" }",
			Links: []string{"https://docs.aws.amazon.com/config/latest/developerguide/rds-instance-default-admin-check.html", guide + "#rds-25"},
			Check: eachRDS(rdsInstances, func(it rdsItem, i rds.Instance) *Result {
				if !rdsAdminUserScope(i.Engine) {
					return nil
				}
				if i.MasterUsername == "" && i.ClusterID != "" {
					c, ok := it.view.cluster(i.ClusterID)
					if !ok {
						return rp(UnknownR(it.arn, it.reg, "DB instance %s reports no administrator username and its cluster %s is unknown", i.ID, i.ClusterID))
					}
					return judgeRDSAdminUser(it, c.MasterUsername, " (its cluster "+c.ID+"'s)")
				}
				return judgeRDSAdminUser(it, i.MasterUsername, "")
			}),
		},
		{
			ID:             "rds-postgres-ssl-required",
			Title:          "RDS for PostgreSQL DB instances require encrypted connections",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"RDS.38"}},
			Description: "With rds.force_ssl=1 the instance refuses connections without TLS, so credentials and query results never cross the network in the clear. " +
				"The value is read from the instance's DB parameter group; a group that does not set it gets the engine default, which is 1 from PostgreSQL 15 and 0 before. " +
				"As FSBP RDS.38, instances in a DB cluster are not judged.",
			Remediation: "Set rds.force_ssl=1 in a custom parameter group (default groups cannot be changed) and attach it:\n" +
				"  aws rds modify-db-parameter-group --db-parameter-group-name PG --parameters ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=immediate\n" +
				"  aws rds modify-db-instance --db-instance-identifier DB --db-parameter-group-name PG --apply-immediately\n" +
				"Terraform: resource \"aws_db_parameter_group\" \"pg\" { family = \"postgres16\"\n  parameter { name = \"rds.force_ssl\", value = \"1\" } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html", guide + "#rds-38"},
			Check: checkRDSTLSParameter("postgres", "PostgreSQL", "rds.force_ssl", func(version string) (bool, bool) {
				major, _, ok := rdsEngineVersion(version)
				return major >= 15, ok
			}, "15"),
		},
		{
			ID:             "rds-mysql-ssl-required",
			Title:          "RDS for MySQL DB instances require encrypted connections",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"RDS.39"}},
			Description: "With require_secure_transport on, the instance refuses connections without TLS, so credentials and query results never cross the network in the clear. " +
				"The value is read from the instance's DB parameter group; a group that does not set it gets the engine default, which is off up to MySQL 8.4 and on from MySQL 9.7. " +
				"As FSBP RDS.39, instances in a DB cluster are not judged.",
			Remediation: "Set require_secure_transport=1 in a custom parameter group (default groups cannot be changed) and attach it:\n" +
				"  aws rds modify-db-parameter-group --db-parameter-group-name PG --parameters ParameterName=require_secure_transport,ParameterValue=1,ApplyMethod=immediate\n" +
				"  aws rds modify-db-instance --db-instance-identifier DB --db-parameter-group-name PG --apply-immediately\n" +
				"Terraform: resource \"aws_db_parameter_group\" \"mysql\" { family = \"mysql8.0\"\n  parameter { name = \"require_secure_transport\", value = \"1\" } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html", guide + "#rds-39"},
			Check: checkRDSTLSParameter("mysql", "MySQL", "require_secure_transport", func(version string) (bool, bool) {
				major, minor, ok := rdsEngineVersion(version)
				return major > 9 || major == 9 && minor >= 7, ok
			}, "9.7"),
		},
	}
}

// rdsDefaultAdminUsers are the default administrator usernames the AWS
// Config rules rds-instance-default-admin-check and
// rds-cluster-default-admin-check reject.
var rdsDefaultAdminUsers = []string{"admin", "postgres"}

// rdsAdminUserScope leaves out the engines FSBP RDS.24/25 do not judge.
func rdsAdminUserScope(engine string) bool {
	return !strings.HasPrefix(engine, "neptune") && !strings.HasPrefix(engine, "docdb")
}

// judgeRDSAdminUser judges a master username. The comparison ignores case:
// "Admin" is as guessable as "admin", and PostgreSQL folds unquoted role
// names to lower case.
func judgeRDSAdminUser(it rdsItem, user, whose string) *Result {
	if user == "" {
		return rp(UnknownR(it.arn, it.reg, "%s %s: administrator username not reported", it.label, it.id))
	}
	for _, d := range rdsDefaultAdminUsers {
		if strings.EqualFold(user, d) {
			return rp(FailR(it.arn, it.reg, "%s %s uses the default administrator username %q%s", it.label, it.id, user, whose))
		}
	}
	return rp(PassR(it.arn, it.reg, "%s %s uses a custom administrator username%s", it.label, it.id, whose))
}

// rdsEventSubscriptionRule builds one of FSBP RDS.19-22: an enabled event
// subscription must deliver the critical categories of one source type.
// Security Hub passes the control when the account has no event
// subscription at all, and otherwise asks that one of them covers the
// source type and categories; so does this rule, per region.
func rdsEventSubscriptionRule(id, control, noun, sourceType, slug, eventsDoc, controlDoc string, categories ...string) Rule {
	list := strings.Join(categories, ", ")
	return Rule{
		ID:             id,
		Title:          "An RDS event subscription notifies of critical " + noun + " events",
		Service:        "rds",
		Severity:       Low,
		Responsibility: LayerLogging,
		Frameworks:     map[string][]string{FSBP: {control}},
		Description: "RDS event notifications (through SNS) tell the operators about " + noun + " events as they happen. FSBP " + control +
			" asks for an enabled subscription to source type " + sourceType + " with the categories " + list +
			" (or all categories); a subscription to every source type counts too. As in Security Hub, a region without any RDS event subscription passes. " +
			"A subscription whose SNS topic is missing or not writable by RDS delivers nothing and does not count.",
		Remediation: "  aws rds create-event-subscription --subscription-name " + slug + "-critical --sns-topic-arn TOPIC_ARN \\\n" +
			"      --source-type " + sourceType + " --event-categories " + rdsQuotedList(categories, " ") + " --enabled\n" +
			"Terraform: resource \"aws_db_event_subscription\" \"" + strings.ReplaceAll(slug, "-", "_") + "\" { sns_topic = aws_sns_topic.rds.arn, source_type = \"" +
			sourceType + "\",\n  event_categories = [" + rdsQuotedList(categories, ", ") + "] }",
		Links: []string{eventsDoc, controlDoc},
		Check: func(s *model.Snapshot) []Result {
			return eachRDSRegion(s, "es:*", func(region string, r *rds.Region) []Result {
				return judgeRDSEventSubscriptions(s, region, r, control, sourceType, categories)
			})
		},
	}
}

// rdsQuotedList renders ["a", "b c"] as `"a" "b c"` (sep " ", a CLI list)
// or `"a", "b c"` (sep ", ", a Terraform list).
func rdsQuotedList(items []string, sep string) string {
	q := make([]string, len(items))
	for i, x := range items {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, sep)
}

func judgeRDSEventSubscriptions(s *model.Snapshot, region string, r *rds.Region, control, sourceType string, categories []string) []Result {
	wild := regionalARN(s, "rds", region, "es:*")
	subs, unk := knownList(r.EventSubscriptions, wild, region, "RDS event subscriptions")
	if unk != nil {
		return unk
	}
	if len(subs) == 0 {
		return []Result{PassR(wild, region, "no RDS event subscriptions in %s; Security Hub passes %s when none exist", region, control)}
	}
	var why []string
	for _, sub := range subs {
		problem := rdsSubscriptionGap(sub, sourceType, categories)
		if problem == "" {
			arn := orARN(sub.ARN, regionalARN(s, "rds", region, "es:"+sub.Name))
			scope := "all " + sourceType + " sources"
			if len(sub.SourceIDs) > 0 {
				scope = "sources " + strings.Join(sub.SourceIDs, ", ")
			}
			return []Result{PassR(arn, regionOr(sub.Meta, region), "event subscription %s notifies of %s events (%s) for %s",
				sub.Name, sourceType, rdsCategoryText(sub.EventCategories), scope)}
		}
		why = append(why, sub.Name+": "+problem)
	}
	return []Result{FailR(wild, region, "no enabled RDS event subscription in %s delivers %s events of categories %s (%s)",
		region, sourceType, strings.Join(categories, ", "), strings.Join(why, "; "))}
}

// rdsSubscriptionGap says why a subscription does not deliver the wanted
// events, or "" when it does.
func rdsSubscriptionGap(sub rds.EventSubscription, sourceType string, categories []string) string {
	switch {
	case sub.SourceType != "" && sub.SourceType != sourceType:
		return "source type " + sub.SourceType
	case !sub.Enabled:
		return "disabled"
	case sub.Status == "no-permission" || sub.Status == "topic-not-exist" || sub.Status == "deleting":
		return "status " + sub.Status
	}
	if len(sub.EventCategories) > 0 {
		if missing := missingOf(sub.EventCategories, categories); len(missing) > 0 {
			return "missing " + strings.Join(missing, ", ")
		}
	}
	return ""
}

func rdsCategoryText(c []string) string {
	if len(c) == 0 {
		return "all categories"
	}
	return strings.Join(c, ", ")
}

// rdsEngineVersion parses the major and minor number of an engine version
// ("15.4", "8.0.35", "9.6.22", "16.4-R2").
func rdsEngineVersion(v string) (major, minor int, ok bool) {
	parts := strings.SplitN(v, ".", 3)
	num := func(s string) (int, bool) {
		end := 0
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(s[:end])
		return n, err == nil
	}
	major, ok = num(parts[0])
	if !ok {
		return 0, 0, false
	}
	if len(parts) > 1 {
		minor, _ = num(parts[1])
	}
	return major, minor, true
}

// rdsParamOn reads a boolean DB parameter value; ok is false for a value that
// is neither.
func rdsParamOn(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "on", "true":
		return true, true
	case "0", "off", "false":
		return false, true
	}
	return false, false
}

// parameterGroup returns a parameter group of the region; ok is false when
// the groups are unknown or the group was not read.
func (v *rdsView) parameterGroup(name string) (rds.ParameterGroup, bool) {
	return lookupRDS(&v.groups, v.r.ParameterGroups, func(g rds.ParameterGroup) string { return g.Name }, name)
}

// checkRDSTLSParameter judges standalone instances of engine by the
// boolean parameter param of their parameter groups. A group that does
// not set it gets defaultOn(EngineVersion); since is the first version
// where that default is on, for messages.
func checkRDSTLSParameter(engine, engineName, param string, defaultOn func(version string) (on, known bool), since string) func(*model.Snapshot) []Result {
	return eachRDS(rdsInstances, func(it rdsItem, i rds.Instance) *Result {
		if i.Engine != engine || i.ClusterID != "" {
			return nil
		}
		if len(i.ParameterGroups) == 0 {
			return rp(UnknownR(it.arn, it.reg, "DB instance %s: no DB parameter group reported, so %s is unknown", i.ID, param))
		}
		var vd verdict
		var how []string
		for _, name := range i.ParameterGroups {
			g, ok := it.view.parameterGroup(name)
			if !ok {
				vd.unknown("DB instance %s: parameter group %s was not read (%s)", i.ID, name, it.view.r.ParameterGroups.Why())
				continue
			}
			params, ok := g.Parameters.Get()
			if !ok {
				vd.unknown("DB instance %s: parameters of group %s unreadable: %s", i.ID, name, g.Parameters.Why())
				continue
			}
			raw, set := params[param]
			switch on, valid := rdsParamOn(raw); {
			case set && !valid:
				vd.unknown("DB instance %s: parameter group %s sets %s to %q, neither on nor off", i.ID, name, param, raw)
			case set && on:
				how = append(how, param+"="+raw+" in parameter group "+name)
			case set:
				vd.fail("DB instance %s accepts unencrypted connections: %s=%s in parameter group %s", i.ID, param, raw, name)
			default:
				switch on, known := defaultOn(i.EngineVersion); {
				case !known:
					vd.unknown("DB instance %s: parameter group %s leaves %s at the engine default, and engine version %q is not understood", i.ID, name, param, i.EngineVersion)
				case on:
					how = append(how, param+" at its default (on from "+engineName+" "+since+") in parameter group "+name)
				default:
					vd.fail("DB instance %s accepts unencrypted connections: parameter group %s leaves %s at its default, off for %s %s (on from %s)",
						i.ID, name, param, engineName, i.EngineVersion, since)
				}
			}
		}
		return rp(vd.result(it.arn, it.reg, "DB instance "+i.ID+" requires encrypted connections: "+strings.Join(how, "; ")))
	})
}
