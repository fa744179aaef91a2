// Package sqs is the snapshot model of Amazon SQS queues, one Region at a
// time: access policy and server-side encryption.
package sqs

import (
	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the SQS state of one region.
type Region struct {
	Name   string            `json:"name"`
	Queues core.Val[[]Queue] `json:"queues"`
}

// Queue is one queue. Meta.ARN is the queue ARN.
type Queue struct {
	core.Meta
	Name       string                    `json:"name"`
	URL        string                    `json:"url"`
	Attributes core.Val[QueueAttributes] `json:"attributes"`
}

// QueueAttributes are the GetQueueAttributes fields rules need.
type QueueAttributes struct {
	Policy string `json:"policy,omitempty"`
	// KMSMasterKeyID is set for SSE-KMS.
	KMSMasterKeyID string `json:"kms_master_key_id,omitempty"`
	// SQSManagedSSE is SSE with SQS-owned keys (SSE-SQS).
	SQSManagedSSE bool `json:"sqs_managed_sse"`
	FIFO          bool `json:"fifo"`
	// DeadLetterTargetARN is the redrive policy's dead-letter queue.
	DeadLetterTargetARN string `json:"dead_letter_target_arn,omitempty"`
}

// Encrypted reports whether messages are encrypted at rest (SSE-KMS or SSE-SQS).
func (a QueueAttributes) Encrypted() bool { return a.KMSMasterKeyID != "" || a.SQSManagedSSE }
