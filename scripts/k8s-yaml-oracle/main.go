// Command k8s-yaml-oracle prints what Kubernetes' own decoder makes of YAML/JSON manifest streams,
// so syncgate's codec can be tested case by case against upstream (test/fixtures/codec/).
//
// It reads a JSON array of {"name","input"} on stdin and writes a JSON array of
// {"name","input","docs"} or {"name","input","error"} on stdout. Each stream is decoded the way
// kubectl and Argo CD read manifests: k8s.io/apimachinery's YAMLOrJSONDecoder (a JSON stream when
// the text starts with `{`, else `---`-split YAML documents through sigs.k8s.io/yaml, i.e.
// go-yaml v2 then JSON), skipping empty and null documents like Argo CD's kube.SplitYAML.
//
// Numbers are written as {"n": "<text>"} (integers exact, floats as encoding/json formats them,
// which is ECMAScript's Number-to-string), mappings as {"m": {...}}, so the JavaScript side reads
// them without losing precision.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type kase struct {
	Name  string `json:"name"`
	Input string `json:"input"`
}

type result struct {
	Name  string        `json:"name"`
	Input string        `json:"input"`
	Docs  *[]interface{} `json:"docs,omitempty"`
	Error string        `json:"error,omitempty"`
}

func canon(v interface{}) (interface{}, error) {
	switch t := v.(type) {
	case nil, bool, string:
		return t, nil
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return map[string]string{"n": strconv.FormatInt(i, 10)}, nil
		}
		if u, err := strconv.ParseUint(string(t), 10, 64); err == nil {
			return map[string]string{"n": strconv.FormatUint(u, 10)}, nil
		}
		f, err := t.Float64()
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		return map[string]string{"n": string(b)}, nil
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, x := range t {
			c, err := canon(x)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, x := range t {
			c, err := canon(x)
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
		return map[string]interface{}{"m": m}, nil
	}
	return nil, fmt.Errorf("unexpected %T", v)
}

func decode(input string) ([]interface{}, error) {
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(input)), 4096)
	docs := []interface{}{}
	for {
		ext := runtime.RawExtension{}
		if err := d.Decode(&ext); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, err
		}
		raw := bytes.TrimSpace(ext.Raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v interface{}
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		c, err := canon(v)
		if err != nil {
			return nil, err
		}
		docs = append(docs, c)
	}
}

func main() {
	var cases []kase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "k8s-yaml-oracle:", err)
		os.Exit(2)
	}
	out := make([]result, 0, len(cases))
	for _, c := range cases {
		docs, err := func() (docs []interface{}, err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return decode(c.Input)
		}()
		r := result{Name: c.Name, Input: c.Input}
		if err != nil {
			r.Error = err.Error()
		} else {
			if docs == nil {
				docs = []interface{}{}
			}
			r.Docs = &docs
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "k8s-yaml-oracle:", err)
		os.Exit(2)
	}
}
