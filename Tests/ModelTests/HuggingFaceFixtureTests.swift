// Our loader and forward pass against Hugging Face transformers' GPTNeoXForCausalLM, on tiny random models made by
// tools/fixtures/make_neox_fixtures.py (rotary_pct 1.0 / 0.25 / 0.5, parallel residual on and off, 3 and 5 heads,
// vocabularies of 61, 67 and 53, config.json in both transformers 5's and Polyglot-Ko's spelling).
@testable import Repro
import Tensor
import XCTest
import Plumbing

final class HuggingFaceFixtureTests: XCTestCase {
    static let fixtures = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast()
        .joined(separator: "/") + "/Fixtures"
    static let names = ["neox-rotary-full-parallel-3heads", "neox-rotary-quarter-sequential",
                        "neox-rotary-half-parallel-5heads"]

    struct Expected {
        var sequences: [[Int32]]
        var logits: [[Float]]
        var prompt: [Int32]
        var continuation: [Int32]
    }

    func expected(_ directory: String) throws -> Expected {
        let path = directory + "/reference.json"
        let json = try JSON.parse(try FileIO.read(path), file: path)
        func ints(_ j: JSON?) throws -> [Int32] {
            guard let a = j?.array else { throw ModelError("\(path): expected an array of token ids") }
            return try a.map { guard let i = $0.int else { throw ModelError("\(path): bad token id") }; return Int32(i) }
        }
        func floats(_ j: JSON) throws -> [Float] {
            guard let a = j.array else { throw ModelError("\(path): expected an array of logits") }
            return try a.map { guard let d = $0.double else { throw ModelError("\(path): bad logit") }; return Float(d) }
        }
        return Expected(sequences: try (json["sequences"]?.array ?? []).map(ints),
                        logits: try (json["logits"]?.array ?? []).map(floats),
                        prompt: try ints(json["greedy"]?["prompt"]),
                        continuation: try ints(json["greedy"]?["continuation"]))
    }

    /// Max |ours − transformers'| ≤ 1e-4 over every logit (they are of order 1): the same float32 computation in a
    /// different order of summation differs by ~1e-6 here; a wrong layout, rotary convention or residual wiring
    /// moves logits by tenths.
    func testLogitsMatchTransformers() throws {
        for name in Self.names {
            let directory = Self.fixtures + "/" + name
            let model = try Checkpoint.loadModel(from: directory)
            let reference = try expected(directory)
            XCTAssertEqual(reference.sequences.count, 2, name)
            for (sequence, logits) in zip(reference.sequences, reference.logits) {
                let ours = try model.logits(inputs: sequence, batch: 1, length: sequence.count).values
                XCTAssertEqual(ours.count, logits.count, name)
                let worst = zip(ours, logits).map { abs($0 - $1) }.max() ?? .infinity
                XCTAssertLessThanOrEqual(worst, 1e-4, "\(name), sequence of \(sequence.count)")
            }
        }
    }

    /// Greedy decoding through our KV cache picks the tokens transformers picks by recomputing everything.
    func testGreedyDecodingWithCacheMatchesTransformers() throws {
        for name in Self.names {
            let directory = Self.fixtures + "/" + name
            let model = try Checkpoint.loadModel(from: directory)
            let reference = try expected(directory)
            let cache = model.makeCache()
            var next = reference.prompt
            var generated: [Int32] = []
            for _ in reference.continuation {
                let logits = try model.forward(tokens: next, cache: cache)
                let last = Array(logits.values.suffix(logits.shape[1]))
                let best = Int32(last.indices.max { last[$0] < last[$1] }!)
                generated.append(best)
                next = [best]
            }
            XCTAssertEqual(generated, reference.continuation, name)
        }
    }

    /// The loader reads F16 and BF16 checkpoints into fp32: each weight is its F32 value rounded to nearest even in
    /// the smaller format, as torch's .to(dtype) rounds.
    func testHalfPrecisionCheckpointsLoad() throws {
        let directory = Self.fixtures + "/" + Self.names[0]
        let full = try Checkpoint.loadModel(from: directory)
        let weights = full.namedParameters.flatMap { $0.tensor.values }
        func bfloat16(_ x: Float) -> Float {
            let bits = x.bitPattern
            return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
        }
        for (suffix, round) in [("f16", { (x: Float) in Float(Float16(x)) }), ("bf16", bfloat16)] {
            let model = GPTNeoX(config: full.config)
            try Checkpoint.loadParameters(into: model, from: directory + "/model-\(suffix).safetensors")
            XCTAssertEqual(model.namedParameters.flatMap { $0.tensor.values }, weights.map(round), suffix)
        }
    }

    func testConfigsReadAsWritten() throws {
        let configs = try Self.names.map { try Checkpoint.loadModel(from: Self.fixtures + "/" + $0).config }
        XCTAssertEqual(configs.map(\.rotaryDims), [8, 4, 4])
        XCTAssertEqual(configs.map(\.rotaryBase), [10_000, 10_000, 500])
        XCTAssertEqual(configs.map(\.useParallelResidual), [true, false, true])
        XCTAssertEqual(configs.map(\.numHeads), [3, 2, 5])
    }
}
