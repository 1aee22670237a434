import XCTest
import Tensor
@testable import Repro
import Plumbing

// Our tokenizer against Hugging Face `tokenizers` (the library Polyglot-Ko's tokenizer.json is made for): fixtures
// written by tools/fixtures/make_tokenizer_fixtures.py from a tokenizer that `tokenizers` trained on corpus.txt.

let fixtures = FileIO.dirname(of: #filePath) + "/Fixtures"

func fixtureJSON(_ name: String) throws -> JSON {
    try JSON.parse(try FileIO.read("\(fixtures)/\(name)"), file: name)
}

func corpusLines() throws -> [String] {
    String(decoding: try FileIO.read("\(fixtures)/corpus.txt"), as: UTF8.self)
        .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

/// The words the pre-tokenizer cuts `line` into (no added tokens), as UTF-8.
func preTokenized(_ line: String, _ preTokenizer: PreTokenizer) -> [[UInt8]] {
    var words: [[UInt8]] = [], scratch: [UInt8] = [], line = line
    line.withUTF8 { utf8 in
        Segmenter(preTokenizer: preTokenizer, addedTokens: []).forEachPiece(utf8, scratch: &scratch, added: { _ in }) {
            words.append(Array($0[$1..<$2]))
        }
    }
    return words
}

final class ReferenceParityTests: XCTestCase {
    func testIdsAndDecodingMatchTokenizersUnderEveryPreTokenizerSetting() throws {
        let expectations = try fixtureJSON("expectations.json")
        let lines = try XCTUnwrap(expectations["lines"]?.array).compactMap(\.string)
        let variants = try XCTUnwrap(expectations["variants"]?.array)
        XCTAssertEqual(variants.count, 12)
        guard case .object(var document) = try fixtureJSON("trained_polyglot_layout.json") else { return XCTFail("not an object") }
        let originalPreTokenizer = document["pre_tokenizer"], originalModel = document["model"]
        for variant in variants {
            let name = variant["name"]?.string ?? "?"
            let replacement = variant["pre_tokenizer"] ?? .null
            document["pre_tokenizer"] = replacement.isNull ? originalPreTokenizer : replacement
            if case .object(var model) = originalModel, case .array(let merges) = model["merges"] {
                model["ignore_merges"] = variant["ignore_merges"] ?? false
                if variant["repeat_first_merge"] == true { model["merges"] = .array(merges + [merges[0]]) }
                document["model"] = .object(model)
            }
            let tokenizer = try BPETokenizer(huggingFaceJSON: .object(document), file: name)
            let ids = try XCTUnwrap(variant["ids"]?.array)
            XCTAssertEqual(ids.count, lines.count)
            for (n, line) in lines.enumerated() {
                let expected = ids[n].array?.compactMap { $0.int.map(Int32.init) } ?? []
                let got = tokenizer.encode(line)
                XCTAssertEqual(got, expected, "\(name), line \(n): \(line.debugDescription)")
                if let decoded = variant["decoded"]?.array?[n].string {
                    XCTAssertEqual(Array(tokenizer.decode(got).utf8), Array(decoded.utf8), "\(name), decoding line \(n)")
                }
                if let words = variant["words"]?.array?[n].array {
                    XCTAssertEqual(preTokenized(line, tokenizer.preTokenizer), words.compactMap(\.string).map { Array($0.utf8) },
                                   "\(name), words of line \(n): \(line.debugDescription)")
                }
            }
        }
    }

    func testBothMergeFormatsGiveTheSameTokenizer() throws {
        let pairs = try BPETokenizer(contentsOf: "\(fixtures)/trained_polyglot_layout.json")
        let strings = try BPETokenizer(contentsOf: "\(fixtures)/trained_legacy_merges.json")
        XCTAssertEqual(pairs.merges.count, 337)
        XCTAssertTrue(pairs.merges.elementsEqual(strings.merges) { $0 == $1 })
        XCTAssertEqual(pairs.huggingFaceJSON(), strings.huggingFaceJSON())
        // Reading and writing back changes nothing: the same bytes as `tokenizers`' save(pretty=True).
        XCTAssertEqual(Array(strings.huggingFaceJSON().serialized(pretty: true).utf8),
                       try FileIO.read("\(fixtures)/trained_polyglot_layout.json"))
        let expectations = try fixtureJSON("expectations.json")
        let lines = try XCTUnwrap(expectations["lines"]?.array).compactMap(\.string)
        for line in lines { XCTAssertEqual(strings.encode(line), pairs.encode(line)) }
    }

    func testPolyglotLayoutOfSpecialTokens() throws {
        let tokenizer = try BPETokenizer(contentsOf: "\(fixtures)/trained_polyglot_layout.json")
        XCTAssertEqual(tokenizer.vocabularySize, 600)
        XCTAssertEqual(tokenizer.endOfText, 2)
        let expected: [(String, Int32)] = [("<pad>", 0), ("<eos>", 1), ("<|endoftext|>", 2), ("<|sep|>", 3),
                                           ("<|acc|>", 597), ("<|tel|>", 598), ("<|rrn|>", 599), ("Ġ", 224), ("!", 4)]
        for (token, id) in expected {
            XCTAssertEqual(tokenizer.id(of: token), id, token)
            XCTAssertEqual(tokenizer.token(of: id), token)
        }
        XCTAssertNil(tokenizer.token(of: 600))
        XCTAssertNil(tokenizer.token(of: -1))
    }

    /// Byte sequences that are not UTF-8 decode with U+FFFD exactly where Rust's `from_utf8_lossy` puts them.
    func testDecodingInvalidUTF8UsesReplacementCharactersAsTokenizersDoes() throws {
        let tokenizer = try BPETokenizer(contentsOf: "\(fixtures)/trained_polyglot_layout.json")
        let cases = try XCTUnwrap(try fixtureJSON("expectations.json")["invalid_decodes"]?.array)
        XCTAssertEqual(cases.count, 9)
        for c in cases {
            let ids = (c["ids"]?.array ?? []).compactMap { $0.int.map(Int32.init) }
            XCTAssertEqual(Array(tokenizer.decode(ids).unicodeScalars), Array((c["decoded"]?.string ?? "-").unicodeScalars),
                           "\(ids)")
        }
        XCTAssertEqual(tokenizer.decode([-5, 36, Int32.max, 37]), "AB")
    }

    /// Our trainer and `tokenizers`' BpeTrainer write the same tokenizer.json from the same corpus, byte for byte.
    func testTrainerReproducesTokenizersTrainer() throws {
        let trained = try BPETokenizer.train(texts: try corpusLines(), vocabSize: 600)
        let reference = try fixtureJSON("trained_polyglot_layout.json")
        let ours = trained.huggingFaceJSON()
        XCTAssertEqual(Array(ours.serialized(pretty: true).utf8), try FileIO.read("\(fixtures)/trained_polyglot_layout.json"))
        if ours != reference {
            // Point at the first difference rather than dumping two documents.
            let oursMerges = ours["model"]?["merges"]?.array ?? [], theirMerges = reference["model"]?["merges"]?.array ?? []
            if let n = zip(oursMerges, theirMerges).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                XCTFail("merge \(n): ours \(oursMerges[n].serialized()), tokenizers \(theirMerges[n].serialized())")
            }
            for key in ["added_tokens", "pre_tokenizer", "post_processor", "decoder"] where ours[key] != reference[key] {
                XCTFail("\(key): ours \(ours[key]?.serialized() ?? "nil"), tokenizers \(reference[key]?.serialized() ?? "nil")")
            }
            XCTFail("tokenizer.json differs (\(oursMerges.count) merges against \(theirMerges.count))")
        }
    }
}
