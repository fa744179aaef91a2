// Package aws is the collection layer: the only code in demarc that imports
// the AWS SDK. It builds an SDK configuration (credential chain, optional
// role assumption, endpoint override, adaptive retries, per-service rate
// limits, a read-only guard), and runs the service collectors listed in
// all.go concurrently over the selected regions into a model.Snapshot.
//
// Each service collector lives in its own sub-package and implements
// Collector. Errors are never fatal to a scan: a value that cannot be read
// becomes core.Unknown with a classified reason and a CollectError.
package aws
