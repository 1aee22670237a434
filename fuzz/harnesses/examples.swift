// chapter-files: chapters/ch02-prompting/Examples.swift
//
// Chapter 02 on a repaired.jsonl of arbitrary bytes: records read (InstructionRecord lines), each made into a training example
// with the test fixture tokenizer (trained by Hugging Face `tokenizers` in Polyglot-Ko's layout) and a small context
// chosen by the first byte. Properties: a thrown error names the file; an example fits the context, its labels line
// up with its ids, the prompt is masked, and the unmasked labels decode to the response and its end-of-text token
// (unless truncated, or the response holds the "ೱ" Polyglot-Ko's pre-tokenizer removes).
import Plumbing
import Repro
import Tensor

let tokenizer: BPETokenizer = {
    let path = repositoryFile("Tests/TokenizerTests/Fixtures/trained_polyglot_layout.json")
    do { return try BPETokenizer(contentsOf: path) } catch { violated("cannot load the tokenizer fixture: \(error)") }
}()

func fuzzOne(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let path = scratchFile("repaired.jsonl", Array(bytes.dropFirst()))
    let records: [InstructionRecord]
    do {
        records = try Records.read(InstructionRecord.self, jsonLines: path)
    } catch {
        expectNamesFile(error, path)
        return
    }
    let options = ExampleOptions(template: first & 1 == 0 ? .korean : .bilingual, contextLength: 8 + Int(first >> 1))
    for (index, record) in records.enumerated() {
        switch makeExample(record, index: index, tokenizer: tokenizer, options: options) {
        case .dropped(let promptTokens):
            if promptTokens < options.contextLength { violated("record \(index) dropped although its prompt fits") }
        case .kept(let example, let truncated):
            if example.inputIDs.count > options.contextLength || example.labels.count != example.inputIDs.count {
                violated("record \(index): \(example.inputIDs.count) ids, \(example.labels.count) labels, context \(options.contextLength)")
            }
            if example.labels.prefix(example.promptTokens).contains(where: { $0 != ignoreIndex }) { violated("record \(index): prompt not masked") }
            let response = Array(example.labels.dropFirst(example.promptTokens))
            if response.isEmpty { violated("record \(index): kept with no response token") }
            if !truncated && !record.output.unicodeScalars.contains("\u{0CF1}") {
                if Array(tokenizer.decode(response).utf8) != Array((record.output + "<|endoftext|>").utf8) {
                    violated("record \(index): the response labels decode to something else")
                }
            }
        }
    }
}
