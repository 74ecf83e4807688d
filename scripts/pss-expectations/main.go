// Command pss-expectations prints what the upstream pod-security-admission library
// (k8s.io/pod-security-admission) decides for each pod of the syncgate PSS table, at the
// baseline and restricted levels of the latest policy version, with the failing check ids.
// Its output is committed as test/fixtures/policy/pss-table/expected.json.
//
//	cd scripts/pss-expectations && go build -o ../../.tools/bin/pss-expectations . &&
//	  ../../.tools/bin/pss-expectations ../../test/fixtures/policy/pss-table/cases.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type tableCase struct {
	Name   string          `json:"name"`
	Object json.RawMessage `json:"object"`
}

type levelResult struct {
	Allowed bool     `json:"allowed"`
	Failed  []string `json:"failed"`
}

type caseResult struct {
	Name       string      `json:"name"`
	Baseline   levelResult `json:"baseline"`
	Restricted levelResult `json:"restricted"`
}

func podOf(raw json.RawMessage) (*metav1.ObjectMeta, *corev1.PodSpec, error) {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, nil, err
	}
	if head.Kind == "Pod" {
		var p corev1.Pod
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, nil, err
		}
		return &p.ObjectMeta, &p.Spec, nil
	}
	var w struct {
		Spec struct {
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, nil, err
	}
	return &w.Spec.Template.ObjectMeta, &w.Spec.Template.Spec, nil
}

// current returns the revision of a check that applies to the latest policy version.
func current(c policy.Check) policy.VersionedCheck {
	return c.Versions[len(c.Versions)-1]
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pss-expectations <cases.json>")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var cases []tableCase
	if err := json.Unmarshal(data, &cases); err != nil {
		panic(err)
	}
	checks := policy.DefaultChecks()
	evaluator, err := policy.NewEvaluator(checks, nil)
	if err != nil {
		panic(err)
	}
	overridden := map[policy.CheckID]bool{}
	for _, c := range checks {
		if c.Level == api.LevelRestricted {
			for _, id := range current(c).OverrideCheckIDs {
				overridden[id] = true
			}
		}
	}
	latest := api.LatestVersion()
	out := []caseResult{}
	for _, tc := range cases {
		meta, spec, err := podOf(tc.Object)
		if err != nil {
			panic(fmt.Errorf("%s: %w", tc.Name, err))
		}
		r := caseResult{Name: tc.Name, Baseline: levelResult{Failed: []string{}}, Restricted: levelResult{Failed: []string{}}}
		for _, c := range checks {
			res := current(c).CheckPod(meta, spec)
			if res.Allowed {
				continue
			}
			if c.Level == api.LevelBaseline {
				r.Baseline.Failed = append(r.Baseline.Failed, string(c.ID))
				if !overridden[c.ID] {
					r.Restricted.Failed = append(r.Restricted.Failed, string(c.ID))
				}
			} else {
				r.Restricted.Failed = append(r.Restricted.Failed, string(c.ID))
			}
		}
		sort.Strings(r.Baseline.Failed)
		sort.Strings(r.Restricted.Failed)
		// The evaluator's own verdict must agree with the per-check one.
		for _, lv := range []struct {
			level api.Level
			res   *levelResult
		}{{api.LevelBaseline, &r.Baseline}, {api.LevelRestricted, &r.Restricted}} {
			agg := policy.AggregateCheckResults(evaluator.EvaluatePod(api.LevelVersion{Level: lv.level, Version: latest}, meta, spec))
			lv.res.Allowed = agg.Allowed
			if agg.Allowed != (len(lv.res.Failed) == 0) {
				panic(fmt.Errorf("%s: %s: evaluator and per-check verdicts disagree", tc.Name, lv.level))
			}
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
