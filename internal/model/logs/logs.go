// Package logs is the snapshot model of CloudWatch Logs and CloudWatch
// metric alarms, one Region at a time: log groups (retention, encryption),
// metric filters and alarms, which together answer CIS section 4 ("a metric
// filter and alarm exist for …").
package logs

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the CloudWatch Logs and alarm state of one region.
type Region struct {
	Name          string                   `json:"name"`
	LogGroups     core.Val[[]LogGroup]     `json:"log_groups"`
	MetricFilters core.Val[[]MetricFilter] `json:"metric_filters"`
	// Alarms are the metric alarms (composite alarms are not included).
	Alarms core.Val[[]Alarm] `json:"alarms"`
}

// LogGroup is one log group. Meta.ARN is the ARN without the trailing ":*".
type LogGroup struct {
	core.Meta
	Name string `json:"name"`
	// RetentionDays is 0 when events never expire.
	RetentionDays int        `json:"retention_days"`
	KMSKeyID      string     `json:"kms_key_id,omitempty"`
	Class         string     `json:"class,omitempty"` // STANDARD | INFREQUENT_ACCESS | DELIVERY
	CreationTime  *time.Time `json:"creation_time,omitempty"`
}

// MetricFilter turns matching log events into a metric.
type MetricFilter struct {
	Name            string                 `json:"name"`
	LogGroupName    string                 `json:"log_group_name"`
	Pattern         string                 `json:"pattern"`
	Transformations []MetricTransformation `json:"transformations"`
}

// MetricTransformation names the metric a filter publishes.
type MetricTransformation struct {
	MetricName      string `json:"metric_name"`
	MetricNamespace string `json:"metric_namespace"`
	MetricValue     string `json:"metric_value"`
}

// Alarm is one CloudWatch metric alarm. Meta.ARN is the alarm ARN.
type Alarm struct {
	core.Meta
	Name string `json:"name"`
	// MetricName and Namespace are set for single-metric alarms; metric
	// math alarms list their metrics in Metrics instead.
	MetricName         string      `json:"metric_name,omitempty"`
	Namespace          string      `json:"namespace,omitempty"`
	Metrics            []MetricRef `json:"metrics,omitempty"`
	Statistic          string      `json:"statistic,omitempty"`
	ComparisonOperator string      `json:"comparison_operator,omitempty"`
	Threshold          *float64    `json:"threshold,omitempty"`
	EvaluationPeriods  int         `json:"evaluation_periods,omitempty"`
	PeriodSeconds      int         `json:"period_seconds,omitempty"`
	ActionsEnabled     bool        `json:"actions_enabled"`
	// AlarmActions run when the alarm enters ALARM (SNS topic ARNs, …).
	AlarmActions            []string `json:"alarm_actions,omitempty"`
	OKActions               []string `json:"ok_actions,omitempty"`
	InsufficientDataActions []string `json:"insufficient_data_actions,omitempty"`
	State                   string   `json:"state,omitempty"` // OK | ALARM | INSUFFICIENT_DATA
}

// MetricRef is a metric used by a metric math alarm.
type MetricRef struct {
	ID         string `json:"id"`
	MetricName string `json:"metric_name"`
	Namespace  string `json:"namespace"`
}
