// cel-go side of bench/cel.mjs: evaluates the same expressions over the same objects with
// google/cel-go (the implementation the Kubernetes API server uses) and prints one JSON line.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
)

func main() {
	var input struct {
		Expressions []string         `json:"expressions"`
		Objects     []map[string]any `json:"objects"`
		Rounds      int              `json:"rounds"`
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&input); err != nil {
		panic(err)
	}
	// Kubernetes decodes JSON integers as int64 (CEL int), as syncgate does.
	for i, o := range input.Objects {
		input.Objects[i] = numbers(o).(map[string]any)
	}
	env, err := cel.NewEnv(cel.Variable("object", cel.DynType), ext.Strings())
	if err != nil {
		panic(err)
	}
	programs := make([]cel.Program, 0, len(input.Expressions))
	for _, e := range input.Expressions {
		ast, iss := env.Compile(e)
		if iss.Err() != nil {
			panic(iss.Err())
		}
		p, err := env.Program(ast)
		if err != nil {
			panic(err)
		}
		programs = append(programs, p)
	}
	start := time.Now()
	falses, evals := 0, 0
	for r := 0; r < input.Rounds; r++ {
		for _, o := range input.Objects {
			act := map[string]any{"object": o}
			for _, p := range programs {
				out, _, err := p.Eval(act)
				evals++
				if err != nil || out.Value() != true {
					falses++
				}
			}
		}
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("{\"evals\":%d,\"falses\":%d,\"seconds\":%f}\n", evals, falses, secs)
}

func numbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
		return x
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}
