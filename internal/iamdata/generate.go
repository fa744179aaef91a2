package iamdata

// Rebuild data/actions.tsv.gz from the pinned version of the npm package
// (needs npm and the registry; see README.md for an offline rebuild).
//go:generate go run ./gen -version 0.21.202609261 -out data/actions.tsv.gz
