package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// sarifValidator is the validator the test installs from npm: ajv (the JSON
// Schema validator) and the SARIF 2.1.0 schema Microsoft ships in
// @microsoft/jest-sarif (sarif-2.1.0-rtm.5.json, the final 2.1.0 schema).
var sarifValidator = []string{"ajv@6.12.6", "@microsoft/jest-sarif@1.0.0-beta.0"}

// validateSARIF is the script that validates the files it is given.
const validateSARIF = `
const fs = require('fs');
const Ajv = require('ajv');
const ajv = new Ajv({schemaId: 'auto', allErrors: true, jsonPointers: true});
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json'));
const validate = ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
for (const path of process.argv.slice(2)) {
  if (!validate(JSON.parse(fs.readFileSync(path, 'utf8')))) {
    console.error(path + ': ' + ajv.errorsText(validate.errors, {separator: '\n  '}));
    process.exitCode = 1;
  }
}
`

// sarifValidatorDir installs the validator once into a cache directory and
// returns it; the test is skipped, saying why, where npm cannot run.
func sarifValidatorDir(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIP: the SARIF schema check needs %s (to install and run a validator from npm): %v", tool, err)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "querylens-test", "sarif-validator")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@microsoft", "jest-sarif", "lib", "schemas", "sarif-2.1.0-rtm.5.json")); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		install := exec.Command("npm", append([]string{"install", "--prefix", dir, "--no-audit", "--no-fund", "--no-save", "--ignore-scripts"}, sarifValidator...)...)
		if out, err := install.CombinedOutput(); err != nil {
			t.Skipf("SKIP: npm could not install the SARIF validator (%v): %v\n%s", sarifValidator, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "validate.js"), []byte(validateSARIF), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSARIFValidatesAgainstTheSchema writes the SARIF of every testdata
// scenario and of a real application's traffic, by problem and by finding,
// and of a log with no result, and checks
// them against the SARIF 2.1.0 schema with a validator from npm; and that
// every result has a location: its code location when the spans record one,
// else its service and route.
func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	validator := sarifValidatorDir(t)
	// Every scenario directory, and the recorded traffic of a real app.
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, s := range scenarios {
		if d := filepath.Dir(s.Path); !slices.Contains(inputs, d) {
			inputs = append(inputs, d)
		}
	}
	// and one real application's traffic (the whole corpus is slow under -race)
	inputs = append(inputs, filepath.Join(fixtures.Dir(), "wild", "openhospital", "traces.jsonl.gz"))
	dir := t.TempDir()
	var files []string
	for name, args := range map[string][]string{
		"problems.sarif": inputs,
		"findings.sarif": append([]string{"--findings"}, inputs...),
		"empty.sarif":    {filepath.Join(fixtures.Dir(), "django", "forward_fk_join.json")},
	} {
		code, out, errs := runCLI(t, "", append([]string{"analyze", "--quiet", "--format", "sarif"}, args...)...)
		if code != exitClean {
			t.Fatalf("%s: exit %d: %s", name, code, errs)
		}
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID    string            `json:"ruleId"`
					Locations []json.RawMessage `json:"locations"`
					Partial   map[string]string `json:"partialFingerprints"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		results := log.Runs[0].Results
		if (name == "empty.sarif") != (len(results) == 0) {
			t.Errorf("%s: %d results", name, len(results))
		}
		for i, r := range results {
			if len(r.Locations) != 1 || string(r.Locations[0]) == "{}" || len(r.Partial["querylensProblem/v1"]) != 16 {
				t.Errorf("%s: result %d (%s): locations %s, fingerprints %v", name, i, r.RuleID, r.Locations, r.Partial)
			}
		}
		t.Logf("%s: %d results", name, len(results))
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	check := exec.Command("node", append([]string{filepath.Join(validator, "validate.js")}, files...)...)
	check.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(validator, "node_modules"))
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("not valid SARIF 2.1.0: %v\n%s", err, out)
	}

	// The validator does catch a wrong log.
	bad := filepath.Join(dir, "bad.sarif")
	if err := os.WriteFile(bad, []byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "bogus"}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	check = exec.Command("node", filepath.Join(validator, "validate.js"), bad)
	check.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(validator, "node_modules"))
	if out, err := check.CombinedOutput(); err == nil {
		t.Errorf("the validator passed a log with level \"bogus\": %s", out)
	}
}
