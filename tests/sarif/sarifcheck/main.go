// sarifcheck judges SARIF documents against the SARIF 2.1.0 object model
// that Debian packages as golang-github-haya14busa-go-sarif-dev, whose Go
// types were generated from the published SARIF 2.1.0 JSON schema: every
// property must be one the schema defines for its object (property bags
// aside, which take any), of the schema's type; every property the schema
// requires must be there; every enumerated string must be one of the
// schema's values. The enumerations are read from the package's source,
// since Go keeps no list of a type's constants.
//
// Built in GOPATH mode against the packaged sources; nothing is fetched.
//
// usage: sarifcheck MODEL.go FILE.sarif...   (prints one line per problem)
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/haya14busa/go-sarif/sarif"
)

// enums maps a string type's name to the values its constants take.
func enums(model string) (map[string]map[string]bool, error) {
	f, err := parser.ParseFile(token.NewFileSet(), model, nil, 0)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			t, ok := v.Type.(*ast.Ident)
			if !ok || len(v.Values) != 1 {
				continue
			}
			lit, ok := v.Values[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				continue
			}
			value, _ := strconv.Unquote(lit.Value)
			if out[t.Name] == nil {
				out[t.Name] = map[string]bool{}
			}
			out[t.Name][value] = true
		}
	}
	return out, nil
}

type checker struct {
	enums    map[string]map[string]bool
	problems []string
}

func (c *checker) fail(where, format string, args ...interface{}) {
	c.problems = append(c.problems, where+": "+fmt.Sprintf(format, args...))
}

var propertyBag = reflect.TypeOf(sarif.PropertyBag{})

// check judges the decoded JSON value v against Go type t, at path where.
func (c *checker) check(v interface{}, t reflect.Type, where string) {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]interface{})
		if !ok {
			c.fail(where, "want an object, got %T", v)
			return
		}
		if t == propertyBag {
			return
		}
		known := map[string]bool{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("json"), ",")
			name, optional := tag[0], len(tag) > 1 && tag[1] == "omitempty"
			known[name] = true
			value, present := obj[name]
			if !present {
				if !optional {
					c.fail(where, "required property %q is missing", name)
				}
				continue
			}
			c.check(value, f.Type, where+"."+name)
		}
		for name := range obj {
			if !known[name] {
				c.fail(where, "property %q is not in the schema for %s", name, t.Name())
			}
		}
	case reflect.Slice:
		arr, ok := v.([]interface{})
		if !ok {
			c.fail(where, "want an array, got %T", v)
			return
		}
		for i, e := range arr {
			c.check(e, t.Elem(), fmt.Sprintf("%s[%d]", where, i))
		}
	case reflect.Map:
		obj, ok := v.(map[string]interface{})
		if !ok {
			c.fail(where, "want an object, got %T", v)
			return
		}
		for k, e := range obj {
			c.check(e, t.Elem(), where+"."+k)
		}
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			c.fail(where, "want a string, got %T", v)
			return
		}
		if values := c.enums[t.Name()]; values != nil && !values[s] {
			c.fail(where, "%q is not one of the schema's values for %s", s, t.Name())
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			c.fail(where, "want a boolean, got %T", v)
		}
	case reflect.Int, reflect.Int64:
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			c.fail(where, "want an integer, got %v", v)
		}
	case reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			c.fail(where, "want a number, got %T", v)
		}
	case reflect.Interface:
		// Any JSON value.
	default:
		c.fail(where, "no rule for Go kind %s", t.Kind())
	}
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: sarifcheck MODEL.go FILE.sarif...")
		os.Exit(2)
	}
	values, err := enums(os.Args[1])
	if err != nil || len(values) == 0 {
		fmt.Fprintln(os.Stderr, "sarifcheck: cannot read the enumerations of", os.Args[1], err)
		os.Exit(2)
	}
	c := &checker{enums: values}
	for _, file := range os.Args[2:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sarifcheck:", err)
			os.Exit(2)
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		var doc interface{}
		if err := dec.Decode(&doc); err != nil {
			c.fail(file, "not JSON: %v", err)
			continue
		}
		c.check(doc, reflect.TypeOf(sarif.Sarif{}), file)
	}
	for _, p := range c.problems {
		fmt.Println(p)
	}
	if len(c.problems) > 0 {
		os.Exit(1)
	}
}
