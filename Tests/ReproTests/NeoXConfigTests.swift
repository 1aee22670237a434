import XCTest
import Tensor
import Plumbing
@testable import Repro

final class NeoXConfigTests: XCTestCase {
    func testHuggingFaceJSONRoundTrip() throws {
        for c in NeoXConfig.polyglotKo + [Preset.course.models.small, Preset.smoke.models.large] {
            var back = try NeoXConfig(huggingFace: c.huggingFaceJSON, file: "config.json")
            back.name = c.name
            XCTAssertEqual(back, c)
        }
    }

    func testUnsupportedValuesAreErrorsNotDefaults() {
        func reject(_ edit: (inout JSONObject) -> Void, _ fragment: String, line: UInt = #line) {
            var o = NeoXConfig.polyglotKo1_3B.huggingFaceJSON.object!
            edit(&o)
            XCTAssertThrowsError(try NeoXConfig(huggingFace: .object(o), file: "x/config.json"), line: line) {
                XCTAssertTrue("\($0)".hasPrefix("x/config.json: ") && "\($0)".contains(fragment), "\($0)", line: line)
            }
        }
        reject({ $0["hidden_act"] = "relu" }, "hidden_act")
        reject({ $0["tie_word_embeddings"] = true }, "tie_word_embeddings")
        reject({ $0["model_type"] = "llama" }, "model_type")
        reject({ $0["hidden_size"] = nil }, "missing \"hidden_size\"")
        reject({ $0["num_attention_heads"] = 7 }, "not a multiple")
        reject({ $0["vocab_size"] = 1.5 }, "positive integer")
    }

    func testRotaryDimsFollowTransformers() {
        XCTAssertEqual(NeoXConfig.polyglotKo5_8B.rotaryDims, 64)     // 256 × 0.25
        XCTAssertEqual(NeoXConfig.polyglotKo12_8B.rotaryDims, 64)    // 128 × 0.5
        XCTAssertEqual(Preset.course.models.small.rotaryDims, 24)    // 96 × 0.25
    }
}
