// Package testkit is the machinery that tests of several packages share: golden
// files refreshed with -update, and random portal.yaml files for property
// tests. It is imported only by _test.go files.
//
// It depends on the model (package portal) alone, so that the tests of every
// package above it, schema's included, may use it.
package testkit
