package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/crossdock/crossdock/internal/x12"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crossdock/crossdock/internal/adapter"
	"github.com/crossdock/crossdock/internal/formats"
	"github.com/crossdock/crossdock/internal/mapping"
	"github.com/crossdock/crossdock/views/pages"
)

// The mapping playground: the program, tables and parse options as they
// are in the editor (saved or not) run on a pasted document, an uploaded
// file or one of the adapter's samples. Nothing is saved. The answer is
// the results panel for htmx, the whole page otherwise.

// playgroundTimeout bounds one playground run: it runs code as typed.
const playgroundTimeout = 10 * time.Second

// Limits of what the results panel shows; the raw JSON is always whole.
const (
	maxParsedShown = 5
	maxTreeNodes   = 4000
)

// playground runs the editor's mapping on a document.
func (s *Server) playground(c *fiber.Ctx) error {
	p, a, err := s.loadAdapter(c)
	if err != nil {
		return err
	}
	in := readEditor(c)
	pg := pages.Playground{Document: formText(c, "document"), SampleValue: formValue(c, "sample")}
	content, source, err := s.playgroundContent(c, a, &pg)
	if err != nil {
		return err
	}
	if content != nil {
		pg = s.runPlayground(c, a, in, content, source, pg)
	}
	if isHTMX(c) {
		return s.render(c, fiber.StatusOK, pages.PlaygroundResults(pg), pages.PlaygroundResults(pg))
	}
	m, err := s.adapterModel(c, p, a, 0)
	if err != nil {
		return err
	}
	m.Editor, m.Playground = in.values, pg
	if len(in.errors) > 0 && in.errors["program"] == "" {
		m.EditorErrors = in.errors
	}
	return s.render(c, fiber.StatusOK, pages.AdapterDetail(m))
}

// playgroundContent picks what to run: the chosen sample, else the
// uploaded file, else the pasted document. nil content means nothing to
// run, with pg.Hint saying why.
func (s *Server) playgroundContent(c *fiber.Ctx, a adapter.Adapter, pg *pages.Playground) ([]byte, string, error) {
	if pg.SampleValue != "" {
		id, err := strconv.ParseInt(pg.SampleValue, 10, 64)
		if err != nil {
			pg.Hint = "Choose one of the adapter's samples."
			return nil, "", nil
		}
		sm, err := s.d.Adapters.Sample(ctx(c), id)
		if errors.Is(err, adapter.ErrNotFound) || (err == nil && sm.AdapterID != a.ID) {
			pg.Hint = "That sample no longer exists; choose another or reload the page."
			return nil, "", nil
		}
		if err != nil {
			return nil, "", err
		}
		pg.SampleID = sm.ID
		return sm.Content, "sample " + sm.Name, nil
	}
	content, name, tooLarge, err := readSampleContent(c, "file", pg.Document)
	switch {
	case err != nil:
		return nil, "", err
	case tooLarge:
		pg.Hint = "The file is larger than " + byteSize(adapter.MaxSampleBytes) + ", the most the playground reads."
		return nil, "", nil
	case name != "":
		return content, "upload " + name, nil
	case strings.TrimSpace(string(content)) == "":
		pg.Hint = "Paste a document, upload a file or choose a sample to see what the program makes of it."
		return nil, "", nil
	}
	return content, "the pasted document", nil
}

// runPlayground runs the editor's mapping on content and prepares the
// results panel. A program that does not compile, or tables or options
// that cannot be read, are mapping errors in the panel, never a failure.
func (s *Server) runPlayground(c *fiber.Ctx, a adapter.Adapter, in editorInput, content []byte, source string, pg pages.Playground) pages.Playground {
	pg.Ran, pg.Source = true, source
	start := time.Now()
	defer func() { pg.Duration = millis(time.Since(start)) }()
	for _, k := range []string{"program", "tables", "options"} {
		if msg := in.errors[k]; msg != "" {
			pg.Mapping = append(pg.Mapping, pages.PGError{Stage: "setup", Message: msg})
		}
	}
	if len(pg.Mapping) > 0 {
		pg.Outcome, pg.Summary = "rejected", "Nothing was mapped: the editor has mistakes."
		fillParsed(&pg, a, content, in)
		pg.Duration = millis(time.Since(start))
		return pg
	}
	rctx, cancel := context.WithTimeout(ctx(c), playgroundTimeout)
	defer cancel()
	res, err := s.d.Adapters.RunDraft(rctx, a.ID, in.values.Program, in.tables, in.opts, content)
	if err != nil {
		stage, msg := "setup", err.Error()
		if errors.Is(err, adapter.ErrDoesNotCompile) {
			stage, msg = "compile", "The program does not compile: "+compileMessage(err)
		}
		pg.Mapping = append(pg.Mapping, pages.PGError{Stage: stage, Message: msg})
		pg.Outcome, pg.Summary = "rejected", "Nothing was mapped: the program does not run."
		fillParsed(&pg, a, content, in)
		pg.Duration = millis(time.Since(start))
		return pg
	}
	if rctx.Err() != nil {
		pg.Mapping = append(pg.Mapping, pages.PGError{Stage: "map", Message: "The program ran longer than " + playgroundTimeout.String() + " and was stopped."})
	}
	fillPlayground(&pg, a, res, content, in)
	if pg.SampleID != 0 {
		pg.RecordURL = adapterURL(partnerCodeOf(c), a.ID) + "/samples/" + strconv.FormatInt(pg.SampleID, 10) + "/expect"
		latest, err := s.d.Adapters.Revisions(ctx(c), a.ID)
		switch {
		case err != nil || len(latest) == 0:
		case !sameMapping(latest[0], in):
			pg.RecordHint = "The editor differs from revision " + strconv.Itoa(latest[0].Number) + ": save it to record this output as the sample's expectation."
		default:
			pg.CanRecord = true
		}
	}
	pg.Duration = millis(time.Since(start))
	return pg
}

func partnerCodeOf(c *fiber.Ctx) string { return param(c, "code") }

// sameMapping reports whether the editor holds what revision r holds.
func sameMapping(r adapter.Revision, in editorInput) bool {
	if r.Program != in.values.Program || r.ParseOptions != in.opts {
		return false
	}
	a, _ := json.Marshal(r.Tables)
	b, _ := json.Marshal(in.tables)
	return string(a) == string(b) || (len(r.Tables) == 0 && len(in.tables) == 0)
}

// fillPlayground turns a run's result into the results panel.
func fillPlayground(pg *pages.Playground, a adapter.Adapter, res adapter.RunResult, content []byte, in editorInput) {
	bad := map[int]bool{}
	for _, e := range res.Errors {
		pe := pages.PGError{Stage: e.Stage, Path: e.Path, Message: e.Message}
		if e.Input >= 0 {
			pe.Input = e.Input + 1
		}
		if e.Stage == mapping.StageValidate {
			pe.Output = e.Output + 1
			bad[e.Output] = true
			pe.Message = strings.TrimPrefix(strings.TrimPrefix(e.Message, e.Path), " ")
			pg.Schema = append(pg.Schema, pe)
			continue
		}
		pg.Mapping = append(pg.Mapping, pe)
	}
	budget := &treeBudget{left: maxTreeNodes}
	for i, d := range res.Documents {
		doc := jsonDoc(documentTitle(d, i), d, 3, budget)
		doc.Bad = bad[i]
		pg.Outputs = append(pg.Outputs, doc)
	}
	fillParsedWithin(pg, a, content, in, budget)
	for _, i := range res.Skipped {
		pg.Skipped = append(pg.Skipped, "input "+strconv.Itoa(i+1))
	}
	pg.Ack, pg.AckStatus = ackLines(res.Ack)

	valid := len(res.Documents) - len(bad)
	switch {
	case len(res.Errors) == 0 && len(res.Documents) > 0:
		pg.Outcome = "accepted"
		pg.Summary = plural(len(res.Documents), "canonical document", "canonical documents") + ", valid against the target schema"
	case len(res.Errors) == 0:
		pg.Outcome, pg.Summary = "rejected", "No document was produced"
	default:
		pg.Outcome = "rejected"
		pg.Summary = plural(len(res.Errors), "error", "errors") + "; " + plural(valid, "valid document", "valid documents") + " of " + strconv.Itoa(len(res.Documents))
	}
}

// fillParsed shows the parsed input: what the program reads as ".".
func fillParsed(pg *pages.Playground, a adapter.Adapter, content []byte, in editorInput) {
	fillParsedWithin(pg, a, content, in, &treeBudget{left: maxTreeNodes})
}

func fillParsedWithin(pg *pages.Playground, a adapter.Adapter, content []byte, in editorInput, budget *treeBudget) {
	parsed, err := formats.Parse(a.Format, content, in.opts)
	if err != nil {
		return // the parse error is among the mapping errors
	}
	for i, d := range parsed {
		if i == maxParsedShown {
			pg.ParsedMore = len(parsed) - maxParsedShown
			break
		}
		pg.Parsed = append(pg.Parsed, jsonDoc(inputTitle(d, i), d, 1, budget))
	}
	pg.Truncated = budget.truncated
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// documentTitle names an output: "Order 1 · PO 4500012345".
func documentTitle(d any, i int) string {
	t := "Document " + strconv.Itoa(i+1)
	m, ok := d.(map[string]any)
	if !ok {
		return t
	}
	if dt, ok := m["documentType"].(string); ok && dt != "" {
		t = dt + " " + strconv.Itoa(i+1)
	}
	for _, k := range []string{"number", "orderNumber", "invoiceNumber", "shipmentNumber", "id"} {
		if v, ok := m[k].(string); ok && v != "" {
			return t + " · " + v
		}
	}
	return t
}

// inputTitle names a parsed input: "Input 1 · 850 0001".
func inputTitle(d any, i int) string {
	t := "Input " + strconv.Itoa(i+1)
	if m, ok := d.(map[string]any); ok {
		if set, ok := m["set"].(map[string]any); ok {
			if id, _ := set["id"].(string); id != "" {
				t += " · " + id
			}
			if st, ok := set["ST"].([]any); ok && len(st) > 0 {
				if seg, ok := st[0].(map[string]any); ok {
					if v, _ := seg["01"].(string); v != "" {
						t += " · set " + v
					}
					if v, _ := seg["02"].(string); v != "" {
						t += " " + v
					}
				}
			}
		}
	}
	return t
}

// treeBudget bounds the nodes of the trees in one panel.
type treeBudget struct {
	left      int
	truncated bool
}

// jsonDoc prepares a document as a tree (objects and arrays open down to
// openDepth) and as pretty-printed lines.
func jsonDoc(title string, v any, openDepth int, b *treeBudget) pages.JSONDoc {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		raw = []byte(fmt.Sprint(v))
	}
	return pages.JSONDoc{Title: title, Tree: jsonNode("", v, 0, openDepth, b), Lines: strings.Split(string(raw), "\n")}
}

func jsonNode(key string, v any, depth, openDepth int, b *treeBudget) pages.JSONNode {
	n := pages.JSONNode{Key: key, Open: depth < openDepth}
	b.left--
	switch x := v.(type) {
	case map[string]any:
		n.Kind = "object"
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n.Text = "{" + plural(len(keys), "key", "keys") + "}"
		if _, seg := x["pos"]; seg { // an X12 segment: {"id": "BEG", "pos": 2, "01": ...}
			if id, ok := x["id"].(string); ok && id != "" {
				n.Text = id + " " + n.Text
			}
		}
		for _, k := range keys {
			if b.left <= 0 {
				b.truncated = true
				n.Children = append(n.Children, pages.JSONNode{Key: "…", Kind: "null", Text: "more keys not shown"})
				break
			}
			n.Children = append(n.Children, jsonNode(k, x[k], depth+1, openDepth, b))
		}
	case []any:
		n.Kind = "array"
		n.Text = "[" + plural(len(x), "item", "items") + "]"
		for i, e := range x {
			if b.left <= 0 {
				b.truncated = true
				n.Children = append(n.Children, pages.JSONNode{Key: "…", Kind: "null", Text: strconv.Itoa(len(x)-i) + " more items not shown"})
				break
			}
			n.Children = append(n.Children, jsonNode("["+strconv.Itoa(i)+"]", e, depth+1, openDepth, b))
		}
	case string:
		n.Kind = "string"
		q, _ := json.Marshal(x)
		n.Text = string(q)
	case nil:
		n.Kind, n.Text = "null", "null"
	case bool:
		n.Kind, n.Text = "bool", strconv.FormatBool(x)
	default: // float64, json.Number, big numbers
		n.Kind = "number"
		q, err := json.Marshal(x)
		if err != nil {
			q = []byte(fmt.Sprint(x))
		}
		n.Text = string(q)
	}
	return n
}

// ackLines splits a serialized 997 into one segment per line and says
// what it tells the partner (AK9 of each group).
func ackLines(ack string) ([]string, string) {
	ack = strings.TrimSpace(ack)
	if len(ack) < 106 || !strings.HasPrefix(ack, "ISA") {
		if ack == "" {
			return nil, ""
		}
		return strings.Split(ack, "\n"), ""
	}
	elem, term := ack[3], ack[105]
	var lines []string
	var verdicts []string
	for _, seg := range strings.Split(ack, string(term)) {
		seg = strings.Trim(seg, "\r\n ")
		if seg == "" {
			continue
		}
		lines = append(lines, seg+string(term))
		f := strings.Split(seg, string(elem))
		switch {
		case f[0] == "AK9" && len(f) > 1:
			verdicts = append(verdicts, ak9Words(f[1]))
		case f[0] == "TA1" && len(f) > 5:
			verdicts = append(verdicts, ta1Words(f[4], f[5]))
		}
	}
	return lines, strings.Join(verdicts, "; ")
}

// ta1Words says what a TA1's TA104 status and TA105 note mean.
func ta1Words(status, note string) string {
	w, ok := map[string]string{"A": "interchange accepted", "E": "interchange accepted with errors", "R": "interchange rejected"}[status]
	if !ok {
		w = "interchange"
	}
	if t := x12.TA1NoteText(note); t != "" && note != "000" {
		w += ": " + t
	}
	return w + " (TA1 " + status + " " + note + ")"
}

func ak9Words(code string) string {
	switch code {
	case "A":
		return "group accepted (AK9 A)"
	case "E":
		return "group accepted with errors noted (AK9 E)"
	case "P":
		return "group partially accepted (AK9 P)"
	case "R":
		return "group rejected (AK9 R)"
	}
	return "AK9 " + code
}
