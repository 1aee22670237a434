import XCTest
import Tensor
@testable import Repro
import Plumbing

/// A bad tokenizer.json is a thrown error that names the file and what is wrong, never a trap or a silent skip.
final class TokenizerFileErrorTests: XCTestCase {
    func errorText(_ text: String, file: String = "bad/tokenizer.json") -> String {
        do {
            _ = try BPETokenizer(huggingFaceJSON: try JSON.parse(text, file: file), file: file)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// The fixture with one part replaced.
    func edited(_ edit: (inout JSONObject) -> Void) throws -> String {
        guard case .object(var document) = try fixtureJSON("trained_polyglot_layout.json") else { return "" }
        edit(&document)
        return JSON.object(document).serialized()
    }

    func model(_ edit: @escaping (inout JSONObject) -> Void) throws -> String {
        try edited { document in
            guard case .object(var model) = document["model"] else { return }
            edit(&model)
            document["model"] = .object(model)
        }
    }

    func assertError(_ text: String, mentions phrases: String..., line: UInt = #line) {
        let message = errorText(text)
        XCTAssertTrue(message.hasPrefix("bad/tokenizer.json: "), message, line: line)
        for phrase in phrases { XCTAssertTrue(message.contains(phrase), "\(message) lacks \(phrase)", line: line) }
    }

    func testNotJSONOrTruncated() throws {
        assertError("this is not json", mentions: "invalid literal", "line 1")
        let whole = try edited { _ in }
        assertError(String(whole.prefix(whole.count / 2)), mentions: "truncated")
        assertError("", mentions: "empty file")
        assertError("[1, 2]", mentions: "not a JSON object")
    }

    func testUnreadableFileNamesThePath() {
        XCTAssertThrowsError(try BPETokenizer(contentsOf: "/nonexistent/tokenizer.json")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/tokenizer.json"), "\(error)")
        }
    }

    func testModelProblems() throws {
        assertError(try edited { $0["model"] = nil }, mentions: "\"model\" is missing")
        assertError(try model { $0["vocab"] = nil }, mentions: "model.vocab is missing")
        assertError(try model { $0["merges"] = nil }, mentions: "model.merges is missing")
        assertError(try model { $0["type"] = "WordPiece" }, mentions: "model of type \"WordPiece\" is not supported")
        assertError(try model { $0["dropout"] = 0.1 }, mentions: "model.dropout")
        assertError(try model { $0["byte_fallback"] = true }, mentions: "byte_fallback")
        assertError(try model { $0["continuing_subword_prefix"] = "##" }, mentions: "continuing_subword_prefix")
        assertError(try model { $0["vocab"] = JSON(["a": -1]) }, mentions: "model.vocab[\"a\"]")
    }

    func testMergesReferringToMissingTokens() throws {
        assertError(try model { $0["merges"] = ["Ġ zzz"] }, mentions: "model.merges[0]", "\"zzz\" is not in model.vocab")
        assertError(try model { $0["merges"] = [["Ġ", "zzz"]] }, mentions: "model.merges[0]", "\"zzz\" is not in model.vocab")
        assertError(try model { $0["merges"] = ["q z"] }, mentions: "the result \"qz\" is not in model.vocab")
        assertError(try model { $0["merges"] = ["a b c"] }, mentions: "model.merges[0]", "two tokens")
        assertError(try model { $0["merges"] = [1] }, mentions: "model.merges[0]")
    }

    func testMissingByteSymbol() throws {
        assertError(try model { model in
            guard case .object(var vocab) = model["vocab"] else { return }
            vocab["Ġ"] = nil
            model["vocab"] = .object(vocab)
            model["merges"] = []
        }, mentions: "lacks \"Ġ\"", "byte 0x20")
    }

    func testUnsupportedComponentsAreNamed() throws {
        assertError(try edited { $0["normalizer"] = JSON(["type": "NFKC"]) }, mentions: "normalizer of type \"NFKC\"")
        assertError(try edited { $0["pre_tokenizer"] = JSON(["type": "Whitespace"]) }, mentions: "pre_tokenizer", "Whitespace")
        assertError(try edited { $0["pre_tokenizer"] = nil }, mentions: "pre_tokenizer is null")
        assertError(try edited {
            $0["pre_tokenizer"] = JSON(["type": "Sequence", "pretokenizers": [
                JSON(["type": "Split", "pattern": JSON(["Regex": "\\s+"]), "behavior": "Removed", "invert": false]),
                JSON(["type": "ByteLevel", "add_prefix_space": false])]])
        }, mentions: "Split with pattern", "Regex")
        assertError(try edited {
            $0["pre_tokenizer"] = JSON(["type": "Sequence", "pretokenizers": [
                JSON(["type": "Digits", "individual_digits": true]), JSON(["type": "ByteLevel", "add_prefix_space": false])]])
        }, mentions: "component of type \"Digits\"")
        assertError(try edited { $0["post_processor"] = JSON(["type": "TemplateProcessing"]) },
                    mentions: "post_processor of type \"TemplateProcessing\"")
        assertError(try edited { $0["decoder"] = JSON(["type": "WordPiece"]) }, mentions: "decoder of type \"WordPiece\"")
        assertError(try edited { $0["truncation"] = JSON(["max_length": 512]) }, mentions: "truncation")
        assertError(try edited { $0["extra"] = 1 }, mentions: "unknown section \"extra\"")
        assertError(try edited { document in
            guard case .array(var added) = document["added_tokens"], case .object(var first) = added[0] else { return }
            first["lstrip"] = true
            added[0] = .object(first)
            document["added_tokens"] = .array(added)
        }, mentions: "added_tokens[0]", "lstrip")
    }

    func testEndOfTextIsRequired() throws {
        assertError(try edited { document in
            guard case .array(let added) = document["added_tokens"] else { return }
            document["added_tokens"] = .array(added.filter { $0["content"]?.string != "<|endoftext|>" })
            guard case .object(var model) = document["model"], case .object(var vocab) = model["vocab"] else { return }
            vocab["<|endoftext|>"] = nil
            model["vocab"] = .object(vocab)
            document["model"] = .object(model)
        }, mentions: "<|endoftext|>")
    }
}
