package checks

import (
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

func cloudtrailRules() []Rule {
	return []Rule{
		{
			ID:             "cloudtrail-multi-region-management-events",
			Title:          "At least one multi-region trail logs read and write management events",
			Service:        "cloudtrail",
			Severity:       High,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{CIS50: {"3.1"}, FSBP: {"CloudTrail.1"}},
			Description:    "A logging multi-region trail with management events for both reads and writes, and no excluded event sources, records API activity in every region, including unused ones.",
			Remediation: "  aws cloudtrail create-trail --name org-trail --s3-bucket-name BUCKET --is-multi-region-trail --enable-log-file-validation --kms-key-id KEY\n" +
				"  aws cloudtrail put-event-selectors --trail-name org-trail --event-selectors '[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true}]'\n" +
				"  aws cloudtrail start-logging --name org-trail\n" +
				"Terraform: resource \"aws_cloudtrail\" \"t\" { name = \"org-trail\", s3_bucket_name = aws_s3_bucket.logs.id, is_multi_region_trail = true,\n" +
				"  enable_log_file_validation = true, kms_key_id = aws_kms_key.k.arn, event_selector { read_write_type = \"All\", include_management_events = true } }",
			Links: []string{"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html"},
			Check: checkMultiRegionTrail,
		},
		{
			ID:             "cloudtrail-enabled",
			Title:          "At least one CloudTrail trail is logging",
			Service:        "cloudtrail",
			Severity:       High,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"CloudTrail.3"}},
			Description:    "Without a logging trail, API activity is kept only 90 days in Event history and cannot be analysed or alarmed on.",
			Remediation: "  aws cloudtrail create-trail --name trail --s3-bucket-name BUCKET --is-multi-region-trail && aws cloudtrail start-logging --name trail\n" +
				"Terraform: resource \"aws_cloudtrail\" \"t\" { name = \"trail\", s3_bucket_name = aws_s3_bucket.logs.id, is_multi_region_trail = true }",
			Links: []string{"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-a-trail-using-the-console-first-time.html"},
			Check: checkTrailEnabled,
		},
		{
			ID:             "cloudtrail-log-file-validation",
			Title:          "CloudTrail log file validation is enabled",
			Service:        "cloudtrail",
			Severity:       Low,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{CIS50: {"3.2"}, FSBP: {"CloudTrail.4"}},
			Description:    "Validation writes signed digest files, so tampering with or deleting delivered logs can be detected.",
			Remediation: "  aws cloudtrail update-trail --name TRAIL --enable-log-file-validation\n" +
				"Terraform: enable_log_file_validation = true on aws_cloudtrail",
			Links: []string{"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html"},
			Check: eachTrail(func(t cloudtrail.Trail) (bool, string, string) {
				return t.LogFileValidation, "log file validation is enabled", "log file validation is disabled"
			}),
		},
		{
			ID:             "cloudtrail-kms-encryption",
			Title:          "CloudTrail logs are encrypted at rest with KMS keys",
			Service:        "cloudtrail",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{CIS50: {"3.5"}, FSBP: {"CloudTrail.2"}},
			Description:    "SSE-KMS adds a key policy in front of the logs: reading them needs kms:Decrypt, not just S3 read access.",
			Remediation: "  aws cloudtrail update-trail --name TRAIL --kms-key-id KEY_ARN\n" +
				"Terraform: kms_key_id = aws_kms_key.cloudtrail.arn on aws_cloudtrail",
			Links: []string{"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html"},
			Check: eachTrail(func(t cloudtrail.Trail) (bool, string, string) {
				return t.KMSKeyID != "", "logs are encrypted with KMS key " + t.KMSKeyID, "logs are not encrypted with a KMS key (SSE-S3 only)"
			}),
		},
		{
			ID:             "cloudtrail-cloudwatch-logs",
			Title:          "CloudTrail trails are integrated with CloudWatch Logs",
			Service:        "cloudtrail",
			Severity:       Low,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"CloudTrail.5"}},
			Description:    "Sending the trail to CloudWatch Logs enables metric filters and alarms on security-relevant API calls.",
			Remediation: "  aws cloudtrail update-trail --name TRAIL --cloud-watch-logs-log-group-arn LOG_GROUP_ARN --cloud-watch-logs-role-arn ROLE_ARN\n" +
				"Terraform: cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.ct.arn}:*\", cloud_watch_logs_role_arn = aws_iam_role.ct.arn",
			Links: []string{"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html"},
			Check: eachTrail(func(t cloudtrail.Trail) (bool, string, string) {
				return t.CloudWatchLogsLogGroupARN != "", "delivers to CloudWatch Logs group " + t.CloudWatchLogsLogGroupARN, "is not integrated with CloudWatch Logs"
			}),
		},
		{
			ID:             "cloudtrail-s3-object-write-events",
			Title:          "Object-level logging for write events is enabled for S3 buckets",
			Service:        "cloudtrail",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{CIS50: {"3.8"}},
			Description:    "A logging trail (multi-region, or in the bucket's region) must record S3 data events for writes on every object of the bucket.",
			Remediation: "  aws cloudtrail put-event-selectors --trail-name TRAIL --event-selectors \\\n" +
				"      '[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true,\"DataResources\":[{\"Type\":\"AWS::S3::Object\",\"Values\":[\"arn:aws:s3\"]}]}]'\n" +
				"Terraform: event_selector { read_write_type = \"All\", data_resource { type = \"AWS::S3::Object\", values = [\"arn:aws:s3\"] } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-cloudtrail-logging-for-s3.html"},
			Check: checkS3DataEvents(false),
		},
		{
			ID:             "cloudtrail-s3-object-read-events",
			Title:          "Object-level logging for read events is enabled for S3 buckets",
			Service:        "cloudtrail",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{CIS50: {"3.9"}},
			Description:    "A logging trail (multi-region, or in the bucket's region) must record S3 data events for reads on every object of the bucket.",
			Remediation: "  aws cloudtrail put-event-selectors --trail-name TRAIL --event-selectors \\\n" +
				"      '[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true,\"DataResources\":[{\"Type\":\"AWS::S3::Object\",\"Values\":[\"arn:aws:s3\"]}]}]'\n" +
				"Terraform: event_selector { read_write_type = \"All\", data_resource { type = \"AWS::S3::Object\", values = [\"arn:aws:s3\"] } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-cloudtrail-logging-for-s3.html"},
			Check: checkS3DataEvents(true),
		},
		{
			ID:             "cloudtrail-bucket-not-public",
			Title:          "The S3 bucket storing CloudTrail logs is not publicly accessible",
			Service:        "cloudtrail",
			Severity:       Critical,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"CloudTrail.6"}},
			Description:    "Public trail logs hand an attacker a map of the account; a publicly writable log bucket lets them forge or erase evidence.",
			Remediation: "  aws s3api put-public-access-block --bucket LOG_BUCKET --public-access-block-configuration \\\n" +
				"      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
				"Terraform: resource \"aws_s3_bucket_public_access_block\" \"logs\" { bucket = aws_s3_bucket.logs.id, block_public_acls = true,\n" +
				"  ignore_public_acls = true, block_public_policy = true, restrict_public_buckets = true }",
			Links: []string{"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html"},
			Check: checkTrailBucket(true),
		},
		{
			ID:             "cloudtrail-bucket-access-logging",
			Title:          "Server access logging is enabled on the CloudTrail S3 bucket",
			Service:        "cloudtrail",
			Severity:       Low,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{CIS50: {"3.4"}, FSBP: {"CloudTrail.7"}},
			Description:    "Access logs on the trail bucket show who read or tried to alter the audit logs.",
			Remediation: "  aws s3api put-bucket-logging --bucket LOG_BUCKET --bucket-logging-status \\\n" +
				"      '{\"LoggingEnabled\":{\"TargetBucket\":\"ACCESS_LOG_BUCKET\",\"TargetPrefix\":\"cloudtrail/\"}}'\n" +
				"Terraform: resource \"aws_s3_bucket_logging\" \"logs\" { bucket = aws_s3_bucket.logs.id, target_bucket = aws_s3_bucket.access.id, target_prefix = \"ct/\" }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html"},
			Check: checkTrailBucket(false),
		},
	}
}

func trailARN(s *model.Snapshot, t cloudtrail.Trail) string {
	return orARN(t.ARN, regionalARN(s, "cloudtrail", orStr(t.HomeRegion, t.Region), "trail/"+t.Name))
}

func trailRegion(t cloudtrail.Trail) string {
	return orStr(t.HomeRegion, regionOr(t.Meta, globalRegion))
}

func trailsOrUnknown(s *model.Snapshot) ([]cloudtrail.Trail, []Result) {
	return knownList(s.CloudTrail.Trails, regionalARN(s, "cloudtrail", "*", "trail/*"), globalRegion, "CloudTrail trails")
}

// eachTrail judges a static property of every trail.
func eachTrail(judge func(t cloudtrail.Trail) (ok bool, passMsg, failMsg string)) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		trails, unk := trailsOrUnknown(s)
		if unk != nil {
			return unk
		}
		out := make([]Result, 0, len(trails))
		for _, t := range trails {
			ok, pass, fail := judge(t)
			if ok {
				out = append(out, PassR(trailARN(s, t), trailRegion(t), "trail %s %s", t.Name, pass))
			} else {
				out = append(out, FailR(trailARN(s, t), trailRegion(t), "trail %s %s", t.Name, fail))
			}
		}
		return out
	}
}

// mgmtCoverage is what a trail's selectors record of management events.
type mgmtCoverage struct {
	read, write bool
	excluded    []string // excluded or narrowed event sources
}

func managementCoverage(sel cloudtrail.Selectors) mgmtCoverage {
	var c mgmtCoverage
	for _, es := range sel.Basic {
		if !es.IncludeManagementEvents {
			continue
		}
		switch strings.ToLower(es.ReadWriteType) {
		case "readonly":
			c.read = true
		case "writeonly":
			c.write = true
		default: // "All" (and absent, which CloudTrail treats as All)
			c.read, c.write = true, true
		}
		c.excluded = append(c.excluded, es.ExcludeSources...)
	}
	for _, as := range sel.Advanced {
		mgmt := false
		readOnly := []string(nil)
		readOnlySet := false
		narrowed := false
		for _, f := range as.Fields {
			switch strings.ToLower(f.Field) {
			case "eventcategory":
				for _, v := range f.Equals {
					if strings.EqualFold(v, "Management") {
						mgmt = true
					}
				}
			case "readonly":
				readOnly, readOnlySet = f.Equals, true
			case "eventsource":
				c.excluded = append(c.excluded, f.NotEquals...)
				if len(f.Equals) > 0 || len(f.StartsWith) > 0 || len(f.NotStartsWith) > 0 || len(f.EndsWith) > 0 || len(f.NotEndsWith) > 0 {
					narrowed = true
				}
			default:
				narrowed = true
			}
		}
		if !mgmt {
			continue
		}
		if narrowed {
			c.excluded = append(c.excluded, "selector "+orStr(as.Name, "(unnamed)")+" narrows management events")
			continue
		}
		if !readOnlySet {
			c.read, c.write = true, true
			continue
		}
		for _, v := range readOnly {
			switch strings.ToLower(v) {
			case "true":
				c.read = true
			case "false":
				c.write = true
			}
		}
	}
	return c
}

func checkMultiRegionTrail(s *model.Snapshot) []Result {
	arn := accountARN(s)
	trails, ok := s.CloudTrail.Trails.Get()
	if !ok {
		return []Result{UnknownR(arn, globalRegion, "CloudTrail trails unreadable: %s", s.CloudTrail.Trails.Why())}
	}
	var problems, unknowns []string
	for _, t := range trails {
		if !t.IsMultiRegion {
			problems = append(problems, t.Name+" is single-region")
			continue
		}
		st, stOK := t.Status.Get()
		sel, selOK := t.Selectors.Get()
		switch {
		case stOK && !st.IsLogging:
			problems = append(problems, t.Name+" is not logging")
			continue
		case !stOK:
			unknowns = append(unknowns, t.Name+" status unreadable: "+t.Status.Why())
			continue
		case !selOK:
			unknowns = append(unknowns, t.Name+" event selectors unreadable: "+t.Selectors.Why())
			continue
		}
		c := managementCoverage(sel)
		switch {
		case !c.read || !c.write:
			problems = append(problems, t.Name+" does not record both read and write management events")
		case len(c.excluded) > 0:
			problems = append(problems, t.Name+" excludes management events ("+strings.Join(c.excluded, ", ")+")")
		default:
			return []Result{PassR(arn, globalRegion, "multi-region trail %s is logging all read and write management events", t.Name)}
		}
	}
	switch {
	case len(unknowns) > 0:
		return []Result{UnknownR(arn, globalRegion, "no trail confirmed: %s", strings.Join(append(unknowns, problems...), "; "))}
	case len(trails) == 0:
		return []Result{FailR(arn, globalRegion, "no CloudTrail trail exists")}
	}
	return []Result{FailR(arn, globalRegion, "no multi-region trail logs all management events: %s", strings.Join(problems, "; "))}
}

func checkTrailEnabled(s *model.Snapshot) []Result {
	arn := accountARN(s)
	trails, ok := s.CloudTrail.Trails.Get()
	if !ok {
		return []Result{UnknownR(arn, globalRegion, "CloudTrail trails unreadable: %s", s.CloudTrail.Trails.Why())}
	}
	var unknowns []string
	for _, t := range trails {
		st, ok := t.Status.Get()
		switch {
		case !ok:
			unknowns = append(unknowns, t.Name+": "+t.Status.Why())
		case st.IsLogging:
			return []Result{PassR(arn, globalRegion, "trail %s is logging", t.Name)}
		}
	}
	switch {
	case len(unknowns) > 0:
		return []Result{UnknownR(arn, globalRegion, "no trail confirmed logging; status unreadable for %s", strings.Join(unknowns, "; "))}
	case len(trails) == 0:
		return []Result{FailR(arn, globalRegion, "no CloudTrail trail exists")}
	}
	return []Result{FailR(arn, globalRegion, "none of the %s is logging", plural(len(trails), "trail", "trails"))}
}

// s3ObjectsCovered reports whether a trail's selectors record S3 object
// events of the given kind (read or write) for every object of the bucket.
// Selectors restricted to prefixes, specific objects or event names cover
// only part of the bucket and do not count.
func s3ObjectsCovered(sel cloudtrail.Selectors, partitionPrefix, bucket string, read bool) bool {
	bucketObjects := partitionPrefix + ":s3:::" + bucket + "/"
	for _, es := range sel.Basic {
		rw := strings.ToLower(es.ReadWriteType)
		if (read && rw == "writeonly") || (!read && rw == "readonly") {
			continue
		}
		for _, dr := range es.DataResources {
			if dr.Type != "AWS::S3::Object" {
				continue
			}
			for _, v := range dr.Values {
				// "arn:aws:s3" or "arn:aws:s3:::" mean every bucket;
				// "arn:aws:s3:::bucket/" means the whole bucket.
				if v == partitionPrefix+":s3" || v == partitionPrefix+":s3:::" || v == bucketObjects {
					return true
				}
			}
		}
	}
	for _, as := range sel.Advanced {
		data, objects, kindOK, arnOK, narrowed := false, false, true, true, false
		for _, f := range as.Fields {
			switch strings.ToLower(f.Field) {
			case "eventcategory":
				for _, v := range f.Equals {
					if strings.EqualFold(v, "Data") {
						data = true
					}
				}
			case "resources.type":
				for _, v := range f.Equals {
					if v == "AWS::S3::Object" {
						objects = true
					}
				}
			case "readonly":
				want := "false"
				if read {
					want = "true"
				}
				kindOK = false
				for _, v := range f.Equals {
					if strings.EqualFold(v, want) {
						kindOK = true
					}
				}
				if len(f.Equals) == 0 {
					kindOK = true
				}
			case "resources.arn":
				arnOK = false
				for _, p := range f.StartsWith {
					if strings.HasPrefix(bucketObjects, p) {
						arnOK = true
					}
				}
				if len(f.Equals) > 0 || len(f.NotStartsWith) > 0 || len(f.NotEquals) > 0 || len(f.EndsWith) > 0 || len(f.NotEndsWith) > 0 {
					arnOK = false
				}
			default:
				narrowed = true // eventName, userIdentity.arn, …: partial coverage
			}
		}
		if data && objects && kindOK && arnOK && !narrowed {
			return true
		}
	}
	return false
}

func checkS3DataEvents(read bool) func(*model.Snapshot) []Result {
	kind := "write"
	if read {
		kind = "read"
	}
	return func(s *model.Snapshot) []Result {
		trails, unk := trailsOrUnknown(s)
		if unk != nil {
			return unk
		}
		return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
			var unknowns []string
			for _, t := range trails {
				if !t.IsMultiRegion && t.HomeRegion != "" && region != globalRegion && t.HomeRegion != region {
					continue // a single-region trail sees data events of its own region only
				}
				st, stOK := t.Status.Get()
				sel, selOK := t.Selectors.Get()
				if stOK && !st.IsLogging {
					continue
				}
				if !selOK {
					unknowns = append(unknowns, t.Name+" selectors unreadable: "+t.Selectors.Why())
					continue
				}
				if !s3ObjectsCovered(sel, s.ARNPrefix(), b.Name, read) {
					continue
				}
				if !stOK {
					unknowns = append(unknowns, t.Name+" covers it but its logging status is unreadable: "+t.Status.Why())
					continue
				}
				return PassR(arn, region, "bucket %s object-level %s events are recorded by trail %s", b.Name, kind, t.Name)
			}
			if len(unknowns) > 0 {
				sort.Strings(unknowns)
				return UnknownR(arn, region, "bucket %s: object-level %s logging not confirmed: %s", b.Name, kind, strings.Join(unknowns, "; "))
			}
			return FailR(arn, region, "bucket %s: no logging trail records its object-level %s events", b.Name, kind)
		})
	}
}

// checkTrailBucket checks each trail's log bucket: public is true for the
// "not public" rule, false for the access-logging rule.
func checkTrailBucket(public bool) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		trails, unk := trailsOrUnknown(s)
		if unk != nil {
			return unk
		}
		buckets, bucketsOK := s.S3.Buckets.Get()
		byName := map[string]s3.Bucket{}
		for _, b := range buckets {
			byName[b.Name] = b
		}
		out := make([]Result, 0, len(trails))
		for _, t := range trails {
			arn, region := trailARN(s, t), trailRegion(t)
			switch b, ok := byName[t.S3BucketName]; {
			case t.S3BucketName == "":
				out = append(out, UnknownR(arn, region, "trail %s: log bucket name not collected", t.Name))
			case !bucketsOK:
				out = append(out, UnknownR(arn, region, "trail %s: S3 bucket list unreadable: %s", t.Name, s.S3.Buckets.Why()))
			case !ok:
				out = append(out, UnknownR(arn, region, "trail %s logs to bucket %s, which is not in this account's snapshot (another account?)", t.Name, t.S3BucketName))
			case public:
				out = append(out, trailBucketPublic(s, t, b, arn, region))
			default:
				l, ok := b.Logging.Get()
				switch {
				case !ok:
					out = append(out, UnknownR(arn, region, "trail %s bucket %s logging unreadable: %s", t.Name, b.Name, b.Logging.Why()))
				case l == nil || l.TargetBucket == "":
					out = append(out, FailR(arn, region, "trail %s bucket %s has server access logging off", t.Name, b.Name))
				default:
					out = append(out, PassR(arn, region, "trail %s bucket %s logs access to s3://%s/%s", t.Name, b.Name, l.TargetBucket, l.TargetPrefix))
				}
			}
		}
		return out
	}
}

func trailBucketPublic(s *model.Snapshot, t cloudtrail.Trail, b s3.Bucket, arn, region string) Result {
	e := bucketExposure(s, b)
	viaACL := e.aclRead.or(e.aclWrite).and(e.ignoreACLs.not())
	viaPolicy := e.polPublic.and(e.restrict.not())
	public := viaACL.or(viaPolicy)
	switch {
	case public.known && public.v:
		how := "its bucket policy is public"
		if viaACL.known && viaACL.v {
			how = "its ACL grants " + e.aclWho
		}
		return FailR(arn, region, "trail %s log bucket %s is publicly accessible: %s", t.Name, b.Name, how)
	case !public.known:
		return UnknownR(arn, region, "trail %s log bucket %s: cannot tell whether it is public: %s", t.Name, b.Name, public.why)
	}
	return PassR(arn, region, "trail %s log bucket %s is not publicly accessible", t.Name, b.Name)
}
