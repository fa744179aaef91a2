// Package archtest holds tests that enforce demarc's layering: the AWS SDK
// is imported only by the collectors (internal/collect/aws/...).
package archtest
