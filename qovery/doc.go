// Package qovery speaks the HTTP API of a Qovery AI Builder Portal: it lists
// members and blueprints, reads and writes blueprint ACLs, and invites, updates
// and removes members. Its Transport, the machinery every call goes through, is
// shared with the client of the organization's own members (package
// qovery/organization), which speaks Qovery's published API.
//
// The client reads answers into the model (package portal) and writes the model
// into requests: translate.go is the one place where the wire meets the model,
// and what it does not understand (an unknown rule type, role or status, a
// missing field, two objects where the model has room for one) is an
// *UnexpectedError, never a guess. Before an answer is decoded, its keys are
// checked (strict.go): encoding/json matches keys to fields regardless of case
// and keeps the last of two, so a key that differs from a field only in case, or
// a key given twice, is refused too.
//
// The admin endpoints are modelled on the product documentation and on the
// conventions of Qovery's public API (JSON, snake_case, "results" list
// bodies, "Authorization: Token …", errors shaped as
// {"status","error","message"}). Every path the client uses is declared in
// routes.go: if the real endpoints differ, that file is the single place to
// change. openapi.yaml describes the same API.
//
// The Transport retries rate-limited (429), server-error (5xx) and
// connection-level failures of idempotent requests with capped, jittered
// exponential backoff. It never replays a POST that the portal may have
// processed. Its errors say what the portal may have done: ErrNotSent when no
// attempt reached it, ErrAmbiguous when a change was sent and not answered (the
// caller re-reads before trying again), else the portal's answer as an
// *APIError. A circuit breaker shared by all the Transport's calls stops them
// once the API stops answering or refuses the credentials (*BreakerError). The
// API token is set in exactly one place, the Authorization header, and no
// message is built with it.
package qovery
