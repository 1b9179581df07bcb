package detect

import (
	"encoding/binary"
	"encoding/hex"

	"github.com/cespare/xxhash/v2"
)

// ProblemID is the signature of a problem: the findings of one trap in one
// place, however many requests hit it. It is 16 lowercase hex characters,
// a 64-bit hash of the finding type, the service, the route ("" when the
// request has none) and the fingerprint, and never changes for the same
// four: reports group findings by it, a CI baseline and SARIF's
// partialFingerprints compare runs by it, and an ignore rule can name it
// (querylens.problem.id in the contract).
func ProblemID(typ, service, route, fingerprint string) string {
	d := xxhash.New()
	for _, part := range [...]string{typ, service, route, fingerprint} {
		_, _ = d.WriteString(part)
		_, _ = d.Write([]byte{0}) // "ab"+"c" is not "a"+"bc"
	}
	return hex.EncodeToString(binary.BigEndian.AppendUint64(nil, d.Sum64()))
}
