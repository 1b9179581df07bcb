// Written by hand after mdatagen's generated_package_test.go template (mdatagen is not served here).

package querylensprocessor

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
