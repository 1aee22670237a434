import XCTest
@testable import Repro
import Tensor
import Plumbing

/// Every input that made a fuzz harness (fuzz/harnesses/) crash, kept as a test: the loader must answer it with an
/// error that names the file and says what is wrong, never a trap. Each test names the harness that found it.
final class ConfigRegressionTests: XCTestCase {
    let file = "fuzz/config.json"

    /// Polyglot-Ko 1.3B's config.json with some fields replaced.
    func config(_ changes: [String: JSON]) -> JSON {
        var object = JSONObject([("model_type", "gpt_neox"), ("vocab_size", 30080), ("hidden_size", 2048),
                                 ("num_hidden_layers", 24), ("num_attention_heads", 16), ("intermediate_size", 8192),
                                 ("rotary_pct", 0.5), ("max_position_embeddings", 2048)])
        for (key, value) in changes { object[key] = value }
        return .object(object)
    }

    func assertRejected(_ changes: [String: JSON], saying expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try NeoXConfig(huggingFace: config(changes), file: self.file), file: file, line: line) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix(self.file + ": ") && text.contains(expected), text, file: file, line: line)
        }
    }

    func testTheUnchangedConfigLoads() throws {
        XCTAssertEqual(try NeoXConfig(huggingFace: config([:]), file: file).parameterCount, 1_331_810_304)
    }

    /// config_json: `Int(Double(headDim) * rotaryPct)` trapped on a rotary_pct of 1e300 before its range was checked.
    func testAHugeRotaryFractionIsAnErrorNotATrap() {
        assertRejected(["rotary_pct": 1e300], saying: "rotary_pct 1e+300 must lie in [0, 1]")
    }

    /// config_json: counting the parameters of 2⁵² × 2⁵² embeddings overflowed Int.
    func testSizesWhoseProductOverflowsAreRefused() {
        assertRejected(["vocab_size": 4_503_599_627_370_496, "hidden_size": 4_503_599_627_370_496, "num_attention_heads": 1],
                       saying: "vocab_size 4503599627370496 is larger than 16777216, the limit of this code")
        assertRejected(["vocab_size": 16_777_216, "hidden_size": 16_777_216, "intermediate_size": 16_777_216, "num_attention_heads": 1],
                       saying: "parameters is more than 1099511627776, the limit of this code")
    }

    /// config_json: 2⁵⁰ layers made the parameter layout try to allocate 12 · 2⁵⁰ entries (out of memory).
    func testAbsurdLayerCountsAreRefusedBeforeAllocating() {
        assertRejected(["num_hidden_layers": 1_125_899_906_842_624],
                       saying: "num_hidden_layers 1125899906842624 is more than 65536, the limit of this code")
    }

    /// config_json: layer_norm_eps 1e300 became +infinity as a Float, which was accepted and then written as null.
    func testAnEpsilonBeyondFloatRangeIsRefused() {
        assertRejected(["layer_norm_eps": 1e300], saying: "layer_norm_eps must be positive and finite as a 32-bit float")
    }

    func testConfigProblemsNeverTrapOnAnyValues() {
        var config = NeoXConfig.polyglotKo1_3B
        for value in [Int.min, -1, 0, Int.max] {
            for keyPath in [\NeoXConfig.vocabSize, \.hiddenSize, \.numLayers, \.numHeads, \.intermediateSize, \.maxPositions] {
                var c = config
                c[keyPath: keyPath] = value
                XCTAssertFalse(c.problems.isEmpty, "\(keyPath) = \(value)")
            }
        }
        for pct in [Double.nan, -.infinity, .infinity, -1, 1e300] {
            config.rotaryPct = pct
            XCTAssertFalse(config.problems.isEmpty, "rotary_pct \(pct)")
        }
    }
}

final class TokenizerRegressionTests: XCTestCase {
    /// tokenizer_json: one added token with id 16,777,215 in a 4 KB file made tables of 16.7M rows (1 GB under the
    /// fuzzer, 6 s per input) — a size claimed by the file, now refused before anything is allocated.
    func testAnIdFarBeyondTheTokensIsRefusedBeforeAllocating() throws {
        // The smallest byte-level BPE: the 256 byte symbols, no merges, one added token.
        let vocab = JSONObject((0..<256).map { (String(ByteLevelAlphabet.characterForByte[$0]), JSON.number(Double($0))) })
        func tokenizer(addedId: Int) throws -> BPETokenizer {
            let json = JSON(["added_tokens": [JSON(["id": .number(Double(addedId)), "content": "<|endoftext|>"])],
                             "pre_tokenizer": JSON(["type": "ByteLevel"]), "decoder": JSON(["type": "ByteLevel"]),
                             "model": JSON(["type": "BPE", "vocab": .object(vocab), "merges": []])])
            return try BPETokenizer(huggingFaceJSON: json, file: "t.json")
        }
        XCTAssertEqual(try tokenizer(addedId: 256).vocabularySize, 257)
        XCTAssertEqual(try tokenizer(addedId: 700).vocabularySize, 701)      // holes are allowed
        XCTAssertThrowsError(try tokenizer(addedId: 16_777_215)) { error in
            XCTAssertEqual("\(error)", "t.json: id 16777215 is far beyond the 257 tokens of the file (ids must be below 770)")
        }
    }
}

final class NSMCRegressionTests: XCTestCase {
    /// nsmc: the label depended on which blank characters came before the answer's first word: " 긍정" and "\n\n긍정"
    /// read as 긍정, but " \n 긍정" was unparseable (its first line, " ", has no word), and so counted as wrong.
    func testBlankSpaceBeforeTheFirstWordIsSkipped() {
        for answer in [" \n 긍정", " \n긍정", "\t\n\n 긍정", " 긍정", "\n\n긍정", "\r\n긍정"] {
            XCTAssertEqual(NSMC.parseAnswer(answer), .positive, answer.debugDescription)
        }
        XCTAssertEqual(NSMC.parseAnswer(" \n부정입니다.\n긍정"), .negative)
        XCTAssertNil(NSMC.parseAnswer(" \n긍정/부정"))
        XCTAssertNil(NSMC.parseAnswer(" \n \n"))
    }
}
